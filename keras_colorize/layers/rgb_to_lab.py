"""`RGBToLab`: the Lab conversion as a layer, on the accelerator."""

import keras

from keras_colorize import color

_CHANNELS = {"lab": (0, 3), "l": (0, 1), "ab": (1, 3)}


@keras.saving.register_keras_serializable(package="keras_colorize")
class RGBToLab(keras.layers.Layer):
    """Converts sRGB images to CIE Lab inside a model.

    Use it to move the color conversion into the model or the `train_step`,
    where it runs on the accelerator, instead of in the input pipeline.

    Args:
        variant: `"cie"` or `"rounded"` (see `keras_colorize.color.rgb_to_lab`).
        scaled: if True, output the network scaling `(L/100, ab/128)`
            concatenated on the last axis instead of raw Lab.
        channels: `"lab"` (all three), `"l"` (L only: the input of a
            colorizer that takes RGB photos) or `"ab"`.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `(..., 3)` sRGB in [0, 1].

    Output shape:
        `(..., 3)`: L, a, b (or L/100, a/128, b/128 when `scaled=True`);
        `(..., 1)` for `channels="l"`, `(..., 2)` for `channels="ab"`.

    Example:

    >>> layer = RGBToLab(scaled=True)
    >>> layer(np.ones((1, 4, 4, 3), "float32")).shape
    (1, 4, 4, 3)
    """

    def __init__(self, variant="cie", scaled=False, channels="lab", **kwargs):
        super().__init__(**kwargs)
        variant = color.variant_name(variant)  # a former name ("report000") is translated
        if channels not in _CHANNELS:
            raise ValueError(
                f"`channels` must be one of {list(_CHANNELS)}. Received: channels={channels!r}"
            )
        self.variant = variant
        self.scaled = scaled
        self.channels = channels

    def call(self, inputs):
        lab = color.rgb_to_lab(inputs, variant=self.variant)
        if self.scaled:
            lab = keras.ops.concatenate(color.scale_lab(lab), axis=-1)
        start, stop = _CHANNELS[self.channels]
        return lab if self.channels == "lab" else lab[..., start:stop]

    def compute_output_shape(self, input_shape):
        start, stop = _CHANNELS[self.channels]
        return tuple(input_shape[:-1]) + (stop - start,)

    def get_config(self):
        config = super().get_config()
        config.update({"variant": self.variant, "scaled": self.scaled, "channels": self.channels})
        return config
