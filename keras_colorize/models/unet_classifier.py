"""`unet_classifier`: U-Net predicting a distribution over ab bins (report 004,
Zhang et al. 2016); `keras_colorize.bins.decode_ab` decodes it back to ab."""

import keras

from keras_colorize import bins
from keras_colorize import layers
from keras_colorize.models.unet import unet_features


def unet_classifier(
    input_size=256, depth=4, base_filters=64, grid="square", hints=False,
    name="unet_classifier", backbone=None, encoder_weights=None, encoder_freeze=False,
):
    """U-Net whose head is a per-pixel softmax over quantised ab bins.

    The body is `unet`'s (same layers and names); the head is a 1×1 conv to
    one logit per bin and a softmax. `grid="square"` is report 004's
    26 × 26 = 676 bins of width 10 over [-128, 127]²; `grid="gamut"` keeps
    only the 261 bins that hold an sRGB color, the in-gamut quantisation of
    Zhang et al. 2016. Train with a (class-weighted) categorical
    cross-entropy on the bin of each pixel; decode with `bins.decode_ab`
    (or append a `keras_colorize.layers.DecodeBins` layer).
    Report 004's classifier is
    `unet_classifier(input_size=512, depth=5, base_filters=26)` (20.5 M).

    Parameters at default settings: 31,092,132.

    Args:
        input_size: side S of the square input; a multiple of `2**depth`,
            or None for any size (height and width multiples of `2**depth`).
        depth: number of downsampling levels.
        base_filters: channels of the first level.
        grid: `"square"` (676 bins) or `"gamut"` (261 bins), see
            `keras_colorize.bins.bin_centers` (the former name
            `"report004"` of `"square"` is accepted).
        hints: take user color hints: 4 input channels, as `unet(hints=True)`.
        name: model name.
        backbone, encoder_weights, encoder_freeze: a pretrained encoder, as
            in `unet` (e.g. `backbone="efficientnet_lite0",
            encoder_weights="imagenet", encoder_freeze=True`).

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
    num_bins = bins.num_bins(bins.check_grid(grid))
    inputs, x = unet_features(input_size, depth, base_filters, hints, backbone, encoder_weights,
                              encoder_freeze, "unet_classifier")
    x = keras.layers.Conv2D(num_bins, 1, name="bins_conv")(x)
    if backbone is not None:
        x = layers.BilinearUpsampling2D(name="output_up")(x)
    outputs = keras.layers.Softmax(axis=-1, name="bins_softmax")(x)
    return keras.Model(inputs, outputs, name=name)
