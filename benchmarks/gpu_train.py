"""Training throughput of the `unet` builder on a GPU, beside the PyTorch reference.

The model is `keras_colorize.models.unet(depth=3, base_filters=64)`: filters
64-128-256-512, two Conv-BN-ReLU per level, transposed-conv upsampling,
concatenated skips, 1×1 conv + tanh — the configuration of
`../shared/gpu/torch_unet_reference.py` — trained with L1 and Adam at 256²,
batch 64, on device-resident random data (a `fit` on one repeated batch).
Variants: float32; `mixed_bfloat16`; bf16 with `steps_per_execution`; and bf16
with the RGB -> Lab conversion on the device (`RGBToLab` inside the step: the
model takes RGB and converts it to L itself, the target ab coming from the same
conversion in the loss). Each prints one JSON line; the last line compares the
best bf16 run with the reference that runs first in the same process.

On the GPU machine (see ../shared/gpu/README.md):

    KERAS_BACKEND=jax python3 benchmarks/gpu_train.py --reference .gpu/torch_unet_reference.py

On a CPU, `--size 32 --batch 4 --steps 2` checks that it runs.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import layers  # noqa: E402
from keras_colorize import models  # noqa: E402

CEILING_TFLOPS = 790.0  # dense bf16 ceiling measured on the H100/H200 machines


def forward_flops(model):
    """2 × multiply-accumulates of the convolutions, per image (as the reference counts)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kernel = layer.kernel.shape
            out = layer.output.shape
            spatial = out[1] * out[2]
            if isinstance(layer, keras.layers.Conv2DTranspose):
                spatial = spatial // (layer.strides[0] * layer.strides[1])
            total += 2 * spatial * int(np.prod(kernel))
    return total


def lab_model(size):
    """RGB in, ab out: `RGBToLab` on the device gives L/100 to the U-Net."""
    rgb = keras.Input((size, size, 3), name="rgb_input")
    lightness = layers.RGBToLab(scaled=True, channels="l", name="rgb_to_l")(rgb)
    ab = models.unet(input_size=size, depth=3, base_filters=64)(lightness)
    return keras.Model(rgb, ab, name="unet_with_lab")


def images_per_second(model, x, y, steps, steps_per_execution):
    """`fit` throughput after a compiling warm-up (same arrays, same step)."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae", jit_compile=True,
                  steps_per_execution=steps_per_execution)
    batch = len(x)
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # compile
    xs, ys = np.tile(x, (steps, 1, 1, 1)), np.tile(y, (steps, 1, 1, 1))
    start = time.perf_counter()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return batch * steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--reference", default=None, help="path of torch_unet_reference.py")
    args = parser.parse_args()
    reference = None
    if args.reference:
        env = dict(os.environ, SIZE=str(args.size), BATCH=str(args.batch), STEPS=str(args.steps))
        out = subprocess.run([sys.executable, args.reference, "compiled", "bf16"], env=env,
                             capture_output=True, text=True, check=True).stdout
        reference = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(reference))

    rng = np.random.default_rng(0)
    l_in = rng.random((args.batch, args.size, args.size, 1), dtype=np.float32)
    ab = rng.random((args.batch, args.size, args.size, 2), dtype=np.float32) * 2 - 1
    rgb = rng.random((args.batch, args.size, args.size, 3), dtype=np.float32)
    flops = 3 * forward_flops(models.unet(input_size=args.size, depth=3, base_filters=64))
    results = {}
    for name, policy, spe, with_lab in (
        ("keras-jax-fp32", "float32", 1, False),
        ("keras-jax-bf16", "mixed_bfloat16", 1, False),
        ("keras-jax-bf16-spe10", "mixed_bfloat16", 10, False),
        ("keras-jax-bf16-spe10-lab-on-device", "mixed_bfloat16", 10, True),
    ):
        keras.config.set_dtype_policy(policy)
        model = (lab_model(args.size) if with_lab
                 else models.unet(input_size=args.size, depth=3, base_filters=64))
        img_s = images_per_second(model, rgb if with_lab else l_in, ab, args.steps, spe)
        results[name] = img_s
        print(json.dumps({"what": name, "img_s": round(img_s, 1),
                          "achieved_tflops": round(img_s * flops / 1e12, 1),
                          "mfu": round(img_s * flops / 1e12 / CEILING_TFLOPS, 3)}))
    keras.config.set_dtype_policy("float32")
    ours = max(v for k, v in results.items() if "bf16" in k and "lab" not in k)
    ref = reference["img_s"] if reference else None
    print(json.dumps({"name": "gpu_train_unet_256", "ours": round(ours, 1), "reference": ref,
                      "ratio": round(ours / ref, 3) if ref else None}))


if __name__ == "__main__":
    main()
