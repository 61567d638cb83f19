"""Former names of public choices (ab grids, Lab variants, recipes), accepted beside the current ones."""


def current_name(value, names, aliases, what, argument):
    """`value` if it is one of `names`, the current name if it is a former one (a key
    of `aliases`), else a `ValueError` that lists both and quotes `argument=value`."""
    name = aliases.get(value, value) if isinstance(value, str) else value
    if name not in names:
        raise ValueError(
            f"Unknown {what}. Expected one of {sorted(names)} (or a former name, {sorted(aliases)}). "
            f"Received: {argument}={value!r}"
        )
    return name
