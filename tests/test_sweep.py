"Sweeps: resume by content, cache invalidation, failures, Dask workers and the command line."
import json
from pathlib import Path
import pandas as pd, pytest
import medai.sweep
from medai.core import ParameterError
from medai.sweep import run_sweep
from conftest import make_notebook, medai_cli

def toy(tmp_path:Path, data:Path|None=None)->Path:
    "A small study: a score from scale and seed; scale < 0 fails; optionally reads a data file it records"
    read = (f"from medai.core import record_input\nrecord_input({str(data)!r})\nextra = float(open({str(data)!r}).read())\n"
            if data else "extra = 0.0\n")
    return make_notebook(tmp_path/"toy.ipynb", "scale: float = 1.0  # effect size\nseed: int = 0  # seed",
                         read + "import numpy as np\nfrom medai.report import log_metrics\nassert scale >= 0, 'scale must be >= 0'\n"
                         "log_metrics(score=float(scale*np.random.default_rng(seed).normal(1, 0.1) + extra))")

def statuses(sweep)->list[str]: return list(sweep.runs.status)

def test_interrupted_sweep_runs_only_what_is_left(tmp_path, reports_tmp):
    nb, grid = toy(tmp_path), {"scale": [1.0, 2.0], "seed": [0, 1]}
    first = run_sweep(nb, grid, workers=0, show_progress=False)
    assert statuses(first) == ["done"]*4
    # an interruption: one run never finished (its folder is missing, a partial one is left behind)
    lost = Path(first.runs.folder[2])
    import shutil; shutil.rmtree(lost); (lost.parent/f".{lost.name}.partial").mkdir()
    again = run_sweep(nb, grid, workers=0, show_progress=False)
    assert statuses(again) == ["cached", "cached", "done", "cached"]
    assert list(again.runs.key) == list(first.runs.key)
    table = pd.read_csv(again.folder/"runs.csv")
    assert table.score.notna().all() and (again.folder/"summary.html").exists()
    assert again.name in (reports_tmp/"index.html").read_text()

def test_changed_library_or_data_file_invalidates_the_cache(tmp_path, reports_tmp, monkeypatch):
    data = tmp_path/"extra.txt"; data.write_text("1.0")
    nb, grid = toy(tmp_path, data), {"seed": [0]}
    first = run_sweep(nb, grid, workers=0, show_progress=False)
    before = pd.read_csv(first.folder/"runs.csv").score
    assert statuses(run_sweep(nb, grid, workers=0, show_progress=False)) == ["cached"]
    data.write_text("2.0")                                 # a data file the runs read (recorded in their provenance)
    redone = run_sweep(nb, grid, workers=0, show_progress=False)
    assert statuses(redone) == ["done"]
    scores = pd.read_csv(redone.folder/"runs.csv").score - before
    assert scores.round(6).tolist() == [1.0]
    real = medai.sweep.library_fingerprint()
    monkeypatch.setattr(medai.sweep, "library_fingerprint", lambda root=None: real + "changed")   # a changed library file
    assert statuses(run_sweep(nb, grid, workers=0, show_progress=False)) == ["done"]
    assert statuses(run_sweep(nb, grid, workers=0, show_progress=False, force=True)) == ["done"]

def test_failures_are_reported_without_stopping_the_others(tmp_path, reports_tmp):
    sweep = run_sweep(toy(tmp_path), {"scale": [-1.0, 1.0]}, workers=0, show_progress=False)
    assert statuses(sweep) == ["failed", "done"]
    assert Path(sweep.failed.folder.iloc[0]).name.endswith(".failed") and Path(sweep.failed.folder.iloc[0]).exists()
    assert "scale must be >= 0" in sweep.failed.error.iloc[0]
    again = run_sweep(toy(tmp_path), {"scale": [-1.0, 1.0]}, workers=0, show_progress=False)
    assert statuses(again) == ["failed", "cached"]        # a failed run is tried again, a finished one reused

def test_bad_grid_stops_before_any_run(tmp_path, reports_tmp):
    with pytest.raises(ParameterError, match="Did you mean 'scale'"): run_sweep(toy(tmp_path), {"scael": [1.0]}, workers=0)
    with pytest.raises(ParameterError, match="must be float"): run_sweep(toy(tmp_path), {"scale": ["big"]}, workers=0)
    assert not reports_tmp.exists() or not any(reports_tmp.rglob("*.ipynb"))

def test_sweep_on_dask_with_two_workers(tmp_path, reports_tmp):
    sweep = run_sweep(toy(tmp_path), {"seed": [0, 1, 2]}, workers=2, show_progress=False)
    assert statuses(sweep) == ["done"]*3
    serial = run_sweep(toy(tmp_path), {"seed": [0, 1, 2]}, workers=0, show_progress=False)
    assert statuses(serial) == ["cached"]*3                 # same content, same keys, whoever ran them
    summary = pd.read_csv(sweep.folder/"summary.csv", header=[0, 1], index_col=0)
    assert summary.iloc[0, 0] == 3 and summary[("score", "std")].iloc[0] > 0

def test_sweep_and_reproducibility_from_the_command_line(tmp_path, reports_tmp):
    nb = toy(tmp_path)
    r = medai_cli("sweep", str(nb), "-p", "scale", "1,2", "-p", "seed", "0", "--workers", "0", "--no-progress", "--sweep-name", "cli")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 done" in r.stdout and (reports_tmp/"sweeps"/"cli"/"summary.html").exists()
    grid = tmp_path/"grid.yaml"; grid.write_text("parameters:\n  scale: [-1.0, 1.0]\n")
    r = medai_cli("sweep", str(nb), "-f", str(grid), "--workers", "0", "--no-progress")
    assert r.returncode == 1 and "FAILED" in r.stderr and "scale must be >= 0" in r.stderr
    r = medai_cli("report", str(nb), "--check-reproducible", "--no-progress")
    assert r.returncode == 0 and "reproducible" in r.stdout, r.stderr[-2000:]
