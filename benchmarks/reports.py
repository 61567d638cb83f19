"""The five reports reproduced on one footing: every recipe, the same photos, one table beside their claims.

Every row (each recipe of `keras_colorize.recipes.RECIPES`, report 001's loss
comparison, report 004's formulations and the pretrained-encoder U-Net of
our default model) is trained the same way: the same training photos, crop
side, batch size, seed and budget, each with its own report's optimizer,
learning rate, schedule and loss. The budget is minutes of training
(`--minutes`: the same compute for every row, each row's number of steps set
by the time of its first steps) or a number of optimizer steps (`--steps`). Each is then scored on
every dev photo at full resolution (`colorize()` rendering at the training
side, `metrics.evaluate_images`: PSNR, SSIM, colorfulness, ΔE2000) and with
its report's own metric (`evaluation.evaluate_as_report`), beside the gray
and mean-ab baselines and the report's claim.

Resumable: each finished row is appended to a JSON lines file (`--out`), and
a run skips the rows already there with the same budget; a killed row resumes
at its last finished epoch (`fit_colorizer`'s backup under `--work-dir`).
`--table` prints the Markdown table of a JSON lines file, `--plot` draws PSNR
against colorfulness. `--smoke`: two rows, a few steps on the photos bundled
with the package (what the test suite runs).

    KERAS_BACKEND=tensorflow python benchmarks/reports.py [--minutes 3 | --minutes 0 --steps 600] [--rows six_conv_rgb,...]
    python benchmarks/reports.py --table --plot benchmarks/reports.png
"""

import argparse
import dataclasses
import json
import math
import os
import shutil
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import color  # noqa: E402
from keras_colorize import evaluation  # noqa: E402
from keras_colorize import recipes  # noqa: E402
from keras_colorize import training  # noqa: E402
from keras_colorize.data import list_images  # noqa: E402
from keras_colorize.data import read_image  # noqa: E402
from keras_colorize.inference import colorize  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_colorize.evaluation import with_ab  # noqa: E402  (the baselines of dev_quality.py, the same way)

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data")
SAMPLES = os.path.join(HERE, "..", "keras_colorize", "samples")
RESULTS = os.path.join(HERE, "reports.jsonl")
SCORES = ("psnr", "ssim", "colorfulness", "delta_e2000")


@dataclasses.dataclass(frozen=True)
class Row:
    """One trained model of the table.

    Attributes:
        key: unique name of the row (in the JSON lines file).
        report: the report it reproduces (`"000"` ... `"004"`, or `"ours"`).
        title: architecture / loss / color space, for the table.
        recipe: the `RECIPES` entry it starts from.
        changes: `Recipe` fields replaced (`dataclasses.replace`).
        claim: what the report claims for it, verbatim figures.
        report_size: the side of the report's own metric (None: the report's).
    """

    key: str
    report: str
    title: str
    recipe: str
    changes: dict = dataclasses.field(default_factory=dict)
    claim: str = ""
    report_size: int = None

    def build_recipe(self):
        return dataclasses.replace(recipes.get_recipe(self.recipe), name=self.key, **self.changes)


def _loss(loss, **options):
    """The `Recipe` changes for another loss."""
    return {"loss": loss, "loss_options": options}


ROWS = (
    Row("vae_perceptual", "000", "VAE / Charbonnier + cosine + perceptual (EfficientNet-Lite0) + KL / Lab",
        "vae_perceptual",
        # VGG19's ImageNet weights cannot be downloaded here: the offline
        # perceptual network, at its default tap.
        {"loss_options": {"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01,
                          "vgg_layers": None, "vgg_weights": "imagenet",
                          "network": "efficientnet_lite0"}},
        claim="PSNR 24.1-24.5 dB"),
    Row("resnet_color_weighted", "001", "ResNet-18 encoder-decoder / color-weighted / Lab",
        "resnet_color_weighted", claim="PSNR 18.9 dB, SSIM 0.82 (its best)"),
    Row("resnet_l2", "001", "ResNet-18 encoder-decoder / L2 / Lab", "resnet_color_weighted",
        _loss("mixed_l1_l2", alpha=1.0), claim="PSNR 18.71 dB, SSIM 0.82 (MSE, lr 1e-4)"),
    Row("resnet_smooth_l1", "001", "ResNet-18 encoder-decoder / smooth-L1 (δ = 1) / Lab",
        "resnet_color_weighted", _loss("smooth_l1", delta=1.0),
        claim="below color-weighted"),
    Row("resnet_color_weighted_tv", "001", "ResNet-18 encoder-decoder / color-weighted + 0.1 TV / Lab",
        "resnet_color_weighted", _loss("color_weighted_tv", total_variation=0.1, distance="l2"),
        claim="(TV named as a regulariser, no figure)"),
    Row("shallow_l1", "002", "shallow baseline / L1 / Lab", "resnet_unet_l1",
        {"model": "shallow"}, claim="SSIM 0.58"),
    Row("resnet_unet_l1", "002", "ResNet-18 U-Net / L1 / Lab", "resnet_unet_l1",
        claim="SSIM 0.74 (5 epochs)"),
    Row("six_conv_rgb", "003", "six convolutions / MSE / RGB", "six_conv_rgb",
        claim="PSNR 23.56 dB, MSE 0.0044"),
    Row("baseline_cnn_rgb", "004", "baseline CNN / 0.7 MSE + 0.3 L1 / RGB", "unet_mixed_l1_l2",
        {"model": "baseline_cnn", "model_kwargs": {}, "output": "rgb",
         **_loss("mixed_l1_l2", alpha=0.7, channels="all")},
        claim="PSNR 11.2 dB", report_size=96),
    Row("unet_rgb", "004", "U-Net 4.5 M / 0.7 MSE + 0.3 L1 / RGB", "unet_mixed_l1_l2",
        {"model_kwargs": {"depth": 4, "base_filters": 24, "output": "rgb"}, "output": "rgb",
         **_loss("mixed_l1_l2", alpha=0.7, channels="all")},
        claim="PSNR 13.5 dB", report_size=96),
    Row("unet_mixed_l1_l2", "004", "U-Net 20.5 M / 0.5 MSE + 0.5 L1 / Lab", "unet_mixed_l1_l2",
        claim="PSNR 19.0 dB", report_size=512),
    Row("unet_alpha_0.3", "004", "U-Net 20.5 M / 0.3 MSE + 0.7 L1 / Lab", "unet_mixed_l1_l2",
        _loss("mixed_l1_l2", alpha=0.3), claim="(α compared, no figure)", report_size=512),
    Row("unet_alpha_0.7", "004", "U-Net 20.5 M / 0.7 MSE + 0.3 L1 / Lab", "unet_mixed_l1_l2",
        _loss("mixed_l1_l2", alpha=0.7), claim="(α compared, no figure)", report_size=512),
    Row("unet_classifier", "004", "U-Net 20.5 M / 676-bin rebalanced cross-entropy / bins",
        "unet_classifier", claim="PSNR 18.2 dB", report_size=512),
    Row("encoder_unet", "ours", "frozen ImageNet EfficientNet-Lite1 U-Net / Huber δ 0.1 / Lab",
        "unet_mixed_l1_l2",
        {"model_kwargs": {"backbone": "efficientnet_lite1", "encoder_weights": "imagenet",
                          "encoder_freeze": True, "base_filters": 16},
         "learning_rate": 1e-3, **_loss("smooth_l1", delta=0.1)},
        claim="(the Lite1 default's architecture, without hints)"),
)
SMOKE_ROWS = ("six_conv_rgb", "shallow_l1")


class StepTimer(keras.callbacks.Callback):
    """Wall time of each training step and of each epoch."""

    def __init__(self):
        super().__init__()
        self.steps, self.epochs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self._step_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(time.perf_counter() - self._step_start)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(time.perf_counter() - self._epoch_start)


def to_uint8(images):
    return [np.round(np.clip(image, 0, 1) * 255).astype(np.uint8) for image in images]


def _report_metric(images, truths, report, size):
    own = evaluation.evaluate_as_report(images, truths, report, size)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in own.items()}


def _report_keys():
    """`(report, side)` of every report metric a row uses: each report's own
    side, and 004 also at 96² (its baseline and RGB U-Net) and 512² (its Lab U-Nets)."""
    keys = {(row.report, row.report_size or evaluation.REPORT_METRICS[row.report]["size"])
            for row in ROWS if row.report in evaluation.REPORT_METRICS}
    return sorted(keys)


def score(images, truths, row=None):
    """`evaluate_images` scores, and the row's report's own metric (a
    baseline: every report's metric, to read each claim against doing nothing)."""
    scores = evaluation.evaluate_images(images, truths)
    record = {key: round(scores[key], 4) for key in SCORES}
    record["colorfulness_true"] = round(scores["colorfulness_true"], 4)
    if row is None:
        record["report_metrics"] = {f"{report}@{size}": _report_metric(images, truths, report, size)
                                    for report, size in _report_keys()}
    elif row.report in evaluation.REPORT_METRICS:
        record["report_metric"] = _report_metric(images, truths, row.report, row.report_size)
    return record


CALIBRATION_STEPS = 8


def train_row(row, train_paths, settings, work_dir):
    """Trains one row under the common budget; returns the model and its speed.

    The budget is `settings["minutes"]` of training (each row's own number of
    steps, from the time of its first steps: the same compute for all) or,
    when that is None, `settings["steps"]` optimizer steps for all. Either way
    the steps are split in `settings["epochs"]` epochs for the schedules.
    """
    recipe = row.build_recipe()
    size, batch, epochs, seed = (settings[k] for k in ("image_size", "batch_size", "epochs", "seed"))
    keras.utils.set_random_seed(seed)
    train, _ = recipe.datasets(train_paths, image_size=size, batch_size=batch, seed=seed)
    prior = recipe.estimate_prior(train)
    checkpoint_dir = os.path.join(work_dir, row.key)
    plan_path = os.path.join(checkpoint_dir, "plan.json")
    timer = StepTimer()
    start = time.perf_counter()

    def fit(epochs, steps_per_epoch):
        return training.fit_colorizer(
            lambda: recipe.build_model(size), train.repeat(), epochs=epochs, recipe=recipe,
            prior=prior, checkpoint_dir=checkpoint_dir, steps_per_epoch=steps_per_epoch,
            callbacks=[timer], verbose=0,
        )

    if os.path.exists(plan_path):  # a resumed row keeps its plan
        with open(plan_path) as f:
            plan = json.load(f)
    elif settings.get("minutes"):
        # A first epoch of a few steps times this model; its steps count.
        fit(1, CALIBRATION_STEPS)
        step_seconds = float(np.median(timer.steps[2:]))
        total = max(int(settings["minutes"] * 60 / step_seconds), CALIBRATION_STEPS + epochs)
        plan = {"calibration_epochs": 1,
                "steps_per_epoch": max((total - CALIBRATION_STEPS) // epochs, 1)}
        plan["steps"] = CALIBRATION_STEPS + plan["steps_per_epoch"] * epochs
    else:
        plan = {"calibration_epochs": 0, "steps_per_epoch": settings["steps"] // epochs}
        plan["steps"] = plan["steps_per_epoch"] * epochs
    os.makedirs(checkpoint_dir, exist_ok=True)
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    history = fit(plan["calibration_epochs"] + epochs, plan["steps_per_epoch"])
    seconds = time.perf_counter() - start
    model = history.model
    # Steps after the first two of each run (which compile).
    speed = batch / float(np.median(timer.steps[2:] or timer.steps))
    losses = history.history.get("loss") or [float("nan")]
    return model, {
        "parameters": model.count_params(),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "steps": plan["steps"],
        "train_images_per_s": round(speed, 2),
        "train_seconds": round(seconds, 1),
        "final_loss": round(float(losses[-1]), 5),
    }


def read_results(path):
    """The rows of a JSON lines file (the last record of each key wins)."""
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    rows[record["key"]] = record
    return list(rows.values())


def append_result(path, record):
    """Appends one record as a line, flushed to disk before returning."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _fmt(value, digits=2):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.{digits}f}"


def _own(record, gray=None):
    """The row's report metric, and gray's under the same metric."""
    own = record.get("report_metric")
    if not own:
        return "—"
    reference = (gray or {}).get("report_metrics", {}).get(f"{record['report']}@{own['size']}", {})
    parts = []
    for key, name, digits in (("psnr", "PSNR", 2), ("ssim", "SSIM", 3)):
        if key in own:
            text = f"{name} {own[key]:.{digits}f}"
            if key in reference:
                text += f" (gray {reference[key]:.{digits}f})"
            parts.append(text)
    return f"{', '.join(parts)} at {own['size']}²"


def table(records):
    """The Markdown table of the records: models first, then the baselines."""
    lines = [
        "| report | architecture / loss / color space | parameters | steps | train img/s | PSNR | SSIM "
        "| colorfulness | ΔE2000 | report's own metric on our photos (gray's) | report's claim |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    gray = next((r for r in records if r["key"] == "gray"), None)
    for r in sorted(records, key=lambda r: (r["kind"] != "model", r.get("report", ""), r["key"])):
        params = f"{r['parameters'] / 1e6:.2f} M" if r.get("parameters") else "—"
        if r.get("trainable") and r["trainable"] < 0.5 * r["parameters"]:  # a frozen encoder
            params += f" ({r['trainable'] / 1e6:.2f} M trained)"
        lines.append(
            f"| {r.get('report', '—')} | {r['title']} | {params} | {r.get('steps') or '—'} "
            f"| {_fmt(r.get('train_images_per_s'), 1)} "
            f"| {_fmt(r['psnr'])} | {_fmt(r['ssim'], 3)} | {_fmt(r['colorfulness'], 1)} "
            f"| {_fmt(r['delta_e2000'])} | {_own(r, gray)} | {r.get('claim', '')} |"
        )
    return "\n".join(lines)


def figure(records):
    """PSNR against colorfulness, one point per row; gray and the truth marked."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for r in records:
        marker = "o" if r["kind"] == "model" else "s"
        ax.scatter(r["colorfulness"], r["psnr"], marker=marker, color="C0" if marker == "o" else "C3")
        ax.annotate(r["key"], (r["colorfulness"], r["psnr"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    truth = next((r["colorfulness_true"] for r in records if "colorfulness_true" in r), None)
    if truth is not None:
        ax.axvline(truth, color="C2", linestyle="--", label=f"truth's colorfulness ({truth:.1f}); PSNR ∞")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("colorfulness (Hasler & Süsstrunk)")
    ax.set_ylabel("dev PSNR, dB (8-bit sRGB, full resolution)")
    ax.set_title("Every row trained on the same budget: PSNR against colorfulness")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def run(rows, train_dir, dev_dir, out, work_dir, settings, log=print):
    """Trains and scores every row not yet in `out` with these settings."""
    done = {r["key"] for r in read_results(out) if r.get("settings") == settings}
    train_paths = list_images(train_dir)
    dev_paths = list_images(dev_dir)
    truths = to_uint8(read_image(p) for p in dev_paths)
    log(f"{len(train_paths)} training photos, {len(dev_paths)} dev photos; budget {settings}")
    if "gray" not in done or "mean_ab" not in done:
        labs = [keras.ops.convert_to_numpy(color.rgb_to_lab(t / 255.0)) for t in truths]
        mean_ab = np.concatenate([lab[..., 1:].reshape(-1, 2) for lab in labs]).mean(axis=0)
        for key, title, images in (
            ("gray", "baseline: gray (a = b = 0)", [with_ab(lab, 0.0) for lab in labs]),
            ("mean_ab", "baseline: mean ab of the dev set", [with_ab(lab, mean_ab) for lab in labs]),
        ):
            if key not in done:
                append_result(out, {"key": key, "kind": "baseline", "title": title,
                                    "settings": settings, **score(images, truths)})
    for number, row in enumerate(rows, 1):
        if row.key in done:
            log(f"[{number}/{len(rows)}] {row.key}: already in {out}")
            continue
        start = time.perf_counter()
        model, trained = train_row(row, train_paths, settings, work_dir)
        images = colorize(truths, model=model, render_size=settings["image_size"], verbose=0)
        record = {"key": row.key, "kind": "model", "report": row.report, "title": row.title,
                  "claim": row.claim, "settings": settings, **trained, **score(images, truths, row),
                  "date": time.strftime("%Y-%m-%d")}
        append_result(out, record)
        shutil.rmtree(os.path.join(work_dir, row.key), ignore_errors=True)
        log(f"[{number}/{len(rows)}] {row.key}: PSNR {record['psnr']:.2f} dB, colorfulness "
            f"{record['colorfulness']:.1f}, {trained['train_images_per_s']:.1f} img/s, "
            f"{time.perf_counter() - start:.0f} s")
        keras.backend.clear_session()
    return read_results(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=os.path.join(SHARED, "train"))
    parser.add_argument("--dev", default=os.path.join(SHARED, "dev"))
    parser.add_argument("--out", default=RESULTS, help="JSON lines file (appended to; resumes)")
    parser.add_argument("--work-dir", default=os.path.join(HERE, "..", "reports_work"),
                        help="per-row checkpoints while a row trains (removed when it ends)")
    parser.add_argument("--rows", default=None, help="comma-separated row keys (default: all)")
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--minutes", type=float, default=3.0,
                        help="training minutes of every row (0: use --steps)")
    parser.add_argument("--steps", type=int, default=600, help="optimizer steps of every row, with --minutes 0")
    parser.add_argument("--epochs", type=int, default=4, help="the steps split in this many epochs")
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--smoke", action="store_true",
                        help="two rows, a few steps at 32² on the bundled photos")
    parser.add_argument("--table", action="store_true", help="print the table of --out and stop")
    parser.add_argument("--plot", default=None, help="also save PSNR against colorfulness here (PNG)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.train = args.dev = SAMPLES
        args.rows = args.rows or ",".join(SMOKE_ROWS)
        args.image_size, args.batch_size, args.minutes, args.steps, args.epochs = 32, 2, 0, 4, 2
    rows = ROWS
    if args.rows:
        by_key = {row.key: row for row in ROWS}
        unknown = [k for k in args.rows.split(",") if k not in by_key]
        if unknown:
            parser.error(f"unknown rows {unknown}; rows are {sorted(by_key)}")
        rows = [by_key[k] for k in args.rows.split(",")]
    if not args.table:
        for folder in (args.train, args.dev):
            if not os.path.isdir(folder):
                parser.error(f"no photo folder {folder} (give --train and --dev)")
        budget = {"minutes": args.minutes} if args.minutes else {"minutes": None, "steps": args.steps}
        settings = {"image_size": args.image_size, "batch_size": args.batch_size, **budget,
                    "epochs": args.epochs, "seed": args.seed, "train": os.path.basename(os.path.normpath(args.train))}
        run(rows, args.train, args.dev, args.out, args.work_dir, settings)
    records = read_results(args.out)
    print(table(records))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        from keras_colorize import plotting

        print(f"wrote {plotting.save_figure(figure(records), args.plot, dpi=80)}")
    return records


if __name__ == "__main__":
    main()
