"The project's promises: the README's commands are CI's, notebooks are laid out as designed, the wheel is self-contained."
import json, re, subprocess, sys, zipfile
from pathlib import Path
import nbformat, pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def test_readme_quick_start_is_what_ci_runs():
    readme = (ROOT/"README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(make \w+)", quick.split("```bash", 1)[1].split("```", 1)[0], flags=re.M)
    assert commands == ["make reports", "make test"]
    ci = (ROOT/".ci"/"run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)
    makefile = (ROOT/"Makefile").read_text()
    assert re.search(r"^test: setup .*nbtest pytest$", makefile, flags=re.M)
    assert re.search(r"^reports: setup$", makefile, flags=re.M)

def test_readme_is_the_index_notebook():
    md = subprocess.run([str(BIN/"jupyter"), "nbconvert", "--to", "markdown", "--stdout", "--log-level=ERROR",
                         str(ROOT/"nbs"/"index.ipynb")], capture_output=True, text=True, check=True).stdout
    assert md == (ROOT/"README.md").read_text(), "README.md is stale: run `make readme`"

def _nbs(folder): return sorted(p for p in (ROOT/"nbs"/folder).glob("*.ipynb"))

def test_library_notebooks_export_modules():
    for nb in (ROOT/"nbs").glob("[0-9]*.ipynb"):
        first = nbformat.read(nb, as_version=4).cells[0].source
        assert first.startswith("#| default_exp "), f"{nb.name}: the first cell must be #| default_exp"

def test_case_studies_are_parameterized_reports():
    studies = _nbs("case_studies")
    assert studies
    for nb in studies:
        cells = nbformat.read(nb, as_version=4).cells
        assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# "), f"{nb.name}: title first"
        assert "parameters" in cells[1].get("metadata", {}).get("tags", []), f"{nb.name}: parameters cell second"
        assert not any("default_exp" in c.source for c in cells)

def test_wheel_ships_samples_and_case_studies(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("medai-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "medai/data_samples/synthetic_cohort.csv" in names
    assert "medai/case_studies/cohort_overview.ipynb" in names
    site = tmp_path/"site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path/"elsewhere"; elsewhere.mkdir()
    code = ("import medai.core as c, medai.report as r; print(c.data_samples_dir()); print(c.case_studies_dir()); "
            "print(len(c.load_dataset('synthetic_cohort').frame)); print(list(r.list_case_studies().name))")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                         cwd=elsewhere, capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == str(site/"medai"/"data_samples") and out[1] == str(site/"medai"/"case_studies")
    assert out[2] == "400" and "cohort_overview" in out[3]
