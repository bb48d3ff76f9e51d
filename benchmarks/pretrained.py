"""Benchmark: a pretrained encoder against the same network from scratch on BreastMNIST, with few and with all labels (issue 32).

Same data (the official BreastMNIST 28x28 splits), same run, 3 seeds per arm; every choice on the validation split,
test AUC reported once per model with a 95% bootstrap interval, and the mean over seeds.

- scratch: medai's breast recipe (`fit`: ResNet-18 of half width, AdamW, cosine schedule, class weights, ultrasound
  augmentation, early stopping on validation AUC), from random weights.
- pretrained: the same network from the shipped encoder `breastmnist-simclr` (SimCLR on BreastMNIST's 546 training
  images without their labels; data_samples/README.md), adapted three ways: `linear` (a linear probe on cached features),
  `lora` (peft LoRA, rank 8, on every convolution) and `full` (every weight fine-tuned).
  No test image was seen in pretraining, with or without its label. This is the semi-supervised setting: labels are
  scarce, images are not.
- label fractions: 10% of the training labels (a stratified subset drawn per seed; the validation split kept whole)
  and 100%.

Checks (targets of issue 32):
- with 10% of the labels, the pretrained encoder, adapted the way that has the best mean validation AUC (linear, LoRA
  or full), beats scratch by >= 0.03 mean test AUC; with 100% it is no worse (mean difference >= 0);
- LoRA trains <= 5% of the parameters and ends within 0.01 test AUC of full fine-tuning (100% labels);
- loading is exact: features of medai's loaded encoder equal those of the reference library's own loader on the same
  file (max abs difference <= 1e-6): medai's folder against MONAI's network with `load_state_dict(strict=True)`, a MONAI
  bundle against `monai.bundle.load`, a transformers ResNet-50 folder against `from_pretrained`
  (`--only-loading` runs these alone, kept as pretrained_loading.json);
- a linear probe on cached features (100% labels) trains in under 1 minute on 2 cores;
- LoRA fine-tuning of a ResNet-50-sized encoder (MONAI ResNet-50, 224x224, batches of 32, in a fresh process) stays
  under 8 GB of peak memory with `fit(activation_checkpointing=True)` (measured without it too);
- `medai pretrain` on the shipped corpus took <= 45 minutes (the shipped encoder's recorded training time) and resumes
  exactly (3 epochs stopped after 1 and resumed equal the uninterrupted run, tensor for tensor).

Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from torch import nn
from medai.core import data_samples_dir
from medai.eval import bootstrap_ci, roc_auc
from medai.imaging.data import load_medmnist
from medai.imaging.models import SHIPPED_WEIGHTS, build_network, declared_weights, parameter_counts, adapt_network, swap_head
from medai.imaging.train import LINEAR_PROBE, fit, predict_proba
from common import check, finish

ENCODER = "breastmnist-simclr"
RECIPES = {   # the breast report's recipe for scratch and full; the linear probe's (medai.imaging.train.LINEAR_PROBE); LoRA's rate chosen on validation
    "scratch": dict(adapt="full", weights=None, epochs=15, lr=1e-3, patience=6),
    "linear": dict(LINEAR_PROBE, weights=ENCODER),
    "lora": dict(adapt="lora", weights=ENCODER, epochs=15, lr=3e-3, patience=6, lora_rank=8),   # validation AUC, seed 0, all labels: lr 1e-3 0.931, 3e-3 0.953, 1e-2 0.927
    "full": dict(adapt="full", weights=ENCODER, epochs=15, lr=1e-3, patience=6),
}

def one_run(data, arm:str, seed:int, n_boot:int, quick:bool)->dict:
    recipe = dict(RECIPES[arm])
    if quick: recipe["epochs"] = min(recipe["epochs"], 2)
    start = time.perf_counter()
    run = fit(data, "resnet18", "ultrasound", batch_size=32, width=0.5, seed=seed, show_progress=False, **recipe)
    seconds = time.perf_counter() - start
    test = data.part("test")
    p = predict_proba(run, test.images, tta=True)[:, 1]
    ci = bootstrap_ci(roc_auc, test.labels, p, n_boot=n_boot, seed=seed)
    return dict(arm=arm, seed=seed, val_auc=run.best_val_auc, test_auc=ci.estimate, ci_low=ci.low, ci_high=ci.high, seconds=seconds,
                trainable=run.config["parameters"]["trainable"], total=run.config["parameters"]["total"])

def loading_gaps(folder:Path, images:np.ndarray)->dict:
    "Max abs feature difference between medai's loader and each reference library's own, on the same file"
    from safetensors.torch import load_file
    import monai.bundle
    from transformers import ResNetConfig, ResNetForImageClassification
    def features(net, x):
        swap_head(net, nn.Identity()); return net.eval()(x)
    gaps, x = {}, torch.as_tensor(images)
    cfg = declared_weights(folder)                                    # medai's shipped encoder: MONAI's ResNet, torch's strict load_state_dict
    ours = build_network(cfg["network"], 2, 1, 2, img_size=cfg["img_size"], width=cfg["width"], weights=folder)
    reference = build_network(cfg["network"], 2, 1, 2, img_size=cfg["img_size"], width=cfg["width"])
    reference.fc = nn.Identity(); reference.load_state_dict(load_file(str(folder/"model.safetensors")), strict=True)
    with torch.no_grad(): gaps["medai folder vs MONAI network + strict load_state_dict"] = float((features(ours, x) - reference.eval()(x)).abs().max())
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)                                          # a MONAI bundle (ResNet-18, full width) against monai.bundle.load
        bundle = Path(tmp)/"bundle"; (bundle/"configs").mkdir(parents=True); (bundle/"models").mkdir()
        (bundle/"configs"/"metadata.json").write_text(json.dumps({"name": "bundle", "version": "1.0"}))
        torch.save(build_network("resnet18", 2, 1, 2, img_size=64).state_dict(), bundle/"models"/"model.pt")
        ours = build_network("resnet18", 2, 1, 2, img_size=64, weights=bundle)
        theirs = monai.bundle.load("bundle", model=build_network("resnet18", 2, 1, 2, img_size=64), bundle_dir=tmp, device="cpu")
        x64 = torch.rand(8, 1, 64, 64)
        with torch.no_grad(): gaps["MONAI bundle vs monai.bundle.load"] = float((features(ours, x64) - features(theirs, x64)).abs().max())
        torch.manual_seed(0)                                          # a transformers ResNet-50 folder against transformers' from_pretrained
        ResNetForImageClassification(ResNetConfig(num_labels=10)).save_pretrained(Path(tmp)/"hf")
        ours = build_network("transformers", 2, 3, 2, weights=Path(tmp)/"hf").eval()
        theirs = ResNetForImageClassification.from_pretrained(Path(tmp)/"hf").eval()
        x224 = torch.rand(4, 3, 224, 224)
        with torch.no_grad(): gaps["transformers folder vs from_pretrained"] = float((ours.model.resnet(x224).pooler_output - theirs.resnet(x224).pooler_output).abs().max())
    return gaps

LORA_MEMORY = """
import resource, sys, torch
from monai.networks import nets
from medai.imaging.models import adapt_network, checkpoint_activations
net = nets.resnet50(spatial_dims=2, n_input_channels=3, num_classes=2)
net = adapt_network(checkpoint_activations(net) if sys.argv[1] == "1" else net, "lora", lora_rank=8)
opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], 1e-3)
x, y = torch.rand(32, 3, 224, 224), torch.randint(0, 2, (32,))
for _ in range(2):
    opt.zero_grad(); torch.nn.functional.cross_entropy(net(x), y).backward(); opt.step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20)
"""

def resume_gap(images:np.ndarray)->float:
    "Max abs difference between an uninterrupted 3-epoch pretraining and one stopped after 1 epoch and resumed"
    from medai.imaging.pretrain import pretrain
    kw = dict(network="resnet18", width=0.25, epochs=3, batch_size=64, show_progress=False)
    whole = pretrain(images, **kw).encoder.state_dict()
    with tempfile.TemporaryDirectory() as tmp:
        pretrain(images, checkpoint_dir=tmp, stop_after=1, **kw)
        resumed = pretrain(images, checkpoint_dir=tmp, resume=True, **kw).encoder.state_dict()
    return max(float((whole[k].float() - resumed[k].float()).abs().max()) for k in whole)

def summary_text(mean_by_arm:dict, chosen:dict)->str:
    "One line per label fraction: each arm's mean validation and test AUC, and the arm chosen on validation"
    return "; ".join(f"{float(lab):.0%} of the labels, mean validation / test AUC: " + ", ".join(f"{arm} {v['val_auc']:.3f} / {v['test_auc']:.3f}" for arm, v in arms.items())
                     + f" (chosen on validation: {chosen[float(lab)]})" for lab, arms in mean_by_arm.items())

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2]/"shared"/"data", help="folder with imaging/breastmnist.npz")
    ap.add_argument("--quick", action="store_true", help="one seed, 2 epochs, 200 bootstrap resamples: a smoke run")
    ap.add_argument("--only-loading", action="store_true", help="only the loading checks (kept as pretrained_loading.json)")
    args = ap.parse_args()
    path = args.data_root/"imaging"/"breastmnist.npz"
    if not path.exists(): path = data_samples_dir()/"breastmnist.npz"   # the same file, shipped (CC BY 4.0)
    data = load_medmnist(path)
    folder = data_samples_dir()/SHIPPED_WEIGHTS[ENCODER]
    if args.only_loading:
        gaps = loading_gaps(folder, data.part("test").images[:64])
        finish(dict(benchmark="pretrained_loading", gaps=gaps, checks=[check(f"max abs feature difference, {k}", v, 1e-6, "lower") for k, v in gaps.items()]), args.quick)
        return
    seeds, n_boot = ([0] if args.quick else [0, 1, 2]), (200 if args.quick else 1000)
    runs = []
    for fraction in (0.1, 1.0):
        for seed in seeds:
            few = data.fewer_labels(fraction, seed)
            for arm in RECIPES:
                runs.append(dict(one_run(few, arm, seed, n_boot, args.quick), labels=fraction, train_images=int((few.split == "train").sum())))
                print(json.dumps(runs[-1]), flush=True)
    import pandas as pd
    table = pd.DataFrame(runs)
    mean = table.groupby(["labels", "arm"])[["val_auc", "test_auc", "seconds", "trainable", "total"]].mean()
    summary = {f"{lab:g}": {arm: mean.loc[(lab, arm)].to_dict() for arm in RECIPES} for lab in (0.1, 1.0)}
    chosen = {lab: max(("linear", "lora", "full"), key=lambda a: mean.loc[(lab, a), "val_auc"]) for lab in (0.1, 1.0)}   # on validation
    gain = {lab: mean.loc[(lab, chosen[lab]), "test_auc"] - mean.loc[(lab, "scratch"), "test_auc"] for lab in (0.1, 1.0)}
    lora_share = float(mean.loc[(1.0, "lora"), "trainable"]/mean.loc[(1.0, "lora"), "total"])
    lora_vs_full = float(mean.loc[(1.0, "full"), "test_auc"] - mean.loc[(1.0, "lora"), "test_auc"])
    gaps = loading_gaps(folder, data.part("test").images[:64])
    probe_seconds = float(table.loc[(table.labels == 1.0) & (table.arm == "linear"), "seconds"].max())
    memory_gb = {ckpt: float(subprocess.run([sys.executable, "-c", LORA_MEMORY, ckpt], capture_output=True, text=True, check=True).stdout.split()[-1]) for ckpt in ("0", "1")}
    pretrain_minutes = json.loads((folder/"config.json").read_text())["seconds"]/60
    resume = resume_gap(data.part("train").images[:160])
    checks = [check("test AUC gain of the pretrained encoder over scratch, 10% labels", gain[0.1], 0.03, "higher"),
              check("test AUC gain of the pretrained encoder over scratch, 100% labels", gain[1.0], 0.0, "higher"),
              check("share of parameters LoRA trains", lora_share, 0.05, "lower"),
              check("test AUC of full fine-tuning minus LoRA, 100% labels", lora_vs_full, 0.01, "lower"),
              *[check(f"max abs feature difference, {k}", v, 1e-6, "lower") for k, v in gaps.items()],
              check("seconds for a linear probe on cached features (100% labels)", probe_seconds, 60, "lower"),
              check("GB peak memory, LoRA fine-tuning of a ResNet-50 (224 px, batch 32), activation checkpointing", memory_gb["1"], 8, "lower"),
              check("GB peak memory, LoRA fine-tuning of a ResNet-50 (224 px, batch 32), activations kept", memory_gb["0"], 8, "lower"),
              check("minutes of medai pretrain for the shipped encoder", pretrain_minutes, 45, "lower"),
              check("max abs weight difference, resumed pretraining vs uninterrupted", resume, 0.0, "lower")]
    finish(dict(benchmark="pretrained", data=str(path.name), encoder=ENCODER, seeds=seeds, recipes=RECIPES,
                chosen_on_validation={f"{k:g}": v for k, v in chosen.items()}, mean_by_arm=summary, summary=summary_text(summary, chosen),
                runs=runs, checks=checks), args.quick)

if __name__ == "__main__":
    main()
