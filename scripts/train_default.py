"""Trains the default model shipped in `keras_colorize/weights/default.keras`.

The recipe: a U-Net classifier over the 261 in-gamut ab bins (Zhang et al.
2016's quantisation; `keras_colorize.models.unet_classifier`), trained with the
soft-encoded cross-entropy (`RebalancedCrossEntropy`, 5 neighbours, σ = 5;
`--mix` sets the class rebalancing, 0 = none) on `../shared/data/train` minus a
4 % validation split, whole photos resized to `--image-size` (short side, centre /
random crop). Training stops after `--epochs` or at `--minutes` of wall time,
keeping the weights of the best validation loss. The annealed-mean temperature and
render size are then chosen on the validation split (not on dev): the highest
PSNR among the settings whose colorfulness reaches `--min-colorfulness`. The
model is saved with a fixed input of the chosen render size, and the choices are
written beside it in `default.json`; the chosen vividness is folded into the
last layer's weights (scaling the logits by v is the same as dividing the
annealed-mean temperature by v).

Run (CPU, about 2 hours on 2 cores):

    KERAS_BACKEND=tensorflow python scripts/train_default.py --minutes 100

Evaluate on dev afterwards: `keras-colorize evaluate ../shared/data/dev --json`.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

from keras_colorize import colorize
from keras_colorize import data
from keras_colorize import losses
from keras_colorize import metrics
from keras_colorize import models
from keras_colorize import priors

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, "..", "keras_colorize", "weights")


class WallClockStop(keras.callbacks.Callback):
    """Stops training once `minutes` of wall time have passed (checked per batch)."""

    def __init__(self, minutes):
        super().__init__()
        self.deadline = time.time() + 60 * minutes

    def on_train_batch_end(self, batch, logs=None):
        if time.time() > self.deadline:
            self.model.stop_training = True


def to_uint8(rgb):
    return np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def choose_decoding(model, paths, render_sizes, vividness, min_colorfulness):
    """Scores each (render size, vividness) on validation photos; returns the rows and the choice."""
    truths = [to_uint8(data.read_image(p)) for p in paths]
    rows = []
    for size in render_sizes:
        for vivid in vividness:
            preds = colorize(truths, model=model, render_size=size, vividness=vivid)
            scores = metrics.evaluate_images(preds, truths)
            rows.append({"render_size": size, "vividness": vivid,
                         **{k: scores[k] for k in ("psnr", "ssim", "colorfulness")}})
            print(json.dumps(rows[-1]), flush=True)
    vivid_enough = [r for r in rows if r["colorfulness"] >= min_colorfulness] or rows
    return rows, max(vivid_enough, key=lambda r: r["psnr"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--base-filters", type=int, default=24)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--mix", type=float, default=0.0, help="rebalancing λ; 0 = plain soft CE")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=100.0)
    parser.add_argument("--min-colorfulness", type=float, default=26.0)
    parser.add_argument("--work-dir", default="train_default_work")
    parser.add_argument("--output", default=os.path.join(WEIGHTS, "default.keras"))
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(1337)
    paths = data.list_images(args.data)
    train_paths = data.split_files(paths, "training", validation_split=0.04)
    val_paths = data.split_files(paths, "validation", validation_split=0.04)
    print(f"{len(train_paths)} training / {len(val_paths)} validation photos")
    common = dict(image_size=args.image_size, batch_size=args.batch_size, cache=True, seed=1337)
    train_ds = data.from_files(train_paths, training=True, **common)
    val_ds = data.from_files(val_paths, **common)

    grid = "gamut"
    prior = priors.ab_histogram(train_ds, grid=grid, max_batches=60)
    model = models.unet_classifier(
        input_size=None, depth=args.depth, base_filters=args.base_filters, grid=grid
    )
    print(f"unet_classifier: {model.count_params():,} parameters")
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss=losses.RebalancedCrossEntropy(prior if args.mix > 0 else None, grid=grid,
                                           mix=args.mix if args.mix > 0 else 0.5),
    )
    os.makedirs(args.work_dir, exist_ok=True)
    best = os.path.join(args.work_dir, "best.weights.h5")
    model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=args.epochs,
        verbose=2,
        callbacks=[
            keras.callbacks.ModelCheckpoint(best, save_best_only=True, save_weights_only=True),
            keras.callbacks.ReduceLROnPlateau(factor=0.3, patience=2),
            keras.callbacks.CSVLogger(os.path.join(args.work_dir, "log.csv")),
            keras.callbacks.TerminateOnNaN(),
            WallClockStop(args.minutes),
        ],
    )
    model.load_weights(best)

    rows, choice = choose_decoding(
        model, val_paths[:120], render_sizes=(64, 128, 256), vividness=(0.8, 1.0, 1.3, 1.7),
        min_colorfulness=args.min_colorfulness,
    )
    print("chosen:", json.dumps(choice))
    shipped = models.unet_classifier(
        input_size=choice["render_size"], depth=args.depth, base_filters=args.base_filters,
        grid=grid, name="default_colorizer",
    )
    shipped.set_weights(model.get_weights())
    # Bake the chosen vividness into the logits: softmax(v·z) annealed at T is
    # softmax(z) annealed at T / v, so colorize(vividness=1) reproduces the choice.
    head = shipped.get_layer("bins_conv")
    head.set_weights([w * choice["vividness"] for w in head.get_weights()])
    tmp = args.output + ".tmp.keras"
    shipped.save(tmp)
    os.replace(tmp, args.output)
    settings = {"recipe": vars(args) | {"output": os.path.basename(args.output)},
                "parameters": shipped.count_params(), "validation": rows, "chosen": choice}
    with open(os.path.join(args.work_dir, "default.json"), "w") as f:
        json.dump(settings, f, indent=1)
    print(f"Wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
