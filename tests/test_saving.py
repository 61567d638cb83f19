"""Untrusted model files: safe_mode loading, Lambda refused, clear errors for broken files."""

import zipfile

import keras
import numpy as np
import pytest

from keras_colorize import cli
from keras_colorize import models
from keras_colorize.saving import load_model
from keras_colorize.saving import save_model


def tiny_unet(**kwargs):
    return models.unet(input_size=None, depth=2, base_filters=4, **kwargs)


def test_our_models_round_trip(tmp_path):
    x = np.random.default_rng(0).random((2, 16, 16, 1), dtype="float32")
    inputs = keras.Input((None, None, 1))
    rgb = keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="sigmoid")(inputs))
    bins = keras.Model(inputs, keras.layers.Conv2D(676, 1, activation="softmax")(inputs))  # report 004's grid
    for name, model in [("ab", tiny_unet()), ("rgb", rgb), ("bins", bins)]:
        path = tmp_path / f"{name}.keras"
        model.save(path)
        loaded = load_model(path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_float16_storage_halves_the_file_and_reloads_each_weight_as_its_float16_rounding(tmp_path):
    model = models.unet(input_size=None, depth=3, base_filters=32, hints=True)  # weights outweigh HDF5's overhead
    for weight in model.weights:  # BatchNorm statistics too, away from their initial 0 and 1
        weight.assign(np.random.default_rng(0).normal(1.0, 0.5, weight.shape).astype("float32"))
    full, half = save_model(model, tmp_path / "full.keras"), save_model(model, tmp_path / "half.keras", "float16")
    assert half == str(tmp_path / "half.keras")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.keras", "half.keras"]  # no temporary left
    weights_size = [zipfile.ZipFile(p).getinfo("model.weights.h5").file_size for p in (full, half)]
    assert weights_size[1] < 0.6 * weights_size[0]
    loaded = load_model(half)
    for original, restored in zip(model.weights, loaded.weights, strict=True):
        restored = keras.ops.convert_to_numpy(restored)
        assert restored.dtype == np.float32
        np.testing.assert_array_equal(restored, keras.ops.convert_to_numpy(original).astype(np.float16))
        assert not np.array_equal(restored, keras.ops.convert_to_numpy(original))  # rounded, not kept


def test_save_model_refuses_what_it_cannot_store(tmp_path):
    model = tiny_unet()
    with pytest.raises(ValueError, match="Received: weights_dtype='bfloat16'"):
        save_model(model, tmp_path / "a.keras", weights_dtype="bfloat16")
    with pytest.raises(ValueError, match="Received: path='.*a.h5'"):
        save_model(model, str(tmp_path / "a.h5"))
    model.weights[0].assign(np.full(model.weights[0].shape, 1e5, "float32"))
    with pytest.raises(ValueError, match=r"holds 100000.0, beyond float16's range"):
        save_model(model, tmp_path / "big.keras", weights_dtype="float16")
    assert list(tmp_path.iterdir()) == []


def double(x):
    return x * 2.0


@pytest.mark.parametrize("function", ["lambda", "named"])
def test_lambda_layer_is_refused_with_an_explanation(tmp_path, function):
    inputs = keras.Input((16, 16, 1))
    fn = (lambda x: x * 2.0) if function == "lambda" else double
    x = keras.layers.Lambda(fn, name="sneaky")(inputs)
    model = keras.Model(inputs, keras.layers.Conv2D(2, 1)(x))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"Refused to load model file .*lambda\.keras.*Lambda 'sneaky'") as raised:
        load_model(path)
    assert "safe_mode=True" in str(raised.value) and "safe_mode=False" in str(raised.value)


def broken_files(tmp_path):
    """name -> (path, regex of the expected message)."""
    good = tmp_path / "good.keras"
    tiny_unet().save(good)
    content = good.read_bytes()
    files = {}

    def write(name, data, match):
        path = tmp_path / name
        path.write_bytes(data)
        files[name] = (path, match)

    write("random.keras", np.random.default_rng(0).bytes(3000), "not a valid `.keras` archive")
    write("empty.keras", b"", "not a valid `.keras` archive")
    write("truncated.keras", content[: len(content) // 2], "not a valid `.keras` archive")
    write("text.keras", b"hello, I am a model\n", "not a valid `.keras` archive")
    write("legacy.h5", content, r"only `\.keras` files are accepted")
    with zipfile.ZipFile(good) as archive:
        config = archive.read("config.json")
    for name, members in [("no_config.keras", {"metadata.json": b"{}"}),
                          ("bad_json.keras", {"config.json": b"{not json"}),
                          ("no_weights.keras", {"config.json": config})]:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        files[name] = (path, "Cannot load model file" if name == "no_weights.keras" else "not a valid")
    files["missing.keras"] = (tmp_path / "missing.keras", "no such file")
    (tmp_path / "folder.keras").mkdir()
    files["folder.keras"] = (tmp_path / "folder.keras", "a folder")
    return files


def test_broken_files_give_one_clear_error_naming_the_file(tmp_path):
    for name, (path, match) in broken_files(tmp_path).items():
        with pytest.raises(ValueError, match=match) as raised:
            load_model(path)
        assert name in str(raised.value), name
        assert raised.value.__suppress_context__ or raised.value.__context__ is None  # no Keras traceback


def wrong_shaped(tmp_path):
    def save(name, inputs, outputs):
        path = tmp_path / f"{name}.keras"
        keras.Model(inputs, outputs).save(path)
        return path

    rgb_in = keras.Input((16, 16, 3))
    l_in = keras.Input((16, 16, 1))
    l_in2 = keras.Input((16, 16, 1))
    dynamic = keras.Input((None, None, 1))
    return {
        # Sizes unknown until run: the check probes one and finds half of it.
        save("dynamic_strided", dynamic, keras.layers.Conv2D(2, 3, strides=2, padding="same")(dynamic)):
            r"output of size \(32, 32\) for an input of size \(64, 64\)",
        save("dynamic_valid", dynamic, keras.layers.Conv2D(2, 5)(dynamic)):
            r"output of size \(60, 60\) for an input of size \(64, 64\)",
        save("rgb_input", rgb_in, keras.layers.Conv2D(2, 1)(rgb_in)): "input shape",
        save("five_channels", l_in, keras.layers.Conv2D(5, 1)(l_in)): "output shape",
        save("classifier", l_in, keras.layers.Dense(10)(keras.layers.Flatten()(l_in))): "output shape",
        save("strided", l_in, keras.layers.Conv2D(2, 3, strides=2)(l_in)): "different sizes",
        save("two_outputs", l_in, [keras.layers.Conv2D(2, 1)(l_in), keras.layers.Conv2D(2, 1)(l_in)]):
            r"1 input\(s\) and 2 output\(s\)",
        save("two_inputs", [l_in, l_in2], keras.layers.Conv2D(2, 1)(keras.layers.Add()([l_in, l_in2]))):
            r"2 input\(s\)",
    }


def test_wrong_shaped_models_are_not_colorizers(tmp_path):
    for path, match in wrong_shaped(tmp_path).items():
        with pytest.raises(ValueError, match=f"{path.name}.*is not a colorizer.*{match}"):
            load_model(path)


def test_dynamic_models_that_keep_the_size_pass_the_probe():
    from keras_colorize.saving import check_colorizer

    check_colorizer(models.unet(None, depth=3))  # needs multiples of 8: 64 is one
    inputs = keras.Input((None, None, 1))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    check_colorizer(keras.Model(inputs, keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")(x)))


@pytest.mark.tensorflow_only
def test_cli_reports_a_bad_model_in_one_line(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(b"")  # never read: the model fails first
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"garbage")
    for model, match in [(bad, "not a valid `.keras` archive"), (tmp_path / "none.keras", "no such file")]:
        code = cli.main(["colorize", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", str(model)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2
        assert len(err) == 1 and err[0].startswith("keras-colorize colorize: error: Cannot load model file")
        assert match in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "out").exists()
