"""CIE Lab <-> sRGB conversion and the network scaling, defined once.

Everything here is written with `keras.ops`, so it runs on the TensorFlow, JAX
and PyTorch backends, on the accelerator when it runs inside a model.
`keras_colorize.data.lab` runs the very same formulas with `tf` ops inside
`tf.data` pipelines: both call the private `_rgb_to_lab` / `_lab_to_rgb`
below with a different ops namespace, so they cannot drift apart.

Conventions:
    * RGB is float sRGB in [0, 1] (integer arrays are scaled by their dtype's
      maximum), channels last, any leading dimensions.
    * L is in [0, 100], a and b in about [-128, 127].
    * The networks see `L / 100` (in [0, 1]) and predict `ab / 128`
      (in [-1, 1], a tanh output): see `scale_lab` and `unscale_lab`.
"""

import functools

import keras
import numpy as np
from keras import ops

# Network scaling, the one place for it: L -> [0, 1], ab -> [-1, 1].
L_SCALE = 100.0
AB_SCALE = 128.0

# sRGB (D65) linear RGB -> XYZ; the matrix of IEC 61966-2-1 as printed in
# report 000's Figure 2 and used by scikit-image and OpenCV.
SRGB_TO_XYZ = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ],
    dtype=np.float64,
)
XYZ_TO_SRGB = np.linalg.inv(SRGB_TO_XYZ)

# Each variant: white point (Xn, Yn, Zn); epsilon, the f(t) branch point;
# slope, the linear branch of f(t) = slope * t + 16/116; kappa, the linear
# branch of L = kappa * Y.
LAB_VARIANTS = {
    # CIE 15:2004 constants with the D65 white of scikit-image (2° observer).
    "cie": {
        "white": (0.95047, 1.0, 1.08883),
        "epsilon": 216.0 / 24389.0,
        "slope": 24389.0 / 27.0 / 116.0,
        "kappa": 24389.0 / 27.0,
    },
    # Report 000, Figure 2: its rounded constants and white point.
    "report000": {
        "white": (0.950456, 1.0, 1.088754),
        "epsilon": 0.008856,
        "slope": 7.787,
        "kappa": 903.3,
    },
}

# sRGB transfer function (IEC 61966-2-1).
_SRGB_DECODE_THRESHOLD = 0.04045
_SRGB_ENCODE_THRESHOLD = 0.0031308
_TINY = 1e-12


def check_variant(variant):
    """Returns the constants of a Lab variant, or raises a `ValueError`."""
    if variant not in LAB_VARIANTS:
        raise ValueError(
            f"Unknown Lab variant. Expected one of {sorted(LAB_VARIANTS)}. "
            f"Received: variant={variant!r}"
        )
    return LAB_VARIANTS[variant]


def _power(xp, x, exponent):
    """`x ** exponent` for x > 0 as exp(p·log x): 3× faster than pow on CPU."""
    return xp.exp(exponent * xp.log(xp.maximum(x, _TINY)))


# (fx, fy, fz) -> (116·fy, 500·(fx − fy), 200·(fy − fz)) as one matrix product, and back.
_F_TO_LAB = np.array(
    [[0.0, 500.0, 0.0], [116.0, -500.0, 200.0], [0.0, 0.0, -200.0]], dtype=np.float64
)
_LAB_TO_F = np.linalg.inv(_F_TO_LAB)
_LAB_OFFSET = np.array([16.0, 0.0, 0.0])


def _rgb_to_lab(xp, rgb, variant):
    """RGB -> Lab with the ops of namespace `xp` (keras.ops or a tf adapter).

    Written as element-wise steps on all three channels joined by small
    matrix products, so a compiler (XLA) fuses each step once instead of
    recomputing the transcendental functions for every output channel.
    """
    c = check_variant(variant)
    linear = xp.where(
        rgb > _SRGB_DECODE_THRESHOLD,
        _power(xp, (rgb + 0.055) / 1.055, 2.4),
        rgb / 12.92,
    )
    to_xyz = SRGB_TO_XYZ.T / np.asarray(c["white"])[None, :]
    xyz = xp.tensordot(linear, xp.constant(to_xyz, rgb), 1)
    f = xp.where(
        xyz > c["epsilon"],
        _power(xp, xyz, 1.0 / 3.0),
        c["slope"] * xyz + 16.0 / 116.0,
    )
    lab = xp.tensordot(f, xp.constant(_F_TO_LAB, rgb), 1) - xp.constant(_LAB_OFFSET, rgb)
    # L's linear branch is kappa·Y (equal to 116·f(Y) − 16 but for rounding).
    y = xyz[..., 1:2]
    lightness = xp.where(y > c["epsilon"], lab[..., :1], c["kappa"] * y)
    return xp.concatenate([lightness, lab[..., 1:]], axis=-1)


def _lab_to_linear_rgb(xp, lab, variant):
    """Lab -> linear (not gamma-encoded) sRGB, unclipped, with namespace `xp`."""
    c = check_variant(variant)
    f = xp.tensordot(lab + xp.constant(_LAB_OFFSET, lab), xp.constant(_LAB_TO_F, lab), 1)
    f_epsilon = c["epsilon"] ** (1.0 / 3.0)
    xyz = xp.where(f > f_epsilon, f * f * f, (f - 16.0 / 116.0) / c["slope"])
    # Y from L directly: its linear branch is L / kappa.
    lightness = lab[..., :1]
    y = xp.where(lightness > c["kappa"] * c["epsilon"], xyz[..., 1:2], lightness / c["kappa"])
    xyz = xp.concatenate([xyz[..., :1], y, xyz[..., 2:]], axis=-1)
    to_rgb = np.asarray(c["white"])[:, None] * XYZ_TO_SRGB.T
    return xp.tensordot(xyz, xp.constant(to_rgb, lab), 1)


def _lab_to_rgb(xp, lab, variant):
    """Lab -> RGB in [0, 1] (out-of-gamut colors clipped) with namespace `xp`."""
    linear = xp.clip(_lab_to_linear_rgb(xp, lab, variant), 0.0, 1.0)
    return xp.where(
        linear > _SRGB_ENCODE_THRESHOLD,
        1.055 * _power(xp, linear, 1.0 / 2.4) - 0.055,
        12.92 * linear,
    )


def _fit_chroma(xp, lab, variant, steps, tolerance):
    """Bisection for the largest chroma factor in [0, 1] that fits sRGB, per color."""
    lightness, ab = lab[..., :1], lab[..., 1:]

    def fits(factor):
        linear = _lab_to_linear_rgb(xp, xp.concatenate([lightness, ab * factor], axis=-1), variant)
        excess = xp.maximum(-linear, linear - 1.0)
        worst = xp.maximum(xp.maximum(excess[..., :1], excess[..., 1:2]), excess[..., 2:])
        return worst <= tolerance

    low = lightness * 0.0  # factors known to fit
    high = low + 1.0  # factors known not to fit (unless 1 fits, checked last)
    for _ in range(steps):
        middle = (low + high) * 0.5
        ok = fits(middle)
        low, high = xp.where(ok, middle, low), xp.where(ok, high, middle)
    factor = xp.where(fits(high * 0.0 + 1.0), high * 0.0 + 1.0, low)
    return xp.concatenate([lightness, ab * factor], axis=-1)


def fit_chroma_to_gamut(lab, variant="cie", steps=10, tolerance=1e-3):
    """Scales down the chroma of out-of-gamut Lab colors until they fit sRGB (NumPy).

    Clipping an out-of-gamut color channel by channel shifts its hue (a
    dark pixel given some chroma turns red); this keeps L and the hue angle
    and shrinks a and b by the largest factor in [0, 1] found by bisection.
    Colors already in the gamut are returned unchanged. The `tf` twin for
    graphs is `keras_colorize.data.lab.fit_chroma_to_gamut`.

    Args:
        lab: array `(..., 3)` of L in [0, 100] and a, b.
        variant: `"cie"` or `"report000"`.
        steps: bisection steps (the factor is found to 2^-steps).
        tolerance: how far outside [0, 1] linear RGB may stay.

    Returns:
        A float32 NumPy array like `lab`, every color inside the sRGB gamut.

    Example:

    >>> fit_chroma_to_gamut(np.array([[2.0, 60.0, 0.0]]))[0, 1] < 10
    True
    """
    lab = np.array(lab, dtype=np.float32)
    flat = lab.reshape(-1, 3)
    linear = _lab_to_linear_rgb(_NumpyOps, flat, variant)
    index = np.flatnonzero(((linear < -tolerance) | (linear > 1.0 + tolerance)).any(axis=-1))
    if index.size:
        flat[index] = _fit_chroma(_NumpyOps, flat[index], variant, steps, tolerance)
    return lab


class _KerasOps:
    """The few ops the formulas need, from `keras.ops` (backend-agnostic)."""

    exp = staticmethod(ops.exp)
    log = staticmethod(ops.log)
    maximum = staticmethod(ops.maximum)
    where = staticmethod(ops.where)
    clip = staticmethod(ops.clip)
    concatenate = staticmethod(ops.concatenate)

    @staticmethod
    def tensordot(x, y, axes):
        return ops.tensordot(x, y, axes=axes)

    @staticmethod
    def constant(value, like):
        """A constant in the dtype of tensor `like` (no float64 promotion)."""
        return ops.convert_to_tensor(value, dtype=keras.backend.standardize_dtype(like.dtype))


def _to_float(images):
    """Converts to a float tensor; integer images are scaled to [0, 1]."""
    images = ops.convert_to_tensor(images)
    dtype = keras.backend.standardize_dtype(images.dtype)
    if dtype in ("uint8", "uint16"):
        maximum = float(np.iinfo(dtype).max)
        return ops.cast(images, keras.config.floatx()) / maximum
    if "float" not in dtype:
        raise ValueError(
            "Expected float images in [0, 1] or uint8/uint16 images. "
            f"Received: dtype={dtype}"
        )
    return images


def _check_channels(images, name):
    channels = images.shape[-1]
    if channels != 3:
        raise ValueError(
            f"`{name}` needs 3 channels on the last axis. "
            f"Received: shape={tuple(images.shape)}"
        )


def rgb_to_lab(images, variant="cie"):
    """Converts sRGB images to CIE Lab (D65).

    Args:
        images: sRGB images, channels last, any leading dimensions. Float
            values in [0, 1], or uint8 / uint16 integers (scaled by 255 or
            65535).
        variant: `"cie"` (CIE constants, D65 white of scikit-image; matches
            `skimage.color.rgb2lab`) or `"report000"` (the rounded constants
            and white point Xn=0.950456, Zn=1.088754 of report 000).

    Returns:
        A float tensor of the same shape: L in [0, 100], a and b in about
        [-128, 127].

    Example:

    >>> lab = rgb_to_lab(np.array([[1.0, 0.0, 0.0]]))
    >>> [round(float(v), 1) for v in lab[0]]
    [53.2, 80.1, 67.2]
    """
    images = _to_float(images)
    _check_channels(images, "images")
    return _rgb_to_lab(_KerasOps, images, variant)


def lab_to_rgb(lab, variant="cie"):
    """Converts CIE Lab (D65) to sRGB in [0, 1], clipping out-of-gamut colors.

    Args:
        lab: float Lab values, channels last (L, a, b), any leading dimensions.
        variant: `"cie"` or `"report000"`, as in `rgb_to_lab`.

    Returns:
        A float tensor of the same shape, sRGB in [0, 1].

    Example:

    >>> rgb = lab_to_rgb(np.array([[53.2408, 80.0925, 67.2032]]))
    >>> [round(float(v), 3) for v in rgb[0]]
    [1.0, 0.0, 0.0]
    """
    lab = ops.convert_to_tensor(lab)
    _check_channels(lab, "lab")
    return _lab_to_rgb(_KerasOps, lab, variant)


def scale_lab(lab):
    """Splits Lab into the network's input and target: (L/100, ab/128).

    Args:
        lab: Lab tensor, channels last.

    Returns:
        A tuple `(l_scaled, ab_scaled)`: shapes `(..., 1)` and `(..., 2)`,
        L in [0, 1] and ab in about [-1, 1].

    Example:

    >>> l_scaled, ab_scaled = scale_lab(np.array([[50.0, 64.0, -128.0]]))
    >>> float(l_scaled[0, 0]), [float(v) for v in ab_scaled[0]]
    (0.5, [0.5, -1.0])
    """
    lab = ops.convert_to_tensor(lab)
    return lab[..., :1] / L_SCALE, lab[..., 1:] / AB_SCALE


def unscale_lab(l_scaled, ab_scaled):
    """Inverse of `scale_lab`: joins (L/100, ab/128) back into Lab.

    Args:
        l_scaled: network input, L / 100, shape `(..., 1)`.
        ab_scaled: network output, ab / 128, shape `(..., 2)`.

    Returns:
        The Lab tensor, shape `(..., 3)`.

    Example:

    >>> lab = unscale_lab(np.array([[0.5]]), np.array([[0.5, -1.0]]))
    >>> [float(v) for v in lab[0]]
    [50.0, 64.0, -128.0]
    """
    l_scaled = ops.convert_to_tensor(l_scaled)
    ab_scaled = ops.convert_to_tensor(ab_scaled)
    return ops.concatenate(
        [l_scaled * L_SCALE, ab_scaled * AB_SCALE], axis=-1
    )



# ab-plane quantisation for the classification models and the color priors.
AB_BIN_WIDTH = 10.0
AB_BIN_GRIDS = ("report004", "gamut")


@functools.lru_cache(maxsize=None)
def _gamut_bins():
    """Grid bins (width 10) that hold the ab of at least one sRGB color."""
    levels = np.linspace(0.0, 1.0, 64)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1)
    lab = np.asarray(_rgb_to_lab(_NumpyOps, rgb.reshape(-1, 3), "cie"))
    cells = np.unique(np.round(lab[:, 1:] / AB_BIN_WIDTH), axis=0)
    return (cells * AB_BIN_WIDTH).astype("float32")


def ab_bin_centers(grid="report004"):
    """Centres of the quantised ab plane, in Lab units.

    Args:
        grid: `"report004"`: the ab square [-128, 127] cut into 26 × 26 = 676
            bins of width 10 (report 004). `"gamut"`: the bins of width 10
            centred on multiples of 10 that hold the ab of at least one sRGB
            color (261 bins; the in-gamut quantisation of Zhang et al. 2016,
            who published 313 bins from their own gamut estimate).

    Returns:
        A float32 NumPy array of shape `(num_bins, 2)`: (a, b) per bin.

    Example:

    >>> ab_bin_centers("report004").shape
    (676, 2)
    """
    if grid == "report004":
        centers = -128.0 + AB_BIN_WIDTH / 2 + AB_BIN_WIDTH * np.arange(26)
        a, b = np.meshgrid(centers, centers, indexing="ij")
        return np.stack([a.ravel(), b.ravel()], -1).astype("float32")
    if grid == "gamut":
        return _gamut_bins().copy()
    raise ValueError(
        f"Unknown ab grid. Expected one of {AB_BIN_GRIDS}. Received: grid={grid!r}"
    )


class _NumpyOps:
    """The same few ops from NumPy, for constants computed once (the gamut bins)."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    maximum = staticmethod(np.maximum)
    where = staticmethod(np.where)
    clip = staticmethod(np.clip)
    concatenate = staticmethod(np.concatenate)
    tensordot = staticmethod(np.tensordot)

    @staticmethod
    def constant(value, like):
        return np.asarray(value, dtype=like.dtype)
