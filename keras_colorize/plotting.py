"""Matplotlib figures: before/after grids, training curves, ab histograms."""

import csv
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from keras_colorize import bins
from keras_colorize import priors
from keras_colorize.outputs import atomic_path


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


def training_curves_figure(history, metrics=None, cell_size=3.0):
    """Training curves: one panel per metric, training and validation lines.

    Args:
        history: a `keras.callbacks.History` (what `fit` returns), a dict of
            per-epoch lists (`History.history`), or the path of a CSV file
            written by `keras.callbacks.CSVLogger`.
        metrics: names to plot (e.g. `["loss", "psnr"]`); None plots every
            logged metric. Each panel also draws `val_<name>` when logged.
        cell_size: inches per panel.

    Returns:
        A `matplotlib.figure.Figure`.

    Example:

    >>> history = model.fit(train, validation_data=val, epochs=5)  # doctest: +SKIP
    >>> save_figure(training_curves_figure(history), "curves.png")  # doctest: +SKIP
    """
    epochs, logs = _read_history(history)
    names = [k for k in logs if not k.startswith("val_")] if metrics is None else list(metrics)
    unknown = [name for name in names if name not in logs and f"val_{name}" not in logs]
    if unknown or not names:
        raise ValueError(
            f"Cannot plot metrics {unknown or names}: the history logs {sorted(logs)}."
        )
    figure, axes = plt.subplots(
        1, len(names), squeeze=False, figsize=(cell_size * 1.4 * len(names), cell_size)
    )
    for axis, name in zip(axes[0], names):
        for key, label in ((name, "training"), (f"val_{name}", "validation")):
            if key in logs:
                axis.plot(epochs, logs[key], marker=".", label=label)
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.legend()
    figure.tight_layout()
    return figure


def _read_history(history):
    """History / dict / CSVLogger file -> (epochs, {name: values})."""
    if isinstance(history, (str, os.PathLike)):
        with open(history, newline="") as file:
            rows = list(csv.DictReader(file))
        if not rows or "epoch" not in rows[0]:
            raise ValueError(
                f"Expected a CSVLogger file with an 'epoch' column and one row per "
                f"epoch. Received: {os.fspath(history)!r}"
            )
        logs = {k: [float(row[k]) for row in rows] for k in rows[0] if k != "epoch"}
        return [int(row["epoch"]) for row in rows], logs
    epochs = getattr(history, "epoch", None)
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            "Expected a keras.callbacks.History, a dict of per-epoch lists or a "
            f"CSVLogger file. Received: {history!r}"
        )
    logs = {k: [float(v) for v in values] for k, values in logs.items()}
    return (epochs or list(range(len(next(iter(logs.values())))))), logs


def ab_histogram_figure(panels, grid="square", cell_size=3.0):
    """2-D ab densities side by side, e.g. of a dataset and of predictions.

    Each panel shows the share of pixels per ab bin (`priors.ab_histogram`)
    on the ab plane, a horizontal and b vertical, on one shared log color scale.

    Args:
        panels: dict `{title: data}`; data is anything `priors.ab_histogram`
            reads: a `tf.data.Dataset` of `(L/100, ab/128)` batches, an
            iterable of them, or an array of ab/128 (2 channels, e.g. the
            output of `model.predict`) or scaled Lab (3 channels).
        grid: the ab bins, `"square"` or `"gamut"` (see
            `keras_colorize.bins.bin_centers`).
        cell_size: inches per panel.

    Returns:
        A `matplotlib.figure.Figure`.

    Example:

    >>> figure = ab_histogram_figure({"dev set": val, "predicted": model.predict(val)})  # doctest: +SKIP
    """
    if not isinstance(panels, dict) or not panels:
        raise ValueError(f"`panels` must be a non-empty dict {{title: data}}. Received: {panels!r}")
    centers = bins.bin_centers(grid)
    low = centers.min(axis=0)
    cells = np.round((centers - low) / bins.BIN_WIDTH).astype(int)
    size = cells.max() + 1
    densities = []
    for histogram in (priors.ab_histogram(data, grid) for data in panels.values()):
        density = np.zeros((size, size))
        density[cells[:, 1], cells[:, 0]] = histogram  # rows: b, columns: a
        densities.append(np.ma.masked_equal(density, 0.0))
    positive = np.concatenate([d.compressed() for d in densities])
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())
    half = bins.BIN_WIDTH / 2
    extent = (low[0] - half, low[0] - half + size * bins.BIN_WIDTH,
              low[1] - half, low[1] - half + size * bins.BIN_WIDTH)
    figure, axes = plt.subplots(
        1, len(panels), squeeze=False, figsize=(cell_size * 1.2 * len(panels), cell_size)
    )
    for axis, title, density in zip(axes[0], panels, densities):
        image = axis.imshow(density, origin="lower", extent=extent, norm=norm, cmap="viridis")
        axis.set_title(title)
        axis.set_xlabel("a")
        axis.set_ylabel("b")
    figure.colorbar(image, ax=list(axes[0]), label="share of pixels")
    return figure


def save_figure(figure, path, dpi=100):
    """Saves a figure as PNG atomically (a temporary file, then a rename);
    an existing file at `path` is replaced."""
    with atomic_path(path, overwrite=True, suffix=".png") as temporary:
        figure.savefig(temporary, dpi=dpi, format="png")
    plt.close(figure)
    return os.fspath(path)
