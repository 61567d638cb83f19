"""Classification U-Net and `decode_ab` (report 004, Zhang et al. 2016)."""

import keras
import numpy as np
import pytest

from keras_colorize import bins
from keras_colorize import color
from keras_colorize import models


def _probs(grid, batch=2, side=3, seed=0):
    q = color.ab_bin_centers(grid).shape[0]
    logits = np.random.default_rng(seed).normal(size=(batch, side, side, q)) * 3
    p = np.exp(logits - logits.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)).astype("float32")


@pytest.mark.parametrize("grid, num_bins", [("report004", 676), ("gamut", 261)])
def test_bins_per_grid(grid, num_bins):
    model = models.unet_classifier(input_size=32, depth=2, base_filters=4, grid=grid)
    assert model.output.shape == (None, 32, 32, num_bins)


@pytest.mark.parametrize("grid", ["report004", "gamut"])
def test_decode_modes_against_numpy(grid):
    probs = _probs(grid)
    centers = color.ab_bin_centers(grid).astype("float64") / 128.0
    p = probs.astype("float64")

    argmax = keras.ops.convert_to_numpy(bins.decode_ab(probs, grid, mode="argmax"))
    np.testing.assert_allclose(argmax, centers[p.argmax(-1)], atol=1e-6)

    mean = keras.ops.convert_to_numpy(bins.decode_ab(probs, grid, mode="mean"))
    np.testing.assert_allclose(mean, p @ centers, atol=1e-5)

    annealed = keras.ops.convert_to_numpy(bins.decode_ab(probs, grid, temperature=0.38))
    q = np.exp(np.log(p) / 0.38)
    q /= q.sum(-1, keepdims=True)
    np.testing.assert_allclose(annealed, q @ centers, atol=1e-5)

    assert np.abs(annealed).max() <= 1.0


def test_sample_draws_from_the_distribution():
    probs = np.zeros((4000, 676), "float32")
    probs[:, 10] = 0.75
    probs[:, 500] = 0.25
    ab = keras.ops.convert_to_numpy(
        bins.decode_ab(probs, mode="sample", temperature=1.0, seed=1)
    )
    centers = color.ab_bin_centers("report004") / 128.0
    first = np.all(np.isclose(ab, centers[10]), -1)
    second = np.all(np.isclose(ab, centers[500]), -1)
    assert np.all(first | second)
    assert first.mean() == pytest.approx(0.75, abs=0.04)


def test_decode_errors():
    with pytest.raises(ValueError, match="Received: shape=\\(1, 261\\)"):
        bins.decode_ab(np.ones((1, 261), "float32") / 261, "report004")
    with pytest.raises(ValueError, match="Received: mode='median'"):
        bins.decode_ab(np.ones((1, 676), "float32") / 676, mode="median")
    with pytest.raises(ValueError, match="Received: temperature=0"):
        bins.decode_ab(np.ones((1, 676), "float32") / 676, temperature=0)
    with pytest.raises(ValueError, match="Received: grid='zhang'"):
        models.unet_classifier(input_size=32, depth=2, base_filters=4, grid="zhang")


def test_decode_bins_layer_is_mean_times_gain_clipped_and_round_trips(tmp_path):
    from keras_colorize.layers import DecodeBins
    from tests.helpers import run_model_saving_test
    from tests.helpers import run_serialization_test

    probs = _probs("gamut")
    centers = color.ab_bin_centers("gamut").astype("float64") / 128.0
    for gain in (1.0, 1.8, 40.0):
        got = keras.ops.convert_to_numpy(DecodeBins("gamut", mode="mean", gain=gain)(probs))
        np.testing.assert_allclose(got, np.clip(probs.astype("float64") @ centers * gain, -1, 1), atol=1e-5)
    assert np.abs(got).max() == pytest.approx(1.0)  # clipped at gain 40
    run_serialization_test(DecodeBins("gamut", temperature=0.5, gain=1.7, name="decode"))
    classifier = models.unet_classifier(input_size=16, depth=2, base_filters=4, grid="gamut")
    model = keras.Model(classifier.input, DecodeBins("gamut", gain=1.5)(classifier.output))
    assert model.output.shape == (None, 16, 16, 2)
    run_model_saving_test(model, np.random.default_rng(0).random((2, 16, 16, 1), "float32"), tmp_path)
    for kwargs, match in ((dict(mode="sample"), "mode='sample'"), (dict(gain=0), "gain=0"),
                          (dict(temperature=-1.0), "temperature=-1.0"), (dict(grid="zhang"), "grid='zhang'")):
        with pytest.raises(ValueError, match=match):
            DecodeBins(**kwargs)
