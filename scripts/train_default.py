"""Trains the default model shipped in `keras_colorize/weights/default.keras`.

The recipe: a U-Net classifier over the 261 in-gamut ab bins (Zhang et al.
2016's quantisation; `keras_colorize.models.unet_classifier`), trained with the
soft-encoded cross-entropy (`RebalancedCrossEntropy`, 5 neighbours, σ = 5;
`--mix` sets the class rebalancing, 0 = none) on `../shared/data/train` minus a
4 % validation split, whole photos resized to `--image-size` (short side, centre /
random crop). Training stops after `--epochs` or at `--minutes` of wall time,
keeping the weights of the best validation loss. The decoding is then chosen on
the validation split (not on dev): the render size, a class-rebalancing
correction of the predicted distribution, p(q)·w(q)^α with w Zhang et al.'s
rebalancing weights (λ = 0.5) — without it the mode of most pixels is a grey bin
— and the annealed-mean vividness v; the highest PSNR among the settings whose
colorfulness reaches `--min-colorfulness` wins. Both are folded into the last
layer (logits z → v·(z + α·log w): the softmax of that is p·w^α annealed at
T / v), the model is saved with a fixed input of the chosen render size, and
the choices are written beside it in `default.json`. `--skip-training` redoes
only the choice from the saved best weights.

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
from keras_colorize import saving

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


def set_decoding(model, head_weights, log_w, alpha, vividness):
    """Folds the rebalancing exponent α and vividness v into the bins layer."""
    kernel, bias = head_weights
    model.get_layer("bins_conv").set_weights(
        [kernel * vividness, (bias + alpha * log_w) * vividness]
    )


def choose_decoding(model, paths, log_w, grid, min_colorfulness):
    """Scores each decoding setting on validation photos; returns the rows and the choice."""
    truths = [to_uint8(data.read_image(p)) for p in paths]
    head = [w.copy() for w in model.get_layer("bins_conv").get_weights()]
    rows = []
    for size, alpha, vivid in grid:
        set_decoding(model, head, log_w, alpha, vivid)
        preds = colorize(truths, model=model, render_size=size)
        scores = metrics.evaluate_images(preds, truths)
        rows.append({"render_size": size, "alpha": alpha, "vividness": vivid,
                     **{k: scores[k] for k in ("psnr", "ssim", "colorfulness")}})
        print(json.dumps(rows[-1]), flush=True)
    model.get_layer("bins_conv").set_weights(head)
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
    parser.add_argument("--init", default=None, metavar="MODEL.keras",
                        help="start from this model's weights (e.g. the shipped default) instead of "
                             "random ones; its bins layer holds its decoding, which training re-learns")
    parser.add_argument("--skip-training", action="store_true",
                        help="load the best weights of --work-dir and redo the decoding choice")
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
    if args.init:
        model.set_weights(saving.load_model(args.init).get_weights())
        print(f"initial weights from {args.init}")
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss=losses.RebalancedCrossEntropy(prior if args.mix > 0 else None, grid=grid,
                                           mix=args.mix if args.mix > 0 else 0.5),
    )
    os.makedirs(args.work_dir, exist_ok=True)
    best = os.path.join(args.work_dir, "best.weights.h5")
    if not args.skip_training:
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

    log_w = np.log(priors.rebalancing_weights(prior, grid)).astype("float32")
    # (A first grid also tried vividness 1.5: never better, colorfulness even drops.)
    settings = [(size, alpha, 1.0) for size in (64, 128) for alpha in (0.0, 0.5, 0.7, 0.85, 1.0)]
    rows, choice = choose_decoding(model, val_paths[:: max(1, len(val_paths) // 60)][:60],
                                   log_w, settings, args.min_colorfulness)
    print("chosen:", json.dumps(choice))
    shipped = models.unet_classifier(
        input_size=choice["render_size"], depth=args.depth, base_filters=args.base_filters,
        grid=grid, name="default_colorizer",
    )
    shipped.set_weights(model.get_weights())
    set_decoding(shipped, model.get_layer("bins_conv").get_weights(), log_w,
                 choice["alpha"], choice["vividness"])
    tmp = args.output + ".tmp.keras"
    shipped.save(tmp)
    os.replace(tmp, args.output)
    record = {"recipe": vars(args) | {"output": os.path.basename(args.output)},
              "parameters": shipped.count_params(), "validation": rows, "chosen": choice}
    with open(os.path.join(args.work_dir, "default.json"), "w") as f:
        json.dump(record, f, indent=1)
    print(f"Wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
