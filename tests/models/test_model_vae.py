"""Report 000's VAE: Table 1 layer by layer, sampling, KL term, sub-models."""

import keras
import numpy as np
import pytest
from helpers import run_serialization_test

from keras_colorize import models
from keras_colorize.layers import Reparameterization

S = 64
LATENT = 16

# Report 000 Table 1, channels last, batch dropped. Each row:
# (Keras layer class, output shape, (kernel, stride) for convolutions).
ENCODER_TABLE = [
    ("Conv2D", (S // 2, S // 2, 64), (3, 2)),
    ("LeakyReLU", (S // 2, S // 2, 64), None),
    ("Conv2D", (S // 2, S // 2, 128), (3, 1)),
    ("LeakyReLU", (S // 2, S // 2, 128), None),
    ("SpatialDropout2D", (S // 2, S // 2, 128), None),
    ("Conv2D", (S // 4, S // 4, 128), (3, 2)),
    ("LeakyReLU", (S // 4, S // 4, 128), None),
    ("Conv2D", (S // 4, S // 4, 256), (3, 1)),
    ("LeakyReLU", (S // 4, S // 4, 256), None),
    ("SpatialDropout2D", (S // 4, S // 4, 256), None),
    ("Conv2D", (S // 8, S // 8, 256), (3, 2)),
    ("LeakyReLU", (S // 8, S // 8, 256), None),
    ("Conv2D", (S // 8, S // 8, 512), (3, 1)),
    ("LeakyReLU", (S // 8, S // 8, 512), None),
    ("Conv2D", (S // 8, S // 8, 512), (3, 1)),
    ("LeakyReLU", (S // 8, S // 8, 512), None),
    ("SpatialDropout2D", (S // 8, S // 8, 512), None),
    ("Conv2D", (S // 8, S // 8, 256), (3, 1)),
    ("LeakyReLU", (S // 8, S // 8, 256), None),
    ("GlobalAveragePooling2D", (1, 1, 256), None),  # AdaptiveAvgPool2d(1)
    ("Dropout", (1, 1, 256), None),
    ("Conv2D", (1, 1, 2 * LATENT), (1, 1)),  # Conv2d(256, 2·latent_dim, 1)
    ("Flatten", (2 * LATENT,), None),  # ... whose output the table lists as [B, 2·latent_dim]
]
DECODER_TABLE = [
    ("Dense", (256 * (S // 8) ** 2,), None),  # Linear(latent_dim, 256·(SIZE/8)²)
    ("Reshape", (S // 8, S // 8, 256), None),
    ("Conv2DTranspose", (S // 4, S // 4, 128), (3, 2)),
    ("LeakyReLU", (S // 4, S // 4, 128), None),
    ("Conv2DTranspose", (S // 2, S // 2, 64), (3, 2)),
    ("LeakyReLU", (S // 2, S // 2, 64), None),
    ("Conv2DTranspose", (S // 2, S // 2, 32), (3, 1)),
    ("LeakyReLU", (S // 2, S // 2, 32), None),
    ("Conv2DTranspose", (S // 2, S // 2, 16), (3, 1)),
    ("LeakyReLU", (S // 2, S // 2, 16), None),
    ("Conv2DTranspose", (S, S, 2), (3, 2)),
    ("Activation", (S, S, 2), None),  # Tanh
]


def _check_rows(model, table):
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert len(layers) == len(table)
    for layer, (class_name, shape, conv) in zip(layers, table):
        assert layer.__class__.__name__ == class_name, layer.name
        assert tuple(layer.output.shape[1:]) == shape, layer.name
        if conv is not None:
            kernel, stride = conv
            assert layer.kernel_size == (kernel, kernel) and layer.strides == (stride, stride)
            # Padding 1 on the 3×3 convs keeps S / stride, as in the table.
            assert layer.padding == ("same" if kernel == 3 else "valid")
        if class_name == "LeakyReLU":
            assert layer.negative_slope == pytest.approx(0.01)  # nn.LeakyReLU default
        if class_name in ("SpatialDropout2D", "Dropout"):
            assert layer.rate == pytest.approx(0.2)


def test_table1_layer_by_layer():
    model = models.vae(input_size=S, latent_dim=LATENT)
    top = [layer.name for layer in model.layers]
    assert top == ["l_input", "encoder", "latent_sampling", "decoder"]
    _check_rows(model.get_layer("encoder"), ENCODER_TABLE)
    _check_rows(model.get_layer("decoder"), DECODER_TABLE)
    assert model.get_layer("decoder").get_layer("ab_tanh").activation.__name__ == "tanh"
    assert model.get_layer("latent_sampling").output.shape == (None, LATENT)
    assert model.output.shape == (None, S, S, 2)


def test_encode_decode_submodels():
    model = models.vae(input_size=32, latent_dim=8)
    x = np.random.default_rng(0).random((2, 32, 32, 1)).astype("float32")
    stats = model.get_layer("encoder").predict(x, verbose=0)
    assert stats.shape == (2, 16)
    ab = model.get_layer("decoder").predict(stats[:, :8], verbose=0)
    # Inference decodes the mean: encoder -> mean -> decoder is the model.
    np.testing.assert_allclose(model.predict(x, verbose=0), ab, atol=1e-5)


def test_deterministic_at_inference_sampled_in_training():
    model = models.vae(input_size=32, latent_dim=8, dropout=0.0)
    x = np.random.default_rng(0).random((2, 32, 32, 1)).astype("float32")
    a = keras.ops.convert_to_numpy(model(x, training=False))
    b = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_array_equal(a, b)
    c = keras.ops.convert_to_numpy(model(x, training=True))
    assert not np.allclose(a, c)


@pytest.mark.parametrize("kl_weight", [0.0, 0.5])
def test_kl_added_as_loss(kl_weight):
    model = models.vae(input_size=32, latent_dim=8, kl_weight=kl_weight)
    x = np.random.default_rng(0).random((2, 32, 32, 1)).astype("float32")
    stats = model.get_layer("encoder").predict(x, verbose=0).astype("float64")
    mean, log_var = stats[:, :8], stats[:, 8:]
    kl = -0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=-1).mean()
    model.compile(optimizer="adam", loss="mse")
    zeros = np.zeros((2, 32, 32, 2), "float32")
    ab = model.predict(x, verbose=0)
    mse = np.mean(ab.astype("float64") ** 2)
    assert model.evaluate(x, zeros, verbose=0) == pytest.approx(mse + kl_weight * kl, rel=1e-4, abs=1e-6)


def test_reparameterization_layer():
    layer = Reparameterization(kl_weight=0.25, seed=3, name="sampling")
    run_serialization_test(layer)
    stats = np.array([[1.0, -2.0, 0.0, np.log(4.0)]], "float32")
    out = keras.ops.convert_to_numpy(layer(stats, training=False))
    np.testing.assert_allclose(out, [[1.0, -2.0]])
    assert layer.compute_output_shape((None, 4)) == (None, 2)
    sampled = keras.ops.convert_to_numpy(layer(np.repeat(stats, 4000, 0), training=True))
    np.testing.assert_allclose(sampled.mean(0), [1.0, -2.0], atol=0.1)
    np.testing.assert_allclose(sampled.std(0), [1.0, 2.0], atol=0.1)
    with pytest.raises(ValueError, match="Received: kl_weight=-1"):
        Reparameterization(kl_weight=-1)


@pytest.mark.parametrize("name", ["vae_unet", "vae_residual"])
def test_variants_keep_table_layers(name):
    model = models.get(name, input_size=32, latent_dim=8)
    base = models.vae(input_size=32, latent_dim=8)
    base_names = {
        layer.name
        for sub in ("encoder", "decoder")
        for layer in base.get_layer(sub).layers
        if not isinstance(layer, keras.layers.InputLayer)
    }
    names = {layer.name for layer in model.layers}
    assert base_names <= names
    if name == "vae_unet":
        skips = [model.get_layer("decoder1_skip1"), model.get_layer("decoder1_skip2")]
        assert [s.output.shape[-1] for s in skips] == [128 + 256, 64 + 128]
    else:
        for block in ("encoder1", "encoder2", "encoder3", "encoder4", "decoder1", "decoder2"):
            assert model.get_layer(f"{block}_add") is not None
            assert model.get_layer(f"{block}_projection").kernel_size == (1, 1)
