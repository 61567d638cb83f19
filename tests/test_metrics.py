"""Metrics against scikit-image and float64 NumPy references, on two backends."""

import warnings

import keras
import numpy as np
import pytest
import skimage.color
import skimage.metrics

from keras_colorize import evaluation
from keras_colorize import metrics
from tests.helpers import float64_context
from tests.helpers import run_model_saving_test
from tests.helpers import run_serialization_test

RTOL = 1e-5



def crops(photos, size=32, shift=0):
    out = []
    for image in photos.values():
        h, w = image.shape[:2]
        top, left = (h - size) // 2 + shift, (w - size) // 2 + shift
        out.append(image[top : top + size, left : left + size])
    return np.stack(out)


def scaled_lab(rgb):
    lab = skimage.color.rgb2lab(rgb)
    return np.concatenate([lab[..., :1] / 100.0, lab[..., 1:] / 128.0], -1)


def photo_pairs(photos, size=32):
    """(y_true scaled Lab, y_pred ab/128): ab taken from shifted crops."""
    y_true = scaled_lab(crops(photos, size))
    y_pred = scaled_lab(crops(photos, size, shift=5))[..., 1:]
    return y_true, y_pred


def random_pairs(seed=0, shape=(3, 12, 14)):
    rng = np.random.default_rng(seed)
    y_true = scaled_lab(rng.random(shape + (3,)))
    y_pred = rng.uniform(-0.5, 0.5, shape + (2,))
    return y_true, y_pred


def ref_rgb(y_true, y_pred):
    """Independent reconstruction with skimage.color.lab2rgb (float64)."""
    lightness = y_true[..., :1] * 100.0
    lab_true = np.concatenate([lightness, y_true[..., 1:] * 128.0], -1)
    lab_pred = np.concatenate([lightness, y_pred[..., -2:] * 128.0], -1)
    with warnings.catch_warnings():
        # lab2rgb warns when a color is out of gamut (it clips, as we do).
        warnings.simplefilter("ignore", UserWarning)
        return skimage.color.lab2rgb(lab_true), skimage.color.lab2rgb(lab_pred)


def ref_colorfulness(rgb255):
    r, g, b = rgb255[..., 0], rgb255[..., 1], rgb255[..., 2]
    rg = (r - g).reshape(len(rgb255), -1)
    yb = (0.5 * (r + g) - b).reshape(len(rgb255), -1)
    return np.sqrt(rg.std(-1) ** 2 + yb.std(-1) ** 2) + 0.3 * np.sqrt(
        rg.mean(-1) ** 2 + yb.mean(-1) ** 2
    )


def ref_per_image(name, t, p):
    """Per-image references on RGB [0, 1] float64 pairs."""
    n = len(t)
    if name == "psnr":
        mse = ((255 * t - 255 * p) ** 2).reshape(n, -1).mean(-1)
        return 10 * np.log10(255.0**2 / (mse + 1e-10))
    if name == "psnr_report004":
        mse = ((t - p) ** 2).reshape(n, -1).mean(-1)
        return 10 * np.log10(1.0 / mse)
    if name == "rmse":
        return np.sqrt(((255 * t - 255 * p) ** 2).reshape(n, -1).mean(-1))
    if name == "ssim":
        return np.array([
            skimage.metrics.structural_similarity(t[i], p[i], channel_axis=-1, data_range=1.0)
            for i in range(n)
        ])
    if name == "colorfulness":
        return ref_colorfulness(255 * p)
    if name == "colorfulness_gap":
        return np.abs(ref_colorfulness(255 * p) - ref_colorfulness(255 * t))
    if name == "delta_e2000":
        return np.array([
            skimage.color.deltaE_ciede2000(skimage.color.rgb2lab(t[i]), skimage.color.rgb2lab(p[i])).mean()
            for i in range(n)
        ])
    raise KeyError(name)


def make_metric(name, **kwargs):
    return {
        "psnr": lambda: metrics.PSNR(**kwargs),
        "psnr_report004": lambda: metrics.PSNR(max_val=1.0, epsilon=0.0, **kwargs),
        "rmse": lambda: metrics.RMSE(**kwargs),
        "ssim": lambda: metrics.SSIM(**kwargs),
        "colorfulness": lambda: metrics.Colorfulness(**kwargs),
        "colorfulness_gap": lambda: metrics.ColorfulnessGap(**kwargs),
        "delta_e2000": lambda: metrics.DeltaE2000(**kwargs),
    }[name]()


NAMES = ["colorfulness", "colorfulness_gap", "delta_e2000", "psnr", "psnr_report004", "rmse", "ssim"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("data", ["random", "photos"])
def test_metric_matches_reference_float64(name, data, photos):
    y_true, y_pred = random_pairs() if data == "random" else photo_pairs(photos)
    expected = ref_per_image(name, *ref_rgb(y_true, y_pred))
    weights = np.array([1.0, 2.0, 0.5, 1.0])[: len(y_true)]
    with float64_context():
        metric = make_metric(name, dtype="float64")
        metric.update_state(y_true[:2], y_pred[:2], sample_weight=weights[:2])
        metric.update_state(y_true[2:], y_pred[2:], sample_weight=weights[2:])
        result = float(metric.result())
    assert result == pytest.approx(np.sum(weights * expected) / weights.sum(), rel=RTOL)


@pytest.mark.parametrize("name", NAMES)
def test_metric_float32_and_skimage_tolerances(name, photos):
    y_true, y_pred = photo_pairs(photos)
    t, p = ref_rgb(y_true, y_pred)
    metric = make_metric(name)
    metric.update_state(y_true.astype("float32"), y_pred.astype("float32"))
    result = float(metric.result())
    expected = ref_per_image(name, t, p).mean()
    if name.startswith("psnr"):
        # skimage's PSNR on the same reconstructions, within 0.01 dB.
        data_range = 1.0 if name == "psnr_report004" else 255.0
        k = data_range
        sk = np.mean([
            skimage.metrics.peak_signal_noise_ratio(k * t[i], k * p[i], data_range=data_range)
            for i in range(len(t))
        ])
        assert abs(result - sk) < 0.01
    elif name == "ssim":
        assert abs(result - expected) < 1e-3
    else:
        assert result == pytest.approx(expected, rel=1e-4)


def test_psnr_is_scale_free_without_epsilon(photos):
    y_true, y_pred = photo_pairs(photos)
    a = metrics.PSNR(max_val=255.0, epsilon=0.0)
    b = metrics.PSNR(max_val=1.0, epsilon=0.0)
    a.update_state(y_true, y_pred)
    b.update_state(y_true, y_pred)
    assert float(a.result()) == pytest.approx(float(b.result()), rel=1e-5)
    # Identical images: finite thanks to report 000's epsilon.
    c = metrics.PSNR()
    c.update_state(y_true, y_true[..., 1:])
    assert np.isfinite(float(c.result())) and float(c.result()) > 100


def test_rgb_space_and_lightness_from_prediction(photos):
    y_true, y_pred = photo_pairs(photos)
    t, p = ref_rgb(y_true, y_pred)
    with float64_context():
        rgb = metrics.PSNR(space="rgb", dtype="float64")
        lab = metrics.PSNR(dtype="float64")
        from_pred = metrics.PSNR(dtype="float64")
        rgb.update_state(t, p)
        lab.update_state(y_true, y_pred)
        # A model that outputs scaled Lab: its L is replaced by the true L.
        y_pred_lab = np.concatenate([y_true[..., :1], y_pred], -1)
        from_pred.update_state(y_true[..., 1:], y_pred_lab)
        results = [float(m.result()) for m in (rgb, lab, from_pred)]
    assert results[0] == pytest.approx(results[1], rel=1e-6)
    assert results[2] == pytest.approx(results[1], rel=1e-9)
    with pytest.raises(ValueError, match="lightness"):
        metrics.PSNR().update_state(y_true[..., 1:], y_pred)
    with pytest.raises(ValueError, match="space"):
        metrics.PSNR(space="hsv")


def test_ciede2000_edge_cases():
    """Sharma et al. (2005) test pairs cover hue wrap-around and gray colors."""
    rng = np.random.default_rng(5)
    lab1 = np.stack([rng.uniform(0, 100, 400), rng.uniform(-100, 100, 400), rng.uniform(-100, 100, 400)], -1)
    lab2 = lab1 + rng.normal(scale=8.0, size=lab1.shape)
    # Gray colors, near-opposite hues, hue wrap at 0/360 degrees, hue 180.
    # (Not exactly opposite hues or h1 + h2 = 360 exactly: CIEDE2000 is
    # discontinuous there and the result depends on rounding.)
    special = np.array([
        [[50, 0, 0], [50, 0, 0]],
        [[50, 0, 0], [60, 10, -10]],
        [[50, 2.5, 0], [50, 0, -2.5]],
        [[50, 10, -0.1], [50, 10, 0.12]],
        [[50, 10, -0.12], [50, 10, 0.1]],
        [[50, 20, 20], [50, -20, -19]],
        [[70, -3, 1e-3], [70, -3, -1e-3]],
        [[50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485]],
    ], dtype="float64")
    lab1 = np.concatenate([lab1, special[:, 0]])
    lab2 = np.concatenate([lab2, special[:, 1]])
    expected = skimage.color.deltaE_ciede2000(lab1, lab2)
    with float64_context():
        actual = np.asarray(metrics.ciede2000(lab1, lab2))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=1e-9)
    # Sharma et al.'s first published pair.
    assert actual[-1] == pytest.approx(2.0425, abs=1e-4)


def test_colorfulness_gap_both_ways():
    y_true, y_pred = random_pairs(seed=6, shape=(4, 10, 10))
    t, p = ref_rgb(y_true, y_pred)
    cf_t, cf_p = ref_colorfulness(255 * t), ref_colorfulness(255 * p)
    with float64_context():
        per_image = metrics.ColorfulnessGap(dtype="float64")
        of_means = metrics.ColorfulnessGap(average="set", dtype="float64")
        for m in (per_image, of_means):
            m.update_state(y_true[:1], y_pred[:1])
            m.update_state(y_true[1:], y_pred[1:])
        gap = float(per_image.result())
        gap_of_means = float(of_means.result())
        per_image.reset_state()
        assert float(per_image.result()) == 0.0
    assert gap == pytest.approx(np.abs(cf_p - cf_t).mean(), rel=RTOL)
    assert gap_of_means == pytest.approx(abs(cf_p.mean() - cf_t.mean()), rel=RTOL)
    # The two averages differ: one image too colorful, one too dull.
    assert gap_of_means < gap


# --------------------------------------------------------------------------
# evaluation.evaluate_images (NumPy, 8-bit images), the twin of the metrics above.


def test_evaluate_images_matches_skimage(photos):
    truths = [photos["astronaut"][:40, :48], photos["coffee"][100:164, 50:90], photos["chelsea"][:20, :30]]
    rng = np.random.default_rng(8)
    preds = [
        np.clip(t.astype(int) + rng.integers(-30, 30, t.shape), 0, 255).astype("uint8")
        for t in truths
    ]
    preds[2] = truths[2][..., ::-1].copy()  # swapped channels
    result = evaluation.evaluate_images(preds, truths)
    psnr = [skimage.metrics.peak_signal_noise_ratio(t, p, data_range=255) for p, t in zip(preds, truths)]
    ssim = [skimage.metrics.structural_similarity(t, p, channel_axis=-1, data_range=255) for p, t in zip(preds, truths)]
    de = [
        skimage.color.deltaE_ciede2000(skimage.color.rgb2lab(t), skimage.color.rgb2lab(p)).mean()
        for p, t in zip(preds, truths)
    ]
    cf_p = np.array([ref_colorfulness(p[None].astype("float64"))[0] for p in preds])
    cf_t = np.array([ref_colorfulness(t[None].astype("float64"))[0] for t in truths])
    assert result["n"] == 3
    assert abs(result["psnr"] - np.mean(psnr)) < 0.01
    assert result["psnr"] == pytest.approx(np.mean(psnr), rel=1e-9)
    assert result["ssim"] == pytest.approx(np.mean(ssim), abs=1e-9)
    assert result["delta_e2000"] == pytest.approx(np.mean(de), rel=1e-7)
    assert result["colorfulness"] == pytest.approx(cf_p.mean(), rel=1e-9)
    assert result["colorfulness_true"] == pytest.approx(cf_t.mean(), rel=1e-9)
    assert result["colorfulness_gap"] == pytest.approx(np.abs(cf_p - cf_t).mean(), rel=1e-9)
    assert result["colorfulness_gap_of_means"] == pytest.approx(abs(cf_p.mean() - cf_t.mean()), rel=1e-9)
    for key in ("resolution", "resize", "averaging", "colorfulness", "ssim", "psnr"):
        assert key in result["protocol"]


def test_evaluate_images_errors():
    image = np.zeros((8, 8, 3), "uint8")
    with pytest.raises(ValueError, match="same size|shape"):
        evaluation.evaluate_images([image], [np.zeros((9, 8, 3), "uint8")])
    with pytest.raises(ValueError, match="uint8"):
        evaluation.evaluate_images([image.astype("float32")], [image])
    with pytest.raises(ValueError, match="equal length"):
        evaluation.evaluate_images([image], [])
    assert evaluation.evaluate_images([image], [image])["psnr"] == np.inf
    # Its former home still answers.
    assert metrics.evaluate_images is evaluation.evaluate_images and metrics.PROTOCOL is evaluation.PROTOCOL


# --------------------------------------------------------------------------
# Serialization, fit logs, saving.


def all_metrics():
    return [
        metrics.PSNR(max_val=1.0, epsilon=0.0),
        metrics.RMSE(max_val=1.0),
        metrics.SSIM(space="rgb"),
        metrics.Colorfulness(variant="rounded"),
        metrics.ColorfulnessGap(average="set"),
        metrics.DeltaE2000(),
    ]


@pytest.mark.parametrize("metric", all_metrics(), ids=lambda m: m.__class__.__name__)
def test_serialization(metric):
    run_serialization_test(metric)


def test_fit_logs_names_and_model_saves(photos, tmp_path):
    from keras_colorize import losses

    y = scaled_lab(crops(photos, 16)).astype("float32")  # L/100, ab/128
    x = y[..., :1]
    inputs = keras.Input((16, 16, 1))
    outputs = keras.layers.Conv2D(2, 3, padding="same", activation="tanh")(inputs)
    model = keras.Model(inputs, outputs)
    metric_list = [
        metrics.PSNR(), metrics.SSIM(), metrics.RMSE(), metrics.Colorfulness(),
        metrics.ColorfulnessGap(), metrics.DeltaE2000(),
    ]
    model.compile(optimizer="adam", loss=losses.Charbonnier(), metrics=metric_list)
    stop = keras.callbacks.EarlyStopping(monitor="val_psnr", patience=1)
    history = model.fit(
        x, y, validation_data=(x, y), epochs=2, batch_size=2, verbose=0,
        callbacks=[stop],
    )
    for name in ("psnr", "ssim", "rmse", "colorfulness", "colorfulness_gap", "delta_e2000"):
        assert name in history.history and "val_" + name in history.history
        assert np.all(np.isfinite(history.history["val_" + name]))
    # mode="auto" reads the metric's direction: PSNR is maximised.
    assert stop.monitor_op(2.0, 1.0)
    restored = run_model_saving_test(model, x, tmp_path)
    # The reloaded model is compiled with the same loss and metrics: it scores as the original does.
    assert isinstance(restored.loss, losses.Charbonnier)
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    scores = restored.evaluate(x, y, verbose=0, return_dict=True)
    names = {"psnr", "ssim", "rmse", "colorfulness", "colorfulness_gap", "delta_e2000"}
    assert set(scores) == set(expected) == names | {"loss"}
    for name, value in expected.items():
        assert np.isfinite(scores[name])
        np.testing.assert_allclose(scores[name], value, rtol=1e-5, err_msg=name)
    prediction = model.predict(x, verbose=0)
    np.testing.assert_allclose(scores["psnr"], float(np.mean(metrics.psnr(y, prediction))), rtol=1e-4)


@pytest.mark.parametrize("metric", all_metrics(), ids=lambda m: m.__class__.__name__)
def test_metric_directions(metric):
    expected = {"PSNR": "up", "SSIM": "up", "RMSE": "down", "ColorfulnessGap": "down",
                "DeltaE2000": "down", "Colorfulness": None}
    assert getattr(metric, "_direction", None) == expected[metric.__class__.__name__]


# --------------------------------------------------------------------------
# CIEDE2000 against its published test data and scikit-image.

# Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes, supplementary test
# data, and mathematical observations", Table 1: L1, a1, b1, L2, a2, b2 and ΔE00 to 4 decimals. The pairs probe
# hue wrap-around at 0°/360°, opposite hues, gray colors and the mean-hue branch that naive implementations get wrong.
SHARMA_2005 = np.array([
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
])


def test_ciede2000_matches_sharma_2005_and_skimage_delta_e_ciede2000():
    lab1, lab2, published = SHARMA_2005[:, :3], SHARMA_2005[:, 3:6], SHARMA_2005[:, 6]
    reference = skimage.color.deltaE_ciede2000(lab1, lab2)
    np.testing.assert_allclose(reference, published, atol=5e-5)  # the reference itself agrees with the table
    with float64_context():
        ours = np.asarray(metrics.ciede2000(lab1, lab2))
        swapped = np.asarray(metrics.ciede2000(lab2, lab1))
    np.testing.assert_allclose(ours, published, atol=5e-5)
    # keras.ops.arctan2/sin/cos return float32 on JAX even in x64 mode with
    # floatx float64 (Keras 3.15): ~1e-7 relative there, float64 on TF.
    rtol = 1e-6 if keras.backend.backend() == "jax" else 1e-9
    np.testing.assert_allclose(ours, reference, rtol=rtol, atol=1e-9)
    np.testing.assert_allclose(swapped, ours, rtol=rtol, atol=1e-9)  # symmetric, as the formula is
