"""What a colorizer's output means, defined once, and its decoding to ab.

A colorizer maps L / 100 `(batch, H, W, 1)` (with hint channels for a hint
model, `keras_colorize.hints`) to one output `(batch, H, W, C)` of the
input's height and width. Its channel count C says what it holds, and how
it is decoded to ab / 128:

    * 2: ab / 128 (`color.scale_lab`), e.g. a tanh head; kept as it is.
    * 3: sRGB in [0, 1]; the ab of its Lab (`color.rgb_to_lab`).
    * `bins.num_bins(grid)`, 676 for `"square"` and 261 for `"gamut"`:
      per-pixel probabilities over the ab bins of `grid`; their annealed
      mean (`bins.decode_ab`, T = `bins.DEFAULT_TEMPERATURE`).

`render_side(model, render_size)` is the input side: a model of fixed input
size runs at its size, a fully convolutional one at `render_size` rounded up
to a multiple of 32 (`weights.DEFAULT_RENDER_SIZE` when None).

`decode_output` is the one decoder (`keras.ops`: any backend, in eager code
or inside a graph): `colorize()`, `colorize_video()`, the web page and the
exported SavedModel read every output through it, and
`saving.check_colorizer` accepts exactly the counts of `output_channels()`.
A new kind of head is added here.
"""

from keras import ops

from keras_colorize import bins
from keras_colorize import color
from keras_colorize.weights import DEFAULT_RENDER_SIZE

AB_CHANNELS = 2
RGB_CHANNELS = 3


def output_channels():
    """The channel counts a colorizer's output may have: ab, RGB, then each grid's bins.

    Returns:
        A tuple of ints.

    Example:

    >>> output_channels()
    (2, 3, 676, 261)
    """
    return (AB_CHANNELS, RGB_CHANNELS) + tuple(bins.num_bins(grid) for grid in bins.GRIDS)


def output_kind(channels):
    """What a C-channel output holds: `"ab"`, `"rgb"` or the name of a bin grid.

    Args:
        channels: C, the size of the output's last axis.

    Returns:
        `"ab"`, `"rgb"`, or one of `bins.GRIDS` for ab-bin probabilities.

    Raises:
        ValueError: for a count that is none of `output_channels()`.

    Example:

    >>> output_kind(2), output_kind(261)
    ('ab', 'gamut')
    """
    if channels == AB_CHANNELS:
        return "ab"
    if channels == RGB_CHANNELS:
        return "rgb"
    for grid in bins.GRIDS:
        if channels == bins.num_bins(grid):
            return grid
    raise ValueError(
        f"Cannot interpret the model's output: expected {AB_CHANNELS} (ab), {RGB_CHANNELS} "
        f"(RGB) or {sorted(output_channels()[2:])} (ab-bin probabilities) channels. "
        f"Received: {channels}"
    )


def decode_output(prediction, temperature=bins.DEFAULT_TEMPERATURE, vividness=1.0):
    """Decodes a colorizer's output to ab / 128 (`keras.ops`).

    Args:
        prediction: `(..., C)` model output, C one of `output_channels()`
            (see the module for what each means).
        temperature: T > 0 of the annealed mean of ab-bin probabilities
            (Zhang et al. 2016: 0.38); unused for ab and RGB outputs.
        vividness: saturation knob > 0. A chroma gain on ab and RGB outputs
            (1.0: as predicted); for ab-bin probabilities it divides
            `temperature` (above 1, more vivid).

    Returns:
        `(..., 2)` ab / 128, in the dtype of `prediction`.

    Raises:
        ValueError: for an unknown channel count, or a `temperature` or
            `vividness` that is not positive.

    Example:

    >>> rgb = np.array([[1.0, 0.0, 0.0]], "float32")  # pure red
    >>> [round(float(v) * 128, 1) for v in decode_output(rgb)[0]]
    [80.1, 67.2]
    """
    if not vividness > 0:
        raise ValueError(f"`vividness` must be positive. Received: vividness={vividness}")
    prediction = ops.convert_to_tensor(prediction)
    kind = output_kind(prediction.shape[-1])
    if kind == "ab":
        return prediction * vividness
    if kind == "rgb":
        return color.rgb_to_lab(prediction)[..., 1:] / color.AB_SCALE * vividness
    return bins.decode_ab(prediction, kind, temperature=temperature / vividness)


def render_side(model, render_size=None):
    """The side of the square a model runs at.

    Args:
        model: a colorizer.
        render_size: the side wished for a model whose input size is not
            fixed; None: `weights.DEFAULT_RENDER_SIZE`.

    Returns:
        The model's fixed input size, else `render_size` rounded up to a
        multiple of 32 (the largest total stride of the library's networks).

    Raises:
        ValueError: if `render_size` is not a positive int or None.

    Example:

    >>> render_side(keras_colorize.models.unet(input_size=None, depth=2), 200)  # doctest: +SKIP
    224
    """
    fixed = model.input_shape[1]
    if fixed is not None:
        return fixed
    if render_size is None:
        render_size = DEFAULT_RENDER_SIZE
    if not isinstance(render_size, int) or isinstance(render_size, bool) or render_size < 1:
        raise ValueError(f"`render_size` must be a positive int or None. Received: render_size={render_size!r}")
    return -(-render_size // 32) * 32
