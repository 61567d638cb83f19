"""`colorize()` speed on photos: one 1-megapixel photo and a folder of 50.

Uses the shipped default model (or `--model`). Times `colorize()` on a
1-MP photo (1280×800, a real photo upscaled; gray input) as the median of 10
calls after a warm-up, and splits it into the model's forward pass at its
render size (the part a bigger CPU/GPU speeds up) and our pre/post-processing
(L at full resolution, letterbox, ab upsampling, Lab -> RGB recombination).
Then photos/s over a folder of 50 photos of `../shared/data/dev` (`--data`).
The reference is the issue's target, 1 s per 1-MP photo on 2 cores; the JSON
`ratio` is ours / target (below 1 meets it). `--reference OLD.keras` times
another model (e.g. the previous default) the same way in the same run.

    KERAS_BACKEND=tensorflow python benchmarks/inference.py [--model M] [--data DIR]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from skimage import data as skdata  # noqa: E402

from keras_colorize import colorize  # noqa: E402
from keras_colorize.data import list_images  # noqa: E402
from keras_colorize.weights import DEFAULT_RENDER_SIZE  # noqa: E402
from keras_colorize.weights import load_default_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_SECONDS = 1.0


def median_seconds(function, repeats=10):
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help=".keras file (default: the shipped model)")
    parser.add_argument("--reference", default=None, help="another .keras model timed in the same run")
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "dev"))
    args = parser.parse_args()
    model = (keras.saving.load_model(args.model, safe_mode=True) if args.model
             else load_default_model())
    photo = cv2.resize(skdata.astronaut(), (1280, 800), interpolation=cv2.INTER_CUBIC)
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    folder = list_images(args.data)[:50]
    contenders = {"ours": model}
    if args.reference:
        contenders["reference"] = keras.saving.load_model(args.reference, safe_mode=True)
    seconds = {}
    for role, m in contenders.items():
        side = m.input_shape[1] or DEFAULT_RENDER_SIZE
        inputs = np.zeros((1, side, side, m.input_shape[-1]), np.float32)
        total = median_seconds(lambda m=m: colorize(gray, model=m))
        forward = median_seconds(lambda m=m, x=inputs: m.predict_on_batch(x))
        start = time.perf_counter()
        colorize(folder, model=m, verbose=0)
        folder_rate = len(folder) / (time.perf_counter() - start)
        seconds[role] = total
        print(f"{role}: model {m.name}: {m.count_params():,} parameters, renders at {side}², "
              f"backend {keras.backend.backend()}, {os.cpu_count()} cores")
        print(f"  colorize() 1-MP photo (1280x800, gray): median {total * 1000:.0f} ms "
              f"(model forward {forward * 1000:.0f} ms, the rest {max(0.0, total - forward) * 1000:.0f} ms)")
        print(f"  folder of {len(folder)} photos from {os.path.abspath(args.data)}: {folder_rate:.1f} photos/s")
    if "reference" in seconds:
        print(f"ours / reference: {seconds['ours'] / seconds['reference']:.2f}")
    print(json.dumps({"name": "colorize_1mp_seconds", "ours": round(seconds["ours"], 3),
                      "reference": TARGET_SECONDS, "ratio": round(seconds["ours"] / TARGET_SECONDS, 3),
                      **({"reference_model": round(seconds["reference"], 3)} if "reference" in seconds else {})}))

if __name__ == "__main__":
    main()
