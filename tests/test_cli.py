"""`keras-colorize`: help of every subcommand, evaluate, export, and the wrappers' arguments."""

import io
import json
import subprocess
import sys
import types

import numpy as np
import pytest
from PIL import Image

from keras_colorize import cli
from keras_colorize import colorize
from keras_colorize import models
from keras_colorize import weights
from keras_colorize.metrics import evaluate_images

pytestmark = pytest.mark.tensorflow_only


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    models.unet(input_size=None, depth=2, base_filters=4).save(path)
    return path


@pytest.mark.parametrize("command", ["colorize", "evaluate", "train", "export"])
def test_help_of_each_subcommand(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: keras-colorize {command}" in capsys.readouterr().out


def test_module_entry_point_lists_the_subcommands():
    result = subprocess.run([sys.executable, "-m", "keras_colorize.cli", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    for command in ("colorize", "evaluate", "train", "tune", "export"):
        assert command in result.stdout


def test_usage_errors_exit_2(tmp_path, capsys):
    for argv in (["colorize", str(tmp_path)], ["colorize", str(tmp_path), "-o", "x", "--render-size", "0"],
                 ["colorize", str(tmp_path), "-o", "x", "--bogus"], ["export", "m.keras", "out"]):
        with pytest.raises(SystemExit) as exited:
            cli.main(argv)
        assert exited.value.code == 2, argv
    capsys.readouterr()
    assert cli.main(["colorize", str(tmp_path / "nothing"), "-o", str(tmp_path / "out")]) == 1
    assert "nothing: no such file or folder" in capsys.readouterr().err


def test_the_shipped_model_colorizes_a_gray_photo(tmp_path, photos):
    Image.fromarray(photos["astronaut"]).convert("L").save(tmp_path / "old.png")
    assert cli.main(["colorize", str(tmp_path / "old.png"), "-o", str(tmp_path / "out")]) == 0
    out = np.asarray(Image.open(tmp_path / "out" / "old_color.png"))
    assert out.shape == photos["astronaut"].shape and out.dtype == np.uint8
    # Gray in, color out: the shipped model gives real chroma (a gray photo scores ~0).
    assert evaluate_images([out], [photos["astronaut"]])["colorfulness"] > 10
    assert weights.load_default_model().input_shape == (None, 64, 64, 1)


def test_evaluate_matches_the_library(tmp_path, tiny_model, photos, capsys):
    folder = tmp_path / "dev"
    folder.mkdir()
    truths = []
    for name in ("chelsea", "coffee", "rocket"):  # the folder's (sorted) order
        image = photos[name][::8, ::8]
        Image.fromarray(image).save(folder / f"{name}.png")
        truths.append(image)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    args = ["evaluate", str(folder), "--model", str(tiny_model), "--render-size", "32", "--json"]
    assert cli.main(args) == 1  # one file failed
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert "broken.jpg" in captured.err
    assert set(result) == {"psnr", "ssim", "colorfulness", "colorfulness_gap", "n"} and result["n"] == 3
    from keras_colorize.saving import load_model

    model = load_model(tiny_model)
    expected = evaluate_images(colorize(truths, model, render_size=32), truths)
    for key in ("psnr", "ssim", "colorfulness", "colorfulness_gap"):
        np.testing.assert_allclose(result[key], expected[key], rtol=1e-3, err_msg=key)
    (folder / "broken.jpg").unlink()
    assert cli.main(args[:-1]) == 0
    assert cli.main(args[:-1]) == 0
    assert capsys.readouterr().out.startswith("PSNR ")


def test_progress_line_has_count_and_eta():
    stream = io.StringIO()
    progress = cli.Progress(40, "colorize", stream=stream)
    for _ in range(40):
        progress.advance()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 20  # not a terminal: every 5 %
    assert lines[0].startswith("colorize 2/40 5% ") and "ETA " in lines[0]
    assert lines[-1].startswith("colorize 40/40 100% ") and lines[-1].endswith("ETA 0:00")


def test_export_keras_end_to_end(tmp_path, tiny_model, capsys):
    out = tmp_path / "exported.keras"
    assert cli.main(["export", str(tiny_model), str(out), "--format", "keras", "--render-size", "32"]) == 0
    from keras_colorize.saving import load_model

    x = np.random.default_rng(0).random((1, 32, 32, 1), dtype="float32")
    np.testing.assert_allclose(load_model(out).predict(x, verbose=0), load_model(tiny_model).predict(x, verbose=0),
                               atol=1e-6)
    assert cli.main(["export", "missing.keras", str(out), "--format", "keras"]) == 2
    assert "missing.keras" in capsys.readouterr().err
    before = out.read_bytes()
    assert cli.main(["export", str(tiny_model), str(out), "--format", "keras"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_train_and_tune_forward_their_arguments(monkeypatch, tmp_path):
    calls = {}
    fake_training = types.ModuleType("keras_colorize.training")
    fake_training.train_from_directory = lambda data_dir, **kw: calls.update(train=(data_dir, kw))
    fake_tuning = types.ModuleType("keras_colorize.tuning")
    fake_tuning.main = lambda argv: calls.update(tune=argv) or 0
    monkeypatch.setitem(sys.modules, "keras_colorize.training", fake_training)
    monkeypatch.setitem(sys.modules, "keras_colorize.tuning", fake_tuning)
    assert cli.main(["train", "photos", "--recipe", "unet_l1", "--epochs", "3", "--image-size", "64",
                     "--checkpoint-dir", "ckpt", "--validation-split", "0.2"]) == 0
    assert calls["train"] == ("photos", {"recipe": "unet_l1", "epochs": 3, "image_size": 64,
                                         "checkpoint_dir": "ckpt", "validation_split": 0.2})
    assert cli.main(["tune", "--max-trials", "2", "--help"]) == 0
    assert calls["tune"] == ["--max-trials", "2", "--help"]
