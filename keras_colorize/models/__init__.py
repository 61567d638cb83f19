"""Model zoo: one builder per architecture of the five reports, and a registry.

>>> from keras_colorize import models
>>> models.names()[:3]
['baseline_cnn', 'patch_discriminator', 'resnet18_decoder']
>>> model = models.get("unet", input_size=64, depth=2, base_filters=8)
"""

from keras_colorize.models.baseline_cnn import baseline_cnn
from keras_colorize.models.conditional_gan import ConditionalGAN
from keras_colorize.models.ensemble import ensemble
from keras_colorize.models.mirror_average import mirror_average
from keras_colorize.models.patch_discriminator import patch_discriminator
from keras_colorize.models.resnet18 import resnet18_encoder
from keras_colorize.models.resnet18_decoder import resnet18_decoder
from keras_colorize.models.resnet18_unet import resnet18_unet
from keras_colorize.models.shallow import shallow
from keras_colorize.models.six_conv_rgb import six_conv_rgb
from keras_colorize.models.unet import UNET_PRESETS
from keras_colorize.models.unet import unet
from keras_colorize.models.unet_classifier import unet_classifier
from keras_colorize.models.vae import vae
from keras_colorize.models.vae_residual import vae_residual
from keras_colorize.models.vae_unet import vae_unet

_REGISTRY = {
    "baseline_cnn": baseline_cnn,
    "patch_discriminator": patch_discriminator,
    "resnet18_decoder": resnet18_decoder,
    "resnet18_unet": resnet18_unet,
    "shallow": shallow,
    "six_conv_rgb": six_conv_rgb,
    "unet": unet,
    "unet_classifier": unet_classifier,
    "vae": vae,
    "vae_residual": vae_residual,
    "vae_unet": vae_unet,
}


def names():
    """Sorted names of the registered builders."""
    return sorted(_REGISTRY)


def get(name, **kwargs):
    """Builds the registered model `name` with the builder's `**kwargs`.

    Args:
        name: one of `names()`.
        **kwargs: arguments of that builder (see its docstring).

    Returns:
        The `keras.Model` the builder returns.

    Example:

    >>> get("six_conv_rgb", input_size=32).count_params()
    740227
    """
    if name not in _REGISTRY:
        raise ValueError(f"Unknown model. Expected one of {names()}. Received: name={name!r}")
    return _REGISTRY[name](**kwargs)


__all__ = [
    "ConditionalGAN",
    "UNET_PRESETS",
    "baseline_cnn",
    "get",
    "mirror_average",
    "names",
    "patch_discriminator",
    "resnet18_decoder",
    "resnet18_encoder",
    "resnet18_unet",
    "shallow",
    "six_conv_rgb",
    "unet",
    "unet_classifier",
    "vae",
    "vae_residual",
    "vae_unet",
]
