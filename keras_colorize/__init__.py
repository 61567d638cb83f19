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
# imported on first use (PEP 562). The first one also imports the modules the
# package used to import eagerly, so the serializable layers and models are
# registered with Keras whichever name is touched first.
_EAGER = ("color", "layers", "models", "inference", "video")
_LAZY = {
    "color": ("keras_colorize.color", None),
    "layers": ("keras_colorize.layers", None),
    "models": ("keras_colorize.models", None),
    "colorize": ("keras_colorize.inference", "colorize"),
    "colorize_video": ("keras_colorize.video", "colorize_video"),
    "data": ("keras_colorize.data", None),
    "plotting": ("keras_colorize.plotting", None),
}


def __getattr__(name):
    """Imports the public names (Keras, TensorFlow, matplotlib) on first use only."""
    if name not in _LAZY:
        raise AttributeError(f"module 'keras_colorize' has no attribute {name!r}")
    import importlib

    if name != "plotting":
        for module in _EAGER:
            importlib.import_module(f"keras_colorize.{module}")
    module_name, attribute = _LAZY[name]
    value = importlib.import_module(module_name)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value
