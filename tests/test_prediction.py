"""The output contract: what a 2-, 3- or Q-channel output means, decoded by `decode_output`."""

import keras
import numpy as np
import pytest
import skimage.color

import keras_colorize
from keras_colorize import bins
from keras_colorize import prediction


def test_channel_counts_and_kinds():
    assert prediction.output_channels() == (2, 3, 676, 261)
    assert [prediction.output_kind(c) for c in prediction.output_channels()] == ["ab", "rgb", "square", "gamut"]
    with pytest.raises(ValueError, match="Received: 5"):
        prediction.output_kind(5)


def test_decode_each_kind():
    rng = np.random.default_rng(0)
    ab = rng.uniform(-1, 1, (2, 4, 4, 2)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(prediction.decode_output(ab, vividness=1.5)), ab * 1.5)

    rgb = rng.random((2, 4, 4, 3), dtype=np.float32)
    decoded = keras.ops.convert_to_numpy(prediction.decode_output(rgb)) * 128
    np.testing.assert_allclose(decoded, skimage.color.rgb2lab(rgb)[..., 1:], atol=1e-3)

    probs = rng.dirichlet(np.ones(261), (2, 3)).astype("float32")
    decoded = keras.ops.convert_to_numpy(prediction.decode_output(probs, temperature=0.5, vividness=2.0))
    expected = keras.ops.convert_to_numpy(bins.decode_ab(probs, "gamut", temperature=0.25))
    np.testing.assert_allclose(decoded, expected, atol=1e-6)


def test_decode_refuses_a_bad_vividness():
    with pytest.raises(ValueError, match="vividness=0"):
        prediction.decode_output(np.zeros((1, 2), "float32"), vividness=0)


def test_render_side_is_the_fixed_size_or_the_wish_rounded_up_to_32():
    from keras_colorize.weights import DEFAULT_RENDER_SIZE

    dynamic = keras_colorize.models.unet(input_size=None, depth=2, base_filters=4)
    fixed = keras_colorize.models.unet(input_size=48, depth=2, base_filters=4)
    assert prediction.render_side(fixed, 200) == 48
    assert prediction.render_side(dynamic, 200) == 224
    assert prediction.render_side(dynamic, 64) == 64
    assert prediction.render_side(dynamic) == -(-DEFAULT_RENDER_SIZE // 32) * 32
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match=f"render_size={bad!r}"):
            prediction.render_side(dynamic, bad)
