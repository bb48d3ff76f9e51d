"""Benchmark: training throughput of medai's fit against the plain MONAI tutorial loop.

Same model (MONAI ResNet-18, 2D), same data (the shipped breast-ultrasound phantoms at 64 px,
or BreastMNIST from --data-root when present), same batch size, same augmentations (medai's
ultrasound preset), the same epochs with a validation AUC after each; samples per second of
the whole run, in one process, alternating the two so that machine noise hits both alike.

The baseline follows MONAI's 2D classification tutorial: a monai.data.Dataset with the
transforms, a DataLoader, Adam, cross-entropy, and monai.metrics.ROCAUCMetric on the
validation split. medai adds CacheDataset, channels_last memory, AdamW with a cosine schedule,
class weights and a checkpoint-ready loop.
Target: medai's samples/s at least the baseline's (ratio >= 1.0). Prints one JSON line last.
"""
import argparse, time
from pathlib import Path
import numpy as np, torch
from torch import nn
from medai.core import load_dataset, seed_everything
from medai.imaging.data import load_medmnist
from medai.imaging.models import build_network
from medai.imaging.train import fit
from medai.imaging.transforms import preset
from common import finish

ROOT = Path(__file__).resolve().parents[1]

def monai_tutorial_loop(data, epochs:int, batch_size:int, seed:int):
    "The training loop of MONAI's 2D classification tutorial, with medai's ultrasound transforms"
    from monai.data import DataLoader, Dataset
    from monai.metrics import ROCAUCMetric
    seed_everything(seed)
    model = build_network("resnet18", 2, data.n_channels, 2, img_size=data.images.shape[-1])
    loader = DataLoader(Dataset(data.records("train"), transform=preset("ultrasound", seed=seed)), batch_size=batch_size, shuffle=True, num_workers=0)
    val = data.part("val")
    opt, loss_fn, auc = torch.optim.Adam(model.parameters(), 1e-3), nn.CrossEntropyLoss(), ROCAUCMetric()
    for _ in range(epochs):
        model.train()
        for batch in loader:
            opt.zero_grad(); loss_fn(model(batch["image"]), batch["label"].long()).backward(); opt.step()
        model.eval()
        with torch.no_grad():
            y_pred = torch.softmax(model(torch.as_tensor(val.images)), 1)
        auc(y_pred[:, 1], torch.as_tensor(val.labels)); auc.aggregate(); auc.reset()

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=ROOT.parent/"shared"/"data", help="folder of the shared real datasets")
    ap.add_argument("--quick", action="store_true", help="a small run for smoke tests")
    a = ap.parse_args()
    npz = a.data_root/"imaging"/"breastmnist.npz"
    data = load_medmnist(npz) if npz.exists() and not a.quick else load_dataset("breast_ultrasound_phantom", size=64)
    epochs, repeats, bs = (1, 1, 32) if a.quick else (3, 2, 32)
    n = int((data.split == "train").sum())*epochs
    times = {"medai": [], "monai_tutorial": []}
    for r in range(repeats):
        t = time.perf_counter(); fit(data, "resnet18", "ultrasound", epochs=epochs, batch_size=bs, patience=epochs + 1, seed=r, show_progress=False)
        times["medai"].append(time.perf_counter() - t)
        t = time.perf_counter(); monai_tutorial_loop(data, epochs, bs, seed=r)
        times["monai_tutorial"].append(time.perf_counter() - t)
    rate = {k: n/float(np.median(v)) for k, v in times.items()}
    checks = [dict(name="medai / MONAI tutorial loop, training samples per second", value=rate["medai"]/rate["monai_tutorial"], target=1.0, better="higher")]
    for c in checks: c["met"] = bool(c["value"] >= c["target"])
    finish(dict(benchmark="train_throughput", data=data.source, images=list(data.images.shape[1:]),
                epochs=epochs, batch_size=bs, checks=checks, samples_per_second=rate, seconds=times), a.quick)

if __name__ == "__main__":
    main()
