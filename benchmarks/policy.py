"""Benchmark: medai's default treatment policy against the best single arm, beside every policy method, on repeated 70/30 splits.

For each dataset, 20 repeated 70/30 splits stratified by arm (semi-synthetic trials: a fresh draw of the outcomes
for each repetition as well). On the 70% part, `fit_policy(method="default")` fits every method (best single arm,
the CI-aware rule, econml's DR policy tree and forest) and picks one by cross-fitted DR value on that part only;
on the 30% part, `compare_policies` gives each method's doubly robust gain over the best single arm (chosen on
the 70%), with nuisance models fitted on the 70%. On the semi-synthetic trials the true gain is known too, and
so is the oracle policy's (each patient's truly best arm).
Datasets: medai's semi-synthetic four-arm trial on GBSG2 covariates (continuous outcome, and its survival
version: RMST within 60 months), METABRIC with chemotherapy x hormone therapy as four arms (overall survival,
RMST within 60 months; observational) from --data-root when present, and GBSG2 (hormone therapy, RMST within
5 years). Targets for the default, on every dataset: mean gain >= 0, no-loss rate (gain >= 0, a tie when the
default keeps the best single arm) >= 0.7, and mean gain not below zero by more than one standard error; on the
semi-synthetic trials, the share of the oracle's true gain recovered is reported. Prints one JSON object as its
last line; exits 0 even when a target is missed.
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split
from medai.core import load_dataset
from medai.treatment.data import from_table, load_metabric
from medai.treatment.policy import POLICY_METHODS, compare_policies, fit_policy, selection_margin
from common import finish

ROOT = Path(__file__).resolve().parents[1]
SEMI = ("multiarm_trial", "multiarm_trial_survival")
HORIZON = {"multiarm_trial_survival": 60.0, "metabric_4arm": 60.0, "gbsg2": 1826.0}

def cohort(name:str, data_root:Path, rep:int):
    if name in SEMI: return load_dataset(name, seed=rep)
    if name == "gbsg2": return from_table(load_dataset("gbsg2"))
    return load_metabric(data_root/"treatment"/"metabric_clinical.tsv", treatment=["Chemotherapy", "Hormone Therapy"])

def true_gain(td, arms, best_arm)->float:
    "Mean true gain over the best single arm of assigning `arms` (semi-synthetic: true effects vs the reference known)"
    eff = td.true_effect.assign(**{str(td.reference): 0.0})[td.arms]
    return float(eff.to_numpy()[np.arange(len(td)), [td.arms.index(a) for a in arms]].mean() - eff[best_arm].mean())

def one_split(name:str, data_root:Path, rep:int, n_boot:int)->list:
    warnings.simplefilter("ignore")
    td = cohort(name, data_root, rep)
    itr, ite = train_test_split(np.arange(len(td)), test_size=0.3, random_state=rep, stratify=td.treatment.astype(str))
    train, test = td.subset(itr), td.subset(ite)
    t0 = time.perf_counter()
    default = fit_policy(train, seed=rep, horizon=HORIZON.get(name))
    fit_s = time.perf_counter() - t0
    policies = {**default.candidates_, "default": default}
    table = compare_policies(test, policies, train=train, n_boot=n_boot, seed=rep)
    rows = []
    for m, pol in policies.items():
        r = dict(dataset=name, rep=rep, method=m, chosen=default.chosen_, gain=table.loc[m, "gain"], gain_low=table.loc[m, "gain_low"],
                 gain_high=table.loc[m, "gain_high"], moved=table.loc[m, "moved_share"], best_arm=str(default.best_arm_), fit_seconds=fit_s,
                 selection_z=float(default.selection_.loc[m, "z"]) if m in default.selection_.index else None)
        if td.true_effect is not None:
            r["true_gain"] = true_gain(test, pol.assign(test.X), default.best_arm_)
            eff = test.true_effect.assign(**{str(test.reference): 0.0})[test.arms]
            r["oracle_gain"] = float(eff.max(axis=1).mean() - eff[default.best_arm_].mean())
        rows.append(r)
    return rows

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="folder of the shared real datasets")
    ap.add_argument("--quick", action="store_true", help="2 splits, the semi-synthetic continuous trial and GBSG2 only")
    ap.add_argument("--splits", type=int, default=20, help="repeated 70/30 splits per dataset")
    ap.add_argument("--jobs", type=int, default=2, help="splits run in parallel")
    ap.add_argument("--cache", type=Path, help="JSON-lines file of finished splits: appended as each ends, and splits found there are not rerun")
    ap.add_argument("--report-only", action="store_true", help="summarize the splits in --cache without running more")
    a = ap.parse_args()
    names = ["multiarm_trial", "gbsg2"] if a.quick else list(SEMI) + (["metabric_4arm"] if (a.data_root/"treatment"/"metabric_clinical.tsv").exists() else []) + ["gbsg2"]
    splits = 2 if a.quick else a.splits
    t0 = time.perf_counter()
    done = [json.loads(line) for line in a.cache.read_text().splitlines()] if a.cache and a.cache.exists() else []
    have = {(r["dataset"], r["rep"]) for r in done}
    tasks = [(n, r) for r in range(splits) for n in names if (n, r) not in have and not a.report_only]   # split by split across datasets
    rows = list(done)
    for out in Parallel(n_jobs=a.jobs, return_as="generator_unordered")(delayed(one_split)(n, a.data_root, r, 200 if a.quick else 1000) for n, r in tasks):
        rows += out
        if a.cache:
            with a.cache.open("a") as f: f.writelines(json.dumps(r) + "\n" for r in out)
    df = pd.DataFrame(rows)
    df = df[df.dataset.isin(names) & (df.rep < splits)]
    results, checks = {}, []
    for name, d in df.groupby("dataset", sort=False):
        per = {}
        for m, g in d.groupby("method", sort=False):
            per[m] = dict(mean_gain=g.gain.mean(), sd_gain=g.gain.std(ddof=1), se_mean_gain=g.gain.std(ddof=1)/np.sqrt(len(g)),
                          no_loss_rate=float((g.gain >= 0).mean()), win_rate=float((g.gain > 0).mean()),
                          interval_above_zero=float((g.gain_low > 0).mean()), moved_share=g.moved.mean())
            if "true_gain" in g and g.true_gain.notna().any():
                per[m].update(mean_true_gain=g.true_gain.mean(), mean_oracle_gain=g.oracle_gain.mean(),
                              oracle_share=g.true_gain.mean()/g.oracle_gain.mean())
        dd = per["default"]
        # the same candidates under the plain one-SE margin (the rule before selection_margin): a sensitivity, from each split's selection z
        def one_se(g):
            g = g.set_index("method"); cand = g.loc[list(POLICY_METHODS[1:])]
            top = cand.selection_z.idxmax()
            return g.loc[top if cand.loc[top, "selection_z"] > 1.0 else "best_single_arm"]
        alt = pd.DataFrame([one_se(g) for _, g in d.groupby("rep")])
        per["default_one_se_margin"] = dict(mean_gain=alt.gain.mean(), se_mean_gain=alt.gain.std(ddof=1)/np.sqrt(len(alt)),
                                            no_loss_rate=float((alt.gain >= 0).mean()))
        if "true_gain" in alt and alt.true_gain.notna().any():
            per["default_one_se_margin"]["oracle_share"] = alt.true_gain.mean()/alt.oracle_gain.mean()
        results[name] = dict(splits=int(d.rep.nunique()), methods={m: {k: round(float(v), 4) for k, v in r.items()} for m, r in per.items()},
                             chosen=d[d.method == "default"].chosen.value_counts().to_dict(), best_single_arm=d.best_arm.value_counts().to_dict(),
                             fit_seconds=round(float(d.fit_seconds.mean()), 1))
        checks += [dict(name=f"{name}: default policy gain over the best single arm", value=round(float(dd["mean_gain"]), 4), target=0.0, better="higher"),
                   dict(name=f"{name}: default policy no-loss rate (gain >= 0)", value=dd["no_loss_rate"], target=0.7, better="higher"),
                   dict(name=f"{name}: default mean gain + one SE", value=round(float(dd["mean_gain"] + dd["se_mean_gain"]), 4), target=0.0, better="higher")]
        if "oracle_share" in dd:
            checks.append(dict(name=f"{name}: share of the oracle policy's true gain the default recovers", value=round(float(dd["oracle_share"]), 3),
                               target=0.5, better="higher"))
    for c in checks: c["met"] = bool(c["value"] >= c["target"] if c["better"] == "higher" else c["value"] <= c["target"])
    finish(dict(benchmark="policy", splits=splits, methods=["default", *POLICY_METHODS],
                selection_margin_se=round(selection_margin(len(POLICY_METHODS) - 1), 3),
                minutes=round((time.perf_counter() - t0)/60, 1), checks=checks, results=results), a.quick)

if __name__ == "__main__": main()
