"""User color hints (Zhang et al., SIGGRAPH 2017): sparse ab patches + a mask.

A hint model (`models.unet(hints=True)`) sees 4 channels: `L / 100`, a sparse
hint map of ab / 128 (2 channels, zero where there is no hint) and a mask
(1 where a hint is given). Training reveals a random number of small patches
of the true colors (`keras_colorize.data.with_hints`), so the same model
works with no hint at all and improves with more.

A patch is given by one 0/1 row mask and one 0/1 column mask (a rectangle);
`paint_patches` turns them into the hint channels with `einsum` only, so the
same formula runs in NumPy, `keras.ops` and `tf` (the `tf.data` twin in
`keras_colorize.data.hints`) and cannot drift apart.
"""

import numpy as np

from keras_colorize import color

# L + hint ab + mask.
HINT_CHANNELS = 3
INPUT_CHANNELS = 1 + HINT_CHANNELS
# Side, in pixels of the model's input, of the patch painted for a user hint.
USER_HINT_PATCH = 3


def paint_patches(xp, ab, rows, cols, values=None):
    """Paints rectangular hint patches: their ab values and the mask.

    Args:
        xp: an ops namespace with `einsum`, `maximum` and `minimum`
            (`numpy`, `keras.ops` or `tensorflow`).
        ab: `(B, H, W, 2)` true ab / 128, used for the patch means when
            `values` is None (ignored otherwise, may be None).
        rows: `(B, N, H)` 0/1 float row masks, one per patch (all zeros for
            an unused patch).
        cols: `(B, N, W)` 0/1 float column masks.
        values: `(B, N, 2)` ab / 128 of each patch, or None for the mean of
            the true ab over the patch (simulated hints).

    Returns:
        `(hint_ab, mask)`: `(B, H, W, 2)` where overlapping patches are
        averaged, and `(B, H, W, 1)` in {0, 1}.

    Example:

    >>> rows = np.zeros((1, 1, 4)); rows[0, 0, 1:3] = 1
    >>> ab = np.ones((1, 4, 4, 2)) * 0.5
    >>> hint_ab, mask = paint_patches(np, ab, rows, rows)
    >>> int(mask.sum()), float(hint_ab.max())
    (4, 0.5)
    """
    if values is None:
        area = xp.einsum("bnh,bnw->bn", rows, cols)
        sums = xp.einsum("bnh,bhwc,bnw->bnc", rows, ab, cols)
        values = sums / xp.maximum(area, 1.0)[..., None]
    count = xp.einsum("bnh,bnw->bhw", rows, cols)[..., None]
    painted = xp.einsum("bnh,bnw,bnc->bhwc", rows, cols, values)
    return painted / xp.maximum(count, 1.0), xp.minimum(count, 1.0)


def _band(starts, sizes, length):
    """`(..., length)` 0/1 masks of `[start, start + size)`."""
    index = np.arange(length)
    return ((index >= starts[..., None]) & (index < (starts + sizes)[..., None])).astype("float32")


def random_hints(ab, num_points, patch_size=3, seed=None):
    """Hint channels of `num_points` random true-color patches (NumPy).

    The evaluation protocol of the hint benchmark: uniform locations, each
    patch showing the mean of the true ab under it.

    Args:
        ab: `(B, H, W, 2)` or `(H, W, 2)` true ab / 128.
        num_points: patches per image (0 gives empty hint channels).
        patch_size: side of each square patch, in pixels.
        seed: seed of the locations.

    Returns:
        float32 `(..., H, W, 3)`: hint ab / 128 and the mask.

    Example:

    >>> hints = random_hints(np.zeros((8, 8, 2)), num_points=2, patch_size=1, seed=0)
    >>> hints.shape, float(hints[..., 2].sum())
    ((8, 8, 3), 2.0)
    """
    ab = np.asarray(ab, np.float32)
    single = ab.ndim == 3
    batch = ab[None] if single else ab
    if batch.ndim != 4 or batch.shape[-1] != 2:
        raise ValueError(f"`ab` must have shape (B, H, W, 2) or (H, W, 2). Received: shape={ab.shape}")
    if not isinstance(num_points, int) or num_points < 0:
        raise ValueError(f"`num_points` must be an integer >= 0. Received: num_points={num_points!r}")
    b, h, w, _ = batch.shape
    if not isinstance(patch_size, int) or not 1 <= patch_size <= min(h, w):
        raise ValueError(
            f"`patch_size` must be an integer in [1, {min(h, w)}]. Received: patch_size={patch_size!r}"
        )
    rng = np.random.default_rng(seed)
    sizes = np.full((b, num_points), patch_size)
    rows = _band(rng.integers(0, h - patch_size + 1, (b, num_points)), sizes, h)
    cols = _band(rng.integers(0, w - patch_size + 1, (b, num_points)), sizes, w)
    hint_ab, mask = paint_patches(np, batch, rows, cols)
    hints = np.concatenate([hint_ab, mask], axis=-1).astype(np.float32)
    return hints[0] if single else hints


def user_hints(points, shape, patch_size=USER_HINT_PATCH):
    """Hint channels for user colors at given pixels of the model's input.

    Args:
        points: list of `((row, col), (r, g, b))` with integer pixel
            coordinates of the `(H, W)` input and 8-bit sRGB colors.
        shape: `(H, W)` of the model's input.
        patch_size: side of the square painted around each point.

    Returns:
        float32 `(H, W, 3)`: hint ab / 128 (the ab of each color) and mask.

    Example:

    >>> hints = user_hints([((2, 2), (255, 0, 0))], (8, 8), patch_size=1)
    >>> round(float(hints[2, 2, 0] * 128))  # a* of pure red
    80
    """
    h, w = shape
    hints = np.zeros((h, w, HINT_CHANNELS), np.float32)
    if not points:
        return hints
    centers = np.asarray([p for p, _ in points], np.int64)
    rgb = np.asarray([c for _, c in points], np.float32) / 255.0
    lab = color.rgb_to_lab_numpy(rgb)
    half = patch_size // 2
    sizes = np.full((1, len(points)), patch_size)
    rows = _band(centers[None, :, 0] - half, sizes, h)
    cols = _band(centers[None, :, 1] - half, sizes, w)
    values = (lab[None, :, 1:] / color.AB_SCALE).astype(np.float32)
    hint_ab, mask = paint_patches(np, None, rows, cols, values)
    return np.concatenate([hint_ab, mask], axis=-1)[0].astype(np.float32)
