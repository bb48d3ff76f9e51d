"Report runs: the folder's contents, provenance, atomicity, failures and the index."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, yaml
from medai.core import ReportError, file_sha256, load_dataset, data_samples_dir
from medai.report import run_report, build_index, restore_paths
from conftest import make_notebook, medai_cli

def test_cohort_overview_default_report(reports_tmp):
    r = medai_cli("report", "cohort_overview", "--no-progress")
    assert r.returncode == 0, r.stderr[-3000:]
    (run,) = (reports_tmp/"cohort_overview").iterdir()
    for f in ["report.ipynb", "report.html", "metrics.json", "params.yaml", "provenance.json",
              "figures/kaplan_meier.png", "figures/kaplan_meier.svg", "figures/distributions.png",
              "tables/table1.csv", "tables/table1.tex", "tables/missing_data.csv", "tables/survival_by_group.csv"]:
        assert (run/f).is_file(), f
    metrics = json.loads((run/"metrics.json").read_text())
    assert metrics["patients"] == 686 and metrics["groups"] == 2 and metrics["events"] == 299
    assert 0 < metrics["logrank_p"]["value"] < 0.05  # hormone therapy arms differ in GBSG2 (chi2 about 8.6)
    prov = json.loads((run/"provenance.json").read_text())
    assert prov["seed"] == 0 and prov["parameters"]["dataset"] == "gbsg2"
    assert {"numpy", "pandas", "torch", "papermill", "scikit-survival"} <= set(prov["packages"])
    (arff,) = [i for i in prov["inputs"] if i["path"].endswith("GBSG2.arff")]
    assert arff["path"].startswith("<python>/") and arff["sha256"] == file_sha256(restore_paths(arff["path"]))   # no path of this machine
    assert prov["wall_seconds"] > 0 and prov["started"] <= prov["ended"]
    html = (run/"report.html").read_text()
    assert "TableOne(" not in html and "seed_everything(" not in html   # code hidden
    assert "Kaplan-Meier" in html and "log-rank" in html
    assert yaml.safe_load((run/"params.yaml").read_text())["max_levels"] == 10

def test_report_on_a_csv_path_records_its_hash(reports_tmp, tmp_path):
    csv = tmp_path/"cohort.csv"
    frame = load_dataset("synthetic_cohort").frame.rename(columns={"time": "os_months", "event": "death"})
    frame["patient_id"] = [f"SYN{i//2:04d}" for i in range(len(frame))]       # two visits per patient: ids repeat
    frame.to_csv(csv, index=False)
    run = run_report("cohort_overview", {"dataset": str(csv), "time": "os_months", "event": "death", "group": "arm"}, progress=False)
    table1 = (run/"tables"/"table1.csv").read_text()                        # the id column is an identifier: never a Table 1 variable
    assert "patient_id" not in table1 and "SYN0101" not in table1 and "SYN0101" not in (run/"report.html").read_text()
    metrics = json.loads((run/"metrics.json").read_text())
    assert metrics["groups"] == 3 and metrics["patients"] == 400 and metrics["columns_with_missing"] == 1
    prov = json.loads((run/"provenance.json").read_text())
    recorded = next(i for i in prov["inputs"] if restore_paths(i["path"]) == str(csv.resolve()))
    assert recorded["path"].startswith("<tmp>/") and recorded["sha256"] == file_sha256(csv)

def test_data_error_inside_the_study_leaves_only_a_failed_folder(reports_tmp):
    with pytest.raises(ReportError) as e: run_report("cohort_overview", {"group": "horth"}, run_id="bad", progress=False)
    assert "bad.failed" in str(e.value) and "DataError" in str(e.value)
    folder = reports_tmp/"cohort_overview"
    assert sorted(p.name for p in folder.iterdir()) == ["bad.failed"]
    failed = folder/"bad.failed"
    assert "Did you mean 'horTh'" in (failed/"error.txt").read_text()
    assert (failed/"report.ipynb").exists() and not (failed/"provenance.json").exists()

def test_failing_notebook_keeps_cells_up_to_the_error(tmp_path, reports_tmp):
    nb = make_notebook(tmp_path/"study.ipynb", "seed: int = 0  # seed",
                       "from medai.report import log_metrics\nlog_metrics(step=1)", "raise RuntimeError('model diverged')", "print('never')")
    with pytest.raises(ReportError, match="model diverged"): run_report(nb, run_id="r1", progress=False)
    failed = reports_tmp/"study"/"r1.failed"
    executed = json.loads((failed/"report.ipynb").read_text())
    sources = ["".join(c["source"]) for c in executed["cells"]]
    error_cell = executed["cells"][sources.index("raise RuntimeError('model diverged')")]
    assert any(o.get("ename") == "RuntimeError" for o in error_cell["outputs"])
    assert not (reports_tmp/"study"/"r1").exists()
    assert not list((reports_tmp/"study").glob(".*partial"))

def test_interrupted_run_never_looks_complete(tmp_path, reports_tmp):
    nb = make_notebook(tmp_path/"slow.ipynb", "seconds: int = 60  # how long to work", "import time\ntime.sleep(seconds)")
    proc = subprocess.Popen([sys.executable, "-c", f"from medai.report import run_report; run_report({str(nb)!r}, run_id='r', progress=False)"],
                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            # a shell starting tests in the background ignores SIGINT, and children inherit that: restore Ctrl-C
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    partial = reports_tmp/"slow"/".r.partial"
    while not (partial/"report.ipynb").exists() and time.time() < deadline: time.sleep(0.5)
    assert partial.exists(), "the run should be written into a hidden .partial folder"
    assert not (partial/"provenance.json").exists()
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    names = sorted(p.name for p in (reports_tmp/"slow").iterdir())
    assert names == ["r.failed"], names
    assert "KeyboardInterrupt" in (reports_tmp/"slow"/"r.failed"/"error.txt").read_text()

def test_helpers_write_into_the_run(tmp_path, reports_tmp):
    nb = make_notebook(tmp_path/"helpers.ipynb", "n: int = 3  # points",
                       "import matplotlib.pyplot as plt, pandas as pd, numpy as np\nfrom medai.report import *\n"
                       "line = save_table(pd.DataFrame({'y': range(n)}), 'line', index=False)\nfig, ax = plt.subplots(); ax.plot(line.y); save_figure('line', fig)\n"
                       "save_table(pd.DataFrame({'x': range(n)}), 'values', index=False)\n"
                       "log_metrics(total=np.int64(n), nested={'a': np.float32(0.5)})\nlog_metrics(more=1)")
    run = run_report(nb, {"n": 4}, progress=False)
    assert json.loads((run/"metrics.json").read_text()) == {"total": 4, "nested": {"a": 0.5}, "more": 1}
    assert (run/"tables"/"values.csv").read_text().splitlines() == ["x", "0", "1", "2", "3"]
    assert "\\toprule" in (run/"tables"/"values.tex").read_text()
    assert (run/"figures"/"line.svg").read_text().lstrip().startswith("<?xml")

def test_index_links_every_run(tmp_path, reports_tmp):
    ok = make_notebook(tmp_path/"good.ipynb", "x: int = 1  # x", "from medai.report import log_metrics\nlog_metrics(score=0.75)")
    bad = make_notebook(tmp_path/"bad.ipynb", "x: int = 1  # x", "1/0")
    run_report(ok, progress=False)
    with pytest.raises(ReportError): run_report(bad, run_id="b", progress=False)
    page = build_index().read_text()
    assert "score = 0.75" in page and "b.failed" in page and "failed" in page
    assert 'href="good/' in page

# ---------------------------------------------------------------- what a run may publish (medai.report.checks): each rule, broken on purpose
BROKEN = {
    "a metric as text": ("log_metrics(auc='0.81 (0.75-0.86)')", "'0.81 (0.75-0.86)' is text"),
    "an AUC above 1": ("log_metrics(auc=1.2)", "outside the range [0, 1]"),
    "an RMST interval past its horizon": ("from medai.eval import metric\nlog_metrics(rmst=metric(1500, 1400, 2010, range=(0, 1826), unit='days'))", "rmst.ci_high: 2010"),
    "an interval that misses its value": ("from medai.eval import metric\nlog_metrics(c_index=metric(0.6, 0.65, 0.7))", "does not contain the value 0.6"),
    "a count that is not whole": ("log_metrics(n_test=15.5)", "should be a whole number"),
    "a path of this machine in a table": ("import pandas as pd, os\nsave_table(pd.DataFrame({'file': [os.path.abspath('x.csv')]}), 'files')", "tables/files.csv: shows the absolute path"),
    "a figure without its table": ("import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.plot([0, 1]); save_figure('curve', fig)", "figures/curve: no tables/curve.csv"),
    "a home folder in the model card": ("from medai.core import run_dir, atomic_write\natomic_write(run_dir()/'notes.md', 'data from /home/alice/cohort.csv')", "notes.md: shows the absolute path '/home/alice/cohort.csv'"),
}

@pytest.mark.parametrize("case", list(BROKEN))
def test_a_run_that_breaks_a_rule_is_not_published(case, tmp_path, reports_tmp):
    code, message = BROKEN[case]
    nb = make_notebook(tmp_path/"study.ipynb", "x: int = 1  # x", "from medai.report import *\n" + code)
    with pytest.raises(ReportError, match="would publish what it cannot") as e: run_report(nb, run_id="r", progress=False)
    assert message in str(e.value)
    assert sorted(p.name for p in (reports_tmp/"study").iterdir()) == ["r.failed"]
    assert message in (reports_tmp/"study"/"r.failed"/"error.txt").read_text()

def test_a_training_report_owes_its_model_card_study_and_checklist(tmp_path, reports_tmp):
    import nbformat
    nb = make_notebook(tmp_path/"train.ipynb", "x: int = 1  # x", "from medai.report import log_metrics\nlog_metrics(auc=0.8)")
    book = nbformat.read(nb, as_version=4); book.metadata["medai"] = {"trains_model": True}; nbformat.write(book, nb)
    with pytest.raises(ReportError, match="model_card.md is missing") as e: run_report(nb, run_id="r", progress=False)
    assert "study.json is missing" in str(e.value) and "tripod_ai_checklist.csv is missing" in str(e.value)

def test_library_output_paths_are_scrubbed_not_refused(tmp_path, reports_tmp):
    "A warning that prints a file of the Python installation is the library's, not the study's: the run shows it as <python>/..."
    nb = make_notebook(tmp_path/"warns.ipynb", "x: int = 1  # x", "import sys\nprint(sys.prefix + '/lib/site-packages/x.py:1: UserWarning', file=sys.stderr)\nprint(sys.prefix)")
    run = run_report(nb, progress=False)
    text = (run/"report.ipynb").read_text() + (run/"report.html").read_text() + (run/"provenance.json").read_text()
    assert sys.prefix not in text and "<python>" in text

# ---------------------------------------------------------------- --pdf: a PDF beside the HTML, and a failure after the run never strands the report
@pytest.mark.skipif(__import__("medai.report.render", fromlist=["find_chromium"]).find_chromium() is None, reason="needs headless Chromium")
def test_pdf_is_written_beside_the_html(tmp_path, reports_tmp):
    nb = make_notebook(tmp_path/"study.ipynb", "x: int = 1  # x", "print('hello')")
    r = medai_cli("report", str(nb), "--pdf", "--run-id", "r", "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    pdf = reports_tmp/"study"/"r"/"report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and (reports_tmp/"study"/"r"/"report.html").exists()

def test_a_pdf_failure_after_the_run_leaves_the_report_in_place(tmp_path, reports_tmp, monkeypatch):
    monkeypatch.setenv("MEDAI_CHROMIUM", "/bin/false")       # a "browser" that prints nothing
    nb = make_notebook(tmp_path/"study.ipynb", "x: int = 1  # x", "print('hello')")
    with pytest.raises(ReportError, match="finished and in place") as e: run_report(nb, run_id="r", pdf=True, progress=False)
    assert sorted(p.name for p in (reports_tmp/"study").iterdir()) == ["r"] and (reports_tmp/"study"/"r"/"report.html").exists()
