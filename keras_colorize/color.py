"""CIE Lab <-> sRGB conversion, the network scaling and gamut fitting, defined once.

(The quantised ab plane, its bins and their decoding, is `keras_colorize.bins`;
the former names here, `ab_bin_centers`, `decode_ab`, `AB_BIN_GRIDS`, ...,
still work and come from there.)

Everything here is written with `keras.ops`, so it runs on the TensorFlow, JAX
and PyTorch backends, on the accelerator when it runs inside a model.
`keras_colorize.color_tf` runs the very same formulas with `tf` ops inside
`tf.data` pipelines and exported graphs: both call the private
`_rgb_to_lab` / `_lab_to_rgb` below with a different ops namespace
(`KerasOps`, `NumpyOps`, `color_tf.TFOps`), so they cannot drift apart.

Conventions:
    * RGB is float sRGB in [0, 1] (integer arrays are scaled by their dtype's
      maximum), channels last, any leading dimensions.
    * L is in [0, 100], a and b in about [-128, 127].
    * The networks see `L / 100` (in [0, 1]) and predict `ab / 128`
      (in [-1, 1], a tanh output): see `scale_lab` and `unscale_lab`.
"""

import keras
import numpy as np
from keras import ops

from keras_colorize._aliases import current_name

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
    # Rounded constants (0.008856, 7.787, 903.3) and the white point
    # Xn=0.950456, Zn=1.088754, as printed in report 000's Figure 2 (and in
    # OpenCV's cvtColor documentation).
    "rounded": {
        "white": (0.950456, 1.0, 1.088754),
        "epsilon": 0.008856,
        "slope": 7.787,
        "kappa": 903.3,
    },
}

# sRGB transfer function (IEC 61966-2-1).
_SRGB_DECODE_THRESHOLD = 0.04045
_SRGB_ENCODE_THRESHOLD = 0.0031308


# Former names, still accepted wherever a variant is (saved models use them).
VARIANT_ALIASES = {"report000": "rounded"}


def variant_name(variant):
    """The name of a Lab variant (a former name is translated), or a `ValueError`.

    Example:

    >>> variant_name("report000")
    'rounded'
    """
    return current_name(variant, LAB_VARIANTS, VARIANT_ALIASES, "Lab variant", "variant")


def check_variant(variant):
    """Returns the constants of a Lab variant, or raises a `ValueError`."""
    return LAB_VARIANTS[variant_name(variant)]


# The three powers of the conversion (t^(1/3), u^2.4, v^(1/2.4)) from square
# roots, a few multiply-adds and one division each, instead of pow or
# exp·log: 2-3× faster on CPUs and exact to float32 rounding (2e-7 relative)
# on the domains the formulas use. Each starts from a quadratic in s = t^(1/4)
# (least squares on the relative error, coefficients highest power first)
# and takes one Halley step for y^n = a, y <- y·((n−1)·y^n + (n+1)·a) /
# ((n+1)·y^n + (n−1)·a), which cubes the relative error (0.5 % -> 1e-7).
_CUBE_ROOT_START = (0.31680794, 0.73474794, -0.04928149)  # t^(1/3), t in [0.0088, 1.3]
_CUBE_ROOT_MIN = 216.0 / 24389.0 * 0.999
_POWER_0_4_START = (0.54062551, 0.53250754, -0.07244049)  # u^0.4, u in [0.09, 1]
_DECODE_MIN = (_SRGB_DECODE_THRESHOLD + 0.055) / 1.055


def _quadratic(coefficients, s):
    c2, c1, c0 = coefficients
    return (c2 * s + c1) * s + c0


def _halley_steps(x):
    """One step reaches float32 rounding; a second one reaches float64's."""
    return 2 if "float64" in str(x.dtype) else 1


def _cube_root(xp, t):
    """t^(1/3) for t >= 0.0088 (smaller t is clamped there: callers select
    another branch for it, and the clamp keeps gradients finite)."""
    t = xp.maximum(t, _CUBE_ROOT_MIN)
    y = _quadratic(_CUBE_ROOT_START, xp.sqrt(xp.sqrt(t)))
    for _ in range(_halley_steps(t)):
        y3 = y * y * y
        y = y * (y3 + 2.0 * t) / (2.0 * y3 + t)
    return y


def _srgb_decode_power(xp, u):
    """u^2.4 = u²·u^0.4 for u = (c + 0.055) / 1.055 of the curved sRGB branch."""
    u = xp.maximum(u, _DECODE_MIN)
    u2 = u * u
    y = _quadratic(_POWER_0_4_START, xp.sqrt(xp.sqrt(u)))
    for _ in range(_halley_steps(u)):
        y5 = y * y * y * y * y
        y = y * (4.0 * y5 + 6.0 * u2) / (6.0 * y5 + 4.0 * u2)
    return u2 * y


def _srgb_encode_power(xp, v):
    """v^(1/2.4) = v^(1/4)·(v^(1/2))^(1/3) for linear v >= 0.0031308."""
    root = xp.sqrt(xp.maximum(v, _SRGB_ENCODE_THRESHOLD))
    return xp.sqrt(root) * _cube_root(xp, root)


def _mix(matrix, channels):
    """`matrix` (3×3 floats) times the column of three channel tensors."""
    return [sum(float(m) * channel for m, channel in zip(row, channels)) for row in matrix]


def _channels(image):
    """The three channels, each `(..., 1)` (no rank change: TFLite's builtins
    lack strided slices that drop or add axes)."""
    return [image[..., i : i + 1] for i in range(3)]


# The formulas below work on the three channels as separate tensors joined
# by scalar multiply-adds, so that XLA fuses a whole conversion into one pass
# over memory (2× faster on CPU than 3×3 matrix products, which each cost a
# pass) while the cheap powers above keep the per-channel recomputation small.


def _rgb_to_lab(xp, rgb, variant):
    """RGB -> Lab with the ops of namespace `xp` (keras.ops or a tf adapter)."""
    c = check_variant(variant)
    linear = [
        xp.where(v > _SRGB_DECODE_THRESHOLD, _srgb_decode_power(xp, (v + 0.055) / 1.055), v / 12.92)
        for v in _channels(rgb)
    ]
    x, y, z = _mix(SRGB_TO_XYZ / np.asarray(c["white"])[:, None], linear)
    fx, fy, fz = (
        xp.where(t > c["epsilon"], _cube_root(xp, t), c["slope"] * t + 16.0 / 116.0)
        for t in (x, y, z)
    )
    # L's linear branch is kappa·Y (equal to 116·f(Y) − 16 but for rounding).
    lightness = xp.where(y > c["epsilon"], 116.0 * fy - 16.0, c["kappa"] * y)
    return xp.concatenate([lightness, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def _lab_to_linear_rgb(xp, lab, variant):
    """Lab -> linear (not gamma-encoded) sRGB channels, unclipped, with namespace `xp`."""
    c = check_variant(variant)
    lightness, a, b = _channels(lab)
    fy = (lightness + 16.0) / 116.0
    f_epsilon = c["epsilon"] ** (1.0 / 3.0)
    x, z = (
        xp.where(f > f_epsilon, f * f * f, (f - 16.0 / 116.0) / c["slope"])
        for f in (fy + a / 500.0, fy - b / 200.0)
    )
    # Y from L directly: its linear branch is L / kappa.
    y = xp.where(lightness > c["kappa"] * c["epsilon"], fy * fy * fy, lightness / c["kappa"])
    return _mix(XYZ_TO_SRGB * np.asarray(c["white"])[None, :], [x, y, z])


def _lab_to_rgb(xp, lab, variant):
    """Lab -> RGB in [0, 1] (out-of-gamut colors clipped) with namespace `xp`."""
    rgb = []
    for v in _lab_to_linear_rgb(xp, lab, variant):
        v = xp.clip(v, 0.0, 1.0)
        rgb.append(xp.where(v > _SRGB_ENCODE_THRESHOLD, 1.055 * _srgb_encode_power(xp, v) - 0.055, 12.92 * v))
    return xp.concatenate(rgb, axis=-1)


def _fit_chroma(xp, lab, variant, steps, tolerance):
    """Bisection for the largest chroma factor in [0, 1] that fits sRGB, per color."""
    lightness, ab = lab[..., :1], lab[..., 1:]

    def fits(factor):
        r, g, b = _lab_to_linear_rgb(xp, xp.concatenate([lightness, ab * factor], axis=-1), variant)
        worst = xp.maximum(xp.maximum(xp.maximum(-r, r - 1.0), xp.maximum(-g, g - 1.0)),
                           xp.maximum(-b, b - 1.0))
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
    graphs is `keras_colorize.color_tf.fit_chroma_to_gamut`.

    Args:
        lab: array `(..., 3)` of L in [0, 100] and a, b.
        variant: `"cie"` or `"rounded"`.
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
    linear = np.concatenate(_lab_to_linear_rgb(NumpyOps, flat, variant), axis=-1)
    index = np.flatnonzero(((linear < -tolerance) | (linear > 1.0 + tolerance)).any(axis=-1))
    if index.size:
        flat[index] = _fit_chroma(NumpyOps, flat[index], variant, steps, tolerance)
    return lab


# The ops the formulas of this module (and of `bins`) call on their namespace `xp`.
OPS = ("sqrt", "maximum", "where", "clip", "concatenate", "floor", "take", "cast")


def _namespace(name, doc, module, owner=__name__, **replaced):
    """A class holding `OPS` from `module` (or `replaced`) as static methods,
    defined in the module named `owner`."""
    members = {op: staticmethod(replaced.get(op) or getattr(module, op)) for op in OPS}
    return type(name, (), {**members, "__doc__": doc, "__module__": owner})


KerasOps = _namespace(
    "KerasOps",
    "`OPS` from `keras.ops` (backend-agnostic). `keras_colorize.color_tf.TFOps` holds them from `tf`, "
    "for `tf.data` and exported graphs.",
    ops,
)
NumpyOps = _namespace(
    "NumpyOps",
    "`OPS` from NumPy, for constants computed once (the gamut bins) and offline statistics "
    "(priors, `evaluation`).",
    np,
    cast=lambda x, dtype: np.asarray(x).astype(dtype),
)



def rgb_to_lab_numpy(rgb, variant="cie"):
    """`rgb_to_lab` in float64 NumPy, no Keras backend (RGB floats in [0, 1]).

    Example:

    >>> [round(float(v), 1) for v in rgb_to_lab_numpy(np.array([1.0, 0.0, 0.0]))]
    [53.2, 80.1, 67.2]
    """
    return np.asarray(_rgb_to_lab(NumpyOps, np.asarray(rgb, dtype="float64"), variant))


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
            `skimage.color.rgb2lab`) or `"rounded"` (the rounded constants
            and white point Xn=0.950456, Zn=1.088754 of report 000; also
            accepted under its former name `"report000"`).

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
    return _rgb_to_lab(KerasOps, images, variant)


def lab_to_rgb(lab, variant="cie"):
    """Converts CIE Lab (D65) to sRGB in [0, 1], clipping out-of-gamut colors.

    Args:
        lab: float Lab values, channels last (L, a, b), any leading dimensions.
        variant: `"cie"` or `"rounded"`, as in `rgb_to_lab`.

    Returns:
        A float tensor of the same shape, sRGB in [0, 1].

    Example:

    >>> rgb = lab_to_rgb(np.array([[53.2408, 80.0925, 67.2032]]))
    >>> [round(float(v), 3) for v in rgb[0]]
    [1.0, 0.0, 0.0]
    """
    lab = ops.convert_to_tensor(lab)
    _check_channels(lab, "lab")
    return _lab_to_rgb(KerasOps, lab, variant)


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


# The ab bins moved to `keras_colorize.bins`; their former names here stay as
# aliases (read lazily: `bins` imports this module).
_BIN_ALIASES = {
    "AB_BIN_WIDTH": "BIN_WIDTH",
    "ab_bin_centers": "bin_centers",
    "decode_ab": "decode_ab",
    "DECODE_MODES": "DECODE_MODES",
}


def __getattr__(name):
    from keras_colorize import bins

    if name == "AB_BIN_GRIDS":  # every accepted spelling, as callers check names against it
        return bins.GRIDS + tuple(bins.GRID_ALIASES)
    if name in _BIN_ALIASES:
        return getattr(bins, _BIN_ALIASES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
