"""`HorizontalFlip`: the deterministic left-right mirror of an image batch."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_colorize")
class HorizontalFlip(keras.layers.Layer):
    """Mirrors a `(batch, height, width, channels)` batch left to right, always.

    `keras.layers.RandomFlip` flips at random and only in training; this
    layer is for the mirror average that `models.mirror_average` builds:
    a colorizer run on the photo and on its mirror image, the second answer
    mirrored back and the two averaged (colors of a scene do not depend on
    its handedness, so the mean of both views has less variance). Hint
    channels are mirrored with the lightness, so hints stay on their pixels.

    Args:
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `(batch, height, width, channels)`.

    Output shape:
        The same.

    Example:

    >>> HorizontalFlip()(np.arange(3, dtype="float32").reshape(1, 1, 3, 1))[0, 0, :, 0]
    array([2., 1., 0.], dtype=float32)
    """

    def call(self, inputs):
        return ops.flip(inputs, axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape
