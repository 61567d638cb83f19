"""`baseline_cnn`: the encoder-decoder baseline of report 004."""

import keras

from keras_colorize.models._utils import check_choice
from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int

ENCODER_MULTIPLIERS = (1, 2, 4, 8)
DECODER_MULTIPLIERS = (4, 2, 1, 0.5)
TOTAL_STRIDE = 16


def baseline_cnn(input_size=96, base_filters=64, output="rgb", name="baseline_cnn"):
    """Encoder-decoder CNN without skips, report 004's baseline (4.3 M).

    Four down blocks of 3×3 Conv + BatchNorm + ReLU + 2×2 MaxPool
    (64, 128, 256, 512 channels; 96 px → 6 px), four up blocks of 4×4
    stride-2 ConvTranspose + BatchNorm + ReLU (256, 128, 64, 32 channels;
    6 px → 96 px), and a 1×1 head: 3 channels with sigmoid (RGB in [0, 1],
    the report's setting) or 2 channels with tanh (ab/128).

    Parameters at default settings: 4,341,443 (report 004: 4.3 M).

    Args:
        input_size: side S of the square input; a multiple of 16 (96 in the
            report).
        base_filters: channels of the first block (64 in the report).
        output: `"rgb"` (sigmoid, 3 channels) or `"ab"` (tanh, 2 channels).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 3)`
        RGB or `(batch, S, S, 2)` ab/128.

    Example:

    >>> model = baseline_cnn(input_size=32, base_filters=8)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 3)

    Reference:
        Report 004, "Baseline CNN Encoder-Decoder" (`/work/shared/specs/004_*.txt`).
    """
    check_input_size(input_size, TOTAL_STRIDE, "baseline_cnn")
    check_positive_int(base_filters, "base_filters", minimum=2)
    check_choice(output, ("rgb", "ab"), "output")
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    x = inputs
    for i, multiplier in enumerate(ENCODER_MULTIPLIERS, start=1):
        x = keras.layers.Conv2D(
            base_filters * multiplier, 3, padding="same", name=f"encoder{i}_conv"
        )(x)
        x = keras.layers.BatchNormalization(name=f"encoder{i}_bn")(x)
        x = keras.layers.ReLU(name=f"encoder{i}_relu")(x)
        x = keras.layers.MaxPooling2D(2, name=f"encoder{i}_pool")(x)
    for i, multiplier in enumerate(DECODER_MULTIPLIERS, start=1):
        x = keras.layers.Conv2DTranspose(
            int(base_filters * multiplier), 4, strides=2, padding="same", name=f"decoder{i}_convt"
        )(x)
        x = keras.layers.BatchNormalization(name=f"decoder{i}_bn")(x)
        x = keras.layers.ReLU(name=f"decoder{i}_relu")(x)
    if output == "rgb":
        outputs = keras.layers.Conv2D(3, 1, activation="sigmoid", name="rgb_conv")(x)
    else:
        outputs = keras.layers.Conv2D(2, 1, activation="tanh", name="ab_conv")(x)
    return keras.Model(inputs, outputs, name=name)
