"""The tf twin of the Lab math (`color_tf`) agrees with the keras.ops one and with skimage."""

import keras
import numpy as np
import pytest
import skimage.color
import tensorflow as tf

from keras_colorize import color
from keras_colorize import color_tf


@pytest.mark.parametrize("variant", ["cie", "report000"])
def test_tf_twin_equals_keras_ops(variant, photos):
    rgb = np.stack([photos["astronaut"][:48, :48], photos["chelsea"][:48, :48]]).astype("float32") / 255
    ours = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb, variant))
    twin = color_tf.rgb_to_lab(tf.constant(rgb), variant).numpy()
    # Two float32 evaluations of one formula, each within 2e-4 of float64
    # (b = 200·(fy − fz) magnifies a few float32 ulps of f): they can differ
    # by that much across backends (XLA contracts multiply-adds differently).
    np.testing.assert_allclose(twin, ours, atol=4e-4)
    back = color_tf.lab_to_rgb(tf.constant(twin), variant).numpy()
    np.testing.assert_allclose(
        back, keras.ops.convert_to_numpy(color.lab_to_rgb(ours, variant)), atol=1e-5
    )


def test_tf_twin_float64_and_uint8(photos):
    rgb = photos["rocket"][:40, :40]
    lab64 = color_tf.rgb_to_lab(tf.constant(rgb.astype("float64") / 255)).numpy()
    np.testing.assert_allclose(lab64, skimage.color.rgb2lab(rgb), atol=1e-3)
    lab8 = color_tf.rgb_to_lab(tf.constant(rgb)).numpy()
    np.testing.assert_allclose(lab8, lab64, atol=0.02)


def test_tf_twin_runs_inside_tf_data(photos):
    ds = tf.data.Dataset.from_tensor_slices(photos["coffee"][None, :16, :16]).map(color_tf.rgb_to_lab)
    lab = next(iter(ds)).numpy()
    np.testing.assert_allclose(lab, skimage.color.rgb2lab(photos["coffee"][:16, :16]), atol=0.02)


def test_fit_chroma_to_gamut_twins_agree():
    rng = np.random.default_rng(1)
    lab = np.stack([rng.uniform(0, 100, 4000), rng.uniform(-128, 127, 4000),
                    rng.uniform(-128, 127, 4000)], -1).astype("float32")
    ours = color_tf.fit_chroma_to_gamut(tf.constant(lab)).numpy()
    reference = color.fit_chroma_to_gamut(lab)
    np.testing.assert_array_equal(ours[:, 0], reference[:, 0])
    # The bisection finds the chroma factor to 2^-steps (10 steps): a colour on
    # the gamut boundary may land one step apart, as float32 rounding of the
    # matrix products (BLAS's summation order) decides, but no further.
    one_step = np.abs(lab[:, 1:]) * 2.0**-10
    assert np.all(np.abs(ours[:, 1:] - reference[:, 1:]) <= one_step + 1e-4)
    assert np.mean(np.abs(ours - reference) > 1e-3) < 0.01  # and that is rare


def test_former_home_and_namespace():
    from keras_colorize.data import lab

    assert lab.rgb_to_lab is color_tf.rgb_to_lab and lab.fit_chroma_to_gamut is color_tf.fit_chroma_to_gamut
    assert set(color.OPS) <= set(vars(color_tf.TFOps)) and color_tf.TFOps.__module__ == "keras_colorize.color_tf"
