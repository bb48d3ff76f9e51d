"""Benchmark: do medai's explanations point at the lesion? Grad-CAM layers, Grad-CAM++ and occlusion on phantoms with exact masks.

medai's simulated breast-ultrasound images (`medai.imaging.phantoms.breast_phantoms`, the generator and seed of the
shipped sample, 150 patients x 2 views, 64 px) come with the exact mask of every lesion. The breast case study's
default recipe (ResNet-18 at half width, ultrasound augmentation, early stopping on validation AUC) is trained on
the training patients; on the test images, each image's true class is explained by:

- Grad-CAM on the last convolution (medai's default before: a 4x4 map at 64 px),
- Grad-CAM on `cam_layer`'s choice (the deepest layer with outputs of at least 8x8: medai's default now),
- Grad-CAM++ on the same layer (MONAI's `GradCAMpp`), occlusion sensitivity (8 px patches, the report's setting),
- gradient saliency (MONAI's `VanillaGrad` and `SmoothGrad`, magnitude smoothed by a 2-px Gaussian: `saliency`),
- beside two maps that know nothing of the model: a Gaussian at the image centre (the phantoms put lesions near
  the middle, so this is the bar an explanation must clear) and a uniform map (chance).

Scored with the pointing game (Zhang et al. 2016: the map's maximum on the lesion; exact and within 3 px) and the
share of the map's energy inside the mask (Wang et al. 2020), and, for the default, Adebayo et al.'s cascading
randomization (layers re-initialized from the output backwards; Spearman rank correlation with the original map).
Target: pointing-game hit rate >= 0.8 (checked for Grad-CAM at its default layer and for gradient saliency, the maps
the case studies show beside occlusion). These are simulated images: the figures say whether the maps
can localize, not how well they do on patients' scans.
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time, warnings
from pathlib import Path
import numpy as np
from medai.imaging.data import ImageData, make_splits
from medai.imaging.explain import cam_layer, cascading_randomization, gradcam, last_conv_layer, localization, occlusion, saliency
from medai.imaging.phantoms import breast_phantoms
from medai.imaging.train import fit, predict_proba
from medai.eval import roc_auc
from common import check, finish

SHIPPED_SEED = 2026   # data_samples/make_imaging_samples.py

def phantom_data(n_patients:int, size:int, seed:int)->tuple[ImageData, np.ndarray]:
    "The phantoms as ImageData split by patient, and their lesion masks"
    desc, images, masks = breast_phantoms(n_patients, size, seed)
    labels = desc["malignant"].astype(int).to_numpy()
    split = make_splits(labels, desc["patient_id"].to_numpy(), seed=0)
    data = ImageData(images[:, None].astype(np.float32)/255, labels, ["benign", "malignant"], split, desc["patient_id"].to_numpy(),
                     source="medai breast phantoms", origin="synthetic")
    return data, masks

def centre_prior(shape:tuple)->np.ndarray:
    "A Gaussian at the image centre, one per image: a map that knows where lesions usually are, not the model"
    n, h, w = shape
    yy, xx = np.mgrid[:h, :w]
    g = np.exp(-(((yy - (h - 1)/2)/(h/4))**2 + ((xx - (w - 1)/2)/(w/4))**2)/2)
    return np.repeat(g[None], n, 0)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2]/"shared"/"data", help="not used: the phantoms are made here")
    ap.add_argument("--quick", action="store_true", help="40 patients at 32 px, 2 epochs")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    n_patients, size, epochs = (40, 32, 2) if a.quick else (150, 64, 15)
    data, masks = phantom_data(n_patients, size, SHIPPED_SEED)
    run = fit(data, "resnet18", "ultrasound", epochs=epochs, width=0.5, lr=1e-3, patience=6, seed=0, show_progress=False)
    model = run.model.cpu().eval()
    test = data.part("test"); test_masks = masks[data.split == "test"]
    auc = roc_auc(test.labels, predict_proba(run, test.images)[:, 1])
    layer, last = cam_layer(model, test.images.shape[1:]), last_conv_layer(model)
    maps = {f"Grad-CAM, last convolution ({last}; before)": gradcam(model, test.images, test.labels, target_layer=last),
            f"Grad-CAM, {layer} (default)": gradcam(model, test.images, test.labels),
            f"Grad-CAM++, {layer}": gradcam(model, test.images, test.labels, method="gradcam++"),
            "gradient saliency (default)": saliency(model, test.images, test.labels),
            "SmoothGrad": saliency(model, test.images, test.labels, method="smoothgrad"),
            "occlusion (8 px patches)": np.stack([occlusion(model, test.images[i:i+1], int(c), mask_size=max(4, size//8))[0]
                                                 for i, c in enumerate(test.labels)]),
            "centre prior (no model)": centre_prior(test_masks.shape), "uniform (chance)": np.ones(test_masks.shape)}
    exact, near = localization(maps, test_masks), localization(maps, test_masks, tolerance=3)
    table = exact.rename(columns={"hit_rate": "hit_rate_exact"}).assign(hit_rate_within_3px=near["hit_rate"])
    n_casc = min(16, len(test.labels))
    casc = cascading_randomization(model, test.images[:n_casc], test.labels[:n_casc])
    above = casc.iloc[:int(np.argmax(casc.layer.str.startswith(layer)))]   # the steps before the target layer's own weights are reset
    grad_cam, grads = table.loc[f"Grad-CAM, {layer} (default)"], table.loc["gradient saliency (default)"]
    checks = [check("pointing-game hit rate, Grad-CAM at its default layer", grad_cam["hit_rate_exact"], 0.8, "higher"),
              check("pointing-game hit rate, gradient saliency", grads["hit_rate_exact"], 0.8, "higher"),
              check("pointing-game hit rate, Grad-CAM default layer minus last convolution", grad_cam["hit_rate_exact"] - table.iloc[0]["hit_rate_exact"], 0.0, "higher"),
              check("energy inside the lesion, gradient saliency minus the centre prior", grads["energy_in_mask"] - table.loc["centre prior (no model)", "energy_in_mask"], 0.0, "higher")]
    summary = (f"test AUC {auc:.3f} on {len(test.labels)} simulated test images; pointing game exact / within 3 px, energy in mask: "
               + "; ".join(f"{k} {r.hit_rate_exact:.2f} / {r.hit_rate_within_3px:.2f}, {r.energy_in_mask:.2f}" for k, r in table.iterrows())
               + f"; lesions cover {grad_cam['chance']:.0%} of the image. Cascading randomization of the default: mean Spearman "
               f"{casc.mean_spearman.iloc[0]:.2f} after the output layer, {above.mean_spearman.iloc[-1]:.2f} once every layer above the target is random, "
               f"{casc.mean_spearman.iloc[-1]:.2f} when all are; {time.perf_counter() - t0:.0f} s")
    finish(dict(benchmark="explain", checks=checks, summary=summary, test_auc=auc, image_size=size, target_layer=layer, last_convolution=last,
                localization=table.reset_index(names="map"), cascading_randomization=casc, synthetic=True), a.quick)

if __name__ == "__main__":
    main()
