"""Exports: `.keras`, the SavedModel that serves photos, TFLite; each reloaded and
compared with the in-memory model and with `colorize()`."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

import keras_colorize as kc
from keras_colorize import color
from keras_colorize import export
from keras_colorize.prediction import decode_output

pytestmark = pytest.mark.tensorflow_only

RENDER_SIZE = 32
# The SavedModel redoes colorize()'s resizes in TensorFlow (area weights as a
# matrix product, bilinear upsampling): float rounding may move a few
# pixels by a unit or two, never the whole image.
MAX_MEAN_DIFFERENCE = 0.25  # uint8 units, mean over all pixels and channels
MAX_DIFFERENCE = 3


def _tiny(kind):
    keras.utils.set_random_seed(1337)
    if kind == "ab":
        return kc.models.unet(input_size=None, depth=2, base_filters=4)
    if kind == "hints":  # served without hints, as colorize() does
        return kc.models.unet(input_size=None, depth=2, base_filters=4, hints=True)
    if kind == "rgb_fixed":  # a fixed input size: served at 16, whatever render_size
        return kc.models.unet(input_size=16, depth=2, base_filters=4, output="rgb")
    return kc.models.unet_classifier(input_size=None, depth=2, base_filters=4, grid="gamut")


@pytest.fixture(scope="module", params=["ab", "hints", "rgb_fixed", "classifier"])
def exported(request, tmp_path_factory):
    model = _tiny(request.param)
    path = tmp_path_factory.mktemp("export") / f"{request.param}_saved_model"
    export.export_model(model, path, format="saved_model", render_size=RENDER_SIZE)
    return model, tf.saved_model.load(str(path))


def _small(photo, step):
    return np.ascontiguousarray(photo[::step, ::step])


def _gray(photo):
    return np.round(photo @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)


def _assert_close_to_colorize(served, expected):
    difference = np.abs(served.astype(np.int16) - expected.astype(np.int16))
    assert difference.mean() <= MAX_MEAN_DIFFERENCE, difference.mean()
    assert difference.max() <= MAX_DIFFERENCE, difference.max()


def test_keras_file_reloads_safely_and_never_overwrites(tmp_path):
    model = _tiny("ab")
    inputs = np.random.default_rng(0).random((2, 16, 24, 1), dtype=np.float32)
    path = export.export_model(model, tmp_path / "colorizer.keras")
    assert path == str(tmp_path / "colorizer.keras")
    assert os.listdir(tmp_path) == ["colorizer.keras"]  # no staging leftovers
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(restored.predict(inputs, verbose=0), model.predict(inputs, verbose=0), atol=1e-6)
    before = os.path.getmtime(path)
    with pytest.raises(FileExistsError, match="colorizer.keras"):
        export.export_model(model, path)
    assert os.path.getmtime(path) == before
    export.export_model(model, path, overwrite=True)
    assert os.listdir(tmp_path) == ["colorizer.keras"]


def test_bad_arguments_are_quoted(tmp_path):
    model = _tiny("ab")
    with pytest.raises(ValueError, match="format='onnx'"):
        export.export_model(model, tmp_path / "m", format="onnx")
    with pytest.raises(ValueError, match="colorizer.h5"):
        export.export_model(model, tmp_path / "colorizer.h5")
    with pytest.raises(ValueError, match="render_size=0"):
        export.export_model(model, tmp_path / "sm", format="saved_model", render_size=0)
    not_a_colorizer = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 1)])
    with pytest.raises(ValueError, match="not a colorizer"):
        export.export_model(not_a_colorizer, tmp_path / "m.keras")
    assert not os.listdir(tmp_path)


def test_saved_model_renders_at_the_side_colorize_uses(tmp_path):
    model = _tiny("ab")
    loaded = tf.saved_model.load(export.export_model(model, tmp_path / "sm", format="saved_model", render_size=40))
    # 40 rounded up to a multiple of 32, as colorize(render_size=40) renders.
    assert loaded.predict_ab.concrete_functions[0].structured_input_signature[0][0].shape[1:3] == (64, 64)


def test_saved_model_predict_ab_matches_model(exported):
    model, loaded = exported
    side = model.input_shape[1] or RENDER_SIZE
    inputs = np.random.default_rng(0).random((3, side, side, 1), dtype=np.float32)
    hint_channels = model.input_shape[-1] - 1  # a hint model is served with empty hints
    prediction = model(np.concatenate([inputs] + [np.zeros_like(inputs)] * hint_channels, axis=-1))
    expected = keras.ops.convert_to_numpy(decode_output(prediction)) * color.AB_SCALE  # the decoding colorize() applies
    np.testing.assert_allclose(loaded.predict_ab(inputs).numpy(), expected, atol=1e-3)


def test_saved_model_serves_any_size_and_batch_like_colorize(exported, photos):
    model, loaded = exported
    for step, batch in ((6, 1), (9, 3)):  # two image sizes, two batch sizes
        rgb = _small(photos["coffee"], step)
        gray = _gray(rgb)
        served_rgb = loaded.colorize(np.stack([rgb] * batch)).numpy()
        served_gray = loaded.signatures["serving_default"](images=np.stack([gray[..., None]] * batch))["output_0"].numpy()
        assert served_rgb.shape == (batch,) + rgb.shape and served_rgb.dtype == np.uint8
        expected_rgb, expected_gray = kc.colorize([rgb, gray], model, render_size=RENDER_SIZE)
        for served, expected in ((served_rgb, expected_rgb), (served_gray, expected_gray)):
            for image in served:
                _assert_close_to_colorize(image, expected)


def test_tflite_matches_model_and_saved_model(tmp_path, photos):
    model = _tiny("ab")
    path = export.export_model(model, tmp_path / "colorizer.tflite", format="tflite", render_size=RENDER_SIZE)
    interpreter = Interpreter(model_path=path)  # the LiteRT runtime alone, no TensorFlow
    assert set(interpreter.get_signature_list()) == {"colorize", "predict_ab"}
    inputs = np.random.default_rng(0).random((2, RENDER_SIZE, RENDER_SIZE, 1), dtype=np.float32)
    core = interpreter.get_signature_runner("predict_ab")(l_scaled=inputs)["output_0"]
    np.testing.assert_allclose(core, keras.ops.convert_to_numpy(model(inputs)) * 128, atol=1e-3)
    rgb = _small(photos["chelsea"], 7)
    served = interpreter.get_signature_runner("colorize")(images=np.stack([rgb, rgb]))["output_0"]
    assert served.shape == (2,) + rgb.shape
    _assert_close_to_colorize(served[1], kc.colorize(rgb, model, render_size=RENDER_SIZE))
