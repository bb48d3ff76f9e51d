"""Benchmark: medai's vectorized bootstrap CIs against the resampling loop with scikit-learn.

Side by side in one run, on the same resamples (same seed):
- speed: 1,000 resamples of 10,000 samples, medai.eval.bootstrap_ci(roc_auc) vs a loop calling
  sklearn.metrics.roc_auc_score on each resample (the usual way);
- agreement: the two intervals must be identical, since they score the same resamples;
- coverage: how often the 95% interval covers the true AUC of a binormal model;
- real data: GBSG2 (../shared/data/treatment/gbsg2.csv), recurrence (cens) scored by the number
  of positive nodes, when the file is present.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time
from pathlib import Path
import numpy as np, pandas as pd
from scipy.stats import norm
from sklearn.metrics import roc_auc_score
from medai.eval import bootstrap_ci, roc_auc
from common import finish

ROOT = Path(__file__).resolve().parents[1]

def timed(fn):
    start = time.perf_counter(); out = fn(); return out, time.perf_counter() - start

def speed_and_agreement(n:int, n_boot:int, seed:int=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n); s = y + rng.normal(0, 1, n)
    bootstrap_ci(roc_auc, y[:100], s[:100], n_boot=10)  # warm-up
    fast, t_fast = timed(lambda: bootstrap_ci(roc_auc, y, s, n_boot=n_boot, seed=seed))
    slow, t_slow = timed(lambda: bootstrap_ci(lambda a, b: roc_auc_score(a, b), y, s, n_boot=n_boot, seed=seed))
    gap = max(abs(fast.low - slow.low), abs(fast.high - slow.high))
    return dict(n=n, n_boot=n_boot, medai_seconds=t_fast, sklearn_loop_seconds=t_slow, speedup=t_slow/t_fast,
                medai_ci=[fast.low, fast.high], sklearn_loop_ci=[slow.low, slow.high], max_endpoint_gap=gap)

def coverage(n_studies:int, n:int=300, d:float=1.0, n_boot:int=1000):
    truth, hits = norm.cdf(d/np.sqrt(2)), 0
    for i in range(n_studies):
        r = np.random.default_rng(10_000 + i)
        y = r.integers(0, 2, n); s = r.normal(d*y, 1)
        ci = bootstrap_ci(roc_auc, y, s, n_boot=n_boot, seed=i)
        hits += ci.low <= truth <= ci.high
    return dict(studies=n_studies, n=n, true_auc=truth, coverage=hits/n_studies)

def real_data(data_root:Path, n_boot:int):
    path = data_root/"treatment"/"gbsg2.csv"
    if not path.exists(): return dict(skipped=f"{path} not found")
    df = pd.read_csv(path)
    y, s = df["cens"].to_numpy(), df["pnodes"].to_numpy(float)
    fast = bootstrap_ci(roc_auc, y, s, n_boot=n_boot, seed=0)
    slow = bootstrap_ci(lambda a, b: roc_auc_score(a, b), y, s, n_boot=n_boot, seed=0)
    return dict(file=str(path), n=len(y), auc=fast.estimate, sklearn_auc=float(roc_auc_score(y, s)),
                medai_ci=[fast.low, fast.high], sklearn_loop_ci=[slow.low, slow.high])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="folder of the shared real datasets")
    ap.add_argument("--quick", action="store_true", help="a small run for smoke tests")
    a = ap.parse_args()
    n, n_boot, studies = (2_000, 200, 40) if a.quick else (10_000, 1_000, 400)
    speed = speed_and_agreement(n, n_boot)
    cov = coverage(studies, n_boot=200 if a.quick else 1000)
    real = real_data(a.data_root, n_boot)
    checks = [
        dict(name=f"medai seconds, {n_boot} resamples x {n} samples", value=speed["medai_seconds"], target=1.0, better="lower"),
        dict(name="speed-up over the scikit-learn loop", value=speed["speedup"], target=10.0, better="higher"),
        dict(name="largest CI endpoint gap vs the loop", value=speed["max_endpoint_gap"], target=1e-9, better="lower"),
        dict(name=f"|coverage - 0.95| over {studies} binormal studies", value=abs(cov["coverage"] - 0.95),
             target=0.03 if not a.quick else 0.08, better="lower"),
    ]
    if "auc" in real:
        gap = max(abs(x - y) for x, y in zip(real["medai_ci"], real["sklearn_loop_ci"]))
        checks.append(dict(name="GBSG2 CI endpoint gap vs the loop", value=gap, target=1e-9, better="lower"))
    for c in checks: c["met"] = bool(c["value"] <= c["target"] if c["better"] == "lower" else c["value"] >= c["target"])
    finish(dict(benchmark="bootstrap_ci", checks=checks, speed=speed, coverage=cov, real_data=real), a.quick)

if __name__ == "__main__":
    main()
