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

def test_tests_never_write_into_reports():
    "make test runs the notebooks' reports in a temporary folder, and every pytest test in its own (conftest's reports_tmp)"
    nbtest = re.search(r"^nbtest: setup\n((?:\t.*\n)+)", (ROOT/"Makefile").read_text(), flags=re.M).group(1)
    assert "MEDAI_REPORTS=" in nbtest and "mktemp -d" in nbtest

def test_committed_notebooks_show_no_path_of_this_machine():
    "Notebook outputs are read on GitHub: the machine's folders in them are placeholders (make docs runs scrub_notebook_outputs)"
    from medai.report.checks import machine_paths
    places = [p for p in machine_paths() if p not in ("/tmp", "/root")] + ["/home/", "/Users/"]
    found = [f"{nb.relative_to(ROOT)}: {p}" for nb in sorted((ROOT/"nbs").rglob("*.ipynb")) if ".ipynb_checkpoints" not in str(nb)
             for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code"
             for o in c.get("outputs", []) for p in places if p in json.dumps(o)]
    assert not found, "run make docs, or medai.report.checks.scrub_notebook_outputs on them:\n" + "\n".join(found[:10])

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

def test_training_studies_declare_it():
    "A case study that writes a model card says it trains a model, so the report engine requires its model card, study.json and checklist"
    for nb in _nbs("case_studies"):
        book = nbformat.read(nb, as_version=4)
        calls = any("publication_section(" in c.source for c in book.cells if c.cell_type == "code")
        assert calls == book.metadata.get("medai", {}).get("trains_model", False), f"{nb.name}: set metadata medai.trains_model to {calls}"

def test_imaging_studies_read_dataset_one_way():
    "Every imaging study reads its `dataset` parameter with load_study_images, so a misspelled name fails alike everywhere"
    imaging = [nb for nb in _nbs("case_studies") if "medai.imaging" in nb.read_text()]
    assert len(imaging) >= 3
    for nb in imaging:
        code = "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code")
        assert "load_study_images(dataset" in code, f"{nb.name}: read `dataset` with medai.imaging.data.load_study_images"
        assert not re.search(r"dataset ==|dataset\.endswith", code), f"{nb.name}: branches on `dataset` itself"

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

# ---------------------------------------------------------------- the house: who may import whom (../shared/STYLE.md, section 5)
import ast
PKG = ROOT/"medai"
PILLARS = ("imaging", "treatment", "monitor")
# each module's layer; a module imports only modules of lower layers, or of its own pillar
LAYERS = {"core": 0, "eval": 1, "privacy": 1, "publish": 1, "engine": 1, **{p: 2 for p in PILLARS}, "report": 3, "sweep": 4, "cli": 5}

def _modules()->dict:
    "medai module name -> its source path (the generated index left out)"
    out = {}
    for p in PKG.rglob("*.py"):
        if p.name == "_modidx.py": continue
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out

def _imports(mods:dict)->list:
    "(importer, imported module, imported name or None, line) for every medai import, at module level or inside functions"
    out = []
    for m, path in mods.items():
        pkg = m if path.name == "__init__.py" else m.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = ".".join(pkg.split(".")[:len(pkg.split(".")) - node.level + 1]) if node.level else ""
                target = ".".join(filter(None, [base, node.module]))
                if target.split(".")[0] != "medai": continue
                for a in node.names:   # `from medai import report` imports the module medai.report
                    sub = f"{target}.{a.name}"
                    out.append((m, sub, None, node.lineno) if sub in mods else (m, target, a.name, node.lineno))
            elif isinstance(node, ast.Import):
                out += [(m, a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "medai"]
    return out

def _layer(m:str)->str: return m.split(".")[1] if m.count(".") else "medai"

def test_the_house_rules_hold():
    mods = _modules()
    edges = [e for e in _imports(mods) if e[1] != "medai"]   # `import medai` for its __version__
    broken = []
    for src, dst, name, line in edges:
        where = f"{mods[src].relative_to(ROOT)}:{line}: {src} imports {dst}{'.' + name if name else ''}"
        a, b = _layer(src), _layer(dst)
        if a not in LAYERS or b not in LAYERS: broken.append(f"{where} (a module the house does not place: add it to LAYERS)")
        elif a != b and LAYERS[a] <= LAYERS[b]: broken.append(f"{where} (a layer may import only the layers below it)")
        if name and name.startswith("_") and dst != src: broken.append(f"{where} (a private name crosses modules)")
    assert not broken, "\n".join(broken)

def test_no_import_circles():
    mods = _modules()
    graph = {m: set() for m in mods}
    for src, dst, _, _ in _imports(mods):
        if dst in graph and dst != src and dst != "medai": graph[src].add(dst)
    state, circles = {}, []
    def visit(m, path):
        state[m] = "open"
        for n in sorted(graph[m]):
            if state.get(n) == "open": circles.append(" -> ".join(path[path.index(n):] + [n]))
            elif n not in state: visit(n, path + [n])
        state[m] = "done"
    for m in sorted(graph):
        if m not in state: visit(m, [m])
    assert not circles, "import circles:\n" + "\n".join(circles)

def test_every_dataset_is_listed_without_importing_the_pillars():
    code = ("import sys; from medai.core import list_datasets; names = set(list_datasets().name); "
            "loaded = [m for m in sys.modules if m.startswith(('medai.imaging', 'medai.treatment', 'medai.monitor'))]; "
            "import medai.imaging.data, medai.treatment.data, medai.monitor.cgm, medai.monitor.simulate; "
            "print(sorted(names), loaded, sorted(set(list_datasets().name) - names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    names, loaded, missed = (ast.literal_eval(x) for x in re.findall(r"\[.*?\]", out))
    assert not loaded, f"listing the datasets imported {loaded}"
    assert not missed, f"datasets listed only after importing the pillars: {missed}"
    assert {"breast_ultrasound_phantom", "lidc_phantom", "ihdp", "multiarm_trial", "simulated_cohort", "gbsg2"} <= set(names)

# the one export cell allowed over 60 lines: TRIPOD+AI's item table (data, not code)
LONG_CELLS = ("TRIPOD_AI = [",)

def test_notebooks_read_as_a_book():
    "One idea per export cell: a median of at most 12 lines, and none over 60 but the listed ones"
    sizes, long = [], []
    for nb in sorted((ROOT/"nbs").glob("[0-9]*.ipynb")):
        for c in nbformat.read(nb, as_version=4).cells:
            if c.cell_type != "code" or not c.source.startswith("#| export"): continue
            lines = c.source.splitlines(); sizes.append(len(lines))
            body = next((l for l in lines if not l.startswith("#|")), "")
            if len(lines) > 60 and not body.startswith(LONG_CELLS): long.append(f"{nb.name}: {len(lines)} lines, {body[:60]}")
    assert sorted(sizes)[len(sizes)//2] <= 12, f"median export cell {sorted(sizes)[len(sizes)//2]} lines"
    assert not long, "export cells over 60 lines (split them: one idea per cell):\n" + "\n".join(long)

def test_only_the_engine_trains_networks():
    "Every network trains through medai.engine.Trainer: no backward pass or optimizer step is written anywhere else in the package"
    steps = re.compile(r"\.backward\(|\b(opt|optimizer)\.step\(")
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in PKG.rglob("*.py") if p.name not in ("engine.py", "_modidx.py")
             for i, line in enumerate(p.read_text().splitlines(), 1) if steps.search(line)]
    assert not found, "a training loop outside the engine:\n" + "\n".join(found)

def test_every_benchmark_ends_through_finish():
    "Each benchmark prints its last line with `common.finish`, which keeps full runs in benchmarks/results/"
    scripts = [p for p in (ROOT/"benchmarks").glob("*.py") if p.stem not in ("common", "results_table")]
    assert len(scripts) >= 10
    for p in scripts:
        text = p.read_text()
        assert "finish(dict(benchmark=" in text and "print(json.dumps(dict(benchmark" not in text, f"{p.name}: end with common.finish"

def test_benchmarks_keep_full_runs_only(tmp_path, capsys):
    sys.path.insert(0, str(ROOT/"benchmarks"))
    from common import check, finish
    checks = [check("a figure", 0.8, 0.75, "higher"), check("an error", 2.0, 1.0, "lower")]
    assert [c["met"] for c in checks] == [True, False]
    finish(dict(benchmark="toy", checks=checks), quick=True, results_dir=tmp_path)
    finish(dict(benchmark="toy", checks=[], skipped="no data"), quick=False, results_dir=tmp_path)
    assert not list(tmp_path.iterdir())   # smoke runs and skipped runs are not kept
    printed = finish(dict(benchmark="toy", checks=checks), quick=False, results_dir=tmp_path)
    kept = json.loads((tmp_path/"toy.json").read_text())
    assert kept == printed == json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert kept["measured"]["date"] and "commit" in kept["measured"] and kept["quick"] is False
    with pytest.raises(ValueError, match="higher"): check("x", 1, 1, "more")

def test_benchmark_results_table_is_generated():
    "benchmarks/README.md's results table is the one results/*.json give: no figure typed by hand"
    out = subprocess.run([sys.executable, str(ROOT/"benchmarks"/"results_table.py"), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr

def test_benchmark_results_table_rows_keep_three_cells():
    "A '|' in a check's name (e.g. |RMSE - published|) is escaped, so no row of the results table gains a column"
    rows = [l for l in (ROOT/"benchmarks"/"README.md").read_text().splitlines() if l.startswith("| `")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", l)) == 4 for l in rows), [l[:80] for l in rows if len(re.findall(r"(?<!\\)\|", l)) != 4]

def test_cells_nbdev_skips_are_skipped_by_make_docs():
    "A cell nbdev never runs (`#| eval: false`) carries the `skip-execution` tag, which `make docs` (nbclient) honours"
    for nb in sorted((ROOT/"nbs").rglob("*.ipynb")):
        for cell in nbformat.read(nb, as_version=4).cells:
            if cell.cell_type == "code" and re.search(r"^#\|\s*eval:\s*false", cell.source, flags=re.M):
                assert "skip-execution" in cell.metadata.get("tags", []), f"{nb.name}: tag the `#| eval: false` cell 'skip-execution'"
