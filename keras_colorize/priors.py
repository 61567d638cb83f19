"""Color priors: how often each quantised ab bin occurs in a training set.

The class-rebalancing losses (`losses.ColorWeightedLoss`,
`losses.RebalancedCrossEntropy`) weight each pixel by the inverse frequency of
its target ab bin. This module measures those frequencies once, in NumPy, from
any dataset of `(L/100, ab/128)` batches, and turns them into per-bin weights.
Its arithmetic is NumPy only (float64), outside any graph.

The bins, and which bin a pixel belongs to, are those of `keras_colorize.bins`
(`bins.ab_to_bin_numpy` here, its `keras.ops` twin `bins.ab_to_bin` inside the
losses), so histogram and loss can never disagree.
"""

import numpy as np

from keras_colorize import bins

# Zhang et al. (2016), "Colorful Image Colorization", section 2.2.
DEFAULT_SIGMA = 5.0
DEFAULT_MIX = 0.5

# Former homes of the bin lookup, kept as aliases.
_check_grid = bins.check_grid
bin_lookup = bins.bin_lookup
ab_to_bin = bins.ab_to_bin_numpy


def _ab_of(element):
    """The ab/128 array of one dataset element."""
    if isinstance(element, dict):
        raise ValueError(
            "`ab_histogram` expects (L, ab) tuples or arrays, not dicts. "
            f"Received keys: {sorted(element)}"
        )
    if isinstance(element, (tuple, list)):
        element = element[-1]
    array = np.asarray(element)
    if array.shape[-1] == 3:
        array = array[..., 1:]
    if array.shape[-1] != 2:
        raise ValueError(
            "Expected ab / 128 with 2 channels on the last axis (or scaled "
            "Lab with 3 channels). "
            f"Received: shape={array.shape}"
        )
    return array


def ab_histogram(dataset, grid="square", max_batches=None):
    """Empirical distribution of the ab bins over a dataset.

    Args:
        dataset: a `tf.data.Dataset` (read with `as_numpy_iterator()`), any
            iterable of batches, or a single NumPy array. A batch is either
            a tuple `(L/100, ab/128)` (the target is its last entry), or an
            array of ab/128 (2 channels) or scaled Lab (3 channels).
        grid: `"square"` (676 bins) or `"gamut"` (261 bins), see `bins`.
        max_batches: stop after this many batches (None: the whole dataset).

    Returns:
        A float64 NumPy array of shape `(num_bins,)` that sums to 1: the
        fraction of pixels whose ab falls in each bin.

    Example:

    >>> ab = np.zeros((2, 4, 4, 2), "float32")
    >>> prior = ab_histogram(ab)
    >>> prior.shape, float(prior.max())
    ((676,), 1.0)
    """
    num_bins = bins.num_bins(grid)
    if isinstance(dataset, np.ndarray):
        batches = [dataset]
    elif hasattr(dataset, "as_numpy_iterator"):
        batches = dataset.as_numpy_iterator()
    else:
        batches = dataset
    counts = np.zeros(num_bins, dtype="float64")
    for i, batch in enumerate(batches):
        if max_batches is not None and i >= max_batches:
            break
        index = bins.ab_to_bin_numpy(_ab_of(batch), grid)
        counts += np.bincount(index.ravel(), minlength=num_bins)
    total = counts.sum()
    if total == 0:
        raise ValueError("`ab_histogram` found no pixels: the dataset is empty.")
    return counts / total


def _check_prior(prior, grid):
    prior = np.asarray(prior, dtype="float64")
    num_bins = bins.num_bins(grid)
    if prior.shape != (num_bins,) or np.any(prior < 0) or prior.sum() <= 0:
        raise ValueError(
            f"`prior` must hold {num_bins} non-negative bin frequencies for "
            f"grid={grid!r} (see `ab_histogram`). "
            f"Received: shape={prior.shape}"
        )
    return prior / prior.sum()


def smooth_prior(prior, grid="square", sigma=DEFAULT_SIGMA):
    """Smooths a bin distribution with a Gaussian kernel on the ab plane.

    Args:
        prior: bin frequencies, shape `(num_bins,)` (as `ab_histogram`).
        grid: the grid of `prior`.
        sigma: standard deviation of the kernel in Lab units (Zhang et al.:
            5). 0 returns the normalised prior unchanged.

    Returns:
        The smoothed distribution p̃ (float64, sums to 1).
    """
    prior = _check_prior(prior, grid)
    if sigma < 0:
        raise ValueError(f"`sigma` must be >= 0. Received: sigma={sigma}")
    if sigma == 0:
        return prior
    centers = bins.bin_centers(grid).astype("float64")
    d2 = ((centers[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    kernel = np.exp(-d2 / (2.0 * sigma**2))
    smoothed = kernel @ prior
    return smoothed / smoothed.sum()


def rebalancing_weights(
    prior, grid="square", sigma=DEFAULT_SIGMA, mix=DEFAULT_MIX
):
    """Per-bin class-rebalancing weights of Zhang et al. (2016), eq. 4.

    w ∝ ((1 − mix) · p̃ + mix / Q)^−1, normalised so that E_p̃[w] = 1 (the
    average weight of a training pixel is 1, so a weighted loss keeps the
    magnitude of the unweighted one).

    Args:
        prior: bin frequencies (`ab_histogram`).
        grid: the grid of `prior`.
        sigma: Gaussian smoothing of the prior, Lab units (0: none).
        mix: λ, the share of the uniform distribution (Zhang et al.: 0.5);
            0 gives the plain inverse of the smoothed frequency.

    Returns:
        A float64 array `(num_bins,)` of positive weights.
    """
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"`mix` must be in [0, 1]. Received: mix={mix}")
    smoothed = smooth_prior(prior, grid, sigma)
    mixed = (1.0 - mix) * smoothed + mix / smoothed.size
    if np.any(mixed <= 0):
        raise ValueError(
            "Some bins have zero smoothed frequency, so their inverse is "
            "infinite. Use `mix` > 0 or `sigma` > 0. "
            f"Received: mix={mix}, sigma={sigma}"
        )
    weights = 1.0 / mixed
    return weights / np.sum(smoothed * weights)
