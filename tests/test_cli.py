"""Every flag of the `medai` command has a test that runs it (issue 31): the flags no other test runs are run here, on small notebooks,
and a last test reads the parser and every test file so that a new flag without a test fails."""
import ast, json, re
from pathlib import Path
import pytest
from conftest import make_notebook, medai_cli

def study(tmp:Path, name:str="study", code:str="from medai.report import log_metrics\nlog_metrics(score=0.5)")->Path:
    return make_notebook(tmp/f"{name}.ipynb", "seed: int = 0  # seed", code)

def test_report_all_runs_every_case_study_and_writes_the_index(tmp_path, reports_tmp, monkeypatch):
    shelf = tmp_path/"case_studies"; shelf.mkdir()
    study(shelf, "only")
    monkeypatch.setenv("MEDAI_CASE_STUDIES", str(shelf))                    # a small study stands in for the shipped ones
    r = medai_cli("report", "--all", "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    assert {p.name for p in reports_tmp.iterdir()} >= {"only", "index.html"}
    assert 'href="only/' in (reports_tmp/"index.html").read_text()

def test_allow_phi_publishes_what_the_identifier_check_would_stop_and_says_so(tmp_path, reports_tmp):
    "Without the flag the run is stopped (tests/test_privacy.py); with it, published, and provenance says what was allowed"
    nb = study(tmp_path, code="from medai.core import record_identifiers\nrecord_identifiers(['MRN-4242'], source='x.csv')\nprint('patient MRN-4242')")
    r = medai_cli("report", str(nb), "--run-id", "allowed", "--allow-phi", "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    check = json.loads((reports_tmp/"study"/"allowed"/"provenance.json").read_text())["phi_check"]
    assert check["allow_phi"] is True and check["hits"] >= 1

def test_datasets_lists_the_registry():
    r = medai_cli("datasets")
    assert r.returncode == 0 and "gbsg2" in r.stdout and "d1namo" in r.stdout

def test_sweep_force_reruns_finished_runs(tmp_path, reports_tmp):
    nb = str(study(tmp_path))
    assert "1 done" in medai_cli("sweep", nb, "-p", "seed", "0", "--workers", "0", "--no-progress").stdout
    r = medai_cli("sweep", nb, "-p", "seed", "0", "--workers", "0", "--no-progress", "--force")   # without --force: 'cached' (tests/test_sweep.py)
    assert r.returncode == 0 and "1 done" in r.stdout, r.stdout + r.stderr[-2000:]

def test_sweep_on_an_existing_scheduler(tmp_path, reports_tmp):
    from distributed import LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None) as cluster:   # in-process: quick to start
        r = medai_cli("sweep", str(study(tmp_path)), "-p", "seed", "0,1", "--scheduler", cluster.scheduler_address, "--no-progress", timeout=240)
    assert r.returncode == 0 and "2 done" in r.stdout, r.stdout + r.stderr[-2000:]

def test_pretrain_writes_an_encoder_that_weights_reads_and_an_interrupted_run_resumes(tmp_path):
    "medai pretrain on a folder of images, every flag: a run stopped after one epoch continues with --resume into a folder `weights=` reads"
    import numpy as np
    from PIL import Image
    from medai.imaging.models import build_network
    from medai.imaging.pretrain import pretrain, unlabelled_images
    (tmp_path/"img").mkdir()
    for i in range(20): Image.fromarray((np.random.default_rng(i).random((40, 40))*255).astype(np.uint8)).save(tmp_path/"img"/f"{i:02d}.png")
    out = tmp_path/"encoder"
    images, what = unlabelled_images(tmp_path/"img", size=32)   # the run the command continues: interrupted after its first epoch
    pretrain(images, "resnet10", 0.25, 2, 8, lr=0.002, corpus=what, seed=1, checkpoint_dir=out, stop_after=1, show_progress=False)
    r = medai_cli("pretrain", str(tmp_path/"img"), "-o", str(out), "--network", "resnet10", "--width", "0.25", "--epochs", "2", "--batch-size", "8",
                  "--lr", "0.002", "--size", "32", "--seed", "1", "--license", "CC0", "--resume", "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    config = json.loads((out/"config.json").read_text())
    assert config["epochs_trained"] == 2 and config["license"] == "CC0" and not (out/"checkpoint.pt").exists()
    net = build_network("resnet10", 2, 1, 2, img_size=32, width=0.25, weights=out)
    assert net.medai_weights.not_loaded == [] and net.medai_weights.license == "CC0" and "CC0" in (out/"README.md").read_text()

# ---------------------------------------------------------------- the rule: a flag without a test that runs it fails here
def subcommands()->dict:
    "medai's subcommands and their parsers, from its own parser"
    from medai.cli import _parser
    return next(a for a in _parser()[0]._actions if isinstance(a.choices, dict)).choices

def flags_run_by_tests()->dict[str, set[str]]:
    "The options each `medai_cli(SUBCOMMAND, ...)` call in tests/ passes, as literal strings"
    run = {}
    for f in Path(__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "medai_cli" and node.args and isinstance(node.args[0], ast.Constant):
                strings = {a.value for a in ast.walk(node) if isinstance(a, ast.Constant) and isinstance(a.value, str)}
                run.setdefault(node.args[0].value, set()).update(s for s in strings if re.fullmatch(r"--?[a-z][a-z-]*", s))
    return run

def test_every_flag_has_a_test_that_runs_it():
    run = flags_run_by_tests()
    missing = [f"medai {cmd} {'/'.join(a.option_strings)}" for cmd, p in subcommands().items() for a in p._actions
               if a.option_strings and not set(a.option_strings) & run.get(cmd, set())
               and not (cmd != "report" and "-h" in a.option_strings)]   # argparse's own help; `medai report --help` is medai's, and tested
    assert missing == [], f"flags that no test runs: {missing}"
