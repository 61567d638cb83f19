"""Every notebook in notebooks/ runs end to end (code cells executed in order, outputs cleared in git)."""

import json
import pathlib

import keras
import matplotlib.pyplot as plt
import pytest

# The notebooks train with tf.data and export; the JAX pass of `make test` covers the core.
pytestmark = pytest.mark.tensorflow_only

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    notebook = json.loads(path.read_text())
    # A notebook may name the backends it needs: "metadata": {"keras_colorize": {"backends": [...]}}.
    backends = notebook["metadata"].get("keras_colorize", {}).get("backends")
    if backends and keras.backend.backend() not in backends:
        pytest.skip(f"{path.name} needs the {' or '.join(backends)} backend")
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code_cells, f"{path.name} has no code cell"
    assert all(not c["outputs"] and c["execution_count"] is None for c in code_cells), (
        f"{path.name}: clear the outputs before committing"
    )
    namespace = {"__name__": "__main__"}
    for number, cell in enumerate(code_cells):
        exec(compile("".join(cell["source"]), f"{path.name}[cell {number}]", "exec"), namespace)
    plt.close("all")
