"""Benchmark: readings per second through medai's streaming monitor (forecast plus alerts), 100,000 patients per tick.

medai's Monitor with its default forecaster (a GRU, trained briefly on a small simulated cohort:
throughput does not depend on how well it forecasts) and the default glucose rules. Each tick
sends one reading for each of 100,000 patients (glucose random walks, 5 minutes apart); the
figure is readings per second over the timed ticks, after warm-up ticks that register the
patients. Beside it, the same monitor with trend extrapolation instead of the network, and, as
the baseline, re-running the forecaster over each patient's last 2 hours every tick (what a
window-based forecaster would cost), timed on a tenth of the patients.
Target: at least 1,000,000 readings/s with the default forecaster on 2 CPU cores.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch
from medai.monitor.alerts import Monitor
from medai.monitor.forecast import DEFAULT_FORECASTER, assign_splits, forecaster
from medai.monitor.simulate import simulate
from common import finish

ROOT = Path(__file__).resolve().parents[1]

def run(monitor, n:int, ticks:int, warmup:int, seed:int=0)->float:
    "Readings per second over `ticks` timed ticks of `n` patients"
    rng = np.random.default_rng(seed)
    ids = np.arange(n)
    gl = rng.uniform(70, 250, n)
    t0, start = pd.Timestamp("2025-01-01"), None
    for k in range(warmup + ticks):
        if k == warmup: start = time.perf_counter()
        gl = np.clip(gl + rng.normal(0, 4, n), 40, 400)
        monitor.update(ids, gl, t0 + k*pd.Timedelta("5min"))
    return n*ticks/(time.perf_counter() - start)

@torch.inference_mode()
def window_baseline(fc, n:int, ticks:int=3)->float:
    "Readings/s when the network re-reads each patient's last 24 readings every tick"
    x = torch.randn(n, 24, 6)
    start = time.perf_counter()
    for _ in range(ticks): fc.net_(x)
    return n*ticks/(time.perf_counter() - start)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="unused: the benchmark simulates its data")
    ap.add_argument("--quick", action="store_true", help="10,000 patients, 3 timed ticks")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    n, ticks = (10_000, 3) if a.quick else (100_000, 20)
    fc = forecaster(DEFAULT_FORECASTER, epochs=2, show_progress=False).fit(assign_splits(simulate(["adult#001", "child#001", "adolescent#001"], days=2, seed=0)))
    with_net = run(Monitor(fc), n, ticks, warmup=4)
    trend = run(Monitor(None), n, ticks, warmup=4)
    baseline = window_baseline(fc, n//10)
    checks = [dict(name=f"readings/s through the monitor with the default forecaster ({DEFAULT_FORECASTER}), {n:,} patients per tick", value=round(with_net), target=1_000_000, better="higher")]
    for c in checks: c["met"] = bool(c["value"] >= c["target"])
    finish(dict(benchmark="monitor_throughput", checks=checks, patients_per_tick=n, timed_ticks=ticks, threads=torch.get_num_threads(),
                readings_per_s=dict(monitor_default=round(with_net), monitor_trend_only=round(trend), window_rereading_baseline=round(baseline))), a.quick)

if __name__ == "__main__":
    main()
