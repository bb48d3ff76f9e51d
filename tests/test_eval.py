"Metrics agree with scikit-learn, and bootstrap intervals cover the truth at about their nominal rate."
import numpy as np, pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score, accuracy_score, recall_score, precision_score, brier_score_loss
from medai.core import DataError, ParameterError
from medai.eval import (BINARY_METRICS, bootstrap_ci, brier_score, evaluate_binary, ppv, roc_auc, sensitivity,
                        specificity, accuracy, youden_threshold)

rng = np.random.default_rng(42)
Y = rng.integers(0, 2, 400)
S = np.clip(0.5 + 0.25*(Y - 0.5) + rng.normal(0, .2, 400), 0, 1)

def test_metrics_match_scikit_learn():
    pred = S >= .5
    assert roc_auc(Y, S) == pytest.approx(roc_auc_score(Y, S))
    assert accuracy(Y, S) == pytest.approx(accuracy_score(Y, pred))
    assert sensitivity(Y, S) == pytest.approx(recall_score(Y, pred))
    assert specificity(Y, S) == pytest.approx(recall_score(1 - Y, ~pred))
    assert ppv(Y, S) == pytest.approx(precision_score(Y, pred))
    assert brier_score(Y, S) == pytest.approx(brier_score_loss(Y, S))

def test_vectorized_bootstrap_equals_the_resampling_loop():
    # same seed -> same resamples: weights and index draws come from one random stream
    fast = bootstrap_ci(roc_auc, Y, S, n_boot=300, seed=5)
    slow = bootstrap_ci(lambda y, s: roc_auc_score(y, s), Y, S, n_boot=300, seed=5)
    assert (fast.low, fast.high) == pytest.approx((slow.low, slow.high), abs=1e-12)

def _coverage(metric, truth, simulate, n_studies=300, n_boot=400):
    hits = 0
    for i in range(n_studies):
        y, s = simulate(np.random.default_rng(1000 + i))
        ci = bootstrap_ci(metric, y, s, n_boot=n_boot, seed=i)
        hits += ci.low <= truth <= ci.high
    return hits/n_studies

def test_auc_interval_covers_the_binormal_truth():
    d, n = 1.0, 300
    def sim(r):
        y = r.integers(0, 2, n); return y, r.normal(d*y, 1)
    cov = _coverage(roc_auc, norm.cdf(d/np.sqrt(2)), sim)
    assert 0.90 <= cov <= 0.99, cov  # nominal 0.95; 300 studies give a standard error of about 0.013

def test_sensitivity_interval_covers_the_truth():
    d, n, t = 1.0, 300, 0.5
    def sim(r):
        y = r.integers(0, 2, n); return y, r.normal(d*y, 1)
    cov = _coverage(lambda y, s, w=None: sensitivity(y, s, w, threshold=t), norm.sf(t - d), sim)
    assert 0.90 <= cov <= 0.99, cov

def test_undefined_resamples_are_counted():
    y, s = np.r_[np.zeros(30), 1], np.r_[rng.uniform(size=30), .9]
    ci = bootstrap_ci(roc_auc, y, s, n_boot=200)
    assert ci.n_undefined > 0 and np.isfinite([ci.low, ci.high]).all()

def test_operating_point_comes_from_validation_only():
    yv, sv, yt, st = Y[:200], S[:200], Y[200:], S[200:]
    res = evaluate_binary(yt, st, y_val=yv, y_val_score=sv, n_boot=200)
    assert res.attrs["threshold"] == youden_threshold(yv, sv)
    assert res.loc["sensitivity", "value"] == pytest.approx(sensitivity(yt, st, threshold=res.attrs["threshold"]))
    assert list(res.index) == list(BINARY_METRICS)

def test_bad_inputs():
    with pytest.raises(DataError, match="binary"): roc_auc([0, 1, 2], [.1, .2, .3])
    with pytest.raises(DataError, match="equal length"): roc_auc([0, 1], [.1])
    with pytest.raises(DataError, match="NaN"): roc_auc([0, 1], [np.nan, .2])
    with pytest.raises(ParameterError, match="validation"): evaluate_binary(Y, S)
    with pytest.raises(ParameterError, match="level"): bootstrap_ci(roc_auc, Y, S, level=95)
