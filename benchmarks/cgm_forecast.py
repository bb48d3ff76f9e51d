"""Benchmark: medai's default glucose forecaster against persistence, ridge autoregression and ARIMA on real CGM data, and GlucoBench's own protocol reproduced.

Data: GlucoBench's CGM-only datasets in DATA_ROOT/cgm/ (iglu's 5 subjects, Hall 2018, D1NAMO). Two protocols:

1. medai's (the primary figures), split by time within patients (first 70% train, next 10%
   validation, last 20% test) and, separately, by patient (70/10/20 of the patients). Models are
   fitted on train (networks early-stop on validation) and forecast at every real reading of the
   test part; targets are real readings only, never interpolated, never across a gap longer than 30
   minutes. Pooled RMSE at 30 and 60 minutes. The candidates for the default (the GRU with its previous
   settings, lr 2e-3 for up to 30 epochs, patience 5; the GRU with the current ones; the mean of three
   current GRUs, seeds 0-2; the GRU and ridge AR blended with per-step weights fitted on the validation part; the GRU learning
   what ridge AR gets wrong (its residual), alone and as the mean of three seeds; the GRU on glucose normalized by each
   patient's running mean and SD; the GRU trained on 24-hour windows instead of 8-hour ones, a longer context) are reported
   on the validation part, where the default is chosen (the mean ratio to ridge AR over datasets, splits and
   horizons; among the candidates within TOLERANCE (0.01) of the lowest, the one that trains fastest, a parsimony rule
   like the one-standard-error rule; the blend is not eligible, since its validation figure is in-sample), and on the test part. The checks
   are the chosen forecaster's; medai's DEFAULT_FORECASTER should be it (`library_default_is_winner` says whether it is).
2. GlucoBench's own (medai.monitor.forecast.glucobench_split / glucobench_rmse, GLUCOBENCH): the
   protocol of the runs behind its published tables. Its linear model (LagLinear, least squares on
   the last in_len readings, its published in_len) is reproduced first: its figure must land within
   0.3 mg/dL of the published one, or the protocol is not GlucoBench's. Then the forecaster chosen on validation under it,
   beside GlucoBench's best published figure, and on the held-out patients (out of distribution).
   The linear models run all 10 draws; the networks the first 3 (their training dominates the run).
Targets: the reproduction within 0.3 mg/dL of GlucoBench's published linear model (Broll/iglu 11.68,
Hall 7.38, Dubosson/D1NAMO 12.07); under medai's protocol, the chosen forecaster's pooled 30- and 60-minute
RMSE at most 0.97x ridge AR's on every dataset and split.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time, warnings
from pathlib import Path
import numpy as np
from medai.monitor.cgm import load_cgm
from medai.monitor.forecast import (DEFAULT_FORECASTER, GLUCOBENCH, assign_splits, forecaster, glucobench_average, glucobench_rmse,
                                    glucobench_split, score_forecasts)
from common import check, finish

ROOT = Path(__file__).resolve().parents[1]
# file, GlucoBench's published linear model (ID RMSE), its best published model on the dataset
DATASETS = {"iglu": ("iglu_5_subjects.csv", 11.68, 10.53), "hall": ("hall2018.csv", 7.38, 7.13), "d1namo": ("d1namo.csv", 12.07, 12.07)}
RATIO = 0.97
NET_DRAWS = 3
CANDIDATES = {"gru_previous": ("gru", dict(lr=2e-3, epochs=30, patience=5)), "gru": ("gru", {}), "gru_ensemble": ("gru_ensemble", {}),
              "gru_ar_blend": ("gru_ar_blend", {}), "gru_residual": ("gru_residual", {}), "gru_residual_ensemble": ("gru_residual_ensemble", {}),
              "gru_patient_normalized": ("gru", dict(normalize="patient")), "gru_long_context": ("gru", dict(window=288))}
FITTED_ON_VALIDATION = {"gru_ar_blend"}   # its blend weights are fitted on the validation part: reported, not eligible for the choice there
TOLERANCE = 0.01   # the default is the fastest candidate whose mean validation ratio is within this of the best one's (a parsimony rule, as the one-SE rule)

def choose(ratios:dict, seconds:dict)->str:
    "The fastest eligible candidate whose mean validation RMSE ratio to ridge AR is within TOLERANCE of the best"
    eligible = {m: v for m, v in ratios.items() if m not in FITTED_ON_VALIDATION}
    if not eligible: return DEFAULT_FORECASTER
    near = [m for m, v in eligible.items() if v <= min(eligible.values()) + TOLERANCE]
    return min(near, key=lambda m: seconds[m])

def medai_protocol(cgm, models, by):
    "Pooled 30/60-minute RMSE on the test part (and validation part) of each model, split `by` time or patient"
    g = assign_splits(cgm, by=by, test=0.2, val=0.1)
    out = {}
    for m, (fname, kw) in models.items():
        t0 = time.perf_counter()
        pred = forecaster(fname, **kw).fit(g).predict(g)
        out[m] = {k: round(float(v), 3) for k, v in score_forecasts(pred).items()} | dict(
            val_rmse_30=round(float(score_forecasts(pred, "val")["rmse_30"]), 3), val_rmse_60=round(float(score_forecasts(pred, "val")["rmse_60"]), 3),
            seconds=round(time.perf_counter() - t0, 1))
    return out

def glucobench_protocol(cgm, name, models, draws, net:str):
    "GlucoBench's figure (in and out of distribution) per model over its draws of held-out patients; LagLinear with its published in_len; the network `net` on the first NET_DRAWS draws"
    cfg = GLUCOBENCH[name]
    runs = {"glucobench_linear": ("lag_linear", dict(steps=cfg["linreg_in_len"]))} | {m: models[m] for m in ("linear", "arima", net)}
    per = {m: ([], []) for m in runs}
    for i, seed in enumerate(draws):
        split = glucobench_split(cgm, seed=seed, **cfg)
        for m, (fname, kw) in runs.items():
            if m == net and i >= NET_DRAWS: continue
            fitted = forecaster(fname, **kw).fit(split)
            per[m][0].append(glucobench_rmse(fitted, split, **cfg)); per[m][1].append(glucobench_rmse(fitted, split, part="ood", **cfg))
    return {m: dict(rmse=round(glucobench_average(i), 3), ood_rmse=round(glucobench_average(o), 3), per_draw=[round(x, 3) for x in i])
            for m, (i, o) in per.items()}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="folder of the shared real datasets")
    ap.add_argument("--quick", action="store_true", help="iglu only, a few training epochs, ARIMA with one order, one GlucoBench draw")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    net = dict(epochs=3, show_progress=False) if a.quick else dict(show_progress=False)
    models = {"persistence": ("persistence", {}), "linear": ("linear", {}), "arima": ("arima", dict(orders=((2, 1, 0),)) if a.quick else {})}
    models |= {m: (fname, kw | net) for m, (fname, kw) in CANDIDATES.items()}
    cohorts, results, checks, skipped = {}, {}, [], []
    for name, (fname, _, _) in DATASETS.items():
        if a.quick and name != "iglu": continue
        path = a.data_root/"cgm"/fname
        if not path.exists(): print(f"{path} not found: skipped", flush=True); skipped.append(str(path)); continue
        cgm = cohorts[name] = load_cgm(path)
        r = results[name] = {}
        for by in ("time", "patient"):
            r[f"by_{by}"] = medai_protocol(cgm, models, by)
            print(name, f"split by {by}", {m: (s["rmse_30"], s["rmse_60"]) for m, s in r[f"by_{by}"].items()}, flush=True)
    chosen = {m: round(float(np.mean([r[f"by_{by}"][m][f"val_rmse_{h}"]/r[f"by_{by}"]["linear"][f"val_rmse_{h}"]
                                      for r in results.values() for by in ("time", "patient") for h in (30, 60)])), 4) for m in CANDIDATES} if results else {}
    seconds = {m: round(sum(r[f"by_{by}"][m]["seconds"] for r in results.values() for by in ("time", "patient")), 1) for m in CANDIDATES}
    winner = choose(chosen, seconds)
    chosen = dict(mean_val_ratio=chosen, training_seconds=seconds, tolerance=TOLERANCE, winner=winner, not_eligible=sorted(FITTED_ON_VALIDATION),
                  library_default=DEFAULT_FORECASTER, library_default_is_winner=winner == DEFAULT_FORECASTER)
    print("candidates, mean validation RMSE / ridge AR's:", chosen, flush=True)
    for name, cgm in cohorts.items():   # the checks are the winner's: the forecaster medai makes its default
        r, (_, published_linear, published_best) = results[name], DATASETS[name]
        for by in ("time", "patient"):
            for h in (30, 60):
                ratio = r[f"by_{by}"][winner][f"rmse_{h}"]/r[f"by_{by}"]["linear"][f"rmse_{h}"]
                checks.append(check(f"{name}, split by {by}: medai pooled {h}-min RMSE / ridge AR's", round(ratio, 4), RATIO, "lower"))
        gb = r["glucobench_protocol"] = glucobench_protocol(cgm, name, models, [10] if a.quick else range(10, 20), winner)
        print(name, "GlucoBench protocol (in / out of distribution)", {m: (s["rmse"], s["ood_rmse"]) for m, s in gb.items()}, flush=True)
        gap = round(abs(gb["glucobench_linear"]["rmse"] - published_linear), 3)
        checks.append(check(f"{name}: GlucoBench's linear model reproduced, |RMSE - published {published_linear}|", gap, 0.3, "lower"))
        r["published"] = dict(linear=published_linear, best=published_best)
        checks.append(check(f"{name}: medai ({winner}) 12-step RMSE under GlucoBench's protocol, at most its best published", gb[winner]["rmse"], published_best, "lower"))
    finish(dict(benchmark="cgm_forecast", default=DEFAULT_FORECASTER, checked=winner, validation_choice=chosen, checks=checks, results=results, skipped=skipped), a.quick)

if __name__ == "__main__":
    main()
