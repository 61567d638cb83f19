"""`keras-colorize`: colorize, evaluate, train, tune and export from the shell.

Each subcommand is one `_add_<name>_parser(subparsers)` function listed in
`PARSERS`; it sets `run`, a function of the parsed arguments returning the
exit code. Exit codes: 0 all went well, 1 some inputs failed (listed at the
end), 2 a usage error (bad option, unloadable model, nothing to do).

Example:

    keras-colorize colorize old_photos/ -o colorized/
    keras-colorize evaluate dev_photos/ --json
"""

import argparse
import json
import os
import sys
import time

import numpy as np

# A chunk of photos colorized together holds at most this many pixels (plus
# `--batch-size`), so memory stays bounded whatever the photo sizes.
_PIXELS_PER_CHUNK = 48_000_000


class CommandError(Exception):
    """A problem that ends the command with a one-line message and exit code 2."""


# --------------------------------------------------------------------------
# Shared pieces


def _add_model_options(parser):
    parser.add_argument(
        "--model", metavar="M",
        help="a .keras colorizer (loaded with safe_mode=True); default: the model shipped with the package",
    )
    parser.add_argument(
        "--render-size", type=_positive_int, default=256, metavar="N",
        help="side of the square the model sees (larger: finer color, slower; default 256)",
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


def _hint(text):
    """`X,Y,#RRGGBB` -> `((x, y), (r, g, b))` for `colorize(hints=...)`."""
    try:
        x, y, code = text.split(",")
        if len(code) != 7 or code[0] != "#":
            raise ValueError
        return (int(x), int(y)), tuple(int(code[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y,#RRGGBB (e.g. 120,45,#d04030), got {text!r}") from None


def _load_model(path):
    """The model of `--model`, or the shipped default; CommandError if neither loads."""
    from keras_colorize import saving
    from keras_colorize import weights

    if path is not None:
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


def _reason(error):
    """One line saying why an input failed."""
    text = str(error).strip().splitlines()
    if isinstance(error, ValueError) and text:  # keras_colorize's own messages say it all
        return text[0]
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class Progress:
    """A one-line progress report on stderr: count, percentage, rate and ETA.

    On a terminal the line is redrawn in place; otherwise (a log file) a line
    is printed every 5 % and at the end.
    """

    def __init__(self, total, label, stream=None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.done = 0
        self.every = max(1, total // 20)

    def advance(self, count=1):
        self.done += count
        if not self.tty and self.done % self.every and self.done != self.total:
            return
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        line = (
            f"{self.label} {self.done}/{self.total} "
            f"{100 * self.done // max(1, self.total)}% {rate:.1f} photos/s "
            f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        )
        end = "\n" if not self.tty or self.done == self.total else ""
        print(("\r" if self.tty else "") + line, end=end, file=self.stream, flush=True)


def _colorized(paths, model, args):
    """Reads and colorizes photo files in bounded chunks.

    Yields `(path, rgb, colored, reason)` for each path in order: the photo
    as float RGB in [0, 1] and its colorization (uint8, same size), or
    `(path, None, None, reason)` for a file that could not be read or
    colorized, with a one-line reason. One bad file never stops the rest.
    """
    from keras_colorize.data import read_image
    from keras_colorize.inference import colorize

    hints = getattr(args, "hints", None) or None

    def run(chunk):
        try:
            colored = colorize([rgb for _, rgb in chunk], model, hints=hints,
                               render_size=args.render_size, batch_size=args.batch_size)
            yield from ((path, rgb, out, None) for (path, rgb), out in zip(chunk, colored))
        except Exception:  # find the culprit: one photo at a time
            for path, rgb in chunk:
                try:
                    yield path, rgb, colorize(rgb, model, render_size=args.render_size, hints=hints), None
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
            "Unreadable inputs are listed at the end; the exit code is 1 if any failed."
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
    are left out. When two inputs would get the same name (`a.jpg` and
    `a.png`), each keeps its extension in the name (`a_jpg<suffix>.png`).

    Returns:
        A tuple `(jobs, failures)`: a list of `(input, output)` and a list
        of `(path, reason)` for paths that give nothing.
    """
    from keras_colorize.data import list_images

    outdir = os.path.abspath(outdir)
    candidates, failures, seen = [], [], set()
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            try:
                found = list_images(path)
            except ValueError:
                failures.append((path, "no image files in this folder"))
                continue
            found = [f for f in found if not _is_output(f, path, outdir, suffix)]
            candidates.extend((f, os.path.relpath(f, path)) for f in found)
        elif os.path.lexists(path):  # a file, or a broken link, FIFO...: reading says why
            candidates.append((path, os.path.basename(path)))
        else:
            failures.append((path, "no such file or folder"))
    planned = {}
    for source, relative in candidates:
        key = os.path.abspath(source)
        if key in seen:
            continue
        seen.add(key)
        stem = os.path.splitext(relative)[0]
        planned.setdefault(os.path.join(outdir, stem + suffix + ".png"), []).append((source, relative))
    jobs, taken = [], set()
    for output, group in planned.items():
        for source, relative in group:
            if len(group) > 1:
                stem, ext = os.path.splitext(relative)
                output = os.path.join(outdir, f"{stem}_{ext[1:].lower()}{suffix}.png")
            if output in taken:
                failures.append((source, f"another input also gives {output}; colorize it separately"))
                continue
            taken.add(output)
            jobs.append((source, output))
    return jobs, failures


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
    remove_stale_parts(output for _, output in jobs)
    todo = [(s, o) for s, o in jobs if args.overwrite or not os.path.lexists(o)]
    done_before = len(jobs) - len(todo)
    written = 0
    if todo:
        model = _load_model(args.model)
        outputs = dict(todo)
        progress = Progress(len(todo), "colorize")
        for source, _, colored, reason in _colorized(list(outputs), model, args):
            if reason is None:
                try:
                    write_atomic(outputs[source], encode_png(colored), overwrite=args.overwrite)
                    written += 1
                except (OSError, ValueError) as error:
                    reason = f"cannot write {outputs[source]}: {_reason(error)}"
            if reason is not None:
                failures.append((source, reason))
            progress.advance()
    elif not jobs and not failures:
        raise CommandError("no input photos given")
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
        help="score a model on a folder of color photos",
        description=(
            "Colorizes each photo of DIR (recursively) from its own lightness and compares the result with "
            "the photo (8-bit sRGB, mean over photos): PSNR (dB), SSIM, colorfulness of the results, "
            "colorfulness gap to the photos, and the count n."
        ),
    )
    parser.add_argument("directory", metavar="DIR", help="folder of color photos")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _add_model_options(parser)
    parser.set_defaults(run=_evaluate_command)
    return parser


EVALUATE_KEYS = ("psnr", "ssim", "colorfulness", "colorfulness_gap")


def _evaluate_command(args):
    from keras_colorize.data import list_images
    from keras_colorize.metrics import evaluate_images

    try:
        paths = list_images(args.directory)
    except ValueError as error:
        raise CommandError(str(error)) from None
    model = _load_model(args.model)
    failures, rows = [], []
    progress = Progress(len(paths), "evaluate")
    for path, rgb, colored, reason in _colorized(paths, model, args):
        if reason is None:
            try:  # every key is a mean over photos: averaging per photo is exact
                scores = evaluate_images([colored], [np.round(rgb * 255).astype(np.uint8)])
                rows.append([scores[key] for key in EVALUATE_KEYS])
            except ValueError as error:  # e.g. smaller than the SSIM window
                reason = _reason(error)
        if reason is not None:
            failures.append((path, reason))
        progress.advance()
    if not rows:
        _print_failures(failures)
        raise CommandError(f"no photo of {args.directory} could be evaluated")
    result = dict(zip(EVALUATE_KEYS, np.mean(rows, axis=0).tolist()), n=len(rows))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"PSNR {result['psnr']:.2f} dB  SSIM {result['ssim']:.4f}  "
            f"colorfulness {result['colorfulness']:.2f}  colorfulness gap "
            f"{result['colorfulness_gap']:.2f}  n {result['n']}"
        )
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
    parser.add_argument("--recipe", required=True, metavar="NAME",
                        help="a recipe of keras_colorize.training.RECIPES")
    parser.add_argument("--epochs", required=True, type=_positive_int)
    parser.add_argument("--image-size", type=_positive_int, metavar="N", help="default: the recipe's")
    parser.add_argument("--batch-size", type=_positive_int, metavar="B", help="default: the recipe's")
    parser.add_argument("--checkpoint-dir", metavar="DIR", help="checkpoints; a rerun resumes from them")
    parser.add_argument("--output", metavar="PATH", help="where to save the trained .keras model")
    parser.add_argument("--validation-split", type=float, metavar="F")
    parser.add_argument("--seed", type=int)
    parser.set_defaults(run=_train_command)
    return parser


def _train_command(args):
    from keras_colorize.training import train_from_directory

    options = {k: v for k, v in vars(args).items() if k not in ("run", "command", "data_dir")}
    train_from_directory(args.data_dir, **options)
    return 0


def _add_tune_parser(subparsers):
    parser = subparsers.add_parser(
        "tune",
        help="hyperparameter search (options: keras-colorize tune --help)",
        description="Runs keras_colorize.tuning.main with the remaining arguments.",
        add_help=False,  # --help goes to the tuning script
    )
    parser.set_defaults(run=_tune_command, passthrough=True)
    return parser


def _tune_command(args, extra):
    from keras_colorize.tuning import main as tuning_main

    result = tuning_main(extra)
    return result if isinstance(result, int) else 0


def _add_export_parser(subparsers):
    parser = subparsers.add_parser(
        "export",
        help="export a .keras colorizer as .keras, SavedModel or TFLite",
        description="Exports MODEL to OUT (keras_colorize.export.export_model).",
    )
    parser.add_argument("model", metavar="MODEL", help="a .keras colorizer")
    parser.add_argument("out", metavar="OUT", help="output file or folder")
    parser.add_argument("--format", required=True, choices=("keras", "saved_model", "tflite"))
    parser.add_argument("--render-size", type=_positive_int, default=256, metavar="N",
                        help="image side the exported graph runs the model at (default 256)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.set_defaults(run=_export_command)
    return parser


def _export_command(args):
    from keras_colorize.export import export_model

    model = _load_model(args.model)
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
            "Needs Flask: pip install keras_colorize[serve]."
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
        raise CommandError("the web page needs Flask: pip install keras_colorize[serve]")
    from keras_colorize.serve import serve

    model = _load_model(args.model)
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
        add(subparsers)
    return parser


def main(argv=None):
    """Runs `keras-colorize` with `argv` (default: the command line); returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    try:
        if getattr(args, "passthrough", False):
            return args.run(args, extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return args.run(args)
    except CommandError as error:
        print(f"keras-colorize {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
