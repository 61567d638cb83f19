"""keras_colorize: grayscale photos to color with Keras 3.

Example:

>>> import keras_colorize
>>> model = keras_colorize.models.unet(input_size=64)  # doctest: +SKIP
>>> train = keras_colorize.data.from_directory("photos/", image_size=64)  # doctest: +SKIP
>>> model.compile(optimizer="adam", loss="mae"); model.fit(train)  # doctest: +SKIP
>>> color_photo = keras_colorize.colorize("old_photo.jpg", model=model)  # doctest: +SKIP
"""

import sys

__version__ = "0.1.0"

__all__ = ["backbones", "color", "colorize", "colorize_video", "data", "layers", "models", "plotting"]

# Importing the package imports neither Keras nor TensorFlow (seconds), so that
# `keras-colorize --help` and usage errors answer at once: each public name is
# imported on first use (PEP 562). A sub-module name imports that module only
# (the package's own modules import each other this way); `colorize` and
# `colorize_video` also import the layers and models, which registers them with
# Keras before a model file that names them is loaded.
_LAZY = {
    "backbones": ("keras_colorize.backbones", None),
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


class _RegisterBeforeLoading:
    """Imports the layers and models before `keras_colorize.saving`, the model loader.

    The package used to import them eagerly, so `from keras_colorize.weights
    import load_default_model` (or `.saving import load_model`) found every
    class a model file names. Now that the package is lazy, this import hook
    keeps that true; it only ever returns None (the usual finders load the
    module). Registering in `saving.py` itself would make it unnecessary.
    """

    _busy = False

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name == "keras_colorize.saving" and not cls._busy:
            cls._busy = True
            try:
                import importlib

                importlib.import_module("keras_colorize.layers")
                importlib.import_module("keras_colorize.models")
            finally:
                cls._busy = False
        return None


if not any(finder is _RegisterBeforeLoading for finder in sys.meta_path):
    sys.meta_path.insert(0, _RegisterBeforeLoading)
