"""Lab color core against scikit-image, on two backends."""


import keras
import numpy as np
import pytest
import skimage.color

from keras_colorize import color
from tests.helpers import float64_context
from tests.helpers import gradient


def random_rgb(shape=(3, 17, 19, 3), seed=0):
    return np.random.default_rng(seed).random(shape)


def photo_batch(photos, size=64):
    """Real photos, centre crops of `size`², as float64 in [0, 1]."""
    crops = []
    for image in photos.values():
        h, w = image.shape[:2]
        crops.append(image[(h - size) // 2 : (h + size) // 2, (w - size) // 2 : (w + size) // 2])
    return np.stack(crops).astype("float64") / 255.0


def report000_reference(rgb):
    """Report 000, Figure 2, in float64 NumPy (sRGB gamma first)."""
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = np.array(
        [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
    )
    x, y, z = np.moveaxis(linear @ m.T, -1, 0)
    x, z = x / 0.950456, z / 1.088754
    f = lambda t: np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    lightness = np.where(y > 0.008856, 116 * np.cbrt(y) - 16, 903.3 * y)
    return np.stack([lightness, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))], -1)


@pytest.mark.parametrize("source", ["random", "photos"])
def test_rgb_to_lab_matches_skimage_float64(source, photos):
    rgb = random_rgb() if source == "random" else photo_batch(photos)
    with float64_context():
        lab = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb))
        assert lab.dtype == np.float64
    np.testing.assert_allclose(lab, skimage.color.rgb2lab(rgb), atol=1e-3, rtol=0)


@pytest.mark.parametrize("source", ["random", "photos"])
def test_rgb_to_lab_matches_skimage_float32(source, photos):
    rgb = random_rgb() if source == "random" else photo_batch(photos)
    lab = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb.astype("float32")))
    assert lab.dtype == np.float32
    # float32 rounding alone (a few ulps of f, times 500 in a) is about 2e-4.
    np.testing.assert_allclose(lab, skimage.color.rgb2lab(rgb), atol=5e-4, rtol=0)


def test_ranges_on_extreme_colors():
    corners = np.array(np.meshgrid([0.0, 1.0], [0.0, 1.0], [0.0, 1.0])).reshape(3, -1).T
    lab = keras.ops.convert_to_numpy(color.rgb_to_lab(corners.astype("float32")))
    assert lab[:, 0].min() == pytest.approx(0.0, abs=1e-3)
    assert lab[:, 0].max() == pytest.approx(100.0, abs=1e-3)
    assert -128 <= lab[:, 1:].min() < -100 and 90 < lab[:, 1:].max() <= 128


def test_integer_images_are_scaled(photos):
    image = photos["coffee"][:32, :32]
    from_uint8 = keras.ops.convert_to_numpy(color.rgb_to_lab(image))
    from_float = keras.ops.convert_to_numpy(color.rgb_to_lab(image.astype("float32") / 255))
    np.testing.assert_allclose(from_uint8, from_float, atol=1e-4)
    from_uint16 = keras.ops.convert_to_numpy(color.rgb_to_lab(image.astype("uint16") * 257))
    np.testing.assert_allclose(from_uint16, from_float, atol=1e-3)


def test_round_trip_float64(photos):
    rgb = np.concatenate([random_rgb().reshape(-1, 3), photo_batch(photos).reshape(-1, 3)])
    with float64_context():
        back = keras.ops.convert_to_numpy(color.lab_to_rgb(color.rgb_to_lab(rgb)))
    np.testing.assert_allclose(back, rgb, atol=1e-4, rtol=0)


def test_lab_to_rgb_matches_skimage_and_clips_out_of_gamut():
    rng = np.random.default_rng(1)
    lab = np.stack(
        [rng.uniform(0, 100, 2000), rng.uniform(-128, 127, 2000), rng.uniform(-128, 127, 2000)], -1
    )
    with float64_context():
        rgb = keras.ops.convert_to_numpy(color.lab_to_rgb(lab))
    assert rgb.min() >= 0.0 and rgb.max() <= 1.0
    # scikit-image clips negative Z before the matrix; compare where Z >= 0.
    fz = (lab[:, 0] + 16) / 116 - lab[:, 2] / 200
    valid = fz > 16 / 116
    with pytest.warns(UserWarning, match="negative Z"):
        reference = skimage.color.lab2rgb(lab)
    np.testing.assert_allclose(rgb[valid], reference[valid], atol=1e-3)


def test_gradients_are_finite_and_match_finite_differences_of_skimage():
    rng = np.random.default_rng(3)
    edges = np.array([[0.0, 0.04045, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.5, 0.003, 1.2]])
    rgb = np.concatenate([edges, rng.uniform(0.06, 0.95, (64, 3))])
    with float64_context():
        grads = [gradient(lambda x, i=i: color.rgb_to_lab(x)[..., i], rgb) for i in range(3)]
        lab = np.concatenate([skimage.color.rgb2lab(rgb[4:]), [[0.0, 90.0, -90.0], [50.0, 200.0, 0.0]]])
        back = gradient(lambda x: color.lab_to_rgb(x), lab)
    assert all(np.all(np.isfinite(g)) for g in grads) and np.all(np.isfinite(back))
    # Away from the branch points: d(sum over pixels of L, a or b) / d rgb by central differences.
    h, inner = 1e-6, rgb[4:]
    for i, g in enumerate(grads):
        numeric = np.stack([
            (skimage.color.rgb2lab(inner + h * e)[..., i] - skimage.color.rgb2lab(inner - h * e)[..., i]) / (2 * h)
            for e in np.eye(3)
        ], -1)
        np.testing.assert_allclose(g[4:], numeric, rtol=1e-4, atol=1e-3)


def test_rounded_variant_matches_report000_formula(photos):
    rgb = np.concatenate([random_rgb().reshape(-1, 3), photo_batch(photos).reshape(-1, 3)])
    with float64_context():
        lab = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb, variant="rounded"))
        back = keras.ops.convert_to_numpy(color.lab_to_rgb(lab, variant="rounded"))
        former = keras.ops.convert_to_numpy(color.rgb_to_lab(rgb, variant="report000"))
    np.testing.assert_allclose(lab, report000_reference(rgb), atol=1e-6)
    np.testing.assert_allclose(back, rgb, atol=1e-4)
    np.testing.assert_array_equal(former, lab)  # the former name is the same variant
    np.testing.assert_allclose(color.rgb_to_lab_numpy(rgb, "rounded"), lab, atol=1e-9)
    # The variants differ (white point), so the argument is not ignored.
    assert np.abs(lab - skimage.color.rgb2lab(rgb)).max() > 1e-3
    assert color.variant_name("report000") == "rounded" and color.check_variant("report000") is color.LAB_VARIANTS["rounded"]


def test_ops_namespaces_are_public():
    assert set(color.OPS) <= set(vars(color.NumpyOps)) and set(color.OPS) <= set(vars(color.KerasOps))
    rgb = random_rgb((5, 3))
    np.testing.assert_allclose(color.rgb_to_lab_numpy(rgb), skimage.color.rgb2lab(rgb), atol=1e-6)


def test_scaling_round_trip():
    lab = np.array([[[50.0, 64.0, -128.0]]], "float32")
    l_scaled, ab_scaled = color.scale_lab(lab)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(l_scaled), [[[0.5]]])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ab_scaled), [[[0.5, -1.0]]])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(color.unscale_lab(l_scaled, ab_scaled)), lab
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: color.rgb_to_lab(np.zeros((4, 4))), "3 channels"),
        (lambda: color.rgb_to_lab(np.zeros((4, 3)), variant="adobe"), "adobe"),
        (lambda: color.rgb_to_lab(np.zeros((4, 3), "int32")), "int32"),
    ],
)
def test_bad_arguments_raise_with_the_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _linear_srgb_reference(lab):
    """Unclipped linear sRGB from scikit-image's Lab -> XYZ and the sRGB matrix (float64)."""
    xyz = skimage.color.lab2xyz(lab.astype("float64"))
    matrix = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])
    return xyz @ matrix.T


def test_fit_chroma_to_gamut_keeps_lightness_and_hue():
    rng = np.random.default_rng(0)
    lab = np.stack([rng.uniform(0, 100, 5000), rng.uniform(-128, 127, 5000), rng.uniform(-128, 127, 5000)], -1)
    fitted = color.fit_chroma_to_gamut(lab, steps=12)
    linear = _linear_srgb_reference(fitted)
    assert linear.min() > -2e-3 and linear.max() < 1 + 2e-3
    np.testing.assert_array_equal(fitted[:, 0], lab[:, 0].astype("float32"))
    factor = np.hypot(fitted[:, 1], fitted[:, 2]) / np.hypot(lab[:, 1], lab[:, 2])
    np.testing.assert_allclose(fitted[:, 1:], lab[:, 1:] * factor[:, None], atol=1e-3)
    # Maximal: a slightly larger factor leaves the gamut (for the pixels that were scaled).
    scaled = factor < 0.99
    assert scaled.mean() > 0.5
    bigger = np.concatenate([lab[scaled, :1], lab[scaled, 1:] * (factor[scaled, None] + 2e-3)], -1)
    outside = _linear_srgb_reference(bigger)
    assert ((outside < -1e-3) | (outside > 1 + 1e-3)).any(-1).mean() > 0.95


def test_fit_chroma_to_gamut_leaves_in_gamut_colors(photos):
    lab = skimage.color.rgb2lab(photo_batch(photos, 16))
    np.testing.assert_array_equal(color.fit_chroma_to_gamut(lab), lab.astype("float32"))
