"""`HintPooling2D`: a hint model's input (L ‖ hint ab ‖ mask) at a coarser scale."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_colorize")
class HintPooling2D(keras.layers.Layer):
    """Pools L, the color hints and their mask by `pool_size`, keeping the hints' colors.

    A plain average of the hint channels dilutes a hint: one 3×3 patch
    pooled by 16 keeps 9/256 of its color, far below the features it is
    concatenated with. This layer averages L, but gives each cell the mean
    hint ab *over the hinted pixels in it* (sum of hint ab / sum of mask)
    and a mask that is 1 where any pixel of the cell is hinted, so a coarse
    decoder level sees a hint at full strength and can spread it.

    Args:
        pool_size: int, the cell side (a decoder level's stride).
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `(B, H, W, 4)`: L/100, hint a/128 and b/128 (zero where not hinted)
        and the mask in {0, 1}. H and W are multiples of `pool_size` (the
        remainder is dropped, as `AveragePooling2D` does).

    Output shape:
        `(B, H // pool_size, W // pool_size, 4)`: mean L, hint a and b, mask.

    Example:

    >>> x = np.zeros((1, 4, 4, 4), "float32"); x[0, 0, 0] = [0.5, 0.2, -0.1, 1.0]
    >>> np.round(np.asarray(HintPooling2D(4)(x))[0, 0, 0], 4).tolist()
    [0.0312, 0.2, -0.1, 1.0]
    """

    def __init__(self, pool_size, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f"`pool_size` must be an integer >= 1. Received: pool_size={pool_size!r}")
        self.pool_size = pool_size

    def build(self, input_shape):
        if input_shape[-1] != 4:
            raise ValueError(
                "HintPooling2D expects 4 channels (L, hint a, hint b, mask). "
                f"Received: input_shape={tuple(input_shape)!r}"
            )

    def call(self, inputs):
        size = self.pool_size
        mean = ops.average_pool(inputs, size, strides=size, padding="valid")
        coverage = mean[..., 3:]
        hinted = ops.cast(coverage > 0, inputs.dtype)
        hint_ab = mean[..., 1:3] / ops.maximum(coverage, 1e-12) * hinted
        return ops.concatenate([mean[..., :1], hint_ab, hinted], axis=-1)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        cells = [None if side is None else side // self.pool_size for side in (height, width)]
        return (batch, *cells, channels)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size})
        return config
