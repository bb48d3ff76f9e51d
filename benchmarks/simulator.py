"""Benchmark: medai's vectorized UVA/Padova simulator against simglucose, the reference implementation.

The same virtual patients, the same meals (medai's random meals, given to simglucose as a
CustomScenario), simglucose's basal-bolus controller, Insulet pump and GuardianRT sensor (5 min),
sensor noise off. Checks: the largest difference between the two blood-glucose trajectories
(target: within 1 mg/dL), and speed for 30 patients x 10 days (target: at least 50 times faster); there medai runs
simglucose's own therapy (`therapy="simglucose"`). Then the default cohort (all 30, derived therapy, 14 days, seed 0):
the largest per-patient percent of readings at the sensor floor and at the ceiling (target: at most 5% each).
simglucose simulates one patient at a time, so its time for the cohort is the sum over patients:
it is measured on the patients run here (all 30 for one day, plus one for 10 days) and scaled to
30 x 10 patient-days. medai is timed on the whole cohort in one call.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, logging, time, warnings
from datetime import datetime, timedelta
from pathlib import Path
import numpy as np, pandas as pd
from medai.monitor.simulate import random_meals, simulate, virtual_patients
from common import finish

ROOT = Path(__file__).resolve().parents[1]
START = "2025-01-06 00:00"

def simglucose_bg(name:str, days:float, meals:pd.DataFrame)->np.ndarray:
    "Blood glucose history of one patient from simglucose itself, sensor noise off"
    from simglucose.actuator.pump import InsulinPump
    from simglucose.controller.basal_bolus_ctrller import BBController
    from simglucose.patient.t1dpatient import T1DPatient
    from simglucose.sensor.cgm import CGMSensor
    from simglucose.simulation.env import T1DSimEnv
    from simglucose.simulation.scenario import CustomScenario
    from simglucose.simulation.sim_engine import SimObj

    class NoiselessSensor(CGMSensor):
        def measure(self, patient):
            if patient.t % self.sample_time == 0:
                self._last_CGM = min(max(patient.observation.Gsub, self._params["min"]), self._params["max"])
            return self._last_CGM

    start = datetime.fromisoformat(START)
    m = meals[meals["id"] == name]
    scenario = CustomScenario(start, [(timedelta(minutes=(t - pd.Timestamp(START))/pd.Timedelta("1min")), c) for t, c in zip(m["time"], m["carbs"])])
    env = T1DSimEnv(T1DPatient.withName(name), NoiselessSensor.withName("GuardianRT", seed=0), InsulinPump.withName("Insulet"), scenario)
    sim = SimObj(env, BBController(), timedelta(days=days), animate=False, path=None)
    sim.simulate()
    return np.asarray(env.BG_hist, float)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="unused: the simulator needs no data files")
    ap.add_argument("--quick", action="store_true", help="2 patients x 1 day against simglucose; medai timed on 30 x 1 day")
    a = ap.parse_args()
    warnings.simplefilter("ignore"); logging.disable(logging.CRITICAL)
    names = virtual_patients()["Name"].tolist()
    runs = [(n, 1) for n in (["adolescent#001", "child#001"] if a.quick else names)] + ([] if a.quick else [("adult#001", 10)])
    meals = random_meals(names, 10, START, seed=0)
    diffs, sg_seconds, patient_days = [], 0.0, 0
    for name, days in runs:
        t0 = time.perf_counter(); ref = simglucose_bg(name, days, meals); sg_seconds += time.perf_counter() - t0
        ours = simulate([name], days=days, meals=meals, noise=False, therapy="simglucose").readings["bg"].to_numpy()
        n = min(len(ref), len(ours)); diffs.append(float(np.max(np.abs(ref[:n] - ours[:n])))); patient_days += days
        print(f"{name} x {days} d: max |difference| {diffs[-1]:.4f} mg/dL", flush=True)
    cohort_days = 1 if a.quick else 10
    t0 = time.perf_counter(); simulate(None, days=cohort_days, meals=meals, noise=True, seed=0, therapy="simglucose"); medai_s = time.perf_counter() - t0
    default_days = 1 if a.quick else 14
    t0 = time.perf_counter(); cohort = simulate(None, days=default_days, seed=0).readings; default_s = time.perf_counter() - t0
    g = cohort.groupby("id")["gl"]
    at_floor, at_ceiling = 100*g.apply(lambda s: (s <= 39).mean()), 100*g.apply(lambda s: (s >= 600).mean())   # GuardianRT's limits
    below70 = 100*g.apply(lambda s: (s < 70).mean())
    sg_cohort = sg_seconds/patient_days*30*cohort_days
    checks = [dict(name="largest blood-glucose difference from simglucose, mg/dL", value=max(diffs), target=1.0, better="lower"),
              dict(name=f"speed-up over simglucose, 30 patients x {cohort_days} days", value=sg_cohort/medai_s, target=50.0, better="higher"),
              dict(name=f"default cohort, {default_days} days: largest percent of a patient's readings at the sensor floor", value=at_floor.max(), target=5.0, better="lower"),
              dict(name=f"default cohort, {default_days} days: largest percent of a patient's readings at the sensor ceiling", value=at_ceiling.max(), target=5.0, better="lower")]
    for c in checks: c["met"] = bool(c["value"] <= c["target"] if c["better"] == "lower" else c["value"] >= c["target"])
    finish(dict(benchmark="simulator", checks=checks, simglucose_seconds_per_patient_day=round(sg_seconds/patient_days, 2),
                simglucose_cohort_seconds_scaled=round(sg_cohort, 1), medai_cohort_seconds=round(medai_s, 2),
                default_cohort=dict(patients=int(cohort["id"].nunique()), days=default_days, seconds=round(default_s, 2),
                                    worst_at_floor=at_floor.idxmax(), worst_at_ceiling=at_ceiling.idxmax(),
                                    median_percent_below_70=round(float(below70.median()), 2), max_percent_below_70=round(float(below70.max()), 2)),
                compared=[dict(patient=n, days=d, max_abs_diff=round(x, 4)) for (n, d), x in zip(runs, diffs)]), a.quick)

if __name__ == "__main__":
    main()
