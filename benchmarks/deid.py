"""Benchmark: DICOM de-identification (medai.privacy, PS3.15 Basic Profile) on pydicom's bundled test files and medai's sample CT series.

For every readable file: de-identify it in memory with one study key, then count every attribute of the
profile (DEID_ACTIONS, nested sequences included) that still holds its original, identifying value in the
output; count private tags left; search the saved output's bytes for the original patient name and id;
check UID linkage (files that shared a study, series or frame-of-reference UID still share one, and
files that did not, do not); time the whole folder run on the sample series (files per second).
Targets: 0 original identifying values left; linkage kept for every UID group.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, io, secrets, tempfile, time, warnings
from collections import defaultdict
from pathlib import Path
import pydicom
from medai.core import data_samples_dir
from medai.privacy import DEID_ACTIONS, PrivacyError, deidentify_dataset, deidentify_folder
from common import finish

LINKED = ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID")

def identifying(ds)->dict:
    "(path of nested tags, keyword) -> value, for every profile attribute with a non-empty value"
    found = {}
    def visit(d, prefix=()):
        for elem in d:
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value): visit(item, prefix + (elem.tag, i))
            if elem.keyword in DEID_ACTIONS and elem.VR != "SQ" and elem.value not in (None, "", b""):
                found[(prefix + (elem.tag,), elem.keyword)] = str(elem.value)
    visit(ds)
    return found

def leaks(before, after)->list[str]:
    "Profile attributes whose original value survived (at the same place)"
    a = identifying(after)
    return [kw for k, (v) in identifying(before).items() for kw in [k[1]] if a.get(k) == v]

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2]/"shared"/"data", help="unused: the files ship with pydicom and medai")
    ap.add_argument("--quick", action="store_true", help="the first 10 pydicom files only")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    from pydicom.data import get_testdata_files
    files = sorted(set(get_testdata_files("*.dcm"))) + sorted((data_samples_dir()/"lidc_phantom"/"dicom_series").glob("*.dcm"))
    if a.quick: files = files[:10] + files[-5:]
    key = secrets.token_bytes(32)
    left, private, in_bytes, refused, unreadable, done = defaultdict(int), 0, 0, 0, 0, 0
    groups = {u: defaultdict(set) for u in LINKED}
    for f in files:
        try: ds = pydicom.dcmread(f)
        except Exception: unreadable += 1; continue
        try: out = deidentify_dataset(ds, key, where=str(f))
        except PrivacyError: refused += 1; continue
        done += 1
        for kw in leaks(ds, out): left[kw] += 1
        private += sum(1 for e in out.iterall() if e.tag.is_private)
        buf = io.BytesIO(); out.save_as(buf, enforce_file_format=False)
        raw = buf.getvalue()
        for kw in ("PatientName", "PatientID"):
            v = str(ds.get(kw, "") or "").strip()
            if len(v) >= 3 and v.encode() in raw: in_bytes += 1
        for u in LINKED:
            if ds.get(u): groups[u][str(ds.get(u))].add(str(out.get(u)))
    split = sum(len(outs) != 1 for g in groups.values() for outs in g.values())           # one input UID -> several outputs
    merged = sum(len(g) - len(set.union(set(), *g.values())) for g in groups.values())    # several inputs -> one output
    series = data_samples_dir()/"lidc_phantom"/"dicom_series"
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter(); n = len(deidentify_folder(series, Path(d)/"out", key)); seconds = time.perf_counter() - t0
    total_left = sum(left.values()) + private + in_bytes
    checks = [dict(name="original identifying values left (profile attributes, private tags, names/ids in the file bytes)", value=total_left, target=0, better="lower", met=total_left == 0),
              dict(name="UID groups split or merged by the remapping", value=split + merged, target=0, better="lower", met=split + merged == 0)]
    finish(dict(benchmark="deid", checks=checks, files=len(files), deidentified=done, refused_burned_in=refused,
                unreadable=unreadable, left_by_attribute=dict(left), private_tags_left=private, names_or_ids_in_bytes=in_bytes,
                uid_groups={u: len(g) for u, g in groups.items()}, folder_files=n, files_per_second=round(n/seconds, 1)), a.quick)

if __name__ == "__main__":
    main()
