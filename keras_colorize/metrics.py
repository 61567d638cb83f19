"""Image-quality metrics on RGB reconstructions, for `fit` and for evaluation.

Every report measures its results on the RGB image rebuilt from the true
lightness and the predicted chroma; these metrics do the same, so models with
different heads and losses are compared on one footing:

* `space="lab"` (default): `y_true` is scaled Lab `(L/100, a/128, b/128)`
  with 3 channels, or ab / 128 with 2 channels when `y_pred` carries L;
  `y_pred` is ab / 128 (2 channels) or scaled Lab (3 channels). The RGB pair
  is `lab_to_rgb(L_true, ab_true)` and `lab_to_rgb(L_true, ab_pred)`: L is
  kept, only the chroma comes from the model.
* `space="rgb"`: both are sRGB in [0, 1] (the RGB models of reports 003/004).

Each `keras.metrics.Metric` subclass averages a per-image value over the
images seen (`sample_weight` weights images), and is named for `fit` logs:
`psnr`, `ssim`, `rmse`, `colorfulness`, `colorfulness_gap`, `delta_e2000`
(so `val_psnr` exists for callbacks and tuners). The in-graph metrics work
on float RGB (no 8-bit rounding); `keras_colorize.evaluation.evaluate_images`
is the NumPy twin for final numbers on 8-bit images, with the same formulas.

The formulas (`_psnr`, `_ssim`, `_ciede2000`, ...) are written once against an
array namespace `xp` (`numpy` or `keras.ops`), as `color._rgb_to_lab` is, and
called with `ops` here and with `numpy` by `evaluation`.
"""

import keras
import numpy as np
from keras import ops

from keras_colorize import bins
from keras_colorize import color

_PACKAGE = "keras_colorize"
_SPACES = ("lab", "rgb")

# SSIM constants of Wang et al. (2004) and scikit-image's defaults.
SSIM_WINDOW = 7
SSIM_K1 = 0.01
SSIM_K2 = 0.03


# --------------------------------------------------------------------------
# Formulas, against a namespace `xp` (numpy or keras.ops).


def _psnr(xp, a, b, max_val, epsilon):
    """Per-image PSNR of `(batch, H, W, C)` images on [0, max_val]."""
    mse = xp.mean(xp.square(a - b), axis=(1, 2, 3))
    return 10.0 * xp.log10(max_val**2 / (mse + epsilon))


def _rmse(xp, a, b):
    return xp.sqrt(xp.mean(xp.square(a - b), axis=(1, 2, 3)))


def _colorfulness(xp, rgb255, epsilon=0.0):
    """Hasler & Süsstrunk (2003) M3 per image, RGB on 0..255.

    rg = R − G, yb = ½(R + G) − B; sqrt(σrg² + σyb²) + 0.3·sqrt(μrg² + μyb²)
    with population standard deviations over the pixels; `epsilon` under
    both roots keeps the gradient finite on a gray image.
    """
    r, g, b = rgb255[..., 0], rgb255[..., 1], rgb255[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    mean_rg = xp.mean(rg, axis=(1, 2))
    mean_yb = xp.mean(yb, axis=(1, 2))
    var_rg = xp.mean(xp.square(rg - mean_rg[:, None, None]), axis=(1, 2))
    var_yb = xp.mean(xp.square(yb - mean_yb[:, None, None]), axis=(1, 2))
    return xp.sqrt(var_rg + var_yb + epsilon) + 0.3 * xp.sqrt(
        xp.square(mean_rg) + xp.square(mean_yb) + epsilon
    )


def _ssim(xp, box, a, b, data_range):
    """Mean SSIM per image; `box` is the valid 7×7 mean filter of namespace xp.

    Wang et al. (2004) with a uniform window and the sample covariance
    (N/(N−1)), the SSIM map averaged over the valid windows and the channels:
    scikit-image's `structural_similarity` defaults.
    """
    n = SSIM_WINDOW * SSIM_WINDOW
    cov_norm = n / (n - 1.0)
    mu_a = box(a)
    mu_b = box(b)
    var_a = cov_norm * (box(a * a) - mu_a * mu_a)
    var_b = cov_norm * (box(b * b) - mu_b * mu_b)
    cov = cov_norm * (box(a * b) - mu_a * mu_b)
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    ssim_map = ((2.0 * mu_a * mu_b + c1) * (2.0 * cov + c2)) / (
        (mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2)
    )
    return xp.mean(ssim_map, axis=(1, 2, 3))


def _ciede2000(xp, lab1, lab2):
    """CIEDE2000 color difference, elementwise over `(..., 3)` Lab pairs.

    Sharma, Wu and Dalal (2005), with kL = kC = kH = 1. Hues in radians.
    """
    pi = np.pi
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c1 = xp.sqrt(a1 * a1 + b1 * b1)
    c2 = xp.sqrt(a2 * a2 + b2 * b2)
    c_bar7 = (0.5 * (c1 + c2)) ** 7
    g = 0.5 * (1.0 - xp.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p = a1 * (1.0 + g)
    a2p = a2 * (1.0 + g)
    c1p = xp.sqrt(a1p * a1p + b1 * b1)
    c2p = xp.sqrt(a2p * a2p + b2 * b2)
    # Hue in [0, 2π). (Not `mod`: keras.ops.mod rounds 2π to float32 on TF.)
    h1p = xp.arctan2(b1, a1p)
    h1p = xp.where(h1p < 0.0, h1p + 2.0 * pi, h1p)
    h2p = xp.arctan2(b2, a2p)
    h2p = xp.where(h2p < 0.0, h2p + 2.0 * pi, h2p)
    chroma_zero = (c1p * c2p) == 0.0

    dl = l2 - l1
    dc = c2p - c1p
    # Δh' = h2' − h1' wrapped to (−π, π], 0 when a chroma is 0 (atan2(0, 0)
    # = 0): the angle from (a1', b1) to (a2', b2), taken from their cross
    # and dot products rather than as a difference of two hues near ±π,
    # which loses digits (and keras.ops trig runs in float32 on JAX).
    dh = xp.arctan2(a1p * b2 - b1 * a2p, a1p * a2p + b1 * b2)
    d_big_h = 2.0 * xp.sqrt(c1p * c2p) * xp.sin(dh / 2.0)

    l_bar = 0.5 * (l1 + l2)
    c_bar_p = 0.5 * (c1p + c2p)
    h_sum = h1p + h2p
    # Sharma et al.: |h1' − h2'| ≤ 180° takes the plain mean. Hues exactly 180°
    # apart (their pairs 10 and 14) come out a rounding error above π (a float32
    # ulp of π where the backend's atan2 is float32, as JAX's): still not "far".
    far = xp.abs(h1p - h2p) > pi + 1e-6
    h_bar = xp.where(
        far,
        xp.where(h_sum < 2.0 * pi, h_sum + 2.0 * pi, h_sum - 2.0 * pi),
        h_sum,
    )
    h_bar = xp.where(chroma_zero, h_sum, 0.5 * h_bar)

    t = (
        1.0
        - 0.17 * xp.cos(h_bar - pi / 6.0)
        + 0.24 * xp.cos(2.0 * h_bar)
        + 0.32 * xp.cos(3.0 * h_bar + pi / 30.0)
        - 0.20 * xp.cos(4.0 * h_bar - 63.0 * pi / 180.0)
    )
    l50 = (l_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / xp.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    h_bar_deg = h_bar * (180.0 / pi)
    d_theta = (pi / 6.0) * xp.exp(-(((h_bar_deg - 275.0) / 25.0) ** 2))
    c_bar_p7 = c_bar_p**7
    r_c = 2.0 * xp.sqrt(c_bar_p7 / (c_bar_p7 + 25.0**7))
    r_t = -xp.sin(2.0 * d_theta) * r_c

    l_term = dl / s_l
    c_term = dc / s_c
    h_term = d_big_h / s_h
    return xp.sqrt(
        xp.maximum(
            l_term * l_term + c_term * c_term + h_term * h_term
            + r_t * c_term * h_term,
            0.0,
        )
    )


def _box_keras(x):
    """Mean over each 7×7 window (valid positions), keras.ops."""
    return ops.average_pool(
        x, pool_size=SSIM_WINDOW, strides=1, padding="valid"
    )


# --------------------------------------------------------------------------
# Stateless keras.ops functions: (y_true, y_pred) -> one value per image.


def _check_space(space):
    if space not in _SPACES:
        raise ValueError(
            f"Unknown space. Expected one of {_SPACES}. Received: space={space!r}"
        )


def reconstruct_rgb(y_true, y_pred, space="lab", variant="cie"):
    """The (true, predicted) sRGB images in [0, 1] that the metrics compare.

    Args:
        y_true: scaled Lab (3 channels), or ab / 128 (2 channels) when
            `y_pred` is 3-channel scaled Lab. In `space="rgb"`: RGB [0, 1].
        y_pred: ab / 128 (2 channels) or scaled Lab (3 channels); its L, if
            any, is replaced by the true L. In `space="rgb"`: RGB [0, 1].
        space: `"lab"` or `"rgb"`.
        variant: Lab variant of the conversion.

    Returns:
        A tuple of two float tensors `(batch, H, W, 3)`.
    """
    _check_space(space)
    y_pred = ops.convert_to_tensor(y_pred)
    if "float" not in keras.backend.standardize_dtype(y_pred.dtype):
        y_pred = ops.cast(y_pred, keras.config.floatx())
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    if space == "rgb":
        if y_true.shape[-1] != 3 or y_pred.shape[-1] != 3:
            raise ValueError(
                "With space='rgb', `y_true` and `y_pred` must be RGB with 3 "
                f"channels. Received: y_true.shape={tuple(y_true.shape)}, "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        return y_true, y_pred
    if y_true.shape[-1] == 3:
        lightness = y_true[..., :1]
    elif y_pred.shape[-1] == 3:
        lightness = y_pred[..., :1]
    else:
        raise ValueError(
            "The RGB reconstruction needs the lightness L: pass `y_true` (or "
            "`y_pred`) as scaled Lab with 3 channels, "
            "`concat(color.scale_lab(lab))`, or use space='rgb'. "
            f"Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.shape[-1] not in (2, 3):
            raise ValueError(
                f"`{name}` must be ab / 128 (2 channels) or scaled Lab (3 "
                f"channels). Received: shape={tuple(y.shape)}"
            )
    ab_true = y_true[..., -2:]
    ab_pred = y_pred[..., -2:]
    rgb_true = color.lab_to_rgb(color.unscale_lab(lightness, ab_true), variant)
    rgb_pred = color.lab_to_rgb(color.unscale_lab(lightness, ab_pred), variant)
    return rgb_true, rgb_pred


def psnr(y_true, y_pred, max_val=255.0, epsilon=1e-10, space="lab",
         variant="cie"):
    """PSNR per image on the RGB reconstruction, 10·log10(MAX² / (MSE + ε)).

    MSE over pixels and the three channels of RGB on [0, `max_val`]. Report
    000: `max_val=255` (with its ε); report 001: 255; report 004:
    `max_val=1.0` (10·log10(1 / MSE) on [0, 1] images).
    """
    rgb_true, rgb_pred = reconstruct_rgb(y_true, y_pred, space, variant)
    return _psnr(ops, rgb_true * max_val, rgb_pred * max_val, max_val, epsilon)


def rmse(y_true, y_pred, max_val=255.0, space="lab", variant="cie"):
    """Root-mean-square error per image, RGB on [0, `max_val`]."""
    rgb_true, rgb_pred = reconstruct_rgb(y_true, y_pred, space, variant)
    return _rmse(ops, rgb_true * max_val, rgb_pred * max_val)


def ssim(y_true, y_pred, space="lab", variant="cie"):
    """Mean SSIM per image over the RGB channels (scikit-image defaults).

    7×7 uniform window, sample covariance, K1 = 0.01, K2 = 0.03, data range
    of the [0, 1] images (SSIM does not depend on the RGB scale). Images
    must be at least 7×7.
    """
    rgb_true, rgb_pred = reconstruct_rgb(y_true, y_pred, space, variant)
    for size in rgb_true.shape[1:3]:
        if size is not None and size < SSIM_WINDOW:
            raise ValueError(
                f"SSIM needs images of at least {SSIM_WINDOW}×{SSIM_WINDOW}. "
                f"Received: shape={tuple(rgb_true.shape)}"
            )
    return _ssim(ops, _box_keras, rgb_true, rgb_pred, 1.0)


def colorfulness(rgb, epsilon=0.0):
    """Colorfulness (Hasler & Süsstrunk 2003) of sRGB images in [0, 1], per image.

    `epsilon` (in 0..255 units squared, under both square roots) keeps the
    gradient finite on gray images, for losses.
    """
    return _colorfulness(ops, ops.convert_to_tensor(rgb) * 255.0, epsilon)


def colorfulness_gap(y_true, y_pred, space="lab", variant="cie"):
    """|CF(prediction) − CF(truth)| per image."""
    rgb_true, rgb_pred = reconstruct_rgb(y_true, y_pred, space, variant)
    return ops.abs(colorfulness(rgb_pred) - colorfulness(rgb_true))


def delta_e2000(y_true, y_pred, space="lab", variant="cie"):
    """Mean CIEDE2000 per image between the true and predicted RGB images.

    Both RGB reconstructions (clipped to the sRGB gamut) go back to Lab with
    `color.rgb_to_lab`, as for 8-bit images in `evaluation.evaluate_images`.
    """
    rgb_true, rgb_pred = reconstruct_rgb(y_true, y_pred, space, variant)
    lab_true = color.rgb_to_lab(rgb_true, variant)
    lab_pred = color.rgb_to_lab(rgb_pred, variant)
    return ops.mean(_ciede2000(ops, lab_true, lab_pred), axis=(1, 2))


def ciede2000(lab1, lab2):
    """CIEDE2000 between Lab tensors, elementwise over the last axis (keras.ops)."""
    lab1 = ops.convert_to_tensor(lab1)
    lab2 = ops.cast(ops.convert_to_tensor(lab2), lab1.dtype)
    return _ciede2000(ops, lab1, lab2)


# --------------------------------------------------------------------------
# Metric classes.


class _ImageMetric(keras.metrics.Mean):
    """Mean over images of a per-image value of the RGB reconstruction."""

    _direction_value = None

    def __init__(self, space="lab", variant="cie", name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        _check_space(space)
        self.space = space
        self.variant = color.variant_name(variant)
        if self._direction_value is not None:
            self._direction = self._direction_value

    def per_image(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.per_image(y_true, y_pred)
        return super().update_state(
            ops.cast(values, self.dtype), sample_weight=sample_weight
        )

    def get_config(self):
        config = super().get_config()
        config.update({"space": self.space, "variant": self.variant})
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PSNR(_ImageMetric):
    """Peak signal-to-noise ratio of the RGB reconstruction, in dB (higher is better).

    Per image 10·log10(MAX² / (MSE + ε)), MSE over the pixels and the three
    RGB channels on [0, MAX]; averaged over images.

    Args:
        max_val: MAX. 255 (reports 000, 001: 8-bit scale) or 1.0 (report
            004: [0, 1] images); PSNR is the same on both scales when ε = 0.
        epsilon: ε of report 000, in units of the MAX scale (keeps identical
            images finite: 10·log10(MAX²/ε)).
        space: `"lab"` (y_true scaled Lab, y_pred ab / 128) or `"rgb"`.
        variant: Lab variant of the reconstruction.
        name: `"psnr"`, so `fit` logs `psnr` and `val_psnr`.
        dtype: dtype of the result.

    Example:

    >>> model.compile(loss=Charbonnier(), metrics=[PSNR()])  # doctest: +SKIP
    >>> keras.callbacks.ReduceLROnPlateau("val_psnr", mode="max")  # doctest: +SKIP
    """

    _direction_value = "up"

    def __init__(self, max_val=255.0, epsilon=1e-10, space="lab",
                 variant="cie", name="psnr", dtype=None):
        super().__init__(space=space, variant=variant, name=name, dtype=dtype)
        if max_val <= 0:
            raise ValueError(f"`max_val` must be > 0. Received: max_val={max_val}")
        self.max_val = max_val
        self.epsilon = epsilon

    def per_image(self, y_true, y_pred):
        return psnr(y_true, y_pred, self.max_val, self.epsilon, self.space,
                    self.variant)

    def get_config(self):
        config = super().get_config()
        config.update({"max_val": self.max_val, "epsilon": self.epsilon})
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class BinnedPSNR(PSNR):
    """PSNR of a classifier's output, decoded from ab-bin probabilities.

    The bin probabilities are decoded to ab with the annealed mean
    (`decode_ab`) and scored as `PSNR` scores a regression
    output, so `val_psnr` of report 004's classifier is comparable with the
    other recipes' (and can drive callbacks and tuners).

    Args:
        grid: the classifier's bin grid, `"square"` or `"gamut"` (see `bins`).
        temperature: annealed-mean temperature (Zhang et al.: 0.38).
        max_val, epsilon, variant, name, dtype: as in `PSNR`.

    Example:

    >>> model.compile(loss="categorical_crossentropy", metrics=[BinnedPSNR()])  # doctest: +SKIP
    """

    def __init__(self, grid="square", temperature=bins.DEFAULT_TEMPERATURE, max_val=255.0,
                 epsilon=1e-10, variant="cie", name="psnr", dtype=None):
        super().__init__(max_val=max_val, epsilon=epsilon, space="lab",
                         variant=variant, name=name, dtype=dtype)
        self.grid = bins.check_grid(grid)
        self.temperature = temperature

    def per_image(self, y_true, y_pred):
        ab = bins.decode_ab(y_pred, self.grid, temperature=self.temperature)
        return super().per_image(y_true, ab)

    def get_config(self):
        config = super().get_config()
        config.pop("space")
        config.update({"grid": self.grid, "temperature": self.temperature})
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class RMSE(_ImageMetric):
    """Root-mean-square error of the RGB reconstruction (lower is better).

    Per image sqrt(MSE) on [0, `max_val`] RGB, averaged over images.

    Args:
        max_val: RGB scale (255: 8-bit units; 1.0: [0, 1]).
        space, variant, name, dtype: as in `PSNR`.
    """

    _direction_value = "down"

    def __init__(self, max_val=255.0, space="lab", variant="cie", name="rmse",
                 dtype=None):
        super().__init__(space=space, variant=variant, name=name, dtype=dtype)
        self.max_val = max_val

    def per_image(self, y_true, y_pred):
        return rmse(y_true, y_pred, self.max_val, self.space, self.variant)

    def get_config(self):
        config = super().get_config()
        config.update({"max_val": self.max_val})
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SSIM(_ImageMetric):
    """Structural similarity of the RGB reconstruction (higher is better).

    Per image the mean SSIM over the RGB channels with scikit-image's
    `structural_similarity` defaults (7×7 uniform window, sample covariance,
    K1 = 0.01, K2 = 0.03, `channel_axis=-1`); averaged over images.
    Images must be at least 7×7.

    Args:
        space, variant, name, dtype: as in `PSNR`.
    """

    _direction_value = "up"

    def __init__(self, space="lab", variant="cie", name="ssim", dtype=None):
        super().__init__(space=space, variant=variant, name=name, dtype=dtype)

    def per_image(self, y_true, y_pred):
        return ssim(y_true, y_pred, self.space, self.variant)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Colorfulness(_ImageMetric):
    """Colorfulness of the predicted RGB images (Hasler & Süsstrunk 2003).

    Per image, on 0..255 RGB: rg = R − G, yb = ½(R + G) − B,
    CF = sqrt(σrg² + σyb²) + 0.3·sqrt(μrg² + μyb²); averaged over images.
    No direction: more colorful is not always better; compare with
    `ColorfulnessGap`.

    Args:
        space, variant, name, dtype: as in `PSNR` (`y_true` supplies L).
    """

    def __init__(self, space="lab", variant="cie", name="colorfulness",
                 dtype=None):
        super().__init__(space=space, variant=variant, name=name, dtype=dtype)

    def per_image(self, y_true, y_pred):
        _, rgb_pred = reconstruct_rgb(y_true, y_pred, self.space, self.variant)
        return colorfulness(rgb_pred)


_AVERAGES = ("images", "set")


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ColorfulnessGap(keras.metrics.Metric):
    """Colorfulness gap ΔCF between prediction and truth (lower is better).

    Args:
        average: `"images"`: mean over images of |CF(pred) − CF(true)|;
            `"set"`: |mean CF(pred) − mean CF(true)| over all images seen
            (a model can match the set's colorfulness while missing each
            image's).
        space, variant, name, dtype: as in `PSNR`.
    """

    def __init__(self, average="images", space="lab", variant="cie",
                 name="colorfulness_gap", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                f"Unknown average. Expected one of {_AVERAGES}. "
                f"Received: average={average!r}"
            )
        _check_space(space)
        self.average = average
        self.space = space
        self.variant = color.variant_name(variant)
        self._direction = "down"
        self.gap_sum = self.add_variable((), "zeros", name="gap_sum")
        self.pred_sum = self.add_variable((), "zeros", name="pred_sum")
        self.true_sum = self.add_variable((), "zeros", name="true_sum")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        rgb_true, rgb_pred = reconstruct_rgb(
            y_true, y_pred, self.space, self.variant
        )
        cf_true = ops.cast(colorfulness(rgb_true), self.dtype)
        cf_pred = ops.cast(colorfulness(rgb_pred), self.dtype)
        if sample_weight is None:
            weight = ops.ones_like(cf_true)
        else:
            weight = ops.cast(sample_weight, self.dtype)
            weight = ops.broadcast_to(
                ops.reshape(weight, (-1,)), ops.shape(cf_true)
            )
        self.gap_sum.assign_add(ops.sum(weight * ops.abs(cf_pred - cf_true)))
        self.pred_sum.assign_add(ops.sum(weight * cf_pred))
        self.true_sum.assign_add(ops.sum(weight * cf_true))
        self.count.assign_add(ops.sum(weight))

    def result(self):
        if self.average == "images":
            return ops.divide_no_nan(self.gap_sum, self.count)
        return ops.abs(ops.divide_no_nan(self.pred_sum - self.true_sum, self.count))

    def reset_state(self):
        for variable in (self.gap_sum, self.pred_sum, self.true_sum, self.count):
            variable.assign(0.0)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"average": self.average, "space": self.space, "variant": self.variant}
        )
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class DeltaE2000(_ImageMetric):
    """Mean CIEDE2000 color difference between prediction and truth (lower is better).

    Per image the mean over pixels of ΔE00 (Sharma et al. 2005, kL = kC =
    kH = 1) between the Lab of the true and predicted RGB reconstructions;
    averaged over images.

    Args:
        space, variant, name, dtype: as in `PSNR`.
    """

    _direction_value = "down"

    def __init__(self, space="lab", variant="cie", name="delta_e2000",
                 dtype=None):
        super().__init__(space=space, variant=variant, name=name, dtype=dtype)

    def per_image(self, y_true, y_pred):
        return delta_e2000(y_true, y_pred, self.space, self.variant)


# The offline NumPy protocol moved to `evaluation`; its former names here are
# aliases (read lazily: `evaluation` imports this module's formulas).
def __getattr__(name):
    if name in ("PROTOCOL", "evaluate_images"):
        from keras_colorize import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
