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
