"""`BilinearUpsampling2D`: ×2 bilinear upsampling that works at any input size."""

import keras
from keras import ops


def _upsample_axis(x, axis):
    """×2 along `axis` with half-pixel centres and clamped edges:
    out[2i] = ¾·x[i] + ¼·x[i−1], out[2i+1] = ¾·x[i] + ¼·x[i+1]."""
    n = ops.shape(x)[axis]
    first = ops.take(x, [0], axis=axis)
    last = ops.take(x, [-1], axis=axis) if isinstance(n, int) else ops.take(x, ops.reshape(n - 1, (1,)), axis=axis)
    before = ops.concatenate([first, ops.take(x, ops.arange(0, n - 1), axis=axis)], axis=axis)
    after = ops.concatenate([ops.take(x, ops.arange(1, n), axis=axis), last], axis=axis)
    even = 0.75 * x + 0.25 * before
    odd = 0.75 * x + 0.25 * after
    stacked = ops.stack([even, odd], axis=axis + 1)
    shape = ops.shape(x)
    new_shape = [-1] + [shape[i] * 2 if i == axis else shape[i] for i in range(1, 4)]
    return ops.reshape(stacked, new_shape)


@keras.saving.register_keras_serializable(package="keras_colorize")
class BilinearUpsampling2D(keras.layers.Layer):
    """Doubles height and width by bilinear interpolation (channels last).

    The same values as `keras.layers.UpSampling2D(2, interpolation=
    "bilinear")` (half-pixel centres, edges clamped, as `tf.image.resize`),
    written with slices and multiply-adds so that it also runs where the
    spatial size is unknown until run time: Keras' layer fails there on the
    TensorFlow backend ("Using a symbolic `tf.Tensor` as a Python `bool`"),
    which fully convolutional colorizers (`input_size=None`) need.

    Args:
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `(batch, H, W, C)`.

    Output shape:
        `(batch, 2H, 2W, C)`.

    Example:

    >>> BilinearUpsampling2D()(np.ones((1, 3, 5, 2), "float32")).shape
    (1, 6, 10, 2)
    """

    def call(self, inputs):
        return _upsample_axis(_upsample_axis(inputs, 1), 2)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        return (b, None if h is None else 2 * h, None if w is None else 2 * w, c)
