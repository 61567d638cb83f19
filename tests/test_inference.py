"""colorize(): any size in, the same size out, chroma from the model, detail from the photo."""

import keras
import numpy as np
import pytest
import skimage.color
from PIL import Image

from keras_colorize import colorize
from keras_colorize import color


def constant_model(ab=(0.0, 0.0), input_size=None, channels=2):
    """A model whose output is a constant (the bias), whatever the input."""
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    layer = keras.layers.Conv2D(
        channels, 1, name="head", kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(np.asarray(ab, "float32")),
    )
    return keras.Model(inputs, layer(inputs))


def test_grey_prediction_keeps_the_photo_lightness(photos):
    photo = photos["astronaut"]
    out = colorize(photo, model=constant_model(), render_size=64)
    assert out.shape == photo.shape and out.dtype == np.uint8
    expected_l = skimage.color.rgb2lab(photo)[..., 0]
    got = skimage.color.rgb2lab(out)
    np.testing.assert_allclose(got[..., 0], expected_l, atol=0.6)  # full-resolution L, 8-bit rounding
    assert np.abs(got[..., 1:]).max() < 1.0  # neutral grey


def test_predicted_chroma_reaches_every_pixel(photos):
    gray = (skimage.color.rgb2gray(photos["coffee"]) * 255).astype("uint8")
    out = colorize(gray, model=constant_model(ab=(0.25, 0.125)), render_size=32)
    assert out.shape == gray.shape + (3,)
    lab = skimage.color.rgb2lab(out)
    mid = (lab[..., 0] > 40) & (lab[..., 0] < 80)  # in gamut for a=32, b=16
    np.testing.assert_allclose(lab[mid, 1].mean(), 32, atol=1.0)
    np.testing.assert_allclose(lab[mid, 2].mean(), 16, atol=1.0)


@pytest.mark.parametrize("shape", [(37, 101), (300, 45, 1), (64, 64, 4)])
def test_any_size_and_channels_fixed_size_model(shape):
    image = np.random.default_rng(0).integers(0, 255, shape, dtype="uint8")
    out = colorize(image, model=constant_model(input_size=32))
    assert out.shape == shape[:2] + (3,)


def test_list_paths_and_folder(tmp_path, photos):
    Image.fromarray(photos["chelsea"]).save(tmp_path / "cat.jpg")
    Image.fromarray(photos["rocket"]).save(tmp_path / "rocket.png")
    model = constant_model()
    from_folder = colorize(tmp_path, model=model, render_size=32)
    assert [o.shape for o in from_folder] == [photos["chelsea"].shape, photos["rocket"].shape]
    single = colorize(tmp_path / "cat.jpg", model=model, render_size=32)
    np.testing.assert_array_equal(single, from_folder[0])
    arrays = colorize([photos["chelsea"], photos["rocket"].astype("uint16") * 257], model=model, batch_size=1)
    assert len(arrays) == 2 and arrays[1].shape == photos["rocket"].shape


def test_vividness_scales_chroma(photos):
    model = constant_model(ab=(0.1, 0.1))
    calm = skimage.color.rgb2lab(colorize(photos["coffee"], model=model, render_size=32))
    vivid = skimage.color.rgb2lab(colorize(photos["coffee"], model=model, render_size=32, vividness=2.0))
    mid = (calm[..., 0] > 40) & (calm[..., 0] < 80)
    np.testing.assert_allclose(vivid[mid, 1].mean() / calm[mid, 1].mean(), 2.0, rtol=0.05)


def test_classifier_output_uses_the_annealed_mean(photos):
    bins = color.ab_bin_centers("report004")
    # Uniform probabilities: the annealed mean is the mean of the bin centres.
    model = constant_model(ab=np.full(len(bins), 1.0 / len(bins)), channels=len(bins))
    out = colorize(photos["coffee"], model=model, render_size=32)
    lab = skimage.color.rgb2lab(out)
    expected = bins.mean(0)
    mid = (lab[..., 0] > 40) & (lab[..., 0] < 80)
    np.testing.assert_allclose(lab[mid, 1:].mean(0), expected, atol=1.5)


@pytest.mark.parametrize(
    "image, kwargs, match",
    [
        (np.zeros((4, 4, 2), "uint8"), {}, r"\(4, 4, 2\)"),
        (np.zeros((4, 4), "int64"), {}, "int64"),
        (np.zeros((4, 4), "uint8"), {"vividness": 0}, "vividness=0"),
    ],
)
def test_bad_input_raises_with_the_value(image, kwargs, match):
    with pytest.raises(ValueError, match=match):
        colorize(image, model=constant_model(), **kwargs)


def test_unknown_output_channels_raise():
    with pytest.raises(ValueError, match="Received: 5"):
        colorize(np.zeros((8, 8), "uint8"), model=constant_model(ab=np.zeros(5), channels=5), render_size=8)
