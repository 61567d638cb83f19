"""`HintPropagation`: spreads the correction that color hints ask for over nearby pixels of similar lightness."""

import math

import keras
import numpy as np
from keras import ops

from keras_colorize.layers.bilinear_upsampling import BilinearUpsampling2D

# Lightness bins of the bilateral grid (L / 100 in [0, 1]).
BINS = 16
# The grid's spatial cell, in input pixels (two ×2 bilinear steps back).
CELL = 4


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"`{name}` must be a number > 0. Received: {name}={value!r}")
    return float(value)


@keras.saving.register_keras_serializable(package="keras_colorize")
class HintPropagation(keras.layers.Layer):
    """Moves a hint model's ab toward its hints, edge-aware, on top of what it learned.

    At each hinted pixel q the residual is `r_q = hint_ab_q − ab_q`. Each
    pixel p gets

        ab_p + Σ_q G(p − q) K(L_p − L_q) r_q / (Σ_q G(p − q) K(L_p − L_q) + prior)

    with G a Gaussian of `spatial_sigma` pixels (peak 1) and K one of
    `lightness_sigma` in L/100: a hint recolors the pixels near it whose
    lightness is close to its own, fully where hints are dense (the sum
    of weights ≫ `prior`: one 3×3 hint weighs 9) and not at all far away,
    where the model's own ab stay. Without hints the output is `ab`
    exactly. The sums are computed on a bilateral grid (Chen, Paris and
    Durand, 2007): `BINS` lightness bins (K splatted at the bin centres and
    interpolated linearly at L_p) and `CELL`×`CELL` pixel cells, blurred
    by a separable Gaussian and upsampled bilinearly, in `keras.ops` only.

    The learned hint path of our U-Nets (`HintPooling2D` into the decoder)
    responds weakly to a few small hints; this layer makes any hint model
    honour them, with parameters chosen on validation photos
    (`scripts/train_default.py` does so for the shipped model).

    Args:
        spatial_sigma: reach of a hint, in pixels of the input (> 0).
        lightness_sigma: lightness tolerance, in L / 100 (> 0).
        prior: weight of the model's own ab against the hints (> 0).
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `[x, ab]`: the hint model's input `(B, H, W, 4)` (L / 100,
            hint a / 128, hint b / 128, mask) and its output `(B, H, W, 2)`
            (ab / 128). H and W are multiples of `CELL` (any U-Net's are).

    Returns:
        `(B, H, W, 2)`: the corrected ab / 128.

    Example:

    >>> x = np.zeros((1, 32, 32, 4), "float32"); x[..., 0] = 0.5
    >>> x[0, 15:18, 15:18, 1:] = [0.4, 0.0, 1.0]  # a 3×3 hint, a* = 51
    >>> ab = np.zeros((1, 32, 32, 2), "float32")
    >>> out = np.asarray(HintPropagation(spatial_sigma=8.0)([x, ab]))
    >>> bool(out[0, 16, 16, 0] > 0.3), bool(0 < out[0, 16, 28, 0] < out[0, 16, 22, 0])
    (True, True)
    """

    def __init__(self, spatial_sigma=16.0, lightness_sigma=0.1, prior=1.0, **kwargs):
        super().__init__(**kwargs)
        self.spatial_sigma = _positive(spatial_sigma, "spatial_sigma")
        self.lightness_sigma = _positive(lightness_sigma, "lightness_sigma")
        self.prior = _positive(prior, "prior")
        self.upsample = BilinearUpsampling2D()
        sigma = self.spatial_sigma / CELL
        offsets = np.arange(-math.ceil(3 * sigma), math.ceil(3 * sigma) + 1)
        kernel = np.exp(-0.5 * (offsets / sigma) ** 2).astype("float32")  # peak 1
        # Depthwise kernels over the grid's 3 · BINS channels: along rows, then along columns.
        self._rows = np.tile(kernel[:, None, None, None], (1, 1, 3 * BINS, 1))
        self._cols = np.tile(kernel[None, :, None, None], (1, 1, 3 * BINS, 1))
        self._centres = np.linspace(0.0, 1.0, BINS).astype("float32")

    def build(self, input_shape):
        x_shape, ab_shape = (tuple(shape) for shape in input_shape)
        sides = [side for side in x_shape[1:3] if side is not None]
        if x_shape[-1] != 4 or ab_shape[-1] != 2 or any(side % CELL for side in sides):
            raise ValueError(
                f"HintPropagation expects [x, ab]: x of 4 channels (L, hint a, hint b, mask) and ab of 2, with "
                f"height and width multiples of {CELL}. Received: input_shape={[x_shape, ab_shape]!r}"
            )
        self.upsample.build(None)  # weightless

    def _blur(self, grid):
        grid = ops.depthwise_conv(grid, ops.convert_to_tensor(self._rows), padding="same")
        return ops.depthwise_conv(grid, ops.convert_to_tensor(self._cols), padding="same")

    def call(self, inputs):
        x, ab = inputs
        lightness, hint_ab, mask = x[..., :1], x[..., 1:3], x[..., 3:4]
        centres = ops.convert_to_tensor(self._centres)
        weights = mask * ops.exp(-0.5 * ops.square((lightness - centres) / self.lightness_sigma))
        residual = mask * (hint_ab - ab)
        splat = ops.concatenate([weights * residual[..., :1], weights * residual[..., 1:], weights], axis=-1)
        grid = ops.average_pool(splat, CELL, strides=CELL, padding="valid") * float(CELL * CELL)
        grid = self.upsample(self.upsample(self._blur(grid)))
        hat = ops.maximum(0.0, 1.0 - ops.abs(lightness - centres) * (BINS - 1))
        total = ops.sum(hat * grid[..., 2 * BINS:], axis=-1, keepdims=True) + self.prior
        shift = ops.concatenate([ops.sum(hat * grid[..., :BINS], axis=-1, keepdims=True),
                                 ops.sum(hat * grid[..., BINS:2 * BINS], axis=-1, keepdims=True)], axis=-1)
        return ab + shift / total

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update({"spatial_sigma": self.spatial_sigma, "lightness_sigma": self.lightness_sigma,
                       "prior": self.prior})
        return config
