"""`colorize()`: photos of any size in, full-resolution color out.

The network sees a small rendering of the photo (`render_size`, aspect kept,
padded); its chroma (ab) is upsampled to the photo's own size and joined to
the photo's full-resolution lightness (L). Detail therefore comes from the
photo itself and `render_size` only trades speed for color detail (the
render-factor approach of DeOldify).

The steps are public, so that `colorize()`, `colorize_video()` and the web
page are loops over the same ones (the exported SavedModel redoes them in
`tf` ops, `keras_colorize.export`):

1. `lightness_of(rgb)`: the photo's L at full resolution;
2. `letterbox(lightness, render_side(model, render_size))`: L resized into
   the square the model sees, and where it lies there (its box);
3. `predict_ab(model, renders)`: the model on a batch of renders, its
   output decoded to ab (`prediction.decode_output`);
4. `compose(lightness, ab, box)`: the box's ab upsampled and joined to the
   full-resolution L, as an RGB uint8 photo.

Example:

>>> rgb = np.random.default_rng(0).random((300, 200, 3), "float32")
>>> lightness = lightness_of(rgb)
>>> render, box = letterbox(lightness, render_side(model, 64))  # doctest: +SKIP
>>> ab = predict_ab(model, [render])[0]  # doctest: +SKIP
>>> compose(lightness, ab, box).shape  # doctest: +SKIP
(300, 200, 3)
"""

import functools
import os
import threading
import warnings

import cv2
import keras
import numpy as np

from keras_colorize import bins
from keras_colorize import color
from keras_colorize import hints as hint_maps
from keras_colorize import progress as progress_bars
from keras_colorize.prediction import decode_output
from keras_colorize.prediction import render_side

# Rows of the full-resolution image converted at a time: bounds memory for
# very large photos (a 12000-pixel-wide strip of 512 rows is ~70 MB float32).
_ROWS_PER_STRIP = 512
# What a folder or a list does with an input that cannot be read.
ERRORS = ("raise", "skip")
# Float images may overshoot [0, 1] by this much (rounding); beyond it they
# are refused rather than clipped (0..255 floats would come out white).
_FLOAT_TOLERANCE = 1.0 / 255.0
# One forward pass at a time through the shared default model.
_DEFAULT_MODEL_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _default_model():
    """The shipped default model, loaded once per process (loading it on every
    call cost ~2 s and a new tf.function trace each time)."""
    from keras_colorize.weights import load_default_model

    return load_default_model()


class ColorizedPhotos(list):
    """What `colorize()` returns for a folder or a list: the RGB uint8 photos.

    A list, with two attributes:

    - `sources`: for each photo of the list, the input it comes from (its
      file path, or its index in the list given for an array);
    - `skipped`: `(source, reason)` for each input that could not be read
      (`errors="skip"`), the reason in one line.
    """

    def __init__(self, photos=(), sources=(), skipped=()):
        super().__init__(photos)
        self.sources = list(sources)
        self.skipped = list(skipped)


def _as_rgb_float(image):
    """Any user image (path or array, gray or RGB(A), int or float) -> float32 RGB."""
    if isinstance(image, (str, os.PathLike)):
        from keras_colorize.data import read_image  # the one decoder of files

        return read_image(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] not in (3, 4):
        raise ValueError(
            "Expected an image of shape (H, W), (H, W, 1), (H, W, 3) or "
            f"(H, W, 4). Received: shape={array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            "The image is empty: it has no pixel. Expected a height and a width "
            f"of at least 1. Received: shape={np.shape(image)}"
        )
    array = array[..., :3]
    if array.dtype == np.uint8 or array.dtype == np.uint16:
        return array.astype(np.float32) / np.iinfo(array.dtype).max
    if np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"The image holds {int(bad.sum())} NaN or infinite value(s) (first at "
                f"index {tuple(int(i) for i in np.argwhere(bad)[0])}); expected "
                "finite values in [0, 1]."
            )
        low, high = float(array.min()), float(array.max())
        if low < -_FLOAT_TOLERANCE or high > 1.0 + _FLOAT_TOLERANCE:
            raise ValueError(
                f"Float images must hold values in [0, 1]; this one ({array.dtype}) "
                f"spans [{low:.6g}, {high:.6g}]. Pass uint8 (0..255) or uint16 "
                "(0..65535) arrays, or floats in [0, 1] (e.g. `image / 255` for "
                "floats in 0..255)."
            )
        return np.clip(array, 0.0, 1.0).astype(np.float32)
    raise ValueError(
        "Expected uint8 (0..255) or uint16 (0..65535) images, or floats in [0, 1]. "
        f"Received: dtype={array.dtype}; convert integer values in 0..255 with "
        "`image.astype(np.uint8)`."
    )


def lightness_of(rgb):
    """The lightness L (0..100) of a float RGB photo, at its full resolution.

    Converted strip by strip of 512 rows, so that very large photos need
    little memory.

    Args:
        rgb: `(H, W, 3)` float sRGB in [0, 1].

    Returns:
        A NumPy array `(H, W)` of the float dtype of `rgb`.

    Example:

    >>> lightness_of(np.ones((2, 3, 3), "float32")).round(2)
    array([[100., 100., 100.],
           [100., 100., 100.]], dtype=float32)
    """
    strips = [
        keras.ops.convert_to_numpy(color.rgb_to_lab(rgb[i : i + _ROWS_PER_STRIP]))[..., 0]
        for i in range(0, rgb.shape[0], _ROWS_PER_STRIP)
    ]
    return np.concatenate(strips, axis=0)


def letterbox(lightness, side):
    """Resizes L into the `side` × `side` square the model sees, aspect kept.

    The long side is scaled to `side` (area resampling), the image centred
    and the rest filled by repeating its edges.

    Args:
        lightness: `(H, W)` float32 L, as `lightness_of` gives it.
        side: the square's side (`render_side`).

    Returns:
        `(render, box)`: the `(side, side)` float32 render, and
        `box = (top, left, height, width)`, where the image lies in it.

    Example:

    >>> render, box = letterbox(np.zeros((300, 200), "float32"), 64)
    >>> render.shape, box
    ((64, 64), (0, 10, 64, 43))
    """
    h, w = lightness.shape
    scale = side / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(lightness, (new_w, new_h), interpolation=cv2.INTER_AREA)
    top, left = (side - new_h) // 2, (side - new_w) // 2
    padded = cv2.copyMakeBorder(
        small, top, side - new_h - top, left, side - new_w - left, cv2.BORDER_REPLICATE
    )
    return padded, (top, left, new_h, new_w)


def colorize(
    images,
    model=None,
    *,
    render_size=None,
    batch_size=8,
    vividness=1.0,
    hints=None,
    errors="skip",
    verbose="auto",
):
    """Colorizes photos at their full resolution.

    Files are decoded by `keras_colorize.decoding` (through
    `data.read_image`), the same decoder as the command line and the web
    page: `colorize(path)` gives what `colorize(np.asarray(PIL.Image.open(path)))`
    gives for an upright photo.

    Args:
        images: one image or several: a file path, a folder path (all its
            images, searched recursively, in sorted order), a NumPy array
            (gray `(H, W)` / `(H, W, 1)` or RGB(A), uint8, uint16 or float
            in [0, 1]), or a list of those (its folders expanded in place).
        model: a Keras colorizer taking `L / 100` of shape `(S, S, 1)` and
            giving ab / 128 (2 channels, tanh), RGB (3 channels) or ab-bin
            probabilities (676 or 261 channels; see
            `keras_colorize.prediction`). None uses the default model
            (loaded once per process).
        render_size: side of the square the model sees when its input size
            is not fixed (rounded up to a multiple of 32): larger is slower
            with finer color detail. None: `weights.DEFAULT_RENDER_SIZE`,
            the size the shipped model was tuned at on its validation photos.
        batch_size: photos per forward pass.
        vividness: saturation knob. A chroma gain for regression and RGB
            models (1.0 = as predicted); for classifier models it divides the
            annealed-mean temperature (higher = more vivid).
        hints: user colors for one image and a hint model
            (`models.unet(hints=True)`): a list of `((x, y), (r, g, b))`,
            `x` the column and `y` the row of a pixel of the full-resolution
            image, `r, g, b` in 0..255. A hint model given no hints
            colorizes on its own.
        errors: for a folder or a list, what an input that cannot be read
            (a bad file, an empty or out-of-range array, a folder of a list
            without images or that cannot be listed) does: `"skip"`
            colorizes the others, warns once and lists it in the result's
            `skipped`, as the command line does; `"raise"` raises its
            `ValueError`. One image, or one folder without images, always
            raises.
        verbose: `"auto"` (a progress bar for a folder), 0 (silent), 1 (a
            bar) or 2 (one line at the end); see `progress.progress_bar`.

    Returns:
        An RGB uint8 array of the input's own height and width for one
        image. For a folder or a list, a `ColorizedPhotos`: a list of them
        with `sources` (the path, or the index in the list for an array, of
        each photo) and `skipped` (`(source, reason)` of each input left out).

    Raises:
        ValueError: for a bad argument, an image that cannot be read (one
            image, or `errors="raise"`), or a folder without images.

    Example:

    >>> from skimage import data
    >>> color_photo = colorize(data.camera(), model=model)  # doctest: +SKIP
    >>> color_photo.shape
    (512, 512, 3)
    >>> album = colorize("old_album/", model=model)  # doctest: +SKIP
    >>> for path, photo in zip(album.sources, album): ...  # doctest: +SKIP
    >>> album.skipped  # doctest: +SKIP
    [('old_album/torn.jpg', 'truncated JPEG (no end-of-image marker)')]
    >>> mixed = colorize(["scans/", "cat.jpg", data.camera()], model=model)  # doctest: +SKIP
    >>> mixed.sources  # doctest: +SKIP
    ['scans/a.png', 'scans/b.jpg', 'cat.jpg', 2]
    >>> colorize(["scans/", "cat.jpg"], model=model, errors="raise")  # doctest: +SKIP
    Traceback (most recent call last):
    ValueError: Cannot read image 'scans/b.jpg': truncated JPEG (no end-of-image marker).
    """
    if vividness <= 0:
        raise ValueError(f"`vividness` must be positive. Received: vividness={vividness}")
    if errors not in ERRORS:
        raise ValueError(f"`errors` must be one of {ERRORS}. Received: errors={errors!r}")
    if verbose not in ("auto", 0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    given_one = not isinstance(images, (list, tuple))
    items = [images] if given_one else list(images)
    folder = any(_is_folder(item) for item in items)
    single = given_one and not folder
    items, skipped = _expand_folders(items, "raise" if given_one else errors)
    given = len(items) + len(skipped)
    if hints and len(items) != 1:
        raise ValueError(
            f"`hints` apply to one image; received {len(items)} images. "
            "Call colorize() once per image with its own hints."
        )
    lock = None
    if model is None:
        model, lock = _default_model(), _DEFAULT_MODEL_LOCK
    if hints and model.input_shape[-1] != hint_maps.INPUT_CHANNELS:
        raise ValueError(
            "`hints` need a hint model (4 input channels: L, hint ab, mask), "
            "such as `models.unet(hints=True)` trained with `data.with_hints`. "
            f"Received a model with input shape {model.input_shape}"
        )
    side = render_side(model, render_size)
    if verbose == "auto":
        verbose = 1 if folder and len(items) > 1 else 0
    progress = progress_bars.progress_bar(len(items), verbose=verbose)
    results, sources = [], []
    for start in range(0, len(items), batch_size):
        chunk = []
        for source, item in items[start : start + batch_size]:
            try:
                chunk.append((source, _as_rgb_float(item)))
            except ValueError as error:
                if single or errors == "raise":
                    raise
                skipped.append((source, getattr(error, "reason", None) or str(error)))
                progress.advance()
        if not chunk:
            continue
        lightness = [lightness_of(rgb) for _, rgb in chunk]
        boxes, smalls = [], []
        for l_full in lightness:
            small, box = letterbox(l_full, side)
            smalls.append(small)
            boxes.append(box)
        user = [_render_hints(hints, lightness[0].shape, boxes[0], side)] if hints else None
        if lock is None:
            abs_small = predict_ab(model, smalls, vividness=vividness, hint_channels=user)
        else:
            with lock:
                abs_small = predict_ab(model, smalls, vividness=vividness, hint_channels=user)
        for l_full, box, ab in zip(lightness, boxes, abs_small):
            results.append(compose(l_full, ab, box))
        sources.extend(source for source, _ in chunk)
        progress.advance(len(chunk))
    if single:
        return results[0]
    if skipped:
        listing = "\n".join(f"  {source}: {reason}" for source, reason in skipped)
        warnings.warn(
            f"Skipped {len(skipped)} of {given} input(s) that could not be read "
            f"(listed in the result's `skipped`):\n{listing}",
            stacklevel=2,
        )
    return ColorizedPhotos(results, sources, skipped)


def _is_folder(item):
    return isinstance(item, (str, os.PathLike)) and os.path.isdir(item)


def _expand_folders(items, errors):
    """The inputs as `(source, item)`, each folder replaced by its image files.

    The source is a file's path, or an array's index in `items`. A folder
    that gives no file (none there, or it cannot be listed) raises its
    `ValueError` with `errors="raise"`, else is returned among the skipped
    `(folder, reason)`.
    """
    from keras_colorize.data import list_images

    entries, skipped = [], []
    for index, item in enumerate(items):
        if _is_folder(item):
            try:
                entries.extend((path, path) for path in list_images(item))
            except ValueError as error:
                if errors == "raise":
                    raise
                skipped.append((os.fspath(item), str(error)))
        else:
            is_path = isinstance(item, (str, os.PathLike))
            entries.append((os.fspath(item) if is_path else index, item))
    return entries, skipped


def _render_hints(hints, shape, box, side):
    """User hints at full-resolution (x, y) -> hint channels of the render."""
    h, w = shape
    top, left, new_h, new_w = box
    points = []
    for hint in hints:
        try:
            (x, y), rgb = hint
            rgb = tuple(int(c) for c in rgb)
            valid = len(rgb) == 3 and 0 <= x < w and 0 <= y < h and all(0 <= c <= 255 for c in rgb)
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                "Each hint must be ((x, y), (r, g, b)) with 0 <= x < "
                f"{w}, 0 <= y < {h} (pixels of the image) and r, g, b in "
                f"0..255. Received: {hint!r}"
            )
        row = min(top + int((y + 0.5) * new_h / h), side - 1)
        col = min(left + int((x + 0.5) * new_w / w), side - 1)
        points.append(((row, col), rgb))
    return hint_maps.user_hints(points, (side, side))


def predict_ab(model, renders, *, temperature=bins.DEFAULT_TEMPERATURE, vividness=1.0, hint_channels=None):
    """Runs the model on letterboxed renders and decodes its output to ab.

    Args:
        model: a colorizer (see `colorize()`).
        renders: `(side, side)` L renders, as `letterbox` gives them, all of
            the model's side.
        temperature: annealed-mean temperature for a classifier's ab-bin
            probabilities (see `prediction.decode_output`).
        vividness: saturation knob > 0 (see `prediction.decode_output`).
        hint_channels: for a hint model, the `(side, side, 3)` hint channels
            of each render (`hints.user_hints`); None: no hints.

    Returns:
        A float32 NumPy array `(len(renders), side, side, 2)`: ab in Lab
        units.

    Raises:
        ValueError: if the model's output is not of the renders' height and
            width (the colors would land misplaced).

    Example:

    >>> render, box = letterbox(lightness_of(rgb), render_side(model))  # doctest: +SKIP
    >>> predict_ab(model, [render]).shape  # doctest: +SKIP
    (1, 192, 192, 2)
    """
    inputs = np.stack(renders)[..., None] / color.L_SCALE
    if model.input_shape[-1] == hint_maps.INPUT_CHANNELS:
        if hint_channels is None:
            hint_channels = np.zeros(inputs.shape[:-1] + (hint_maps.HINT_CHANNELS,), np.float32)
        inputs = np.concatenate([inputs, np.asarray(hint_channels, np.float32)], axis=-1)
    predictions = _forward(model, inputs)
    if predictions.ndim == 4:
        from keras_colorize.saving import size_problem

        problem = size_problem(inputs.shape[1:3], predictions.shape[1:3])
        if problem:
            raise ValueError(f"The model is not a colorizer: it gives {problem}.")
    # One render at a time: the decoding compiles for one shape per side.
    abs_small = [
        keras.ops.convert_to_numpy(decode_output(prediction, temperature, vividness)) * color.AB_SCALE
        for prediction in predictions
    ]
    return np.stack(abs_small).astype(np.float32)


def _forward(model, inputs):
    """The model on a batch, padded to a power-of-two size.

    The renders all have the model's square size, so padding the batch to
    1, 2, 4, 8, ... rows bounds the shapes a backend compiles for (JAX and
    XLA compile once per shape) whatever the mix of calls; `predict_on_batch`
    skips `predict`'s per-call dataset set-up (~50 ms on CPU).
    """
    count = len(inputs)
    bucket = 1 << max(0, count - 1).bit_length()
    if bucket > count:
        padding = np.zeros((bucket - count,) + inputs.shape[1:], inputs.dtype)
        inputs = np.concatenate([inputs, padding])
    outputs = model.predict_on_batch(inputs)
    return np.asarray(keras.ops.convert_to_numpy(outputs), dtype=np.float32)[:count]


def compose(lightness, ab, box=None):
    """Joins predicted ab to the photo's full-resolution L: the photo in color.

    Args:
        lightness: `(H, W)` L of the photo (`lightness_of`).
        ab: ab in Lab units: of the render, `(side, side, 2)` with `box`
            (from `predict_ab`), whose box is cropped and upsampled
            (bilinear) to `(H, W)`; or of the photo's own size, `(H, W, 2)`,
            with `box=None`.
        box: the render's `(top, left, height, width)` from `letterbox`.

    Returns:
        `(H, W, 3)` RGB uint8: ab clamped to [-128, 127] and its chroma
        fitted to the sRGB gamut (L and hue kept), converted strip by strip.

    Raises:
        ValueError: if `box` is None and `ab` is not of L's height and width.

    Example:

    >>> lightness = np.full((4, 6), 50.0, "float32")
    >>> compose(lightness, np.zeros((4, 6, 2), "float32"))[0, 0]
    array([119, 119, 119], dtype=uint8)
    """
    if box is not None:
        top, left, h, w = box
        ab = np.ascontiguousarray(ab[top : top + h, left : left + w])
        ab = cv2.resize(ab, (lightness.shape[1], lightness.shape[0]), interpolation=cv2.INTER_LINEAR)
    elif ab.shape[:2] != lightness.shape:
        raise ValueError(
            "Without a `box`, `ab` must have the height and width of `lightness` "
            f"{lightness.shape}. Received: ab.shape={ab.shape}"
        )
    ab = np.clip(ab, -color.AB_SCALE, color.AB_SCALE - 1)
    out = np.empty(lightness.shape + (3,), np.uint8)
    for i in range(0, lightness.shape[0], _ROWS_PER_STRIP):
        lab = np.concatenate(
            [lightness[i : i + _ROWS_PER_STRIP, :, None], ab[i : i + _ROWS_PER_STRIP]], axis=-1
        )
        lab = color.fit_chroma_to_gamut(lab)
        rgb = keras.ops.convert_to_numpy(color.lab_to_rgb(lab))
        out[i : i + _ROWS_PER_STRIP] = np.round(rgb * 255).astype(np.uint8)
    return out
