"""The `tf` twin of the Lab math, for use inside `tf.data.Dataset.map`.

A `keras.ops` function or layer raises inside `tf.data` on the JAX and PyTorch
backends (the pipeline runs as a TensorFlow graph), so the pipeline runs the
same formulas of `keras_colorize.color` with `tf` ops instead: both twins read
one set of constants and one implementation.
"""

import tensorflow as tf

from keras_colorize import color


class _TFOps:
    """The few ops the formulas of `keras_colorize.color` need, from `tf`."""

    sqrt = staticmethod(tf.sqrt)
    maximum = staticmethod(tf.maximum)
    where = staticmethod(tf.where)
    clip = staticmethod(tf.clip_by_value)
    concatenate = staticmethod(tf.concat)


def rgb_to_lab(images, variant="cie"):
    """`keras_colorize.color.rgb_to_lab` in `tf` ops (for `tf.data`).

    Args:
        images: sRGB images, channels last; float in [0, 1] or uint8/uint16.
        variant: `"cie"` or `"report000"`.

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
    return color._rgb_to_lab(_TFOps, images, variant)


def lab_to_rgb(lab, variant="cie"):
    """`keras_colorize.color.lab_to_rgb` in `tf` ops (for `tf.data`).

    Args:
        lab: float Lab tensor, channels last.
        variant: `"cie"` or `"report000"`.

    Returns:
        sRGB in [0, 1], out-of-gamut colors clipped.

    Example:

    >>> rgb = lab_to_rgb(tf.constant([[100.0, 0.0, 0.0]]))
    >>> [round(float(v), 3) for v in rgb[0]]
    [1.0, 1.0, 1.0]
    """
    return color._lab_to_rgb(_TFOps, tf.convert_to_tensor(lab), variant)


def fit_chroma_to_gamut(lab, variant="cie", steps=10, tolerance=1e-3):
    """`keras_colorize.color.fit_chroma_to_gamut` in `tf` ops (for graphs and export).

    Args:
        lab: float Lab tensor, channels last.
        variant: `"cie"` or `"report000"`.
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
    return color._fit_chroma(_TFOps, lab, variant, steps, tolerance)
