"""`keras-colorize`: help of every subcommand, evaluate, export, and the wrappers' arguments."""

import argparse
import json
import os
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
from PIL import Image

from keras_colorize import _formats
from keras_colorize import cli
from keras_colorize import color
from keras_colorize import colorize
from keras_colorize import models
from keras_colorize import weights
from keras_colorize.metrics import evaluate_images
from tests.helpers import run_unprivileged

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
    assert weights.load_default_model().input_shape == (None, None, None, 4)  # fully convolutional, hints


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
    assert set(result) == {"psnr", "ssim", "colorfulness", "colorfulness_gap", "n", "baselines"}
    assert result["n"] == 3
    from keras_colorize.saving import load_model

    model = load_model(tiny_model)
    keys = ("psnr", "ssim", "colorfulness", "colorfulness_gap")
    expected = evaluate_images(colorize(truths, model, render_size=32), truths)
    for key in keys:
        np.testing.assert_allclose(result[key], expected[key], rtol=1e-3, err_msg=key)
    # The baselines of benchmarks/dev_quality.py, in the same run: the photos' own L with
    # a = b = 0, and with the mean ab of the set.
    labs = [keras.ops.convert_to_numpy(color.rgb_to_lab(t / 255.0)) for t in truths]
    mean_ab = np.concatenate([lab[..., 1:].reshape(-1, 2) for lab in labs]).mean(axis=0)
    for name, ab in (("gray", [0.0, 0.0]), ("mean_ab", mean_ab)):
        images = []
        for lab in labs:
            lab = lab.copy()
            lab[..., 1:] = ab
            rgb = keras.ops.convert_to_numpy(color.lab_to_rgb(color.fit_chroma_to_gamut(lab)))
            images.append(np.round(rgb * 255).astype(np.uint8))
        expected = evaluate_images(images, truths)
        for key in keys:
            np.testing.assert_allclose(result["baselines"][name][key], expected[key], rtol=1e-3,
                                       atol=1e-6, err_msg=(name, key))
    assert result["baselines"]["gray"]["colorfulness"] < 0.5  # 8-bit rounding only
    np.testing.assert_allclose(result["baselines"]["mean_ab"]["ab"], mean_ab, rtol=1e-4)
    (folder / "broken.jpg").unlink()
    assert cli.main(args[:-1]) == 0
    assert cli.main(args[:-1]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["PSNR", "(dB)"]
    assert [line.split()[0] for line in lines[1:4]] == ["model", "gray", "mean"]


def test_progress_is_a_keras_progbar_on_stderr(monkeypatch, capsys):
    bars = []

    class Recorded(keras.utils.Progbar):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(keras.utils, "Progbar", Recorded)
    progress = cli.progress(3, "colorize")
    for _ in range(3):
        progress.advance()
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout is kept for results (evaluate --json)
    assert "colorize: 3 photo(s)" in captured.err and "3/3" in captured.err and "/photo" in captured.err
    assert [(bar.target, bar._seen_so_far, bar.unit_name) for bar in bars] == [(3, 3, "photo")]


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
    monkeypatch.setitem(sys.modules, "keras_colorize.training", fake_training)
    monkeypatch.setattr(cli, "run_search", lambda argv: calls.update(tune=argv) or 0)
    assert cli.main(["train", "photos", "--recipe", "unet_mixed_l1_l2", "--epochs", "3", "--image-size", "64",
                     "--checkpoint-dir", "ckpt", "--validation-split", "0.2"]) == 0
    assert calls["train"] == ("photos", {"recipe": "unet_mixed_l1_l2", "epochs": 3, "image_size": 64,
                                         "checkpoint_dir": "ckpt", "validation_split": 0.2})
    assert cli.main(["tune", "--max-trials", "2", "--help"]) == 0
    assert calls["tune"] == ["--max-trials", "2", "--help"]


def small(photo, path):
    Image.fromarray(photo[::8, ::8]).save(path)
    return str(path)


NO_TENSORFLOW = """
import sys
from keras_colorize import cli
codes = []
for argv in (["--help"], ["colorize", "--help"], ["evaluate", "--help"], ["train", "--help"], ["tune", "--help"],
             ["export", "--help"], ["video", "--help"], ["serve", "--help"],
             ["train", "photos", "--recipe", "unet", "--epochs", "1"], ["colorize", "a.jpg"],
             ["export", "default", "out"], ["colorize", "a.jpg", "-o", "out", "--bogus"],
             ["tune", "--family", "unet"], ["tune", "--family", "six_conv", "--data", "photos"]):
    try:
        codes.append(cli.main(argv))
    except SystemExit as exited:
        codes.append(exited.code)
print(codes, sorted(name for name in ("keras", "tensorflow", "jax", "torch") if name in sys.modules))
"""


def test_help_and_usage_errors_import_no_tensorflow():
    import importlib.util

    result = subprocess.run([sys.executable, "-c", NO_TENSORFLOW], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    tune_help = 0 if importlib.util.find_spec("keras_tuner") else 2  # 2: the extra to install
    assert result.stdout.splitlines()[-1] == f"[0, 0, 0, 0, {tune_help}, 0, 0, 0, 2, 2, 2, 2, 2, 2] []"


def test_every_option_has_help_text():
    subcommands = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parsers = {**subcommands.choices, "tune (its options)": cli.tune_parser()}
    missing = [(name, action.option_strings or action.dest)
               for name, parser in parsers.items() for action in parser._actions if not action.help]
    assert missing == []


def test_the_tune_options_are_the_libraries():
    pytest.importorskip("keras_tuner")
    from keras_colorize import tuning

    # The names `tune --help` reads without Keras are the library's.
    assert _formats.TUNE_FAMILIES == tuple(sorted(tuning.HYPERMODELS))
    assert tuning.ORACLES == _formats.TUNE_ORACLES == ("random", "bayesian", "hyperband")


def test_commands_are_quiet_unless_verbose(tmp_path, photos):
    # TF_CPP_MIN_LOG_LEVEL=3 alone still let TensorFlow's load-time lines (absl, cudart, oneDNN) through.
    small(photos["coffee"], tmp_path / "p.png")
    result = subprocess.run(
        [sys.executable, "-m", "keras_colorize.cli", "colorize", "p.png", "missing.jpg", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow"),
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0] == "colorize: 1 photo(s)" and lines[1].startswith("1/1 ━"), result.stderr  # the progress bar
    assert lines[2:] == [
        f"1 photo(s) colorized into {tmp_path / 'out'}, 0 already done, 1 failed.",
        "1 input(s) failed:",
        "  missing.jpg: no such file or folder",
    ], result.stderr


def test_unreadable_folders_are_listed_as_failures(tmp_path, tiny_model, photos):
    small(photos["coffee"], tmp_path / "a.png")
    locked = tmp_path / "locked"
    locked.mkdir()
    small(photos["rocket"], locked / "b.png")
    locked.chmod(0)
    try:
        result = run_unprivileged([sys.executable, "-m", "keras_colorize.cli", "colorize", tmp_path, locked,
                                   "-o", tmp_path / "out", "--model", tiny_model],
                                  env=dict(os.environ, KERAS_BACKEND="tensorflow"))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "out" / "a_color.png").exists()
    failed = [line for line in result.stderr.splitlines() if line.startswith(f"  {locked}: ")]
    assert len(failed) == 2, result.stderr  # inside the folder, and given itself
    assert all("PermissionError" in line for line in failed)
    assert "no image files" not in result.stderr


def test_names_differing_only_in_case_get_distinct_outputs(tmp_path, tiny_model, photos):
    folder = tmp_path / "in"
    folder.mkdir()
    sizes = {}
    for name, photo in (("z.jpg", "coffee"), ("z.JPG", "rocket"), ("A.png", "chelsea"), ("a.png", "astronaut")):
        small(photos[photo], folder / name)
        sizes[str(folder / name)] = photos[photo][::8, ::8].shape
    out = tmp_path / "out"
    jobs, failures = cli.plan_outputs([folder], out, "_color")
    assert failures == [] and len(jobs) == 4
    names = [os.path.basename(output) for _, output in jobs]
    assert len({name.casefold() for name in names}) == 4, names  # distinct on case-insensitive file systems
    assert all(name.endswith("_color.png") for name in names)
    assert cli.main(["colorize", str(folder), "-o", str(out), "--model", str(tiny_model), "--render-size", "16"]) == 0
    for source, output in jobs:
        assert np.asarray(Image.open(output)).shape == sizes[source]
    assert cli.plan_outputs([folder], out, "_color")[0] == jobs  # a rerun finds the same names


def test_output_names_do_not_depend_on_the_order_of_the_inputs(tmp_path):
    for name in ("z.jpg", "z.JPG", "z_jpg.png", "b.png"):
        (tmp_path / name).write_bytes(b"")  # planning reads no pixels
    files = [str(tmp_path / name) for name in ("z.jpg", "z.JPG", "z_jpg.png", "b.png")]
    out = tmp_path / "out"
    jobs = dict(cli.plan_outputs(files, out, "_color")[0])
    assert {os.path.basename(source): os.path.relpath(output, out) for source, output in jobs.items()} == {
        "z_jpg.png": "z_jpg_color.png",  # alone with its name: kept
        "z.JPG": "z_jpg_2_color.png",  # then the clashing ones, in sorted order
        "z.jpg": "z_jpg_3_color.png",
        "b.png": "b_color.png",
    }
    assert dict(cli.plan_outputs(files[::-1], out, "_color")[0]) == jobs
    assert dict(cli.plan_outputs([tmp_path], out, "_color")[0]) == jobs  # the folder names them the same


def test_options_before_or_after_paths(tmp_path, tiny_model, photos, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad").mkdir()
    small(photos["coffee"], tmp_path / "bad" / "good.png")
    small(photos["rocket"], tmp_path / "-scan.png")
    small(photos["chelsea"], tmp_path / "c.png")
    model = ["--model", str(tiny_model), "--render-size", "16"]
    assert cli.main(["colorize", "bad/good.png", "-o", "out", *model, "--", "-scan.png"]) == 0
    assert sorted(os.listdir("out")) == ["-scan_color.png", "good_color.png"]
    assert cli.main(["colorize", "bad/good.png", "-o", "out2", *model, "c.png"]) == 0
    assert sorted(os.listdir("out2")) == ["c_color.png", "good_color.png"]
    assert cli.main(["colorize", "-o", "out3", *model, "--", "-scan.png", "c.png"]) == 0
    assert sorted(os.listdir("out3")) == ["-scan_color.png", "c_color.png"]


def test_a_bad_model_is_an_error_even_when_every_output_exists(tmp_path, tiny_model, photos, capsys):
    small(photos["coffee"], tmp_path / "a.png")
    out = tmp_path / "out"
    assert cli.main(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--model", str(tiny_model)]) == 0
    evil = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Lambda(lambda x: keras.ops.tile(x, 2))])
    evil.save(tmp_path / "evil.keras")
    capsys.readouterr()
    assert cli.main(["colorize", str(tmp_path / "a.png"), "-o", str(out), "--model", str(tmp_path / "evil.keras")]) == 2
    assert "evil.keras" in capsys.readouterr().err


def test_render_size_is_honoured_or_said_to_be_ignored(tmp_path, tiny_model, photos, capsys):
    photo = small(photos["astronaut"], tmp_path / "p.png")
    fixed = tmp_path / "fixed.keras"
    models.unet(input_size=32, depth=2, base_filters=4).save(fixed)

    def run(model, *options):
        out = tmp_path / f"out{len(os.listdir(tmp_path))}"
        assert cli.main(["colorize", photo, "-o", str(out), "--model", str(model), *options]) == 0
        return np.asarray(Image.open(out / "p_color.png")), capsys.readouterr().err

    _, err = run(fixed, "--render-size", "64")
    assert "note: this model's input size is fixed at 32x32; --render-size 64 is ignored" in err
    assert "note:" not in run(fixed)[1] and "note:" not in run(fixed, "--render-size", "32")[1]
    small_render, err = run(tiny_model, "--render-size", "16")  # dynamic input: honoured
    assert "note:" not in err
    assert not np.array_equal(small_render, run(tiny_model, "--render-size", "48")[0])
    with pytest.raises(SystemExit):
        cli.main(["colorize", "--help"])
    assert "fixed input size" in " ".join(capsys.readouterr().out.split())


def test_a_bad_training_folder_is_one_line_and_exit_2(monkeypatch, capsys):
    def train_from_directory(data_dir, **options):
        raise ValueError(f"Expected a folder of images. Received: directory={data_dir!r}, which is not a folder.")

    fake_training = types.ModuleType("keras_colorize.training")
    fake_training.train_from_directory = train_from_directory
    monkeypatch.setitem(sys.modules, "keras_colorize.training", fake_training)
    assert cli.main(["train", "nowhere", "--recipe", "unet_mixed_l1_l2", "--epochs", "1"]) == 2
    assert capsys.readouterr().err == ("keras-colorize train: error: Expected a folder of images. "
                                       "Received: directory='nowhere', which is not a folder.\n")


def test_train_lists_its_recipes_and_rejects_others(capsys):
    from keras_colorize import training

    with pytest.raises(SystemExit) as exited:
        cli.main(["train", "photos", "--recipe", "unet", "--epochs", "1"])
    assert exited.value.code == 2
    assert "unknown recipe 'unet'; choose from vae_perceptual" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(name in help_text for name in cli.RECIPE_NAMES)
    assert "--epochs N epochs to train" in help_text
    # The names --help reads without TensorFlow are the library's.
    assert tuple(training.RECIPES) == _formats.RECIPE_NAMES
    assert all(name in training.RECIPES for name in _formats.RECIPE_ALIASES)


def test_tune_without_keras_tuner_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "keras_tuner", None)  # not installed
    monkeypatch.delitem(sys.modules, "keras_colorize.tuning", raising=False)
    assert cli.main(["tune", "--help"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == 'keras-colorize tune: error: hyperparameter search needs KerasTuner: ' \
        'pip install "keras_colorize[tuning]"'


def test_export_accepts_the_shipped_model_by_name(tmp_path):
    from keras_colorize.saving import load_model

    out = tmp_path / "default_copy.keras"
    assert cli.main(["export", "default", str(out), "--format", "keras"]) == 0
    assert load_model(out).input_shape == weights.load_default_model().input_shape
