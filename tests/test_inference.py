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
        (np.zeros((4, 4), "uint8"), {"errors": "ignore"}, "errors='ignore'"),
        # Floats outside [0, 1] are refused, naming the range found and both conventions.
        (np.linspace(0, 255, 48).reshape(4, 4, 3), {}, r"\[0, 1\].*spans \[0, 255\].*uint8.*uint16"),
        (np.full((4, 4), -0.5, "float32"), {}, r"spans \[-0.5, -0.5\]"),
        (np.full((4, 4, 3), 1.2, "float64"), {}, r"spans \[1.2, 1.2\]"),
        # Empty arrays say so.
        (np.zeros((0, 0, 3), "uint8"), {}, r"empty.*shape=\(0, 0, 3\)"),
        (np.zeros((0, 5, 3), "uint8"), {}, r"empty.*shape=\(0, 5, 3\)"),
        (np.zeros((5, 0), "float32"), {}, r"empty.*shape=\(5, 0\)"),
    ],
)
def test_bad_input_raises_with_the_value(image, kwargs, match):
    with pytest.raises(ValueError, match=match):
        colorize(image, model=constant_model(), **kwargs)


def test_colorize_is_the_public_steps(photos):
    from keras_colorize import inference

    model, photo = constant_model(ab=(0.2, -0.1)), photos["chelsea"]
    lightness = inference.lightness_of(photo / np.float32(255))
    render, box = inference.letterbox(lightness, inference.render_side(model, 30))
    height, width = photo.shape[:2]  # landscape: the width is scaled to 32
    assert render.shape == (32, 32) and box == (5, 0, round(height * 32 / width), 32)
    ab = inference.predict_ab(model, [render], vividness=1.5)
    np.testing.assert_allclose(ab, np.broadcast_to([0.3 * 128, -0.15 * 128], (1, 32, 32, 2)), atol=1e-4)
    np.testing.assert_array_equal(
        colorize(photo, model=model, render_size=30, vividness=1.5), inference.compose(lightness, ab[0], box)
    )
    with pytest.raises(ValueError, match=r"ab.shape=\(32, 32, 2\)"):
        inference.compose(lightness, ab[0])


def test_unknown_output_channels_raise():
    with pytest.raises(ValueError, match="Received: 5"):
        colorize(np.zeros((8, 8), "uint8"), model=constant_model(ab=np.zeros(5), channels=5), render_size=8)


def test_float_rounding_overshoot_is_accepted():
    image = np.full((8, 8, 3), 0.5, "float32")
    image[0, 0] = (1.0 + 1e-4, -1e-4, 1.0)
    assert colorize(image, model=constant_model(), render_size=8).shape == (8, 8, 3)


def test_folder_and_list_skip_bad_inputs_and_name_each_output(tmp_path, photos):
    Image.fromarray(photos["chelsea"]).save(tmp_path / "a.jpg")
    (tmp_path / "b.jpg").write_bytes(b"not a photo")
    Image.fromarray(photos["rocket"]).save(tmp_path / "c.png")
    model = constant_model()
    with pytest.warns(UserWarning, match=r"(?s)Skipped 1 of 3.*b\.jpg: not a readable"):
        done = colorize(tmp_path, model=model, render_size=32, batch_size=2)
    assert done.sources == [str(tmp_path / "a.jpg"), str(tmp_path / "c.png")]
    assert [o.shape for o in done] == [photos["chelsea"].shape, photos["rocket"].shape]
    assert [(p, r) for p, r in done.skipped] == [(str(tmp_path / "b.jpg"), "not a readable image (not a known image format)")]
    with pytest.raises(ValueError, match="b.jpg"):
        colorize(tmp_path, model=model, render_size=32, errors="raise")
    with pytest.warns(UserWarning, match="Skipped 1"):
        done = colorize([photos["chelsea"], np.zeros((0, 3)), tmp_path / "c.png"], model=model, render_size=32)
    assert done.sources == [0, str(tmp_path / "c.png")]
    assert done.skipped[0][0] == 1 and "empty" in done.skipped[0][1]
    with pytest.raises(ValueError, match="b.jpg"):  # one image always raises
        colorize(tmp_path / "b.jpg", model=model)


def test_a_file_and_its_pillow_array_give_the_same_result(tmp_path, photos):
    """One decoder: colorize(path) is colorize(np.asarray(PIL.Image.open(path)))."""
    from keras_colorize import data
    from keras_colorize import serve

    path = tmp_path / "cat.jpg"
    Image.fromarray(photos["chelsea"]).save(path, quality=75)  # 4:2:0 chroma, as most cameras
    with Image.open(path) as image:
        pillow = np.asarray(image)
    np.testing.assert_array_equal(np.round(data.read_image(path) * 255).astype("uint8"), pillow)
    np.testing.assert_array_equal(serve.decode_upload(path.read_bytes()), data.read_image(path))
    model = constant_model(ab=(0.2, -0.1))
    np.testing.assert_array_equal(colorize(path, model=model, render_size=32),
                                  colorize(pillow, model=model, render_size=32))


def test_the_default_model_is_loaded_once(monkeypatch):
    from keras_colorize import inference
    from keras_colorize import weights

    loads = []

    def fake_load():
        loads.append(1)
        return constant_model(input_size=32)

    monkeypatch.setattr(weights, "load_default_model", fake_load)
    inference._default_model.cache_clear()
    try:
        for shape in [(40, 60), (33, 17, 3), (90, 20)]:
            assert colorize(np.zeros(shape, "uint8")).shape[:2] == shape[:2]
    finally:
        inference._default_model.cache_clear()
    assert len(loads) == 1


def test_batches_are_padded_to_few_shapes(monkeypatch):
    model = constant_model()
    shapes = []
    forward = model.predict_on_batch
    monkeypatch.setattr(model, "predict_on_batch", lambda x: shapes.append(x.shape[0]) or forward(x))
    rng = np.random.default_rng(0)
    sizes = [(20, 30), (31, 17)]  # few photo sizes: on JAX each new one compiles the color math
    for count in range(1, 9):
        images = [rng.integers(0, 255, sizes[i % 2], dtype="uint8") for i in range(count)]
        out = colorize(images, model=model, render_size=16, batch_size=8)
        assert [o.shape[:2] for o in out] == [i.shape for i in images]
    assert set(shapes) == {1, 2, 4, 8}


def test_progress_bar_in_a_log_and_for_a_folder(tmp_path, capsys, photos):
    import io

    from keras_colorize.progress import progress_bar

    log = io.StringIO()
    progress = progress_bar(200, stream=log)
    for _ in range(200):
        progress.advance()
    lines = [line for line in log.getvalue().splitlines() if line.strip()]
    assert 15 <= len(lines) <= 21 and "200/200" in lines[-1] and "/photo" in lines[-1]
    silent = io.StringIO()
    progress_bar(3, verbose=0, stream=silent).advance(3)
    assert silent.getvalue() == ""
    with pytest.raises(ValueError, match="verbose=3"):
        progress_bar(3, verbose=3)
    for name in "abc":
        Image.fromarray(photos["coffee"][::8, ::8]).save(tmp_path / f"{name}.png")
    capsys.readouterr()
    colorize(tmp_path, model=constant_model(), render_size=16)  # verbose="auto": a bar for a folder
    assert "3/3" in capsys.readouterr().out
    colorize(tmp_path, model=constant_model(), render_size=16, verbose=0)
    assert capsys.readouterr().out == ""


class TraceCounter(keras.layers.Layer):
    """Identity that counts its Python calls: inside `predict_on_batch`, one per trace."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        return inputs


@pytest.mark.tensorflow_only
def test_photos_of_mixed_sizes_do_not_retrace():
    """Issue 19, point 9: one colorize() call per photo of another size neither retraces the
    model's forward pass nor makes TensorFlow warn "5 out of the last 5 calls ... retracing"."""
    import logging

    import tensorflow as tf

    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    rng = np.random.default_rng(0)
    photos = [rng.integers(0, 255, (40 + 13 * i, 90 - 7 * i), dtype="uint8") for i in range(8)]
    try:
        for n in range(1, 7):  # the handler sees the warning: a function traced for 6 shapes
            tf.function(lambda x: x + 1)(tf.zeros((n,)))
        assert any("retracing" in message for message in messages)
        messages.clear()
        inputs = keras.Input((None, None, 1))
        counter = TraceCounter()
        model = keras.Model(inputs, keras.layers.Conv2D(2, 1)(counter(inputs)))
        colorize(photos[0], model=model, render_size=32)
        traced = counter.calls
        for photo in photos[1:]:
            assert colorize(photo, model=model, render_size=32).shape[:2] == photo.shape
        assert counter.calls == traced
        for photo in photos:  # the shipped model, loaded once and traced once
            colorize(photo, render_size=32)
    finally:
        logger.removeHandler(handler)
    assert not [message for message in messages if "retracing" in message]


@pytest.mark.parametrize(
    "layer, got",
    [(keras.layers.Conv2D(2, 3, strides=2, padding="same"), r"\(16, 16\)"), (keras.layers.Conv2D(2, 5), r"\(28, 28\)")],
    ids=["stride 2", "valid padding"],
)
def test_a_model_whose_output_is_not_its_inputs_size_is_refused(layer, got):
    """Issue 18, point 7, for a model given to colorize() itself (not loaded by `saving.load_model`):
    its colors would land misplaced, so it raises naming the expected and the received size."""
    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, layer(inputs))
    with pytest.raises(ValueError, match=rf"not a colorizer.*output of size {got} for an input of size \(32, 32\)"):
        colorize(np.zeros((40, 60), "uint8"), model=model, render_size=32)


def test_folders_in_a_list_are_expanded_as_the_command_line_does(tmp_path, photos):
    """Issue 19, point 4: a list may mix folders, files and arrays; each output names its source
    (an array by its index in the list), and a folder that gives nothing is skipped or raises."""
    (tmp_path / "scans" / "inner").mkdir(parents=True)
    Image.fromarray(photos["coffee"][::8, ::8]).save(tmp_path / "scans" / "inner" / "b.png")
    Image.fromarray(photos["rocket"][::8, ::8]).save(tmp_path / "scans" / "a.jpg")
    Image.fromarray(photos["chelsea"][::8, ::8]).save(tmp_path / "cat.jpg")
    (tmp_path / "empty").mkdir()
    model, array = constant_model(), photos["astronaut"][::16, ::16]
    given = [tmp_path / "scans", tmp_path / "empty", tmp_path / "cat.jpg", array]
    with pytest.warns(UserWarning, match=r"(?s)Skipped 1 of 5 input\(s\).*empty: No image files"):
        done = colorize(given, model=model, render_size=32, verbose=0)
    assert done.sources == [str(tmp_path / "scans" / "a.jpg"), str(tmp_path / "scans" / "inner" / "b.png"),
                            str(tmp_path / "cat.jpg"), 3]
    assert [photo.shape for photo in done] == [photos["rocket"][::8, ::8].shape, photos["coffee"][::8, ::8].shape,
                                               photos["chelsea"][::8, ::8].shape, array.shape]
    assert [source for source, _ in done.skipped] == [str(tmp_path / "empty")]
    with pytest.raises(ValueError, match="No image files.*empty"):
        colorize(given, model=model, render_size=32, errors="raise")
    with pytest.raises(ValueError, match="No image files.*empty"):  # one folder always raises
        colorize(tmp_path / "empty", model=model)
