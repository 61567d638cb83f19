"""keras_colorize: grayscale photos to color with Keras 3.

Example:

>>> import keras_colorize
>>> model = keras_colorize.models.unet(input_size=64)  # doctest: +SKIP
>>> train = keras_colorize.data.from_directory("photos/", image_size=64)  # doctest: +SKIP
>>> model.compile(optimizer="adam", loss="mae"); model.fit(train)  # doctest: +SKIP
>>> color_photo = keras_colorize.colorize("old_photo.jpg", model=model)  # doctest: +SKIP
"""

__version__ = "0.1.0"

__all__ = ["backbones", "color", "colorize", "colorize_video", "data", "layers", "models", "plotting"]

# Importing the package imports neither Keras nor TensorFlow (seconds), so that
# `keras-colorize --help` and usage errors answer at once: each public name is
# imported on first use (PEP 562). A sub-module name imports that module only
# (the package's own modules import each other this way); `colorize` and
# `colorize_video` also import `keras_colorize.saving`, the model loader, which
# registers every layer, model, loss and metric a model file may name.
_SUBMODULES = (
    "backbones", "bins", "color", "color_tf", "data", "evaluation", "export", "feature_networks", "hints",
    "inference", "layers", "losses", "metrics", "models", "outputs", "plotting", "prediction", "priors",
    "progress", "recipes", "saving", "training", "tuning", "video", "weights",
)
_FUNCTIONS = {"colorize": "keras_colorize.inference", "colorize_video": "keras_colorize.video"}


def __getattr__(name):
    """Imports the public names (Keras, TensorFlow, matplotlib) on first use only."""
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"keras_colorize.{name}")
    if name not in _FUNCTIONS:
        raise AttributeError(f"module 'keras_colorize' has no attribute {name!r}")
    importlib.import_module("keras_colorize.saving")  # registers the layers, models, losses and metrics
    value = getattr(importlib.import_module(_FUNCTIONS[name]), name)
    globals()[name] = value
    return value
