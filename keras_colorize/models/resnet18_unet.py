"""`resnet18_unet`: ResNet-18 U-Net colorizer, report 002's primary model."""

import keras

from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int
from keras_colorize.models.resnet18 import TOTAL_STRIDE
from keras_colorize.models.resnet18 import load_encoder_weights
from keras_colorize.models.resnet18 import resnet18_encoder
from keras_colorize.models.unet import conv_block


def _up_block(x, skip, filters, name):
    """Transposed conv ×2, concatenation with the skip, 2 × (3×3 conv-BN-ReLU)."""
    x = keras.layers.Conv2DTranspose(filters, 2, strides=2, name=f"{name}_convt")(x)
    if skip is not None:
        x = keras.layers.Concatenate(name=f"{name}_concat")([x, skip])
    return conv_block(x, filters, name)


def resnet18_unet(
    input_size=256,
    encoder_weights=None,
    freeze_encoder=False,
    width=64,
    name="resnet18_unet",
):
    """ResNet-18 encoder with a symmetric U-Net decoder (report 002, primary).

    The encoder is a ResNet-18 whose first conv takes the L channel
    (`resnet18_encoder`). Its stem (S/2) and first three stages (S/4, S/8,
    S/16) are the four skip scales; the last stage (S/32) is the
    bottleneck. Each decoder step is a 2×2 transposed conv, concatenation
    with the skip of the same scale, and two 3×3 conv + BatchNorm + ReLU with
    as many channels as the skip; a fifth step (no skip, `width/2`
    channels) returns to S, and a 3×3 conv with tanh gives ab/128.

    Parameters at default settings: 14,349,474 (report 002: "about 15 M";
    about 57 MB in float32 — the report's "under 25 MB" would need half
    precision or fewer channels).

    Args:
        input_size: side S of the square input; a multiple of 32.
        encoder_weights: `None`, `"imagenet"` (refused with an explanation:
            nothing is downloaded) or the path of a local `.weights.h5` saved
            from `resnet18_encoder` of the same `width`.
        freeze_encoder: if True, only the decoder is trained.
        width: ResNet base width (64 for ResNet-18; smaller for tests).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 2)`
        ab/128 in [-1, 1]. The encoder is `model.get_layer("resnet18")`.

    Example:

    >>> model = resnet18_unet(input_size=64, width=8)
    >>> model(np.zeros((1, 64, 64, 1), "float32")).shape
    (1, 64, 64, 2)

    Reference:
        Report 002, §3.3 (`/work/shared/specs/002_*.txt`).
    """
    check_input_size(input_size, TOTAL_STRIDE, "resnet18_unet")
    check_positive_int(width, "width", minimum=2)
    encoder = resnet18_encoder(input_size, width=width, name="resnet18")
    load_encoder_weights(encoder, encoder_weights, freeze_encoder)

    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    stem, stage1, stage2, stage3, x = encoder(inputs)
    for i, skip in enumerate((stage3, stage2, stage1, stem), start=1):
        x = _up_block(x, skip, skip.shape[-1], f"decoder{i}")
    x = _up_block(x, None, width // 2, "decoder5")
    x = keras.layers.Conv2D(2, 3, padding="same", name="head_conv")(x)
    outputs = keras.layers.Activation("tanh", name="ab_tanh")(x)
    return keras.Model(inputs, outputs, name=name)
