"""The quantised ab plane: grids, nearest bin (keras.ops and NumPy twins), soft encoding, names."""

import keras
import numpy as np
import pytest
import skimage.color

from keras_colorize import bins
from keras_colorize import color
from keras_colorize import losses
from keras_colorize import priors


def nearest_bin(ab_scaled, grid):
    """Brute force: index of the nearest bin centre (float64)."""
    centers = bins.bin_centers(grid).astype("float64")
    ab = np.asarray(ab_scaled, "float64").reshape(-1, 2) * 128.0
    d2 = ((ab[:, None, :] - centers[None]) ** 2).sum(-1)
    return d2.argmin(-1).reshape(np.shape(ab_scaled)[:-1])


def test_grids():
    square = bins.bin_centers("square")
    assert square.shape == (676, 2) and bins.num_bins("square") == 676
    assert square.min() == -123 and square.max() == 127
    gamut = bins.bin_centers("gamut")
    # Every in-gamut bin centre is within half a bin of some sRGB color's ab.
    ab = skimage.color.rgb2lab(np.random.default_rng(0).random((20000, 3)))[:, 1:]
    nearest = np.abs(ab[:, None, :] - gamut[None]).max(-1).min(-1)
    assert nearest.max() <= 5.0 + 1e-6
    assert 200 < len(gamut) < 400
    with pytest.raises(ValueError, match="hexagons"):
        bins.bin_centers("hexagons")


@pytest.mark.parametrize("grid", ["square", "gamut"])
def test_ab_to_bin_is_the_nearest_centre_in_both_twins(grid):
    rng = np.random.default_rng(0)
    if grid == "square":
        ab = rng.uniform(-1.0, 127 / 128, (2000, 2))
    else:
        # The ab of sRGB colors: out-of-gamut ab (no photo has them) go to
        # the bin nearest to their 10x10 cell instead.
        ab = skimage.color.rgb2lab(rng.random((2000, 1, 3)))[:, 0, 1:] / 128.0
    expected = nearest_bin(ab, grid)
    np.testing.assert_array_equal(bins.ab_to_bin_numpy(ab, grid), expected)
    in_graph = keras.ops.convert_to_numpy(bins.ab_to_bin(ab.astype("float32"), grid))
    assert in_graph.dtype == np.int32
    np.testing.assert_array_equal(in_graph, expected)


def test_ab_to_bin_square_edges():
    ab = np.array([[-128.0, -128.0], [127.0, 127.0], [-118.0, -128.0]]) / 128.0
    np.testing.assert_array_equal(bins.ab_to_bin_numpy(ab, "square"), [0, 675, 26])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bins.ab_to_bin(ab, "square")), [0, 675, 26])


def test_soft_encoding_weights():
    ab = np.array([[[[0.0, 0.0]]]])  # exactly on the gamut bin at (0, 0)
    index, weights = bins.soft_encode(ab, grid="gamut", neighbors=5, sigma=5.0)
    centers = bins.bin_centers("gamut")
    assert tuple(centers[int(np.asarray(index)[0, 0, 0, 0])]) == (0.0, 0.0)
    # Four neighbours at distance 10: exp(-100/50) each relative to 1.
    expected = np.array([1.0] + [np.exp(-2.0)] * 4)
    np.testing.assert_allclose(np.asarray(weights)[0, 0, 0], expected / expected.sum(), rtol=1e-5)
    hard_index, hard_weights = bins.soft_encode(ab, grid="gamut", neighbors=1)
    assert int(np.asarray(hard_index)[0, 0, 0, 0]) == int(np.asarray(index)[0, 0, 0, 0])
    np.testing.assert_array_equal(np.asarray(hard_weights), 1.0)


def test_former_names_and_homes():
    assert bins.check_grid("report004") == "square"
    np.testing.assert_array_equal(bins.bin_centers("report004"), bins.bin_centers("square"))
    assert set(color.AB_BIN_GRIDS) == {"square", "gamut", "report004"}  # every accepted spelling
    assert color.ab_bin_centers is bins.bin_centers and color.decode_ab is bins.decode_ab
    assert color.AB_BIN_WIDTH == bins.BIN_WIDTH and color.DECODE_MODES == bins.DECODE_MODES
    assert priors.ab_to_bin is bins.ab_to_bin_numpy and priors.bin_lookup is bins.bin_lookup
    assert losses.ab_to_bin is bins.ab_to_bin and losses.soft_encode is bins.soft_encode
    with pytest.raises(AttributeError, match="no_such_name"):
        color.no_such_name
    old = keras.ops.convert_to_numpy(bins.decode_ab(np.eye(676, dtype="float32")[:3], "report004", mode="argmax"))
    np.testing.assert_allclose(old * 128, bins.bin_centers("square")[:3])
