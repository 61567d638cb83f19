"""`resnet18_encoder`: ResNet-18 with a 1-channel stem, the shared backbone of
the report 001 and report 002 models."""

import os

import keras

from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int

# Two BasicBlocks per stage; channels are `width * multiplier`.
STAGE_MULTIPLIERS = (1, 2, 4, 8)
TOTAL_STRIDE = 32


def _conv_bn(x, filters, kernel_size, stride, name, relu=True):
    """Conv (PyTorch-style symmetric padding) + BatchNorm (+ ReLU)."""
    pad = kernel_size // 2
    if stride > 1 and pad:
        x = keras.layers.ZeroPadding2D(pad, name=f"{name}_pad")(x)
        padding = "valid"
    else:
        padding = "same"
    x = keras.layers.Conv2D(
        filters, kernel_size, strides=stride, padding=padding, use_bias=False, name=f"{name}_conv"
    )(x)
    x = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"{name}_bn")(x)
    if relu:
        x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return x


def _basic_block(x, filters, stride, name):
    """ResNet BasicBlock: two 3×3 conv-BN, identity or 1×1 projection shortcut."""
    shortcut = x
    y = _conv_bn(x, filters, 3, stride, f"{name}_1")
    y = _conv_bn(y, filters, 3, 1, f"{name}_2", relu=False)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = _conv_bn(x, filters, 1, stride, f"{name}_shortcut", relu=False)
    y = keras.layers.Add(name=f"{name}_add")([y, shortcut])
    return keras.layers.ReLU(name=f"{name}_out")(y)


def resnet18_encoder(input_size=256, width=64, name="resnet18"):
    """ResNet-18 feature extractor with a 1-channel (L) first convolution.

    The standard BasicBlock layout of He et al.: 7×7/2 stem conv, 3×3/2
    max-pool, four stages of two BasicBlocks (`width`·1, 2, 4, 8 channels;
    strides 1, 2, 2, 2), without the classifier. The stem takes one channel,
    as reports 001 and 002 change it to read the L channel.

    Parameters at default settings: 11,179,840 (11,170,240 trainable; the
    rest are BatchNorm moving statistics).

    Args:
        input_size: side S of the square input; a multiple of 32.
        width: channels of the stem and first stage (64 in ResNet-18; smaller
            values give a narrow copy for tests).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` to five feature maps:
        stem `(S/2, S/2, width)`, stage1 `(S/4, S/4, width)`,
        stage2 `(S/8, S/8, 2·width)`, stage3 `(S/16, S/16, 4·width)`,
        stage4 `(S/32, S/32, 8·width)`.

    Example:

    >>> encoder = resnet18_encoder(input_size=64, width=8)
    >>> [f.shape[1] for f in encoder(np.zeros((1, 64, 64, 1), "float32"))]
    [32, 16, 8, 4, 2]

    Reference:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
    """
    check_input_size(input_size, TOTAL_STRIDE, "resnet18_encoder")
    check_positive_int(width, "width")
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    stem = _conv_bn(inputs, width, 7, 2, "stem")
    x = keras.layers.ZeroPadding2D(1, name="stem_pool_pad")(stem)
    x = keras.layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    features = [stem]
    for i, multiplier in enumerate(STAGE_MULTIPLIERS, start=1):
        stride = 1 if i == 1 else 2
        x = _basic_block(x, width * multiplier, stride, f"stage{i}_block1")
        x = _basic_block(x, width * multiplier, 1, f"stage{i}_block2")
        features.append(x)
    return keras.Model(inputs, features, name=name)


def load_encoder_weights(encoder, encoder_weights, freeze_encoder):
    """Loads `encoder_weights` into `encoder` and freezes it if asked.

    Args:
        encoder: a `resnet18_encoder` model.
        encoder_weights: `None` (random init), `"imagenet"` (refused: nothing
            is downloaded) or the path of a `.weights.h5` file saved from a
            `resnet18_encoder` of the same width
            (`encoder.save_weights("resnet18.weights.h5")`).
        freeze_encoder: if True, the encoder is not trained (its BatchNorm
            layers then run in inference mode).
    """
    if encoder_weights == "imagenet":
        raise ValueError(
            "keras_colorize does not download weights and Keras ships no "
            "ResNet-18, so `encoder_weights='imagenet'` cannot be resolved. "
            "Pass the path of a local `.weights.h5` file saved from "
            "`keras_colorize.models.resnet18_encoder` (for example ImageNet "
            "weights converted from torchvision, with the stem summed over its "
            "RGB channels). Received: encoder_weights='imagenet'"
        )
    if encoder_weights is not None:
        path = os.fspath(encoder_weights)
        if not path.endswith(".weights.h5") or not os.path.isfile(path):
            raise ValueError(
                "`encoder_weights` must be None, 'imagenet' or the path of an "
                "existing `.weights.h5` file saved from `resnet18_encoder`. "
                f"Received: encoder_weights={encoder_weights!r}"
            )
        encoder.load_weights(path)
    if freeze_encoder:
        encoder.trainable = False
