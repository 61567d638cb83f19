"""Every registered model: builds small, runs, trains, saves and reloads."""

import re

import keras
import numpy as np
import pytest
from helpers import run_model_saving_test
from model_zoo_data import lab_batch
from model_zoo_data import nearest_bins

from keras_colorize import models

# Small settings per registered name, and the kind of output it gives.
SMALL = {
    "baseline_cnn": ({"input_size": 32, "base_filters": 8}, "rgb"),
    "patch_discriminator": ({"input_size": 32, "base_filters": 8}, "logits"),
    "resnet18_decoder": ({"input_size": 32, "width": 8}, "ab"),
    "resnet18_unet": ({"input_size": 32, "width": 8}, "ab"),
    "shallow": ({"input_size": 32, "filters": 8}, "ab"),
    "six_conv_rgb": ({"input_size": 32}, "rgb"),
    "unet": ({"input_size": 32, "depth": 2, "base_filters": 8}, "ab"),
    "unet_classifier": ({"input_size": 32, "depth": 2, "base_filters": 8}, "bins"),
    "vae": ({"input_size": 32, "latent_dim": 16}, "ab"),
    "vae_residual": ({"input_size": 32, "latent_dim": 16}, "ab"),
    "vae_unet": ({"input_size": 32, "latent_dim": 16}, "ab"),
}
TRAIN_STEPS = 20


def _snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _data(kind, photos):
    """Inputs, targets and loss for one kind of model, on real-photo crops."""
    l, ab, rgb = lab_batch(photos, 32)
    if kind == "ab":
        return l, ab, "mse"
    if kind == "rgb":
        return l, rgb, "mse"
    if kind == "bins":
        return l, nearest_bins(ab, "report004"), "sparse_categorical_crossentropy"
    # Discriminator: true (L, ab) pairs are real, pairs with another crop's ab fake.
    fake_ab = np.roll(ab, 1, axis=0)
    inputs = [np.concatenate([l, l]), np.concatenate([ab, fake_ab])]
    labels = np.concatenate([np.ones(len(l)), np.zeros(len(l))]).astype("float32")
    labels = np.broadcast_to(labels[:, None, None, None], (2 * len(l), 4, 4, 1))
    return inputs, np.ascontiguousarray(labels), keras.losses.BinaryCrossentropy(from_logits=True)


def test_registry_covers_small_settings():
    assert sorted(SMALL) == models.names()


def test_get_unknown_name_lists_names():
    with pytest.raises(ValueError, match="Expected one of .*unet.*Received: name='nope'"):
        models.get("nope")


@pytest.mark.parametrize("name", sorted(SMALL))
def test_model(name, photos, tmp_path):
    kwargs, kind = SMALL[name]
    model = models.get(name, **kwargs)
    assert isinstance(model, keras.Model)

    # Every layer named by the builder, none left with a Keras default name.
    for layer in _all_layers(model):
        default = _snake_case(layer.__class__.__name__)
        assert not re.fullmatch(f"{default}(_[0-9]+)?", layer.name), layer.name
        assert layer.__class__.__name__ != "Lambda"

    inputs, targets, loss = _data(kind, photos)
    outputs = np.asarray(model.predict(inputs, verbose=0))
    assert outputs.dtype == np.float32
    assert np.all(np.isfinite(outputs))
    expected_shape = {"ab": (8, 32, 32, 2), "rgb": (8, 32, 32, 3), "bins": (8, 32, 32, 676)}
    if kind == "logits":
        assert outputs.shape == (16, 4, 4, 1)
    else:
        assert outputs.shape == expected_shape[kind]
    if kind == "ab":
        assert outputs.min() >= -1.0 and outputs.max() <= 1.0
    if kind == "rgb":
        assert outputs.min() >= 0.0 and outputs.max() <= 1.0
    if kind == "bins":
        assert outputs.min() >= 0.0
        np.testing.assert_allclose(outputs.sum(-1), 1.0, atol=1e-4)

    # Training on a fixed batch of real crops lowers the training loss.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    first = model.train_on_batch(inputs, targets)
    for _ in range(TRAIN_STEPS - 1):
        model.train_on_batch(inputs, targets)
    last = model.train_on_batch(inputs, targets)
    assert np.isfinite(last)
    assert last < first, (first, last)

    run_model_saving_test(model, inputs, tmp_path, atol=1e-5)


@pytest.mark.parametrize("name", sorted(set(SMALL) - {"six_conv_rgb"}))
def test_wrong_input_size_raises(name):
    kwargs = dict(SMALL[name][0], input_size=33)
    with pytest.raises(ValueError, match=r"multiple of .*Received: input_size=33"):
        models.get(name, **kwargs)


def test_six_conv_rgb_any_size():
    assert models.six_conv_rgb(input_size=37).output.shape == (None, 37, 37, 3)
    with pytest.raises(ValueError, match="Received: input_size=0"):
        models.six_conv_rgb(input_size=0)


def test_output_choice_validated():
    with pytest.raises(ValueError, match="Received: output='lab'"):
        models.unet(input_size=32, depth=2, base_filters=8, output="lab")
    model = models.unet(input_size=32, depth=2, base_filters=8, output="rgb")
    assert model.output.shape == (None, 32, 32, 3)
    assert models.baseline_cnn(input_size=32, base_filters=8, output="ab").output.shape == (
        None, 32, 32, 2,
    )


def test_unet_default_signature_outputs_ab():
    # The data pipeline and the demo build `unet(input_size=, depth=, base_filters=)`.
    model = models.unet(input_size=64, depth=3, base_filters=4)
    assert model.input.shape == (None, 64, 64, 1)
    assert model.output.shape == (None, 64, 64, 2)
    assert model.get_layer("ab_conv").activation.__name__ == "tanh"
