"""Input pipeline speed: `from_directory` beside a plain OpenCV loop, in one run.

Reads `../shared/data/train` (or `--data`): decode, resize the short side and
crop to 128², random flip (ours also a random 90° turn), RGB -> Lab, batch 32. Ours is
`keras_colorize.data.from_directory` (tf.data, prefetch) with and without
`cache()` and with `num_parallel_calls` 1 vs AUTOTUNE; the reference is a
Python loop of `cv2.imread` + `cv2.resize` + flip + float32 `cv2.cvtColor`.
Images/s are measured on the second pass (the first is the warm-up epoch).
Ends with one JSON line; `ratio` is ours (AUTOTUNE, no cache) / the loop.

    KERAS_BACKEND=tensorflow python benchmarks/pipeline.py [--data DIR] [--limit 2000]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_colorize import data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE, BATCH = 128, 32


def opencv_loop(paths, rng):
    """The reference: what a user would write without tf.data."""
    batch = []
    for path in paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        h, w = image.shape[:2]
        scale = SIZE / min(h, w)
        image = cv2.resize(image, (max(SIZE, round(w * scale)), max(SIZE, round(h * scale))),
                           interpolation=cv2.INTER_AREA)
        top = rng.integers(0, image.shape[0] - SIZE + 1)
        left = rng.integers(0, image.shape[1] - SIZE + 1)
        image = image[top : top + SIZE, left : left + SIZE]
        if rng.random() < 0.5:
            image = image[:, ::-1]
        lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
        batch.append(lab)
        if len(batch) == BATCH:
            np.stack(batch)
            batch = []


def second_pass_rate(run, n):
    run()  # warm-up epoch (tracing, file cache, dataset cache)
    start = time.perf_counter()
    run()
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    parser.add_argument("--limit", type=int, default=2000, help="photos to read (0 = all)")
    args = parser.parse_args()
    paths = data.list_images(args.data)
    if args.limit:
        paths = paths[:: max(1, len(paths) // args.limit)][: args.limit]
    n = len(paths)

    def ours(**kwargs):
        ds = data.from_files(paths, image_size=SIZE, batch_size=BATCH, training=True,
                             augment=True, seed=0, **kwargs)
        return lambda: sum(1 for _ in ds)

    rng = np.random.default_rng(0)
    results = {
        "from_files, AUTOTUNE": second_pass_rate(ours(), n),
        "from_files, num_parallel_calls=1": second_pass_rate(ours(num_parallel_calls=1), n),
        "from_files, AUTOTUNE + cache()": second_pass_rate(ours(cache=True), n),
        "OpenCV loop (imread, resize, crop, flip, cvtColor)": second_pass_rate(
            lambda: opencv_loop(paths, rng), n),
    }
    print(f"{n} photos from {os.path.abspath(args.data)}, {SIZE}², batch {BATCH}, "
          f"{os.cpu_count()} cores, TF {tf.__version__}")
    for name, value in results.items():
        print(f"{name:52s} {value:8.0f} images/s")
    ours_rate = results["from_files, AUTOTUNE"]
    reference = results["OpenCV loop (imread, resize, crop, flip, cvtColor)"]
    print(json.dumps({"name": "pipeline_train_128", "ours": round(ours_rate, 1),
                      "reference": round(reference, 1), "ratio": round(ours_rate / reference, 3)}))


if __name__ == "__main__":
    main()
