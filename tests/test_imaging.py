"medai.imaging: loaders on real formats, bad inputs caught before training, exported models, the case studies as reports."
import json, os, shutil, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest, nibabel as nib, torch
from PIL import Image
from medai.core import DataError, ParameterError, ReportError, data_samples_dir
from medai.imaging.data import ImageData, check_splits, load_image_folder, load_medmnist, load_volume, nodule_crops
from medai.imaging.export import ExportedModel, export_model
from medai.imaging.models import build_network
from medai.imaging.train import fit, predict_proba
from medai.report import run_report
from test_hostile_strings import CORPUS, published_problems
from conftest import SHARED, medai_cli

LIDC = data_samples_dir()/"lidc_phantom"

def test_dicom_series_and_nifti_give_the_same_volume():
    nii, a1 = load_volume(LIDC/"volumes"/"ct000.nii.gz")
    dcm, a2 = load_volume(LIDC/"dicom_series")
    assert np.array_equal(nii, dcm) and np.allclose(a1, a2)

def test_world_and_voxel_coordinates_give_the_same_crops(tmp_path):
    table = pd.read_csv(LIDC/"nodules.csv").head(24)
    table["volume"] = [str(LIDC/v) for v in table.volume]
    rank = table.groupby("label").cumcount() % 4  # every split gets both classes
    table["split"] = np.select([rank < 2, rank == 2], ["train", "val"], "test")
    world = tmp_path/"world.csv"; table.to_csv(world, index=False)
    aff = nib.load(LIDC/"volumes"/"ct000.nii.gz").affine
    vox = table.copy()
    ijk = np.linalg.solve(aff, np.c_[table[["x", "y", "z"]].to_numpy(), np.ones(len(table))].T).T[:, :3]
    vox[["x", "y", "z"]] = ijk
    vox.to_csv(tmp_path/"voxel.csv", index=False)
    a = nodule_crops(world, size=20)
    b = nodule_crops(tmp_path/"voxel.csv", size=20, coords="voxel")
    assert np.array_equal(a.images, b.images)

def test_nan_voxels_are_refused(tmp_path):
    vol = np.zeros((20, 20, 20), np.float32); vol[3, 3, 3] = np.nan
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path/"nan.nii.gz")
    with pytest.raises(DataError, match="NaN"): load_volume(tmp_path/"nan.nii.gz")

def test_dicom_series_with_a_missing_slice(tmp_path):
    series = tmp_path/"series"; shutil.copytree(LIDC/"dicom_series", series)
    (series/"slice030.dcm").unlink()
    with pytest.raises(DataError, match="slices are missing"): load_volume(series)

def test_dicom_folder_with_two_series(tmp_path):
    import pydicom
    series = tmp_path/"series"; shutil.copytree(LIDC/"dicom_series", series)
    ds = pydicom.dcmread(series/"slice005.dcm"); ds.SeriesInstanceUID = "1.2.3.4"; ds.save_as(series/"slice005.dcm")
    with pytest.raises(DataError, match="mixes 2 DICOM series"): load_volume(series)

def test_split_with_one_class_is_refused(tmp_path):
    table = pd.read_csv(data_samples_dir()/"breast_ultrasound"/"labels.csv").head(40)
    table["path"] = [str(data_samples_dir()/"breast_ultrasound"/p) for p in table.path]
    table["split"] = np.where(table.label == "benign", "test", "train")
    table.loc[table.index[:4], "split"] = "val"
    table.to_csv(tmp_path/"bad.csv", index=False)
    with pytest.raises(DataError, match="one class in a split"): load_image_folder(tmp_path/"bad.csv", size=32)

def test_patients_never_span_two_splits():
    data = load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=32)
    assert pd.DataFrame({"p": data.patient_id, "s": data.split}).groupby("p").s.nunique().max() == 1

def test_grayscale_and_rgb_are_converted_when_asked(tmp_path):
    for i in range(30):
        c = "malignant" if i % 3 == 0 else "benign"
        (tmp_path/c).mkdir(exist_ok=True)
        mode = "RGB" if i % 2 else "L"
        Image.new(mode, (40, 36), color=(i*5, 0, 0) if mode == "RGB" else i*5).save(tmp_path/c/f"{i}.jpg")
    with pytest.raises(DataError, match="mixes RGB"): load_image_folder(tmp_path, size=32)
    assert load_image_folder(tmp_path, size=32, channels=3).images.shape == (30, 3, 32, 32)

def test_network_that_does_not_fit_the_data():
    data = load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=24)
    with pytest.raises(ParameterError, match="at least 32 px"): fit(data, "densenet121", epochs=1)

@pytest.mark.skipif(not (SHARED/"imaging"/"breastmnist.npz").exists(), reason="shared BreastMNIST not present")
def test_real_breastmnist_official_splits():
    data = load_medmnist(SHARED/"imaging"/"breastmnist.npz")
    assert data.summary().sum(axis=1).tolist() == [546, 78, 156]
    assert data.classes == ["normal, benign", "malignant"]
    assert (data.labels[data.split == "train"] == 1).sum() == 147  # 147 malignant training images (label 0 in the file)

def test_predict_cli_matches_the_trained_model(tmp_path):
    data = load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=32)
    trained = fit(data, "compact_cnn", "ultrasound", epochs=1, width=0.25, show_progress=False)
    model_dir = export_model(trained, tmp_path/"model", check_images=data.part("test").images)
    hostile = [CORPUS[1], CORPUS[7]] + [s for s in CORPUS[30:] if "/" not in s][:3]   # file names a browser or a spreadsheet would run (issue 31)
    files = []
    for name, f in zip(hostile, sorted((data_samples_dir()/"breast_ultrasound"/"malignant").glob("*.png"))):
        files.append(tmp_path/f"{name}.png"); shutil.copy(f, files[-1])
    r = medai_cli("predict", str(model_dir), *map(str, files), "-o", str(tmp_path/"p.csv"))
    assert r.returncode == 0, r.stderr
    assert published_problems(tmp_path) == []
    got = pd.read_csv(tmp_path/"p.csv")[["p_benign", "p_malignant"]].to_numpy()
    want = predict_proba(trained, np.stack([ExportedModel(model_dir).load_file(f) for f in files]))
    assert np.allclose(got, want, atol=1e-5)

@pytest.mark.parametrize("study, params", [
    ("breast_ultrasound_diagnosis", {"model": "resnet18", "width": 0.25, "weights": "CHECKPOINT", "adapt": "lora", "epochs": 2, "dp_epochs": 2, "dp_curve": [8.0, 3.0, 1.0], "image_size": 32, "n_boot": 200, "n_explain": 2,
                                     "statements": {"intended_use": "triage research only", "funding": "none"}}),
    ("lung_nodule_diagnosis", {"model": "compact_cnn", "epochs": 2, "width": 0.25, "n_boot": 200, "n_explain": 2, "weights": "CHECKPOINT3D", "adapt": "partial",
                               "statements": {"intended_use": "<script>alert(1)</script>", "funding": "=HYPERLINK(\"http://evil.example\",\"x\")"}}),
])
def test_imaging_case_studies_write_complete_reports(study, params, tmp_path):
    if params.get("weights") == "CHECKPOINT":   # issue 32: an encoder pretrained elsewhere (colour images, 10 classes), from a local file, adapted with LoRA
        from safetensors.torch import save_file
        torch.manual_seed(0); save_file(build_network("resnet18", 2, 3, 10, img_size=28, width=0.25).state_dict(), tmp_path/"resnet18.safetensors")
        params = params | {"weights": str(tmp_path/"resnet18.safetensors")}
    if params.get("weights") == "CHECKPOINT3D":   # a 3D encoder of five classes from a colleague, its last stage and head trained
        torch.manual_seed(0); torch.save(build_network("compact_cnn", 3, 1, 5, img_size=28, width=0.25).state_dict(), tmp_path/"nodules3d.pth")
        params = params | {"weights": str(tmp_path/"nodules3d.pth")}
    run = run_report(study, params, progress=False)
    metrics = json.loads((run/"metrics.json").read_text())
    assert 0 <= metrics["auc"]["ci_low"] <= metrics["auc"]["value"] <= metrics["auc"]["ci_high"] <= 1
    real = study == "breast_ultrasound_diagnosis"   # its default data: the shipped BreastMNIST; the lung study's CT is simulated
    assert metrics["synthetic_data"] is (not real) and metrics["export_max_gap"] < 1e-4
    if real:   # utility against privacy budget, budgets 8, 3, 1 after the model without DP; the published figures beside the run
        published = pd.read_csv(run/"tables"/"published_comparison.csv")
        assert "ResNet-18 (28)" in set(published.method) and published.method.iloc[-1].startswith("this report")
        assert "MedMNIST v2 published a test AUC of 0.901" in (run/"report.html").read_text()
        curve = metrics["privacy_utility"]
        assert [c["target_epsilon"] for c in curve] == [None, 8.0, 3.0, 1.0]
        assert all(0 < c["epsilon_spent"] <= c["target_epsilon"] + 1e-6 for c in curve[1:])
        assert (run/"figures"/"privacy_utility.png").is_file() and (run/"tables"/"privacy_utility.csv").is_file()
    for f in ["figures/test_evaluation.png", "figures/explanations.svg", "figures/learning_curves.png", "tables/test_metrics.csv",
              "model/model.ts", "model/metadata.json"]:
        assert (run/f).is_file(), f
    meta = json.loads((run/"model"/"metadata.json").read_text())
    assert meta["classes"][-1] == "malignant" and "auc" in meta["metrics"]
    html = (run/"report.html").read_text()
    assert ("These results are on simulated" not in html) if real else ("simulated" in html.lower())   # the banner only on simulated images
    assert "Read these maps as hypotheses" in html                                                  # the localization caveat, 2D and 3D
    assert ("first activation" in html) is (study == "lung_nodule_diagnosis")                       # in 3D, Grad-CAM's layer chosen on validation nodules
    # publication: model card and both checklists, what the run cannot know left to the authors, statements used
    card = (run/"model_card.md").read_text()
    assert ("synthetic" in card) is (not real) and "auc" in card
    for standard, items in (("tripod_ai", 52), ("claim", 42)):
        table = pd.read_csv(run/"tables"/f"{standard}_checklist.csv", dtype=str).set_index("item")
        assert len(table) == items and {"reported from the run", "to be completed by the authors"} == set(table.status)
    tripod = pd.read_csv(run/"tables"/"tripod_ai_checklist.csv", dtype=str).set_index("item")
    assert tripod.loc["17", "status"] == "to be completed by the authors"          # ethics approval: never invented
    assert published_problems(run) == []                                         # the lung run's statements are hostile strings (issue 31)
    if real:
        assert "triage research only" in card
        weights = meta["weights"]                                                  # which weights, by hash, and what of them trained
        assert weights["initial"]["file"] == "resnet18.safetensors" and len(weights["initial"]["sha256"]) == 64 and weights["adapt"] == "lora"
        assert weights["parameters"]["trainable"] < 0.2*weights["parameters"]["total"] and (run/"model"/"adapter"/"adapter_config.json").is_file()   # rank 8 on a quarter-width net
        assert weights["initial"]["sha256"] in card and "adapted by 'lora'" in card
        beside = pd.read_csv(run/"tables"/"pretrained_comparison.csv")             # the shipped encoder's linear probe beside the model (the default `pretrained`)
        assert beside.initial_weights.tolist() == ["resnet18.safetensors", "breastmnist_simclr_resnet18/model.safetensors"] and beside.adapt.tolist() == ["lora", "linear"]
        assert not any(w in html for w in ("base_model", "lora_A", "base_layer"))     # Grad-CAM names a layer of the network, not of peft's wrapper
        assert any(i["path"].endswith("resnet18.safetensors") for i in json.loads((run/"provenance.json").read_text())["inputs"]) and tripod.loc["18a", "from_the_run"] == "funding: none"
    else:
        assert meta["weights"]["initial"]["file"] == "nodules3d.pth" and meta["weights"]["initial"]["head_replaced"] and meta["weights"]["adapt"] == "partial"
    for f in ["tables/tripod_ai_checklist.md", "tables/tripod_ai_checklist.tex", "figures/test_evaluation.pdf", "study.json"]:
        assert (run/f).is_file(), f
    study_json = json.loads((run/"study.json").read_text())   # what it states, the run established
    assert "into 2 classes" in study_json["task"]
    assert ("held-out patients" in study_json["objective"]) is (study_json["partition_level"] == "patient")
    assert json.loads((run/"data.json").read_text())["origin"] == ("real" if real else "semi-synthetic")

def test_breast_case_study_with_differential_privacy_on_a_hostile_csv(reports_tmp, tmp_path):
    "The phantom images listed in a user's CSV whose class names, patient ids and attributes are hostile strings (issue 31): trained with DP, published inert"
    table = pd.read_csv(data_samples_dir()/"breast_ultrasound"/"labels.csv")
    table["path"] = [str(data_samples_dir()/"breast_ultrasound"/p) for p in table.path]
    table["label"] = table.label.map({"benign": CORPUS[1], "malignant": CORPUS[40]})         # '<img src=x onerror=...>' and '=cmd|...'
    ids = sorted(table.patient_id.unique())
    table["patient_id"] = table.patient_id.map({p: f"{CORPUS[k % len(CORPUS)]}#{k}" for k, p in enumerate(ids)})
    table["margin"] = table.margin.map({m: CORPUS[20 + k] for k, m in enumerate(sorted(table.margin.unique()))})
    table.to_csv(tmp_path/"hostile.csv", index=False)
    run = run_report("breast_ultrasound_diagnosis", {"dataset": str(tmp_path/"hostile.csv"), "model": "compact_cnn", "epochs": 2, "width": 0.25, "image_size": 32,
                                                     "n_boot": 200, "n_explain": 2, "dp_epsilon": 8.0, "dp_epochs": 2,
                                                     "statements": {"funding": CORPUS[2], "intended_use": CORPUS[45]}}, progress=False)
    (dp,) = json.loads((run/"metrics.json").read_text())["differential_privacy"]
    assert 0 < dp["epsilon"] <= 8.0 + 1e-6 and dp["delta"] < 1/214 and dp["noise_multiplier"] > 0
    assert "DP-SGD (Opacus): epsilon" in (run/"model_card.md").read_text() and "Differential privacy" in (run/"report.html").read_text()
    assert published_problems(run) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in (run/"report.html").read_text()                 # the class is named, as text
    for bad in ({"dp_epsilon": -1.0}, {"dp_curve": [8.0, 0.0]}):
        with pytest.raises(ReportError, match="epsilon must be positive"): run_report("breast_ultrasound_diagnosis", bad, progress=False)
    with pytest.raises(ReportError, match="dp_epochs must be >= 1"): run_report("breast_ultrasound_diagnosis", {"dp_epochs": 0}, progress=False)

def test_folder_of_2d_dicom_images(tmp_path):
    slices = sorted((LIDC/"dicom_series").glob("*.dcm"))
    for i, f in enumerate(slices[:30]):
        c = "malignant" if i % 3 == 0 else "benign"
        (tmp_path/c).mkdir(exist_ok=True); shutil.copy(f, tmp_path/c/f.name)
    data = load_image_folder(tmp_path, size=48)
    assert data.images.shape == (30, 1, 48, 48) and 0 <= data.images.min() and data.images.max() <= 1

def test_truncated_png_names_the_file(tmp_path):
    src = sorted((data_samples_dir()/"breast_ultrasound"/"benign").glob("*.png"))[0]
    for c in ("benign", "malignant"):
        (tmp_path/c).mkdir()
        for i in range(12): shutil.copy(src, tmp_path/c/f"{i}.png")
    (tmp_path/"benign"/"3.png").write_bytes(src.read_bytes()[:200])
    with pytest.raises(DataError, match=r"3\.png.*unreadable or truncated"): load_image_folder(tmp_path, size=32)

def test_images_smaller_than_the_size(tmp_path):
    with pytest.raises(DataError, match="smaller than the requested size"):
        load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=128)

def test_resume_ends_where_an_uninterrupted_run_ends(tmp_path):
    data = load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=32)
    kw = dict(network="compact_cnn", modality="ultrasound", epochs=3, width=0.25, patience=10, show_progress=False)
    whole = fit(data, **kw)
    fit(data, checkpoint_dir=tmp_path, stop_after=1, **kw)
    resumed = fit(data, checkpoint_dir=tmp_path, resume=True, **kw)
    assert whole.history.val_auc.tolist() == resumed.history.val_auc.tolist()
    assert all(torch.equal(a, b) for a, b in zip(whole.model.state_dict().values(), resumed.model.state_dict().values()))

def test_three_classes_get_per_class_aucs(tmp_path):
    from medai.imaging.evaluate import evaluate_classifier
    base = load_image_folder(data_samples_dir()/"breast_ultrasound"/"labels.csv", size=32)
    labels = base.labels.copy(); labels[(base.labels == 0) & (np.arange(len(labels)) % 2 == 0)] = 2
    data = check_splits(ImageData(base.images, labels, ["benign", "malignant", "other"], base.split, base.patient_id))
    ev = evaluate_classifier(fit(data, "compact_cnn", epochs=1, width=0.25, show_progress=False), data, n_boot=100)
    assert {"auc[benign]", "auc[malignant]", "auc[other]", "macro_auc", "accuracy"} == set(ev.metrics.index)

def test_distributed_training_with_two_processes_matches_one(tmp_path):
    "torchrun, gloo: 2 CPU processes against 1 on the same global batches; batch norm and dropout are per process on CPUs, so within a tolerance"
    torchrun, results = Path(sys.executable).with_name("torchrun"), {}
    for n in (1, 2):
        out = tmp_path/f"p{n}"
        r = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", str(n), "-m", "medai.imaging.distributed",
                            "--dataset", "breast_ultrasound_phantom", "--network", "compact_cnn", "--modality", "ultrasound",
                            "--epochs", "4", "--batch-size", "16", "--width", "0.25", "--out", str(out)],
                           capture_output=True, text=True, timeout=300, env=os.environ | {"OMP_NUM_THREADS": "1"})
        assert r.returncode == 0, r.stderr[-3000:]
        assert sorted(p.name for p in out.iterdir()) == ["history.csv", "model.pt", "result.json"]   # process 0 alone writes
        results[n] = json.loads((out/"result.json").read_text())
        assert results[n]["processes"] == n and len(pd.read_csv(out/"history.csv")) == 4
    assert abs(results[2]["best_val_auc"] - results[1]["best_val_auc"]) < 0.05
    model = build_network("compact_cnn", 2, 1, 2, width=0.25)
    model.load_state_dict(torch.load(tmp_path/"p2"/"model.pt", weights_only=True))   # plain weights, safe to load

def test_federated_case_study_compares_arms_with_dp_at_the_sites():
    run = run_report("federated_diagnosis", {"rounds": 2, "width": 0.25, "image_size": 32, "n_boot": 200, "dp_epsilon": 8.0,
                                             "statements": {"funding": "<img src=x onerror=alert(2)>", "intended_use": "@SUM(1,1)"}}, progress=False)
    metrics = json.loads((run/"metrics.json").read_text())
    assert list(metrics["arms"]) == ["centralized", "site 1 alone", "site 2 alone", "site 3 alone", "fedavg", "fedprox", "fedavg + DP (epsilon 8)"]
    for arm in metrics["arms"].values(): auc = arm["test_auc"]; assert 0 <= auc["ci_low"] <= auc["value"] <= auc["ci_high"] <= 1
    assert metrics["arms"]["fedavg"]["train_images"] == metrics["arms"]["centralized"]["train_images"] == 546   # BreastMNIST's training split
    assert all(0 < e <= 8.0 + 1e-6 for e in metrics["differential_privacy"]["epsilon"].values())
    for f in ["tables/sites.csv", "tables/test_auc.csv", "tables/test_auc_by_site.csv", "figures/learning_curves.png", "figures/test_auc.svg",
              "figures/test_evaluation.png", "tables/test_metrics.csv", "model_card.md", "study.json", "tables/tripod_ai_checklist.csv", "tables/claim_checklist.csv"]:
        assert (run/f).is_file(), f                                            # a training report's model card, study description and checklists
    assert "fedavg" in json.loads((run/"study.json").read_text())["training"]
    html = (run/"report.html").read_text()
    assert "sites are simulated by label mix" in html and "MB</strong> of weights exchanged" in html
    assert published_problems(run) == [] and "&lt;img src=x onerror=alert(2)&gt;" in (run/"report.html").read_text()
    with pytest.raises(ReportError, match="strategies must be a non-empty list"):
        run_report("federated_diagnosis", {"strategies": ["fedsgd"]}, progress=False)

def test_shipped_breastmnist_is_the_cited_file():
    "The shipped BreastMNIST is unchanged (the checksum its README states) and loads with its official splits, as real data"
    import hashlib, re
    from medai.core import data_samples_dir, load_dataset
    readme = (data_samples_dir()/"README.md").read_text()
    stated = re.search(r"`breastmnist.npz`.*?MD5 `([0-9a-f]{32})`", readme).group(1)
    assert hashlib.md5((data_samples_dir()/"breastmnist.npz").read_bytes()).hexdigest() == stated
    data = load_dataset("breastmnist")
    assert data.origin == "real" and data.classes[-1] == "malignant"
    assert {s: int((data.split == s).sum()) for s in ("train", "val", "test")} == {"train": 546, "val": 78, "test": 156}

@pytest.mark.parametrize("script,mode,name", [("explain.py", "--search", "explain_search"), ("breastmnist.py", "--only-paper", "breastmnist_paper")])
def test_imaging_benchmark_modes_quick_run(script, mode, name):
    "The imaging benchmarks' extra modes run as smoke tests and print their own checks (breastmnist skips without the shared file)"
    root = Path(__file__).resolve().parents[1]
    shared = root.parent/"shared"/"data"
    out = subprocess.run([sys.executable, str(root/"benchmarks"/script), mode, "--quick", "--data-root", str(shared)],
                         capture_output=True, text=True, check=True, cwd=root, timeout=600).stdout.strip().splitlines()[-1]
    result = json.loads(out)
    assert result["benchmark"] == (name if not result.get("skipped") else "breastmnist")
    assert result["checks"] or result.get("skipped")
    assert all({"name", "value", "target", "better", "met"} <= set(c) for c in result["checks"])
