"""`LightnessToGray`: L/100 to the gray sRGB photo an RGB encoder expects."""

import keras
from keras import ops

from keras_colorize import color


@keras.saving.register_keras_serializable(package="keras_colorize")
class LightnessToGray(keras.layers.Layer):
    """Renders the network's L/100 channel as gray sRGB in [0, 1] (a = b = 0).

    An ImageNet encoder was trained on RGB photos; the gray photo it should
    see is the Lab photo with its chroma removed, rendered back to sRGB, so
    R = G = B = this layer's output. Feeding it to an encoder whose stem
    kernel is summed over its RGB inputs (`keras_colorize.backbones` does so
    for 1-channel inputs) is exactly the RGB network on that gray photo.
    Only the first input channel is read, so a hint model's input
    (L ‖ hint ab ‖ mask) can be passed whole.

    Args:
        variant: Lab variant, `"cie"` or `"report000"`.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `(..., C)` with L/100 in channel 0.

    Output shape:
        `(..., 1)` gray sRGB in [0, 1].

    Example:

    >>> LightnessToGray()(np.array([[0.0, 0.5, 1.0]], "float32").reshape(1, 3, 1)).shape
    (1, 3, 1)
    """

    def __init__(self, variant="cie", **kwargs):
        super().__init__(**kwargs)
        color.check_variant(variant)
        self.variant = variant

    def call(self, inputs):
        lightness = inputs[..., :1] * color.L_SCALE
        zeros = ops.zeros_like(lightness)
        rgb = color.lab_to_rgb(ops.concatenate([lightness, zeros, zeros], axis=-1), variant=self.variant)
        return rgb[..., :1]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 1)

    def get_config(self):
        config = super().get_config()
        config.update({"variant": self.variant})
        return config
