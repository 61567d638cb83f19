"""Figures: before/after grids, training curves, ab histograms; PNG saving."""

import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from keras_colorize import color
from keras_colorize import plotting
from keras_colorize import priors


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_comparison_figure_shows_gray_ours_truth(photos):
    truths = [photos["coffee"][::8, ::8], photos["chelsea"][::8, ::8]]
    ours = [np.ascontiguousarray(t[..., ::-1]) for t in truths]  # any RGB stands in for a colorization
    figure = plotting.comparison_figure(ours, truths, titles=["coffee", "chelsea"])
    axes = np.array(figure.axes).reshape(2, 3)
    assert [a.get_title() for a in axes[0]] == ["gray input", "colorized", "original"]
    for row, (mine, truth) in enumerate(zip(ours, truths)):
        gray = truth.astype(np.float32) @ np.array([0.299, 0.587, 0.114])
        np.testing.assert_allclose(axes[row, 0].images[0].get_array(), gray, rtol=1e-6)
        np.testing.assert_array_equal(axes[row, 1].images[0].get_array(), mine)
        np.testing.assert_array_equal(axes[row, 2].images[0].get_array(), truth)
    assert axes[1, 0].get_ylabel() == "chelsea"
    with pytest.raises(ValueError, match="Received 1 originals for 2"):
        plotting.comparison_figure(ours, truths[:1])
    with pytest.raises(ValueError, match="empty"):
        plotting.comparison_figure([])


def test_save_figure_writes_png_atomically(tmp_path):
    figure, axis = plt.subplots()
    axis.plot([0, 1], [1, 0])
    path = plotting.save_figure(figure, tmp_path / "plots" / "line.png")
    assert path == str(tmp_path / "plots" / "line.png")
    with open(path, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path / "plots") == ["line.png"]  # no temporary file left


def test_training_curves_from_history_and_csv_log(tmp_path):
    inputs = np.random.default_rng(0).random((16, 3), dtype=np.float32)
    targets = inputs.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    log = tmp_path / "log.csv"
    history = model.fit(
        inputs, targets, validation_split=0.25, epochs=3, batch_size=4, verbose=0,
        callbacks=[keras.callbacks.CSVLogger(str(log))],
    )
    from_history = plotting.training_curves_figure(history, metrics=["loss", "mae"])
    from_csv = plotting.training_curves_figure(log, metrics=["loss", "mae"])
    for figure in (from_history, from_csv):
        assert [a.get_title() for a in figure.axes] == ["loss", "mae"]
        for axis in figure.axes:
            name = axis.get_title()
            training, validation = axis.get_lines()
            np.testing.assert_array_equal(training.get_xdata(), [0, 1, 2])
            np.testing.assert_allclose(training.get_ydata(), history.history[name], rtol=1e-6)
            np.testing.assert_allclose(validation.get_ydata(), history.history[f"val_{name}"], rtol=1e-6)
    assert len(plotting.training_curves_figure(history.history).axes) >= 2
    with pytest.raises(ValueError, match="psnr"):
        plotting.training_curves_figure(history, metrics=["psnr"])
    with pytest.raises(ValueError, match="Received: 42"):
        plotting.training_curves_figure(42)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.csv"):
        plotting.training_curves_figure(empty)


def test_ab_histogram_figure_plots_the_bin_densities(tmp_path):
    rng = np.random.default_rng(0)
    dataset = rng.uniform(-0.6, 0.6, (4, 8, 8, 2)).astype(np.float32)
    predictions = np.zeros((2, 8, 8, 2), np.float32)
    predictions[..., 0] = 64.0 / color.AB_SCALE  # every pixel at a = 64, b = 0
    figure = plotting.ab_histogram_figure({"dataset": dataset, "predictions": predictions})
    panels = [a for a in figure.axes if a.get_title()]
    assert [a.get_title() for a in panels] == ["dataset", "predictions"]
    assert len(figure.axes) == 3  # two panels and the shared colorbar
    # Each panel holds the histogram of priors.ab_histogram, b on rows and a on columns.
    centers = color.ab_bin_centers("report004").reshape(26, 26, 2)  # [a index, b index]
    for axis, data in zip(panels, (dataset, predictions)):
        image = axis.images[0].get_array()
        expected = priors.ab_histogram(data).reshape(26, 26).T
        np.testing.assert_allclose(image.filled(0.0), expected)
    # The single occupied cell of the predictions sits at a = 64, b = 0 on the axes.
    image = panels[1].images[0]
    row, column = np.argwhere(~image.get_array().mask)[0]
    left, right, bottom, top = image.get_extent()
    a = left + (column + 0.5) * (right - left) / 26
    b = bottom + (row + 0.5) * (top - bottom) / 26
    np.testing.assert_allclose((a, b), centers[column, row])
    assert abs(a - 64) <= 5 and abs(b) <= 5
    assert os.path.getsize(plotting.save_figure(figure, tmp_path / "ab.png")) > 0
    with pytest.raises(ValueError, match="Received: {}"):
        plotting.ab_histogram_figure({})
    with pytest.raises(ValueError, match="shape=.*5"):
        plotting.ab_histogram_figure({"bad": np.zeros((2, 4, 4, 5))})


def test_ab_histogram_figure_on_the_gamut_grid():
    ab = np.random.default_rng(1).uniform(-0.3, 0.3, (2, 8, 8, 2)).astype(np.float32)
    figure = plotting.ab_histogram_figure({"gamut": ab}, grid="gamut")
    image = figure.axes[0].images[0].get_array()
    np.testing.assert_allclose(image.sum(), 1.0)
    assert image.count() == np.count_nonzero(priors.ab_histogram(ab, "gamut"))
