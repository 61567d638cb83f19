"""`tf.data` pipelines from folders of real photos: `(L, ab)` batches for `fit`."""

import functools
import os

import numpy as np
import tensorflow as tf

from keras_colorize import color
from keras_colorize import color_tf
from keras_colorize.data import files

RESIZE_MODES = ("crop", "pad", "resize")
COLOR_SPACES = ("lab", "rgb")
# Report 004's saturation filter: mean HSV saturation under 20/255 is dropped.
DEFAULT_MIN_SATURATION = 20.0 / 255.0


def apply_orientation(image, orientation):
    """Turns a decoded image upright according to its EXIF orientation (1–8).

    Example:

    >>> image = tf.zeros((2, 3, 3))
    >>> apply_orientation(image, tf.constant(6)).shape
    TensorShape([3, 2, 3])
    """
    transforms = [
        lambda: image,  # 0: unused
        lambda: image,  # 1: upright
        lambda: tf.image.flip_left_right(image),
        lambda: tf.image.rot90(image, 2),
        lambda: tf.image.flip_up_down(image),
        lambda: tf.image.transpose(image),
        lambda: tf.image.rot90(image, 3),
        lambda: tf.image.rot90(tf.image.flip_up_down(image), 1),
        lambda: tf.image.rot90(image, 1),
    ]
    return tf.switch_case(tf.cast(orientation, tf.int32), transforms)


# The scales libjpeg can decode at (its DCT scaling): 1, 1/2, 1/4, 1/8.
JPEG_SCALES = (1, 2, 4, 8)


def _is_jpeg(contents):
    return tf.equal(tf.strings.substr(contents, 0, 3), b"\xff\xd8\xff")


def decode_image(contents, orientation=1, min_short_side=None, min_shape=None):
    """Decodes JPEG / PNG / BMP / GIF / WebP bytes to upright float32 RGB in [0, 1].

    Grayscale files are expanded to three channels, alpha is dropped,
    palettes are expanded, 16-bit PNGs keep their precision and a GIF gives
    its first frame.

    Args:
        contents: the file's bytes (a string tensor).
        orientation: EXIF orientation, 1 to 8.
        min_short_side: when given, a JPEG is decoded at the smallest of
            libjpeg's DCT scales 1, 1/2, 1/4, 1/8 whose shorter side is still
            at least this many pixels: a filtered downscale at a fraction of
            the cost of decoding every pixel (the pipeline's dearest step).
            Other formats decode in full.
        min_shape: as `min_short_side` for a `(height, width)` target of
            the upright image: the decoded height and width are at least
            these (`min_short_side=n` is `min_shape=(n, n)`).

    Returns:
        A float32 tensor `(height, width, 3)`.

    Example:

    >>> contents = tf.io.encode_jpeg(tf.zeros((96, 160, 3), tf.uint8))
    >>> decode_image(contents, min_shape=(40, 40)).shape
    TensorShape([48, 80, 3])
    """
    if min_short_side is not None:
        min_shape = (min_short_side, min_short_side)

    def decode(dtype):
        image = tf.io.decode_image(contents, channels=3, dtype=dtype, expand_animations=False)
        return tf.image.convert_image_dtype(image, tf.float32)

    def decode_jpeg_scaled():
        shape = tf.io.extract_jpeg_shape(contents)[:2]
        # The file's rows are the upright image's columns for orientations 5 to 8.
        needed = tf.where(
            tf.cast(orientation, tf.int32) >= 5,
            tf.constant(min_shape[::-1], tf.int32),
            tf.constant(min_shape, tf.int32),
        )
        fits = [tf.reduce_all(shape // scale >= needed) for scale in JPEG_SCALES]
        index = tf.reduce_sum(tf.cast(fits, tf.int32)) - 1  # fits is True then False
        branches = [
            lambda scale=scale: tf.io.decode_jpeg(contents, channels=3, ratio=scale)
            for scale in JPEG_SCALES
        ]
        image = tf.switch_case(tf.maximum(index, 0), branches)
        return tf.image.convert_image_dtype(image, tf.float32)

    # TensorFlow decodes WebP to uint8 only (a float dtype raises).
    is_webp = tf.strings.regex_full_match(tf.strings.substr(contents, 0, 12), "(?s)RIFF....WEBP")
    full = lambda: tf.cond(is_webp, lambda: decode(tf.uint8), lambda: decode(tf.float32))  # noqa: E731
    if min_shape is None:
        image = full()
    else:
        image = tf.cond(_is_jpeg(contents), decode_jpeg_scaled, full)
    return apply_orientation(image, orientation)


def read_image(path):
    """Reads one image file as upright float32 RGB in [0, 1] (a NumPy array).

    The one decoding path for photo files outside the training pipeline
    (`colorize()`, the command line, the web page): `keras_colorize.decoding`,
    whose JPEG pixels are Pillow's (`np.asarray(PIL.Image.open(path))`) and
    which refuses a JPEG on which libjpeg warns (a truncated photo).

    Args:
        path: a JPEG, PNG, BMP, GIF or WebP file.

    Returns:
        A `(height, width, 3)` float32 NumPy array.

    Raises:
        ValueError: if the file is not a readable image, naming it, with a
            one-line reason.

    Example:

    >>> read_image("old_photo.jpg").shape  # doctest: +SKIP
    (1200, 800, 3)
    """
    from keras_colorize import decoding

    return decoding.read_file(path)


def _resize_to_cover(image, shape):
    """Resizes, aspect kept, to the smallest size that covers `shape` (h, w)."""
    size = tf.cast(tf.shape(image)[:2], tf.float32)
    target = tf.constant(shape, tf.int32)
    scale = tf.reduce_max(tf.cast(target, tf.float32) / size)
    new_shape = tf.maximum(tf.cast(tf.math.ceil(size * scale), tf.int32), target)
    return _resize_to(image, new_shape)


def _resize_to(image, new_shape):
    """Box-filter ("area") downscaling, bilinear upscaling.

    Area averaging is the antialiased downscale of OpenCV's `INTER_AREA` and
    runs about 2× faster here than `tf.image.resize(..., antialias=True)`,
    the pipeline's most expensive step after JPEG decoding.
    """
    shrinking = tf.reduce_all(new_shape <= tf.shape(image)[:2])
    return tf.cond(
        shrinking,
        lambda: tf.image.resize(image, new_shape, method="area"),
        lambda: tf.image.resize(image, new_shape, method="bilinear"),
    )


def _crop(image, shape, training, seed):
    """A random `(h, w)` crop when training, the centre crop otherwise."""
    height, width = shape
    if training:
        return tf.image.random_crop(image, (height, width, 3), seed=seed)
    offset = (tf.shape(image)[:2] - tf.constant(shape)) // 2
    return tf.image.crop_to_bounding_box(image, offset[0], offset[1], height, width)


def _resize(image, shape, resize):
    """The deterministic part of resizing: what `cache` may keep."""
    if resize == "crop":
        return _resize_to_cover(image, shape)
    if resize == "pad":
        return tf.image.resize_with_pad(image, shape[0], shape[1], antialias=True)
    return _resize_to(image, tf.constant(shape))


def _dihedral(images, flips, turns):
    """Flips (where `flips`) then turns by `turns` × 90° each square image of a batch.

    The eight symmetries of a square as index selections over the whole
    batch, one XLA pass (per-image `tf.image` maps in `tf.data` cost more
    than the Lab conversion itself). A batch of non-square images keeps its
    shape under flips and half turns only: an odd `turns` is a half turn.
    """
    images = tf.where(flips[:, None, None, None], images[:, :, ::-1], images)
    if images.shape[1] != images.shape[2]:
        return tf.where((turns % 2 == 1)[:, None, None, None], images[:, ::-1, ::-1], images)
    transposed = tf.transpose(images, (0, 2, 1, 3))
    turned = [
        images,
        transposed[:, ::-1],  # 90° counter-clockwise, as tf.image.rot90
        images[:, ::-1, ::-1],
        transposed[:, :, ::-1],
    ]
    turns = turns[:, None, None, None]
    return tf.where(turns == 0, turned[0], tf.where(turns == 1, turned[1],
                    tf.where(turns == 2, turned[2], turned[3])))


def _mean_saturation(image):
    return tf.reduce_mean(tf.image.rgb_to_hsv(image)[..., 1])


@functools.lru_cache(maxsize=None)
def _to_network(color_space, variant, with_lightness=False, augment=False, seed=None):
    """Maps an RGB batch to the network's (input, target) pair, augmented
    first (random horizontal flips and 90° turns, report 003) if `augment`.

    One function per setting for the process, so that datasets built alike
    share their traced and XLA-compiled computations instead of compiling anew."""

    # Two XLA computations: 3× the throughput of the plain graph on CPU
    # (benchmarks/); fused into one, XLA recomputes the turns per channel.
    symmetry = tf.function(_dihedral, jit_compile=True)

    @tf.function(jit_compile=True)
    def convert(rgb):
        lab = color_tf.rgb_to_lab(rgb, variant)
        lightness = lab[..., :1] / color.L_SCALE
        if color_space == "rgb":
            return lightness, rgb
        ab = lab[..., 1:] / color.AB_SCALE
        if with_lightness:
            return lightness, tf.concat([lightness, ab], axis=-1)
        return lightness, ab

    def augment_and_convert(rgb):
        if augment:
            size = tf.shape(rgb)[:1]
            flips = tf.random.uniform(size, seed=seed) < 0.5
            turns = tf.random.uniform(size, 0, 4, dtype=tf.int32, seed=seed)
            rgb = symmetry(rgb, flips, turns)
        return convert(rgb)

    return augment_and_convert


def _image_shape(image_size):
    """`image_size` (an int or a `(height, width)` pair) as a `(height, width)` tuple."""
    def side(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 8

    if side(image_size):
        return (int(image_size), int(image_size))
    if isinstance(image_size, (tuple, list)) and len(image_size) == 2 and all(map(side, image_size)):
        return (int(image_size[0]), int(image_size[1]))
    raise ValueError(
        "`image_size` must be an integer >= 8 or a (height, width) pair of them. "
        f"Received: image_size={image_size!r}"
    )


def _check_arguments(image_size, batch_size, color_space, resize, min_saturation,
                     with_lightness=False):
    _image_shape(image_size)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )
    if color_space not in COLOR_SPACES:
        raise ValueError(
            f"`color_space` must be one of {COLOR_SPACES}. Received: color_space={color_space!r}"
        )
    if with_lightness and color_space != "lab":
        raise ValueError(
            "`with_lightness=True` adds L to a Lab target; it needs "
            f"color_space='lab'. Received: color_space={color_space!r}"
        )
    if resize not in RESIZE_MODES:
        raise ValueError(
            f"`resize` must be one of {RESIZE_MODES}. Received: resize={resize!r}"
        )
    if min_saturation is not None and not 0.0 <= min_saturation < 1.0:
        raise ValueError(
            "`min_saturation` is a mean HSV saturation in [0, 1) (report 004: "
            f"20/255). Received: min_saturation={min_saturation!r}"
        )


def check_images(paths):
    """Checks image files as `from_files` does: which are readable, which are not and why.

    Reads each file's header and last bytes (no decoding). The result is a
    plain list that survives whatever is done to a dataset afterwards
    (`dataset.skipped` is lost by `.map`, `.take`, ...).

    Args:
        paths: image file paths.

    Returns:
        A tuple `(good, skipped)`: the readable paths in their order, and a
        list of `(path, reason)` tuples for the others. A single
        `UserWarning` names the skipped files.

    Example:

    >>> good, skipped = check_images(list_images("photos/"))  # doctest: +SKIP
    >>> skipped  # doctest: +SKIP
    [('photos/empty.jpg', 'empty file')]
    >>> train = from_files(good, image_size=64)  # doctest: +SKIP
    """
    good, _, skipped = files.check_images([os.fspath(p) for p in paths])
    return good, skipped


class _CheckedFiles(list):
    """Paths `files.check_images` found readable, with their EXIF
    orientations and the files of the same request it left out: what
    `from_directory` hands to `from_files` so each file is checked once."""

    def __init__(self, good, orientations, skipped):
        super().__init__(good)
        self.orientations = list(orientations)
        self.skipped = list(skipped)


def _no_readable_file(paths, skipped):
    return ValueError(
        f"None of the {len(paths)} file(s) given is a readable image: "
        f"{skipped[:3]}{' ...' if len(skipped) > 3 else ''}"
    )


def from_files(
    paths,
    image_size=256,
    batch_size=32,
    color_space="lab",
    resize="crop",
    training=False,
    augment=False,
    min_saturation=None,
    cache=False,
    seed=None,
    variant="cie",
    num_parallel_calls=tf.data.AUTOTUNE,
    with_lightness=False,
):
    """A `tf.data.Dataset` of `(L, ab)` training batches from image files.

    Every file is checked first (header and tail, no decoding, as
    `check_images` does): unreadable, empty, truncated or non-image files
    are skipped, listed in one warning and in the dataset's `skipped`
    attribute; they never stop a run.

    The dataset's length is known (`len(ds)` batches, so Keras shows an ETA)
    unless `min_saturation` is given. A file that passes the checks but
    fails to decode is dropped with a logged warning naming it, and the next
    photo (of a fresh shuffle when training) takes its place, so every pass
    holds as many photos as there are good files; only if more than half of
    them fail does the pass end short, with an error saying so.

    Args:
        paths: image file paths (JPEG, PNG incl. alpha / palette / 16-bit,
            BMP, GIF first frame; grayscale files are expanded to RGB and EXIF
            orientation is applied).
        image_size: side of the square crops, in pixels, or a
            `(height, width)` pair (as `keras.utils.image_dataset_from_directory`).
        batch_size: images per batch (the last batch may be smaller).
        color_space: `"lab"` gives `(L/100, ab/128)` with shapes
            `(B, H, W, 1)` and `(B, H, W, 2)`; `"rgb"` gives `(L/100, rgb)`
            for networks that predict RGB (reports 003 and 004).
        resize: `"crop"` (resized to cover `image_size`, aspect kept, then a
            random crop when training, a centre crop otherwise), `"pad"`
            (whole image, aspect kept, zero padded) or `"resize"` (stretched).
        training: shuffle each epoch and crop at random.
        augment: random horizontal flips and 90° rotations (report 003);
            half turns only for a non-square `image_size`.
        min_saturation: drop photos whose mean HSV saturation is below this
            value in [0, 1) (report 004 uses `DEFAULT_MIN_SATURATION`, 20/255).
        cache: False, True (in memory) or a file path prefix: caches decoded,
            resized images so later epochs skip decoding.
        seed: seed for shuffling, crops and augmentation.
        variant: Lab variant, `"cie"` or `"report000"`.
        num_parallel_calls: parallelism of the decode map.
        with_lightness: with `color_space="lab"`, the target is 3-channel
            scaled Lab `(L/100, a/128, b/128)` instead of ab / 128: what
            `PerceptualLoss` and the metrics of `keras_colorize.metrics`
            need. ab stays in the last two channels, where every loss reads it.

    Returns:
        A `tf.data.Dataset` of float32 `(inputs, targets)` batches, with an
        attribute `skipped`: a list of `(path, reason)` for the files left out
        (kept for compatibility; `.map`, `.take` etc. return datasets without
        it: call `check_images` for a list of your own).

    Raises:
        ValueError: for a bad argument, or if no file is readable.

    Example:

    >>> ds = from_files(["a.jpg", "b.png"], image_size=64, batch_size=2)  # doctest: +SKIP
    >>> model.fit(ds, epochs=1, shuffle=False)  # doctest: +SKIP
    """
    _check_arguments(
        image_size, batch_size, color_space, resize, min_saturation, with_lightness
    )
    color.check_variant(variant)
    if isinstance(paths, _CheckedFiles):
        good, orientations, skipped = list(paths), paths.orientations, paths.skipped
    else:
        paths = [os.fspath(p) for p in paths]
        good, orientations, skipped = files.check_images(paths)
        if not good:
            raise _no_readable_file(paths, skipped)
    shape = _image_shape(image_size)
    count = len(good)
    ds = tf.data.Dataset.from_tensor_slices(
        (tf.constant(good), tf.constant(orientations, tf.int32))
    )
    if training and not cache:
        ds = ds.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    # Without the saturation filter the number of photos is known: a second
    # pass stands by, so that a file that passes the checks but fails to
    # decode (dropped below, with a logged warning) is replaced by the next
    # photo and each pass still holds `count` photos.
    known_length = min_saturation is None
    if known_length:
        ds = ds.repeat(2)

    # The crop joins the decoding map unless the cache or the saturation
    # filter needs the whole photo first.
    crop_now = resize == "crop" and not cache and min_saturation is None

    def load(path, orientation):
        # Crops and stretched squares need the target covered (a padded
        # square keeps the whole photo: decoded in full).
        needed = shape if resize != "pad" else None
        image = decode_image(tf.io.read_file(path), orientation, min_shape=needed)
        image = _resize(image, shape, resize)
        return _crop(image, shape, training, seed) if crop_now else image

    ds = ds.map(load, num_parallel_calls=num_parallel_calls)
    ds = ds.ignore_errors(log_warning=True)  # a file that fails despite the checks
    if known_length:
        ds = ds.take(count).apply(tf.data.experimental.assert_cardinality(count))
    else:
        ds = ds.filter(lambda image: _mean_saturation(image) >= min_saturation)
    if cache:
        ds = ds.cache("" if cache is True else os.fspath(cache))
        if training:
            ds = ds.shuffle(min(count, 1024), seed=seed, reshuffle_each_iteration=True)
    if resize == "crop" and not crop_now:  # after the cache (each epoch crops anew) or the filter
        ds = ds.map(
            lambda image: _crop(image, shape, training, seed),
            num_parallel_calls=num_parallel_calls,
        )
    ds = ds.batch(batch_size)
    ds = ds.map(
        _to_network(color_space, variant, with_lightness, augment, seed),
        num_parallel_calls=num_parallel_calls,
    )
    ds = ds.prefetch(tf.data.AUTOTUNE)
    ds.skipped = skipped
    return ds




def from_directory(
    directory,
    image_size=256,
    batch_size=32,
    color_space="lab",
    subset=None,
    validation_split=0.0,
    test_split=0.0,
    seed=1337,
    **kwargs,
):
    """A `tf.data.Dataset` of `(L, ab)` batches from a folder of photos.

    Files are found recursively and split deterministically by a hash of
    their name, so the same photo is in the same subset on every machine.
    As in `keras.utils.image_dataset_from_directory`, `subset="both"` gives
    the training and validation datasets at once.

    Args:
        directory: folder of images (searched recursively).
        image_size: side of the square crops, in pixels, or a
            `(height, width)` pair.
        batch_size: images per batch.
        color_space: `"lab"` or `"rgb"` (see `from_files`).
        subset: `"training"`, `"validation"`, `"test"`, `"both"` (a
            `(training, validation)` tuple) or None (all files). Training
            shuffles and crops at random unless `training=` is given.
        validation_split: fraction of files for validation.
        test_split: fraction of files for test (report 000: 0.16 and 0.04
            for its 80 / 16 / 4 split).
        seed: seed of the split and of the random operations.
        **kwargs: `resize`, `training`, `augment`, `min_saturation`, `cache`,
            `variant`, `num_parallel_calls`, `with_lightness` (see `from_files`).
            With `subset="both"`, `training` and `augment` apply to the
            training dataset only, and a `cache` path prefix gets a
            `_training` / `_validation` suffix.

    Returns:
        A `tf.data.Dataset` as `from_files` returns it; for `subset="both"`
        a tuple `(training, validation)` of them. Each dataset's `skipped`
        lists the unreadable files of its own subset; one warning names them
        all.

    Raises:
        ValueError: if `directory` is not a folder, holds no image, or the
            subset is empty.

    Example:

    >>> train, val = from_directory("photos/", image_size=(96, 128), subset="both",
    ...                             validation_split=0.2)  # doctest: +SKIP
    >>> model.fit(train, validation_data=val, epochs=10, shuffle=False)  # doctest: +SKIP
    """
    _check_arguments(
        image_size, batch_size, color_space, kwargs.get("resize", "crop"),
        kwargs.get("min_saturation"), kwargs.get("with_lightness", False),
    )
    if subset == "both":
        if not validation_split:
            raise ValueError(
                "subset='both' returns (training, validation) datasets and needs a "
                f"non-zero `validation_split`. Received: validation_split={validation_split!r}"
            )
        subsets = ("training", "validation")
    else:
        subsets = (subset,)
    everything = files.list_images(directory)
    chosen = {
        name: files.split_files(everything, name, validation_split, test_split, seed)
        for name in subsets
    }
    for name, paths in chosen.items():
        if not paths:
            raise ValueError(
                f"subset={name!r} of directory={os.fspath(directory)!r} is empty: "
                "use more files or a larger split."
            )
    # Each file is checked once, with one warning for all the subsets.
    good, orientations, skipped = files.check_images(
        [path for name in subsets for path in chosen[name]]
    )
    orientation_of = dict(zip(good, orientations))
    reasons = dict(skipped)
    datasets = []
    for name in subsets:
        options = dict(kwargs)
        if subset == "both":
            if name == "validation":
                options.update(training=False, augment=False)
            cache = options.get("cache")
            if cache and cache is not True:
                options["cache"] = f"{os.fspath(cache)}_{name}"
        options.setdefault("training", name in (None, "training"))
        kept = [path for path in chosen[name] if path in orientation_of]
        left_out = [(path, reasons[path]) for path in chosen[name] if path in reasons]
        if not kept:
            raise _no_readable_file(chosen[name], left_out)
        checked = _CheckedFiles(kept, [orientation_of[path] for path in kept], left_out)
        datasets.append(from_files(
            checked, image_size=image_size, batch_size=batch_size, color_space=color_space,
            seed=seed, **options,
        ))
    return tuple(datasets) if subset == "both" else datasets[0]
