"""Color hints: patch painting vs loops, simulated hints, hint U-Nets, colorize(hints=...)."""

import keras
import numpy as np
import pytest
import skimage.color

from keras_colorize import colorize
from keras_colorize import hints
from keras_colorize import models
from tests.helpers import run_model_saving_test


def hint_copy_model():
    """A hint model whose ab output is its hint-ab input: colors only where hinted."""
    kernel = np.zeros((1, 1, 4, 2), "float32")
    kernel[0, 0, 1, 0] = kernel[0, 0, 2, 1] = 1.0
    inputs = keras.Input((None, None, 4), name="l_input")
    head = keras.layers.Conv2D(2, 1, name="head", kernel_initializer=keras.initializers.Constant(kernel))
    return keras.Model(inputs, head(inputs))


def reference_paint(ab, boxes):
    """Loops: each box (top, left, height, width) shows its mean ab; overlaps averaged."""
    h, w, _ = ab.shape
    total, count = np.zeros((h, w, 2)), np.zeros((h, w))
    for top, left, bh, bw in boxes:
        mean = ab[top : top + bh, left : left + bw].reshape(-1, 2).mean(0)
        total[top : top + bh, left : left + bw] += mean
        count[top : top + bh, left : left + bw] += 1
    painted = np.where(count[..., None] > 0, total / np.maximum(count, 1)[..., None], 0)
    return painted, (count > 0).astype(float)


@pytest.mark.parametrize("xp_name", ["numpy", "keras.ops"])
def test_paint_patches_matches_loops(xp_name):
    rng = np.random.default_rng(0)
    ab = rng.uniform(-1, 1, (12, 10, 2))
    boxes = [(0, 0, 3, 2), (2, 1, 4, 4), (9, 7, 3, 3), (5, 5, 1, 1)]
    rows = np.zeros((1, len(boxes), 12))
    cols = np.zeros((1, len(boxes), 10))
    for n, (top, left, bh, bw) in enumerate(boxes):
        rows[0, n, top : top + bh] = 1
        cols[0, n, left : left + bw] = 1
    xp = np if xp_name == "numpy" else keras.ops
    inputs = [x.astype("float32") for x in (ab[None], rows, cols)]
    painted, mask = (keras.ops.convert_to_numpy(t) for t in hints.paint_patches(xp, *inputs))
    expected_painted, expected_mask = reference_paint(ab, boxes)
    np.testing.assert_allclose(painted[0], expected_painted, atol=1e-6)
    np.testing.assert_array_equal(mask[0, ..., 0], expected_mask)


def test_random_hints_show_true_colors_at_k_places():
    ab = np.random.default_rng(1).uniform(-0.5, 0.5, (3, 32, 32, 2)).astype("float32")
    out = hints.random_hints(ab, 10, patch_size=1, seed=0)
    assert out.shape == (3, 32, 32, 3)
    mask = out[..., 2] > 0
    assert 1 <= mask.sum(axis=(1, 2)).min() and mask.sum(axis=(1, 2)).max() <= 10
    np.testing.assert_allclose(out[..., :2][mask], ab[mask], atol=1e-6)  # 1×1 patches show the pixel itself
    assert not out[..., :2][~mask].any()
    assert not hints.random_hints(ab, 0).any()
    np.testing.assert_array_equal(hints.random_hints(ab, 10, seed=5), hints.random_hints(ab, 10, seed=5))
    with pytest.raises(ValueError, match="patch_size=40"):
        hints.random_hints(ab, 1, patch_size=40)
    with pytest.raises(ValueError, match="num_points=-1"):
        hints.random_hints(ab, -1)


def test_user_hints_paint_the_color_ab():
    out = hints.user_hints([((4, 6), (200, 30, 90)), ((0, 0), (20, 90, 200))], (10, 12))
    expected = skimage.color.rgb2lab(np.array([[[200, 30, 90]]], "uint8"))[0, 0, 1:] / 128
    np.testing.assert_allclose(out[4, 6, :2], expected, atol=1e-3)
    assert out[..., 2].sum() == 9 + 4  # a 3×3 patch, and one cut by the corner
    assert not hints.user_hints([], (10, 12)).any()


@pytest.mark.parametrize("builder", [models.unet, models.unet_classifier])
def test_hint_unets_take_four_channels_and_keep_layer_names(builder, tmp_path):
    plain = builder(input_size=16, depth=2, base_filters=4)
    hinted = builder(input_size=16, depth=2, base_filters=4, hints=True)
    assert hinted.input_shape == (None, 16, 16, hints.INPUT_CHANNELS)
    assert [layer.name for layer in hinted.layers] == [layer.name for layer in plain.layers]
    run_model_saving_test(hinted, np.random.default_rng(0).random((2, 16, 16, 4), "float32"), tmp_path, atol=1e-5)
    with pytest.raises(ValueError, match="hints='yes'"):
        builder(input_size=16, depth=2, base_filters=4, hints="yes")


def test_colorize_puts_hints_at_full_resolution_pixels():
    gray = np.full((60, 90), 119, np.uint8)  # L ≈ 50, a wide photo: letterboxed vertically
    hint_rgb = (150, 100, 90)
    out = colorize(gray, model=hint_copy_model(), render_size=32, hints=[((80, 8), hint_rgb)])
    lab = skimage.color.rgb2lab(out)
    expected_ab = skimage.color.rgb2lab(np.array([[hint_rgb]], "uint8"))[0, 0, 1:]
    np.testing.assert_allclose(lab[8, 80, 1:], expected_ab, atol=2.0)
    assert np.abs(lab[50, 10, 1:]).max() < 1.0  # far from the hint: no color
    assert np.abs(lab[8, 20, 1:]).max() < 1.0  # same row, other side
    unhinted = skimage.color.rgb2lab(colorize(gray, model=hint_copy_model(), render_size=32))
    assert np.abs(unhinted[..., 1:]).max() < 1.0  # a hint model runs without hints


def test_colorize_hint_errors_quote_the_value():
    gray = np.full((20, 30), 100, np.uint8)
    with pytest.raises(ValueError, match=r"\(30, 5\)"):
        colorize(gray, model=hint_copy_model(), hints=[((30, 5), (1, 2, 3))])
    with pytest.raises(ValueError, match="300"):
        colorize(gray, model=hint_copy_model(), hints=[((3, 5), (1, 2, 300))])
    plain = models.unet(input_size=16, depth=1, base_filters=2)
    with pytest.raises(ValueError, match="hint model"):
        colorize(gray, model=plain, hints=[((3, 5), (1, 2, 3))])
    with pytest.raises(ValueError, match="2 images"):
        colorize([gray, gray], model=hint_copy_model(), hints=[((3, 5), (1, 2, 3))])


@pytest.mark.tensorflow_only
def test_simulated_hints_follow_a_geometric_count():
    import tensorflow as tf

    from keras_colorize.data.hints import simulate_hints

    levels = np.linspace(-0.5, 0.5, 400, dtype="float32")
    ab = np.broadcast_to(levels[:, None, None, None], (400, 32, 32, 2)).copy()  # one color per image
    out = simulate_hints(tf.constant(ab), max_patch=1, rng=tf.random.Generator.from_seed(0)).numpy()
    mask = out[..., 2]
    assert set(np.unique(mask)) <= {0.0, 1.0}
    np.testing.assert_allclose(out[..., 0][mask > 0], np.broadcast_to(levels[:, None, None], mask.shape)[mask > 0])
    counts = mask.sum(axis=(1, 2))  # 1×1 patches on 1024 pixels rarely overlap
    p = 0.125
    assert abs((counts == 0).mean() - p) < 0.05
    expected_mean = (1 - p) * (1 - (1 - p) ** 32) / p  # E[min(N, 32)], N ~ Geometric(p) from 0
    assert abs(counts.mean() / expected_mean - 1) < 0.12


@pytest.mark.tensorflow_only
def test_with_hints_adds_three_channels_to_batches():
    import tensorflow as tf

    from keras_colorize.data import with_hints

    lightness = np.random.default_rng(0).random((4, 16, 16, 1), "float32")
    ab = np.random.default_rng(1).uniform(-0.5, 0.5, (4, 16, 16, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensors((lightness, ab))
    ds.skipped = [("bad.jpg", "truncated")]
    hinted = with_hints(ds, seed=3)
    assert hinted.skipped == ds.skipped
    (x, y), = list(hinted)
    assert x.shape == (4, 16, 16, 4)
    np.testing.assert_array_equal(x[..., :1], lightness)
    np.testing.assert_array_equal(y, ab)
    np.testing.assert_array_equal(list(with_hints(ds, seed=3))[0][0], x)  # a seed repeats the draw
    with pytest.raises(ValueError, match="p=0"):
        with_hints(ds, p=0)
    with pytest.raises(ValueError, match="max_patch=0"):
        with_hints(ds, max_patch=0)


@pytest.mark.tensorflow_only
def test_cli_hint_option(tmp_path, capsys):
    from PIL import Image

    from keras_colorize import cli

    hint_copy_model().save(tmp_path / "hints.keras")
    Image.fromarray(np.full((60, 90), 119, np.uint8)).save(tmp_path / "gray.png")
    common = ["-o", str(tmp_path / "out"), "--model", str(tmp_path / "hints.keras"), "--render-size", "32"]
    assert cli.main(["colorize", str(tmp_path / "gray.png"), "--hint", "80,8,#966459"] + common) == 0
    lab = skimage.color.rgb2lab(np.asarray(Image.open(tmp_path / "out" / "gray_color.png")))
    expected_ab = skimage.color.rgb2lab(np.array([[[0x96, 0x64, 0x59]]], "uint8"))[0, 0, 1:]
    np.testing.assert_allclose(lab[8, 80, 1:], expected_ab, atol=2.0)
    Image.fromarray(np.full((30, 20), 50, np.uint8)).save(tmp_path / "other.png")
    two = [str(tmp_path / "gray.png"), str(tmp_path / "other.png")]
    assert cli.main(["colorize", *two, "--hint", "1,1,#000000"] + common) == 2  # hints are for one photo
    assert "single photo; 2 given" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["colorize", str(tmp_path / "gray.png"), "--hint", "80,8,red"] + common)
    assert "X,Y,#RRGGBB" in capsys.readouterr().err
