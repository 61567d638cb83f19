"""Offline evaluation of finished 8-bit photos: the numbers a report quotes (NumPy only).

`evaluate_images(preds, truths)` scores colorized uint8 images against their
originals at their own sizes with the formulas of `keras_colorize.metrics`
(written once against an array namespace; here it is `numpy`, in float64), and
returns, beside the scores, `PROTOCOL`: how each number was computed. The
in-graph `keras.metrics` of `metrics` are its twins for `fit` logs.
"""

import numpy as np

from keras_colorize import color
from keras_colorize import metrics

PROTOCOL = {
    "images": "8-bit sRGB (uint8), MAX 255",
    "resolution": "native: each pair at its own size; prediction and truth "
                  "of a pair must have the same size",
    "resize": "none (no resize, no crop, no border removal)",
    "averaging": "each metric per image, then the mean over the n images",
    "psnr": "10*log10(255^2 / MSE), MSE over all pixels and the 3 channels "
            "(MAX 255, no epsilon: identical images give inf)",
    "rmse": "sqrt(MSE) per image on 0..255",
    "ssim": "Wang et al. 2004; 7x7 uniform window, sample covariance, "
            "K1=0.01, K2=0.03, data_range=255, mean over valid windows and "
            "the 3 channels (skimage structural_similarity defaults, "
            "channel_axis=-1)",
    "colorfulness": "Hasler & Süsstrunk 2003 M3 on 0..255 sRGB, "
                    "population std: sqrt(s_rg^2+s_yb^2)+0.3*sqrt(m_rg^2+m_yb^2), "
                    "of the predictions (colorfulness_true: of the truths)",
    "colorfulness_gap": "mean over images of |CF(pred) - CF(true)|",
    "colorfulness_gap_of_means": "|mean CF(pred) - mean CF(true)|",
    "delta_e2000": "CIEDE2000 (Sharma et al. 2005, kL=kC=kH=1) per pixel "
                   "between Lab (D65, CIE constants) of the 8-bit images, "
                   "mean per image",
}


def _box_numpy(x):
    """Mean over each 7×7 window (valid positions), float64 NumPy."""
    k = metrics.SSIM_WINDOW
    s = np.cumsum(np.cumsum(x, axis=1), axis=2)
    s = np.pad(s, ((0, 0), (1, 0), (1, 0), (0, 0)))
    return (s[:, k:, k:] - s[:, :-k, k:] - s[:, k:, :-k] + s[:, :-k, :-k]) / (k * k)


def _as_image(image, name, index):
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(
            f"`{name}[{index}]` must be an RGB image (H, W, 3). "
            f"Received: shape={array.shape}"
        )
    if array.dtype != np.uint8:
        raise ValueError(
            f"`{name}[{index}]` must be uint8 (8-bit sRGB). "
            f"Received: dtype={array.dtype}"
        )
    return array.astype("float64")[None]


def evaluate_images(preds, truths):
    """Scores colorized 8-bit images against their originals (NumPy only).

    Args:
        preds: sequence of predicted RGB images, uint8 `(H, W, 3)`.
        truths: sequence of true RGB images, uint8, the same sizes pairwise
            (sizes may differ between pairs).

    Returns:
        A dict: `psnr`, `ssim`, `rmse`, `colorfulness` (of the predictions),
        `colorfulness_true`, `colorfulness_gap` (mean per-image gap),
        `colorfulness_gap_of_means`, `delta_e2000` (floats, means over
        images), `n` (int) and `protocol` (a dict describing how each number
        was computed).

    Example:

    >>> image = np.zeros((8, 8, 3), "uint8")
    >>> evaluate_images([image], [image])["delta_e2000"]
    0.0
    """
    preds = list(preds)
    truths = list(truths)
    if len(preds) != len(truths) or not preds:
        raise ValueError(
            "`preds` and `truths` must be non-empty and of equal length. "
            f"Received: {len(preds)} predictions and {len(truths)} truths"
        )
    rows = {key: [] for key in ("psnr", "ssim", "rmse", "cf_pred", "cf_true",
                                "delta_e2000")}
    for i, (pred, truth) in enumerate(zip(preds, truths)):
        p = _as_image(pred, "preds", i)
        t = _as_image(truth, "truths", i)
        if p.shape != t.shape:
            raise ValueError(
                f"Pair {i} has a prediction of shape {p.shape[1:]} and a "
                f"truth of shape {t.shape[1:]}; resize the prediction first."
            )
        if min(p.shape[1:3]) < metrics.SSIM_WINDOW:
            raise ValueError(
                f"SSIM needs images of at least {metrics.SSIM_WINDOW}×{metrics.SSIM_WINDOW}. "
                f"Received: pair {i} of shape {p.shape[1:]}"
            )
        with np.errstate(divide="ignore"):
            rows["psnr"].append(metrics._psnr(np, t, p, 255.0, 0.0)[0])
        rows["rmse"].append(metrics._rmse(np, t, p)[0])
        rows["ssim"].append(metrics._ssim(np, _box_numpy, t, p, 255.0)[0])
        rows["cf_pred"].append(metrics._colorfulness(np, p)[0])
        rows["cf_true"].append(metrics._colorfulness(np, t)[0])
        lab_p = color.rgb_to_lab_numpy(p / 255.0)
        lab_t = color.rgb_to_lab_numpy(t / 255.0)
        rows["delta_e2000"].append(float(np.mean(metrics._ciede2000(np, lab_t, lab_p))))
    cf_pred = np.asarray(rows["cf_pred"])
    cf_true = np.asarray(rows["cf_true"])
    return {
        "psnr": float(np.mean(rows["psnr"])),
        "ssim": float(np.mean(rows["ssim"])),
        "rmse": float(np.mean(rows["rmse"])),
        "colorfulness": float(np.mean(cf_pred)),
        "colorfulness_true": float(np.mean(cf_true)),
        "colorfulness_gap": float(np.mean(np.abs(cf_pred - cf_true))),
        "colorfulness_gap_of_means": float(abs(cf_pred.mean() - cf_true.mean())),
        "delta_e2000": float(np.mean(rows["delta_e2000"])),
        "n": len(preds),
        "protocol": dict(PROTOCOL),
    }


# --------------------------------------------------------------------------
# Each report's own metric, on our photos.

# How each report scored its model: the side its images were resized to, and
# its formula. `evaluate_as_report` computes them, so a table can put a
# report's claim beside the same number measured on other photos.
REPORT_METRICS = {
    "000": {"size": 224, "metrics": ("psnr",),
            "definition": "images resized to 224x224; per image 10*log10(255^2 / "
                          "(MSE + 1e-10)) on 0..255, mean over images"},
    "001": {"size": 256, "metrics": ("psnr", "ssim"),
            "definition": "images resized to 256x256; per image PSNR (MAX 255) "
                          "and SSIM (as `evaluate_images`), means over images"},
    "002": {"size": 256, "metrics": ("ssim",),
            "definition": "images resized to 256x256; per image SSIM (as "
                          "`evaluate_images`), mean over images"},
    "003": {"size": 256, "metrics": ("psnr",),
            "definition": "images resized to 256x256 on [0, 1]; 10*log10(1 / MSE) of "
                          "the MSE pooled over the whole set (its MSE 0.0044 "
                          "and PSNR 23.56 dB are one number)"},
    "004": {"size": 96, "metrics": ("psnr",),
            "definition": "images resized to the model's side (96x96 for the "
                          "baseline and RGB U-Net, 512x512 for the Lab ones) "
                          "on [0, 1]; per image 10*log10(1 / MSE), mean over images"},
}


def _squashed(image, size):
    """A uint8 image resized to `size`×`size` (aspect not kept, as the
    reports' transforms did), as float64 `(1, size, size, 3)` on 0..255."""
    import cv2

    interpolation = cv2.INTER_AREA if min(image.shape[:2]) >= size else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(image), (size, size), interpolation=interpolation)
    return resized.astype("float64")[None]


def evaluate_as_report(preds, truths, report, size=None):
    """Scores colorized photos the way one of the five reports scored its model.

    Each report resized its images to one side and used its own PSNR:
    report 000 10·log10(255²/(MSE + ε)) per image at 224², report 003
    10·log10(1/MSE) on [0, 1] of the MSE pooled over the set at 256², ...
    (`REPORT_METRICS` gives every definition). Beside `evaluate_images`
    (native resolution, 8-bit, per image) this shows how much of a claim
    is the metric rather than the model.

    Args:
        preds: predicted RGB images, uint8 `(H, W, 3)`.
        truths: true RGB images, uint8, the same sizes pairwise.
        report: `"000"` ... `"004"`.
        size: the side the images are resized to; None for the report's
            (`REPORT_METRICS[report]["size"]`).

    Returns:
        A dict of the report's metrics (`psnr` and/or `ssim`), with `size`
        and `definition`.

    Example:

    >>> image = np.full((32, 48, 3), 100, "uint8")
    >>> round(evaluate_as_report([image], [image + 1], "003")["psnr"], 2)
    48.13
    """
    if report not in REPORT_METRICS:
        raise ValueError(
            f"`report` must be one of {sorted(REPORT_METRICS)}. Received: report={report!r}"
        )
    spec = REPORT_METRICS[report]
    size = spec["size"] if size is None else int(size)
    if size < metrics.SSIM_WINDOW:
        raise ValueError(f"`size` must be at least {metrics.SSIM_WINDOW}. Received: size={size}")
    preds, truths = list(preds), list(truths)
    if len(preds) != len(truths) or not preds:
        raise ValueError(
            "`preds` and `truths` must be non-empty and of equal length. "
            f"Received: {len(preds)} predictions and {len(truths)} truths"
        )
    mse, ssim = [], []  # MSE per image on 0..255
    for i, (pred, truth) in enumerate(zip(preds, truths)):
        _as_image(pred, "preds", i), _as_image(truth, "truths", i)  # checks shape and dtype
        if np.shape(pred) != np.shape(truth):
            raise ValueError(
                f"Pair {i} has a prediction of shape {np.shape(pred)} and a truth of shape {np.shape(truth)}."
            )
        p, t = _squashed(np.asarray(pred), size), _squashed(np.asarray(truth), size)
        mse.append(float(np.mean(np.square(p - t))))
        if "ssim" in spec["metrics"]:
            ssim.append(float(metrics._ssim(np, _box_numpy, t, p, 255.0)[0]))
    scores = {"size": size, "definition": spec["definition"]}
    if "psnr" in spec["metrics"]:
        mse = np.asarray(mse)
        epsilon = 1e-10 if report == "000" else 0.0
        with np.errstate(divide="ignore"):
            # 003 quotes one PSNR of the set's MSE; the others the mean of per-image PSNRs.
            psnr = 10.0 * np.log10(255.0**2 / (np.mean(mse) if report == "003" else mse + epsilon))
        scores["psnr"] = float(np.mean(psnr))
    if "ssim" in spec["metrics"]:
        scores["ssim"] = float(np.mean(ssim))
    return scores


# --------------------------------------------------------------------------
# The baselines a model must beat, which need no model.


def with_ab(lab, ab):
    """A photo's own lightness with the given chroma, as 8-bit sRGB.

    The baselines of `keras-colorize evaluate` and `benchmarks/dev_quality.py`:
    `ab = 0` gives the gray photo, `ab` the mean ab of a set gives the
    "mean ab" baseline. Chroma outside the sRGB gamut is scaled down
    (`color.fit_chroma_to_gamut`) before the conversion.

    Args:
        lab: the photo in Lab, `(H, W, 3)` (`color.rgb_to_lab(rgb / 255)`).
        ab: the chroma, `(2,)` or broadcastable to `(H, W, 2)`.

    Returns:
        A uint8 `(H, W, 3)` array.

    Example:

    >>> red = color.rgb_to_lab_numpy(np.full((8, 8, 3), [0.8, 0.2, 0.2]))
    >>> with_ab(red, 0.0)[0, 0].tolist()  # its gray
    [110, 110, 110]
    """
    import keras

    lab = np.array(lab, dtype="float32")  # a copy: the caller's Lab is kept
    lab[..., 1:] = ab
    rgb = keras.ops.convert_to_numpy(color.lab_to_rgb(color.fit_chroma_to_gamut(lab)))
    return np.round(rgb * 255).astype(np.uint8)
