"""Quality on `../shared/data/dev`: a model beside the gray and mean-ab baselines.

Every photo is colorized from its own lightness (`colorize()` at full
resolution) and scored on 8-bit sRGB, per-image means
(`keras_colorize.metrics.evaluate_images`): PSNR, SSIM, colorfulness
(Hasler & Süsstrunk) and the colorfulness gap. The baselines are computed in
the same run: gray (a = b = 0) and the mean ab of the set. Writes a
before/after grid of `--grid` photos (gray | ours | truth) and ends with one
JSON line: our PSNR against the gray baseline's.

    KERAS_BACKEND=tensorflow python benchmarks/dev_quality.py [--model M] [--grid-png PATH]
"""

import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import color  # noqa: E402
from keras_colorize import colorize  # noqa: E402
from keras_colorize import plotting  # noqa: E402
from keras_colorize.data import list_images  # noqa: E402
from keras_colorize.data import read_image  # noqa: E402
from keras_colorize.metrics import evaluate_images  # noqa: E402
from keras_colorize.saving import load_model  # noqa: E402
from keras_colorize.weights import load_default_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ("psnr", "ssim", "colorfulness", "colorfulness_gap", "delta_e2000")


def with_ab(truth, ab):
    """The photo's own L with the given ab (broadcast), as 8-bit sRGB."""
    lab = keras.ops.convert_to_numpy(color.rgb_to_lab(truth / 255.0)).copy()
    lab[..., 1:] = ab
    rgb = keras.ops.convert_to_numpy(color.lab_to_rgb(color.fit_chroma_to_gamut(lab)))
    return np.round(rgb * 255).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help=".keras file (default: the shipped model)")
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "dev"))
    parser.add_argument("--render-size", type=int, default=256)
    parser.add_argument("--grid", type=int, default=6, help="photos in the before/after grid")
    parser.add_argument("--grid-png", default=None, help="where to write the grid (PNG)")
    args = parser.parse_args()
    model = load_model(args.model) if args.model else load_default_model()
    paths = list_images(args.data)
    truths = [np.round(read_image(p) * 255).astype(np.uint8) for p in paths]
    ab_pixels = np.concatenate(
        [keras.ops.convert_to_numpy(color.rgb_to_lab(t / 255.0))[..., 1:].reshape(-1, 2)
         for t in truths]
    )
    mean_ab = ab_pixels.mean(axis=0)
    ours = colorize(truths, model=model, render_size=args.render_size)
    rows = {
        "gray (a = b = 0)": evaluate_images([with_ab(t, 0.0) for t in truths], truths),
        "mean ab of the set": evaluate_images([with_ab(t, mean_ab) for t in truths], truths),
        f"ours ({model.name})": evaluate_images(ours, truths),
        "ground truth": evaluate_images(truths, truths),
    }
    print(f"{len(truths)} photos of {os.path.abspath(args.data)}; model {model.name}, "
          f"{model.count_params():,} parameters, input {model.input_shape}")
    print(f"{'colorizer':28s} " + " ".join(f"{k:>16s}" for k in KEYS))
    for name, scores in rows.items():
        print(f"{name:28s} " + " ".join(f"{scores[k]:16.3f}" for k in KEYS))
    if args.grid_png:
        picks = np.linspace(0, len(truths) - 1, args.grid).round().astype(int)
        figure = plotting.comparison_figure([ours[i] for i in picks], [truths[i] for i in picks],
                                            [os.path.basename(paths[i]) for i in picks])
        print(f"wrote {plotting.save_figure(figure, args.grid_png, dpi=60)}")
    gray_psnr = rows["gray (a = b = 0)"]["psnr"]
    our_psnr = rows[f"ours ({model.name})"]["psnr"]
    print(json.dumps({"name": "dev_psnr_vs_gray", "ours": round(our_psnr, 3),
                      "reference": round(gray_psnr, 3), "ratio": round(our_psnr / gray_psnr, 4)}))


if __name__ == "__main__":
    main()
