"""Matplotlib figures: before/after grids of colorized photos."""

import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np


def comparison_figure(colorized, originals=None, titles=None, cell_size=3.0):
    """A grid with one row per photo: gray input, colorized, and the original.

    Args:
        colorized: list of RGB uint8 images (as `colorize()` returns).
        originals: optional list of the original color images (same sizes);
            the gray column is computed from them, or from `colorized`.
        titles: optional list of row labels.
        cell_size: inches per cell.

    Returns:
        A `matplotlib.figure.Figure`.

    Example:

    >>> figure = comparison_figure(colorize(photos, model), photos)  # doctest: +SKIP
    >>> figure.savefig("grid.png")  # doctest: +SKIP
    """
    if not len(colorized):
        raise ValueError("`colorized` is empty: nothing to plot.")
    if originals is not None and len(originals) != len(colorized):
        raise ValueError(
            f"`originals` must match `colorized`. Received {len(originals)} "
            f"originals for {len(colorized)} colorized images."
        )
    columns = ["gray input", "colorized"] + (["original"] if originals is not None else [])
    figure, axes = plt.subplots(
        len(colorized), len(columns), squeeze=False,
        figsize=(cell_size * len(columns), cell_size * len(colorized)),
    )
    for row, image in enumerate(colorized):
        source = originals[row] if originals is not None else image
        gray = np.asarray(source, np.float32)[..., :3] @ np.array([0.299, 0.587, 0.114])
        cells = [gray, image] + ([originals[row]] if originals is not None else [])
        for col, cell in enumerate(cells):
            axis = axes[row, col]
            axis.imshow(cell, cmap="gray" if cell.ndim == 2 else None, vmin=0, vmax=255)
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(columns[col])
        if titles is not None:
            axes[row, 0].set_ylabel(titles[row])
    figure.tight_layout()
    return figure


def save_figure(figure, path, dpi=100):
    """Saves a figure as PNG atomically (a temporary file, then a rename)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".png", dir=directory)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=dpi, format="png")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    plt.close(figure)
    return path
