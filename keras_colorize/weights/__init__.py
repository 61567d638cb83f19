"""The default colorizer shipped inside the package (no download)."""

import os

from keras_colorize.saving import load_model

DEFAULT_MODEL_PATH = os.path.join(os.path.dirname(__file__), "default.keras")


def has_default_model():
    """Whether this installation ships the default model file."""
    return os.path.isfile(DEFAULT_MODEL_PATH)


def load_default_model():
    """Loads the shipped default colorizer with `safe_mode=True`.

    The model is a `unet_classifier` (4.4 M parameters, depth 4, base 24)
    over the 261 in-gamut ab bins, trained on `../shared/data/train` by
    `scripts/train_default.py` at 64×64, followed by the decoding chosen on a
    validation split (`layers.DecodeBins`: annealed mean, T = 0.6, chroma
    gain 2). It runs at a fixed 64×64 render (the chroma is upsampled to the
    photo's size by `colorize()`, where `vividness` scales it further).
    Figures on the dev set are in `benchmarks/RESULTS.md`.

    Returns:
        A `keras.Model` from `(batch, 64, 64, 1)` L/100 to
        `(batch, 64, 64, 2)` ab/128.

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
