"""`BilinearUpsampling2D`: ×2 bilinear upsampling that works at any input size."""

import keras
from keras import ops


def _upsample_rows(x):
    """×2 along axis 1 with half-pixel centres and clamped edges:
    out[2i] = ¾·x[i] + ¼·x[i−1], out[2i+1] = ¾·x[i] + ¼·x[i+1]."""
    before = ops.concatenate([x[:, :1], x[:, :-1]], axis=1)
    after = ops.concatenate([x[:, 1:], x[:, -1:]], axis=1)
    interleaved = ops.stack([0.75 * x + 0.25 * before, 0.75 * x + 0.25 * after], axis=2)
    shape = ops.shape(x)
    return ops.reshape(interleaved, (-1, shape[1] * 2, shape[2], shape[3]))


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
        rows = _upsample_rows(inputs)
        return ops.transpose(_upsample_rows(ops.transpose(rows, (0, 2, 1, 3))), (0, 2, 1, 3))

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        return (b, None if h is None else 2 * h, None if w is None else 2 * w, c)
