# medai: the two commands of the README's quick start are `make reports` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.medai-installed
# Quiet pip, without the harmless notes some machines print about missing local package indexes.
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
QUIET := 2>&1 | { grep -v "is ignored" || true; }
# Test processes run side by side on the 2 cores: one thread each (torch, BLAS, report kernels), or they slow each other down several times over.
ONE_THREAD := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MEDAI_REPORT_THREADS=1

.PHONY: setup reports test check-clean check-export check-readme nbtest pytest lab html docs readme bench clean

# Set-up: torch first, pinned (a bare `torch` requirement pulls a 5 GB CUDA build), then medai and its dev tools.
$(STAMP): setup.py settings.ini
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) --upgrade pip $(QUIET)
	$(PIP) torch==2.13.0 $(QUIET)
	$(PIP) -e ".[dev]" $(QUIET)
	# medmnist for its dataset catalogue and downloader, without its torchvision requirement (which breaks torch here)
	$(PIP) --no-deps medmnist==3.0.2 $(QUIET)
	@$(PY) -c "import medai, torch, monai, nbdev, papermill" || (echo "set-up failed: see the pip output above" && exit 1)
	@touch $(STAMP)

setup: $(STAMP)

## Run every case study on its embedded default data into reports/, then write reports/index.html.
reports: setup
	$(BIN)/medai report --all --no-progress

## Check that notebooks, library and README agree, run every notebook's tests, then pytest.
test: setup check-clean check-export check-readme nbtest pytest

check-clean: setup
	@.ci/check-notebooks clean

check-export: setup
	@.ci/check-notebooks export

check-readme: setup
	@$(BIN)/jupyter nbconvert --to markdown --stdout --log-level=ERROR nbs/index.ipynb | diff -q - README.md >/dev/null \
	  || (echo "README.md differs from nbs/index.ipynb: edit the notebook, then run 'make readme'." && exit 1)

# Case studies are skipped here: `make reports` runs them on their defaults, and tests/ runs each as a report with small parameters.
# Reports that notebooks run (the tutorials') go to a temporary folder: tests never write into reports/.
nbtest: setup
	@tmp=$$(mktemp -d) && MEDAI_REPORTS=$$tmp $(ONE_THREAD) $(BIN)/nbdev_test --n_workers 2 --skip_folder_re '^([_.]|case_studies$$)'; rc=$$?; rm -rf $$tmp; exit $$rc

# Three pytest workers (pytest-xdist) on the 2 cores: most tests wait on report kernels and subprocesses; measured 10:08 against 11:14 with two.
pytest: setup
	$(ONE_THREAD) $(PY) -m pytest -n 3 tests

## JupyterLab with a `medai` kernel registered for this environment.
lab: setup
	$(PY) -m ipykernel install --user --name medai --display-name "Python (medai)"
	$(BIN)/jupyter lab --notebook-dir=nbs

## Library notebooks and tutorials re-executed in place, slow cells included, so their committed outputs (tables, small figures) are current.
docs: setup
	find nbs -maxdepth 2 -name "*.ipynb" -not -path "nbs/case_studies/*" -not -path "*/.ipynb_checkpoints/*" -print0 | \
	  MEDAI_PROGRESS=0 xargs -0 -n1 -P2 $(BIN)/jupyter nbconvert --to notebook --execute --inplace --log-level=WARN
	$(PY) -c "import glob; from medai.report.checks import scrub_notebook_outputs; [scrub_notebook_outputs(p) for p in glob.glob('nbs/**/*.ipynb', recursive=True)]"
	$(BIN)/nbdev_clean --fname nbs

## Every notebook, executed and rendered to HTML in _html/ (Quarto, which nbdev_docs needs, is not installable here).
html: setup
	find nbs -name "*.ipynb" -not -path "*/.ipynb_checkpoints/*" -print0 | \
	  xargs -0 -n1 $(BIN)/jupyter nbconvert --to html --execute --output-dir _html --log-level=WARN

## README.md from nbs/index.ipynb (nbdev_readme needs Quarto).
readme: setup
	$(BIN)/jupyter nbconvert --to markdown --stdout --log-level=ERROR nbs/index.ipynb > README.md.tmp && mv README.md.tmp README.md

## Benchmarks, small and fast: see benchmarks/README.md for the full runs.
bench: setup
	for b in benchmarks/*.py; do $(PY) $$b --quick || exit 1; done

clean:
	rm -rf _html build dist *.egg-info .pytest_cache
