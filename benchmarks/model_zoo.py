"""Model-zoo benchmark: parameters, analytic FLOPs and CPU latency at 256².

Prints a markdown table (the "## Model zoo" section of benchmarks/RESULTS.md)
and ends with one JSON line holding the same numbers.

FLOPs are counted from the layer shapes: 2 × multiply-accumulates of every
Conv2D, Conv2DTranspose and Dense layer (nested models included), for one
256 × 256 image. BatchNorm, activations, pooling, resizing, concatenation and
softmax are left out (they add a few percent at most).

Latency is the median of `--runs` calls of `predict_on_batch` on one
256 × 256 image after one warm-up call, on the TensorFlow backend's CPU.

Usage:
    KERAS_BACKEND=tensorflow python benchmarks/model_zoo.py [--runs 3] [--size 256]
"""

import argparse
import json
import os
import platform
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import models  # noqa: E402


def _preset(key, drop=("input_size",)):
    """A `UNET_PRESETS` entry without its input size (the benchmark sets it)."""
    return {k: v for k, v in models.UNET_PRESETS[key].items() if k not in drop}


# (label, registry name, builder kwargs, note). Report presets beside defaults.
ENTRIES = [
    ("vae", "vae", {"latent_dim": 128}, "report 000 Table 1 (default S is 224)"),
    ("vae_unet", "vae_unet", {"latent_dim": 128}, "report 000 §6.2"),
    ("vae_residual", "vae_residual", {"latent_dim": 128}, "report 000 §6.2"),
    ("resnet18_decoder", "resnet18_decoder", {}, "report 001"),
    ("shallow", "shallow", {}, "report 002 baseline"),
    ("resnet18_unet", "resnet18_unet", {}, "report 002 primary"),
    ("patch_discriminator", "patch_discriminator", {}, "report 002 cGAN critic"),
    ("six_conv_rgb", "six_conv_rgb", {}, "report 003"),
    ("baseline_cnn", "baseline_cnn", {}, "report 004 (trained at 96²)"),
    ("unet (depth 4, 64)", "unet", {}, "builder default"),
    ("unet report004_rgb", "unet", _preset("report004_rgb"), "report 004 (trained at 96²)"),
    ("unet report004_lab", "unet", _preset("report004_lab"), "report 004 (trained at 512²)"),
    (
        "unet_classifier (676 bins)",
        "unet_classifier",
        _preset("report004_lab", drop=("input_size", "output")),
        "report 004 (trained at 512²)",
    ),
]


def _layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def flops(model):
    """2 × MACs of the Conv2D / Conv2DTranspose / Dense layers, per image."""
    total = 0
    for layer in _layers(model):
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, c_in = layer.input.shape
            kh, kw = layer.kernel_size
            total += 2 * h * w * c_in * kh * kw * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            kh, kw = layer.kernel_size
            total += 2 * h * w * layer.input.shape[-1] * kh * kw * c_out
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return int(total)


def latency_ms(model, size, runs):
    """Median ms of `predict_on_batch` on one image, after one warm-up call."""
    x = np.random.default_rng(0).random((1, size, size, 1)).astype("float32")
    if len(model.inputs) == 2:
        x = [x, np.zeros((1, size, size, 2), "float32")]
    model.predict_on_batch(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.predict_on_batch(x)
        times.append(1000.0 * (time.perf_counter() - start))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    rows = []
    for label, name, kwargs, note in ENTRIES:
        keras.utils.clear_session()
        model = models.get(name, input_size=args.size, **kwargs)
        rows.append(
            {
                "model": label,
                "name": name,
                "kwargs": kwargs,
                "params": int(model.count_params()),
                "gflops": round(flops(model) / 1e9, 2),
                "cpu_ms": round(latency_ms(model, args.size, args.runs), 1),
                "note": note,
            }
        )

    print(f"Input {args.size}×{args.size}×1, batch 1; backend {keras.backend.backend()}, "
          f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()}), "
          f"median of {args.runs} runs after one warm-up.\n")
    print("| model | registry call | parameters | GFLOPs / image | CPU ms / image | source |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for r in rows:
        call = f"`{r['name']}({', '.join(f'{k}={v!r}' for k, v in r['kwargs'].items())})`"
        print(f"| {r['model']} | {call} | {r['params']:,} | {r['gflops']:.2f} | {r['cpu_ms']:.0f} | {r['note']} |")
    print(json.dumps({"benchmark": "model_zoo", "size": args.size, "backend": keras.backend.backend(),
                      "runs": args.runs, "models": rows}))


if __name__ == "__main__":
    main()
