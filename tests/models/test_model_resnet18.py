"""ResNet-18 backbone and its two colorizers (reports 001 and 002)."""

import keras
import numpy as np
import pytest

from keras_colorize import models


def test_encoder_scales():
    encoder = models.resnet18_encoder(input_size=64, width=8)
    shapes = [tuple(f.shape[1:]) for f in encoder.outputs]
    assert shapes == [(32, 32, 8), (16, 16, 8), (8, 8, 16), (4, 4, 32), (2, 2, 64)]
    assert encoder.input.shape == (None, 64, 64, 1)
    assert encoder.get_layer("stem_conv").kernel_size == (7, 7)
    convs = [l for l in encoder.layers if isinstance(l, keras.layers.Conv2D)]
    # 1 stem + 4 stages × 2 blocks × 2 convs + 3 projection shortcuts.
    assert len(convs) == 1 + 16 + 3


@pytest.mark.parametrize("builder", [models.resnet18_decoder, models.resnet18_unet])
def test_encoder_weights_from_local_file(builder, tmp_path):
    source = builder(input_size=32, width=8)
    path = str(tmp_path / "resnet18.weights.h5")
    source.get_layer("resnet18").save_weights(path)

    model = builder(input_size=64, encoder_weights=path, width=8)
    for a, b in zip(source.get_layer("resnet18").weights, model.get_layer("resnet18").weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


@pytest.mark.parametrize("builder", [models.resnet18_decoder, models.resnet18_unet])
def test_encoder_weights_errors(builder, tmp_path):
    with pytest.raises(ValueError, match="does not download.*Received: encoder_weights='imagenet'"):
        builder(input_size=32, encoder_weights="imagenet", width=8)
    missing = str(tmp_path / "missing.weights.h5")
    with pytest.raises(ValueError, match="Received: encoder_weights="):
        builder(input_size=32, encoder_weights=missing, width=8)


@pytest.mark.parametrize("builder", [models.resnet18_decoder, models.resnet18_unet])
def test_freeze_encoder(builder):
    model = builder(input_size=32, width=8, freeze_encoder=True)
    encoder = model.get_layer("resnet18")
    assert not encoder.trainable
    trainable = {id(v) for v in model.trainable_weights}
    assert not any(id(v) in trainable for v in encoder.weights)
    assert model.trainable_weights  # the decoder still trains


def test_unet_skip_scales_and_decoder():
    model = models.resnet18_unet(input_size=64, width=8)
    # Four skip scales, each decoder step: transposed conv, concat, 2×(conv-BN-ReLU).
    concat_shapes = [tuple(model.get_layer(f"decoder{i}_concat").output.shape[1:]) for i in range(1, 5)]
    assert concat_shapes == [(4, 4, 64), (8, 8, 32), (16, 16, 16), (32, 32, 16)]
    for i in range(1, 6):
        assert isinstance(model.get_layer(f"decoder{i}_convt"), keras.layers.Conv2DTranspose)
        for j in (1, 2):
            assert model.get_layer(f"decoder{i}_conv{j}").kernel_size == (3, 3)
            assert isinstance(model.get_layer(f"decoder{i}_bn{j}"), keras.layers.BatchNormalization)


def test_decoder_four_blocks_back_to_input_size():
    model = models.resnet18_decoder(input_size=64, width=8)
    sizes = [model.get_layer(f"decoder{i}_upsample").output.shape[1] for i in range(1, 5)]
    assert sizes == [8, 16, 32, 64]
    for i in range(1, 5):
        assert isinstance(model.get_layer(f"decoder{i}_bn"), keras.layers.BatchNormalization)
    assert model.output.shape == (None, 64, 64, 2)
