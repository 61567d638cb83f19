"""`ensemble`: several colorizers in one model, their ab averaged with weights."""

import keras


def ensemble(members, weights=None, name="ensemble"):
    """Colorizers run on the same input, their outputs averaged (weighted) in one model.

    Each member keeps its own weights; the output is Σ wᵢ·memberᵢ(input),
    the weights normalised to sum to 1 (`Rescaling` and `Add` layers, so it
    saves and loads as any Functional model, `safe_mode=True` included). The
    members are wrapped as `{name}_member{i}` so that two networks built
    with the same name (e.g. two `unet`s) can sit side by side. Averaging
    independently trained colorizers steadies their colors (the shipped
    default: its EfficientNet-Lite2 and Lite1 networks, `benchmarks/RESULTS.md`);
    the mean is grayer than either member, which a chroma gain can pay back.

    Args:
        members: two or more `keras.Model`s with the same input and output
            channels (e.g. L ‖ hint ab ‖ mask → ab).
        weights: one positive number per member; defaults to equal weights.
        name: the returned model's name.

    Returns:
        A `keras.Model` with the members' input and output shapes.

    Example:

    >>> first = unet(input_size=32, depth=2, base_filters=4)
    >>> second = unet(input_size=32, depth=2, base_filters=8)
    >>> ensemble([first, second], weights=[0.7, 0.3]).output_shape
    (None, 32, 32, 2)
    """
    if not isinstance(members, (list, tuple)) or len(members) < 2:
        raise ValueError(f"`members` must be a list of two or more keras.Models. Received: members={members!r}")
    for member in members:
        if not isinstance(member, keras.Model):
            raise ValueError(f"Every member must be a keras.Model. Received: {member!r}")
    channels = {(member.input_shape[-1], member.output_shape[-1]) for member in members}
    if len(channels) != 1:
        raise ValueError(
            "The members must share their input and output channels. Received (input, output) channels: "
            f"{[(m.input_shape[-1], m.output_shape[-1]) for m in members]}"
        )
    weights = [1.0] * len(members) if weights is None else [float(w) for w in weights]
    if len(weights) != len(members) or min(weights) <= 0:
        raise ValueError(
            f"`weights` needs one positive number per member ({len(members)}). Received: weights={weights}"
        )
    inputs = keras.Input(members[0].input_shape[1:], name=f"{name}_input")
    outputs = []
    for i, (member, weight) in enumerate(zip(members, weights)):
        wrapped = keras.Model(member.input, member.output, name=f"{name}_member{i}")
        scale = keras.layers.Rescaling(weight / sum(weights), name=f"{name}_weight{i}")
        outputs.append(scale(wrapped(inputs)))
    return keras.Model(inputs, keras.layers.Add(name=f"{name}_sum")(outputs), name=name)
