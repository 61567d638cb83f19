"""The one decoder of photo files: bytes in, upright float32 RGB in [0, 1] out.

Every place that reads a photo file for colorizing decodes it here:
`colorize(path)` and `colorize(folder)`, `data.read_image`, the command line
(`colorize`, `evaluate`) and the web page (`serve`), so they cannot disagree
on any format. JPEGs are decoded by libjpeg-turbo (through `simplejpeg`,
accurate integer DCT and smooth chroma upsampling: the same pixels as
`np.asarray(PIL.Image.open(path))`), strictly: a file on which libjpeg
warns ("Corrupt JPEG data: premature end of data segment": a truncated
photo whose missing part would come out flat gray) is refused, and so is a
PNG with a damaged chunk (a CRC error, which Pillow does not check on the
pixel data). 16-bit PNGs keep their 16 bits (OpenCV), every other format
is Pillow's. The training pipeline (`from_directory`) decodes in the
TensorFlow graph for speed, after the same checks
(`data.files.inspect_image`).

Pure Python, NumPy, Pillow and OpenCV: no TensorFlow.
"""

import io
import os
import stat
import warnings
import zlib

import numpy as np
from PIL import Image

# Formats read everywhere, as Pillow names them (MPO: a JPEG with a second view).
FORMATS = ("JPEG", "MPO", "PNG", "BMP", "GIF", "WEBP")
EXIF_ORIENTATION = 0x0112
_JPEG_FORMATS = ("JPEG", "MPO")
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


class ImageDecodeError(ValueError):
    """Bytes that are not a usable image, with a one-line `reason`.

    `str(error)` may name the file; `reason` does not. `kind` says which way: `"empty"`, `"not_image"`, `"unsupported"` (a
    format outside `FORMATS`), `"too_large"` (over the pixel limit, e.g. a
    decompression bomb) or `"corrupt"` (truncated or damaged data).
    """

    def __init__(self, message, kind, reason=None):
        super().__init__(message)
        self.reason = message if reason is None else reason
        self.kind = kind


def pixel_limit(max_pixels=None):
    """The pixel limit in force: `max_pixels`, else Pillow's decompression-bomb
    limit (`2 * PIL.Image.MAX_IMAGE_PIXELS`, 179 Mpixels unless changed; None
    when Pillow's is disabled)."""
    if max_pixels is not None:
        return max_pixels
    return None if Image.MAX_IMAGE_PIXELS is None else 2 * Image.MAX_IMAGE_PIXELS


def truncation(image_format, tail):
    """Why data whose last bytes are `tail` looks truncated, or None."""
    if image_format in _JPEG_FORMATS and b"\xff\xd9" not in tail[-2048:]:
        return "truncated JPEG (no end-of-image marker)"
    if image_format == "PNG" and b"IEND" not in tail[-64:]:
        return "truncated PNG (no IEND chunk)"
    return None


def corrupt(image_format, error):
    """The one-line reason for an error raised while decoding pixels."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"corrupt {image_format} data ({type(error).__name__}: {message})"


def png_problem(data):
    """Why a PNG's chunks are damaged, or None: a chunk whose CRC does not
    match (libpng, TensorFlow's decoder, refuses such a file; Pillow does not
    check the CRC of the pixel data and decodes garbage) or that runs past
    the end of the data.

    Example:

    >>> png_problem(open("photo.png", "rb").read())  # doctest: +SKIP
    """
    view = memoryview(data)
    position = 8  # after the signature
    while position + 12 <= len(view):
        length = int.from_bytes(view[position : position + 4], "big")
        end = position + 12 + length
        kind = bytes(view[position + 4 : position + 8]).decode("latin-1")
        if end > len(view):
            return f"truncated PNG (its {kind} chunk runs past the end of the file)"
        if zlib.crc32(view[position + 4 : end - 4]) != int.from_bytes(view[end - 4 : end], "big"):
            return f"corrupt PNG data (CRC error in its {kind} chunk)"
        if kind == "IEND":
            return None
        position = end
    return "truncated PNG (no IEND chunk)"


def not_a_file(path):
    """Why `path`, which is not a regular file, is no photo: for a folder that
    cannot be listed, its error (`"PermissionError: [Errno 13] ..."`, as
    `data.list_images` reports it), so that a locked folder listed among
    the files of a walk is reported for what it is."""
    if os.path.isdir(path):
        try:
            os.scandir(path).close()
        except OSError as error:
            return f"{type(error).__name__}: {error}"
    return "not a regular file (a folder, pipe or device)"


def _strict_jpeg(data, colorspace="RGB", smallest=False):
    """libjpeg-turbo decoding that turns its warnings into `ImageDecodeError`."""
    try:
        import simplejpeg
    except ImportError:
        raise ImportError(
            "Reading JPEG files needs the `simplejpeg` package (a dependency of "
            "keras_colorize): pip install simplejpeg"
        ) from None

    scale = {"min_height": 1, "min_width": 1} if smallest else {}
    try:
        return simplejpeg.decode_jpeg(data, colorspace=colorspace, strict=True, **scale)
    except ValueError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else "unknown error"
        raise ImageDecodeError(f"corrupt JPEG data (libjpeg: {message})", "corrupt") from None


def jpeg_problem(data, mode="RGB"):
    """Why libjpeg refuses or warns on a JPEG, or None: decodes at its
    smallest DCT scale (1/8), so the whole entropy-coded data is read at a
    fraction of the cost of a full decode.

    Example:

    >>> jpeg_problem(open("photo.jpg", "rb").read())  # doctest: +SKIP
    """
    try:
        _strict_jpeg(data, "CMYK" if mode == "CMYK" else "RGB", smallest=True)
    except ImageDecodeError as error:
        return error.reason
    return None


def exif_orientation(image):
    """The EXIF orientation of an opened Pillow image: 1 to 8, and 1 when it
    is absent, out of range or unreadable (a broken EXIF block does not make
    a broken photo)."""
    try:
        orientation = int(image.getexif().get(EXIF_ORIENTATION, 1))
    except Exception:  # Pillow raises many types for broken EXIF data
        return 1
    return orientation if 1 <= orientation <= 8 else 1


def _orient(array, orientation):
    """Turns pixels upright for an EXIF orientation (1 to 8), as
    `PIL.ImageOps.exif_transpose`."""
    if orientation == 2:
        return array[:, ::-1]
    if orientation == 3:
        return array[::-1, ::-1]
    if orientation == 4:
        return array[::-1]
    if orientation == 5:
        return array.transpose(1, 0, 2)
    if orientation == 6:
        return np.rot90(array, -1)
    if orientation == 7:
        return array.transpose(1, 0, 2)[::-1, ::-1]
    if orientation == 8:
        return np.rot90(array, 1)
    return array


def _to_float_rgb(array):
    """uint8 / uint16 pixels, gray or RGB(A) -> float32 RGB in [0, 1] (as
    `colorize()` scales a uint8 / uint16 array, to the last bit)."""
    scale = np.iinfo(array.dtype).max
    if array.ndim == 3 and array.shape[-1] in (1, 2):  # gray, gray + alpha
        array = array[..., 0]
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=-1)
    return array[..., :3].astype(np.float32) / scale


def _png_bit_depth(data):
    return data[24] if len(data) > 24 and data[12:16] == b"IHDR" else 8


def _decode_pixels(data, image):
    """The pixels of an opened image (first frame) as uint8 or uint16."""
    if image.format in _JPEG_FORMATS:
        if image.mode in ("L", "RGB"):
            return _strict_jpeg(data)
        _strict_jpeg(data, "CMYK" if image.mode == "CMYK" else "RGB", smallest=True)
        return np.asarray(image.convert("RGB"))  # CMYK / YCCK: Pillow's conversion
    if image.format == "PNG" and _png_bit_depth(data) == 16:
        import cv2  # only here: importing the module stays light

        array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if array is None:
            raise ImageDecodeError("corrupt PNG data (OpenCV cannot decode it)", "corrupt")
        if array.ndim == 3 and array.shape[-1] >= 3:
            array = array[..., 2::-1]  # BGR(A) -> RGB
        return array
    image.seek(0)
    if image.mode in _SIXTEEN_BIT_MODES:
        array = np.asarray(image)
        return np.clip(array, 0, 65535).astype(np.uint16)
    return np.asarray(image.convert("RGB"))


def decode_bytes(data, max_pixels=None, formats=FORMATS):
    """Decodes an image file's bytes to upright float32 RGB in [0, 1].

    Gray files are expanded to three channels, alpha is dropped, palettes
    are expanded, 16-bit PNGs keep their precision, a GIF or WebP gives its
    first frame and the EXIF orientation is applied.

    Args:
        data: the bytes of a JPEG, PNG, BMP, GIF or WebP file.
        max_pixels: refuse images with more pixels than this (checked from
            the header, before decoding). None: Pillow's decompression-bomb
            limit, `2 * PIL.Image.MAX_IMAGE_PIXELS` (raise that to allow
            larger photos).
        formats: accepted formats, as Pillow names them.

    Returns:
        A float32 NumPy array `(height, width, 3)`.

    Raises:
        ImageDecodeError: a `ValueError` with a one-line `reason` and a
            `kind` (see `ImageDecodeError`).

    Example:

    >>> with open("photo.jpg", "rb") as handle:  # doctest: +SKIP
    ...     rgb = decode_bytes(handle.read())
    >>> rgb.dtype, rgb.shape  # doctest: +SKIP
    (dtype('float32'), (1200, 800, 3))
    """
    data = bytes(data)
    if not data:
        raise ImageDecodeError("empty file", "empty")
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow warns on large images (its own limit is applied below) and
        # on odd palettes; neither concerns a caller that gets RGB.
        warnings.simplefilter("ignore")
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise ImageDecodeError(f"too many pixels: {error}", "too_large") from None
        except UnidentifiedImageError:
            raise ImageDecodeError("not a readable image (not a known image format)", "not_image") from None
        except Exception as error:  # Pillow raises many types for bad headers.
            raise ImageDecodeError(
                f"not a readable image ({type(error).__name__}: {error})", "not_image"
            ) from None
        with image:
            if image.format not in formats:
                raise ImageDecodeError(f"unsupported image format {image.format}", "unsupported")
            width, height = image.size
            limit = pixel_limit(max_pixels)
            if limit is not None and width * height > limit:
                raise ImageDecodeError(
                    f"too many pixels: {width}×{height} is over the limit of {limit:,}", "too_large"
                )
            problem = truncation(image.format, data[-2048:])
            if problem is None and image.format == "PNG":
                problem = png_problem(data)
            if problem:
                raise ImageDecodeError(problem, "corrupt")
            try:
                pixels = _decode_pixels(data, image)
            except (ImageDecodeError, ImportError):
                raise
            except Exception as error:  # truncated or corrupt data
                raise ImageDecodeError(corrupt(image.format, error), "corrupt") from None
            # After the pixels: Pillow reads a PNG's EXIF by decoding them, and
            # exif_orientation would take a failure there for a broken EXIF block.
            orientation = exif_orientation(image)
    return np.ascontiguousarray(_orient(_to_float_rgb(pixels), orientation))


def read_file(path, max_pixels=None):
    """Reads and decodes one image file (see `decode_bytes`).

    Args:
        path: a file path.
        max_pixels: as in `decode_bytes`.

    Returns:
        A float32 NumPy array `(height, width, 3)`, upright RGB in [0, 1].

    Raises:
        ImageDecodeError: a `ValueError` naming the file, with a one-line
            `reason` (missing, not a regular file, a folder that cannot be
            listed, empty, unreadable, not an image, truncated or corrupt,
            too large).

    Example:

    >>> read_file("old_photo.jpg").shape  # doctest: +SKIP
    (1200, 800, 3)
    """
    path = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a pipe or a device
            raise ImageDecodeError(not_a_file(path), "not_image")
        with open(path, "rb") as handle:
            data = handle.read()
        return decode_bytes(data, max_pixels=max_pixels)
    except ImageDecodeError as error:
        kind, reason = error.kind, error.reason
    except OSError as error:
        kind, reason = "not_image", f"not a readable image ({type(error).__name__}: {error})"
    raise ImageDecodeError(f"Cannot read image {path!r}: {reason}.", kind, reason)
