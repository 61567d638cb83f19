"""Every notebook in notebooks/ runs end to end (code cells executed in order, outputs cleared in git),
opens in Colab (a header, an install cell, a badge in the README) and reads only data that ships with the package."""

import json
import pathlib
import re

import keras
import matplotlib.pyplot as plt
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
# An IPython line magic (`%pip install ...`), at any indentation: what IPython turns into a call.
MAGIC = re.compile(r"^(\s*)%(\w+)\s*(.*)$", re.M)


def as_python(source):
    """A cell's source with IPython line magics as the `get_ipython()` calls IPython makes of them."""
    return MAGIC.sub(lambda m: f"{m[1]}get_ipython().run_line_magic({m[2]!r}, {m[3]!r})", source)


def no_ipython():
    raise AssertionError("the install cell ran a magic although keras_colorize (and its extras) import")


def cells(path):
    return json.loads(path.read_text())["cells"]


@pytest.mark.tensorflow_only  # the notebooks train with tf.data and export; the JAX pass covers the core
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
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
    namespace = {"__name__": "__main__", "get_ipython": no_ipython}
    for number, cell in enumerate(code_cells):
        source = as_python("".join(cell["source"]))
        exec(compile(source, f"{path.name}[cell {number}]", "exec"), namespace)
    plt.close("all")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_in_colab(path):
    header, install = cells(path)[:2]
    text = "".join(header["source"])
    assert header["cell_type"] == "markdown" and text.startswith("# "), f"{path.name}: no title cell"
    assert "**Description:**" in text and "**Accelerator:**" in text, f"{path.name}: header cell"
    # The install cell: a guarded `%pip install` that is valid IPython and a no-op here.
    source = "".join(install["source"])
    assert install["cell_type"] == "code" and "%pip install" in source and "find_spec" in source, path.name
    compile(as_python(source), path.name, "exec")
    repo = re.search(r"git\+https://github\.com/([\w.-]+/[\w.-]+)", source)[1]
    # A Colab badge per notebook in the README, for the repository the install cell names.
    readme = (ROOT / "README.md").read_text()
    badge = f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{path.name}"
    assert badge in readme, f"README: no Colab badge for {path.name} ({badge})"
    # Only data that ships with the package (or that the user points DATA / DEV at).
    everything = "".join("".join(c["source"]) for c in cells(path))
    assert "shared" not in everything, f"{path.name} reads ../shared"
