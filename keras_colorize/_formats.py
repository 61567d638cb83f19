"""Names the command line needs before it may import Keras or TensorFlow.

`keras-colorize export --help` lists the export formats, `train --help`
the recipes, `tune --help` the families and oracles; importing the modules
that use them would start TensorFlow (seconds). The library reads them from
here too (`export.FORMATS`, `recipes.RECIPE_ALIASES`, `tuning.ORACLES`), so
each list has one home; tests check the recipes' and families' names
against `recipes.RECIPES` and `tuning.HYPERMODELS`.
"""

# The `format=` values of `keras_colorize.export.export_model`.
EXPORT_FORMATS = ("keras", "saved_model", "tflite")

# The names of `keras_colorize.recipes.RECIPES`.
RECIPE_NAMES = ("vae_perceptual", "resnet_color_weighted", "resnet_unet_l1", "six_conv_rgb",
                "unet_mixed_l1_l2", "unet_classifier")
# Their former names, after the reports (scripts and notebooks still use them).
RECIPE_ALIASES = {
    "vae_000": "vae_perceptual",
    "resnet_001": "resnet_color_weighted",
    "resnet_unet_002": "resnet_unet_l1",
    "six_conv_003": "six_conv_rgb",
    "unet_004": "unet_mixed_l1_l2",
    "unet_004_classifier": "unet_classifier",
}
# The model families of `keras_colorize.tuning.HYPERMODELS` and its oracles.
TUNE_FAMILIES = ("classifier", "resnet_unet", "unet", "vae")
TUNE_ORACLES = ("random", "bayesian", "hyperband")
