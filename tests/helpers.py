"""Helpers shared by the tests (serialization and .keras round trips, float64, gradients)."""

import contextlib
import os

import keras
import numpy as np
import pytest


def run_serialization_test(instance):
    """Config survives `from_config` and `serialize`/`deserialize` unchanged."""
    config = instance.get_config()
    restored = instance.__class__.from_config(config)
    assert restored.get_config() == config
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(instance)
    )
    assert isinstance(revived, instance.__class__)
    assert revived.get_config() == config
    return revived


def run_model_saving_test(model, inputs, tmp_path, atol=1e-6):
    """Saves `.keras`, reloads with `safe_mode=True`, compares outputs."""
    path = os.path.join(tmp_path, "model.keras")
    expected = model.predict(inputs, verbose=0)
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(restored, model.__class__)
    actual = restored.predict(inputs, verbose=0)
    for e, a in zip(keras.tree.flatten(expected), keras.tree.flatten(actual)):
        np.testing.assert_allclose(a, e, atol=atol)
    return restored


@contextlib.contextmanager
def float64_context():
    """float64 on JAX needs x64 mode, and floatx float64 (Keras casts the
    inputs of trigonometric ops to floatx there); TF has it by default."""
    if keras.backend.backend() != "jax":
        yield
        return
    import jax

    floatx = keras.config.floatx()
    policy = keras.config.dtype_policy()
    with jax.enable_x64(True):
        keras.config.set_floatx("float64")
        try:
            yield
        finally:
            keras.config.set_floatx(floatx)
            keras.config.set_dtype_policy(policy)


def gradient(fn, x):
    """d sum(fn(x)) / dx with the backend's own autodiff (tests only)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = tf.reduce_sum(fn(x))
        return tape.gradient(value, x).numpy()
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        return np.asarray(jax.grad(lambda v: jnp.sum(fn(v)))(jnp.asarray(x)))
    pytest.skip(f"no gradient check written for backend {backend}")


def run_unprivileged(args, **kwargs):
    """`subprocess.run(args)` where file permissions apply: as root, without
    its capabilities (`setpriv`), so a mode-000 file or folder is unreadable
    there; skips the test when that is not possible."""
    import shutil
    import subprocess

    command = [os.fspath(arg) for arg in args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv: file permissions cannot be tested")
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", *command]
    kwargs.setdefault("timeout", 600)
    return subprocess.run(command, capture_output=True, text=True, **kwargs)
