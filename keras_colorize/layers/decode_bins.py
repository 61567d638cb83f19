"""`DecodeBins`: a classifier's ab-bin probabilities to ab, as a layer."""

import keras

from keras_colorize import bins


@keras.saving.register_keras_serializable(package="keras_colorize")
class DecodeBins(keras.layers.Layer):
    """Decodes per-pixel ab-bin probabilities to ab/128, then scales the chroma.

    Appended to a classifier (`unet_classifier`), it makes a model that maps
    L to ab like a regression model, with its decoding chosen once and kept
    in the `.keras` file: `decode_ab` (the annealed mean by default) times a
    chroma `gain`, clipped to [-1, 1]. Scaling the mean's chroma is the
    cheapest way, in expected squared error, to make a classifier's colors
    more vivid: every pixel pays (gain − 1)²·|mean|², the same price per unit
    of chroma gained, while re-weighting the bins also moves hues.

    Args:
        grid: the bin grid of the classifier (`"square"` or `"gamut"`, see `keras_colorize.bins`).
        mode: `"mean"`, `"annealed_mean"` or `"argmax"` (see `decode_ab`;
            `"sample"` is left out: a shipped model decodes deterministically).
        temperature: annealed-mean temperature T > 0.
        gain: chroma gain > 0 applied to the decoded ab.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `(..., Q)` probabilities over the Q bins of `grid`.

    Output shape:
        `(..., 2)` ab / 128, in [-1, 1].

    Example:

    >>> probs = np.zeros((1, 2, 2, 261), "float32"); probs[..., 0] = 1.0
    >>> DecodeBins("gamut", mode="mean", gain=0.5)(probs).shape
    (1, 2, 2, 2)
    """

    def __init__(self, grid="square", mode="annealed_mean", temperature=bins.DEFAULT_TEMPERATURE, gain=1.0,
                 **kwargs):
        super().__init__(**kwargs)
        grid = bins.check_grid(grid)  # a former name ("report004") is translated
        if mode not in bins.DECODE_MODES or mode == "sample":
            raise ValueError(
                f"`mode` must be 'mean', 'annealed_mean' or 'argmax'. Received: mode={mode!r}"
            )
        for name, value in (("temperature", temperature), ("gain", gain)):
            if not value > 0:
                raise ValueError(f"`{name}` must be > 0. Received: {name}={value!r}")
        self.grid = grid
        self.mode = mode
        self.temperature = temperature
        self.gain = gain

    def call(self, inputs):
        ab = bins.decode_ab(inputs, self.grid, mode=self.mode, temperature=self.temperature)
        return keras.ops.clip(ab * self.gain, -1.0, 1.0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (2,)

    def get_config(self):
        config = super().get_config()
        config.update({"grid": self.grid, "mode": self.mode, "temperature": self.temperature,
                       "gain": self.gain})
        return config
