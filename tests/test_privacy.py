"Privacy: reports that show identifiers, encrypted inputs without a key, network access, safe loading."
import json, os, subprocess, sys
from pathlib import Path
import pandas as pd, pytest
from medai.core import ReportError, MedaiError
from medai.privacy import PrivacyError, encrypt_file, new_key_file
from medai.report import run_report
from conftest import make_notebook, medai_cli

def cgm_study(tmp_path:Path, show_ids:bool)->tuple[Path, Path]:
    csv = tmp_path/"cgm.csv"
    pd.DataFrame({"id": ["PATIENT-0042"]*3, "time": pd.date_range("2024-01-01", periods=3, freq="5min").astype(str), "gl": [100, 110, 120]}).to_csv(csv, index=False)
    nb = make_notebook(tmp_path/"cgm_study.ipynb", "path: str = ''  # CGM file",
                       "from medai.monitor.cgm import load_cgm\ncgm = load_cgm(path)\nfrom medai.report import log_metrics\nlog_metrics(readings=len(cgm))",
                       "print(sorted(cgm.patients))" if show_ids else "print(len(cgm.patients), 'patient')")
    return nb, csv

def test_report_showing_a_patient_id_is_stopped(tmp_path, reports_tmp):
    nb, csv = cgm_study(tmp_path, show_ids=True)
    with pytest.raises(ReportError, match="PATIENT-0042") as e: run_report(nb, {"path": str(csv)}, run_id="r1", progress=False)
    assert "report.ipynb, cell 4" in str(e.value) and "allow_phi" in str(e.value)     # the print cell (after the injected parameters)
    assert not (reports_tmp/"cgm_study"/"r1").exists() and (reports_tmp/"cgm_study"/"r1.failed").exists()
    assert not list((reports_tmp/"cgm_study").rglob(".identifiers.json"))          # the ids never stay in a run folder
    run = run_report(nb, {"path": str(csv)}, run_id="r2", progress=False, allow_phi=True)
    assert json.loads((run/"provenance.json").read_text())["phi_check"] == {"hits": 2, "allow_phi": True, "where": ["report.html", "report.ipynb, cell 4"]}
    nb, csv = cgm_study(tmp_path, show_ids=False)
    run = run_report(nb, {"path": str(csv)}, run_id="r3", progress=False)           # counts only: published
    assert json.loads((run/"provenance.json").read_text())["phi_check"]["hits"] == 0

def test_encrypted_input_needs_its_key(tmp_path, monkeypatch, reports_tmp):
    nb, csv = cgm_study(tmp_path, show_ids=False)
    monkeypatch.setenv("MEDAI_DATA_KEY_FILE", str(new_key_file(tmp_path/"data.key")))
    enc = encrypt_file(csv)
    run = run_report(nb, {"path": str(enc)}, run_id="ok", progress=False)
    assert json.loads((run/"metrics.json").read_text())["readings"] == 3
    monkeypatch.delenv("MEDAI_DATA_KEY_FILE")
    with pytest.raises(ReportError, match="No key"): run_report(nb, {"path": str(enc)}, run_id="nokey", progress=False)
    monkeypatch.setenv("MEDAI_DATA_KEY_FILE", str(new_key_file(tmp_path/"other.key")))
    with pytest.raises(ReportError, match="wrong key"): run_report(nb, {"path": str(enc)}, run_id="wrongkey", progress=False)
    assert not (reports_tmp/"cgm_study"/"wrongkey").exists()

def test_network_is_blocked_in_test_processes():
    "conftest blocks connections beyond this machine in every process the tests start, so every report test (the default"
    "cohort_overview report among them, tests/test_report_runs.py) shows that medai's paths open no network connection"
    r = subprocess.run([sys.executable, "-c", "import urllib.request; urllib.request.urlopen('http://example.org', timeout=5)"],
                       capture_output=True, text=True, env=os.environ.copy())
    assert r.returncode != 0 and "network access blocked" in r.stderr

def test_medai_loads_model_files_safely():
    "Every torch.load in medai restricts unpickling to tensors and plain containers"
    import medai
    for p in Path(medai.__file__).parent.rglob("*.py"):
        for line in p.read_text().splitlines():
            if "torch.load(" in line: assert "weights_only=True" in line, f"{p.name}: {line.strip()}"
