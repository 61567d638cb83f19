"""keras_colorize: grayscale photos to color with Keras 3.

Example:

>>> import keras_colorize
>>> model = keras_colorize.models.unet(input_size=64)  # doctest: +SKIP
>>> train = keras_colorize.data.from_directory("photos/", image_size=64)  # doctest: +SKIP
>>> model.compile(optimizer="adam", loss="mae"); model.fit(train)  # doctest: +SKIP
>>> color_photo = keras_colorize.colorize("old_photo.jpg", model=model)  # doctest: +SKIP
"""

__version__ = "0.1.0"

__all__ = ["color", "colorize", "colorize_video", "data", "layers", "models", "plotting"]

# Importing the package imports neither Keras nor TensorFlow (seconds), so that
# `keras-colorize --help` and usage errors answer at once: each public name is
# imported on first use (PEP 562). A sub-module name imports that module only
# (the package's own modules import each other this way); `colorize` and
# `colorize_video` also import the layers and models, which registers them with
# Keras before a model file that names them is loaded.
_LAZY = {
    "color": ("keras_colorize.color", None),
    "layers": ("keras_colorize.layers", None),
    "models": ("keras_colorize.models", None),
    "data": ("keras_colorize.data", None),
    "plotting": ("keras_colorize.plotting", None),
    "colorize": ("keras_colorize.inference", "colorize"),
    "colorize_video": ("keras_colorize.video", "colorize_video"),
}


def __getattr__(name):
    """Imports the public names (Keras, TensorFlow, matplotlib) on first use only."""
    if name not in _LAZY:
        raise AttributeError(f"module 'keras_colorize' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    if attribute is None:
        return importlib.import_module(module_name)
    importlib.import_module("keras_colorize.layers")
    importlib.import_module("keras_colorize.models")
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value
