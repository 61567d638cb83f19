"""`models.ensemble`: colorizers averaged with weights in one model."""

import numpy as np
import pytest

from keras_colorize import models
from tests.helpers import run_model_saving_test


@pytest.fixture(scope="module")
def members():
    # The same builder and name twice: the ensemble must still hold both.
    return [models.unet(input_size=32, depth=2, base_filters=filters, hints=True, name="small_unet")
            for filters in (4, 8)]


def test_ensemble_is_the_weighted_mean_of_its_members(members):
    inputs = np.random.default_rng(0).random((3, 32, 32, 4)).astype("float32")
    first, second = (member.predict(inputs, verbose=0) for member in members)
    assert not np.allclose(first, second, atol=1e-4)
    combined = models.ensemble(members, weights=[3, 1])
    np.testing.assert_allclose(combined.predict(inputs, verbose=0), 0.75 * first + 0.25 * second, atol=1e-6)
    equal = models.ensemble(members)
    np.testing.assert_allclose(equal.predict(inputs, verbose=0), (first + second) / 2, atol=1e-6)
    assert combined.count_params() == sum(member.count_params() for member in members)


def test_ensemble_round_trips_through_keras_files(members, tmp_path):
    inputs = np.random.default_rng(1).random((2, 32, 32, 4)).astype("float32")
    restored = run_model_saving_test(models.ensemble(members, weights=[0.6, 0.4], name="pair"), inputs, tmp_path)
    assert restored.name == "pair"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"members": "unet"}, "Received: members='unet'"),
        ({"weights": [1.0]}, r"Received: weights=\[1.0\]"),
        ({"weights": [1.0, 0.0]}, r"Received: weights=\[1.0, 0.0\]"),
    ],
)
def test_ensemble_rejects_bad_arguments(members, arguments, message):
    with pytest.raises(ValueError, match=message):
        models.ensemble(**{"members": members, **arguments})


def test_ensemble_rejects_members_of_other_channels(members):
    gray_input = models.unet(input_size=32, depth=2, base_filters=4)  # L alone, no hint channels
    with pytest.raises(ValueError, match=r"\(4, 2\), \(1, 2\)"):
        models.ensemble([members[0], gray_input])
