"""Writing result images without ever leaving a partial file or overwriting one.

An image is encoded in memory, written to a hidden temporary file in the
destination folder, flushed to disk, then renamed onto its final name in one
atomic step. A run killed at any moment therefore leaves either the complete
file or none (plus, at worst, a hidden `.NAME.*.part` file, which
`remove_stale_parts` deletes).
"""

import contextlib
import os
import shutil
import tempfile

import cv2
import numpy as np


def encode_png(image):
    """RGB (or gray) uint8 array -> PNG bytes (lossless).

    Example:

    >>> encode_png(np.zeros((2, 3, 3), "uint8"))[:4]
    b'\\x89PNG'
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(
            f"Expected a uint8 (H, W) or (H, W, 3) image. Received: "
            f"dtype={image.dtype}, shape={image.shape}"
        )
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"OpenCV could not encode an image of shape {image.shape} as PNG.")
    return data.tobytes()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Files get the permissions a plain open() would give them (mkstemp gives 0600).
_FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(path, overwrite=False, suffix="", folder=False):
    """A temporary path beside `path`, renamed onto `path` when the block succeeds.

    Write the file to the yielded path (any writer: `savefig`, `model.save`,
    a video writer); on success it takes its final name in one atomic step,
    on an exception it is deleted. The temporary is hidden and named
    `.NAME.XXXXXXXX.part` plus `suffix` (for writers that need an extension).

    With `folder=True` the result is a folder (a SavedModel): the yielded path
    does not exist yet, the writer creates it, inside a hidden staging folder
    `.NAME.XXXXXXXX.part` beside `path`. Renaming a folder cannot refuse an
    existing name atomically, so `path` is checked once more just before.

    Args:
        path: destination file (or folder); its folder is created if needed.
        overwrite: replace an existing file. Without it an existing file is
            never touched, even one created by someone else while writing.
        suffix: extension the temporary file must end with (e.g. `".keras"`).
        folder: the writer creates a folder, not a file.

    Raises:
        FileExistsError: if `path` exists and `overwrite` is False.

    Example:

    >>> with atomic_path("plots/grid.png", suffix=".png") as temporary:  # doctest: +SKIP
    ...     figure.savefig(temporary)
    """
    path = os.fspath(path)
    parent, name = os.path.split(os.path.abspath(path))
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path!r} exists; pass overwrite=True to replace it.")
    os.makedirs(parent, exist_ok=True)
    if folder:
        with _staged_folder(path, parent, name, overwrite, suffix) as temporary:
            yield temporary
        return
    handle, temporary = tempfile.mkstemp(dir=parent, prefix=f".{name}.", suffix=".part" + suffix)
    os.close(handle)
    os.chmod(temporary, _FILE_MODE)
    try:
        yield temporary
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    finally:
        if os.path.lexists(temporary):
            os.remove(temporary)


@contextlib.contextmanager
def _staged_folder(path, parent, name, overwrite, suffix):
    """`atomic_path(..., folder=True)`: the writer's folder is staged in a hidden folder beside `path`."""
    staging = tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".part")
    try:
        temporary = os.path.join(staging, name + suffix)
        yield temporary
        if os.path.lexists(path):
            if not overwrite:
                raise FileExistsError(f"{path!r} exists; pass overwrite=True to replace it.")
            os.replace(path, os.path.join(staging, ".previous"))  # a folder cannot be replaced in one step
        os.replace(temporary, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_atomic(path, data, overwrite=False):
    """Writes bytes to `path` atomically (temp file in the same folder, then rename).

    Args:
        path: destination file; its folder is created if needed.
        data: the bytes to write.
        overwrite: replace an existing file. Without it an existing file is
            never touched, even one created by someone else while writing.

    Raises:
        FileExistsError: if `path` exists and `overwrite` is False.

    Example:

    >>> write_atomic("out/photo_color.png", encode_png(image))  # doctest: +SKIP
    """
    with atomic_path(path, overwrite=overwrite) as temporary:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())


def remove_stale_parts(paths):
    """Deletes the hidden temporary files that a killed run left for these outputs.

    One listing per folder. Only files named as `write_atomic` names its
    temporaries for one of `paths` (`.NAME.XXXXXXXX.part`) are removed.

    Example:

    >>> remove_stale_parts(["out/a_color.png", "out/b_color.png"])  # doctest: +SKIP
    """
    by_folder = {}
    for path in paths:
        folder, name = os.path.split(os.path.abspath(os.fspath(path)))
        by_folder.setdefault(folder, set()).add(name)
    for folder, names in by_folder.items():
        try:
            entries = os.listdir(folder)
        except OSError:  # not created yet: nothing to clean
            continue
        for entry in entries:
            if entry.startswith(".") and entry.endswith(".part") and entry[1:].rsplit(".", 2)[0] in names:
                os.remove(os.path.join(folder, entry))


def _link_new(temporary, path):
    """Gives `temporary` the name `path` unless `path` exists (atomically where possible)."""
    exists = FileExistsError(f"{path!r} exists; pass overwrite=True to replace it.")
    try:
        os.link(temporary, path)  # fails if `path` appeared meanwhile: no race
    except FileExistsError:
        raise exists from None
    except OSError:  # no hard links here (FAT, some network drives)
        if os.path.lexists(path):
            raise exists from None
        os.replace(temporary, path)
