"""The scikit-learn estimator contract for medai's tabular and time-series estimators: `__init__` only stores its arguments, `fit` validates
and returns `self`, what it learns ends in `_`, the settings are unchanged by `fit`, and `clone` gives an unfitted copy.

Documented exceptions: scikit-learn's full `check_estimator` draws plain classification and regression data, which none of these takes
(the survival models need a structured (event, time) outcome, the forecasters a CGM grid, TARNet the arm received besides X and y),
so its data-independent checks run here one by one and `fit` is checked on data of the estimator's own kind."""
import functools
import numpy as np, pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (check_get_params_invariance, check_no_attributes_set_in_init,
                                            check_parameters_default_constructible, check_set_params)
from medai.core import load_dataset
from medai.monitor.forecast import ARIMAForecaster, BlendAR, GradientBoosting, LinearAR, NeuralForecaster, Persistence, assign_splits
from medai.treatment.cate import TARNet
from medai.treatment.survival import DeepSurv, SurvivalEnsemble

SURVIVAL = [DeepSurv(epochs=20), SurvivalEnsemble(members=("cox",))]
FORECASTERS = [Persistence(), LinearAR(), GradientBoosting(), ARIMAForecaster(orders=((1, 1, 0),)), NeuralForecaster(epochs=1, show_progress=False),
               BlendAR(dict(epochs=1, show_progress=False))]
ESTIMATORS = SURVIVAL + FORECASTERS + [TARNet(n_models=1, epochs=5), TARNet(n_models=1, epochs=5, ipm=0.3, reweight=True)]

@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__ + ("_cfr" if getattr(e, "ipm", 0) else ""))
def test_init_only_stores_its_arguments(est):
    name = type(est).__name__
    for check in (check_no_attributes_set_in_init, check_get_params_invariance, check_set_params, check_parameters_default_constructible):
        check(name, clone(est))

def _survival_data():
    from sksurv.datasets import load_gbsg2
    X, y = load_gbsg2()
    X = X.select_dtypes("number").to_numpy(np.float32)[:200]
    return ((X - X.mean(0))/X.std(0),), y[:200]

@functools.cache
def _cgm_data():
    g = assign_splits(load_dataset("simulated_cohort"))
    return (g[g["id"] == g["id"].iloc[0]],), None

def _effect_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32); t = np.r_[[0]*60, [1]*60]
    return (X, t), (X[:, 0] + t).astype(np.float32)

def _data(est):
    if isinstance(est, TARNet): return _effect_data()
    return _survival_data() if isinstance(est, (DeepSurv, SurvivalEnsemble)) else _cgm_data()

@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__ + ("_cfr" if getattr(e, "ipm", 0) else ""))
def test_fit_returns_self_learns_underscored_state_and_keeps_settings(est):
    est = clone(est)
    before = {k: repr(v) for k, v in est.get_params().items()}
    args, y = _data(est)
    assert (est.fit(*args, y) if y is not None else est.fit(*args)) is est
    learned = [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    assert learned, "fit learned nothing it shows"
    assert {k: repr(v) for k, v in est.get_params().items()} == before, "fit changed a setting"
    fresh = clone(est)
    assert not [k for k in vars(fresh) if k.endswith("_") and not k.startswith("_")], "clone kept learned state"
