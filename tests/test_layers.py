"""The serializable layers of `keras_colorize.layers` (the conversions are tested in test_color.py)."""

import keras
import numpy as np
import pytest
import skimage.color
import skimage.transform

from keras_colorize.layers import DecodeBins
from keras_colorize.layers import HintPooling2D
from keras_colorize.layers import HintPropagation
from keras_colorize.layers import HorizontalFlip
from keras_colorize.layers import LabToRGB
from keras_colorize.layers import RGBToLab
from tests.helpers import run_model_saving_test
from tests.helpers import run_serialization_test


def crops(photos, size):
    """Top-left `size`² crops of the real photos, float32 in [0, 1]."""
    return np.stack([image[:size, :size] for image in photos.values()]).astype("float32") / 255.0


@pytest.mark.parametrize("layer_class", [RGBToLab, LabToRGB])
def test_layers_serialize(layer_class):
    run_serialization_test(layer_class(variant="rounded", scaled=True, name="convert"))


def test_layers_in_a_saved_model(tmp_path, photos):
    inputs = keras.Input((None, None, 3))
    scaled = RGBToLab(scaled=True, name="to_lab")(inputs)
    outputs = LabToRGB(scaled=True, name="to_rgb")(scaled)
    model = keras.Model(inputs, outputs)
    batch = crops(photos, 32).astype("float32")
    np.testing.assert_allclose(model.predict(batch, verbose=0), batch, atol=2e-4)
    lab = keras.ops.convert_to_numpy(RGBToLab()(batch))
    np.testing.assert_allclose(lab, skimage.color.rgb2lab(batch), atol=0.02)
    run_model_saving_test(model, batch, tmp_path)


@pytest.mark.parametrize("channels, expected", [("l", slice(0, 1)), ("ab", slice(1, 3))])
def test_rgb_to_lab_channels(channels, expected, photos):
    batch = crops(photos, 16).astype("float32")
    layer = RGBToLab(scaled=True, channels=channels)
    reference = skimage.color.rgb2lab(batch.astype("float64"))[..., expected]
    reference = reference / np.array([100.0, 128.0, 128.0])[expected]
    out = keras.ops.convert_to_numpy(layer(batch))
    assert out.shape == batch.shape[:-1] + (expected.stop - expected.start,)
    np.testing.assert_allclose(out, reference, atol=2e-4)
    run_serialization_test(layer)


def test_rgb_to_lab_rejects_unknown_channels():
    with pytest.raises(ValueError, match="channels='rgb'"):
        RGBToLab(channels="rgb")


@pytest.mark.parametrize("layer_class", [RGBToLab, LabToRGB])
def test_configs_with_the_former_variant_name_load(layer_class, photos):
    # A model saved before the rename names variant "report000".
    config = {**layer_class(scaled=True).get_config(), "variant": "report000"}
    layer = layer_class.from_config(config)
    assert layer.variant == "rounded"
    batch = crops(photos, 8)
    reference = layer_class(variant="rounded", scaled=True)
    inputs = batch if layer_class is RGBToLab else keras.ops.convert_to_numpy(RGBToLab(scaled=True)(batch))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(inputs)),
                                  keras.ops.convert_to_numpy(reference(inputs)))


def test_decode_bins_accepts_the_former_grid_name():
    config = {**DecodeBins("square", mode="argmax").get_config(), "grid": "report004"}
    layer = DecodeBins.from_config(config)
    assert layer.get_config()["grid"] == "square"
    probs = np.eye(676, dtype="float32")[None, :4]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(probs))[0, 0] * 128, [-123.0, -123.0])


def _hint_pooling_reference(inputs, size):
    """Float64 NumPy from the formula: mean L, hint ab averaged over the hinted pixels, any-hint mask."""
    b, h, w, _ = inputs.shape
    cells = inputs[:, : h // size * size, : w // size * size].astype("float64")
    cells = cells.reshape(b, h // size, size, w // size, size, 4).transpose(0, 1, 3, 2, 4, 5).reshape(
        b, h // size, w // size, size * size, 4)
    mask = cells[..., 3]
    hinted = mask.sum(-1) > 0
    ab = (cells[..., 1:3] * mask[..., None]).sum(-2) / np.maximum(mask.sum(-1), 1)[..., None]
    return np.concatenate([cells[..., 0].mean(-1)[..., None], ab, hinted[..., None]], -1)


@pytest.mark.parametrize("size", [1, 2, 4, 16])
def test_hint_pooling_matches_the_formula(size, photos):
    rng = np.random.default_rng(size)
    lightness = crops(photos, 36)[..., :1]  # 36 is not a multiple of 16: the remainder is dropped
    mask = (rng.random(lightness.shape) < 0.05).astype("float32")
    hint_ab = rng.uniform(-0.8, 0.8, (*lightness.shape[:-1], 2)).astype("float32") * mask
    inputs = np.concatenate([lightness, hint_ab, mask], -1)
    out = keras.ops.convert_to_numpy(HintPooling2D(size)(inputs))
    np.testing.assert_allclose(out, _hint_pooling_reference(inputs, size), atol=1e-5)
    # A single hinted pixel reaches a 16×16 cell at full strength, not diluted 256 times.
    one = np.zeros((1, 16, 16, 4), "float32")
    one[0, 3, 5] = [0.5, 0.4, -0.3, 1.0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(HintPooling2D(16)(one))[0, 0, 0, 1:],
                               [0.4, -0.3, 1.0], atol=1e-6)


def test_hint_pooling_serializes_and_checks_its_arguments():
    run_serialization_test(HintPooling2D(8, name="hints8"))
    with pytest.raises(ValueError, match="pool_size=0"):
        HintPooling2D(0)
    with pytest.raises(ValueError, match=r"input_shape=\(None, 8, 8, 3\)"):
        HintPooling2D(2)(keras.Input((8, 8, 3)))


def _hint_propagation_reference(inputs, ab, spatial_sigma, lightness_sigma, prior):
    """Float64 NumPy from the formula, summed over every hinted pixel (no grid)."""
    out = ab.astype("float64").copy()
    rows, cols = np.mgrid[: inputs.shape[1], : inputs.shape[2]]
    for b in range(len(inputs)):
        lightness = inputs[b, ..., 0].astype("float64")
        shift, total = np.zeros(ab.shape[1:]), np.full(ab.shape[1:3], float(prior))
        for r, c in zip(*np.nonzero(inputs[b, ..., 3])):
            weight = np.exp(-0.5 * ((rows - r) ** 2 + (cols - c) ** 2) / spatial_sigma**2
                            - 0.5 * (lightness - lightness[r, c]) ** 2 / lightness_sigma**2)
            shift += weight[..., None] * (inputs[b, r, c, 1:3] - ab[b, r, c])
            total += weight
        out[b] += shift / total[..., None]
    return out


@pytest.mark.parametrize("spatial_sigma, lightness_sigma, prior", [(32.0, 0.1, 0.5), (16.0, 0.2, 2.0)])
def test_hint_propagation_matches_the_formula(spatial_sigma, lightness_sigma, prior, photos):
    from keras_colorize.hints import random_hints

    # Photos shrunk to 96² (their corners alone are nearly gray), 10 true-color 3×3 hints each.
    lab = np.stack([skimage.color.rgb2lab(skimage.transform.resize(image, (96, 96), anti_aliasing=True))
                    for image in photos.values()])
    lightness, true_ab = lab[..., :1] / 100, lab[..., 1:] / 128
    inputs = np.concatenate([lightness, random_hints(true_ab, 10, patch_size=3, seed=1)], -1).astype("float32")
    ab = np.zeros_like(true_ab, "float32")  # a gray model: the hints' whole color is to spread
    layer = HintPropagation(spatial_sigma, lightness_sigma, prior)
    out = keras.ops.convert_to_numpy(layer([inputs, ab]))
    expected = _hint_propagation_reference(inputs, ab, spatial_sigma, lightness_sigma, prior)
    # The grid (4×4 cells, 8 lightness bins) approximates the sums: within 10 % of the largest shift.
    assert np.abs(out - expected).max() < 0.1 * np.abs(expected).max()
    assert np.abs(expected).max() > 0.1  # the photos' hints do ask for color
    # A model already right at its hints is left alone; without hints the output is the model's exactly.
    right = np.where(inputs[..., 3:] > 0, inputs[..., 1:3], true_ab).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([inputs, right])), right, atol=1e-6)
    no_hints = inputs.copy()
    no_hints[..., 1:] = 0.0
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer([no_hints, ab])), ab)


def test_hint_propagation_stops_at_lightness_edges():
    inputs = np.zeros((1, 64, 64, 4), "float32")
    inputs[..., 0] = np.where(np.arange(64) < 32, 0.2, 0.8)  # dark left half, bright right half
    inputs[0, 31:34, 26:29, 1:] = [0.5, 0.0, 1.0]  # one 3×3 hint in the dark half, 4 px from the edge
    out = keras.ops.convert_to_numpy(HintPropagation(32.0, 0.1, 1.0)([inputs, np.zeros((1, 64, 64, 2), "float32")]))
    assert out[0, 32, 27, 0] > 0.4  # the hint's own place takes (nearly) its color
    assert out[0, 32, 20, 0] > 0.3 and out[0, 32, 35, 0] < 0.01  # same distance, across the edge: nothing


def test_hint_propagation_serializes_saves_and_checks_its_arguments(tmp_path, photos):
    run_serialization_test(HintPropagation(24.0, 0.15, 2.0, name="spread"))
    inputs = keras.Input((None, None, 4))
    model = keras.Model(inputs, HintPropagation()([inputs, keras.layers.Conv2D(2, 3, padding="same")(inputs)]))
    x = np.concatenate([crops(photos, 32)[..., :1], np.zeros((4, 32, 32, 3), "float32")], -1)
    x[:, 10:13, 10:13, 1:] = [0.3, -0.2, 1.0]
    run_model_saving_test(model, x, tmp_path, atol=1e-5)
    with pytest.raises(ValueError, match=r"input_shape=\[\(None, 30, 32, 4\), \(None, 30, 32, 2\)\]"):
        HintPropagation()([keras.Input((30, 32, 4)), keras.Input((30, 32, 2))])
    with pytest.raises(ValueError, match="multiples of 4"):
        HintPropagation()([keras.Input((32, 32, 3)), keras.Input((32, 32, 2))])
    for bad in ({"spatial_sigma": 0}, {"lightness_sigma": -0.1}, {"prior": True}):
        with pytest.raises(ValueError, match=f"{next(iter(bad))}={next(iter(bad.values()))!r}"):
            HintPropagation(**bad)


def test_horizontal_flip_mirrors_every_channel_and_serializes(photos):
    batch = crops(photos, 16)
    flipped = keras.ops.convert_to_numpy(HorizontalFlip()(batch))
    np.testing.assert_array_equal(flipped, batch[:, :, ::-1])
    assert not np.array_equal(flipped, batch)
    run_serialization_test(HorizontalFlip(name="mirror"))
