"""Benchmark: medai's default survival model against scikit-survival's Cox PH, random survival forest
and gradient-boosted survival, side by side, 5-fold cross-validation on GBSG2, Veterans and METABRIC.

medai's default is medai.treatment.survival's "ensemble" (averaged survival curves of the three);
DeepSurv (medai's torch implementation) is shown too. Every model gets the same preprocessing
(medai.treatment.data.preprocessor, fitted on the training folds) and the same folds. Metrics on
each test fold: Uno's C-index (higher is better) and the integrated Brier score (lower is better)
over a time grid inside the test follow-up. Datasets: GBSG2 and Veterans from scikit-survival;
METABRIC (overall survival, clinical and genomic covariates plus the three therapies) from
--data-root when present. Target: medai's default at least as good as the best baseline on each
dataset, on both metrics. Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time, warnings
from pathlib import Path
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from medai.core import load_dataset
from medai.treatment.data import from_table, load_metabric
from medai.treatment.survival import surv_array, survival_metrics, survival_model
from common import finish

ROOT = Path(__file__).resolve().parents[1]
BASELINES, MEDAI = ("cox", "rsf", "gbs"), ("ensemble", "deepsurv")

def cohorts(data_root:Path, quick:bool):
    out = {}
    for name in (["gbsg2"] if quick else ["gbsg2", "veterans_lung_cancer"]):
        td = from_table(load_dataset(name)); out[name] = (td.X.assign(_arm=td.treatment.values), td)
    path = data_root/"treatment"/"metabric_clinical.tsv"
    if path.exists() and not quick:
        td = load_metabric(path, treatment="Chemotherapy", endpoint="overall")
        raw = pd.read_csv(path, sep="\t").dropna(subset=["Chemotherapy", "Overall Survival (Months)", "Overall Survival Status"])
        raw = raw[raw["Overall Survival (Months)"] > 0].reset_index(drop=True)
        X = td.X.assign(chemotherapy=td.treatment.values, hormone=raw["Hormone Therapy"].values, radio=raw["Radio Therapy"].values)
        out["metabric"] = (X, td)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="folder of the shared real datasets")
    ap.add_argument("--quick", action="store_true", help="GBSG2 only, 2 folds")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    folds = 2 if a.quick else 5
    results, checks = {}, []
    for name, (X, td) in cohorts(a.data_root, a.quick).items():
        y = surv_array(td.time, td.event)
        rows = []
        for k, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=0).split(X, td.event)):
            for m in BASELINES + MEDAI:
                t0 = time.perf_counter()
                fitted = survival_model(m, X, seed=0).fit(X.iloc[tr], y[tr])
                met = survival_metrics(fitted, X.iloc[tr], y[tr], X.iloc[te], y[te])
                rows.append(dict(model=m, fold=k, seconds=time.perf_counter() - t0, **met))
        df = pd.DataFrame(rows).groupby("model")[["uno_c", "harrell_c", "integrated_brier", "mean_auc", "seconds"]].mean()
        results[name] = df.round(4).to_dict("index") | {"patients": len(td), "events": int(td.event.sum())}
        best_c, best_b = df.loc[list(BASELINES), "uno_c"].max(), df.loc[list(BASELINES), "integrated_brier"].min()
        checks.append(dict(name=f"{name}: medai Uno's C minus the best baseline's", value=float(df.loc["ensemble", "uno_c"] - best_c), target=0.0, better="higher"))
        checks.append(dict(name=f"{name}: medai integrated Brier minus the best baseline's", value=float(df.loc["ensemble", "integrated_brier"] - best_b), target=0.0, better="lower"))
    for c in checks: c["met"] = bool(c["value"] >= c["target"] if c["better"] == "higher" else c["value"] <= c["target"])
    finish(dict(benchmark="survival", folds=folds, checks=checks, results=results), a.quick)

if __name__ == "__main__":
    main()
