"""`ConditionalGAN` (report 002): custom train_step under plain `fit`."""

import os

import keras
import numpy as np
import pytest
from helpers import run_serialization_test
from model_zoo_data import lab_batch

from keras_colorize import models


def _gan(l1_weight=100.0):
    return models.ConditionalGAN(
        models.shallow(input_size=32, filters=8),
        models.patch_discriminator(input_size=32, base_filters=8),
        l1_weight=l1_weight,
        name="gan",
    )


def test_fit_trains_both_networks(photos, tmp_path):
    l, ab, _ = lab_batch(photos, 32)
    gan = _gan()
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.Adam(2e-4),
    )
    d_before = [keras.ops.convert_to_numpy(w).copy() for w in gan.discriminator.weights]
    l1_before = np.mean(np.abs(gan.predict(l, verbose=0) - ab))
    history = gan.fit(l, ab, batch_size=4, epochs=10, shuffle=False, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "l1"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    l1_after = np.mean(np.abs(gan.predict(l, verbose=0) - ab))
    assert l1_after < l1_before
    d_after = [keras.ops.convert_to_numpy(w) for w in gan.discriminator.weights]
    assert any(not np.allclose(a, b) for a, b in zip(d_before, d_after))
    assert int(gan.generator_optimizer.iterations) == 20
    assert int(gan.discriminator_optimizer.iterations) == 20

    path = os.path.join(tmp_path, "gan.keras")
    gan.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(restored, models.ConditionalGAN)
    np.testing.assert_allclose(restored.predict(l, verbose=0), gan.predict(l, verbose=0), atol=1e-6)


def test_config_round_trip():
    revived = run_serialization_test(_gan(l1_weight=10.0))
    assert revived.l1_weight == 10.0


def test_compile_errors():
    gan = _gan()
    with pytest.raises(ValueError, match="Received: loss='mse'"):
        gan.compile(loss="mse")
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer"):
        gan.compile(generator_optimizer=optimizer, discriminator_optimizer=optimizer)
    with pytest.raises(ValueError, match="Received: l1_weight=-1"):
        models.ConditionalGAN(gan.generator, gan.discriminator, l1_weight=-1)
