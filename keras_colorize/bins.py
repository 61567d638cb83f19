"""The quantised ab plane, defined once: bin grids, pixel -> bin, soft encoding, decoding.

The classifiers (`models.unet_classifier`), their losses
(`losses.RebalancedCrossEntropy`, `losses.ColorWeightedLoss`), the color
priors (`priors`) and the decoding (`decode_ab`, `layers.DecodeBins`) all read
their bins from here, so a histogram, a loss and a decoded prediction can never
disagree on what bin `i` means.

Grids (their centres: `bin_centers(grid)`):
    * `"square"`: the whole ab square [-128, 127] cut into 26 × 26 = 676 bins
      of width 10 (report 004's classifier). Also accepted: `"report004"`.
    * `"gamut"`: the 261 bins of width 10, centred on multiples of 10, that
      hold the ab of at least one sRGB color (the in-gamut quantisation of
      Zhang et al. 2016, who published 313 bins from their own gamut
      estimate).

A pixel belongs to the bin whose centre is nearest to its ab. `bin_lookup`
makes that assignment two integer divisions and a table read, written once
against an ops namespace (`ab_to_bin` in `keras.ops`, `ab_to_bin_numpy` in
NumPy, as `color` writes its formulas). It is exact for every ab inside the
bins (all sRGB colors for the "gamut" grid); an ab outside them goes to the
bin nearest to its 10 × 10 cell.
"""

import functools

import keras
import numpy as np
from keras import ops

from keras_colorize import color
from keras_colorize._aliases import current_name

BIN_WIDTH = 10.0
GRIDS = ("square", "gamut")
# Former names, still accepted everywhere a grid is (saved models use them).
GRID_ALIASES = {"report004": "square"}
DECODE_MODES = ("argmax", "annealed_mean", "mean", "sample")
# Zhang et al. (2016), section 3.1: the annealed-mean temperature.
DEFAULT_TEMPERATURE = 0.38


def check_grid(grid):
    """The name of a grid (a former name is translated), or a `ValueError`.

    Example:

    >>> check_grid("report004")
    'square'
    """
    return current_name(grid, GRIDS, GRID_ALIASES, "ab grid", "grid")


@functools.lru_cache(maxsize=None)
def _gamut_bins():
    """Grid bins (width 10) that hold the ab of at least one sRGB color."""
    levels = np.linspace(0.0, 1.0, 64)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1)
    lab = color.rgb_to_lab_numpy(rgb.reshape(-1, 3))
    cells = np.unique(np.round(lab[:, 1:] / BIN_WIDTH), axis=0)
    return (cells * BIN_WIDTH).astype("float32")


def bin_centers(grid="square"):
    """Centres of the bins of `grid`, in Lab units.

    Args:
        grid: `"square"` (676 bins) or `"gamut"` (261 bins); see the module.

    Returns:
        A float32 NumPy array of shape `(num_bins, 2)`: (a, b) per bin.

    Example:

    >>> bin_centers("square").shape
    (676, 2)
    """
    grid = check_grid(grid)
    if grid == "square":
        centers = -128.0 + BIN_WIDTH / 2 + BIN_WIDTH * np.arange(26)
        a, b = np.meshgrid(centers, centers, indexing="ij")
        return np.stack([a.ravel(), b.ravel()], -1).astype("float32")
    return _gamut_bins().copy()


def num_bins(grid="square"):
    """How many bins `grid` has (the channels of a classifier over it)."""
    return len(bin_centers(grid))


@functools.lru_cache(maxsize=None)
def _lookup(grid):
    centers = bin_centers(grid).astype("float64")
    # Cells of width BIN_WIDTH aligned with the bin edges; every ab value in
    # [-128, 128] falls in one of `size` x `size` cells.
    low = float(centers.min()) - BIN_WIDTH / 2
    size = int(round((float(centers.max()) + BIN_WIDTH / 2 - low) / BIN_WIDTH))
    while low + size * BIN_WIDTH < 128.0:
        size += 1
    cell_centers = low + BIN_WIDTH / 2 + BIN_WIDTH * np.arange(size)
    a, b = np.meshgrid(cell_centers, cell_centers, indexing="ij")
    cells = np.stack([a.ravel(), b.ravel()], -1)
    distances = ((cells[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    table = distances.argmin(-1).astype("int32")
    return low, size, table


def bin_lookup(grid="square"):
    """The cell grid that maps an ab value to its nearest bin.

    Args:
        grid: `"square"` or `"gamut"`.

    Returns:
        A tuple `(low, size, table)`: cell `(i, j)` of width `BIN_WIDTH`
        starts at `(low + i*width, low + j*width)` and its pixels belong to
        bin `table[i * size + j]` (int32, `size**2` entries). Out-of-range
        indices are clipped to the grid.
    """
    low, size, table = _lookup(check_grid(grid))
    return low, size, table.copy()


def _ab_to_bin(xp, ab_scaled, grid):
    """Nearest-bin index of ab/128 values, with the ops of namespace `xp`
    (`color.KerasOps` or `color.NumpyOps`)."""
    low, size, table = _lookup(check_grid(grid))
    ab = ab_scaled * color.AB_SCALE
    cells = xp.cast(xp.clip(xp.floor((ab - low) / BIN_WIDTH), 0, size - 1), "int32")
    return xp.take(table, cells[..., 0] * size + cells[..., 1])


def ab_to_bin(ab_scaled, grid="square"):
    """Index of the nearest bin per pixel (`keras.ops`, inside losses and models).

    Args:
        ab_scaled: `(..., 2)` ab / 128.
        grid: `"square"` or `"gamut"`.

    Returns:
        An int32 tensor of shape `(...)`.
    """
    return _ab_to_bin(color.KerasOps, ops.convert_to_tensor(ab_scaled), grid)


def ab_to_bin_numpy(ab_scaled, grid="square"):
    """`ab_to_bin` in float64 NumPy (for priors and offline statistics).

    Returns:
        An int32 NumPy array of shape `(...)`.
    """
    return _ab_to_bin(color.NumpyOps, np.asarray(ab_scaled, dtype="float64"), grid)


def soft_encode(ab_scaled, grid="square", neighbors=5, sigma=5.0):
    """Soft-encodes ab on the bins: the k nearest, Gaussian-weighted (`keras.ops`).

    Args:
        ab_scaled: `(..., 2)` ab / 128.
        grid: `"square"` or `"gamut"`.
        neighbors: k (Zhang et al.: 5). With 1, the hard label (nearest bin)
            with weight 1.
        sigma: Gaussian σ in Lab units (Zhang et al.: 5).

    Returns:
        `(indices, weights)`, each `(..., k)`: bin indices (int32) and
        weights summing to 1.
    """
    ab_scaled = ops.convert_to_tensor(ab_scaled)
    if neighbors == 1:
        index = ab_to_bin(ab_scaled, grid)[..., None]
        return index, ops.ones_like(ops.cast(index, ab_scaled.dtype))
    centers = ops.convert_to_tensor(bin_centers(grid), dtype=ab_scaled.dtype)
    ab = ab_scaled * color.AB_SCALE
    # Squared distances to every centre through one matmul, to rank them.
    rank = ops.sum(ops.square(centers), axis=-1) - 2.0 * ops.matmul(ab, ops.transpose(centers))
    _, index = ops.top_k(-rank, k=neighbors)
    # Exact distances of the k chosen ones.
    chosen = ops.take(centers, index, axis=0)
    d2 = ops.sum(ops.square(chosen - ab[..., None, :]), axis=-1)
    d2 = d2 - ops.min(d2, axis=-1, keepdims=True)
    weights = ops.exp(-d2 / (2.0 * sigma**2))
    weights = weights / ops.sum(weights, axis=-1, keepdims=True)
    return ops.cast(index, "int32"), weights


def decode_ab(probs, grid="square", mode="annealed_mean", temperature=DEFAULT_TEMPERATURE, seed=None):
    """Turns per-pixel bin probabilities into ab/128 values (`keras.ops`).

    Args:
        probs: `(..., Q)` probabilities over the bins of `grid` (the output
            of `unet_classifier`).
        grid: the bin grid the model was built with.
        mode: `"argmax"` (centre of the most likely bin, report 004),
            `"annealed_mean"` (mean of the distribution re-sharpened as
            `p^(1/T)`, Zhang et al.; T=0.38 by default), `"mean"` (plain
            expectation, T=1) or `"sample"` (a bin drawn from the annealed
            distribution; pass `temperature=1.0` to sample the predicted one).
        temperature: T > 0 for `"annealed_mean"` and `"sample"`.
        seed: int or `keras.random.SeedGenerator` for `"sample"`.

    Returns:
        `(..., 2)` ab / 128 (the scaling of `keras_colorize.color.scale_lab`).

    Example:

    >>> probs = np.zeros((1, 676), "float32"); probs[0, 0] = 1.0
    >>> np.asarray(decode_ab(probs, mode="argmax")) * 128
    array([[-123., -123.]], dtype=float32)
    """
    if mode not in DECODE_MODES:
        raise ValueError(f"`mode` must be one of {DECODE_MODES}. Received: mode={mode!r}")
    if not temperature > 0:
        raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature}")
    centers_np = bin_centers(grid) / color.AB_SCALE
    probs = ops.convert_to_tensor(probs)
    if probs.shape[-1] != centers_np.shape[0]:
        raise ValueError(
            f"`probs` must have one entry per bin of grid {grid!r} "
            f"({centers_np.shape[0]}) on its last axis. "
            f"Received: shape={tuple(probs.shape)}"
        )
    centers = ops.convert_to_tensor(centers_np, dtype=probs.dtype)
    if mode == "argmax":
        return ops.take(centers, ops.argmax(probs, axis=-1), axis=0)
    t = 1.0 if mode == "mean" else temperature
    logits = ops.log(ops.maximum(probs, 1e-12)) / t
    if mode == "sample":
        flat = ops.reshape(logits, (-1, centers_np.shape[0]))
        index = keras.random.categorical(flat, 1, seed=seed)
        index = ops.reshape(index, ops.shape(probs)[:-1])
        return ops.take(centers, index, axis=0)
    annealed = ops.softmax(logits, axis=-1)
    return ops.matmul(annealed, centers)
