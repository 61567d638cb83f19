"""Loading colorizer files safely: `.keras` only, `safe_mode=True`, clear errors.

A model file from someone else is code as much as data: a `Lambda` layer (or
any Python lambda in a config) would run arbitrary code while loading. Keras'
`safe_mode=True` refuses those; this module says so in words, and turns every
other way a file can be wrong (missing, corrupt, not a model, not a
colorizer) into one `ValueError` that names the file.
"""

import io
import json
import os
import zipfile

import h5py
import keras
import numpy as np

from keras_colorize import layers  # noqa: F401 (registers the layers a model file names)
from keras_colorize import losses  # noqa: F401 (the losses a compiled model names)
from keras_colorize import metrics  # noqa: F401 (and the metrics)
from keras_colorize import models  # noqa: F401 (and ConditionalGAN)
from keras_colorize.hints import INPUT_CHANNELS as HINT_INPUT_CHANNELS
from keras_colorize.outputs import atomic_path
from keras_colorize.prediction import output_channels

# Output channels a colorizer may have: ab, RGB, or ab-bin probabilities
# (what each means: `keras_colorize.prediction`).
OUTPUT_CHANNELS = output_channels()
# Input channels: L alone, or L with user hints (keras_colorize.hints).
INPUT_CHANNELS = (1, HINT_INPUT_CHANNELS)
# How `save_model` may store the weights.
WEIGHTS_DTYPES = ("float32", "float16")
# The weights inside a `.keras` archive.
_WEIGHTS_FILE = "model.weights.h5"


def _unsafe_objects(config):
    """Names of the `Lambda` layers and Python lambdas in a model config."""
    found = []
    if isinstance(config, dict):
        if config.get("class_name") in ("Lambda", "__lambda__"):
            inner = config.get("config")
            name = inner.get("name") if isinstance(inner, dict) else None
            found.append(f"{config['class_name']} {name!r}" if name else config["class_name"])
        for value in config.values():
            found.extend(_unsafe_objects(value))
    elif isinstance(config, list):
        for value in config:
            found.extend(_unsafe_objects(value))
    return found


def _read_config(path):
    """The `config.json` of a `.keras` archive, or a ValueError saying why not."""
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise ValueError(
            f"Cannot load model file {path!r}: it is not a valid `.keras` "
            f"archive ({type(error).__name__}: {error}). Save models with "
            "`model.save('name.keras')`."
        ) from None


# Square sides the output size is probed at (a dynamic-size model may need a
# multiple of its total stride: the first side it runs at decides).
_PROBE_SIDES = (64, 256)


def _probe_output_size(model, in_shape):
    """Runs the model on zeros of a small size; returns (input hw, output hw) or a problem."""
    fixed = tuple(in_shape[1:3])
    sides = [fixed] if None not in fixed else [(s, s) for s in _PROBE_SIDES]
    first_error = None
    for hw in sides:
        probe = np.zeros((1,) + hw + (in_shape[-1],), "float32")
        try:
            output = model(probe, training=False)
        except Exception as error:  # a model that needs another size, or a broken one
            first_error = first_error or error
            continue
        out_shape = tuple(keras.ops.shape(keras.tree.flatten(output)[0]))
        return hw, out_shape[1:3], None
    message = str(first_error).strip().splitlines()[0] if str(first_error).strip() else ""
    return None, None, (
        f"no output on a zero input of size {sides[0]} or any probed size "
        f"({type(first_error).__name__}: {message})"
    )


def size_problem(input_hw, output_hw):
    """Why an output of height and width `output_hw` for an input of `input_hw`
    is no colorizer's, or None when they are equal."""
    if tuple(output_hw) == tuple(input_hw):
        return None
    return (
        f"an output of size {tuple(output_hw)} for an input of size {tuple(input_hw)}; "
        "the output must have the input's height and width (a stride or "
        "'valid' padding that shrinks it would misplace the colors)"
    )


def check_colorizer(model, source="model"):
    """Raises a `ValueError` unless `model` maps L (B, H, W, 1) to ab, RGB or ab bins.

    Checks the channel counts of the input and output, then runs the model
    once on zeros of a small size (its own fixed size, or 64², else 256²)
    and checks that the output has the input's height and width:
    `colorize()` lays the predicted chroma over the photo pixel for pixel,
    so a model that shrinks or crops (a stride-2 layer, valid padding)
    would misplace every color.

    Args:
        model: a `keras.Model`.
        source: what to call it in the message (e.g. its file name).

    Example:

    >>> check_colorizer(keras_colorize.models.unet(64, depth=2))  # doctest: +SKIP
    """
    inputs, outputs = model.inputs, model.outputs
    problem = None
    if len(inputs) != 1 or len(outputs) != 1:
        problem = f"{len(inputs)} input(s) and {len(outputs)} output(s), expected 1 and 1"
    else:
        in_shape, out_shape = tuple(inputs[0].shape), tuple(outputs[0].shape)
        if len(in_shape) != 4 or in_shape[-1] not in INPUT_CHANNELS:
            problem = f"input shape {in_shape}, expected (batch, height, width, 1) for L/100"
        elif len(out_shape) != 4 or out_shape[-1] not in OUTPUT_CHANNELS:
            problem = (
                f"output shape {out_shape}, expected (batch, height, width, C) with C "
                f"in {OUTPUT_CHANNELS} (ab, RGB or ab-bin probabilities)"
            )
        elif in_shape[1:3] != out_shape[1:3]:
            problem = f"input {in_shape} and output {out_shape} of different sizes"
        else:
            probe_hw, out_hw, problem = _probe_output_size(model, in_shape)
            if problem is None:
                problem = size_problem(probe_hw, out_hw)
    if problem:
        raise ValueError(f"{source} is not a colorizer: it has {problem}.")


def load_model(path):
    """Loads a colorizer from a `.keras` file with `safe_mode=True`.

    Args:
        path: a `.keras` file saved by `model.save`.

    Returns:
        The `keras.Model`, checked to take L (one channel, or L with hints)
        and to give ab (2 channels), RGB (3) or ab-bin probabilities.

    Raises:
        ValueError: naming the file, if it is missing, is not a `.keras`
            archive, contains a `Lambda` layer or a Python lambda (refused
            by safe mode: loading it would run code stored in the file),
            cannot be deserialized, or is not a colorizer.

    Example:

    >>> model = load_model("my_colorizer.keras")  # doctest: +SKIP
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(
            f"Cannot load model file {path!r}: it is a folder (a SavedModel?); "
            "expected a `.keras` file."
        )
    if not os.path.isfile(path):
        raise ValueError(f"Cannot load model file {path!r}: no such file.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"Cannot load model file {path!r}: only `.keras` files are accepted "
            "(they load with `safe_mode=True`; legacy `.h5` files can carry code)."
        )
    unsafe = _unsafe_objects(_read_config(path))
    if unsafe:
        raise ValueError(
            f"Refused to load model file {path!r}: it contains {', '.join(unsafe)}. "
            "A `Lambda` layer stores Python code that would run on loading, so "
            "keras_colorize loads models with Keras' `safe_mode=True`, which refuses "
            "it. If you wrote this file and trust it, load it yourself with "
            "`keras.saving.load_model(path, safe_mode=False)` and pass the model "
            "object; better, rebuild it without `Lambda` (keras_colorize's own "
            "layers are all registered and need no unsafe loading)."
        )
    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many types for broken files.
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ValueError(
            f"Cannot load model file {path!r}: {type(error).__name__}: {message}"
        ) from None
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"Cannot load model file {path!r}: it holds a {type(model).__name__}, not a keras.Model."
        )
    check_colorizer(model, f"Model file {path!r}")
    return model


def save_model(model, path, weights_dtype="float32"):
    """Saves a `.keras` file atomically, its float32 weights optionally stored as float16.

    The file is written beside `path` and renamed onto it (a reader never
    sees half a file). With `weights_dtype="float16"` each float32 weight is
    stored rounded to float16: the file is half the size, and
    `keras.saving.load_model(path, safe_mode=True)` (or `load_model`) loads
    it into the model's float32 variables on any backend, each weight then
    exactly its float16 rounding. The model computes in float32 as before;
    only the stored precision changes (the shipped default is stored so).

    Args:
        model: the `keras.Model` to save.
        path: the `.keras` file to write (replaced if it exists).
        weights_dtype: `"float32"` (Keras' own storage) or `"float16"`.

    Returns:
        `path`.

    Raises:
        ValueError: quoting the value, for another `weights_dtype`, a path
            not ending in `.keras`, or a weight too large for float16
            (|w| > 65504, its value quoted).

    Example:

    >>> save_model(model, "colorizer.keras", weights_dtype="float16")  # doctest: +SKIP
    """
    if weights_dtype not in WEIGHTS_DTYPES:
        raise ValueError(f"`weights_dtype` must be one of {WEIGHTS_DTYPES}. Received: weights_dtype={weights_dtype!r}")
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"`path` must end in `.keras`. Received: path={path!r}")
    with atomic_path(path, overwrite=True, suffix=".keras") as temporary:
        model.save(temporary)
        if weights_dtype == "float16":
            _store_weights_as_float16(temporary)
    return path


def _store_weights_as_float16(path):
    """Rewrites the float32 datasets of a `.keras` archive's weights file as float16, in place."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, content in entries:
            if info.filename == _WEIGHTS_FILE:
                content = _float16_weights(content)
            archive.writestr(info, content)


def _float16_weights(content):
    """An HDF5 weights file (bytes) with its float32 datasets as float16, rebuilt so no space is left behind."""
    source_buffer, target_buffer = io.BytesIO(content), io.BytesIO()
    with h5py.File(source_buffer, "r") as source, h5py.File(target_buffer, "w") as target:
        _copy_as_float16(source, target)
    return target_buffer.getvalue()


def _copy_as_float16(source, target):
    target.attrs.update(source.attrs)
    for key, item in source.items():
        if isinstance(item, h5py.Group):
            _copy_as_float16(item, target.create_group(key))
            continue
        value = item[()]
        if isinstance(value, np.ndarray) and value.dtype == np.float32:
            too_large = np.isfinite(value) & (np.abs(value) > np.finfo(np.float16).max)
            if too_large.any():
                raise ValueError(
                    f"The weight stored as {item.name!r} holds {float(value[too_large].flat[0])}, beyond "
                    "float16's range (65504): save it with weights_dtype='float32'."
                )
            value = value.astype(np.float16)
        target.create_dataset(key, data=value).attrs.update(item.attrs)
