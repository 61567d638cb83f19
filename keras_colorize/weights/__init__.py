"""The default colorizer shipped inside the package (no download).

Importing this module imports neither Keras nor TensorFlow (the command line
reads `DEFAULT_RENDER_SIZE` for `--help`); `load_default_model` does.
"""

import os

DEFAULT_MODEL_PATH = os.path.join(os.path.dirname(__file__), "default.keras")
# The render side `colorize()` gives models whose input size is not fixed,
# the shipped one included: chosen for it on the validation photos of its
# training run (among 160, 192, 224 and 256).
DEFAULT_RENDER_SIZE = 224


def has_default_model():
    """Whether this installation ships the default model file."""
    return os.path.isfile(DEFAULT_MODEL_PATH)


def load_default_model():
    """Loads the shipped default colorizer with `safe_mode=True`.

    The model is `models.ensemble` of two networks,
    `models.unet(input_size=None, base_filters=16, hints=True,
    backbone=B, encoder_weights="imagenet", encoder_freeze=True)` with B
    `"efficientnet_lite2"` and `"efficientnet_lite1"`: Google's ImageNet
    EfficientNet-Lite (frozen) on the gray rendering of L and a U-Net
    decoder over its five taps that also takes color hints, each trained
    on 6,595 photos (scenes, ImageNet objects, pets, buildings; 224×224
    photos, 2 CPU cores; a Huber loss on ab, then `losses.PSNRLoss` with a
    colorfulness term). Each network is run as `models.mirror_average`
    (the photo and its mirror image colorized and averaged), their ab are
    averaged with equal weights, and a chroma gain of 1.05 follows; the
    weights, gain and render size were chosen on a validation split. A
    `layers.HintPropagation` after the output (its reach chosen on the same
    split) spreads each hint over nearby pixels of similar lightness. The
    file stores the weights as float16 (`saving.save_model`); they load
    into float32 variables.
    It is fully convolutional: `colorize()` renders at `DEFAULT_RENDER_SIZE`
    unless told otherwise, and hints (`colorize(photo, hints=[...])`) work
    out of the box. Its scores on held-out photos are in the package's
    README.

    Returns:
        A `keras.Model` from `(batch, H, W, 4)` (L/100 ‖ hint ab/128 ‖ mask;
        H and W multiples of 32) to `(batch, H, W, 2)` ab/128.

    Raises:
        FileNotFoundError: if this version ships no default model yet.

    Example:

    >>> model = load_default_model()  # doctest: +SKIP
    >>> model.input_shape
    (None, None, None, 4)
    """
    from keras_colorize.saving import load_model  # noqa: PLC0415 (Keras, on first use only)

    if not has_default_model():
        raise FileNotFoundError(
            f"No default model is shipped in this version ({DEFAULT_MODEL_PATH} "
            "is missing). Pass `model=` (any builder of keras_colorize.models, "
            "trained with model.fit) to colorize()."
        )
    return load_model(DEFAULT_MODEL_PATH)
