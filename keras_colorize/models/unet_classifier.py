"""`unet_classifier`: U-Net predicting a distribution over ab bins (report 004,
Zhang et al. 2016), and `decode_ab`, its decoding back to ab."""

import keras
from keras import ops

from keras_colorize import color
from keras_colorize.models._utils import check_choice
from keras_colorize.models.unet import check_unet_args
from keras_colorize.models.unet import unet_body
from keras_colorize.models.unet import unet_input

DECODE_MODES = ("argmax", "annealed_mean", "mean", "sample")


def unet_classifier(
    input_size=256, depth=4, base_filters=64, grid="report004", hints=False,
    name="unet_classifier",
):
    """U-Net whose head is a per-pixel softmax over quantised ab bins.

    The body is `unet`'s (same layers and names); the head is a 1×1 conv to
    one logit per bin and a softmax. `grid="report004"` is report 004's
    26 × 26 = 676 bins of width 10 over [-128, 127]²; `grid="gamut"` keeps
    only the 261 bins that hold an sRGB color, the in-gamut quantisation of
    Zhang et al. 2016. Train with a (class-weighted) categorical
    cross-entropy on the bin of each pixel; decode with `decode_ab`.
    Report 004's classifier is
    `unet_classifier(input_size=512, depth=5, base_filters=26)` (20.5 M).

    Parameters at default settings: 31,092,132.

    Args:
        input_size: side S of the square input; a multiple of `2**depth`,
            or None for any size (height and width multiples of `2**depth`).
        depth: number of downsampling levels.
        base_filters: channels of the first level.
        grid: `"report004"` (676 bins) or `"gamut"` (261 bins), see
            `keras_colorize.color.ab_bin_centers`.
        hints: take user color hints: 4 input channels, as `unet(hints=True)`.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, Q)`
        bin probabilities (each pixel sums to 1).

    Example:

    >>> model = unet_classifier(input_size=32, depth=2, base_filters=8)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 676)

    Reference:
        Report 004, "Classification-Based Approach"; Zhang, Isola and Efros,
        "Colorful Image Colorization", ECCV 2016.
    """
    check_unet_args(input_size, depth, base_filters, "unet_classifier")
    check_choice(grid, color.AB_BIN_GRIDS, "grid")
    num_bins = color.ab_bin_centers(grid).shape[0]
    inputs = unet_input(input_size, hints)
    x = unet_body(inputs, depth, base_filters)
    x = keras.layers.Conv2D(num_bins, 1, name="bins_conv")(x)
    outputs = keras.layers.Softmax(axis=-1, name="bins_softmax")(x)
    return keras.Model(inputs, outputs, name=name)


def decode_ab(probs, grid="report004", mode="annealed_mean", temperature=0.38, seed=None):
    """Turns per-pixel bin probabilities into ab/128 values (`keras.ops`).

    Args:
        probs: `(..., Q)` probabilities over the bins of `grid` (the output
            of `unet_classifier`).
        grid: the bin grid the model was built with.
        mode: `"argmax"` (centre of the most likely bin, report 004),
            `"annealed_mean"` (mean of the distribution re-sharpened as
            `p^(1/T)`, Zhang et al.; T=0.38 by default), `"mean"` (plain
            expectation, T=1) or `"sample"` (a bin drawn from the annealed
            distribution; pass `temperature=1.0` to sample the predicted one).
        temperature: T > 0 for `"annealed_mean"` and `"sample"`.
        seed: int or `keras.random.SeedGenerator` for `"sample"`.

    Returns:
        `(..., 2)` ab / 128 (the scaling of `keras_colorize.color.scale_lab`).

    Example:

    >>> probs = np.zeros((1, 676), "float32"); probs[0, 0] = 1.0
    >>> np.asarray(decode_ab(probs, mode="argmax")) * 128
    array([[-123., -123.]], dtype=float32)
    """
    check_choice(mode, DECODE_MODES, "mode")
    if not temperature > 0:
        raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature}")
    centers_np = color.ab_bin_centers(grid) / color.AB_SCALE
    probs = ops.convert_to_tensor(probs)
    if probs.shape[-1] != centers_np.shape[0]:
        raise ValueError(
            f"`probs` must have one entry per bin of grid {grid!r} "
            f"({centers_np.shape[0]}) on its last axis. "
            f"Received: shape={tuple(probs.shape)}"
        )
    centers = ops.convert_to_tensor(centers_np, dtype=probs.dtype)
    if mode == "argmax":
        return ops.take(centers, ops.argmax(probs, axis=-1), axis=0)
    t = 1.0 if mode == "mean" else temperature
    logits = ops.log(ops.maximum(probs, 1e-12)) / t
    if mode == "sample":
        flat = ops.reshape(logits, (-1, centers_np.shape[0]))
        index = keras.random.categorical(flat, 1, seed=seed)
        index = ops.reshape(index, ops.shape(probs)[:-1])
        return ops.take(centers, index, axis=0)
    annealed = ops.softmax(logits, axis=-1)
    return ops.matmul(annealed, centers)
