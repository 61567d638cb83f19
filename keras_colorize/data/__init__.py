"""Input pipelines: photo folders to `tf.data` batches of `(L, ab)`.

This package, `keras_colorize.export` and the `tf` twin of the Lab math they
both run, `keras_colorize.color_tf`, are the only places that use `tf`.
"""

from keras_colorize.data.dataset import DEFAULT_MIN_SATURATION
from keras_colorize.data.dataset import check_images
from keras_colorize.data.dataset import from_directory
from keras_colorize.data.dataset import from_files
from keras_colorize.data.dataset import read_image
from keras_colorize.data.files import list_images
from keras_colorize.data.hints import with_hints
from keras_colorize.data.files import split_files

__all__ = [
    "DEFAULT_MIN_SATURATION",
    "check_images",
    "from_directory",
    "from_files",
    "list_images",
    "read_image",
    "split_files",
    "with_hints",
]
