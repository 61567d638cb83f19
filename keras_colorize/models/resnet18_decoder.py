"""`resnet18_decoder`: ResNet-18 encoder + upsampling decoder of report 001."""

import keras

from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int
from keras_colorize.models.resnet18 import TOTAL_STRIDE
from keras_colorize.models.resnet18 import load_encoder_weights
from keras_colorize.models.resnet18 import resnet18_encoder

# Decoder blocks: (filters as a multiple of `width`, upsampling factor); the
# factors multiply to the encoder's total stride 32.
DECODER_BLOCKS = ((4, 4), (2, 2), (1, 2), (0.5, 2))


def resnet18_decoder(
    input_size=256,
    encoder_weights=None,
    freeze_encoder=False,
    width=64,
    name="resnet18_decoder",
):
    """ResNet-18 encoder and a four-block upsampling decoder (report 001).

    L/100 goes through a ResNet-18 (1-channel stem, see `resnet18_encoder`)
    to `8·width` × S/32 × S/32 features; four decoder blocks of
    3×3 Conv + BatchNorm + ReLU + bilinear upsampling (256, 128, 64, 32
    channels; upsampling ×4, ×2, ×2, ×2) bring them back to the input
    size, and a 3×3 conv with tanh gives ab/128. Report 001 trains the
    decoder on top of a pretrained, frozen or fine-tuned encoder.

    Parameters at default settings: 12,749,058.

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
        ab/128 in [-1, 1]. The encoder is the nested model
        `model.get_layer("resnet18")`.

    Example:

    >>> model = resnet18_decoder(input_size=64, width=8)
    >>> model(np.zeros((1, 64, 64, 1), "float32")).shape
    (1, 64, 64, 2)

    Reference:
        Report 001, §3 and §6.1 (`/work/shared/specs/001_*.txt`).
    """
    check_input_size(input_size, TOTAL_STRIDE, "resnet18_decoder")
    check_positive_int(width, "width", minimum=2)
    encoder = resnet18_encoder(input_size, width=width, name="resnet18")
    load_encoder_weights(encoder, encoder_weights, freeze_encoder)

    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    x = encoder(inputs)[-1]
    for i, (multiplier, factor) in enumerate(DECODER_BLOCKS, start=1):
        x = keras.layers.Conv2D(
            int(width * multiplier), 3, padding="same", use_bias=False, name=f"decoder{i}_conv"
        )(x)
        x = keras.layers.BatchNormalization(name=f"decoder{i}_bn")(x)
        x = keras.layers.ReLU(name=f"decoder{i}_relu")(x)
        x = keras.layers.UpSampling2D(
            factor, interpolation="bilinear", name=f"decoder{i}_upsample"
        )(x)
    x = keras.layers.Conv2D(2, 3, padding="same", name="head_conv")(x)
    outputs = keras.layers.Activation("tanh", name="ab_tanh")(x)
    return keras.Model(inputs, outputs, name=name)
