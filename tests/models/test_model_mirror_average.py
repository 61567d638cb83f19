"""`models.mirror_average`: a colorizer averaged with itself on the mirror image."""

import numpy as np
import pytest

from keras_colorize import models
from tests.helpers import run_model_saving_test


@pytest.fixture(scope="module")
def hint_unet():
    return models.unet(input_size=32, depth=2, base_filters=4, hints=True, name="small_unet")


def test_mirror_average_is_the_mean_of_both_views(hint_unet):
    rng = np.random.default_rng(0)
    inputs = rng.random((3, 32, 32, 4)).astype("float32")
    averaged = models.mirror_average(hint_unet)
    direct = hint_unet.predict(inputs, verbose=0)
    mirrored = hint_unet.predict(inputs[:, :, ::-1], verbose=0)[:, :, ::-1]
    assert not np.allclose(direct, mirrored, atol=1e-4)  # the network itself is not mirror-symmetric
    np.testing.assert_allclose(averaged.predict(inputs, verbose=0), (direct + mirrored) / 2, atol=1e-6)
    assert averaged.name == "small_unet" and averaged.count_params() == hint_unet.count_params()


def test_mirror_average_round_trips_through_keras_files(hint_unet, tmp_path):
    inputs = np.random.default_rng(1).random((2, 32, 32, 4)).astype("float32")
    restored = run_model_saving_test(models.mirror_average(hint_unet, name="averaged"), inputs, tmp_path)
    assert restored.name == "averaged"


def test_mirror_average_rejects_what_is_not_a_model():
    with pytest.raises(ValueError, match="Received: model='unet'"):
        models.mirror_average("unet")
