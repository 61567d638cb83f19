"""`patch_discriminator`: PatchGAN judging (L, ab) pairs, for report 002's cGAN."""

import keras

from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int


def patch_discriminator(input_size=256, base_filters=64, num_layers=3, name="patch_discriminator"):
    """PatchGAN discriminator on (L, ab) pairs (pix2pix), for `ConditionalGAN`.

    L/100 and ab/128 are concatenated and go through `num_layers` 4×4
    stride-2 convs (`base_filters · 2^i` channels, capped at 8×; BatchNorm
    after all but the first; LeakyReLU 0.2), one 4×4 stride-1 conv with BN
    and LeakyReLU, and a 4×4 conv to one logit per patch. With the defaults
    each logit sees a 70 × 70 patch. Report 002 pairs its generator with such
    a discriminator and an L1 term.

    Parameters at default settings: 2,767,425.

    Args:
        input_size: side S of the square input; a multiple of `2**num_layers`.
        base_filters: channels of the first conv.
        num_layers: number of stride-2 convs.
        name: model name.

    Returns:
        A `keras.Model` from `[(batch, S, S, 1) L/100, (batch, S, S, 2) ab/128]`
        to `(batch, S / 2**num_layers, S / 2**num_layers, 1)` logits
        (real > 0 > fake; use `from_logits=True`).

    Example:

    >>> model = patch_discriminator(input_size=32, base_filters=8)
    >>> model([np.zeros((1, 32, 32, 1)), np.zeros((1, 32, 32, 2))]).shape
    (1, 4, 4, 1)

    Reference:
        Isola et al., "Image-to-Image Translation with Conditional Adversarial
        Networks", CVPR 2017; report 002, §3.2.2.
    """
    check_positive_int(base_filters, "base_filters")
    check_positive_int(num_layers, "num_layers")
    check_input_size(input_size, 2**num_layers, "patch_discriminator")
    l_input = keras.Input((input_size, input_size, 1), name="l_input")
    ab_input = keras.Input((input_size, input_size, 2), name="ab_input")
    x = keras.layers.Concatenate(name="lab_concat")([l_input, ab_input])
    strides = [2] * num_layers + [1]
    for i, stride in enumerate(strides, start=1):
        filters = base_filters * min(2 ** (i - 1), 8)
        x = keras.layers.Conv2D(
            filters, 4, strides=stride, padding="same", use_bias=i == 1, name=f"block{i}_conv"
        )(x)
        if i > 1:
            x = keras.layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"block{i}_lrelu")(x)
    outputs = keras.layers.Conv2D(1, 4, padding="same", name="patch_logits")(x)
    return keras.Model([l_input, ab_input], outputs, name=name)
