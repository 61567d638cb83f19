"""`six_conv_rgb`: the lightweight grayscale-to-RGB network of report 003."""

import keras

from keras_colorize.models._utils import check_positive_int

# Channels of the six 3×3 same-padding convs (the last one is the RGB head).
FILTERS = (64, 128, 256, 128, 64, 3)


def six_conv_rgb(input_size=256, name="six_conv_rgb"):
    """Six 3×3 convolutions 1→64→128→256→128→64→3 predicting RGB (report 003).

    Every conv keeps the resolution (same padding, stride 1); ReLU after the
    first five, sigmoid after the last, so the output is RGB in [0, 1]. The
    input is the grayscale image as L/100. Report 003 trains it with MSE.

    Parameters at default settings: 740,227 (any `input_size`; report 003
    says "approximately 600K", its own layer list counts 740,227).

    Args:
        input_size: side S of the square input (any positive int: the
            network has no stride).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 3)`
        RGB in [0, 1].

    Example:

    >>> model = six_conv_rgb(input_size=32)
    >>> model.count_params()
    740227

    Reference:
        Report 003, §3 (`/work/shared/specs/003_*.txt`).
    """
    check_positive_int(input_size, "input_size")
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    x = inputs
    for i, filters in enumerate(FILTERS, start=1):
        x = keras.layers.Conv2D(
            filters,
            3,
            padding="same",
            activation="relu" if i < len(FILTERS) else "sigmoid",
            name=f"conv{i}" if i < len(FILTERS) else "rgb_conv",
        )(x)
    return keras.Model(inputs, x, name=name)
