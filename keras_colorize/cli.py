"""`keras-colorize`: colorize, evaluate, train, tune and export from the shell.

Each subcommand is one `_add_<name>_parser(subparsers)` function listed in
`PARSERS`; it sets `run`, a function of the parsed arguments returning the
exit code. Exit codes: 0 all went well, 1 some inputs failed (listed at the
end), 2 a usage error (bad option, unloadable model, nothing to do).

This module imports only the standard library at first: `--help` and usage
errors answer without importing Keras or TensorFlow (seconds), and Keras is
imported quietly (no TensorFlow start-up lines) unless `--verbose`.

Example:

    keras-colorize colorize old_photos/ -o colorized/
    keras-colorize evaluate dev_photos/ --json
"""

import argparse
import contextlib
import json
import os
import sys

# The side a model of dynamic input size sees without --render-size (imports no Keras).
from keras_colorize._formats import EXPORT_FORMATS
from keras_colorize._formats import RECIPE_ALIASES
from keras_colorize._formats import RECIPE_NAMES
from keras_colorize._formats import TUNE_FAMILIES
from keras_colorize._formats import TUNE_ORACLES
from keras_colorize.weights import DEFAULT_RENDER_SIZE

# A chunk of photos colorized together holds at most this many pixels (plus
# `--batch-size`), so memory stays bounded whatever the photo sizes.
_PIXELS_PER_CHUNK = 48_000_000
# `export default OUT` (and `--model default`) name the model shipped with the package.
DEFAULT_MODEL_NAME = "default"


class CommandError(Exception):
    """A problem that ends the command with a one-line message and exit code 2."""


# --------------------------------------------------------------------------
# Shared pieces


def _add_model_options(parser):
    parser.add_argument(
        "--model", metavar="M",
        help="a .keras colorizer (loaded and checked with safe_mode=True before anything is done); "
             "default: the model shipped with the package",
    )
    parser.add_argument(
        "--render-size", type=_positive_int, default=None, metavar="N",
        help=f"side of the square the model sees, for a model whose input size is dynamic, such as the "
             f"shipped one (larger: finer color, slower; default {DEFAULT_RENDER_SIZE}). A model with a fixed "
             f"input size always renders at that size: --render-size is then ignored, with a notice",
    )
    parser.add_argument(
        "--batch-size", type=_positive_int, default=8, metavar="B",
        help="photos per forward pass (default 8)",
    )


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _recipe(text):
    if text not in RECIPE_NAMES + tuple(RECIPE_ALIASES):
        raise argparse.ArgumentTypeError(f"unknown recipe {text!r}; choose from {', '.join(RECIPE_NAMES)}")
    return text


def _hint(text):
    """`X,Y,#RRGGBB` -> `((x, y), (r, g, b))` for `colorize(hints=...)`."""
    try:
        x, y, code = text.split(",")
        if len(code) != 7 or code[0] != "#":
            raise ValueError
        return (int(x), int(y)), tuple(int(code[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y,#RRGGBB (e.g. 120,45,#d04030), got {text!r}") from None


@contextlib.contextmanager
def _stderr_discarded():
    """Sends file descriptor 2 to the null device (C++ start-up logs ignore TF_CPP_MIN_LOG_LEVEL)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def import_keras(verbose=False):
    """Imports Keras, its backend and the package's serializable layers and models.

    Quiet unless `verbose`: TensorFlow's C++ logs are limited to errors
    (`TF_CPP_MIN_LOG_LEVEL=3`, set before TensorFlow is imported), the lines
    it prints while loading (before its log settings apply, e.g. "Could not
    find cuda drivers") are discarded, and absl's Python warnings are muted.
    A failed import still raises, with its traceback, after stderr is back.

    Args:
        verbose: let every log line through.
    """
    if not verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    quiet = not verbose and "keras" not in sys.modules
    with _stderr_discarded() if quiet else contextlib.nullcontext():
        import keras  # noqa: F401

        import keras_colorize.layers  # noqa: F401 (registers the layers model files name)
        import keras_colorize.models  # noqa: F401 (and the models)
    if not verbose:
        import logging

        logging.getLogger("absl").setLevel(logging.ERROR)


def _load_model(path):
    """The model of `--model` (or `default`), or the shipped default; CommandError if it does not load."""
    from keras_colorize import saving
    from keras_colorize import weights

    if path is not None and path != DEFAULT_MODEL_NAME:
        try:
            return saving.load_model(path)
        except ValueError as error:
            raise CommandError(str(error)) from None
    if not weights.has_default_model():
        raise CommandError(
            "no default model is shipped with this installation; pass --model "
            "my_colorizer.keras (train one with `keras-colorize train`)."
        )
    return weights.load_default_model()


def _render_size(model, args):
    """The side `model` renders at; a one-line notice when --render-size cannot apply."""
    from keras_colorize.prediction import render_side

    shape = model.inputs[0].shape
    fixed = shape[1] if shape[1] is not None and shape[2] is not None else None
    if fixed is None:
        return render_side(model, args.render_size)
    if args.render_size is not None and args.render_size != fixed:
        print(
            f"keras-colorize {args.command}: note: this model's input size is fixed at {fixed}x{shape[2]}; "
            f"--render-size {args.render_size} is ignored (it renders at {fixed}).",
            file=sys.stderr,
        )
    return fixed


def _reason(error):
    """One line saying why an input failed."""
    text = str(error).strip().splitlines()
    if isinstance(error, ValueError) and text:  # keras_colorize's own messages say it all
        return text[0]
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def progress(total, label):
    """The progress bar of `keras_colorize.progress` (`keras.utils.Progbar`) on stderr.

    stdout stays for results (`evaluate --json`). Shows the count, the ETA and
    the time per photo; in a log, a line every 5 %.

    Args:
        total: number of photos.
        label: what is being done, printed once above the bar.
    """
    from keras_colorize.progress import progress_bar

    print(f"{label}: {total} photo(s)", file=sys.stderr)
    return progress_bar(total, unit="photo", stream=sys.stderr)


def _colorized(paths, model, args):
    """Reads and colorizes photo files in bounded chunks (at `args.render_size`).

    Yields `(path, rgb, colored, reason)` for each path in order: the photo
    as float RGB in [0, 1] and its colorization (uint8, same size), or
    `(path, None, None, reason)` for a file that could not be read or
    colorized, with a one-line reason. One bad file never stops the rest.
    """
    from keras_colorize.data import read_image
    from keras_colorize.inference import colorize

    hints = getattr(args, "hints", None) or None
    render_size = args.render_size or DEFAULT_RENDER_SIZE

    def run(chunk):
        try:
            colored = colorize([rgb for _, rgb in chunk], model, hints=hints,
                               render_size=render_size, batch_size=args.batch_size)
            yield from ((path, rgb, out, None) for (path, rgb), out in zip(chunk, colored))
        except Exception:  # find the culprit: one photo at a time
            for path, rgb in chunk:
                try:
                    yield path, rgb, colorize(rgb, model, render_size=render_size, hints=hints), None
                except Exception as error:
                    yield path, None, None, _reason(error)

    chunk, pixels = [], 0
    for path in paths:
        try:
            rgb = read_image(path)
        except Exception as error:  # unreadable file: report it, go on
            yield path, None, None, _reason(error)
            continue
        chunk.append((path, rgb))
        pixels += rgb.shape[0] * rgb.shape[1]
        if len(chunk) >= args.batch_size or pixels >= _PIXELS_PER_CHUNK:
            yield from run(chunk)
            chunk, pixels = [], 0
    if chunk:
        yield from run(chunk)


def _print_failures(failures, stream=None):
    stream = stream or sys.stderr
    if failures:
        print(f"{len(failures)} input(s) failed:", file=stream)
        for path, reason in failures:
            print(f"  {path}: {reason}", file=stream)


# --------------------------------------------------------------------------
# colorize


def _add_colorize_parser(subparsers):
    parser = subparsers.add_parser(
        "colorize",
        help="colorize photo files or folders into OUTDIR",
        description=(
            "Colorizes photos (files, or folders searched recursively) into OUTDIR as PNG files of the "
            "photo's own size, named NAME<suffix>.png and mirroring sub-folders. Existing outputs are "
            "skipped (a rerun resumes an interrupted run) unless --overwrite. Inputs are never modified. "
            "Options go before or after the paths; names that start with a dash go after --. "
            "Unreadable inputs (and folders) are listed at the end; the exit code is 1 if any failed."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="photo files or folders")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the results")
    parser.add_argument("--suffix", default="_color", help="added to each output name (default _color)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument(
        "--hint", action="append", type=_hint, dest="hints", metavar="X,Y,#RRGGBB",
        help="a color hint at pixel column X, row Y of the photo (repeatable; one photo, a hint model)",
    )
    _add_model_options(parser)
    parser.set_defaults(run=_colorize_command)
    return parser


def plan_outputs(paths, outdir, suffix):
    """Maps input paths to output paths under `outdir`.

    A file `F` gives `outdir/<stem(F)><suffix>.png`; a folder `D` gives one
    output per image under it, at the same relative place under `outdir`
    (`D/a/b.jpg` -> `outdir/a/b<suffix>.png`). Files already under `outdir`
    are left out. Output names are distinct even where the file system
    ignores case: when two inputs would get the same name (`a.jpg` and
    `a.png`, or `z.jpg` and `z.JPG`), each keeps its extension in the name
    (`a_jpg<suffix>.png`), and a number where that is not enough
    (`z.JPG` and `z.jpg` give `z_jpg<suffix>.png` and `z_jpg_2<suffix>.png`,
    in sorted order), whatever the order of `paths`.

    Returns:
        A tuple `(jobs, failures)`: a list of `(input, output)` and a list
        of `(path, reason)` for paths that give nothing, including folders
        that cannot be read (`PermissionError: ...`).
    """
    from keras_colorize.data.files import list_images

    outdir = os.path.abspath(outdir)
    candidates, failures, seen = [], [], set()
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            errors = []
            try:
                found = list_images(path, errors=errors)
            except ValueError:
                found = None
            failures.extend(errors)
            if found is None or (not found and not errors):
                failures.append((path, "no image files in this folder"))
                continue
            found = [f for f in found if not _is_output(f, path, outdir, suffix)]
            candidates.extend((f, os.path.relpath(f, path)) for f in found)
        elif os.path.lexists(path):  # a file, or a broken link, FIFO...: reading says why
            candidates.append((path, os.path.basename(path)))
        else:
            failures.append((path, "no such file or folder"))
    planned, sources = {}, []
    for source, relative in candidates:
        key = os.path.abspath(source)
        if key in seen:
            continue
        seen.add(key)
        sources.append(source)
        stem = os.path.splitext(relative)[0]
        planned.setdefault(os.path.join(outdir, stem + suffix).casefold(), []).append((source, relative))
    # Names do not depend on the order of the inputs: inputs alone with their
    # name keep it, then the others are named in sorted order.
    outputs, taken = {}, set()
    for group in sorted(planned.values(), key=lambda group: (len(group) > 1, sorted(group))):
        for source, relative in sorted(group):
            stem, ext = os.path.splitext(relative)
            if len(group) > 1:
                stem = f"{stem}_{ext[1:].lower()}"
            outputs[source] = _distinct(os.path.join(outdir, stem), suffix, taken)
    return [(source, outputs[source]) for source in sources], failures


def _distinct(stem, suffix, taken):
    """`stem<suffix>.png`, or `stem_2<suffix>.png`, ...: the first name not in `taken` (ignoring case)."""
    number = 1
    while True:
        output = f"{stem}{f'_{number}' if number > 1 else ''}{suffix}.png"
        if output.casefold() not in taken:
            taken.add(output.casefold())
            return output
        number += 1


def _is_output(path, folder, outdir, suffix):
    """Whether a file found in `folder` is (likely) one of our outputs under `outdir`."""
    if not os.path.abspath(path).startswith(outdir + os.sep):
        return False
    folder = os.path.abspath(folder)
    return outdir.startswith(folder + os.sep) or path.endswith(suffix + ".png")


def _colorize_command(args):
    from keras_colorize.outputs import encode_png
    from keras_colorize.outputs import remove_stale_parts
    from keras_colorize.outputs import write_atomic

    jobs, failures = plan_outputs(args.paths, args.output, args.suffix)
    if args.hints and len(jobs) != 1:
        raise CommandError(f"--hint applies to a single photo; {len(jobs)} given")
    if not jobs and not failures:
        raise CommandError("no input photos given")
    # The model is loaded and checked even when every output exists: a bad model is an error.
    model = _load_model(args.model)
    args.render_size = _render_size(model, args)
    remove_stale_parts(output for _, output in jobs)
    todo = [(s, o) for s, o in jobs if args.overwrite or not os.path.lexists(o)]
    done_before = len(jobs) - len(todo)
    written = 0
    if todo:
        outputs = dict(todo)
        bar = progress(len(todo), "colorize")
        for source, _, colored, reason in _colorized(list(outputs), model, args):
            if reason is None:
                try:
                    write_atomic(outputs[source], encode_png(colored), overwrite=args.overwrite)
                    written += 1
                except (OSError, ValueError) as error:
                    reason = f"cannot write {outputs[source]}: {_reason(error)}"
            if reason is not None:
                failures.append((source, reason))
            bar.advance()
    print(
        f"{written} photo(s) colorized into {args.output}, {done_before} already done"
        f"{' (skipped; --overwrite redoes them)' if done_before else ''}, {len(failures)} failed.",
        file=sys.stderr,
    )
    _print_failures(failures)
    return 1 if failures else 0


# --------------------------------------------------------------------------
# evaluate


def _add_evaluate_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="score a model on a folder of color photos, beside the gray and mean-ab baselines",
        description=(
            "Colorizes each photo of DIR (recursively) from its own lightness and compares the result with "
            "the photo (8-bit sRGB, mean over photos): PSNR (dB), SSIM, colorfulness of the results, "
            "colorfulness gap to the photos, and the count n. The same scores are given for two baselines "
            "that need no model, each photo's own lightness with a = b = 0 (gray) and with the mean ab of "
            "the set (mean ab): a model is only useful where it beats them."
        ),
    )
    parser.add_argument("directory", metavar="DIR", help="folder of color photos")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (the model's scores, n, and 'baselines')")
    _add_model_options(parser)
    parser.set_defaults(run=_evaluate_command)
    return parser


EVALUATE_KEYS = ("psnr", "ssim", "colorfulness", "colorfulness_gap")
BASELINES = ("gray", "mean_ab")


def _evaluate_command(args):
    import keras
    import numpy as np

    from keras_colorize import color
    from keras_colorize.data import read_image
    from keras_colorize.data.files import list_images
    from keras_colorize.evaluation import evaluate_images
    from keras_colorize.evaluation import with_ab

    errors = []
    try:
        paths = list_images(args.directory, errors=errors)
    except ValueError as error:
        raise CommandError(str(error)) from None
    model = _load_model(args.model)
    args.render_size = _render_size(model, args)

    def scores(colored, truth):
        # Every key is a mean over photos: averaging per photo is exact.
        result = evaluate_images([colored], [truth])
        return [result[key] for key in EVALUATE_KEYS]

    def truth_and_lab(rgb):
        truth = np.round(rgb * 255).astype(np.uint8)
        return truth, keras.ops.convert_to_numpy(color.rgb_to_lab(truth / 255.0))

    failures, rows, gray_rows, good = list(errors), [], [], []
    ab_sum, pixels = np.zeros(2), 0
    bar = progress(len(paths), "evaluate")
    for path, rgb, colored, reason in _colorized(paths, model, args):
        if reason is None:
            truth, lab = truth_and_lab(rgb)
            try:
                row = scores(colored, truth)
                gray_rows.append(scores(with_ab(lab, 0.0), truth))
                rows.append(row)
                good.append(path)
                ab_sum += lab[..., 1:].reshape(-1, 2).sum(axis=0, dtype="float64")
                pixels += lab.shape[0] * lab.shape[1]
            except ValueError as error:  # e.g. smaller than the SSIM window
                reason = _reason(error)
        if reason is not None:
            failures.append((path, reason))
        bar.advance()
    if not rows:
        _print_failures(failures)
        raise CommandError(f"no photo of {args.directory} could be evaluated")
    mean_ab = ab_sum / pixels
    mean_ab_rows = []  # second pass: the set's mean ab is known only now
    for path in good:
        truth, lab = truth_and_lab(read_image(path))
        mean_ab_rows.append(scores(with_ab(lab, mean_ab), truth))
    result = dict(zip(EVALUATE_KEYS, np.mean(rows, axis=0).tolist()), n=len(rows))
    result["baselines"] = {
        name: dict(zip(EVALUATE_KEYS, np.mean(table, axis=0).tolist()))
        for name, table in zip(BASELINES, (gray_rows, mean_ab_rows))
    }
    result["baselines"]["mean_ab"]["ab"] = mean_ab.tolist()
    if args.json:
        print(json.dumps(result))
    else:
        labels = {"model": "model", "gray": "gray (a = b = 0)", "mean_ab": "mean ab of the set"}
        print(f"{'':20s} {'PSNR (dB)':>9s} {'SSIM':>7s} {'colorfulness':>12s} {'gap':>7s}   n {result['n']}")
        for name, row in [("model", result)] + list(result["baselines"].items()):
            print(f"{labels[name]:20s} {row['psnr']:9.2f} {row['ssim']:7.4f} {row['colorfulness']:12.2f} "
                  f"{row['colorfulness_gap']:7.2f}")
    _print_failures(failures)
    return 1 if failures else 0


# --------------------------------------------------------------------------
# train, tune, export: thin wrappers of the library (imported when used)


def _add_train_parser(subparsers):
    parser = subparsers.add_parser(
        "train",
        help="train a colorizer on a folder of photos",
        description="Trains a colorizer on the photos of DATA_DIR (keras_colorize.training.train_from_directory).",
        argument_default=argparse.SUPPRESS,  # the library's defaults apply
    )
    parser.add_argument("data_dir", metavar="DATA_DIR", help="folder of color photos")
    parser.add_argument("--recipe", required=True, type=_recipe, metavar="NAME",
                        help=f"one of {', '.join(RECIPE_NAMES)} (keras_colorize.training.RECIPES: "
                             "model, image and batch size, loss, optimizer, schedule)")
    parser.add_argument("--epochs", required=True, type=_positive_int, metavar="N",
                        help="epochs to train (a rerun with --checkpoint-dir resumes, and continues to N)")
    parser.add_argument("--image-size", type=_positive_int, metavar="N", help="default: the recipe's")
    parser.add_argument("--batch-size", type=_positive_int, metavar="B", help="default: the recipe's")
    parser.add_argument("--checkpoint-dir", metavar="DIR", help="checkpoints; a rerun resumes from them")
    parser.add_argument("--output", metavar="PATH", help="where to save the trained .keras model")
    parser.add_argument("--validation-split", type=float, metavar="F",
                        help="fraction of the photos kept for validation")
    parser.add_argument("--seed", type=int, help="seed of the split and the initial weights")
    parser.set_defaults(run=_train_command)
    return parser


def _train_command(args):
    from keras_colorize.training import train_from_directory

    options = {k: v for k, v in vars(args).items() if k not in ("run", "command", "data_dir", "verbose", "parser")}
    try:
        train_from_directory(args.data_dir, **options)
    except ValueError as error:  # a bad folder or option: one line, not a traceback
        raise CommandError(_reason(error)) from None
    return 0


def _add_tune_parser(subparsers):
    parser = subparsers.add_parser(
        "tune",
        help="hyperparameter search (options: keras-colorize tune --help; needs keras_colorize[tuning])",
        description="Runs run_search with the remaining arguments.",
        add_help=False,  # --help goes to the tuning script
    )
    parser.set_defaults(run=_tune_command, passthrough=True)
    return parser


def _tune_command(args, extra):
    import importlib.util

    if importlib.util.find_spec("keras_tuner") is None:
        raise CommandError('hyperparameter search needs KerasTuner: pip install "keras_colorize[tuning]"')
    result = run_search(extra)
    return result if isinstance(result, int) else 0


def tune_parser(family=None):
    """The options of `keras-colorize tune` (and of `tuning/search_<family>.py`); imports no Keras."""
    parser = argparse.ArgumentParser(
        prog=f"search_{family}" if family else "keras-colorize tune",
        description="K-fold hyperparameter search (report 000's procedure) with KerasTuner. "
        "Re-running with the same --directory and --project-name continues the search.",
    )
    if family is None:
        parser.add_argument("--family", required=True, choices=TUNE_FAMILIES,
                            help="the model family whose hyperparameters are searched")
    parser.add_argument("--data", metavar="DIR", required=True, help="folder of color photos (searched recursively)")
    parser.add_argument("--directory", metavar="DIR", default="tuning_runs", help="where the search state is kept")
    parser.add_argument("--project-name", metavar="NAME", default=None,
                        help="sub-folder of --directory (default: the family)")
    parser.add_argument("--overwrite", action="store_true", help="start over instead of resuming")
    parser.add_argument("--max-trials", metavar="N", type=int, default=10,
                        help="hyperparameter sets to try (default 10)")
    parser.add_argument("--folds", metavar="K", type=int, default=3,
                        help="cross-validation folds: each trial trains one model per fold (default 3)")
    parser.add_argument("--executions-per-trial", metavar="N", type=int, default=1,
                        help="trainings per fold, averaged (default 1)")
    parser.add_argument("--epochs", metavar="N", type=int, default=5, help="epochs per run (Hyperband: the maximum)")
    parser.add_argument("--image-size", metavar="N", type=int, default=None, help="crop side (default: the recipe's)")
    parser.add_argument("--oracle", choices=TUNE_ORACLES, default="random",
                        help="how the next trial is chosen (default random)")
    parser.add_argument("--steps-per-epoch", metavar="N", type=int, default=None,
                        help="fixed epoch length in batches, the photos repeating (default: one pass over the fold)")
    parser.add_argument("--max-images", metavar="N", type=int, default=None, help="use only the first N photos")
    parser.add_argument("--model-kwargs", metavar="JSON", type=json.loads, default=None,
                        help='fixed builder arguments as JSON, e.g. \'{"base_filters": 8}\' (they override searched ones)')
    parser.add_argument("--vgg-weights", metavar="W", default="imagenet",
                        help="VAE perceptual loss: 'imagenet', a weights file, or 'none' (random features)")
    parser.add_argument("--no-jit", action="store_true", help="no XLA compilation (faster start of short trials)")
    parser.add_argument("--seed", metavar="S", type=int, default=1337,
                        help="seed of the folds and the search (default 1337)")
    parser.add_argument("--verbose", action="store_true", help="let TensorFlow's and Keras' log lines through")
    return parser


def run_search(argv=None, family=None):
    """Runs a search from command-line arguments; prints and returns the best hyperparameters.

    What `keras-colorize tune` runs (`keras_colorize.tuning.main` is this
    function under its former name).

    Args:
        argv: arguments (default: `sys.argv[1:]`).
        family: `"vae"`, `"unet"`, `"resnet_unet"` or `"classifier"`; None
            adds a required `--family` flag.

    Returns:
        The best hyperparameter values (a dict), also written to
        `<directory>/<project-name>/best_hyperparameters.json`; None on a
        distributed search's workers.
    """
    if family is not None and family not in TUNE_FAMILIES:
        raise ValueError(f"Unknown family. Expected one of {list(TUNE_FAMILIES)}. Received: family={family!r}")
    args = tune_parser(family).parse_args(argv)  # --help and usage errors end here, before Keras
    import_keras(verbose=args.verbose)
    from keras_colorize import data
    from keras_colorize.outputs import atomic_path
    from keras_colorize.tuning import HYPERMODELS, CrossValidatedTuner

    family = family or args.family
    kwargs = {"image_size": args.image_size, "model_kwargs": args.model_kwargs,
              "jit_compile": False if args.no_jit else "auto"}
    if family == "vae":
        kwargs["vgg_weights"] = None if args.vgg_weights.lower() == "none" else args.vgg_weights
    paths = data.list_images(args.data)[: args.max_images]
    tuner = CrossValidatedTuner(
        HYPERMODELS[family](**kwargs),
        oracle=args.oracle,
        folds=args.folds,
        executions_per_trial=args.executions_per_trial,
        max_trials=args.max_trials,
        max_epochs=args.epochs,
        seed=args.seed,
        steps_per_epoch=args.steps_per_epoch,
        directory=args.directory,
        project_name=args.project_name or family,
        overwrite=args.overwrite,
    )
    tuner.search(paths, epochs=args.epochs)
    if "worker" in os.environ.get("KERASTUNER_TUNER_ID", ""):
        return None
    best = tuner.get_best_hyperparameters()[0].values
    path = os.path.join(args.directory, args.project_name or family, "best_hyperparameters.json")
    # Rewritten by every search of the project, as the oracle's own files are.
    with atomic_path(path, overwrite=True, suffix=".json") as temporary:
        with open(temporary, "w") as handle:
            json.dump(best, handle, indent=2)
    print(json.dumps(best, indent=2))
    return best


def _add_export_parser(subparsers):
    parser = subparsers.add_parser(
        "export",
        help="export a .keras colorizer (or the shipped one) as .keras, SavedModel or TFLite",
        description="Exports MODEL to OUT (keras_colorize.export.export_model).",
    )
    parser.add_argument("model", metavar="MODEL",
                        help=f"a .keras colorizer, or {DEFAULT_MODEL_NAME!r} for the model shipped with the package")
    parser.add_argument("out", metavar="OUT", help="output file or folder")
    parser.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                        help="keras: a .keras file; saved_model: a TensorFlow SavedModel folder; "
                             "tflite: a TensorFlow Lite file")
    parser.add_argument("--render-size", type=_positive_int, default=None, metavar="N",
                        help=f"image side the exported graph runs the model at, for a model whose input size "
                             f"is dynamic (default {DEFAULT_RENDER_SIZE}; a fixed-size model uses its own)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.set_defaults(run=_export_command)
    return parser


def _export_command(args):
    from keras_colorize.export import export_model

    model = _load_model(args.model)
    args.render_size = _render_size(model, args)
    try:
        export_model(model, args.out, format=args.format, render_size=args.render_size,
                     overwrite=args.overwrite)
    except FileExistsError:
        raise CommandError(f"{args.out} exists; pass --overwrite to replace it") from None
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(f"exported {args.model} to {args.out} ({args.format})", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# video, serve


def _add_video_parser(subparsers):
    parser = subparsers.add_parser(
        "video",
        help="colorize a video file (the output is silent)",
        description=(
            "Colorizes the video IN into OUT (.mp4, .avi or .mkv) with the same frame size, frame rate and "
            "frame count; colors are carried along the optical flow against flicker (--temporal). Audio is "
            "not handled: OUT has no sound. OUT is written to a temporary file and renamed when complete; "
            "an existing OUT is kept unless --overwrite."
        ),
    )
    parser.add_argument("input", metavar="IN", help="a video file OpenCV can decode")
    parser.add_argument("output", metavar="OUT", help="the colorized video (.mp4, .avi or .mkv)")
    parser.add_argument("--temporal", type=float, default=0.6, metavar="W",
                        help="weight of the previous frame's colors in [0, 1); 0: frame by frame (default 0.6)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    _add_model_options(parser)
    parser.set_defaults(run=_video_command)
    return parser


def _video_command(args):
    from keras_colorize.video import colorize_video

    model = _load_model(args.model)
    args.render_size = _render_size(model, args)
    try:
        count = colorize_video(
            args.input, args.output, model, temporal=args.temporal, render_size=args.render_size,
            batch_size=args.batch_size, overwrite=args.overwrite,
        )
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(f"{count} frame(s) colorized into {args.output} (no audio)", file=sys.stderr)
    return 0


def _add_serve_parser(subparsers):
    parser = subparsers.add_parser(
        "serve",
        help="a local web page: upload a photo, add color hints, download",
        description=(
            "Serves a page on http://HOST:PORT/ to colorize photos, add color hints with a click (with a hint "
            "model) and download the result. Binds 127.0.0.1 by default: only this machine can reach it. "
            'Needs Flask: pip install "keras_colorize[serve]".'
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_positive_int, default=8000, help="TCP port (default 8000)")
    _add_model_options(parser)
    parser.set_defaults(run=_serve_command)
    return parser


def _serve_command(args):
    import importlib.util

    if importlib.util.find_spec("flask") is None:
        raise CommandError('the web page needs Flask: pip install "keras_colorize[serve]"')
    from keras_colorize.serve import serve

    model = _load_model(args.model)
    args.render_size = _render_size(model, args)
    print(f"serving on http://{args.host}:{args.port}/ (Ctrl+C stops)", file=sys.stderr)
    serve(model, host=args.host, port=args.port, render_size=args.render_size)
    return 0


# --------------------------------------------------------------------------

PARSERS = [
    _add_colorize_parser,
    _add_evaluate_parser,
    _add_train_parser,
    _add_tune_parser,
    _add_export_parser,
    _add_video_parser,
    _add_serve_parser,
]


def build_parser():
    """The `keras-colorize` argument parser, one subparser per `PARSERS` entry."""
    parser = argparse.ArgumentParser(
        prog="keras-colorize", description="Colorize grayscale photos with Keras."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in PARSERS:
        command = add(subparsers)
        if command.add_help:  # not `tune`, whose options are the tuning script's
            command.add_argument("--verbose", action="store_true", default=False,
                                 help="let TensorFlow's and Keras' log lines through")
            command.set_defaults(parser=command)
    return parser


def main(argv=None):
    """Runs `keras-colorize` with `argv` (default: the command line); returns the exit code.

    Options may come before or after `colorize`'s paths (`colorize a.jpg -o
    out b.jpg`); everything after `--` is a path. `--help` and usage errors
    (exit code 2) import neither Keras nor TensorFlow.
    """
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if not getattr(args, "passthrough", False) and extra:
        # argparse stops taking `colorize` paths at the first option: the
        # paths it left over (`a.jpg -o out b.jpg`, and all after `--`) are
        # added here; anything else is an unknown option.
        paths, unknown, after_dashes = [], [], False
        for item in extra:
            if after_dashes or (item != "--" and not item.startswith("-")):
                paths.append(item)
            elif item == "--":
                after_dashes = True
            else:
                unknown.append(item)
        if unknown or not hasattr(args, "paths"):
            args.parser.error(f"unrecognized arguments: {' '.join(unknown or extra)}")
        args.paths += paths
    try:
        if getattr(args, "passthrough", False):
            return args.run(args, extra)
        import_keras(verbose=args.verbose)
        return args.run(args)
    except CommandError as error:
        print(f"keras-colorize {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
