"""`LabToRGB`: Lab back to sRGB as a layer, on the accelerator."""

import keras

from keras_colorize import color


@keras.saving.register_keras_serializable(package="keras_colorize")
class LabToRGB(keras.layers.Layer):
    """Converts CIE Lab to sRGB in [0, 1] inside a model (gamut clipped).

    Args:
        variant: `"cie"` or `"rounded"` (see `keras_colorize.color.lab_to_rgb`).
        scaled: if True, the input is the network scaling `(L/100, ab/128)`
            concatenated on the last axis, as `RGBToLab(scaled=True)` makes.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `(..., 3)`: L, a, b (or L/100, a/128, b/128 when `scaled=True`).

    Output shape:
        `(..., 3)` sRGB in [0, 1].

    Example:

    >>> rgb = np.ones((1, 4, 4, 3), "float32")
    >>> lab = RGBToLab(scaled=True)(rgb)
    >>> np.allclose(LabToRGB(scaled=True)(lab), rgb, atol=1e-4)
    True
    """

    def __init__(self, variant="cie", scaled=False, **kwargs):
        super().__init__(**kwargs)
        self.variant = color.variant_name(variant)  # a former name ("report000") is translated
        self.scaled = scaled

    def call(self, inputs):
        if self.scaled:
            inputs = color.unscale_lab(inputs[..., :1], inputs[..., 1:])
        return color.lab_to_rgb(inputs, variant=self.variant)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"variant": self.variant, "scaled": self.scaled})
        return config
