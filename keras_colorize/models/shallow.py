"""`shallow`: ShallowColorizationNet, report 002's baseline."""

import keras

from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int


def shallow(input_size=256, filters=64, name="shallow"):
    """ShallowColorizationNet: the encoder-bottleneck-decoder baseline of report 002.

    Two 3×3 conv + ReLU (`filters`, `2·filters`), a 2×2 max-pool, a 3×3
    bottleneck conv + ReLU (`4·filters`), a 2×2 stride-2 transposed conv +
    ReLU (`2·filters`) back to S, and a 3×3 conv to 2 channels with tanh.
    Report 002 trains it with an L1 loss.

    Parameters at default settings: 503,170.

    Args:
        input_size: side S of the square input; a multiple of 2.
        filters: channels of the first conv (the others are 2× and 4× it).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 2)`
        ab/128 in [-1, 1].

    Example:

    >>> model = shallow(input_size=32, filters=8)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 2)

    Reference:
        Report 002, §3.2.1 (`/work/shared/specs/002_*.txt`).
    """
    check_input_size(input_size, 2, "shallow")
    check_positive_int(filters, "filters")
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    x = inputs
    for j, multiplier in enumerate((1, 2), start=1):
        x = keras.layers.Conv2D(
            multiplier * filters, 3, padding="same", activation="relu", name=f"encoder1_conv{j}"
        )(x)
    x = keras.layers.MaxPooling2D(2, name="encoder1_pool")(x)
    x = keras.layers.Conv2D(
        4 * filters, 3, padding="same", activation="relu", name="bottleneck_conv"
    )(x)
    x = keras.layers.Conv2DTranspose(
        2 * filters, 2, strides=2, activation="relu", name="decoder1_convt"
    )(x)
    x = keras.layers.Conv2D(2, 3, padding="same", name="head_conv")(x)
    outputs = keras.layers.Activation("tanh", name="ab_tanh")(x)
    return keras.Model(inputs, outputs, name=name)
