"""keras_colorize: grayscale photos to color with Keras 3.

Example:

>>> import keras_colorize
>>> model = keras_colorize.models.unet(input_size=64)  # doctest: +SKIP
>>> train = keras_colorize.data.from_directory("photos/", image_size=64)  # doctest: +SKIP
>>> model.compile(optimizer="adam", loss="mae"); model.fit(train)  # doctest: +SKIP
>>> color_photo = keras_colorize.colorize("old_photo.jpg", model=model)  # doctest: +SKIP
"""

from keras_colorize import color
from keras_colorize import layers
from keras_colorize import models
from keras_colorize.inference import colorize
from keras_colorize.video import colorize_video

__version__ = "0.1.0"

__all__ = ["color", "colorize", "colorize_video", "data", "layers", "models", "plotting"]


def __getattr__(name):
    """Imports `data` (TensorFlow) and `plotting` (matplotlib) on first use only."""
    if name in ("data", "plotting"):
        import importlib

        return importlib.import_module(f"keras_colorize.{name}")
    raise AttributeError(f"module 'keras_colorize' has no attribute {name!r}")
