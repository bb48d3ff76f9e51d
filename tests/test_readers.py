"""Property-based tests of medai's readers (issue 31): write a file the way a device, a spreadsheet or a colleague writes it, read it
back, get the same values; or a MedaiError naming the file and the fix. Hypothesis generates the variants."""
import csv, io
from pathlib import Path
import numpy as np, pandas as pd, pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from medai.core import DataError, read_csv_table

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

def us(v:float)->str: return f"{v:,.2f}"                                                            # 45,436.10
def eu(v:float)->str: return f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")    # 45.436,10

@st.composite
def tables(draw):
    "A table of numbers (some large enough to group thousands), whole numbers and text, with the way it is written"
    n = draw(st.integers(2, 12))
    money = st.floats(-2e6, 2e6, allow_nan=False).map(lambda v: round(v, 2))
    df = pd.DataFrame({"value": draw(st.lists(money, min_size=n, max_size=n)),
                       "count": draw(st.lists(st.integers(-10**6, 10**6), min_size=n, max_size=n)),
                       "label": draw(st.lists(st.text("abcdefgh <>=+@é", min_size=1, max_size=8).map(lambda s: "x" + s), min_size=n, max_size=n))})
    style = draw(st.sampled_from(["us", "us_grouped", "eu_semicolon", "eu_semicolon_grouped", "eu_tab", "pipe"]))
    return df, style, draw(st.booleans()), draw(st.sampled_from(["\n", "\r\n"]))

def write(df:pd.DataFrame, style:str, bom:bool, newline:str)->bytes:
    sep = {"us": ",", "us_grouped": ",", "eu_semicolon": ";", "eu_semicolon_grouped": ";", "eu_tab": "\t", "pipe": "|"}[style]
    shown = df.astype(object).copy()
    if style == "us_grouped": shown["value"] = df.value.map(us)
    elif style.startswith("eu"): shown["value"] = df.value.map(eu if "grouped" in style else (lambda v: f"{v:.2f}".replace(".", ",")))
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, lineterminator=newline)
    w.writerow(df.columns); w.writerows(shown.itertuples(index=False))
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")

@EXAMPLES
@given(tables())
def test_a_table_reads_back_as_written(case):
    df, style, bom, newline = case
    back = read_csv_table(io.BytesIO(write(df, style, bom, newline)), "t.csv")
    assert list(back.columns) == ["value", "count", "label"]               # no byte-order mark in the first name
    np.testing.assert_allclose(back.value.astype(float), df.value, atol=1e-9)
    assert back["count"].tolist() == df["count"].tolist() and back.label.tolist() == df.label.tolist()

def test_us_thousands_in_quotes_are_thousands():
    back = read_csv_table(io.BytesIO(b'patient,steps\nA,"45,436"\nB,"1,002"\n'), "t.csv")
    assert back.steps.tolist() == [45436, 1002]

def test_european_thousands_and_decimal_commas():
    back = read_csv_table(io.BytesIO("patient;weight\nA;1.234,5\nB;80,25\n".encode()), "t.csv")
    assert back.weight.tolist() == [1234.5, 80.25]

def test_a_one_column_file_is_not_split_on_a_letter():
    back = read_csv_table(io.BytesIO(b"glucose\n120\n135\n98\n"), "t.csv")
    assert list(back.columns) == ["glucose"] and back.glucose.tolist() == [120, 135, 98]

def test_a_byte_order_mark_is_not_part_of_the_first_name():
    assert list(read_csv_table(io.BytesIO(b"\xef\xbb\xbfid,age\n1,50\n"), "t.csv").columns) == ["id", "age"]

def test_duplicate_column_names_are_refused():
    with pytest.raises(DataError, match=r"t.csv: column name\(s\) \['age'\] appear more than once"):
        read_csv_table(io.BytesIO(b"id,age,age\n1,50,51\n"), "t.csv")

def test_a_file_that_is_not_utf8_says_how_to_save_it():
    with pytest.raises(DataError, match="save it as CSV UTF-8"): read_csv_table(io.BytesIO("id,name\n1,Mül\n".encode("utf-16")), "t.csv")

# ---------------------------------------------------------------- CGM files: written as devices and spreadsheets write them, read back the same
from medai.core import MedaiError
from medai.monitor.cgm import load_cgm

@st.composite
def cgm_files(draw):
    "Readings of one to three patients every 5 minutes (with gaps), and how the file writes them"
    rows = []
    for k in range(draw(st.integers(1, 3))):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=5*draw(st.integers(0, 60*288)))
        n = draw(st.integers(12, 200))
        steps = np.cumsum([0] + draw(st.lists(st.sampled_from([1, 1, 1, 1, 2, 7]), min_size=n - 1, max_size=n - 1)))
        gl = draw(st.lists(st.integers(400, 4000).map(lambda v: v/10), min_size=n, max_size=n))   # 40.0-400.0 mg/dL
        rows += [dict(id=f"p{k}", time=start + pd.Timedelta(minutes=5*int(s)), gl=g) for s, g in zip(steps, gl)]
    df = pd.DataFrame(rows)
    return (df, draw(st.sampled_from(["iso", "iso_t", "dayfirst", "monthfirst"])), draw(st.sampled_from([",", ";", "\t"])),
            draw(st.sampled_from(["oldest", "newest", "shuffled"])), draw(st.booleans()), draw(st.integers(0, 2**16)))

FORMATS = {"iso": "%Y-%m-%d %H:%M:%S", "iso_t": "%Y-%m-%dT%H:%M:%S", "dayfirst": "%d/%m/%Y %H:%M", "monthfirst": "%m/%d/%Y %H:%M"}

@EXAMPLES
@given(cgm_files())
def test_a_cgm_file_reads_back_as_written(tmp_path, case):
    df, fmt, sep, order, bom, seed = case
    shown = df.assign(time=df.time.dt.strftime(FORMATS[fmt]), gl=df.gl.map(lambda v: f"{v:.1f}".replace(".", "," if sep != "," else ".")))
    if order == "newest": shown = shown.iloc[::-1]
    elif order == "shuffled": shown = shown.sample(frac=1, random_state=seed)
    path = tmp_path/f"cgm_{seed}.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + shown.to_csv(index=False, sep=sep).encode())
    try: r = load_cgm(path).readings
    except MedaiError as e:   # only when the dates cannot tell day-first from month-first: then the error says how to choose
        assert fmt in ("dayfirst", "monthfirst") and "dayfirst=" in str(e), str(e); return
    want = df.sort_values(["id", "time"]).reset_index(drop=True)
    assert r.id.tolist() == want.id.tolist() and r.time.tolist() == want.time.tolist()
    np.testing.assert_allclose(r.gl, want.gl, atol=1e-9)

# ---------------------------------------------------------------- 2D images: PNG and TIFF at 8 and 16 bits, grey and colour, EXIF orientations
from PIL import Image
from medai.imaging.data import read_2d

ORIENT = {1: lambda x: x, 2: np.fliplr, 3: lambda x: np.rot90(x, 2), 4: np.flipud, 5: lambda x: np.swapaxes(x, 0, 1),
          6: lambda x: np.rot90(x, -1), 7: lambda x: np.swapaxes(np.rot90(x, 2), 0, 1), 8: lambda x: np.rot90(x, 1)}   # EXIF 274, as a viewer shows it

@st.composite
def images(draw):
    "Pixels of a grey or colour image at 8 or 16 bits, a format (TIFF uncompressed or LZW), and an EXIF / TIFF orientation (8-bit only)"
    kind = draw(st.sampled_from(["grey8", "rgb8", "grey16"]))
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    top = 65535 if kind == "grey16" else 255
    shape = (h, w, 3) if kind == "rgb8" else (h, w)
    pixels = np.array(draw(st.lists(st.integers(0, top), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)
    fmt = draw(st.sampled_from(["png", "tif", "tif_lzw"]))
    orientation = draw(st.sampled_from(list(ORIENT))) if kind != "grey16" else 1
    return pixels.astype(np.uint16 if kind == "grey16" else np.uint8), fmt, orientation, draw(st.integers(0, 2**16))

@EXAMPLES
@given(images())
def test_an_image_reads_back_as_a_viewer_shows_it(tmp_path, case):
    pixels, fmt, orientation, k = case
    path = tmp_path/f"im{k}.{fmt[:3]}"
    exif = Image.Exif(); exif[274] = orientation
    Image.fromarray(pixels).save(path, **({"exif": exif} if orientation != 1 else {}), **({"compression": "tiff_lzw"} if fmt == "tif_lzw" else {}))
    x, how = read_2d(path)
    want = ORIENT[orientation](pixels)/(65535 if pixels.dtype == np.uint16 else 255)
    assert x.shape == want.shape and x.dtype == np.float32, (x.shape, want.shape)
    np.testing.assert_allclose(x, want, atol=1e-6)
    assert how == ("16-bit / 65535" if pixels.dtype == np.uint16 else "8-bit / 255")

# ---------------------------------------------------------------- DICOM: stored bits, sign, rescale, windows (valid and not), MONOCHROME1, no extension or preamble
import pydicom
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

@st.composite
def dicoms(draw):
    "A single-frame DICOM image as scanners write them, and what a reader should make of it"
    bits, signed = draw(st.sampled_from([8, 10, 12, 16])), draw(st.booleans())
    lo, hi = (-(2**(bits - 1)), 2**(bits - 1) - 1) if signed else (0, 2**bits - 1)
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    stored = np.array(draw(st.lists(st.integers(lo, hi), min_size=h*w, max_size=h*w))).reshape(h, w)
    window = draw(st.one_of(st.none(), st.tuples(st.integers(-2000, 3000), st.integers(0, 4000), st.sampled_from(["LINEAR", "LINEAR_EXACT", "SIGMOID", None]))))
    return dict(stored=stored, bits=bits, signed=signed, slope=draw(st.sampled_from([1.0, 0.5, 2.5])), intercept=draw(st.sampled_from([0.0, -1024.0, 100.0])),
                window=window, mono1=draw(st.booleans()), naming=draw(st.sampled_from(["dcm", "no extension", "no extension, no preamble"])), k=draw(st.integers(0, 2**16)))

def write_dicom(path:Path, c:dict)->Path:
    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID, ds.file_meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, SecondaryCaptureImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.Modality = SecondaryCaptureImageStorage, "OT"
    ds.Rows, ds.Columns = c["stored"].shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME1" if c["mono1"] else "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, c["bits"], c["bits"] - 1, int(c["signed"])
    ds.RescaleSlope, ds.RescaleIntercept = c["slope"], c["intercept"]
    if c["window"]:
        ds.WindowCenter, ds.WindowWidth = c["window"][:2]
        if c["window"][2]: ds.VOILUTFunction = c["window"][2]
    ds.PixelData = c["stored"].astype(np.int16 if c["signed"] else np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)
    if c["naming"] == "no extension, no preamble": path.write_bytes(path.read_bytes()[132:])
    return path

def expected_dicom(c:dict)->np.ndarray:
    "PS3.3 C.11: modality LUT (rescale), then the VOI window's function onto [0, 1], else the stored range; MONOCHROME1 inverted"
    x = c["stored"]*c["slope"] + c["intercept"]
    lo, hi = (-(2**(c["bits"] - 1)), 2**(c["bits"] - 1) - 1) if c["signed"] else (0, 2**c["bits"] - 1)
    y_lo, y_hi = lo*c["slope"] + c["intercept"], hi*c["slope"] + c["intercept"]
    centre, width, function = c["window"] or (None, None, None)
    function = function or "LINEAR"
    if c["window"] is None or width < (1 if function == "LINEAR" else 1e-9):   # no window, or one the standard forbids: the stored range
        y = np.clip((x - y_lo)/(y_hi - y_lo), 0, 1)
    elif function == "SIGMOID": y = 1/(1 + np.exp(-4*(x - centre)/width))
    else:
        c0, w0 = (centre - 0.5, width - 1) if function == "LINEAR" else (centre, width)
        y = np.where(x <= c0 - w0/2, 0.0, np.where(x > c0 + w0/2, 1.0, (x - c0)/max(w0, 1e-300) + 0.5))
    return 1 - y if c["mono1"] else y

@EXAMPLES
@given(dicoms())
def test_a_dicom_image_reads_back_by_the_standard(tmp_path, c):
    path = write_dicom(tmp_path/(f"im{c['k']}.dcm" if c["naming"] == "dcm" else f"IM{c['k']}"), c)
    x, how = read_2d(path)
    np.testing.assert_allclose(x, expected_dicom(c), atol=1e-5)
    assert ("window" in how) is (c["window"] is not None)   # applied, or said to be invalid and ignored

# ---------------------------------------------------------------- survival columns: times and events as spreadsheets write them, or one bad row named
from medai.core import survival_columns

EVENTS = {"int": lambda e: str(e), "float": lambda e: f"{e:.1f}", "bool": lambda e: "True" if e else "False"}
CORRUPT = {"negative time": ("time", "-3.5", "must be >= 0"), "event coded 2": ("event", "2", "events must be 1 (observed) or 0"),
           "text time": ("time", "12.3 months", "holds text"), "text event": ("event", "yes", "holds text")}

@st.composite
def survival_tables(draw):
    "Times and events of 2-40 patients, how the file writes them, and perhaps one corrupted row"
    n = draw(st.integers(2, 40))
    times = draw(st.lists(st.integers(0, 10**6).map(lambda v: v/100), min_size=n, max_size=n))
    events = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return times, events, draw(st.sampled_from(list(EVENTS))), draw(st.sampled_from([",", ";"])), draw(st.one_of(st.none(), st.tuples(st.sampled_from(list(CORRUPT)), st.integers(0, n - 1))))

@EXAMPLES
@given(survival_tables())
def test_survival_columns_read_back_or_name_the_bad_row(case):
    times, events, coding, sep, corrupt = case
    decimal = "," if sep == ";" else "."
    rows = [[f"{t:.2f}".replace(".", decimal), EVENTS[coding](e).replace(".", decimal)] for t, e in zip(times, events)]
    if corrupt: col, value, _ = CORRUPT[corrupt[0]]; rows[corrupt[1]][0 if col == "time" else 1] = value.replace(".", decimal)
    text = "\n".join([f"os_months{sep}died"] + [sep.join(r) for r in rows]) + "\n"
    table = read_csv_table(io.BytesIO(text.encode()), "cohort.csv")
    if table["died"].dtype == bool: table["died"] = table["died"].astype(int)   # True/False columns: pandas reads booleans
    if corrupt is None:
        out = survival_columns(table, "os_months", "died", name="cohort.csv")
        np.testing.assert_allclose(out.os_months, times, atol=1e-9); assert out.died.tolist() == events
        return
    with pytest.raises(DataError) as e: survival_columns(table, "os_months", "died", name="cohort.csv")
    col, _, says = CORRUPT[corrupt[0]]
    assert "cohort.csv" in str(e.value) and ("os_months" if col == "time" else "died") in str(e.value) and says in str(e.value), str(e.value)
    assert f"row {corrupt[1] + 2}" in str(e.value), str(e.value)     # the first bad row, as a spreadsheet numbers it

# ---------------------------------------------------------------- model folders: what export_model writes, read back; what a broken copy holds, refused by name
import functools, json as _json, torch
from medai.imaging.export import ExportedModel

@functools.lru_cache(maxsize=None)
def scripted(channels:int, n_classes:int, seed:int):
    torch.manual_seed(seed)
    return torch.jit.script(torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(channels, n_classes)).eval())

BREAK = {"metadata is not JSON": lambda f: (f/"metadata.json").write_text('{"classes": ['), "metadata without classes": lambda f: _rewrite(f, classes=None),
         "a 2-number input shape": lambda f: _rewrite(f, input={"shape": [28, 28]}), "model.ts truncated": lambda f: (f/"model.ts").write_bytes((f/"model.ts").read_bytes()[:200]),
         "model.ts missing": lambda f: (f/"model.ts").unlink(), "classes that the network does not give": lambda f: _rewrite(f, classes=["only one"])}

def _rewrite(folder:Path, **changes):
    meta = _json.loads((folder/"metadata.json").read_text()) | changes
    (folder/"metadata.json").write_text(_json.dumps({k: v for k, v in meta.items() if v is not None}))

@st.composite
def model_folders(draw):
    c, n = draw(st.sampled_from([1, 3])), draw(st.integers(2, 4))
    classes = draw(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=n, max_size=n, unique=True))
    return c, n, [draw(st.integers(4, 12)), draw(st.integers(4, 12))], classes, draw(st.sampled_from(["type", "range"])), draw(st.booleans()), \
           draw(st.one_of(st.none(), st.sampled_from(list(BREAK)))), draw(st.integers(0, 3)), draw(st.integers(0, 2**16))

@EXAMPLES
@given(model_folders())
def test_a_model_folder_reads_back_or_is_refused_by_name(tmp_path, case):
    c, n, hw, classes, intensity, indent, broken, seed, k = case
    import tempfile
    folder = Path(tempfile.mkdtemp(dir=tmp_path))          # a fresh folder per example (hypothesis reuses tmp_path)
    net = scripted(c, n, seed)
    torch.jit.save(net, str(folder/"model.ts"))
    meta = {"classes": classes, "input": {"shape": [c, *hw]}, "preprocessing": {"intensity": intensity, "pad": False}}
    (folder/"metadata.json").write_text(_json.dumps(meta, indent=2 if indent else None, ensure_ascii=False))
    if broken:
        BREAK[broken](folder)
        with pytest.raises(DataError) as e: ExportedModel(folder)
        assert str(folder) in str(e.value) and "export the model again" in str(e.value) or "is missing" in str(e.value), str(e.value)
        return
    model = ExportedModel(folder)
    assert model.classes == classes and model.shape == [c, *hw] and model.meta["preprocessing"]["intensity"] == intensity
    x = np.random.default_rng(k).random((2, c, *hw), dtype=np.float32)
    np.testing.assert_allclose(model.predict_proba(x), torch.softmax(net(torch.as_tensor(x)), 1).detach().numpy(), atol=1e-6)

# ---------------------------------------------------------------- NIfTI volumes: any axis order, flips, spacing and origin, read into RAS with every voxel where it was
import nibabel as nib
from medai.imaging.data import load_volume

@st.composite
def volumes(draw):
    "A small volume with an affine that permutes and flips axes, scales and shifts them, as scanners write them"
    shape = tuple(draw(st.integers(2, 6)) for _ in range(3))
    values = np.array(draw(st.lists(st.integers(-1024, 3000), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)
    axes = draw(st.permutations([0, 1, 2]))
    affine = np.zeros((4, 4)); affine[3, 3] = 1
    for voxel_axis, world_axis in enumerate(axes):
        affine[world_axis, voxel_axis] = draw(st.sampled_from([-1, 1]))*draw(st.sampled_from([0.5, 1.0, 2.5]))
    affine[:3, 3] = draw(st.lists(st.integers(-200, 200), min_size=3, max_size=3))
    return values.astype(draw(st.sampled_from([np.int16, np.float32]))), affine, draw(st.sampled_from([".nii", ".nii.gz"])), draw(st.integers(0, 2**16))

@EXAMPLES
@given(volumes())
def test_a_nifti_volume_reads_into_ras_with_every_voxel_in_place(tmp_path, case):
    values, affine, suffix, k = case
    path = tmp_path/f"v{k}{suffix}"
    nib.save(nib.Nifti1Image(values, affine), path)
    vol, ras = load_volume(path, spacing=None)
    assert vol.shape[0] == 1 and sorted(vol.shape[1:]) == sorted(values.shape)
    assert (np.sign(np.diag(ras[:3, :3])) == 1).all() and np.allclose(ras[:3, :3] - np.diag(np.diag(ras[:3, :3])), 0)   # R, A, S along x, y, z
    index = np.stack(np.meshgrid(*[np.arange(n) for n in vol.shape[1:]], indexing="ij"), -1).reshape(-1, 3)
    source = np.rint((np.linalg.inv(affine) @ ras @ np.c_[index, np.ones(len(index))].T)[:3].T).astype(int)   # the same place in the world
    np.testing.assert_array_equal(vol[0][tuple(index.T)], values[tuple(source.T)].astype(np.float32))
