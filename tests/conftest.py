"Shared fixtures: isolated report folders and small notebooks written on the fly."
import os, sys, subprocess
from pathlib import Path
import nbformat, pytest

ROOT = Path(__file__).resolve().parents[1]
# the real public datasets kept beside the project (never in it); tests that need them skip when absent
SHARED = Path(os.environ.get("MEDAI_SHARED_DATA", ROOT.parent/"shared"/"data"))
MEDAI = Path(sys.executable).with_name("medai")

NETBLOCK = Path(__file__).parent/"netblock"

@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    "Every process a test starts (report kernels, the medai command, workers) runs with connections beyond this machine blocked"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(NETBLOCK), os.environ.get("PYTHONPATH")])))

@pytest.fixture(autouse=True)
def reports_tmp(tmp_path, monkeypatch):
    "Every test writes its reports under its own temporary folder"
    out = tmp_path/"reports"
    monkeypatch.setenv("MEDAI_REPORTS", str(out))
    return out

def make_notebook(path:Path, params:str, *cells:str)->Path:
    "A notebook with a `parameters` cell and code cells"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Test study"),
                nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path

def medai_cli(*args, cwd=None, timeout=300)->subprocess.CompletedProcess:
    "Run the installed `medai` command"
    return subprocess.run([str(MEDAI), *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=os.environ.copy())
