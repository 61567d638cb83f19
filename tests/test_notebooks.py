"""Every notebook in notebooks/ runs end to end (code cells executed in order, in the notebook's folder, as Jupyter
runs them), opens in Colab (a header, an install cell, a badge in the README), reads only data that ships with the
package, and carries the outputs of such a run, so that it reads on GitHub and in Colab before anyone runs it.

The stored outputs are written by this file: `python tests/test_notebooks.py [NAME ...]` runs the notebooks (all, or
the named ones) the way the test does and writes each back with its outputs; run it after editing a notebook's code
(the test says so when a notebook's code no longer matches its outputs). The keras-io habit is to clear outputs in
git; here they stay because a notebook opened from the README's Colab badge would otherwise show nothing until run.
"""

import ast
import base64
import contextlib
import hashlib
import io
import json
import os
import pathlib
import re
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
# An IPython line magic (`%pip install ...`), at any indentation: what IPython turns into a call.
MAGIC = re.compile(r"^(\s*)%(\w+)\s*(.*)$", re.M)
# Environment of the recorded run, per notebook (the test runs every notebook with its defaults): compare_reports
# reads the full results shipped in benchmarks/ (its smoke run trains two rows for a few steps, which is what CI
# checks but says nothing).
RECORD_ENV = {"compare_reports": {"SMOKE": "0"}}
MAX_BYTES = 1_000_000
FIGURE_DPI = 60


def as_python(source):
    """A cell's source with IPython line magics as the `get_ipython()` calls IPython makes of them."""
    return MAGIC.sub(lambda m: f"{m[1]}get_ipython().run_line_magic({m[2]!r}, {m[3]!r})", source)


def no_ipython():
    raise AssertionError("the install cell ran a magic although keras_colorize (and its extras) import")


def cells(path):
    return json.loads(path.read_text())["cells"]


def code_digest(notebook):
    """The SHA-256 of a notebook's code cells: what its stored outputs were produced by."""
    sources = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    return hashlib.sha256(json.dumps(sources).encode("utf-8")).hexdigest()


def _lines(text):
    return text.splitlines(keepends=True)


def _clean(text):
    """Output text as a notebook front end shows it, without this machine's paths: a carriage return overwrites its
    line (progress bars), the clone's folder reads `..`, temporary folders `/tmp/...`."""
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    text = text.replace(str(ROOT), "..")
    return re.sub(re.escape(tempfile.gettempdir()) + r"/[^\s'\"),]*", "/tmp/...", text)


def _figure_outputs(plt):
    """The open figures as JPEG `display_data`, as the inline backend shows them after a cell."""
    outputs = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.BytesIO()
        # JPEG: a figure of photos is ten times smaller than as PNG, and the stored notebooks stay small in git.
        figure.savefig(buffer, format="jpeg", dpi=FIGURE_DPI, bbox_inches="tight", pil_kwargs={"quality": 85})
        width, height = (figure.get_size_inches() * FIGURE_DPI).astype(int)
        outputs.append({
            "output_type": "display_data",
            "data": {
                "image/jpeg": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "text/plain": [f"<Figure size {width}x{height} with {len(figure.axes)} Axes>"],
            },
            "metadata": {},
        })
    return outputs


def run_notebook(notebook, name, record=False):
    """Runs the code cells of `notebook` in order in one namespace, as a kernel does.

    Magics become `get_ipython()` calls (which fail: the install cell must be a no-op here); a last expression's
    value is shown; the figures left open at the end of a cell are shown and closed, as by the inline backend. With
    `record`, returns the notebook with each code cell's outputs (stdout and stderr streams, figures as JPEG, a last
    expression's value) and execution count, else None.
    """
    import matplotlib.pyplot as plt

    namespace = {"__name__": "__main__", "get_ipython": no_ipython}
    recorded = json.loads(json.dumps(notebook))
    code_cells = [c for c in recorded["cells"] if c["cell_type"] == "code"]
    assert code_cells, f"{name} has no code cell"
    for number, cell in enumerate(code_cells):
        tree = ast.parse(as_python("".join(cell["source"])), f"{name}[cell {number}]")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            if record:
                stack.enter_context(contextlib.redirect_stdout(stdout))
                stack.enter_context(contextlib.redirect_stderr(stderr))
            exec(compile(tree, f"{name}[cell {number}]", "exec"), namespace)
            value = None
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"{name}[cell {number}]", "eval"), namespace)
        outputs = []
        for stream, buffer in (("stdout", stdout), ("stderr", stderr)):
            if buffer.getvalue():
                outputs.append({"output_type": "stream", "name": stream, "text": _lines(_clean(buffer.getvalue()))})
        if value is not None:
            outputs.append({
                "output_type": "execute_result", "execution_count": number + 1,
                "data": {"text/plain": _lines(_clean(repr(value)))}, "metadata": {},
            })
        if record:
            outputs.extend(_figure_outputs(plt))
        plt.close("all")
        cell["outputs"], cell["execution_count"] = outputs, number + 1
    if not record:
        return None
    recorded["nbformat_minor"] = max(recorded.get("nbformat_minor", 0), 5)  # 4.5: cells have ids
    for index, cell in enumerate(recorded["cells"]):
        cell["id"] = f"{pathlib.Path(name).stem}-{index}"  # nbformat 4.5's cell ids, stable from run to run
    recorded["metadata"].setdefault("keras_colorize", {})["outputs_of"] = code_digest(recorded)
    return recorded


@pytest.mark.tensorflow_only  # the notebooks train with tf.data and export; the JAX pass covers the core
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs(path, monkeypatch):
    import keras

    notebook = json.loads(path.read_text())
    # A notebook may name the backends it needs: "metadata": {"keras_colorize": {"backends": [...]}}.
    backends = notebook["metadata"].get("keras_colorize", {}).get("backends")
    if backends and keras.backend.backend() not in backends:
        pytest.skip(f"{path.name} needs the {' or '.join(backends)} backend")
    monkeypatch.chdir(path.parent)  # where Jupyter and Colab run a notebook
    run_notebook(notebook, path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_carries_the_outputs_of_a_run(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes (lower FIGURE_DPI)"
    notebook = json.loads(path.read_text())
    rerun = f"run `python tests/test_notebooks.py {path.stem}` to store its outputs"
    assert notebook["metadata"].get("keras_colorize", {}).get("outputs_of") == code_digest(notebook), (
        f"{path.name}: the code changed since its outputs were stored: {rerun}"
    )
    # nbformat 4.5, as Jupyter and Colab expect it (validated with nbformat's schema when recorded, where installed).
    assert (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5), path.name
    ids = [c.get("id", "") for c in notebook["cells"]]
    assert all(re.fullmatch(r"[\w-]{1,64}", i) for i in ids) and len(set(ids)) == len(ids), f"{path.name}: {rerun}"
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code_cells] == list(range(1, len(code_cells) + 1)), rerun
    assert code_cells[0]["outputs"] == [], f"{path.name}: the install cell printed something in a clone"
    outputs = [o for c in code_cells for o in c["outputs"]]
    assert any(o["output_type"] == "stream" and o["name"] == "stdout" for o in outputs), path.name
    # A notebook that draws shows its figures.
    if any("figure" in "".join(c["source"]) for c in code_cells):
        assert any("image/jpeg" in o.get("data", {}) for o in outputs), f"{path.name}: no figure stored"
    text = json.dumps(outputs)
    assert "Traceback" not in text and "error" not in {o["output_type"] for o in outputs}, path.name
    assert str(ROOT) not in text and tempfile.gettempdir() + "/tmp" not in text, f"{path.name}: a local path"
    assert "Warning" not in text, f"{path.name}: its run warned: " + text[text.index("Warning") - 300 :][:600]


def test_a_full_run_without_data_falls_back_to_the_samples_with_a_note(monkeypatch, capsys):
    """SMOKE=0 without DATA: the report and tuning notebooks train on the bundled photos and say so; without DEV
    the reports score two validation photos and say so."""
    monkeypatch.setenv("SMOKE", "0")
    monkeypatch.delenv("DATA", raising=False)
    monkeypatch.delenv("DEV", raising=False)
    checked = 0
    for path in NOTEBOOKS:
        settings = [c for c in cells(path) if c["cell_type"] == "code"][1]
        source = "".join(settings["source"])
        if "SAMPLES" not in source:
            continue
        namespace = {"__name__": "__main__"}
        exec(compile(source, f"{path.name}[settings]", "exec"), namespace)
        assert namespace["DATA"] == namespace["SAMPLES"], path.name
        note = capsys.readouterr().out
        assert "Note:" in note and "DATA" in note and "sample" in note, (path.name, note)
        if path.stem.startswith("report_"):
            assert namespace["DEV"] is None and "DEV is not set" in note, (path.name, note)
        checked += 1
    assert checked >= 6  # five reports and the tuning notebook


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_install_cell_installs_from_the_clone_a_wheel_or_github(path, tmp_path, monkeypatch):
    """Where keras_colorize does not import, the install cell asks `%pip` for the clone around the notebook, else
    for KERAS_COLORIZE_SOURCE, else for the GitHub repository of the README's badges (nothing is installed here)."""
    import importlib.util

    source = as_python("".join(cells(path)[1]["source"]))
    extra = re.search(r"keras_colorize(\[\w+\])", source)
    extra = extra[1] if extra else ""
    github = "git+https://github.com/" + re.search(r"git\+https://github\.com/([\w.-]+/[\w.-]+)", source)[1]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)  # a fresh Colab kernel

    def requirement(where, environment=None):
        """What the cell asks pip for, run in the folder `where` (IPython expands `{REQUIREMENT}` in the magic)."""
        calls = []

        class IPython:
            def run_line_magic(self, magic, line):
                calls.append((magic, line))

        monkeypatch.chdir(where)
        monkeypatch.delenv("KERAS_COLORIZE_SOURCE", raising=False)
        for name, value in (environment or {}).items():
            monkeypatch.setenv(name, value)
        namespace = {"get_ipython": IPython}
        exec(compile(source, path.name, "exec"), namespace)
        assert calls == [("pip", 'install --quiet "{REQUIREMENT}"')], calls
        return namespace["REQUIREMENT"]

    assert requirement(path.parent) == ".." + extra  # a clone: setup.cfg is one folder up
    assert requirement(tmp_path) == f"keras_colorize{extra} @ {github}"  # Colab: no clone around the notebook
    wheel = str(tmp_path / "keras_colorize-0.1.0-py3-none-any.whl")
    assert requirement(tmp_path, {"KERAS_COLORIZE_SOURCE": wheel}) == wheel + extra
    assert requirement(tmp_path, {"KERAS_COLORIZE_SOURCE": "file:///wheels/kc.whl"}) == (
        f"keras_colorize{extra} @ file:///wheels/kc.whl"
    )


def record(names=()):
    """Runs the notebooks named (all when none is) as the test does and writes each back with its outputs.

    Each notebook runs in a fresh interpreter, as in a fresh kernel, with the environment of `RECORD_ENV`.
    """
    import subprocess

    names = list(names) or IDS
    unknown = sorted(set(names) - set(IDS))
    if unknown:
        raise SystemExit(f"No notebook named {unknown} in notebooks/ (there are: {', '.join(IDS)})")
    if len(names) > 1:
        for name in names:
            subprocess.run([sys.executable, __file__, name], check=True)
        return
    path = NOTEBOOKS[IDS.index(names[0])]
    os.environ.update(RECORD_ENV.get(path.stem, {}))
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(1337)
    os.chdir(path.parent)
    recorded = run_notebook(json.loads(path.read_text()), path.name, record=True)
    try:
        import nbformat
    except ImportError:  # not a dependency: the test checks the version and the cell ids
        pass
    else:
        nbformat.validate(nbformat.from_dict(recorded))
    path.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    record(sys.argv[1:])
