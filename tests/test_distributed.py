"""Distributed search (KerasTuner chief + 2 workers) and data-parallel training on 2 CPU devices."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.tensorflow_only  # each test starts its own processes and backends

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# One training step of the same model on 1 and on 2 replicas; weights to an .npz.
ONE_STEP = """
import os, sys
import numpy as np
backend = os.environ["KERAS_BACKEND"]
if backend == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from keras_colorize import losses, models, training
from keras_colorize.data import dataset  # tf.data, on both backends
import tensorflow as tf

rng = np.random.default_rng(0)
x = rng.uniform(size=(8, 16, 16, 1)).astype("float32")
y = rng.uniform(-0.5, 0.5, size=(8, 16, 16, 2)).astype("float32")

def build():
    keras.utils.set_random_seed(0)
    model = models.shallow(input_size=16, filters=4)  # no BatchNorm: replicas see the same maths
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=losses.MixedL1L2(alpha=1.0))
    return model

def two_replicas():
    if backend == "tensorflow":
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert strategy.num_replicas_in_sync == 2
        return strategy
    import jax
    assert len(jax.devices()) == 2
    return keras.distribution.DataParallel(devices=jax.devices())

weights = {}
for name, distribution in (("one", None), ("two", two_replicas())):
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)  # one global batch of 8
    history = training.fit_colorizer(build, data, epochs=1, distribution=distribution, verbose=0)
    for i, w in enumerate(history.model.get_weights()):
        weights[f"{name}_{i}"] = w
np.savez(sys.argv[1], **weights)
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_one_step_on_two_replicas_matches_one(backend, tmp_path):
    script = tmp_path / "step.py"
    script.write_text(textwrap.dedent(ONE_STEP))
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": ROOT,
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "w.npz")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    weights = np.load(tmp_path / "w.npz")
    count = len(weights.files) // 2
    assert count > 0
    moved = 0.0
    for i in range(count):
        np.testing.assert_allclose(weights[f"two_{i}"], weights[f"one_{i}"], rtol=1e-5, atol=1e-6)
        moved = max(moved, float(np.abs(weights[f"one_{i}"]).max()))
    assert moved > 0


# A chief (the oracle) and workers that record the trials they ran.
TUNE = """
import json, os, sys
from keras_colorize import tuning

run_trial = tuning.CrossValidatedTuner.run_trial
def recording_run_trial(self, trial, *args, **kwargs):
    result = run_trial(self, trial, *args, **kwargs)
    with open(os.path.join(sys.argv[1], os.environ["KERASTUNER_TUNER_ID"] + ".txt"), "a") as handle:
        handle.write(trial.trial_id + "\\n")
    return result
tuning.CrossValidatedTuner.run_trial = recording_run_trial
from keras_colorize.cli import run_search
run_search(sys.argv[2:], family="unet")
"""


def free_port():
    with socket.socket() as handle:
        handle.bind(("127.0.0.1", 0))
        return handle.getsockname()[1]


# Three processes and eight tiny trainings: about a minute on 2 CPU cores.
def test_distributed_search_chief_and_two_workers(tmp_path, photos):
    photo_dir = tmp_path / "photos"
    photo_dir.mkdir()
    for name, image in photos.items():
        Image.fromarray(image[::8, ::8]).save(photo_dir / f"{name}.jpg")
    script = tmp_path / "tune.py"
    script.write_text(textwrap.dedent(TUNE))
    max_trials = 4
    argv = [
        str(tmp_path), "--data", str(photo_dir), "--directory", str(tmp_path / "runs"), "--project-name", "dist",
        "--folds", "2", "--epochs", "1", "--image-size", "16", "--steps-per-epoch", "1", "--no-jit",
        "--max-trials", str(max_trials), "--model-kwargs", json.dumps({"depth": 1, "base_filters": 4}),
    ]
    base = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": ROOT, "KERASTUNER_ORACLE_IP": "127.0.0.1",
            "KERASTUNER_ORACLE_PORT": str(free_port())}
    processes = {}
    for tuner_id in ("chief", "worker0", "worker1"):
        with open(tmp_path / f"{tuner_id}.err", "w") as stderr:
            processes[tuner_id] = subprocess.Popen(
                [sys.executable, str(script), *argv], env={**base, "KERASTUNER_TUNER_ID": tuner_id},
                stdout=subprocess.DEVNULL, stderr=stderr,
            )
    for tuner_id, process in processes.items():
        try:
            process.wait(timeout=400)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, (tmp_path / f"{tuner_id}.err").read_text()[-3000:]
    ran = {w: (tmp_path / f"{w}.txt").read_text().split() for w in ("worker0", "worker1")
           if (tmp_path / f"{w}.txt").exists()}
    assert not (tmp_path / "chief.txt").exists()  # the chief only serves the oracle
    all_ran = [t for trials in ran.values() for t in trials]
    assert len(all_ran) == len(set(all_ran)) == max_trials  # shared: each trial run once
    assert set(ran) == {"worker0", "worker1"}, ran  # both workers took trials
    from tests.test_tuning import trial_statuses

    statuses, _ = trial_statuses(tmp_path / "runs", "dist")
    assert set(statuses) == set(all_ran)
    assert set(statuses.values()) == {"COMPLETED"}
    assert (tmp_path / "runs" / "dist" / "best_hyperparameters.json").exists()
