"""The PyTorch backend, smoke-tested: `unet` build / predict / `colorize` / `fit` / save and reload.

Keras fixes its backend at import, so the check runs in a fresh interpreter with KERAS_BACKEND=torch. torch is not
a dependency (a multi-GB wheel): the test skips with the reason where it is not installed.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

# One subprocess whatever the backend of this run: it runs in the TensorFlow pass of `make test` only.
pytestmark = pytest.mark.tensorflow_only

SCRIPT = r'''
import json, os, sys, tempfile
import keras
import numpy as np
import keras_colorize as kc
from keras_colorize import saving

assert keras.backend.backend() == "torch", keras.backend.backend()
samples = os.path.join(os.path.dirname(kc.__file__), "samples")
model = kc.models.unet(input_size=16, depth=2, base_filters=4)
lightness = np.random.default_rng(0).random((2, 16, 16, 1), dtype=np.float32)
ab = model.predict(lightness, verbose=0)
photo = np.round(kc.data.read_image(os.path.join(samples, "chelsea.jpg"))[::8, ::8] * 255).astype(np.uint8)
colorized = kc.colorize(photo, model=model, render_size=16)
train = kc.data.from_directory(samples, image_size=16, batch_size=2)
model.compile(optimizer="adam", loss="mae")
history = model.fit(train, epochs=1, verbose=0, shuffle=False)
path = os.path.join(tempfile.mkdtemp(), "unet.keras")
model.save(path)
reloaded = saving.load_model(path)
json.dump({
    "ab": list(ab.shape), "photo": list(photo.shape), "colorized": list(colorized.shape),
    "dtype": str(colorized.dtype), "steps": history.params["steps"], "loss": history.history["loss"][-1],
    "reload_error": float(np.abs(reloaded.predict(lightness, verbose=0) - model.predict(lightness, verbose=0)).max()),
}, sys.stdout)
'''


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed (not a dependency)")
def test_unet_builds_predicts_colorizes_and_fits_on_torch():
    env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ab"] == [2, 16, 16, 2]
    assert result["colorized"] == result["photo"] and result["dtype"] == "uint8"
    assert result["steps"] == 2 and 0.0 < result["loss"] < 1.0  # 4 bundled photos, batches of 2
    assert result["reload_error"] < 1e-5


def test_the_torch_smoke_script_is_valid_python():
    """Where torch is absent the smoke test skips; its script is still checked to be valid Python."""
    compile(SCRIPT, "<torch smoke script>", "exec")
