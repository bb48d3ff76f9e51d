"medai.treatment.policy: the CI-aware rule keeps the best single arm without evidence and finds a covariate that flips the best arm."
import numpy as np, pandas as pd, pytest
from medai.treatment.data import TreatmentData
from medai.treatment.effects import best_on_average, recommend
from medai.treatment.cate import EffectModel
from medai.treatment.policy import compare_policies, cross_fit, fit_policy

def trial(effects, n=900, seed=0):
    "A randomized three-arm trial; `effects(X)` gives each arm's true effect vs 'a' (a dict of arrays)"
    r = np.random.default_rng(seed)
    X = pd.DataFrame({"age": r.normal(60, 10, n), "marker": r.normal(0, 1, n), "stage": r.choice(["I", "II", "III"], n)})
    arm = pd.Series(pd.Categorical(r.choice(["a", "b", "c"], n), categories=["a", "b", "c"]))
    tau = pd.DataFrame(effects(X), index=X.index)
    prognosis = 0.05*(X.age - 60) + (X.stage == "III")*1.0
    y = 10 + prognosis + np.choose(arm.cat.codes, [np.zeros(n), tau.b, tau.c]) + r.normal(0, 1, n)
    return TreatmentData(X, arm, "continuous", y=pd.Series(y), true_effect=tau, name="simulated trial")

def test_no_arm_helps_anyone_so_everyone_stays_on_the_best_single_arm():
    td = trial(lambda X: {"b": np.zeros(len(X)), "c": np.zeros(len(X))})
    pol = fit_policy(td, "ci_rule")
    assert (pol.assign(td.X) == pol.best_arm_).all()

def test_a_covariate_that_flips_the_best_arm_is_found():
    td = trial(lambda X: {"b": np.where(X.marker > 0, 1.5, -1.5), "c": np.full(len(X), -1.0)})
    truth = np.where(td.X.marker > 0, "b", "a")
    for method in ("ci_rule", "policy_tree"):
        assigned = fit_policy(td, method).assign(td.X)
        assert (assigned == truth)[np.abs(td.X.marker) > 0.5].mean() > 0.85, method   # away from the boundary
        assert not (assigned == "c").any(), method

def test_best_on_average_is_the_arm_with_the_best_mean_effect():
    td = trial(lambda X: {"b": np.full(len(X), 1.0), "c": np.full(len(X), -1.0)})
    model = EffectModel("t_learner", n_boot=0).fit(td)
    assert best_on_average(model) == "b" and best_on_average(model, higher_is_better=False) == "c"
    assert best_on_average(EffectModel("t_learner", n_boot=0).fit(td.with_reference("b"))) == "b"   # whichever arm is the reference

def test_recommend_follows_the_same_rule():
    td = trial(lambda X: {"b": np.where(X.marker > 0, 1.5, -1.5), "c": np.full(len(X), -1.0)})
    model = EffectModel("dr_learner").fit(td)
    base = best_on_average(model)
    extreme = td.X.iloc[[int(td.X.marker.argmax()), int(td.X.marker.argmin())]]
    rec = recommend(model, extreme, outcome="the score")
    assert set(rec.recommended) == {"a", "b"} and (rec.best_on_average == base).all()
    moved = rec[rec.recommended != base]
    assert moved.clear_benefit.all() and (moved.ci_low_vs_best_on_average > 0).all()

def test_lower_is_better_outcomes_move_patients_the_other_way():
    td = trial(lambda X: {"b": np.where(X.marker > 0, -1.5, 1.5), "c": np.full(len(X), 1.0)})   # b lowers the outcome where marker > 0
    assigned = fit_policy(td, "ci_rule", higher_is_better=False).assign(td.X)
    truth = np.where(td.X.marker > 0, "b", "a")
    assert (assigned == truth)[np.abs(td.X.marker) > 0.5].mean() > 0.85

def test_the_gain_interval_is_paired():
    "The gain over the best single arm of a policy that moves a few patients is far tighter than either value's interval"
    td = trial(lambda X: {"b": np.where(X.marker > 1.5, 2.0, -0.5), "c": np.full(len(X), -1.0)}, n=1200)
    train, test = td.subset(np.arange(800)), td.subset(np.arange(800, 1200))
    pols = {m: fit_policy(train, m) for m in ("best_single_arm", "ci_rule")}
    table = compare_policies(test, pols, train=train, n_boot=500)
    r = table.loc["ci_rule"]
    assert 0 < r.moved_share < 0.2
    assert r.gain_high - r.gain_low < 0.5*(r.ci_high - r.ci_low)
    assert table.loc["best_single_arm", "gain"] == 0 and table.loc["best_single_arm", "moved_share"] == 0

def test_nuisances_fitted_on_the_training_part_recover_the_true_value():
    td = trial(lambda X: {"b": np.full(len(X), 1.0), "c": np.zeros(len(X))}, n=1200)
    train, test = td.subset(np.arange(800)), td.subset(np.arange(800, 1200))
    pol = fit_policy(train, "best_single_arm")
    nu = cross_fit(test, train=train)
    table = compare_policies(test, {"best": pol, "all a": lambda X: np.full(len(X), "a", dtype=object)}, nuisances=nu, n_boot=300)
    assert pol.best_arm_ == "b"
    assert abs(table.loc["all a", "gain"] - (-1.0)) < 0.3        # giving everyone 'a' loses the true 1.0
