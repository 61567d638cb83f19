"""Color priors: the ab histogram and the rebalancing weights, in NumPy."""

import numpy as np
import pytest

from keras_colorize import bins
from keras_colorize import priors


def reference_weights(prior, grid, sigma, mix):
    """Zhang et al. (2016) eq. 4, written out with loops over the bins."""
    centers = bins.bin_centers(grid).astype("float64")
    prior = np.asarray(prior, "float64") / np.sum(prior)
    q = len(centers)
    smoothed = np.zeros(q)
    for i in range(q):
        d2 = np.sum((centers[i] - centers) ** 2, axis=-1)
        smoothed[i] = np.sum(prior * np.exp(-d2 / (2 * sigma**2)))
    smoothed /= smoothed.sum()
    w = 1.0 / ((1 - mix) * smoothed + mix / q)
    return w / np.sum(smoothed * w), smoothed


def test_ab_histogram_counts(photos):
    import skimage.color

    lab = skimage.color.rgb2lab(photos["coffee"][:64, :64])
    ab = lab[None, ..., 1:] / 128.0
    l_scaled = lab[None, ..., :1] / 100.0
    # Which bin each pixel falls in is checked against brute force in test_bins.py.
    expected = np.bincount(bins.ab_to_bin_numpy(ab, "square").ravel(), minlength=676)
    expected = expected / expected.sum()
    # Tuples of (L, ab), an iterable of batches, a single array, 3 channels.
    batches = [(l_scaled, ab[:, :32]), (l_scaled, ab[:, 32:])]
    np.testing.assert_allclose(priors.ab_histogram(batches), expected)
    np.testing.assert_allclose(priors.ab_histogram(ab), expected)
    lab_scaled = np.concatenate([l_scaled, ab], -1)
    np.testing.assert_allclose(priors.ab_histogram([lab_scaled]), expected)
    assert priors.ab_histogram(batches, max_batches=1).sum() == pytest.approx(1.0)


def test_ab_histogram_reads_tf_data():
    tf = pytest.importorskip("tensorflow")
    ab = np.random.default_rng(1).uniform(-0.5, 0.5, (4, 8, 8, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((ab[..., :1], ab)).batch(2)
    np.testing.assert_allclose(
        priors.ab_histogram(ds, grid="gamut"), priors.ab_histogram(ab, grid="gamut")
    )


def test_ab_histogram_errors():
    with pytest.raises(ValueError, match="2 channels"):
        priors.ab_histogram(np.zeros((1, 4, 4, 5)))
    with pytest.raises(ValueError, match="empty"):
        priors.ab_histogram([])
    with pytest.raises(ValueError, match="grid"):
        priors.ab_histogram(np.zeros((1, 4, 4, 2)), grid="zhang")


@pytest.mark.parametrize("grid", ["square", "gamut"])
def test_rebalancing_weights_match_reference(grid):
    rng = np.random.default_rng(2)
    q = len(bins.bin_centers(grid))
    prior = rng.random(q) ** 8  # peaked, with near-empty bins
    expected, smoothed = reference_weights(prior, grid, 5.0, 0.5)
    actual = priors.rebalancing_weights(prior, grid, sigma=5.0, mix=0.5)
    np.testing.assert_allclose(actual, expected, rtol=1e-10)
    np.testing.assert_allclose(priors.smooth_prior(prior, grid, 5.0), smoothed, rtol=1e-10)
    assert np.sum(smoothed * actual) == pytest.approx(1.0)


def test_rebalancing_weights_favour_rare_bins():
    prior = np.zeros(676)
    prior[:10] = 1.0
    weights = priors.rebalancing_weights(prior, sigma=0.0, mix=0.5)
    assert weights[500] > weights[0]
    # Uniform prior: every weight is 1.
    np.testing.assert_allclose(priors.rebalancing_weights(np.ones(676), sigma=0.0), 1.0)


def test_rebalancing_weights_errors():
    with pytest.raises(ValueError, match="infinite"):
        priors.rebalancing_weights(np.eye(676)[0], sigma=0.0, mix=0.0)
    with pytest.raises(ValueError, match="676"):
        priors.rebalancing_weights(np.ones(10))
    with pytest.raises(ValueError, match="mix"):
        priors.rebalancing_weights(np.ones(676), mix=2.0)
