"""`RGBToLab`: the Lab conversion as a layer, on the accelerator."""

import keras

from keras_colorize import color


@keras.saving.register_keras_serializable(package="keras_colorize")
class RGBToLab(keras.layers.Layer):
    """Converts sRGB images to CIE Lab inside a model.

    Use it to move the color conversion into the model or the `train_step`,
    where it runs on the accelerator, instead of in the input pipeline.

    Args:
        variant: `"cie"` or `"report000"` (see `keras_colorize.color.rgb_to_lab`).
        scaled: if True, output the network scaling `(L/100, ab/128)`
            concatenated on the last axis instead of raw Lab.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `(..., 3)` sRGB in [0, 1].

    Output shape:
        `(..., 3)`: L, a, b (or L/100, a/128, b/128 when `scaled=True`).

    Example:

    >>> layer = RGBToLab(scaled=True)
    >>> layer(np.ones((1, 4, 4, 3), "float32")).shape
    (1, 4, 4, 3)
    """

    def __init__(self, variant="cie", scaled=False, **kwargs):
        super().__init__(**kwargs)
        color.check_variant(variant)
        self.variant = variant
        self.scaled = scaled

    def call(self, inputs):
        lab = color.rgb_to_lab(inputs, variant=self.variant)
        if self.scaled:
            return keras.ops.concatenate(color.scale_lab(lab), axis=-1)
        return lab

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"variant": self.variant, "scaled": self.scaled})
        return config
