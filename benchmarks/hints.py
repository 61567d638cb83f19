"""PSNR of a hint U-Net with 0, 1, 5, 10 and 50 random true-color hints.

    python benchmarks/hints.py --model hints64.keras              # evaluate
    python benchmarks/hints.py --model hints64.keras --train-minutes 18   # train first
    python benchmarks/hints.py --model default --size 128         # the shipped model

Training (when `--model` does not exist): `unet(64, depth=3, base_filters=16,
hints=True)` on `--train` (64×64 random crops, flips/rotations), hints
simulated by `keras_colorize.data.with_hints` (geometric number of patches,
`--hint-p` = 1/16, at most `--max-hints` = 64), Adam 1e-3, L1 loss, stopped after `--train-minutes` of wall time.

Evaluation: every photo of `--dev`, resized and centre-cropped to `--size`
(64 by default; a fully convolutional model such as the shipped one can take
its own render size); for K hints, K
patches of 3×3 pixels at uniform random locations showing the mean true ab
under them (`keras_colorize.hints.random_hints`, the same locations for each
model and seed); PSNR of the 8-bit RGB reconstruction (the photo's own L plus
the predicted ab) against the photo, as `keras_colorize.metrics.evaluate_images`.
Ends with one JSON line: PSNR with 10 hints against PSNR with none.
"""

import argparse
import json
import os
import pathlib
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import color  # noqa: E402
from keras_colorize import data  # noqa: E402
from keras_colorize import hints  # noqa: E402
from keras_colorize import metrics  # noqa: E402
from keras_colorize import models  # noqa: E402
from keras_colorize.data.hints import with_hints  # noqa: E402

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
HINT_COUNTS = (0, 1, 5, 10, 50)
SIZE = 64


class _WallClockStop(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.deadline = time.monotonic() + seconds

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() > self.deadline:
            self.model.stop_training = True


def train(train_dir, minutes, path, p, max_points):
    ds = data.from_directory(train_dir, image_size=SIZE, batch_size=32, augment=True, cache=True)
    ds = with_hints(ds, p=p, max_points=max_points, seed=0).repeat()
    model = models.unet(input_size=SIZE, depth=3, base_filters=16, hints=True, name="unet_hints")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae")
    start = time.monotonic()
    history = model.fit(ds, epochs=1000, steps_per_epoch=100, verbose=2, shuffle=False,
                        callbacks=[_WallClockStop(minutes * 60)])
    steps = 100 * len(history.history["loss"])
    print(f"trained {steps} steps ({steps * 32} crops) in {time.monotonic() - start:.0f} s, "
          f"final L1 {history.history['loss'][-1]:.4f}")
    model.save(path)
    return model


def evaluate(model, dev_dir, size=SIZE):
    ds = data.from_directory(dev_dir, image_size=size, batch_size=64, training=False)
    lightness, ab = (np.concatenate(parts) for parts in zip(*[(x.numpy(), y.numpy()) for x, y in ds]))

    def to_rgb8(ab_pred):
        lab = np.concatenate([lightness * color.L_SCALE, ab_pred * color.AB_SCALE], axis=-1)
        return np.round(keras.ops.convert_to_numpy(color.lab_to_rgb(lab)) * 255).astype(np.uint8)

    truths = to_rgb8(ab)
    table = {}
    for count in HINT_COUNTS:
        hint_maps = hints.random_hints(ab, count, patch_size=3, seed=count)
        pred = model.predict(np.concatenate([lightness, hint_maps], axis=-1), batch_size=64, verbose=0)
        scores = metrics.evaluate_images(to_rgb8(pred), truths)
        table[count] = scores
    return len(truths), table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True,
                        help="hint model (.keras; trained if missing), or 'default' for the shipped model")
    parser.add_argument("--size", type=int, default=SIZE, help="side of the centre crops scored")
    parser.add_argument("--train", default=str(SHARED / "train"))
    parser.add_argument("--dev", default=str(SHARED / "dev"))
    parser.add_argument("--train-minutes", type=float, default=18.0)
    parser.add_argument("--hint-p", type=float, default=1 / 16,
                        help="training hints: geometric parameter (mean count about 1/p)")
    parser.add_argument("--max-hints", type=int, default=64, help="training hints: cap per crop")
    args = parser.parse_args()
    if args.model == "default":
        from keras_colorize.weights import load_default_model

        model = load_default_model()
    elif os.path.exists(args.model):
        model = keras.saving.load_model(args.model, safe_mode=True)
    else:
        model = train(args.train, args.train_minutes, args.model, args.hint_p, args.max_hints)
    n, table = evaluate(model, args.dev, args.size)
    print(f"{n} dev photos, centre crop {args.size}x{args.size}, 3x3 true-color hint patches at random places")
    print(f"{'hints':>5}  {'PSNR dB':>8}  {'SSIM':>6}  {'ΔE2000':>7}")
    for count, scores in table.items():
        print(f"{count:5d}  {scores['psnr']:8.2f}  {scores['ssim']:6.3f}  {scores['delta_e2000']:7.2f}")
    psnrs = [table[c]["psnr"] for c in HINT_COUNTS]
    print("monotonic in the number of hints:", all(b > a for a, b in zip(psnrs, psnrs[1:])))
    ours, reference = table[10]["psnr"], table[0]["psnr"]
    print(json.dumps({
        "name": "hints_psnr_10_vs_0",
        "ours": round(ours, 3),
        "reference": round(reference, 3),
        "ratio": round(ours / reference, 4),
    }))


if __name__ == "__main__":
    main()
