"""Exports a colorizer as `.keras`, a TensorFlow SavedModel that serves photos, or TFLite.

The SavedModel and the TFLite file hold two endpoints:

* `colorize` (also `serving_default`): uint8 images `(batch, H, W, C)` of any
  size, gray (C=1) or RGB (C=3; C=2 and C=4 are gray and RGB with an alpha
  channel, ignored) in, RGB uint8 `(batch, H, W, 3)` of the same size out.
  It does what `keras_colorize.colorize()` does, inside the graph: L from the
  full-resolution input, the model run on L resized (aspect kept, edge-padded)
  to the render size, ab cropped and resized back, clamped to [-128, 127],
  joined to the full-resolution L and converted to RGB.
* `predict_ab`: L/100 `(batch, S, S, 1)` at the render size S in, ab in Lab
  units `(batch, S, S, 2)` out: the model and the decoding of its output by
  `keras_colorize.prediction.decode_output` (ab/128 scaled back, the chroma
  of an RGB output, or the annealed mean of a classifier's bin
  probabilities), as `inference.predict_ab` does.

The graph's Lab math is `keras_colorize.color_tf`, the `tf` twin that the
input pipeline also runs; only this module, `color_tf` and
`keras_colorize.data` use `tf`.
"""

import os
import tempfile

import keras
import tensorflow as tf

from keras_colorize import color
from keras_colorize import color_tf
from keras_colorize import hints
from keras_colorize import saving
from keras_colorize._formats import EXPORT_FORMATS as FORMATS
from keras_colorize.outputs import atomic_path
from keras_colorize.prediction import decode_output
from keras_colorize.prediction import render_side

# Not "serve": the TFLite converter treats an endpoint of that name as the
# only one of a `model.export` artifact and drops the others.
SERVE_ENDPOINT = "colorize"
CORE_ENDPOINT = "predict_ab"


def export_model(model, path, *, format="keras", render_size=None, overwrite=False):
    """Writes `model` to `path` as `.keras`, a SavedModel folder or a `.tflite` file.

    Every format is written atomically (into a temporary path in the same
    folder, then renamed) and never replaces an existing path unless
    `overwrite=True`. A `.keras` file is reloaded with `safe_mode=True`
    before it is moved into place, so an exported file always loads safely.

    Args:
        model: a colorizer taking L/100 `(batch, S, S, 1)` (or L with hint
            channels, served without hints) and giving ab/128 (2 channels),
            RGB (3 channels) or ab-bin probabilities (676 or 261 channels),
            as `keras_colorize.colorize()` accepts.
        path: the file (`.keras`, `.tflite`) or folder (SavedModel) to write.
        format: `"keras"`, `"saved_model"` or `"tflite"`.
        render_size: side S of the square the model sees in the
            `colorize` endpoint, when the model's input size is not fixed:
            rounded up to a multiple of 32, None for
            `weights.DEFAULT_RENDER_SIZE`, as `colorize()` does
            (`prediction.render_side`).
        overwrite: replace an existing `path`.

    Returns:
        The absolute path written.

    Example:

    >>> model = keras_colorize.models.unet(input_size=None, depth=2, base_filters=4)  # doctest: +SKIP
    >>> export_model(model, "colorizer", format="saved_model", render_size=64)  # doctest: +SKIP
    >>> served = tf.saved_model.load("colorizer")  # doctest: +SKIP
    >>> served.colorize(tf.zeros((2, 300, 200, 1), tf.uint8)).shape  # doctest: +SKIP
    TensorShape([2, 300, 200, 3])
    """
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {list(FORMATS)}. Received: format={format!r}")
    saving.check_colorizer(model)
    if format == "keras":
        if not os.fspath(path).endswith(".keras"):
            raise ValueError(
                f"A `.keras` export needs a path ending in '.keras'. Received: path={path!r}"
            )
        with atomic_path(path, overwrite=overwrite, suffix=".keras") as staged:
            _save_keras(model, staged)
        return os.path.abspath(path)
    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            f"`format={format!r}` needs the TensorFlow backend (set KERAS_BACKEND=tensorflow "
            f"before importing keras). Received: backend={keras.backend.backend()!r}"
        )
    if format == "saved_model":
        with atomic_path(path, overwrite=overwrite, folder=True) as staged:
            export_saved_model(model, staged, render_size)
    else:
        with atomic_path(path, overwrite=overwrite) as staged:
            export_tflite(model, staged, render_size)
    return os.path.abspath(path)


def export_saved_model(model, path, render_size=None):
    """Writes a SavedModel with the `colorize` and `predict_ab` endpoints.

    Use `export_model(..., format="saved_model")` for an atomic write that
    never replaces an existing folder.

    Args:
        model: a colorizer (see `export_model`).
        path: the folder to create.
        render_size: as in `export_model`.

    Returns:
        `path`.

    Example:

    >>> export_saved_model(model, "colorizer")  # doctest: +SKIP
    >>> tf.saved_model.load("colorizer").colorize(photos_uint8)  # doctest: +SKIP
    """
    side = render_side(model, render_size)
    archive = keras.export.ExportArchive()
    archive.track(model)
    predict_ab = archive.add_endpoint(
        CORE_ENDPOINT,
        lambda l_scaled: decode_output(model(_model_inputs(model, l_scaled), training=False)) * color.AB_SCALE,
        input_signature=[tf.TensorSpec((None, side, side, 1), tf.float32)],
    )
    serve = tf.function(
        lambda images: _serve(images, predict_ab, side),
        input_signature=[tf.TensorSpec((None, None, None, None), tf.uint8)],
    )
    archive.add_endpoint(SERVE_ENDPOINT, serve)
    archive.add_endpoint("serving_default", serve)
    archive.write_out(path, verbose=False)
    return path


def export_tflite(model, path, render_size=None):
    """Writes a TFLite flatbuffer with the `colorize` and `predict_ab` signatures.

    Both use TFLite built-in ops only: any TFLite / LiteRT runtime runs them.

    Args:
        model: a colorizer (see `export_model`).
        path: the `.tflite` file to write.
        render_size: as in `export_model`.

    Returns:
        `path`.

    Example:

    >>> export_tflite(model, "colorizer.tflite")  # doctest: +SKIP
    >>> from ai_edge_litert.interpreter import Interpreter  # doctest: +SKIP
    >>> runner = Interpreter("colorizer.tflite").get_signature_runner("colorize")  # doctest: +SKIP
    >>> runner(images=photos_uint8)["output_0"].shape  # doctest: +SKIP
    """
    with tempfile.TemporaryDirectory() as folder:
        export_saved_model(model, folder, render_size)
        converter = tf.lite.TFLiteConverter.from_saved_model(
            folder, signature_keys=[SERVE_ENDPOINT, CORE_ENDPOINT]
        )
        flatbuffer = converter.convert()
    with open(path, "wb") as file:
        file.write(flatbuffer)
    return path


def _save_keras(model, path):
    model.save(path)
    saving.load_model(path)  # safe_mode=True: fails here, not at the user's


def _model_inputs(model, l_scaled):
    """L/100, with empty hint channels for a hint model (as `colorize()` without hints)."""
    if model.input_shape[-1] != hints.INPUT_CHANNELS:
        return l_scaled
    empty = keras.ops.zeros_like(l_scaled)
    return keras.ops.concatenate([l_scaled] + [empty] * hints.HINT_CHANNELS, axis=-1)


def _serve(images, predict_ab, side):
    """uint8 `(batch, H, W, C)` -> RGB uint8 `(batch, H, W, 3)`, in `tf` ops.

    Written with TFLite built-in ops only (no float64, no ResizeArea), so the
    same graph converts to TFLite without the TF Select ops.
    """
    channels = tf.shape(images)[-1]
    # C=1 or 2 (gray, gray+alpha): channel 0 three times; C=3 or 4: RGB.
    rgb = tf.gather(images, tf.range(3) * tf.cast(channels >= 3, tf.int32), axis=-1)
    lightness = color_tf.rgb_to_lab(rgb)[..., :1]
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    # The box of `inference.letterbox`: the long side scaled to `side`, centred.
    box_h = _scaled_length(height, side, tf.maximum(height, width))
    box_w = _scaled_length(width, side, tf.maximum(height, width))
    top, left = (side - box_h) // 2, (side - box_w) // 2
    rows = _letterbox_matrix(height, box_h, top, side)
    columns = _letterbox_matrix(width, box_w, left, side)
    small = tf.matmul(tf.matmul(rows, lightness[..., 0]), columns, transpose_b=True)
    ab = predict_ab(small[..., None] / color.L_SCALE)[:, top : top + box_h, left : left + box_w]
    ab = tf.image.resize(ab, tf.stack([height, width]), method="bilinear")
    ab = tf.clip_by_value(ab, -color.AB_SCALE, color.AB_SCALE - 1)
    lab = color_tf.fit_chroma_to_gamut(tf.concat([lightness, ab], axis=-1))
    return tf.cast(tf.round(color_tf.lab_to_rgb(lab) * 255.0), tf.uint8)


def _scaled_length(length, side, longest):
    """`max(1, round(length * side / longest))` in integers, halves to even as `round`."""
    quotient, remainder = length * side // longest, length * side % longest
    odd = tf.equal(quotient % 2, 1)
    up = (2 * remainder > longest) | ((2 * remainder == longest) & odd)
    return tf.maximum(1, quotient + tf.cast(up, tf.int32))


def _letterbox_matrix(size, box, offset, side):
    """`(side, size)` weights: area resampling of `size` pixels to `box`, edge-padded to `side`.

    Row i of the area part averages the source pixels under output pixel i,
    each weighted by its overlap (OpenCV's INTER_AREA when shrinking); the
    rows outside the box repeat the nearest edge row (edge padding).
    """
    step = tf.cast(size, tf.float32) / tf.cast(box, tf.float32)
    start = tf.cast(tf.range(box), tf.float32)[:, None] * step
    source = tf.cast(tf.range(size), tf.float32)[None, :]
    overlap = tf.minimum(start + step, source + 1.0) - tf.maximum(start, source)
    area = tf.maximum(overlap, 0.0) / step
    return tf.gather(area, tf.clip_by_value(tf.range(side) - offset, 0, box - 1))
