"""The default colorizer shipped inside the package (no download)."""

import os

from keras_colorize.saving import load_model

DEFAULT_MODEL_PATH = os.path.join(os.path.dirname(__file__), "default.keras")


def has_default_model():
    """Whether this installation ships the default model file."""
    return os.path.isfile(DEFAULT_MODEL_PATH)


def load_default_model():
    """Loads the shipped default colorizer with `safe_mode=True`.

    Returns:
        A `keras.Model` taking L/100 and giving ab/128.

    Raises:
        FileNotFoundError: if this version ships no default model yet.

    Example:

    >>> model = load_default_model()  # doctest: +SKIP
    """
    if not has_default_model():
        raise FileNotFoundError(
            f"No default model is shipped in this version ({DEFAULT_MODEL_PATH} "
            "is missing). Pass `model=` (any builder of keras_colorize.models, "
            "trained with model.fit) to colorize()."
        )
    return load_model(DEFAULT_MODEL_PATH)
