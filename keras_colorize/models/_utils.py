"""Argument checks shared by the model builders (private)."""


def check_input_size(input_size, stride, builder, allow_none=False):
    """Raises a `ValueError` unless `input_size` is a positive multiple of `stride`.

    Args:
        input_size: the side of the square input the caller asked for.
        stride: the total stride (downsampling factor) of the network.
        builder: the builder's name, quoted in the message.
        allow_none: whether None (any size, for fully convolutional
            networks) is accepted.

    Returns:
        `input_size` as an int, or None.
    """
    if input_size is None and allow_none:
        return None
    valid = isinstance(input_size, int) and not isinstance(input_size, bool)
    if not valid or input_size < stride or input_size % stride:
        examples = ", ".join(str(stride * k) for k in (1, 2, 3, 4, 8))
        raise ValueError(
            f"`{builder}` needs `input_size` to be a positive multiple of its "
            f"total stride {stride} (valid sizes: {examples}, ...). "
            f"Received: input_size={input_size!r}"
        )
    return input_size


def check_choice(value, choices, argument):
    """Raises a `ValueError` unless `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"`{argument}` must be one of {list(choices)}. "
            f"Received: {argument}={value!r}"
        )
    return value


def check_positive_int(value, argument, minimum=1):
    """Raises a `ValueError` unless `value` is an int >= `minimum`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(
            f"`{argument}` must be an integer >= {minimum}. "
            f"Received: {argument}={value!r}"
        )
    return value
