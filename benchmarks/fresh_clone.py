"""Benchmark: the README's two commands on a fresh clone, timed as a newcomer meets them.

Clones this repository's committed HEAD into a temporary folder (no .venv, no reports/), then runs
`make reports` (set-up, then every case study on its defaults) and `make test` (set-up found, then
every check and test), each timed by wall clock, with `MEDAI_SHARED_DATA` pointing at the shared
real data so that the tests that use it run as in CI. `make reports` runs first and sets up .venv, so
`make test` is timed with the set-up already done. Beside the two totals: each report's own wall time
(from its provenance.json), and whether `make test` wrote anything into reports/ (it must not: tests
write into temporary folders). The baseline is the previous measurement
on the same kind of machine (issue 30: `make reports` 13 min 47 s, `make test` 19 min 54 s).
Targets (2 cores): `make reports` <= 6 minutes and `make test` <= 12 minutes, set-up included.
`--quick`: set-up alone and the cohort_overview report, nothing kept.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, json, os, subprocess, tempfile, time
from pathlib import Path
from common import check, finish

ROOT = Path(__file__).resolve().parents[1]
BASELINE = {"make reports": 827.0, "make test": 1194.0}   # seconds, issue 30's fresh-clone measurement before this change

def timed(cmd:list[str], cwd:Path, env:dict, log:Path)->tuple[float, int]:
    "Wall seconds and exit status of `cmd`, its output kept in `log`"
    t0 = time.perf_counter()
    with open(log, "w") as out: rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return round(time.perf_counter() - t0, 1), rc

def report_times(reports:Path)->dict:
    "Each finished report's own wall seconds, from its provenance"
    return {p.parent.parent.name: json.loads(p.read_text())["wall_seconds"] for p in sorted(reports.glob("*/*/provenance.json"))}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="the shared real data, for the tests that use it")
    ap.add_argument("--quick", action="store_true", help="set-up and one report only; nothing kept")
    a = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDAI_", "VIRTUAL_ENV"))} | {"MEDAI_SHARED_DATA": str(a.data_root.resolve())}
    with tempfile.TemporaryDirectory(prefix="medai-fresh-") as d:
        clone = Path(d)/"medai"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        logs = Path(d)
        if a.quick:
            setup, rc = timed(["make", "setup"], clone, env, logs/"setup.log")
            one, rc2 = timed([str(clone/".venv"/"bin"/"medai"), "report", "cohort_overview", "--no-progress"], clone, env, logs/"report.log")
            finish(dict(benchmark="fresh_clone", setup_seconds=setup, cohort_overview_seconds=one, ok=rc == rc2 == 0, checks=[]), quick=True)
            return
        reports, rc_reports = timed(["make", "reports"], clone, env, logs/"reports.log")
        per_report = report_times(clone/"reports")
        before = sorted(p.relative_to(clone) for p in (clone/"reports").rglob("*"))
        tests, rc_test = timed(["make", "test"], clone, env, logs/"test.log")
        wrote = sorted(set(p.relative_to(clone) for p in (clone/"reports").rglob("*")) - set(before))
        tail = lambda log: (logs/log).read_text()[-3000:]
        if rc_reports or rc_test: print(tail("reports.log") if rc_reports else tail("test.log"), flush=True)
    checks = [check("make reports succeeded (exit status)", rc_reports, 0, "lower"), check("make test succeeded (exit status)", rc_test, 0, "lower"),
              check("make reports on a fresh clone, set-up included (seconds)", reports, 360, "lower"),
              check("make test on a fresh clone, set-up found (seconds)", tests, 720, "lower"),
              check("files make test wrote into reports/", len(wrote), 0, "lower")]
    finish(dict(benchmark="fresh_clone", checks=checks, make_reports_ok=rc_reports == 0, make_test_ok=rc_test == 0,
                report_seconds=per_report, baseline_seconds=BASELINE, written_into_reports=[str(p) for p in wrote[:20]]), a.quick)

if __name__ == "__main__":
    main()
