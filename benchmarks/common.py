"""What every benchmark shares: its checks, its last line of JSON, and the copy of a full run kept in results/.

A full run (not `--quick`, not skipped for missing data) is written to `benchmarks/results/<benchmark>.json`,
stamped with the commit, date and machine it was measured on; `results_table.py` builds the README's
"Latest results" table from those files, so every figure there is one a run printed.
"""
import datetime, json, os, platform
from pathlib import Path
from medai.core import atomic_write, git_output, to_jsonable

RESULTS = Path(__file__).resolve().parent/"results"

def check(name:str, value:float, target:float, better:str)->dict:
    "One check of a benchmark: `value` against `target`, met when it is at least as good"
    if better not in ("higher", "lower"): raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")
    met = value >= target if better == "higher" else value <= target
    return dict(name=name, value=float(value), target=float(target), better=better, met=bool(met))

def measured_on()->dict:
    "Where and when a result was measured: commit (and whether the tree had uncommitted changes), date, machine"
    dirty = git_output("status", "--porcelain", "--untracked-files=no")
    return dict(commit=git_output("rev-parse", "--short", "HEAD"), uncommitted_changes=bool(dirty) if dirty is not None else None,
                date=datetime.date.today().isoformat(), cpus=os.cpu_count(), machine=platform.machine())

STARTED = measured_on()   # read when the benchmark starts: the code it measures is the code it loaded then

def finish(result:dict, quick:bool, results_dir:Path=RESULTS)->dict:
    "Print `result` as the last line of JSON; keep a full, measured run in `results_dir/<benchmark>.json`"
    result = to_jsonable(dict(result, quick=quick, measured=STARTED))
    if not quick and not result.get("skipped"):   # a run that skipped any of its data is not kept
        atomic_write(Path(results_dir)/f"{result['benchmark']}.json", json.dumps(result, indent=1) + "\n")
    print(json.dumps(result), flush=True)
    return result
