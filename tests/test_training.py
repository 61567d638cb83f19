"""Recipes, fit_colorizer and train_from_directory: every recipe trains, a killed run resumes."""

import csv
import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import keras
import numpy as np
import pytest
from PIL import Image

from keras_colorize import bins
from keras_colorize import data
from keras_colorize import metrics
from keras_colorize import models
from keras_colorize import priors
from keras_colorize import training
from tests.helpers import run_serialization_test

pytestmark = pytest.mark.tensorflow_only

# Tiny builder arguments per recipe: the recipes' own layers, a few channels.
TINY = {
    "vae_perceptual": {"latent_dim": 8},
    "resnet_color_weighted": {"width": 4},
    "resnet_unet_l1": {"width": 4},
    "six_conv_rgb": {},
    "unet_mixed_l1_l2": {"depth": 2, "base_filters": 4},
    "unet_classifier": {"depth": 2, "base_filters": 4},
}
SIZE = 32


def tiny_recipe(name):
    recipe = training.RECIPES[name]
    if name == "vae_perceptual":  # no download: a randomly initialised VGG19
        recipe = dataclasses.replace(recipe, loss_options={**recipe.loss_options, "vgg_weights": None})
    return recipe


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory, photos):
    """scikit-image's photographs as JPEG files, each twice (8 files)."""
    folder = tmp_path_factory.mktemp("photos")
    for name, image in photos.items():
        for i in range(2):
            Image.fromarray(image).save(folder / f"{name}_{i}.jpg", quality=90)
    return folder


def datasets(photo_dir, recipe, batch_size=2):
    paths = data.list_images(photo_dir)
    return recipe.datasets(paths[:6], paths[6:], SIZE, batch_size, seed=0)


def test_with_lightness_target_is_l_then_ab(photo_dir):
    paths = data.list_images(photo_dir)[:2]
    inputs, lab = next(iter(data.from_files(paths, 16, 2, with_lightness=True)))
    _, ab = next(iter(data.from_files(paths, 16, 2)))
    assert lab.shape == (2, 16, 16, 3)
    np.testing.assert_array_equal(lab[..., :1], inputs)
    np.testing.assert_array_equal(lab[..., 1:], ab)
    with pytest.raises(ValueError, match="color_space='rgb'"):
        data.from_files(paths, 16, 2, color_space="rgb", with_lightness=True)


# The ResNets and the VAE (with its VGG19 loss) take about a minute each on 2 CPU cores.
HEAVY = ("resnet_color_weighted", "resnet_unet_l1", "vae_perceptual")


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.large) if n in HEAVY else n for n in sorted(training.RECIPES)]
)
def test_every_recipe_trains_on_photos(photo_dir, name):
    recipe = tiny_recipe(name)
    train, val = datasets(photo_dir, recipe)
    history = training.fit_colorizer(
        lambda: recipe.build_model(SIZE, **TINY[name]), train, val, epochs=1, recipe=recipe, jit_compile=False,
        verbose=0,
    )
    model = history.model
    assert math.isfinite(history.history["loss"][0])
    assert math.isfinite(history.history["val_psnr"][0])
    optimizers = {"adam": keras.optimizers.Adam, "adamw": keras.optimizers.AdamW}
    assert type(model.optimizer) is optimizers[recipe.optimizer]
    np.testing.assert_allclose(float(model.optimizer.learning_rate), recipe.learning_rate, rtol=1e-6)


def test_recipes_follow_the_reports():
    r = training.RECIPES
    assert (r["vae_perceptual"].image_size, r["vae_perceptual"].schedule, r["vae_perceptual"].plateau_factor) == (224, "plateau", 0.05)
    assert r["vae_perceptual"].loss_options["vgg_layers"] == ("relu3_4",)
    assert (r["resnet_unet_l1"].optimizer, r["resnet_unet_l1"].learning_rate, r["resnet_unet_l1"].batch_size) == (
        "adamw", 3e-4, 32,
    )
    assert (r["six_conv_rgb"].batch_size, r["six_conv_rgb"].augment, r["six_conv_rgb"].output) == (16, True, "rgb")
    assert r["unet_mixed_l1_l2"].build_model(None).count_params() == pytest.approx(20.5e6, rel=0.05)
    (plateau,) = r["vae_perceptual"].schedule_callbacks(30)
    assert (plateau.monitor, plateau.mode, plateau.factor) == ("val_psnr", "max", 0.05)
    with pytest.raises(ValueError, match="schedule='linear'"):
        dataclasses.replace(r["unet_mixed_l1_l2"], schedule="linear")
    with pytest.raises(ValueError, match="'nope'"):
        training.get_recipe("nope")


def test_recipes_answer_to_their_former_names():
    r = training.RECIPES
    assert sorted(r) == sorted(training.RECIPE_ALIASES.values())  # only the new names are listed
    for old, new in training.RECIPE_ALIASES.items():
        assert r[old] is r[new] is training.get_recipe(old) and old in r and r.get(old) is r[new]
        assert r[new].name == new
    assert r.get("nope") is None and "nope" not in r
    with pytest.raises(KeyError):
        r["nope"]


def test_recipe_datasets_and_prior(photo_dir):
    paths = data.list_images(photo_dir)
    recipe = training.RECIPES["unet_classifier"]
    train, val = recipe.datasets(paths[:6], paths[6:], SIZE, 2, seed=0)
    (x, y), (vx, vy) = next(iter(train)), next(iter(val))
    assert x.shape == (2, SIZE, SIZE, 1) and y.shape == (2, SIZE, SIZE, 3)  # L, then L and ab
    np.testing.assert_array_equal(vy[..., :1], vx)
    assert recipe.datasets(paths, [], SIZE)[1] is None
    assert recipe.grid == "square" and recipe.needs_prior
    prior = recipe.estimate_prior(val)
    np.testing.assert_allclose(prior, priors.ab_histogram(val, "square"))
    from_files = recipe.estimate_prior(paths[6:], SIZE)  # centre crops, like the validation set
    np.testing.assert_allclose(from_files, prior)
    assert training.RECIPES["six_conv_rgb"].estimate_prior(val) is None
    rgb_train, _ = training.RECIPES["six_conv_rgb"].datasets(paths, [], SIZE, 2)
    assert next(iter(rgb_train))[1].shape == (2, SIZE, SIZE, 3)


def test_cosine_annealing_per_epoch(photo_dir):
    # Report 002's recipe on a small network.
    recipe = dataclasses.replace(training.RECIPES["resnet_unet_l1"], model="shallow", model_kwargs={"filters": 4})
    train, _ = datasets(photo_dir, recipe)
    history = training.fit_colorizer(
        lambda: recipe.build_model(SIZE), train, epochs=3, recipe=recipe, steps_per_epoch=1, jit_compile=False,
        verbose=0,
    )
    expected = [3e-4 * 0.5 * (1 + math.cos(math.pi * e / 3)) for e in range(3)]
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-5)


def test_plateau_cuts_the_rate_by_0_05(photo_dir):
    # Report 000's schedule and loss (perceptual term off) on a small network. At a
    # negligible rate val PSNR stays put, so the rate is cut after epoch 2.
    vae = training.RECIPES["vae_perceptual"]
    recipe = dataclasses.replace(
        vae, model="shallow", model_kwargs={"filters": 4}, plateau_patience=1, learning_rate=1e-12,
        loss_options={**vae.loss_options, "perceptual": 0.0},
    )
    train, val = datasets(photo_dir, recipe)
    history = training.fit_colorizer(
        lambda: recipe.build_model(SIZE), train, val, epochs=3, recipe=recipe, steps_per_epoch=1,
        jit_compile=False, verbose=0,
    )
    rates = history.history["learning_rate"]
    np.testing.assert_allclose(rates, [1e-12, 1e-12, 1e-12 * 0.05], rtol=1e-4)


def test_binned_psnr_scores_the_decoded_ab():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(676), size=(2, 8, 8)).astype("float32")
    lab = np.concatenate([rng.uniform(0.2, 0.8, (2, 8, 8, 1)), rng.uniform(-0.3, 0.3, (2, 8, 8, 2))], -1)
    lab = lab.astype("float32")
    metric = metrics.BinnedPSNR()
    metric.update_state(lab, probs)
    expected = metrics.psnr(lab, bins.decode_ab(probs, temperature=0.38))
    np.testing.assert_allclose(float(metric.result()), float(np.mean(expected)), rtol=1e-5)
    run_serialization_test(metric)


def test_mixed_precision_keeps_losses_and_variables_float32(photo_dir):
    recipe = training.RECIPES["unet_mixed_l1_l2"]
    train, _ = datasets(photo_dir, recipe)
    history = training.fit_colorizer(
        lambda: recipe.build_model(SIZE, **TINY["unet_mixed_l1_l2"]), train, epochs=1, recipe=recipe,
        mixed_precision="mixed_bfloat16", jit_compile=False, verbose=0,
    )
    model = history.model
    assert model.dtype_policy.name == "mixed_bfloat16"
    assert model.compute_dtype == "bfloat16"
    assert {v.dtype for v in model.trainable_variables} == {"float32"}
    assert model.loss.dtype == "float32"
    assert math.isfinite(history.history["loss"][0])
    assert keras.config.dtype_policy().name == "float32"  # restored
    with pytest.raises(ValueError, match="mixed_float16"):
        training.fit_colorizer(model, train, epochs=1, recipe=recipe, mixed_precision="mixed_float16")
    with pytest.raises(ValueError, match="'float8'"):
        training.fit_colorizer(model, train, epochs=1, recipe=recipe, mixed_precision="float8")


def test_fit_needs_a_compiled_model_or_a_recipe(photo_dir):
    train, _ = datasets(photo_dir, training.RECIPES["unet_mixed_l1_l2"])
    model = models.unet(input_size=SIZE, depth=2, base_filters=4)
    with pytest.raises(ValueError, match="not compiled"):
        training.fit_colorizer(model, train, epochs=1)
    model.compile(optimizer="sgd", loss=keras.losses.MeanSquaredError())
    train_ab = data.from_files(data.list_images(photo_dir)[:2], SIZE, 2)
    history = training.fit_colorizer(model, train_ab, epochs=1, jit_compile=False, verbose=0)
    assert history.model is model and model.jit_compile is False


def test_train_from_directory_writes_model_log_and_previews(photo_dir, tmp_path):
    output = tmp_path / "model.keras"
    run = tmp_path / "run"
    model = training.train_from_directory(
        photo_dir, recipe="six_conv_rgb", image_size=16, batch_size=4, epochs=2, checkpoint_dir=run,
        output=output, validation_split=0.3, steps_per_epoch=2, verbose=0,
    )
    assert model.history.epoch == [0, 1]
    restored = keras.saving.load_model(output, safe_mode=True)
    x = np.random.default_rng(0).uniform(size=(1, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert sorted(os.listdir(run / "previews")) == ["epoch_001.png", "epoch_002.png"]
    assert {"epoch_001.keras", "epoch_002.keras", "training_log.csv"} <= set(os.listdir(run))
    assert [f for f in os.listdir(tmp_path) if f.endswith(".keras")] == ["model.keras"]  # no temporary left
    with pytest.raises(ValueError, match="overwrite"):
        training.train_from_directory(photo_dir, recipe="six_conv_rgb", epochs=1, output=output)

    # The finished run, started again with one more epoch, continues: epochs 1-2 are not redone.
    first_checkpoint = (run / "epoch_001.keras").read_bytes()
    three_epochs = dict(recipe="six_conv_rgb", image_size=16, batch_size=4, epochs=3, checkpoint_dir=run,
                        validation_split=0.3, steps_per_epoch=2, verbose=0)
    longer = training.train_from_directory(photo_dir, **three_epochs)
    assert longer.history.epoch == [2]
    assert (run / "epoch_001.keras").read_bytes() == first_checkpoint
    with open(run / "training_log.csv") as handle:
        assert [int(row["epoch"]) for row in csv.DictReader(handle)] == [0, 1, 2]
    again = training.train_from_directory(photo_dir, **three_epochs)
    assert again.history.epoch == []  # as many epochs as done: nothing to train
    np.testing.assert_allclose(again.predict(x, verbose=0), longer.predict(x, verbose=0), atol=1e-6)


RESUMABLE_RUN = """
import json, sys, time
import keras
from keras_colorize import training

class Slow(keras.callbacks.Callback):  # makes an epoch last long enough to be killed in
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.1)

model = training.train_from_directory(
    sys.argv[1], recipe="six_conv_rgb", image_size=16, batch_size=2, epochs=3, checkpoint_dir=sys.argv[2],
    validation_split=0.25, steps_per_epoch=15, callbacks=[Slow()], verbose=0,
)
print("EPOCHS", json.dumps(model.history.epoch))
"""


def test_killed_run_resumes_at_the_saved_epoch(photo_dir, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(RESUMABLE_RUN))
    run = tmp_path / "run"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": os.getcwd()}
    command = [sys.executable, str(script), str(photo_dir), str(run)]
    output = tmp_path / "first_run.txt"
    with open(output, "w") as handle:
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    log = run / "training_log.csv"
    deadline = time.time() + 240
    while not (log.exists() and len(log.read_text().splitlines()) >= 2):
        assert process.poll() is None, output.read_text()
        assert time.time() < deadline, "no epoch finished in time"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # in epoch 2, which lasts about 1.5 s
    process.wait()
    assert process.returncode == -signal.SIGKILL
    metadata = json.loads((run / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1
    assert not (run / "epoch_003.keras").exists()

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    epochs = json.loads(resumed.stdout.split("EPOCHS", 1)[1])
    assert epochs == [1, 2]  # resumed at epoch 2 of 3, not from zero
    with open(log) as handle:
        assert [int(row["epoch"]) for row in csv.DictReader(handle)] == [0, 1, 2]
    assert (run / "epoch_003.keras").exists()
