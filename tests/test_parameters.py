"Bad parameters fail fast, with a clear message, before any kernel starts and without leaving a run folder."
import time
import pytest, papermill
from medai.core import ParameterError
from medai.report import run_report
from conftest import make_notebook, medai_cli

@pytest.fixture
def no_kernel(monkeypatch):
    "Fail the test if a kernel would be started"
    def boom(*a, **k): raise AssertionError("a kernel was started for invalid parameters")
    monkeypatch.setattr(papermill, "execute_notebook", boom)

@pytest.mark.parametrize("params, message", [
    ({"datset": "aids"}, "unknown parameter 'datset'. Did you mean 'dataset'?"),
    ({"max_level": 3}, "Did you mean 'max_levels'?"),
    ({"max_levels": "ten"}, "parameter 'max_levels' must be int"),
    ({"max_levels": 2.5}, "parameter 'max_levels' must be int"),
    ({"exclude": "patient_id"}, "parameter 'exclude' must be list[str]"),
    ({"group": 3}, "parameter 'group' must be str | None"),
])
def test_bad_parameters_fail_before_any_work(params, message, no_kernel, reports_tmp):
    with pytest.raises(ParameterError, match=None) as e: run_report("cohort_overview", params)
    assert message in str(e.value)
    assert not reports_tmp.exists()

def test_every_problem_is_reported_at_once(no_kernel):
    with pytest.raises(ParameterError) as e: run_report("cohort_overview", {"datset": "aids", "max_levels": "ten"})
    assert "datset" in str(e.value) and "max_levels" in str(e.value)

def test_missing_required_parameter(tmp_path, no_kernel):
    nb = make_notebook(tmp_path/"needs_path.ipynb", "data_path: str  # a CSV file\nseed: int = 0  # seed")
    with pytest.raises(ParameterError, match="missing required parameter 'data_path'"): run_report(nb)

def test_unknown_case_study_suggests_close_names(no_kernel):
    with pytest.raises(ParameterError, match="Did you mean 'cohort_overview'"): run_report("cohort_overveiw")

def test_cli_bad_parameter_exits_2_quickly(reports_tmp):
    start = time.time()
    r = medai_cli("report", "cohort_overview", "-p", "datset", "aids", "-p", "max_levels", "ten")
    assert r.returncode == 2, r.stderr
    assert "Did you mean 'dataset'" in r.stderr and "cannot read 'ten' as int" in r.stderr
    assert time.time() - start < 60  # no kernel, no data loading: only Python start-up
    assert not reports_tmp.exists()

def test_cli_bad_params_file(tmp_path):
    f = tmp_path/"p.yaml"; f.write_text("max_levels: [1, 2\n")
    r = medai_cli("report", "cohort_overview", "-f", str(f))
    assert r.returncode == 2 and "not valid YAML" in r.stderr

def test_cli_help_lists_typed_parameters():
    r = medai_cli("report", "cohort_overview", "--help")
    assert r.returncode == 0
    assert 'dataset: str = \'gbsg2\'  # registry name' in r.stdout
    assert "max_levels: int = 10" in r.stdout

def test_cli_list():
    r = medai_cli("report", "--list")
    assert r.returncode == 0 and "cohort_overview" in r.stdout
