"""The adversarial catalogue: real-world-shaped bad inputs to every loader, command and the report engine.

Each case writes its inputs into its own folder and returns the call under test. A case either names the
`MedaiError` subclass it must raise (with a phrase of the message) or checks the right result itself; in
both, nothing that looks like a finished report, model or output may be left behind.
"""
import json, os, signal, subprocess, sys, time, warnings
from pathlib import Path
import numpy as np, pandas as pd, pytest
from PIL import Image
from medai.core import DataError, MedaiError, ParameterError, ReportError, load_dataset
from conftest import MEDAI, ROOT, make_notebook, medai_cli

CASES = {}

def case(name, raises=None, match=None, model=False):
    "Register a case: `fn(tmp)` (or `fn(tmp, model_folder)`) writes its inputs and returns the call to test"
    def register(fn): CASES[name] = (fn, raises, match, model); return fn
    return register

FINISHED = {"report.html", "provenance.json", "model.ts", "metadata.json", "predictions.csv"}

def _files(root:Path)->set: return {p for p in root.rglob("*") if p.is_file()}

def _left_behind(new:set)->list:
    "New files that would pass for a finished output: anything outside a .failed folder named like a result"
    return [p for p in new if p.name in FINISHED and not any(part.endswith(".failed") for part in p.parts)]

def warns(fn, match):
    "Call fn; assert a warning containing `match`; return fn's result"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always"); out = fn()
    assert any(match in str(w.message) for w in caught), [str(w.message) for w in caught]
    return out

def no_warning(fn, about):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always"); out = fn()
    assert not any(about in str(w.message) for w in caught), [str(w.message) for w in caught]
    return out

# ---------------------------------------------------------------- 2D images
from medai.imaging.data import read_2d, load_image_folder, load_volume, nodule_crops

def picture(size=(40, 40), seed=0)->np.ndarray:
    "An 8-bit grayscale picture with structure (a bright disc on a gradient)"
    r = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size[0], :size[1]]
    disc = ((yy - size[0]/2)**2 + (xx - size[1]/2)**2 < (min(size)/4)**2)*120
    return np.clip(xx*2 + disc + r.integers(0, 20, size), 0, 255).astype(np.uint8)

def image_folder(root:Path, n=30, size=(40, 40), labels=("benign", "malignant"), save=None)->Path:
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        f = root/"img"/f"{i:03d}.png"; f.parent.mkdir(parents=True, exist_ok=True)
        (save or (lambda a, p: Image.fromarray(a).save(p)))(picture(size, i), f)
        rows.append(dict(path=f"img/{f.name}", label=label, patient_id=f"P{i:04d}"))
    pd.DataFrame(rows).to_csv(root/"labels.csv", index=False)
    return root/"labels.csv"

def save16(a, p): Image.fromarray(a.astype(np.uint16)*257).save(p)     # the same picture on the 16-bit scale

@case("png 16-bit reads as the same picture as 8-bit")
def _(tmp):
    Image.fromarray(picture()).save(tmp/"a8.png"); save16(picture(), tmp/"a16.png")
    def check():
        (x8, h8), (x16, h16) = read_2d(tmp/"a8.png"), read_2d(tmp/"a16.png")
        assert x16.max() < 1 and x16.std() > 0.1, "a 16-bit image must not read as all white"
        np.testing.assert_allclose(x8, x16, atol=1e-6); assert h8 == "8-bit / 255" and h16 == "16-bit / 65535"
    return check

@case("tiff 16-bit reads as the same picture as 8-bit")
def _(tmp):
    Image.fromarray(picture()).save(tmp/"a8.tif"); save16(picture(), tmp/"a16.tif")
    return lambda: np.testing.assert_allclose(read_2d(tmp/"a8.tif")[0], read_2d(tmp/"a16.tif")[0], atol=1e-6)

@case("16-bit folder loads like the 8-bit folder and records its scaling")
def _(tmp):
    a, b = image_folder(tmp/"8"), image_folder(tmp/"16", save=save16)
    def check():
        d8, d16 = load_image_folder(a, size=32), load_image_folder(b, size=32)
        np.testing.assert_allclose(d8.images, d16.images, atol=1e-4)
        assert d16.preprocessing["scaling"] == {"16-bit / 65535": 30} and d16.preprocessing["intensity"] == "type"
    return check

@case("intensity='range' scales each image by its own range")
def _(tmp):
    Image.fromarray((picture()//4).astype(np.uint8)).save(tmp/"dim.png")
    return lambda: (lambda x: np.testing.assert_allclose([x.min(), x.max()], [0, 1], atol=1e-6))(read_2d(tmp/"dim.png", "range")[0])

@case("float TIFF outside [0, 1] asks for intensity='range'", DataError, "intensity='range'")
def _(tmp):
    Image.fromarray(picture().astype(np.float32)*10).save(tmp/"f.tif")
    return lambda: read_2d(tmp/"f.tif")

@case("unknown intensity option", ParameterError, "intensity must be one of")
def _(tmp):
    csv = image_folder(tmp)
    return lambda: load_image_folder(csv, size=32, intensity="auto")

def dicom_image(path, pixels, **attrs):
    "A single-frame DICOM image from the shipped sample series' header"
    import pydicom
    from medai.core import data_samples_dir
    ds = pydicom.dcmread(sorted((data_samples_dir()/"lidc_phantom"/"dicom_series").glob("*.dcm"))[0])
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    for k in ("WindowCenter", "WindowWidth"):
        if k in ds: delattr(ds, k)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    for k, v in attrs.items(): setattr(ds, k, v)
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    ds.save_as(path)
    return path

@case("an image list saved by a European spreadsheet (byte-order mark, semicolons) reads")
def _(tmp):
    csv = image_folder(tmp); table = pd.read_csv(csv)
    csv.write_bytes(b"\xef\xbb\xbf" + table.to_csv(index=False, sep=";").encode())
    def check(): assert load_image_folder(csv, size=32).images.shape == (30, 1, 32, 32)
    return check

@case("DICOM: rescale slope and intercept, then the file's own window")
def _(tmp):
    raw = np.tile(np.arange(0, 2000, 50, dtype=np.uint16), (40, 1))     # stored values 0..1950
    dicom_image(tmp/"ct.dcm", raw, RescaleSlope=2, RescaleIntercept=-1000, WindowCenter=0, WindowWidth=2000)
    def check():
        x, how = read_2d(tmp/"ct.dcm")
        hu = raw*2.0 - 1000
        np.testing.assert_allclose(x, np.clip((hu - (0 - 0.5))/(2000 - 1) + 0.5, 0, 1), atol=1e-6); assert "window" in how   # PS3.3 C.11.2.1.2.1
    return check

@case("DICOM without a window: scaled by its stored bit depth, not by its own range")
def _(tmp):
    dicom_image(tmp/"a.dcm", np.full((40, 40), 1000, np.uint16) + np.eye(40, dtype=np.uint16))
    return lambda: np.testing.assert_allclose(read_2d(tmp/"a.dcm")[0].max(), 1001/4095, atol=1e-6)

@case("DICOM MONOCHROME1 is inverted")
def _(tmp):
    dicom_image(tmp/"m1.dcm", np.zeros((40, 40), np.uint16), PhotometricInterpretation="MONOCHROME1")
    return lambda: np.testing.assert_allclose(read_2d(tmp/"m1.dcm")[0], 1.0)

@case("a DICOM file without an extension is read as DICOM")
def _(tmp):
    dicom_image(tmp/"IM0001", np.full((40, 40), 4095, np.uint16))
    return lambda: np.testing.assert_allclose(read_2d(tmp/"IM0001")[0], 1.0)

@case("a DICOM file without extension or preamble is read as DICOM, not called truncated")
def _(tmp):
    dicom_image(tmp/"IM0002", np.full((40, 40), 4095, np.uint16))
    raw = (tmp/"IM0002").read_bytes(); (tmp/"IM0002").write_bytes(raw[132:])   # no 128-byte preamble, no 'DICM'
    return lambda: np.testing.assert_allclose(read_2d(tmp/"IM0002")[0], 1.0)

@case("DICOM with window width 0: the window ignored, not a binarised image")
def _(tmp):
    raw = np.tile(np.arange(0, 4000, 100, dtype=np.uint16), (40, 1))
    dicom_image(tmp/"w0.dcm", raw, WindowCenter=2000, WindowWidth=0)
    def check():
        x, how = read_2d(tmp/"w0.dcm")
        assert len(np.unique(x)) > 2 and "is invalid: ignored" in how
        np.testing.assert_allclose(x, raw/4095, atol=1e-6)
    return check

@case("a 32-bit integer TIFF asks for intensity='range' instead of coming out black", DataError, "intensity='range'")
def _(tmp):
    from PIL import Image
    Image.fromarray(np.full((20, 20), 2**20, np.int32), mode="I").save(tmp/"deep.tif")
    return lambda: read_2d(tmp/"deep.tif")

@case("a phone photo's EXIF orientation is applied, as a viewer shows it")
def _(tmp):
    from PIL import Image
    im = Image.fromarray(np.tile(np.arange(30, dtype=np.uint8)*8, (20, 1)))   # 20 x 30, brightening to the right
    exif = im.getexif(); exif[0x0112] = 6                                      # 'rotate 90 degrees clockwise to display'
    im.save(tmp/"photo.jpg", exif=exif, quality=100)
    def check():
        x, _ = read_2d(tmp/"photo.jpg")
        assert x.shape == (30, 20) and x[-1].mean() > x[0].mean()             # shown upright: portrait, brightening downwards
    return check

@case("an uncompressed TIFF turned by its orientation tag reads as a viewer shows it")
def _(tmp):
    from PIL import Image
    stored = np.tile(np.arange(30, dtype=np.uint16)*2000, (20, 1))                # 20 x 30, 16-bit, brightening to the right
    Image.fromarray(stored).save(tmp/"scan.tif", tiffinfo={274: 6})              # uncompressed: Pillow's own decoder exchanges width and height
    return lambda: np.testing.assert_allclose(read_2d(tmp/"scan.tif")[0], np.rot90(stored, -1)/65535, atol=1e-6)

@case("a MedMNIST-like file of 16-bit images is refused rather than divided by 255", DataError, "uint8")
def _(tmp):
    from medai.imaging.data import load_medmnist
    arrays = {f"{s}_{k}": (np.full((4, 28, 28), 40000, np.uint16) if k == "images" else np.array([[0], [1], [0], [1]])) for s in ("train", "val", "test") for k in ("images", "labels")}
    np.savez(tmp/"mymnist.npz", **arrays)
    return lambda: load_medmnist(tmp/"mymnist.npz")

@case("DICOM without pixel data", DataError, "no pixel data")
def _(tmp):
    import pydicom
    dicom_image(tmp/"x.dcm", np.zeros((8, 8), np.uint16)); ds = pydicom.dcmread(tmp/"x.dcm"); del ds.PixelData; ds.save_as(tmp/"x.dcm")
    return lambda: read_2d(tmp/"x.dcm")

@case("labels differing only by case", DataError, "differ only by case or spaces")
def _(tmp):
    csv = image_folder(tmp, labels=("benign", "malignant", "Benign"))
    return lambda: load_image_folder(csv, size=32)

@case("labels differing only by a trailing space", DataError, "differ only by case or spaces")
def _(tmp):
    csv = image_folder(tmp, labels=("benign", "malignant", "malignant "))
    return lambda: load_image_folder(csv, size=32)

@case("an empty label", DataError, "have no label")
def _(tmp):
    csv = image_folder(tmp); df = pd.read_csv(csv); df.loc[3, "label"] = None; df.to_csv(csv, index=False)
    return lambda: load_image_folder(csv, size=32)

@case("one class only", DataError, "at least two classes")
def _(tmp):
    csv = image_folder(tmp, labels=("benign",))
    return lambda: load_image_folder(csv, size=32)

@case("too few patients for the split fractions", DataError, "too few patients")
def _(tmp):
    csv = image_folder(tmp, n=8)
    return lambda: load_image_folder(csv, size=32)

@case("size 0", ParameterError, "size must be a positive")
def _(tmp):
    csv = image_folder(tmp)
    return lambda: load_image_folder(csv, size=0)

@case("negative size", ParameterError, "size must be a positive")
def _(tmp):
    csv = image_folder(tmp)
    return lambda: load_image_folder(csv, size=(-32, 32))

@case("size as text", ParameterError, "size must be a positive")
def _(tmp):
    csv = image_folder(tmp)
    return lambda: load_image_folder(csv, size="64")

@case("a wide image squashed to a square warns")
def _(tmp):
    csv = image_folder(tmp, size=(40, 120))
    return lambda: warns(lambda: load_image_folder(csv, size=32), "pad=True")

@case("pad=True keeps a wide image's aspect ratio")
def _(tmp):
    csv = image_folder(tmp, size=(40, 120))
    def check():
        d = no_warning(lambda: load_image_folder(csv, size=32, pad=True), "aspect ratio")
        assert d.preprocessing["pad"] and (d.images[:, 0, :5] == 0).all()     # padded rows above the picture
    return check

@case("a truncated PNG", DataError, "unreadable or truncated")
def _(tmp):
    csv = image_folder(tmp); (tmp/"img"/"003.png").write_bytes((tmp/"img"/"003.png").read_bytes()[:60])
    return lambda: load_image_folder(csv, size=32)

@case("a text file named .png", DataError, "unreadable or truncated")
def _(tmp):
    csv = image_folder(tmp); (tmp/"img"/"004.png").write_text("not an image")
    return lambda: load_image_folder(csv, size=32)

@case("a CSV row pointing at a missing image", DataError, "No such image file")
def _(tmp):
    csv = image_folder(tmp); (tmp/"img"/"005.png").unlink()
    return lambda: load_image_folder(csv, size=32)

@case("a labels CSV without a label column", DataError, "no 'label' column")
def _(tmp):
    csv = image_folder(tmp); pd.read_csv(csv).rename(columns={"label": "diagnosis"}).to_csv(csv, index=False)
    return lambda: load_image_folder(csv, size=32)

@case("split values other than train/val/test", DataError, "split values must be")
def _(tmp):
    csv = image_folder(tmp); pd.read_csv(csv).assign(split="training").to_csv(csv, index=False)
    return lambda: load_image_folder(csv, size=32)

@case("RGB and grayscale mixed", DataError, "mixes RGB")
def _(tmp):
    csv = image_folder(tmp); Image.fromarray(np.stack([picture()]*3, -1)).save(tmp/"img"/"002.png")
    return lambda: load_image_folder(csv, size=32)

@case("an image smaller than size", DataError, "smaller than the requested size")
def _(tmp):
    csv = image_folder(tmp, size=(20, 20))
    return lambda: load_image_folder(csv, size=32)

@case("a multi-frame TIFF", DataError, "frames")
def _(tmp):
    frames = [Image.fromarray(picture(seed=s)) for s in range(3)]
    frames[0].save(tmp/"stack.tif", save_all=True, append_images=frames[1:])
    return lambda: read_2d(tmp/"stack.tif")

@case("an empty image folder", DataError, "No images found")
def _(tmp):
    (tmp/"imgs"/"benign").mkdir(parents=True)
    return lambda: load_image_folder(tmp/"imgs", size=32)

@case("an image folder that does not exist", DataError, "No such folder")
def _(tmp): return lambda: load_image_folder(tmp/"nope", size=32)

# ---------------------------------------------------------------- 3D volumes and nodule crops
def nifti(path, shape=(20, 20, 20), affine=None, data=None):
    import nibabel as nib
    data = np.random.default_rng(0).normal(-700, 100, shape).astype(np.float32) if data is None else data
    nib.save(nib.Nifti1Image(data, np.eye(4) if affine is None else affine), str(path))
    return path

def nodules(tmp, rows, coords="world", **kw):
    nifti(tmp/"ct.nii.gz")
    base = [dict(volume="ct.nii.gz", x=10, y=10, z=10, label=l, patient_id=f"P{i}") for i, l in enumerate(["benign", "malignant"]*3)]
    df = pd.DataFrame(base); df["split"] = ["train", "train", "val", "val", "test", "test"]
    for i, r in rows.items():
        for k, v in r.items(): df[k] = df[k].astype(object); df.loc[i, k] = v
    df.to_csv(tmp/"nodules.csv", index=False)
    return lambda: nodule_crops(tmp/"nodules.csv", size=8, coords=coords, **kw)

@case("nodule outside the volume on the negative side (world)", DataError, "outside the volume on axis x")
def _(tmp): return nodules(tmp, {2: dict(x=-6.0)})

@case("nodule outside the volume on the negative side (voxel, z)", DataError, "outside the volume on axis z")
def _(tmp): return nodules(tmp, {1: dict(z=-3)}, coords="voxel")

@case("nodule beyond the positive side (y)", DataError, "outside the volume on axis y")
def _(tmp): return nodules(tmp, {4: dict(y=25.0)})

@case("nodule exactly at the corner voxel is cropped, padded")
def _(tmp):
    call = nodules(tmp, {0: dict(x=0, y=0, z=0)}, coords="voxel")
    def check(): assert call().images.shape == (6, 1, 8, 8, 8)
    return check

@case("a coordinate written as text", DataError, "not a number")
def _(tmp): return nodules(tmp, {3: dict(y="12mm")})

@case("a missing coordinate", DataError, "not a number")
def _(tmp): return nodules(tmp, {3: dict(z=np.nan)})

@case("a nodule CSV without coordinates", DataError, "lacks columns")
def _(tmp):
    call = nodules(tmp, {}); pd.read_csv(tmp/"nodules.csv").drop(columns="z").to_csv(tmp/"nodules.csv", index=False)
    return call

@case("nodule crop size 0", ParameterError, "size must be a positive")
def _(tmp):
    nodules(tmp, {})
    return lambda: nodule_crops(tmp/"nodules.csv", size=0)

@case("unknown coords option", ParameterError, "coords must be")
def _(tmp): return nodules(tmp, {}, coords="mm")

@case("a 2D NIfTI where a volume is expected", DataError, "2D image")
def _(tmp):
    nifti(tmp/"slice.nii.gz", data=np.zeros((32, 32), np.float32))
    return lambda: load_volume(tmp/"slice.nii.gz")

@case("a single-slice NIfTI where a volume is expected", DataError, "2D image")
def _(tmp):
    nifti(tmp/"slice.nii.gz", data=np.zeros((32, 32, 1), np.float32))
    return lambda: load_volume(tmp/"slice.nii.gz")

@case("a volume with NaN voxels", DataError, "NaN")
def _(tmp):
    v = np.zeros((10, 10, 10), np.float32); v[3, 3, 3] = np.nan; nifti(tmp/"nan.nii.gz", data=v)
    return lambda: load_volume(tmp/"nan.nii.gz", spacing=None)

@case("a damaged NIfTI", DataError, "Cannot read volume")
def _(tmp):
    (tmp/"bad.nii.gz").write_bytes(b"\x1f\x8b not really gzip")
    return lambda: load_volume(tmp/"bad.nii.gz")

@case("a missing volume", DataError, "No such volume")
def _(tmp): return lambda: load_volume(tmp/"none.nii.gz")

def series(tmp):
    import shutil
    from medai.core import data_samples_dir
    shutil.copytree(data_samples_dir()/"lidc_phantom"/"dicom_series", tmp/"series")
    return tmp/"series", sorted((tmp/"series").glob("*.dcm"))

@case("a DICOM series with a missing slice", DataError, "unevenly spaced")
def _(tmp):
    folder, files = series(tmp); files[20].unlink()
    return lambda: load_volume(folder)

@case("a DICOM series with a duplicate slice", DataError, "duplicate slices")
def _(tmp):
    import shutil
    folder, files = series(tmp); shutil.copy(files[10], folder/"copy.dcm")
    return lambda: load_volume(folder)

@case("two DICOM series in one folder", DataError, "mixes 2 DICOM series")
def _(tmp):
    import pydicom
    folder, files = series(tmp); ds = pydicom.dcmread(files[0]); ds.SeriesInstanceUID = "1.2.3.4"; ds.save_as(files[0])
    return lambda: load_volume(folder)

@case("a non-DICOM file in a series folder", DataError, "not a readable DICOM file")
def _(tmp):
    folder, _ = series(tmp); (folder/"notes.txt").write_text("scanner notes")
    return lambda: load_volume(folder)

@case("loading a volume gives no nvImageCodec warning or log message")
def _(tmp):
    import logging
    nifti(tmp/"ct.nii.gz")
    class Catch(logging.Handler):
        def __init__(self): super().__init__(); self.messages = []
        def emit(self, record): self.messages.append(record.getMessage())
    def check():
        catch = Catch(); logging.getLogger().addHandler(catch)
        try: no_warning(lambda: load_volume(tmp/"ct.nii.gz"), "nvImageCodec")
        finally: logging.getLogger().removeHandler(catch)
        assert not any("nvImageCodec" in m for m in catch.messages), catch.messages
    return check

# ---------------------------------------------------------------- CGM files
from medai.monitor.cgm import load_cgm, validate_cgm

def cgm_csv(tmp, times, gl=120.0, name="cgm.csv", sep=","):
    df = pd.DataFrame(dict(id="p1", time=times, gl=gl))
    df.to_csv(tmp/name, index=False, sep=sep)
    return tmp/name

def stamps(day0, n, fmt, step=5): return [(pd.Timestamp(day0) + pd.Timedelta(minutes=step*i)).strftime(fmt) for i in range(n)]

def span_days(cg): r = cg.readings; return (r.time.max() - r.time.min())/pd.Timedelta("1D")

@case("day-first dates read day-first (14 days, not 11 months)")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 14*288, "%d/%m/%Y %H:%M"))
    return lambda: np.testing.assert_allclose(span_days(load_cgm(f)), 14 - 5/1440)

@case("month-first dates read month-first")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 14*288, "%m/%d/%Y %H:%M"))
    return lambda: np.testing.assert_allclose(span_days(load_cgm(f)), 14 - 5/1440)

@case("dates that could be either order, with different spans", DataError, "dayfirst=True")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 3*288, "%d/%m/%Y %H:%M"))
    return lambda: load_cgm(f)

@case("ambiguous dates read as told with dayfirst=")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 3*288, "%d/%m/%Y %H:%M"))
    return lambda: np.testing.assert_allclose(span_days(load_cgm(f, dayfirst=True)), 3 - 5/1440)

@case("dayfirst= that the data contradict", DataError, "contradicts")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 14*288, "%d/%m/%Y %H:%M"))
    return lambda: load_cgm(f, dayfirst=False)

@case("ISO and slashed dates mixed in one file", DataError, "two formats")
def _(tmp):
    t = stamps("2024-03-01", 500, "%d/%m/%Y %H:%M"); t[100] = "2024-03-01 08:20:00"
    return lambda: load_cgm(cgm_csv(tmp, t))

@case("day-first and month-first dates mixed in one file", DataError, "day-first in some rows")
def _(tmp):
    return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-13", 200, "%d/%m/%Y %H:%M") + stamps("2024-03-14", 200, "%m/%d/%Y %H:%M")))

@case("LibreView export with day-first dates")
def _(tmp):
    t = stamps("2024-05-01", 14*96, "%d-%m-%Y %H:%M", step=15)
    body = pd.DataFrame({"Device": "FreeStyle LibreLink", "Serial Number": "X", "Device Timestamp": t, "Record Type": 0,
                         "Historic Glucose mg/dL": 110, "Scan Glucose mg/dL": ""})
    (tmp/"libre.csv").write_text("Glucose Data,Generated on,01-06-2024 10:00,Generated by,medai\n" + body.to_csv(index=False))
    return lambda: np.testing.assert_allclose(span_days(load_cgm(tmp/"libre.csv")), 14 - 15/1440)

@case("a time of day without a date is refused, not dated today", DataError, "without a date")
def _(tmp):
    return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-01", 50, "%H:%M")))

@case("one late row is sorted into place, not taken for a clock change")
def _(tmp):
    t = stamps("2024-03-01", 300, "%Y-%m-%d %H:%M"); late = t.pop(150)
    t.insert(160, late)                                   # arrives 50 minutes late
    def check():
        r = load_cgm(cgm_csv(tmp, t)).readings
        assert len(r) == 300 and r.time.tolist() == [pd.Timestamp(x) for x in sorted(t)]   # no reading moved by an hour
    return check

@case("readings sorted newest first read the same as oldest first")
def _(tmp):
    t = stamps("2024-03-01", 300, "%Y-%m-%d %H:%M"); gl = list(np.linspace(80, 200, 300))
    a, b = cgm_csv(tmp, t, gl, name="a.csv"), cgm_csv(tmp, t[::-1], gl[::-1], name="b.csv")
    return lambda: pd.testing.assert_frame_equal(load_cgm(a).readings, load_cgm(b).readings)

@case("a file appended to itself: a 4 U bolus stays 4 U, glucose unchanged")
def _(tmp):
    t = pd.date_range("2024-03-01", periods=100, freq="5min")
    one = pd.DataFrame({"id": "p1", "time": t, "gl": np.linspace(90, 150, 100), "insulin": 0.0}); one.loc[10, "insulin"] = 4.0
    def check():
        cg = warns(lambda: validate_cgm(pd.concat([one, one]), extra={"insulin": "insulin"}), "appended to itself")
        assert cg.readings.insulin.sum() == 4.0 and len(cg.readings) == 100
    return check

def dexcom(tmp, times, insulin_at:str, fmt="%d/%m/%Y %H:%M", **drop):
    rows = [dict(Index=i, **{"Timestamp (YYYY-MM-DDThh:mm:ss)": s, "Event Type": "EGV", "Glucose Value (mg/dL)": 120, "Insulin Value (u)": "", "Carb Value (grams)": ""})
            for i, s in enumerate(times)]
    rows.append(dict(Index=len(rows), **{"Timestamp (YYYY-MM-DDThh:mm:ss)": insulin_at, "Event Type": "Insulin", "Glucose Value (mg/dL)": "", "Insulin Value (u)": 4, "Carb Value (grams)": ""}))
    df = pd.DataFrame(rows).drop(columns=list(drop))
    df.to_csv(tmp/"clarity.csv", index=False, encoding="utf-8-sig")   # Clarity writes a byte-order mark
    return tmp/"clarity.csv"

@case("a day-first Dexcom export: the bolus lands on the day it was given")
def _(tmp):
    f = dexcom(tmp, stamps("2024-03-01", 14*288, "%d/%m/%Y %H:%M"), "05/03/2024 08:00")   # 5 March, whose own digits could be read May 3
    def check():
        r = load_cgm(f).readings
        assert r.loc[r.insulin > 0, "time"].tolist() == [pd.Timestamp("2024-03-05 08:00")]
    return check

@case("a Dexcom export without its Timestamp column", DataError, "without its 'Timestamp")
def _(tmp):
    f = dexcom(tmp, stamps("2024-03-01", 100, "%Y-%m-%d %H:%M"), "2024-03-01 05:00", **{"Timestamp (YYYY-MM-DDThh:mm:ss)": 1})
    return lambda: load_cgm(f, format="dexcom")

@case("a LibreView export with ';' and decimal commas (mmol/L)")
def _(tmp):
    t = stamps("2024-05-01", 14*96, "%d-%m-%Y %H:%M", step=15)
    body = pd.DataFrame({"Device": "FreeStyle LibreLink", "Serial Number": "X", "Device Timestamp": t, "Record Type": 0,
                         "Historic Glucose mmol/L": "6,1", "Scan Glucose mmol/L": ""})
    (tmp/"libre.csv").write_text("Glucose Data;Generated on;01-06-2024 10:00;Generated by;medai\n" + body.to_csv(index=False, sep=";"))
    return lambda: np.testing.assert_allclose(load_cgm(tmp/"libre.csv").readings.gl.iloc[0], 6.1*18.016, rtol=1e-6)

@case("a LibreView export with a localized header", DataError, "in English")
def _(tmp):
    t = stamps("2024-05-01", 96, "%d-%m-%Y %H:%M", step=15)
    body = pd.DataFrame({"Gerät": "FreeStyle LibreLink", "Seriennummer": "X", "Device Timestamp": t, "Record Type": 0, "Glukosewert-Verlauf mg/dL": 110})
    (tmp/"libre.csv").write_text("Glukosedaten,Erstellt am,01-06-2024 10:00,Erstellt von,medai\n" + body.to_csv(index=False))
    return lambda: load_cgm(tmp/"libre.csv", format="libre")

@case("two readings at one time that disagree: the first kept, with a warning naming patient and time")
def _(tmp):
    t = stamps("2024-03-01", 300, "%Y-%m-%d %H:%M"); gl = [120.0]*300; gl[12] = 60.0
    f = cgm_csv(tmp, t + [t[12]], gl + [300.0])
    def check():
        cg = warns(lambda: load_cgm(f), "'p1'")
        assert cg.readings.loc[cg.readings.time == pd.Timestamp(t[12]), "gl"].tolist() == [60.0]
    return check

@case("two readings at one time that agree are averaged")
def _(tmp):
    t = stamps("2024-03-01", 300, "%Y-%m-%d %H:%M")
    f = cgm_csv(tmp, t + [t[12]], [120.0]*300 + [126.0])
    return lambda: np.testing.assert_allclose(load_cgm(f).readings.gl.iloc[12], 123.0)

@case("many conflicting duplicates: two sensors in one file", DataError, "disagree by more than")
def _(tmp):
    t = stamps("2024-03-01", 100, "%Y-%m-%d %H:%M")
    return lambda: load_cgm(cgm_csv(tmp, t + t, [100.0]*100 + [250.0]*100))

@case("autumn clock change in naive local time: the repeated hour is kept, with a warning")
def _(tmp):
    t = stamps("2024-10-27 00:00", 24, "%Y-%m-%d %H:%M") + stamps("2024-10-27 01:00", 48, "%Y-%m-%d %H:%M")
    f = cgm_csv(tmp, t, np.arange(72.0) + 100)
    def check():
        cg = warns(lambda: load_cgm(f), "clock goes back")
        assert len(cg) == 72 and cg.readings.gl.is_monotonic_increasing
    return check

@case("mmol/L values converted to mg/dL")
def _(tmp):
    f = cgm_csv(tmp, stamps("2024-03-01", 100, "%Y-%m-%d %H:%M"), 5.5)
    return lambda: np.testing.assert_allclose(load_cgm(f).readings.gl, 5.5*18.016)

@case("mg/dL and mmol/L values mixed", DataError, "Cannot tell the glucose units")
def _(tmp):
    return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-01", 100, "%Y-%m-%d %H:%M"), [6.0]*50 + [110.0]*50))

@case("semicolon-separated CGM file with decimal commas")
def _(tmp):
    t = stamps("2024-03-01", 100, "%Y-%m-%d %H:%M")
    (tmp/"eu.csv").write_text("id;time;gl\n" + "".join(f"p1;{s};5,5\n" for s in t))
    return lambda: np.testing.assert_allclose(load_cgm(tmp/"eu.csv", format="generic").readings.gl, 5.5*18.016)

@case("glucose written as text", DataError, "not numbers")
def _(tmp):
    return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-01", 10, "%Y-%m-%d %H:%M"), ["110"]*9 + ["110 mg/dL"]))

@case("a negative glucose", DataError, "glucose must be positive")
def _(tmp):
    return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-01", 10, "%Y-%m-%d %H:%M"), [110.0]*9 + [-5.0]))

@case("a missing timestamp", DataError, "missing timestamps")
def _(tmp):
    t = stamps("2024-03-01", 10, "%Y-%m-%d %H:%M"); t[4] = ""
    return lambda: load_cgm(cgm_csv(tmp, t))

@case("an unreadable timestamp", DataError, "unreadable timestamps")
def _(tmp):
    t = stamps("2024-03-01", 10, "%Y-%m-%d %H:%M"); t[4] = "yesterday"
    return lambda: load_cgm(cgm_csv(tmp, t))

@case("an empty CGM file", DataError, "is empty")
def _(tmp):
    (tmp/"empty.csv").write_text("")
    return lambda: load_cgm(tmp/"empty.csv")

@case("an unknown CGM format name", ParameterError, "Did you mean 'dexcom'")
def _(tmp): return lambda: load_cgm(cgm_csv(tmp, stamps("2024-03-01", 10, "%Y-%m-%d %H:%M")), format="dexcon")

@case("a generic CGM file without the glucose column named", DataError, "missing column")
def _(tmp):
    pd.DataFrame(dict(pid="a", ts=stamps("2024-03-01", 10, "%Y-%m-%d %H:%M"), Glucose=100)).to_csv(tmp/"g.csv", index=False)
    return lambda: load_cgm(tmp/"g.csv", format="generic", id="pid", time="ts")

@case("an unrecognised CGM layout", DataError, "not a layout medai recognises")
def _(tmp):
    pd.DataFrame(dict(a=[1], b=[2])).to_csv(tmp/"x.csv", index=False)
    return lambda: load_cgm(tmp/"x.csv")

# ---------------------------------------------------------------- tables and treatment data
from medai.treatment.data import from_table

def cohort(tmp, n=60, name="cohort.csv", sep=",", **cols):
    r = np.random.default_rng(0)
    df = pd.DataFrame(dict(patient_id=[f"PT-{i:05d}" for i in range(n)], age=r.normal(60, 8, n).round(1), arm=r.choice(["a", "b"], n),
                           time=r.exponential(20, n).round(2) + 0.1, event=r.integers(0, 2, n), score=r.normal(10, 2, n).round(2)))
    for k, v in cols.items(): df[k] = v
    df.to_csv(tmp/name, index=False, sep=sep)
    return tmp/name

@case("a semicolon file that writes decimals both ways is refused, not read half right", DataError, "writes decimals both ways")
def _(tmp):
    (tmp/"mixed.csv").write_text("patient;weight;height\nA;80,5;1.72\nB;70,25;1.65\n")
    return lambda: load_dataset(tmp/"mixed.csv")

@case("'1.234' in a semicolon file whose other numbers use decimal commas is 1234")
def _(tmp):
    (tmp/"eu.csv").write_text("patient;steps;weight\nA;1.234;80,5\nB;12.500;70,25\n")
    def check(): assert load_dataset(tmp/"eu.csv").frame.steps.tolist() == [1234, 12500]
    return check

@case("a semicolon survival file with one text time names that row, not the first")
def _(tmp):
    (tmp/"os.csv").write_text("os_months;died\n10,5;1\n8,25;0\n12.3 months;1\n")
    def check():
        from medai.core import survival_columns
        with pytest.raises(DataError, match=r"row 4: '12.3 months'"): survival_columns(load_dataset(tmp/"os.csv").frame, "os_months", "died", name="os.csv")
    return check

@case("id-like columns are identifiers, not covariates")
def _(tmp):
    f = cohort(tmp, MRN=[f"M{i:07d}" for i in range(60)], record_number=np.arange(60) + 1000)
    def check():
        ds = load_dataset(f, time="time", event="event", treatment="arm")
        assert set(ds.identifiers) == {"patient_id", "MRN", "record_number"}
        assert not set(from_table(ds).X.columns) & set(ds.identifiers)
    return check

@case("a text column with one value per patient (a name) is an identifier")
def _(tmp):
    f = cohort(tmp, patient_id=[f"PT-{i//2:05d}" for i in range(60)], full_name=[f"Person {i//2}" for i in range(60)])
    def check(): assert "full_name" in load_dataset(f).identifiers
    return check

@case("an outcome column holding text", DataError, "holds text")
def _(tmp):
    f = cohort(tmp, score=["improved"]*30 + ["1.0"]*30)
    return lambda: from_table(load_dataset(f), treatment="arm", outcome="score")

@case("a time column holding '12.3 months'", DataError, "rather than '12.3 months'")
def _(tmp):
    f = cohort(tmp, time=["12.3 months"]*60)
    return lambda: from_table(load_dataset(f, time="time", event="event"), treatment="arm")

@case("an event column holding text", DataError, "1 for an event observed")
def _(tmp):
    f = cohort(tmp, event=["dead", "alive"]*30)
    return lambda: from_table(load_dataset(f, time="time", event="event"), treatment="arm")

@case("an event column with values other than 0/1", DataError, "must be 0/1")
def _(tmp):
    f = cohort(tmp, event=[1, 2]*30)
    return lambda: from_table(load_dataset(f, time="time", event="event"), treatment="arm")

@case("negative survival times", DataError, "zero or negative")
def _(tmp):
    f = cohort(tmp, time=[-1.0] + [5.0]*59)
    return lambda: from_table(load_dataset(f, time="time", event="event"), treatment="arm")

@case("semicolon-separated table with decimal commas is read as numbers")
def _(tmp):
    (tmp/"eu.csv").write_text("age;weight;arm\n" + "".join(f"{50 + i};{70 + i},5;{'ab'[i % 2]}\n" for i in range(20)))
    return lambda: np.testing.assert_allclose(load_dataset(tmp/"eu.csv").frame.weight.iloc[:2], [70.5, 71.5])

@case("an arm whose name differs only in case from a large arm warns, naming both")
def _(tmp):
    f = cohort(tmp, arm=["standard"]*50 + ["Standard"]*3 + ["new"]*7)
    return lambda: warns(lambda: from_table(load_dataset(f), treatment="arm", outcome="score"), "'Standard' (3 patients)")

@case("no outcome named for a table without survival columns", ParameterError, "-p outcome COLUMN")
def _(tmp):
    f = cohort(tmp)
    return lambda: from_table(load_dataset(f), treatment="arm")

@case("the outcome listed as a covariate", ParameterError, "cannot be covariates")
def _(tmp):
    f = cohort(tmp)
    return lambda: from_table(load_dataset(f), treatment="arm", outcome="score", covariates=["age", "score"])

@case("every patient in one arm", DataError, "at least two arms")
def _(tmp):
    f = cohort(tmp, arm="a")
    return lambda: from_table(load_dataset(f), treatment="arm", outcome="score")

def _trial(tmp, **cols):
    from medai.treatment.policy import fit_policy
    td = from_table(load_dataset(cohort(tmp, n=120, **cols)), treatment="arm", outcome="score")
    return td, fit_policy

@case("a policy with an arm of fewer than 10 patients", DataError, "fewer than 10 patients")
def _(tmp):
    td, fit_policy = _trial(tmp, arm=["a"]*60 + ["b"]*54 + ["c"]*6)
    return lambda: fit_policy(td)

@case("a policy's RMST horizon beyond an arm's follow-up", ParameterError, "beyond the follow-up of arm")
def _(tmp):
    from medai.treatment.policy import fit_policy
    td = from_table(load_dataset(cohort(tmp, n=120), time="time", event="event"), treatment="arm")
    return lambda: fit_policy(td, horizon=float(td.time.max()) + 1)

@case("held-out patients missing an arm of the policy", DataError, "no held-out patient received \\['c'\\]")
def _(tmp):
    from medai.treatment.policy import compare_policies
    td, fit_policy = _trial(tmp, arm=["a", "b", "c"]*40)
    pol = fit_policy(td.subset(np.arange(90)), "best_single_arm")
    test = td.subset(np.flatnonzero((td.treatment != "c").to_numpy()[90:]) + 90)
    return lambda: compare_policies(test, {"best": pol})

@case("METABRIC's therapies combined, one misspelled", DataError, "lacks \\['Hormone Therapi'\\]")
def _(tmp):
    from medai.treatment.data import METABRIC_COVARIATES, load_metabric
    cols = METABRIC_COVARIATES + ["Patient ID", "Chemotherapy", "Hormone Therapy", "Overall Survival (Months)", "Overall Survival Status"]
    pd.DataFrame({c: ["YES", "NO"] for c in cols}).to_csv(tmp/"metabric.tsv", sep="\t", index=False)
    return lambda: load_metabric(tmp/"metabric.tsv", treatment=["Chemotherapy", "Hormone Therapi"])

@case("held-out patients on an arm the policy never saw", DataError, "never saw in training")
def _(tmp):
    from medai.treatment.policy import compare_policies
    td, fit_policy = _trial(tmp, arm=["a", "b"]*50 + ["c"]*20)
    pol = fit_policy(td.subset(np.arange(100)), "best_single_arm")
    return lambda: compare_policies(td.subset(np.arange(60, 120)), {"best": pol})

@case("an effect model's option misspelled (econml)", ParameterError, "Did you mean 'min_samples_leaf'")
def _(tmp):
    from medai.treatment.cate import EffectModel
    return lambda: EffectModel("causal_forest", min_sample_leaf=20)

@case("an effect model's option misspelled (network)", ParameterError, "Did you mean 'patience'")
def _(tmp):
    from medai.treatment.cate import EffectModel
    return lambda: EffectModel("dragonnet", patiense=10)

@case("a dataset kind misspelled", ParameterError, "Did you mean 'cgm'")
def _(tmp):
    from medai.core import list_datasets
    return lambda: list_datasets("cgn")

@case("a cohort's origin misspelled", ParameterError, "origin must be one of")
def _(tmp):
    from medai.core import TableDataset
    return lambda: TableDataset("t", pd.DataFrame({"a": [1]}), origin="simulated")

@case("a reading interval that is not one", ParameterError, "step must be a reading interval")
def _(tmp):
    from medai.monitor.alerts import hypo_episodes
    readings = pd.DataFrame({"id": "p", "time": pd.date_range("2026-01-01", periods=5, freq="5min"), "gl": [60]*5})
    return lambda: hypo_episodes(readings, step="five minutes")

def _tiny_trainer(epochs=3):
    import torch
    from medai.engine import IndexBatches, Trainer
    X, y = torch.randn(40, 3), torch.randn(40)
    net = torch.nn.Linear(3, 1)
    return Trainer(net, lambda m, b: (torch.nn.functional.mse_loss(m(X[b]).squeeze(1), y[b]), len(b)), IndexBatches(40, 8), epochs)

@case("training validated without naming the metric to stop on", ParameterError, "needs monitor=")
def _(tmp):
    return lambda: _tiny_trainer().run(lambda m: dict(val_loss=0.0))

@case("a training resumed with other settings", ParameterError, "written with other settings")
def _(tmp):
    _tiny_trainer().run(checkpoint=tmp/"c.pt", settings=dict(lr=1e-3), stop_after=1)
    return lambda: _tiny_trainer().run(checkpoint=tmp/"c.pt", resume=True, settings=dict(lr=1e-2))

@case("distributed training started without torchrun or SLURM", ParameterError, "torchrun")
def _(tmp):
    import os
    from medai.imaging.distributed import init_process_group
    for k in ("RANK", "WORLD_SIZE", "SLURM_JOB_ID"): os.environ.pop(k, None)
    return init_process_group

@case("a Dragonnet asked for differential privacy", ParameterError, "Dragonnet")
def _(tmp):
    import numpy as np
    from medai.engine import DPConfig
    from medai.treatment.cate import TARNet
    return lambda: TARNet(dragonnet=True, dp=DPConfig(epsilon=4)).fit(np.zeros((20, 2)), np.r_[[0]*10, [1]*10], np.zeros(20))

@case("CFR asked for differential privacy", ParameterError, "cannot train CFR")
def _(tmp):
    import numpy as np
    from medai.engine import DPConfig
    from medai.treatment.cate import EffectModel
    from medai.treatment.data import TreatmentData
    X = pd.DataFrame({"age": np.linspace(40, 80, 20)})
    td = TreatmentData(X, pd.Series(["a", "b"]*10), "continuous", y=pd.Series(np.arange(20.0)))
    return lambda: EffectModel("cfr", dp=DPConfig(epsilon=4)).fit(td)

@case("an unknown column role", ParameterError, "Unknown column role")
def _(tmp):
    f = cohort(tmp)
    return lambda: load_dataset(f, outcome="score")

@case("a role naming a column that is not there", DataError, "Did you mean 'time'")
def _(tmp):
    f = cohort(tmp)
    return lambda: load_dataset(f, time="tme", event="event")

@case("a spreadsheet instead of a CSV", DataError, "not '.xlsx'")
def _(tmp):
    (tmp/"cohort.xlsx").write_bytes(b"PK\x03\x04")
    return lambda: load_dataset(tmp/"cohort.xlsx")

@case("a table file that does not exist", DataError, "No such file")
def _(tmp): return lambda: load_dataset(tmp/"missing.csv")

@case("a registry table's column role overridden with a misspelled column", DataError, "Did you mean 'time'")
def _(tmp): return lambda: load_dataset("gbsg2", time="tme")

@case("column roles given to a registry dataset that is not a table", ParameterError, "takes no column roles")
def _(tmp): return lambda: load_dataset("breast_ultrasound_phantom", time="t")

@case("a misspelled dataset name", MedaiError, "Did you mean 'gbsg2'")
def _(tmp): return lambda: load_dataset("gbsg")

# ---------------------------------------------------------------- evaluation
from medai.eval import evaluate_binary

@case("a weak model with every case below the threshold: PPV undefined, the run goes on")
def _(tmp):
    y = np.r_[np.zeros(30), np.ones(20)]
    def check():
        m = evaluate_binary(y, np.full(50, 0.2), threshold=0.5, n_boot=100)
        assert np.isnan(m.loc["ppv", "value"]) and "no test case is predicted positive" in m.loc["ppv", "note"]
        assert m.loc["sensitivity", "value"] == 0 and m.loc["specificity", "value"] == 1
    return check

@case("test labels of one class only", DataError, "no positive case")
def _(tmp): return lambda: evaluate_binary(np.zeros(20), np.linspace(0, 1, 20), threshold=0.5)

# ---------------------------------------------------------------- privacy
from medai.core import PrivacyError, decrypt_bytes, open_data
from medai.privacy import encrypt_file, min_cell, new_key_file, suppress_small_counts

@pytest.fixture(autouse=True)
def data_key(tmp_path, monkeypatch):
    key = new_key_file(tmp_path/"keys"/"data.key")
    monkeypatch.setenv("MEDAI_DATA_KEY_FILE", str(key)); monkeypatch.delenv("MEDAI_DATA_KEY", raising=False)

@case("an encrypted file shorter than its header", PrivacyError, "truncated")
def _(tmp):
    from medai.core import ENCRYPTION_MAGIC
    (tmp/"x.csv.enc").write_bytes(ENCRYPTION_MAGIC + b"\x00"*5)
    return lambda: decrypt_bytes(tmp/"x.csv.enc")

@case("encrypting an encrypted file again", PrivacyError, "already encrypted")
def _(tmp):
    f = cohort(tmp); enc = encrypt_file(f)
    return lambda: encrypt_file(enc, tmp/"twice.enc")

@case("a file encrypted twice by hand says it is still encrypted", PrivacyError, "encrypted twice")
def _(tmp):
    import secrets
    from medai.core import ENCRYPTION_MAGIC as MAGIC, aes_gcm, load_key
    f = cohort(tmp); enc = encrypt_file(f); nonce = secrets.token_bytes(12)
    (tmp/"twice.csv.enc").write_bytes(MAGIC + nonce + aes_gcm(load_key()).encrypt(nonce, enc.read_bytes(), MAGIC))
    return lambda: open_data(tmp/"twice.csv.enc")

@case("an encrypted cohort is read in memory")
def _(tmp):
    enc = encrypt_file(cohort(tmp)); (tmp/"cohort.csv").unlink()
    def check(): assert len(load_dataset(enc).frame) == 60
    return check

@case("an encrypted file read with the wrong key", PrivacyError, "wrong key")
def _(tmp):
    enc = encrypt_file(cohort(tmp))
    other = new_key_file(tmp/"keys"/"other.key")
    def call():
        old = os.environ["MEDAI_DATA_KEY_FILE"]; os.environ["MEDAI_DATA_KEY_FILE"] = str(other)
        try: load_dataset(enc)
        finally: os.environ["MEDAI_DATA_KEY_FILE"] = old
    return call

@case("MEDAI_MIN_CELL that is not a whole number", ParameterError, "MEDAI_MIN_CELL must be a whole number")
def _(tmp):
    os.environ["MEDAI_MIN_CELL"] = "five"
    def call():
        try: suppress_small_counts(pd.DataFrame({"n": [3]}), ["n"])
        finally: del os.environ["MEDAI_MIN_CELL"]
    return call

@case("ids recorded for the report's scan: names and long numbers, not short numbers that match counts")
def _(tmp):
    from medai.core import IDENTIFIERS_FILE, record_identifiers
    def check():
        os.environ["MEDAI_RUN_DIR"] = str(tmp)
        try: record_identifiers(["PT-0042", "1000", "2024", "1234567", None, np.nan], source=tmp/"x.csv")
        finally: del os.environ["MEDAI_RUN_DIR"]
        assert json.loads((tmp/IDENTIFIERS_FILE).read_text()) == ["1234567", "PT-0042"]
    return check

@case("small counts suppressed in 'n (%)' cells too")
def _(tmp):
    df = pd.DataFrame({"Overall": ["60", "3 (5.0)", "57 (95.0)", "52.1 (3.0)"]})
    def check(): assert suppress_small_counts(df, ["Overall"]).Overall.tolist() == ["60", "<5", "57 (95.0)", "52.1 (3.0)"]
    return check

@case("a saved table's count columns are found by name and small counts suppressed")
def _(tmp):
    from medai.report import save_table
    df = pd.DataFrame({"group": ["a", "b"], "patients": [3, 40], "n missing": [2, 0], "auc": [0.71, 0.64]})
    def check():
        out = save_table(df, "t")
        assert out.patients.tolist() == ["<5", 40] and out["n missing"].tolist() == ["<5", 0] and out.auc.tolist() == [0.71, 0.64]
    return check

@case("DeidentificationMethod fits its DICOM VR (LO, 64 characters), without pydicom warnings")
def _(tmp):
    import pydicom
    from medai.core import data_samples_dir
    from medai.privacy import deidentify_dataset
    ds = pydicom.dcmread(sorted((data_samples_dir()/"lidc_phantom"/"dicom_series").glob("*.dcm"))[0])
    key = b"k"*32
    def check():
        for keep in (False, True):
            out = no_warning(lambda: deidentify_dataset(ds, key, retain_characteristics=keep), "")
            assert len(out.DeidentificationMethod) <= 64
            no_warning(lambda: out.save_as(tmp/"o.dcm", enforce_file_format=True), "")
    return check

# ---------------------------------------------------------------- the report engine
from medai.report import run_report

def tiny_study(tmp, *cells): return make_notebook(tmp/"study.ipynb", "seed: int = 0  # seed", *cells)

@case("--run-id with '..'", ParameterError, "run id")
def _(tmp): return lambda: run_report(tiny_study(tmp, "x = 1"), run_id="../escape", progress=False)

@case("--run-id with a path separator", ParameterError, "run id")
def _(tmp): return lambda: run_report(tiny_study(tmp, "x = 1"), run_id="a/b", progress=False)

@case("a reports folder that cannot be written", ReportError, "Cannot write reports to")
def _(tmp):
    (tmp/"not_a_folder").write_text("a file where the reports folder should be")
    return lambda: run_report(tiny_study(tmp, "x = 1"), out_dir=tmp/"not_a_folder"/"runs", progress=False)

@case("a misspelled report parameter", ParameterError, "Did you mean 'seed'")
def _(tmp): return lambda: run_report(tiny_study(tmp, "x = 1"), {"sed": 1}, progress=False)

@case("an imaging study's dataset name misspelled", ReportError, "Did you mean 'breastmnist'")
def _(tmp): return lambda: run_report("breast_ultrasound_diagnosis", {"dataset": "breastmnst"}, progress=False)

@case("a report parameter of the wrong type", ParameterError, "seed")
def _(tmp): return lambda: run_report(tiny_study(tmp, "x = 1"), {"seed": "zero"}, progress=False)

@case("treatment planning on a CSV with a time column but no event column", ReportError, "Give both time and event")
def _(tmp):
    f = cohort(tmp)
    return lambda: run_report("treatment_planning", {"dataset": str(f), "treatment": "arm", "time": "time"}, progress=False)

@case("treatment planning with a misspelled covariate", ReportError, "no column 'agee'")
def _(tmp):
    f = cohort(tmp)
    return lambda: run_report("treatment_planning", {"dataset": str(f), "treatment": "arm", "outcome": "score", "covariates": ["agee"]}, progress=False)

@case("the diabetes study's dayfirst given as text that is not a yes/no", ParameterError, "dayfirst")
def _(tmp): return lambda: run_report("diabetes_monitoring", {"dayfirst": "maybe"}, from_text=True, progress=False)

@case("run_all with no report worker", ParameterError, "workers must be at least 1")
def _(tmp):
    from medai.report import run_all
    return lambda: run_all(["cohort_overview"], workers=0, progress=False)

@case("a treatment study's subgroup that is not a covariate", ParameterError, "not covariates")
def _(tmp):
    from medai.treatment.study import TreatmentStudy, load_cohort
    return lambda: TreatmentStudy(load_cohort("gbsg2"), attributes=["shoe_size"])

@case("a monitoring study's unknown forecaster", ParameterError, "Unknown forecasters .'oracle'.")
def _(tmp):
    from medai.monitor.study import check_parameters
    return lambda: check_parameters("linear,oracle")

@case("a figure drawn from a table without the figure's columns", ParameterError, "policy_values. lacks the column")
def _(tmp):
    import pandas as pd
    from medai.treatment.study import plot_policy_values
    return lambda: plot_policy_values(pd.DataFrame({"value": [1.0]}), "yes")

@case("a survival table with a missing event (read as 'observed' before)", DataError, "no survival time or no event")
def _(tmp):
    f = tmp/"cohort.csv"
    pd.DataFrame({"age": [50, 60, 70, 55], "arm": ["a", "b", "a", "b"], "time": [5.0, 3, 4, 2], "died": [1, None, 0, 1]}).to_csv(f, index=False)
    return lambda: from_table(load_dataset(str(f), time="time", event="died"), treatment="arm")

@case("survival times as text reach surv_array", DataError, "'12.3 months'")
def _(tmp):
    from medai.treatment.survival import surv_array
    return lambda: surv_array(["12.3 months", "4"], [1, 0])

@case("the cohort overview on text survival times (its survival_columns check)", DataError, "holds text")
def _(tmp):
    from medai.core import survival_columns
    f = tmp/"cohort.csv"
    pd.DataFrame({"age": [50, 60, 70, 55], "time": ["5 months", "3", "4", "2"], "died": [1, 0, 0, 1]}).to_csv(f, index=False)
    return lambda: survival_columns(load_dataset(str(f), time="time", event="died").frame, "time", "died", "cohort")

@case("a table with one column name twice", DataError, "appear more than once")
def _(tmp):
    f = tmp/"cohort.csv"; f.write_text("id,age,age\n1,50,51\n")
    return lambda: load_dataset(str(f))

@case("an overlap figure given a table without its propensity column", ParameterError, "the overlap table")
def _(tmp):
    from medai.treatment.diagnostics import plot_overlap
    return lambda: plot_overlap(pd.DataFrame({"arm": ["a", "b"], "score": [0.2, 0.7]}))

@case("an AGP with neither readings nor percentiles", ParameterError, "plot_agp needs readings")
def _(tmp):
    from medai.monitor.metrics import plot_agp
    return lambda: plot_agp()

@case("SIGTERM leaves a .failed folder with error.txt, as Ctrl-C does")
def _(tmp):
    nb = tiny_study(tmp, "import time\nprint('started', flush=True)\ntime.sleep(120)")
    def check():
        env = dict(os.environ, MEDAI_REPORTS=str(tmp/"reports"))
        p = subprocess.Popen([str(MEDAI), "report", str(nb), "--run-id", "r1", "--no-progress"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t0 = time.time()
        while time.time() - t0 < 60 and not (tmp/"reports"/"study"/".r1.partial"/"report.ipynb").exists(): time.sleep(0.3)
        time.sleep(5); p.send_signal(signal.SIGTERM)   # the kernel is running the cell by now
        _, err = p.communicate(timeout=60)
        assert p.returncode == 143, err[-2000:]
        folder = tmp/"reports"/"study"
        assert sorted(q.name for q in folder.iterdir()) == ["r1.failed"]
        assert "Interrupted (SIGTERM)" in (folder/"r1.failed"/"error.txt").read_text()
    return check

@case("a report prints no unencrypted-TCP kernel warning")
def _(tmp):
    nb = tiny_study(tmp, "print('hello')")
    def check():
        r = medai_cli("report", str(nb), "--no-progress", "--out", str(tmp/"out"))
        assert r.returncode == 0, r.stderr[-2000:]
        assert "without encryption" not in r.stderr + r.stdout
        import shutil; shutil.rmtree(tmp/"out")
    return check

# ---------------------------------------------------------------- sweeps
from medai.sweep import run_sweep, _dask_client

@case("sweep with a negative worker count", ParameterError, "positive number of Dask workers")
def _(tmp): return lambda: run_sweep(tiny_study(tmp, "x = 1"), {"seed": [0, 1]}, workers=-3)

@case("sweep with an absurd worker count", ParameterError, "more than")
def _(tmp): return lambda: run_sweep(tiny_study(tmp, "x = 1"), {"seed": [0, 1]}, workers=100_000)

@case("medai sweep --workers -3 stops at once instead of hanging")
def _(tmp):
    nb = tiny_study(tmp, "x = 1")
    def check():
        r = medai_cli("sweep", str(nb), "-p", "seed", "0,1", "--workers", "-3", timeout=60)
        assert r.returncode == 2 and "workers" in r.stderr, r.stderr
    return check

@case("an unreachable --scheduler fails within its timeout, naming the address", ReportError, "tcp://127.0.0.1:9")
def _(tmp): return lambda: _dask_client(None, "tcp://127.0.0.1:9", timeout=2)

# ---------------------------------------------------------------- medai predict and exported models
@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    "A small exported 2D model, trained once for the prediction cases"
    from medai.imaging.export import export_model
    from medai.imaging.phantoms import write_breast_phantoms
    from medai.imaging.train import fit
    root = tmp_path_factory.mktemp("model")
    write_breast_phantoms(root/"us", n_patients=30, size=32, seed=2)
    data = load_image_folder(root/"us"/"labels.csv", size=32)
    return export_model(fit(data, "compact_cnn", "ultrasound", epochs=1, width=0.25, show_progress=False), root/"model")

@case("exported model: the same picture as 8-bit and 16-bit gives the same probability", model=True)
def _(tmp, MODEL):
    from medai.imaging.export import ExportedModel
    a = np.asarray(Image.open(sorted((MODEL.parent/"us").rglob("*.png"))[0]).convert("L"))
    Image.fromarray(a).save(tmp/"a8.png"); save16(a, tmp/"a16.png")
    def check():
        m = ExportedModel(MODEL)
        assert m.meta["preprocessing"]["intensity"] == "type"             # what training applied, in metadata.json
        p = m.predict_files([tmp/"a8.png", tmp/"a16.png"])
        assert abs(p.iloc[0, 2] - p.iloc[1, 2]) < 0.01, p
    return check

@case("medai predict with -o pointing at a folder", model=True)
def _(tmp, MODEL):
    Image.fromarray(picture((32, 32))).save(tmp/"a.png"); (tmp/"outdir").mkdir()
    def check():
        r = medai_cli("predict", str(MODEL), str(tmp/"a.png"), "-o", str(tmp/"outdir"))
        assert r.returncode == 2 and "is a folder" in r.stderr, r.stderr
    return check

@case("medai predict with a corrupted metadata.json", model=True)
def _(tmp, MODEL):
    import shutil
    shutil.copytree(MODEL, tmp/"broken"); (tmp/"broken"/"metadata.json").write_text('{"format": "medai-model/1", "classes": [')
    Image.fromarray(picture((32, 32))).save(tmp/"a.png")
    def check():
        r = medai_cli("predict", str(tmp/"broken"), str(tmp/"a.png"), "-o", str(tmp/"p.csv"))
        assert r.returncode == 1 and "corrupted" in r.stderr and not (tmp/"p.csv").exists(), r.stderr
    return check

@case("medai predict with a volume given to a 2D model", model=True)
def _(tmp, MODEL):
    nifti(tmp/"ct.nii.gz")
    def check():
        r = medai_cli("predict", str(MODEL), str(tmp/"ct.nii.gz"), "-o", str(tmp/"p.csv"))
        assert r.returncode == 1 and "takes 2D images" in r.stderr and not (tmp/"p.csv").exists(), r.stderr
    return check

@case("medai predict with a folder that is not a model", model=True)
def _(tmp, MODEL):
    (tmp/"empty").mkdir(); Image.fromarray(picture((32, 32))).save(tmp/"a.png")
    def check():
        r = medai_cli("predict", str(tmp/"empty"), str(tmp/"a.png"))
        assert r.returncode == 1 and "not a medai model folder" in r.stderr, r.stderr
    return check

@case("medai predict on an unreadable image", model=True)
def _(tmp, MODEL):
    (tmp/"a.png").write_text("not a png")
    def check():
        r = medai_cli("predict", str(MODEL), str(tmp/"a.png"), "-o", str(tmp/"p.csv"))
        assert r.returncode == 1 and "unreadable" in r.stderr and not (tmp/"p.csv").exists(), r.stderr
    return check

@case("medai predict writes its CSV (the right result)", model=True)
def _(tmp, MODEL):
    Image.fromarray(picture((48, 48))).save(tmp/"a.png")
    def check():
        r = medai_cli("predict", str(MODEL), str(tmp/"a.png"), "-o", str(tmp/"p.csv"))
        assert r.returncode == 0, r.stderr
        p = pd.read_csv(tmp/"p.csv"); assert len(p) == 1 and np.isclose(p.filter(like="p_").sum(axis=1), 1).all()
        (tmp/"p.csv").unlink()
    return check

@case("a model folder whose metadata names more classes than its network gives", DataError, "names 3 classes but model.ts gives 2 outputs", model=True)
def _(tmp, MODEL):
    import json, shutil
    shutil.copytree(MODEL, tmp/"mixed")
    meta = json.loads((tmp/"mixed"/"metadata.json").read_text()); meta["classes"] += ["third"]
    (tmp/"mixed"/"metadata.json").write_text(json.dumps(meta))
    from medai.imaging.export import ExportedModel
    return lambda: ExportedModel(tmp/"mixed")

# ---------------------------------------------------------------- what a report publishes, and how make reports runs (issue 30)
@case("a metric with one end of its interval", ParameterError, "both ends of the confidence interval")
def _(tmp):
    from medai.eval import metric
    return lambda: metric(0.8, ci_low=0.7)

@case("a data origin that is not one of real, synthetic, semi-synthetic", ParameterError, "origin must be one of")
def _(tmp):
    from medai.report import record_data
    return lambda: record_data("my cohort", "anonymised")

@case("MEDAI_REPORT_THREADS that is not a whole number", ParameterError, "MEDAI_REPORT_THREADS must be a whole number")
def _(tmp):
    from medai.report import run_report
    nb = make_notebook(tmp/"study.ipynb", "x: int = 1  # x", "print(x)")
    os.environ["MEDAI_REPORT_THREADS"] = "all"
    def call():
        try: run_report(nb, out_dir=tmp/"reports", progress=False)
        finally: del os.environ["MEDAI_REPORT_THREADS"]
    return call

@case("a report whose metrics hold an impossible number is kept as .failed, naming the metric", ReportError, "sensitivity: 1.3 lies outside the range")
def _(tmp):
    from medai.report import run_report
    nb = make_notebook(tmp/"study.ipynb", "x: int = 1  # x", "from medai.report import log_metrics\nlog_metrics(sensitivity=1.3)")
    return lambda: run_report(nb, out_dir=tmp/"reports", progress=False)

@case("the federated report with a statement the checklists do not know", ReportError, "Did you mean 'intended_use'")
def _(tmp):
    from medai.report import run_report
    return lambda: run_report("federated_diagnosis", {"statements": {"intended_us": "research"}}, out_dir=tmp/"reports", progress=False)

# ---------------------------------------------------------------- pretrained weights (issue 32): refused by name before any training
def tiny_images(tmp):
    return load_image_folder(image_folder(tmp), size=32)

def rgb_checkpoint(tmp, network="resnet18", name="resnet18.safetensors")->Path:
    "A checkpoint of colour images and 10 classes (random weights), as a colleague would hand one over"
    import torch
    from safetensors.torch import save_file
    from medai.imaging.models import build_network
    torch.manual_seed(0)
    save_file(build_network(network, 2, 3, 10, img_size=32).state_dict(), tmp/name)
    return tmp/name

def fit_from(tmp, weights, network="resnet18", **kw):
    from medai.imaging.train import fit
    return lambda: fit(tiny_images(tmp), network, epochs=1, weights=weights, show_progress=False, **kw)

@case("a truncated safetensors checkpoint", DataError, "truncated or corrupt")
def _(tmp):
    f = rgb_checkpoint(tmp); f.write_bytes(f.read_bytes()[:5000])
    return fit_from(tmp, f)

@case("a checkpoint of another architecture: missing and unexpected keys counted", DataError, r"missing keys \d+ \(layer")
def _(tmp):
    return fit_from(tmp, rgb_checkpoint(tmp, "resnet10", "resnet10.safetensors"))

@case("a .pt file that needs pickle (a whole pickled model) is never run", DataError, "needs pickle")
def _(tmp):
    import torch
    from medai.imaging.models import build_network
    torch.save(build_network("resnet18", 2, 3, 10, img_size=32), tmp/"whole_model.pt")
    return fit_from(tmp, tmp/"whole_model.pt")

@case("a folder that is not a Hugging Face, MONAI bundle or medai model folder", DataError, "is neither a Hugging Face model folder")
def _(tmp):
    (tmp/"weights").mkdir(); (tmp/"weights"/"notes.txt").write_text("the weights are elsewhere")
    return fit_from(tmp, tmp/"weights")

@case("adapt misspelled", ParameterError, "Did you mean 'lora'")
def _(tmp):
    return fit_from(tmp, None, adapt="lroa")

@case("a LoRA rank below 1", ParameterError, "lora_rank and stages must be >= 1")
def _(tmp):
    return fit_from(tmp, None, adapt="lora", lora_rank=0)

@case("weights from the hub on a machine without internet", DataError, "download the model's folder")
def _(tmp):
    return fit_from(tmp, "hf-hub:timm/resnet18.a1_in1k")

@case("DP training from pretrained weights is refused (medai's DP networks train from scratch)", ParameterError, "leave weights= and adapt=")
def _(tmp):
    from medai.engine import DPConfig
    return fit_from(tmp, rgb_checkpoint(tmp), dp=DPConfig(8.0))

@case("a MONAI bundle with only its TorchScript model.ts (which would run code)", DataError, "never its TorchScript")
def _(tmp):
    (tmp/"bundle"/"configs").mkdir(parents=True); (tmp/"bundle"/"models").mkdir()
    (tmp/"bundle"/"configs"/"metadata.json").write_text('{"name": "x", "version": "1"}'); (tmp/"bundle"/"models"/"model.ts").write_bytes(b"PK")
    return fit_from(tmp, tmp/"bundle")

@case("network 'transformers' without the Hugging Face folder it is built from", ParameterError, "give that folder")
def _(tmp):
    return fit_from(tmp, None, network="transformers")

@case("network 'transformers' on a folder whose config.json names no transformers model", DataError, "is not a transformers configuration")
def _(tmp):
    from safetensors.torch import save_file
    import torch
    (tmp/"hf").mkdir(); (tmp/"hf"/"config.json").write_text('{"model_type": "no-such-model"}'); save_file({"w": torch.zeros(1)}, tmp/"hf"/"model.safetensors")
    return fit_from(tmp, tmp/"hf", network="transformers")

@case("the checkpoint of a LoRA training given as weights (its tensors are peft's, not the network's)", DataError, "start from the model folder that run exported")
def _(tmp):
    from medai.imaging.train import fit
    fit(tiny_images(tmp), "compact_cnn", epochs=1, width=0.25, adapt="lora", checkpoint_dir=tmp/"run", show_progress=False)
    return fit_from(tmp, tmp/"run"/"checkpoint.pt", network="compact_cnn", width=0.25)

@case("a weights folder whose metadata.json is a JSON list", DataError, "not the object of a model's metadata")
def _(tmp):
    from safetensors.torch import save_file
    import torch
    (tmp/"model").mkdir(); (tmp/"model"/"metadata.json").write_text("[1, 2]"); save_file({"w": torch.zeros(1)}, tmp/"model"/"model.safetensors")
    return fit_from(tmp, tmp/"model")

@case("DP training with activation checkpointing (Opacus cannot use it)", ParameterError, "leave activation_checkpointing=False")
def _(tmp):
    from medai.engine import DPConfig
    return fit_from(tmp, None, network="compact_cnn", dp=DPConfig(8.0), activation_checkpointing=True)

@case("medai pretrain --resume with no run to resume, refused before any image is read", None)
def _(tmp):
    image_folder(tmp, n=20)
    def check():
        r = medai_cli("pretrain", str(tmp/"img"), "-o", str(tmp/"enc"), "--resume")
        assert r.returncode == 2 and "holds no checkpoint.pt" in r.stderr and not (tmp/"enc"/"model.safetensors").exists(), r.stderr
    return check

@case("pretraining on images of 0 px (medai pretrain --size 0)", ParameterError, "too small to pretrain on")
def _(tmp):
    from medai.imaging.pretrain import check_pretrain_options
    return lambda: check_pretrain_options("resnet18", 0.5, 0, 10, 64)

@case("a shipped encoder's name misspelled", DataError, "Did you mean 'breastmnist-simclr'")
def _(tmp):
    return fit_from(tmp, "breastmnist-simclar")

@case("a medai pretrain folder given to another network names the network it was made for", DataError, "made for the network 'resnet18'")
def _(tmp):
    return fit_from(tmp, "breastmnist-simclr", network="resnet10")

@case("the breast report's pretrained encoder missing: stopped before any training", ReportError, "DataError: No such weights file or folder")
def _(tmp):
    from medai.report import run_report
    return lambda: run_report("breast_ultrasound_diagnosis", {"pretrained": str(tmp/"no_encoder")}, out_dir=tmp/"reports", progress=False)

# ---------------------------------------------------------------- self-supervised pretraining (issue 32): `medai pretrain` and its corpus
@case("pretraining on a folder of fewer than 16 images", DataError, "pretraining needs at least 16")
def _(tmp):
    from medai.imaging.pretrain import unlabelled_images
    image_folder(tmp, n=5)
    return lambda: unlabelled_images(tmp/"img")

@case("pretraining on a folder with a truncated PNG names the file", DataError, "007.png")
def _(tmp):
    from medai.imaging.pretrain import unlabelled_images
    image_folder(tmp, n=20)
    (tmp/"img"/"007.png").write_bytes((tmp/"img"/"007.png").read_bytes()[:60])
    return lambda: unlabelled_images(tmp/"img")

@case("pretraining at temperature 0", ParameterError, "temperature")
def _(tmp):
    from medai.imaging.pretrain import pretrain
    return lambda: pretrain(np.random.default_rng(0).random((20, 1, 28, 28), dtype=np.float32), temperature=0)

@case("pretraining on labels or integers instead of images", ParameterError, "float32 array")
def _(tmp):
    from medai.imaging.pretrain import pretrain
    return lambda: pretrain(np.zeros((20, 28, 28), np.uint8))

@case("medai pretrain into a folder that holds an unfinished run, without --resume, keeps it", None)
def _(tmp):
    image_folder(tmp, n=20); (tmp/"enc").mkdir(); (tmp/"enc"/"checkpoint.pt").write_bytes(b"an earlier run")
    def check():
        r = medai_cli("pretrain", str(tmp/"img"), "-o", str(tmp/"enc"), "--epochs", "1")
        assert r.returncode == 2 and "--resume" in r.stderr and (tmp/"enc"/"checkpoint.pt").read_bytes() == b"an earlier run", r.stderr
    return check

# ---------------------------------------------------------------- the test (after every case is registered)
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, tmp_path, monkeypatch, request):
    fn, raises, match, model = CASES[name]
    monkeypatch.chdir(tmp_path)
    call = fn(tmp_path, request.getfixturevalue("model_dir")) if model else fn(tmp_path)
    before = _files(tmp_path)
    if raises is None: call()
    else:
        with pytest.raises(raises, match=match): call()
    assert not _left_behind(_files(tmp_path) - before), "a failed call left a complete-looking output"

def test_the_catalogue_is_large():
    assert len(CASES) >= 80, len(CASES)

# ---------------------------------------------------------------- the catalogue: every case by family, with what it must give (tests/bad_inputs.md)
CATALOGUE = Path(__file__).with_name("bad_inputs.md")

def catalogue()->str:
    "tests/bad_inputs.md as the registered cases give it: a new reader, command or parameter adds its cases here and inherits the suite"
    import inspect
    lines = Path(__file__).read_text().splitlines()
    families = [(i, l.split("-")[-1].strip()) for i, l in enumerate(lines, 1) if l.startswith("# -------")]
    rows, current = [], None
    for name, (fn, raises, match, _) in sorted(CASES.items(), key=lambda kv: inspect.getsourcelines(kv[1][0])[1]):
        at = inspect.getsourcelines(fn)[1]
        family = [f for i, f in families if i < at][-1]
        if family != current: rows += ["", f"## {family}", "", "| case | expected |", "|---|---|"]; current = family
        expected = "reads right (the values are checked)" if raises is None else f"`{raises.__name__}` containing \"{match}\""
        rows.append(f"| {name.replace('|', '/')} | {expected.replace('|', '/')} |")
    head = ["# Bad inputs: the catalogue", "", f"Every case of `tests/test_bad_inputs.py` ({len(CASES)}), by family, with what medai must give: the right values, or a "
            "`MedaiError` that names the file, row or parameter and the fix. Generated: `python tests/test_bad_inputs.py` rewrites it."]
    return "\n".join(head + rows) + "\n"

def test_the_catalogue_lists_every_case():
    assert CATALOGUE.read_text() == catalogue(), "tests/bad_inputs.md is stale: run `python tests/test_bad_inputs.py`"

if __name__ == "__main__": CATALOGUE.write_text(catalogue()); print(f"{CATALOGUE}: {len(CASES)} cases")
