"""Quality on `../shared/data/dev`: a model beside the gray and mean-ab baselines.

Every photo is colorized from its own lightness (`colorize()` at full
resolution) and scored on 8-bit sRGB, per-image means
(`keras_colorize.metrics.evaluate_images`): PSNR, SSIM, colorfulness
(Hasler & Süsstrunk) and the colorfulness gap. The baselines are computed in
the same run: gray (a = b = 0) and the mean ab of the set; and two oracles
that know the truth, for how much there is to gain: each photo's own mean ab
on every pixel (the overall color cast alone), and the true ab brought down
to the model's render size and back up (what the render size caps). Writes a
before/after grid of `--grid` photos (gray | ours | truth) and ends with one
JSON line: our PSNR against the gray baseline's. `--data`, `--prefix` and
`--sample` score another set the same way (e.g. training photos, to tell
under- from over-fitting); `--data ../shared/data/train --validation-split 0.04` scores
the validation photos that `scripts/train_default.py` holds out (where its choices are made, never on
dev). `--reference OLD.keras` scores another model in
the same run (e.g. the previous default); every row is also given per
file-name prefix (`inet_`, `intel_`, ...). `--frontier` sweeps `vividness`
(a chroma gain) over our model and prints the best PSNR reached at
colorfulness >= 26 / 30 / 34.

    KERAS_BACKEND=tensorflow python benchmarks/dev_quality.py [--model M] [--reference OLD] [--frontier]
    python benchmarks/dev_quality.py --data ../shared/data/train --prefix intel_ --sample 187
    python benchmarks/dev_quality.py --data ../shared/data/train --validation-split 0.04 --model candidate.keras
"""

import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import color  # noqa: E402
from keras_colorize import colorize  # noqa: E402
from keras_colorize import plotting  # noqa: E402
from keras_colorize.data import list_images  # noqa: E402
from keras_colorize.data import read_image  # noqa: E402
from keras_colorize.data import split_files  # noqa: E402
from keras_colorize.evaluation import with_ab  # noqa: E402
from keras_colorize.metrics import evaluate_images  # noqa: E402
from keras_colorize.saving import load_model  # noqa: E402
from keras_colorize.weights import DEFAULT_RENDER_SIZE  # noqa: E402
from keras_colorize.weights import load_default_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTIER_VIVIDNESS = (0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0)
KEYS = ("psnr", "ssim", "colorfulness", "colorfulness_gap", "delta_e2000")


def through_render(ab, side):
    """ab brought down to a `side` render (aspect kept, area) and back up (bilinear)."""
    h, w = ab.shape[:2]
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(np.ascontiguousarray(ab), size, interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help=".keras file (default: the shipped model)")
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "dev"))
    parser.add_argument("--reference", default=None, help="another .keras model scored in the same run")
    parser.add_argument("--render-size", type=int, default=None,
                        help="render side (default: colorize()'s own choice for the model)")
    parser.add_argument("--frontier", action="store_true",
                        help="sweep vividness: best PSNR at colorfulness >= 26 / 30 / 34")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="score N photos of --data drawn at random (seed 0), e.g. of train/")
    parser.add_argument("--prefix", default="", help="only photos whose file name starts with this")
    parser.add_argument("--validation-split", type=float, default=None, metavar="V",
                        help="only the validation subset of --data (data.split_files), e.g. train_default's 0.04")
    parser.add_argument("--grid", type=int, default=6, help="photos in the before/after grid")
    parser.add_argument("--grid-png", default=None, help="where to write the grid (PNG)")
    args = parser.parse_args()
    model = load_model(args.model) if args.model else load_default_model()
    paths = list_images(args.data)
    if args.validation_split is not None:
        paths = split_files(paths, "validation", validation_split=args.validation_split)
    paths = [p for p in paths if os.path.basename(p).startswith(args.prefix)]
    if args.sample is not None and args.sample < len(paths):
        picks = np.random.default_rng(0).choice(len(paths), args.sample, replace=False)
        paths = [paths[i] for i in sorted(picks)]
    truths = [np.round(read_image(p) * 255).astype(np.uint8) for p in paths]
    labs = [keras.ops.convert_to_numpy(color.rgb_to_lab(t / 255.0)) for t in truths]
    mean_ab = np.concatenate([lab[..., 1:].reshape(-1, 2) for lab in labs]).mean(axis=0)
    render = {} if args.render_size is None else {"render_size": args.render_size}
    side = model.input_shape[1] or args.render_size or DEFAULT_RENDER_SIZE
    ours = colorize(truths, model=model, **render)
    outputs = {
        "gray (a = b = 0)": [with_ab(lab, 0.0) for lab in labs],
        "mean ab of the set": [with_ab(lab, mean_ab) for lab in labs],
        f"ours ({model.name})": ours,
    }
    if args.reference:
        reference = load_model(args.reference)
        outputs[f"reference ({os.path.basename(args.reference)})"] = colorize(truths, model=reference, **render)
    outputs["oracle: own mean ab"] = [with_ab(lab, lab[..., 1:].mean(axis=(0, 1))) for lab in labs]
    outputs[f"oracle: true ab at {side}²"] = [with_ab(lab, through_render(lab[..., 1:], side)) for lab in labs]
    outputs["ground truth"] = truths
    names = [os.path.basename(p) for p in paths]
    prefixes = sorted({n.split("_")[0] + "_" for n in names})
    rows = {}
    print(f"{len(truths)} photos of {os.path.abspath(args.data)}; model {model.name}, "
          f"{model.count_params():,} parameters, input {model.input_shape}")
    for subset in ["all"] + (prefixes if len(prefixes) > 1 else []):
        keep = [i for i, n in enumerate(names) if subset == "all" or n.startswith(subset)]
        print(f"\n{subset} ({len(keep)} photos)\n{'colorizer':34s} " + " ".join(f"{k:>16s}" for k in KEYS))
        for name, images in outputs.items():
            scores = evaluate_images([images[i] for i in keep], [truths[i] for i in keep])
            rows.setdefault(name, scores)  # the whole set's scores
            print(f"{name:34s} " + " ".join(f"{scores[k]:16.3f}" for k in KEYS))
    if args.frontier:
        sweep = []
        for vividness in FRONTIER_VIVIDNESS:
            scores = evaluate_images(colorize(truths, model=model, vividness=vividness, **render), truths)
            sweep.append((vividness, scores["psnr"], scores["colorfulness"]))
            print(f"vividness {vividness:.2f}: PSNR {scores['psnr']:.3f}, colorfulness {scores['colorfulness']:.2f}")
        for floor in (26, 30, 34):
            reached = [row for row in sweep if row[2] >= floor]
            best = max(reached, key=lambda row: row[1]) if reached else None
            print(f"frontier: colorfulness >= {floor}: " + (
                f"PSNR {best[1]:.3f} (vividness {best[0]:.2f})" if best else "not reached"))
    if args.grid_png:
        picks = np.linspace(0, len(truths) - 1, args.grid).round().astype(int)
        figure = plotting.comparison_figure([ours[i] for i in picks], [truths[i] for i in picks],
                                            [os.path.basename(paths[i]) for i in picks])
        print(f"wrote {plotting.save_figure(figure, args.grid_png, dpi=60)}")
    gray_psnr = rows["gray (a = b = 0)"]["psnr"]
    our_psnr = rows[f"ours ({model.name})"]["psnr"]
    photo_set = os.path.basename(os.path.normpath(args.data))
    photo_set += f" (validation {args.validation_split})" if args.validation_split is not None else ""
    photo_set += f"/{args.prefix}*" if args.prefix else ""
    print(json.dumps({"name": "dev_psnr_vs_gray", "ours": round(our_psnr, 3),
                      "reference": round(gray_psnr, 3), "ratio": round(our_psnr / gray_psnr, 4),
                      "photos": photo_set, "n": len(truths)}))


if __name__ == "__main__":
    main()
