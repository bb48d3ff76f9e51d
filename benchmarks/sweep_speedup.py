"""Benchmark: a 6-run sweep serially against the same sweep on Dask with 2 workers, then the same sweep again (all cached).

The sweep is the cohort_overview case study (GBSG2 from scikit-survival, no shared data needed) over
max_levels 8/10/12 x seed 0/1. Serial: one run after another in this process, each kernel with every
core's threads; Dask: a LocalCluster of 2 single-threaded worker processes, each kernel with
cores/2 threads. The third invocation repeats the Dask sweep, which finds every run current and
reuses it. Targets: wall-time ratio serial/Dask >= 1.6 on 2 cores; the cached invocation in under 5%
of the first Dask invocation's time.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, os, tempfile, time, warnings
from pathlib import Path
from common import finish

def timed_sweep(reports:Path, grid:dict, workers:int)->tuple[float, dict]:
    os.environ["MEDAI_REPORTS"] = str(reports)
    from medai.sweep import run_sweep
    t0 = time.perf_counter()
    sweep = run_sweep("cohort_overview", grid, name="speedup", workers=workers, show_progress=False)
    return time.perf_counter() - t0, sweep.runs.status.value_counts().to_dict()

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2]/"shared"/"data",
                    help="unused: the sweep runs on GBSG2 as scikit-survival ships it")
    ap.add_argument("--quick", action="store_true", help="2 runs instead of 6")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    grid = {"max_levels": [8, 10] if a.quick else [8, 10, 12], "seed": [0] if a.quick else [0, 1]}
    with tempfile.TemporaryDirectory() as d:
        serial, serial_status = timed_sweep(Path(d)/"serial", grid, workers=0)
        print(f"serial: {serial:.1f} s {serial_status}", flush=True)
        dask, dask_status = timed_sweep(Path(d)/"dask", grid, workers=2)
        print(f"Dask, 2 workers: {dask:.1f} s {dask_status}", flush=True)
        cached, cached_status = timed_sweep(Path(d)/"dask", grid, workers=2)
        print(f"again (cached): {cached:.2f} s {cached_status}", flush=True)
    speedup, share = serial/dask, cached/dask
    checks = [dict(name="wall-time ratio, serial / Dask with 2 workers", value=round(speedup, 3), target=1.6, better="higher", met=bool(speedup >= 1.6)),
              dict(name="cached re-run time as a share of the first Dask run", value=round(share, 4), target=0.05, better="lower", met=bool(share < 0.05))]
    finish(dict(benchmark="sweep_speedup", runs=sum(serial_status.values()), cores=os.cpu_count(), checks=checks,
                seconds=dict(serial=round(serial, 2), dask=round(dask, 2), cached=round(cached, 3)),
                status=dict(serial=serial_status, dask=dask_status, cached=cached_status)), a.quick)

if __name__ == "__main__":
    main()
