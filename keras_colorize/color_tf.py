"""The `tf` twin of the Lab math: `keras_colorize.color`'s formulas on `tf` ops.

Two places need the Lab conversion as plain TensorFlow ops: the input
pipeline (`keras_colorize.data`), because a `keras.ops` call raises inside
`tf.data.Dataset.map` on the JAX and PyTorch backends, and the exported
graph (`keras_colorize.export`), whose SavedModel and TFLite endpoints are
`tf` graphs that convert with TFLite's built-in ops. Neither should import
the other, so the twin lives here, beside `color.py`, and not in `data/`
(importing `keras_colorize.data` builds the whole input pipeline) nor in
`export`. It is the only module outside those two that imports `tf`, and
only they import it: `keras_colorize.color` never loads TensorFlow.

`TFOps` is the ops namespace, like `color.KerasOps` and `color.NumpyOps`;
the functions below call the very formulas of `color` with it, so the twins
read one set of constants and one implementation and cannot drift apart.
"""

import tensorflow as tf

from keras_colorize import color

TFOps = color._namespace(
    "TFOps",
    "`color.OPS` from `tf`, for `tf.data` maps and exported graphs.",
    tf,
    owner=__name__,
    clip=tf.clip_by_value,
    concatenate=tf.concat,
    take=tf.gather,
)


def rgb_to_lab(images, variant="cie"):
    """`keras_colorize.color.rgb_to_lab` in `tf` ops (for `tf.data` and graphs).

    Args:
        images: sRGB images, channels last; float in [0, 1] or uint8/uint16.
        variant: `"cie"` or `"rounded"`.

    Returns:
        A float32 (float64 for float64 input) Lab tensor.

    Example:

    >>> ds = tf.data.Dataset.from_tensors(tf.ones((4, 4, 3)))
    >>> lab = next(iter(ds.map(rgb_to_lab)))
    >>> round(float(lab[0, 0, 0]), 2)
    100.0
    """
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
        images = tf.image.convert_image_dtype(images, tf.float32)
    return color._rgb_to_lab(TFOps, images, variant)


def lab_to_rgb(lab, variant="cie"):
    """`keras_colorize.color.lab_to_rgb` in `tf` ops (for `tf.data` and graphs).

    Args:
        lab: float Lab tensor, channels last.
        variant: `"cie"` or `"rounded"`.

    Returns:
        sRGB in [0, 1], out-of-gamut colors clipped.

    Example:

    >>> rgb = lab_to_rgb(tf.constant([[100.0, 0.0, 0.0]]))
    >>> [round(float(v), 3) for v in rgb[0]]
    [1.0, 1.0, 1.0]
    """
    return color._lab_to_rgb(TFOps, tf.convert_to_tensor(lab), variant)


def fit_chroma_to_gamut(lab, variant="cie", steps=10, tolerance=1e-3):
    """`keras_colorize.color.fit_chroma_to_gamut` in `tf` ops (for graphs and export).

    Args:
        lab: float Lab tensor, channels last.
        variant: `"cie"` or `"rounded"`.
        steps: bisection steps.
        tolerance: how far outside [0, 1] linear RGB may stay.

    Returns:
        Lab with the chroma of out-of-gamut colors reduced, L and hue kept.

    Example:

    >>> lab = fit_chroma_to_gamut(tf.constant([[2.0, 60.0, 0.0]]))
    >>> bool(lab[0, 1] < 10)
    True
    """
    lab = tf.convert_to_tensor(lab)
    return color._fit_chroma(TFOps, lab, variant, steps, tolerance)
