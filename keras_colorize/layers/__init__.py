"""Serializable layers of keras_colorize, one public class per file."""

from keras_colorize.layers.bilinear_upsampling import BilinearUpsampling2D
from keras_colorize.layers.decode_bins import DecodeBins
from keras_colorize.layers.hint_pooling import HintPooling2D
from keras_colorize.layers.hint_propagation import HintPropagation
from keras_colorize.layers.horizontal_flip import HorizontalFlip
from keras_colorize.layers.lab_to_rgb import LabToRGB
from keras_colorize.layers.lightness_to_gray import LightnessToGray
from keras_colorize.layers.reparameterization import Reparameterization
from keras_colorize.layers.rgb_to_lab import RGBToLab

__all__ = ["BilinearUpsampling2D", "DecodeBins", "HintPooling2D", "HintPropagation", "HorizontalFlip", "LabToRGB", "LightnessToGray", "Reparameterization", "RGBToLab"]
