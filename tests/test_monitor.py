"medai.monitor: bad CGM input fails clearly, the simulator matches simglucose, the case study and benchmarks run"
import json, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pandas as pd, pytest
from medai.core import DataError, ParameterError, ReportError, data_samples_dir
from medai.monitor.cgm import load_cgm, to_grid, validate_cgm
from medai.monitor.metrics import consensus_metrics
from medai.monitor.simulate import simulate
from medai.report import run_report
from conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]

def readings(gl, ids="p1", start="2025-01-01 00:00", freq="5min"):
    n = len(gl)
    return pd.DataFrame(dict(id=[ids]*n if isinstance(ids, str) else ids, time=pd.date_range(start, periods=n, freq=freq).astype(str), gl=gl))

def write(tmp_path, frame, name="cgm.csv"):
    path = tmp_path/name; frame.to_csv(path, index=False); return path

def test_mmol_without_units_is_detected_or_refused(tmp_path):
    cg = load_cgm(write(tmp_path, readings([5.5, 6.0, 7.2, 12.1])))
    assert cg.readings["gl"].round(1).tolist() == [99.1, 108.1, 129.7, 218.0] and "mmol/L" in cg.notes[0]
    with pytest.raises(DataError, match="units="): load_cgm(write(tmp_path, readings([5.5, 6.0, 120, 140])))
    with pytest.raises(DataError, match="Check the units"): load_cgm(write(tmp_path, readings([5.5, 6.0, 120, 140])), units="mg/dL")
    assert load_cgm(write(tmp_path, readings([5.5, 6.0, 7.0, 8.0])), units="mmol/L").readings["gl"].max() == pytest.approx(8*18.016)

def test_low_high_strings_become_flagged_limits(tmp_path):
    r = load_cgm(write(tmp_path, readings(["Low", "100", "High", "HI"]))).readings
    assert r["gl"].tolist() == [40, 100, 400, 400] and r["flag"].tolist() == ["low", "", "high", "high"]

def test_duplicates_and_unsorted_rows_are_fixed_and_reported():
    raw = readings([100, 110, 120, 130]).iloc[[2, 0, 1, 1, 3]]
    raw.iloc[3, raw.columns.get_loc("gl")] = 114            # a repeated timestamp with another value
    cg = validate_cgm(raw)
    assert cg.readings["gl"].tolist() == [100, 112, 120, 130]
    assert any("sorted" in n for n in cg.notes) and any("'p1': 2 readings share a timestamp" in n for n in cg.notes)

def test_time_zone_changes_warn_with_patient_and_row():
    raw = pd.DataFrame(dict(id="p9", time=["2025-03-30 01:50:00+01:00", "2025-03-30 01:55:00+01:00", "2025-03-30 03:00:00+02:00"], gl=[100, 101, 102]))
    with pytest.warns(UserWarning, match="'p9'.*row 2"): cg = validate_cgm(raw)
    assert cg.readings["time"].diff().dt.total_seconds().tolist()[1:] == [300, 300]   # no phantom hour

def test_gaps_split_segments_without_inventing_data():
    raw = readings([100]*6 + [150]*6)
    raw.loc[6:, "time"] = (pd.to_datetime(raw.loc[6:, "time"]) + pd.Timedelta("2h")).astype(str)
    g = to_grid(validate_cgm(raw))
    assert g["segment"].nunique() == 2 and len(g) == 12 and g["observed"].all()

@pytest.mark.parametrize("values, message", [([100, -5, 120], "glucose must be positive"), ([100, 2000, 120], "impossible glucose"),
                                             (["100", "abc", "120"], "not numbers")])
def test_impossible_values_name_the_patient_and_rows(values, message):
    with pytest.raises(DataError, match=message) as e: validate_cgm(readings(values, ids="p3"))
    assert "'p3'" in str(e.value) and "[1]" in str(e.value)

def test_empty_file_and_missing_columns(tmp_path):
    (tmp_path/"empty.csv").write_text("")
    with pytest.raises(DataError, match="empty"): load_cgm(tmp_path/"empty.csv")
    with pytest.raises(DataError, match="missing column"): validate_cgm(readings([100, 110]).drop(columns="time"))
    with pytest.raises(DataError, match="format='generic'"): load_cgm(write(tmp_path, readings([100]).rename(columns={"gl": "glucose"})))
    with pytest.raises(ParameterError, match="dexcom"): load_cgm(write(tmp_path, readings([100])), format="dexcomm")

def test_fewer_days_than_the_consensus_warns():
    with pytest.warns(UserWarning, match=r"p1 \(0\.0[0-9] days"): consensus_metrics(validate_cgm(readings(np.linspace(80, 200, 24))))

def test_simulator_matches_simglucose():
    "One virtual patient for six hours with a meal: medai's vectorized model against simglucose itself, noise off"
    sys.path.insert(0, str(ROOT/"benchmarks"))
    from simulator import START, simglucose_bg
    meals = pd.DataFrame(dict(id=["adult#004"], time=[pd.Timestamp(START) + pd.Timedelta("1h")], carbs=[60.0]))
    ours = simulate(["adult#004"], days=0.25, meals=meals, noise=False, therapy="simglucose").readings["bg"].to_numpy()
    ref = simglucose_bg("adult#004", 0.25, meals)
    assert np.abs(ours - ref[:len(ours)]).max() < 1.0 and ours.max() > ours[0] + 20   # the meal shows, and both agree

def test_default_cohort_stays_off_the_sensor_limits():
    "All 30 virtual patients, 14 days, seed 0, on their derived therapy: none at the sensor floor or ceiling more than 5% of the time"
    r = simulate(days=14, seed=0).readings
    assert r["id"].nunique() == 30
    g = r.groupby("id")["gl"]
    floor, ceiling = g.apply(lambda s: (s <= 39).mean()), g.apply(lambda s: (s >= 600).mean())   # GuardianRT's limits in simglucose
    assert floor.max() <= 0.05 and ceiling.max() <= 0.05, (floor.idxmax(), floor.max(), ceiling.idxmax(), ceiling.max())
    assert (g.apply(lambda s: (s < 70).mean()) > 0.01).sum() >= 10   # still hypoglycaemia, as real cohorts have

def test_diabetes_case_study_report():
    run = run_report("diabetes_monitoring", {"days": 3, "forecasters": "persistence,linear", "epochs": 2, "n_personalized": 1, "n_boot": 100}, progress=False)
    m = json.loads((run/"metrics.json").read_text())
    from medai.monitor.forecast import DEFAULT_FORECASTER
    assert m["patients"] == 30 and m["simulated"] and set(m["forecast"]) == {"persistence", "linear", DEFAULT_FORECASTER}
    assert set(m["alerts"]) == {f"{DEFAULT_FORECASTER} forecast", "15-min trend"}
    rmse = m["forecast"][DEFAULT_FORECASTER]["rmse_30"]                      # numbers with their interval, never text
    assert rmse["ci_low"] <= rmse["value"] <= rmse["ci_high"] and rmse["unit"] == "mg/dL"
    assert "simulated" in (run/"report.html").read_text().lower()
    for f in ["figures/agp_cohort.png", "figures/error_grids.svg", "tables/consensus_targets.csv", "tables/alert_evaluation.csv",
              "tables/subgroup_rmse.csv", "tables/tripod_ai_checklist.csv", "model_card.md"]:
        assert (run/f).is_file(), f
    assert set(pd.read_csv(run/"tables"/"subgroup_rmse.csv").group) == {"adolescent", "adult", "child"}

def test_diabetes_case_study_on_a_real_cgm_file_with_hostile_ids(tmp_path):
    "D1NAMO's real readings under patient ids that are hostile strings (issue 31): the report runs on the file, and publishes every id inert"
    from medai.monitor.study import load_monitoring_data
    from test_hostile_strings import CORPUS, published_problems
    assert len(load_monitoring_data("d1namo")[0].patients) == 9                     # the shipped alias
    readings = pd.read_csv(data_samples_dir()/"d1namo.csv", dtype={"id": str})
    readings["id"] = readings.id.map({p: CORPUS[k*7 % len(CORPUS)] for k, p in enumerate(sorted(readings.id.unique()))})
    readings.to_csv(tmp_path/"cgm.csv", index=False)
    run = run_report("diabetes_monitoring", {"dataset": str(tmp_path/"cgm.csv"), "forecasters": "persistence", "epochs": 2, "n_personalized": 0, "n_boot": 100,
                                            "statements": {"funding": CORPUS[3]}}, allow_phi=True, progress=False)   # ids shown on purpose
    m = json.loads((run/"metrics.json").read_text())
    assert m["patients"] == 9 and not m["simulated"]
    assert published_problems(run) == [] and "&lt;body onload=alert(7)&gt;" in (run/"report.html").read_text()   # the patient shown, as text

def test_unknown_forecaster_is_refused(tmp_path):
    with pytest.raises(ReportError, match="grux"):
        run_report("diabetes_monitoring", {"forecasters": "grux", "days": 1}, out_dir=tmp_path, progress=False)

@pytest.mark.parametrize("script", ["cgm_forecast.py", "simulator.py", "monitor_throughput.py"])
def test_monitor_benchmarks_quick_run(script):
    out = subprocess.run([sys.executable, str(ROOT/"benchmarks"/script), "--quick", "--data-root", str(SHARED)],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=600).stdout.strip().splitlines()[-1]
    result = json.loads(out)
    assert result["benchmark"] == script[:-3]
    assert result["checks"] or result.get("skipped"), "a benchmark with no checks must say what it skipped"   # never an empty all()
    assert all({"name", "value", "target", "better", "met"} <= set(c) for c in result["checks"])

@pytest.mark.parametrize("name,fname,published", [("iglu", "iglu_5_subjects.csv", 11.68), ("hall", "hall2018.csv", 7.38)])
def test_glucobench_protocol_reproduces_its_published_linear_model(name, fname, published):
    "GlucoBench's own linear model, run under medai's reading of its protocol, lands on the figure GlucoBench published"
    from medai.monitor.forecast import GLUCOBENCH, forecaster, glucobench_average, glucobench_rmse, glucobench_split
    path = SHARED/"cgm"/fname
    if not path.exists(): pytest.skip("shared CGM data absent")
    cgm, cfg, per_draw = load_cgm(path), GLUCOBENCH[name], []
    for seed in range(10, 20):
        split = glucobench_split(cgm, seed=seed, **cfg)
        per_draw.append(glucobench_rmse(forecaster("lag_linear", steps=cfg["linreg_in_len"]).fit(split), split, **cfg))
    assert abs(glucobench_average(per_draw) - published) < 0.3
