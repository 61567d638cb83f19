"""`keras-colorize colorize` killed with SIGKILL at a random point, then rerun."""

import hashlib
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from keras_colorize import models

pytestmark = pytest.mark.tensorflow_only

N_PHOTOS = 200


def command():
    """The installed console script, or the module when it is not installed."""
    script = os.path.join(os.path.dirname(sys.executable), "keras-colorize")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "keras_colorize.cli"]


def outputs(folder):
    """Visible output files (relative paths) and the hidden temporaries."""
    visible, hidden = set(), set()
    for root, _, names in os.walk(folder):
        for name in names:
            (hidden if name.startswith(".") else visible).add(os.path.relpath(os.path.join(root, name), folder))
    return visible, hidden


def complete_png(path):
    """The decoded image; raises for a truncated or corrupt file."""
    with Image.open(path) as image:
        image.load()
        return np.asarray(image)


def test_sigkill_at_a_random_point_then_rerun(tmp_path):
    source, out = tmp_path / "photos", tmp_path / "out"
    rng = np.random.default_rng(0)
    expected = set()
    for i in range(N_PHOTOS):
        sub = f"roll{i % 3}"
        (source / sub).mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype="uint8")).save(source / sub / f"{i:03d}.jpg")
        expected.add(os.path.join(sub, f"{i:03d}_color.png"))
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in source.rglob("*.jpg")}
    model = tmp_path / "tiny.keras"
    models.unet(input_size=None, depth=2, base_filters=4).save(model)
    argv = command() + ["colorize", str(source), "-o", str(out), "--model", str(model),
                        "--render-size", "32", "--batch-size", "4"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")

    kill_at = random.Random(os.getpid()).randint(10, N_PHOTOS - 20)  # a different point each run
    with open(tmp_path / "first.log", "wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        checked = set()
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            visible, _ = outputs(out)
            for name in visible - checked:  # every file that appears is already complete
                assert complete_png(out / name).shape == (24, 32, 3), name
            checked |= visible
            if len(visible) >= kill_at:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        process.wait()
    log_text = (tmp_path / "first.log").read_text(errors="replace")
    assert process.returncode == -signal.SIGKILL, f"the run ended before the kill:\n{log_text[-2000:]}"

    done, hidden = outputs(out)
    assert kill_at <= len(done) < N_PHOTOS and done <= expected
    assert all(name.endswith(".part") for name in hidden)  # at most the temporaries of the batch being written
    for name in done - checked:
        assert complete_png(out / name).shape == (24, 32, 3), name
    stamps = {name: os.stat(out / name).st_mtime_ns for name in done}

    rerun = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{N_PHOTOS - len(done)} photo(s) colorized into {out}, {len(done)} already done" in rerun.stderr
    final, hidden = outputs(out)
    assert final == expected and not hidden  # each photo exactly once, no temporaries left
    for name in final:
        assert complete_png(out / name).shape == (24, 32, 3), name
    assert {name: os.stat(out / name).st_mtime_ns for name in done} == stamps  # nothing redone
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in source.rglob("*.jpg")} == hashes
