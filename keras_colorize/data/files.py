"""Image files: listing, checking, and deterministic splits by file name.

Pure Python (Pillow and `keras_colorize.decoding` for the checks), no TensorFlow: these run once
per dataset, before the `tf.data` pipeline, and decide which files it may read.
"""

import hashlib
import os
import stat
import warnings

from PIL import Image

from keras_colorize import decoding

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
# Formats read (by `keras_colorize.decoding` and TensorFlow's `decode_image`), as Pillow names them.
DECODABLE_FORMATS = decoding.FORMATS
SUBSETS = ("training", "validation", "test")
EXIF_ORIENTATION = decoding.EXIF_ORIENTATION  # the EXIF tag


def list_images(directory, errors=None):
    """Lists the image files under `directory`, recursively, sorted.

    A folder that cannot be read (no permission) never vanishes silently:
    with `errors` it is reported there; without, it is listed among the
    paths, so that `from_directory` (or any reader: `inspect_image`,
    `read_image`) lists it as bad with its error.

    Args:
        directory: a folder path.
        errors: None, or a list that receives `(folder, reason)` for each
            folder that cannot be read, the reason naming the error
            (`"PermissionError: [Errno 13] Permission denied: 'photos/x'"`).

    Returns:
        A sorted list of paths whose extension is an image extension
        (`IMAGE_EXTENSIONS`, any case). Hidden files and folders are left out.
        Without `errors`, unreadable sub-folders are included.

    Raises:
        ValueError: if `directory` is not a folder, or (without `errors`)
            cannot be read or holds no image file; with `errors`, only if
            nothing at all was found and nothing failed.

    Example:

    >>> list_images("photos/")  # doctest: +SKIP
    ['photos/a.jpg', 'photos/sub/b.png']
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(
            f"Expected a folder of images. Received: directory={directory!r}, "
            "which is not a folder."
        )
    paths, failed = [], []

    def unreadable(error):
        folder = error.filename if error.filename is not None else directory
        failed.append((os.fspath(folder), f"{type(error).__name__}: {error}"))

    for root, dirs, files in os.walk(directory, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths.extend(
            os.path.join(root, name)
            for name in files
            if not name.startswith(".")
            and name.lower().endswith(IMAGE_EXTENSIONS)
        )
    if errors is not None:
        errors.extend(failed)
    elif failed and failed[0][0] == directory:
        raise ValueError(f"Cannot list directory={directory!r}: {failed[0][1]}")
    else:
        paths.extend(folder for folder, _ in failed)
    if not paths and not failed:
        raise ValueError(
            f"No image files ({', '.join(IMAGE_EXTENSIONS)}) found in "
            f"directory={directory!r}."
        )
    return sorted(paths)


def _content_problem(path, image_format, mode, size):
    """Why a file's data is damaged, or None: the tail checks, then for a
    JPEG a strict decode at 1/8 scale and for a PNG its chunk CRCs (these two
    read the whole file)."""
    whole = image_format in ("JPEG", "MPO", "PNG")
    with open(path, "rb") as handle:
        if not whole:
            handle.seek(max(0, size - 2048))
        contents = handle.read()
    problem = decoding.truncation(image_format, contents[-2048:])
    if problem or not whole:
        return problem
    if image_format == "PNG":
        return decoding.png_problem(contents)
    return decoding.jpeg_problem(contents, mode)


def inspect_image(path):
    """Checks that a file is an image TensorFlow can decode, and reads its EXIF orientation.

    Reads the header and the last bytes; a JPEG is also decoded at libjpeg's
    smallest scale (1/8), strictly, so that a file on which libjpeg warns
    ("Corrupt JPEG data: premature end of data segment": a truncated photo
    with its end-of-image marker put back) is refused; a PNG's chunk CRCs
    are checked (`decoding.png_problem`) and the other formats are decoded
    by Pillow, so that a file is refused where `keras_colorize.decoding`
    refuses it, for the same one-line reason.

    Args:
        path: a file path.

    Returns:
        A tuple `(orientation, problem)`: the EXIF orientation (1 to 8; 1
        when absent or unreadable) and `None`, or `(None, reason)` for a
        file to skip.

    Example:

    >>> inspect_image("photo.jpg")  # doctest: +SKIP
    (6, None)
    """
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):  # never open a pipe or a device
            return None, decoding.not_a_file(path)
        if status.st_size == 0:
            return None, "empty file"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                if image.format not in DECODABLE_FORMATS:
                    return None, f"unsupported image format {image.format}"
                problem = _content_problem(path, image.format, image.mode, status.st_size)
                if problem:
                    return None, problem
                if image.format not in ("JPEG", "MPO"):  # decoded as the decoder does: by Pillow
                    try:
                        image.load()
                    except Exception as error:  # truncated or damaged pixel data
                        return None, decoding.corrupt(image.format, error)
                return decoding.exif_orientation(image), None
    except Exception as error:  # Pillow raises many types for bad files.
        return None, f"not a readable image ({type(error).__name__}: {error})"


def check_images(paths):
    """Splits paths into readable ones and skipped ones, warning once.

    Args:
        paths: file paths.

    Returns:
        A tuple `(good, orientations, skipped)`: the readable paths in order,
        their EXIF orientations, and a list of `(path, reason)` tuples for
        the files left out. A single `UserWarning` lists the skipped files.

    Example:

    >>> good, orientations, skipped = check_images(["a.jpg", "empty.jpg"])  # doctest: +SKIP
    """
    good, orientations, skipped = [], [], []
    for path in paths:
        orientation, problem = inspect_image(path)
        if problem:
            skipped.append((path, problem))
        else:
            good.append(path)
            orientations.append(orientation)
    if skipped:
        listing = "\n".join(f"  {path}: {reason}" for path, reason in skipped)
        warnings.warn(
            f"Skipped {len(skipped)} unreadable image file(s):\n{listing}",
            stacklevel=3,
        )
    return good, orientations, skipped


def split_fraction(path, seed):
    """A stable number in [0, 1) from a file's name and a seed.

    The same file lands in the same subset on every machine and every run,
    whatever else is in the folder (MD5 of the base name; not Python's
    randomised `hash`).
    """
    name = os.path.basename(os.fspath(path))
    digest = hashlib.md5(f"{seed}:{name}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_files(paths, subset, validation_split=0.0, test_split=0.0, seed=1337):
    """Selects a deterministic subset of files by file-name hash.

    Training takes fractions [0, 1 − v − t), validation [1 − v − t, 1 − t)
    and test [1 − t, 1). Report 000's 80 % / 16 % / 4 % split is
    `validation_split=0.16, test_split=0.04`.

    Args:
        paths: file paths.
        subset: `"training"`, `"validation"`, `"test"`, or None for all files.
        validation_split: fraction of files for validation, in [0, 1).
        test_split: fraction of files for test, in [0, 1).
        seed: any value; another seed gives another split.

    Returns:
        The selected paths, in their original order.

    Example:

    >>> train = split_files(paths, "training", 0.16, 0.04)  # doctest: +SKIP
    """
    for name, value in (("validation_split", validation_split), ("test_split", test_split)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"`{name}` must be in [0, 1). Received: {name}={value}")
    if validation_split + test_split >= 1.0:
        raise ValueError(
            "`validation_split + test_split` must be below 1. Received: "
            f"validation_split={validation_split}, test_split={test_split}"
        )
    if subset is None:
        return list(paths)
    if subset not in SUBSETS:
        raise ValueError(f"`subset` must be one of {SUBSETS} or None. Received: subset={subset!r}")
    if subset != "training" and {"validation": validation_split, "test": test_split}[subset] == 0:
        raise ValueError(
            f"subset={subset!r} needs a non-zero "
            f"`{'validation_split' if subset == 'validation' else 'test_split'}`."
        )
    train_end = 1.0 - validation_split - test_split
    bounds = {
        "training": (0.0, train_end),
        "validation": (train_end, 1.0 - test_split),
        "test": (1.0 - test_split, 1.0),
    }[subset]
    return [p for p in paths if bounds[0] <= split_fraction(p, seed) < bounds[1]]
