"""Recipe for data_samples/breast_ultrasound/: simulated breast-ultrasound images (no real patients).

Written by medai.imaging.phantoms.write_breast_phantoms: 150 simulated patients, two
64x64 PNG views each, in benign/ and malignant/ subfolders, with labels.csv
(path,label,patient_id and the BI-RADS descriptors that set each label).
Run `python data_samples/make_imaging_samples.py` to rebuild them byte for byte.
"""
from pathlib import Path
import shutil
from medai.imaging.phantoms import write_breast_phantoms

HERE = Path(__file__).parent
BREAST = dict(n_patients=150, size=64, seed=2026)

def main():
    out = HERE/"breast_ultrasound"
    shutil.rmtree(out, ignore_errors=True)
    write_breast_phantoms(out, **BREAST)
    print(f"wrote {out}")

if __name__ == "__main__":
    main()
