"""Test configuration: fixed seeds, real photos, the `../shared` data folder."""

import os
import pathlib

import keras
import numpy as np
import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def fixed_seeds():
    keras.utils.set_random_seed(1337)
    yield


@pytest.fixture(scope="session")
def photos():
    """Real photographs bundled with scikit-image, as uint8 RGB arrays."""
    from skimage import data

    return {
        "astronaut": data.astronaut(),
        "coffee": data.coffee(),
        "chelsea": data.chelsea(),
        "rocket": data.rocket(),
    }


@pytest.fixture(scope="session")
def shared_data():
    """`../shared/data`, or a skip with the reason when it is absent."""
    if not (SHARED_DATA / "train").is_dir():
        pytest.skip(f"real-photo folder {SHARED_DATA} is absent")
    return SHARED_DATA


def backend():
    return keras.backend.backend()


def float64_enabled():
    """Whether the backend computes in float64 (JAX needs jax_enable_x64)."""
    if backend() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
np.set_printoptions(precision=4, suppress=True)
