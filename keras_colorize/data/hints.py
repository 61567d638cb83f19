"""Simulated color hints for training hint models, as a `tf.data` map.

The `tf` twin of `keras_colorize.hints`: the patches are painted by the same
`paint_patches` formula with `tf` ops (a `keras.ops` call raises inside
`tf.data` on the JAX backend).
"""

import tensorflow as tf

from keras_colorize.hints import paint_patches

# Zhang et al. (2017): number of revealed points ~ geometric with p = 1/8.
DEFAULT_POINT_PROBABILITY = 0.125


def _band(starts, sizes, length):
    index = tf.range(length)
    inside = (index >= starts[..., None]) & (index < (starts + sizes)[..., None])
    return tf.cast(inside, tf.float32)


def simulate_hints(ab, p=DEFAULT_POINT_PROBABILITY, max_points=32, max_patch=5, rng=None):
    """Random hint channels for a batch of true ab (`tf`).

    Each image gets N ~ Geometric(p) patches (P(N = k) = (1 − p)^k p, so
    N = 0, no hint, is the most frequent case; capped at `max_points`) at
    uniform locations, of sides uniform in [1, `max_patch`], each showing the
    mean true ab under it.

    Args:
        ab: `(B, H, W, 2)` float32 ab / 128.
        p: success probability of the geometric distribution, in (0, 1].
        max_points: cap on the number of patches per image.
        max_patch: largest patch side, in pixels.
        rng: a `tf.random.Generator` (None: the global one).

    Returns:
        `(B, H, W, 3)` float32: hint ab / 128 and the mask.

    Example:

    >>> hints = simulate_hints(tf.zeros((2, 16, 16, 2)), rng=tf.random.Generator.from_seed(0))
    >>> hints.shape
    TensorShape([2, 16, 16, 3])
    """
    shape = tf.shape(ab)
    b, h, w = shape[0], shape[1], shape[2]
    rng = rng if rng is not None else tf.random.get_global_generator()
    uniform = rng.uniform((b,), minval=1e-7, maxval=1.0)
    counts = tf.math.floor(tf.math.log(uniform) / tf.math.log1p(-p)) if p < 1 else tf.zeros((b,))
    counts = tf.minimum(tf.cast(counts, tf.int32), max_points)
    used = tf.sequence_mask(counts, max_points, dtype=tf.float32)  # (B, N)
    sizes = rng.uniform((b, max_points), 1, max_patch + 1, dtype=tf.int32)
    sizes = tf.minimum(sizes, tf.minimum(h, w))
    top = tf.cast(rng.uniform((b, max_points)) * tf.cast(h - sizes + 1, tf.float32), tf.int32)
    left = tf.cast(rng.uniform((b, max_points)) * tf.cast(w - sizes + 1, tf.float32), tf.int32)
    rows = _band(top, sizes, h) * used[..., None]
    cols = _band(left, sizes, w)
    hint_ab, mask = paint_patches(tf, ab, rows, cols)
    return tf.concat([hint_ab, mask], axis=-1)


def with_hints(ds, p=DEFAULT_POINT_PROBABILITY, max_points=32, max_patch=5, seed=None):
    """Turns `(L, ab)` batches into `(L ‖ hint ab ‖ mask, ab)` for hint models.

    Args:
        ds: a `tf.data.Dataset` of `(L / 100, ab / 128)` batches, e.g. from
            `keras_colorize.data.from_directory` with `color_space="lab"`.
        p: geometric parameter of the number of patches (Zhang et al. 2017:
            1/8; mean 7 patches, 12.5 % of images without any).
        max_points: cap on the number of patches per image.
        max_patch: largest patch side, in pixels.
        seed: int seed of the hint draws (None: a fresh draw each epoch).

    Returns:
        A dataset of `((B, H, W, 4), (B, H, W, 2))` pairs, of the same
        length; keeps `ds.skipped` for compatibility (`check_images` gives
        the skipped files whatever the dataset went through).

    Raises:
        ValueError: for `p` outside (0, 1] or a non-positive cap or patch.

    Example:

    >>> train = with_hints(from_directory("photos/", image_size=64))  # doctest: +SKIP
    >>> models.unet(input_size=64, hints=True).fit(train)  # doctest: +SKIP
    """
    if not 0 < p <= 1:
        raise ValueError(f"`p` must be in (0, 1]. Received: p={p!r}")
    for name, value in (("max_points", max_points), ("max_patch", max_patch)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")
    generator = (
        tf.random.Generator.from_seed(seed)
        if seed is not None
        else tf.random.Generator.from_non_deterministic_state()
    )

    def add_hints(lightness, ab):
        hints = simulate_hints(ab, p, max_points, max_patch, generator)
        return tf.concat([lightness, hints], axis=-1), ab

    hinted = ds.map(add_hints)
    hinted.skipped = getattr(ds, "skipped", [])
    return hinted
