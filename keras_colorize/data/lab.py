"""The former home of the `tf` twin of the Lab math: now `keras_colorize.color_tf`.

It moved out of the input pipeline because the exported graph
(`keras_colorize.export`) needs it too; these names stay for code that
imports them from here.
"""

from keras_colorize.color_tf import TFOps
from keras_colorize.color_tf import fit_chroma_to_gamut
from keras_colorize.color_tf import lab_to_rgb
from keras_colorize.color_tf import rgb_to_lab

__all__ = ["TFOps", "fit_chroma_to_gamut", "lab_to_rgb", "rgb_to_lab"]
