"The dataset registry, the project's own samples, seeds and devices."
import os, random, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest, torch
from medai.imaging.data import ImageData
from medai.monitor.cgm import CGMData
from medai.treatment.data import TreatmentData
from medai.core import (DataError, ParameterError, TableDataset, UnknownDatasetError, data_samples_dir, get_device,
                        list_datasets, load_dataset, seed_everything)

ROOT = Path(__file__).resolve().parents[1]

SMALL = {"simulated_cohort": dict(days=1)}   # simulated on demand: one day is enough to check it loads

@pytest.mark.parametrize("name", list(list_datasets().name))
def test_registry_loads_every_listed_dataset(name):
    ds = load_dataset(name, **SMALL.get(name, {}))
    if isinstance(ds, ImageData):  # images and volumes: all splits and both classes
        assert len(ds.labels) >= 100 and set(ds.split) == {"train", "val", "test"} and ds.source
        return
    if isinstance(ds, TreatmentData):
        assert len(ds) > 100 and len(ds.arms) >= 2 and ds.source
        return
    if isinstance(ds, CGMData):
        assert len(ds.patients) >= 5 and ds.readings.gl.between(10, 1000).all() and ds.source
        return
    assert isinstance(ds, TableDataset)
    assert len(ds.frame) > 100
    for role in ("time", "event", "treatment", "target"):
        col = getattr(ds, role)
        assert col is None or col in ds.frame.columns
    if ds.has_survival:
        assert (ds.frame[ds.time] >= 0).all() and set(ds.frame[ds.event].unique()) <= {0, 1}
    assert ds.description and ds.source

def test_registry_sizes_match_the_published_datasets():
    sizes = {n: load_dataset(n).frame.shape[0] for n in ["gbsg2", "veterans_lung_cancer", "aids", "breast_cancer"]}
    assert sizes == {"gbsg2": 686, "veterans_lung_cancer": 137, "aids": 1151, "breast_cancer": 198}

def test_unknown_dataset_lists_close_matches():
    with pytest.raises(UnknownDatasetError) as e: load_dataset("veterans")
    assert "Did you mean 'veterans_lung_cancer'" in str(e.value) and "gbsg2" in str(e.value)

def test_csv_with_missing_role_column(tmp_path):
    f = tmp_path/"c.csv"; pd.DataFrame({"os_time": [1, 2], "dead": [0, 1]}).to_csv(f, index=False)
    with pytest.raises(DataError, match="Did you mean 'os_time'"): load_dataset(f, time="os_tim", event="dead")
    (tmp_path/"img.png").write_bytes(b"\x89PNG")
    with pytest.raises(DataError, match="not '.png'"): load_dataset(tmp_path/"img.png")

def test_sample_recipe_rebuilds_the_shipped_file_byte_for_byte(tmp_path):
    sys.path.insert(0, str(ROOT/"data_samples"))
    try:
        from make_synthetic_cohort import make_synthetic_cohort
    finally: sys.path.pop(0)
    rebuilt = tmp_path/"synthetic_cohort.csv"
    make_synthetic_cohort().to_csv(rebuilt, index=False)
    assert rebuilt.read_bytes() == (data_samples_dir()/"synthetic_cohort.csv").read_bytes()

def test_every_sample_file_is_documented():
    readme = (ROOT/"data_samples"/"README.md").read_text()
    for f in (ROOT/"data_samples").iterdir():
        if f.name != "README.md" and not f.name.startswith((".", "__")):
            name = f"`{f.name}/`" if f.is_dir() else f"`{f.name}`"
            assert name in readme, f"{f.name} is not listed in data_samples/README.md"

def test_seed_everything_reproduces_python_numpy_torch():
    def draw():
        return random.random(), np.random.rand(), torch.randn(3).tolist(), torch.nn.Linear(2, 2).weight.sum().item()
    seed_everything(7); a = draw()
    seed_everything(7); b = draw()
    assert a == b
    with pytest.raises(ParameterError): seed_everything("7")

def test_device_override(monkeypatch):
    monkeypatch.setenv("MEDAI_DEVICE", "cpu")
    assert get_device().type == "cpu"
    monkeypatch.setenv("MEDAI_DEVICE", "abacus")
    with pytest.raises(ParameterError, match="MEDAI_DEVICE"): get_device()
