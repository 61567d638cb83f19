"""Input pipeline speed: `from_directory` beside a plain OpenCV loop, in one run.

Reads `../shared/data/train` (or `--data`): decode, resize the short side and
crop to 128², random flip (ours also a random 90° turn), RGB -> Lab, batch 32. Ours is
`keras_colorize.data.from_directory` (tf.data, prefetch) with and without
`cache()` and with `num_parallel_calls` 1 vs AUTOTUNE; the reference is a
Python loop of `cv2.imread` + `cv2.resize` + flip + float32 `cv2.cvtColor`,
also run decoding at libjpeg's reduced scale (`cv2.IMREAD_REDUCED_COLOR_k`,
the largest k of 2, 4, 8 that keeps the short side at least 128, read from the
JPEG header) as ours does.
Images/s are the median of `--passes` timed passes after a warm-up epoch,
the contenders taking turns.
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
import PIL.Image  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_colorize import data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE, BATCH = 128, 32


REDUCED = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
           8: cv2.IMREAD_REDUCED_COLOR_8}


def reduced_flag(path):
    """The cv2.imread flag decoding at the smallest DCT scale that keeps 128 px."""
    with PIL.Image.open(path) as header:
        short = min(header.size)
    factors = [k for k in REDUCED if short // k >= SIZE]
    return REDUCED[max(factors)] if factors else cv2.IMREAD_COLOR


def opencv_loop(paths, rng, reduced=False):
    """The reference: what a user would write without tf.data."""
    batch = []
    for path in paths:
        image = cv2.imread(path, reduced_flag(path) if reduced else cv2.IMREAD_COLOR)
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


def median_rates(runs, n, passes):
    """Images/s of each run: the median of `passes` timed passes after a warm-up.

    The contenders take turns pass by pass, so a slow spell of a shared
    machine falls on all of them rather than on one.
    """
    for run in runs.values():
        run()  # warm-up epoch (tracing, file cache, dataset cache)
    rates = {name: [] for name in runs}
    for _ in range(passes):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            rates[name].append(n / (time.perf_counter() - start))
    return {name: float(np.median(values)) for name, values in rates.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    parser.add_argument("--limit", type=int, default=2000, help="photos to read (0 = all)")
    parser.add_argument("--passes", type=int, default=7, help="timed passes per contender")
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
    results = median_rates({
        "from_files, AUTOTUNE": ours(),
        "from_files, num_parallel_calls=1": ours(num_parallel_calls=1),
        "from_files, AUTOTUNE + cache()": ours(cache=True),
        "OpenCV loop (imread, resize, crop, flip, cvtColor)": lambda: opencv_loop(paths, rng),
        "OpenCV loop, reduced-scale decoding": lambda: opencv_loop(paths, rng, reduced=True),
    }, n, args.passes)
    print(f"{n} photos from {os.path.abspath(args.data)}, {SIZE}², batch {BATCH}, "
          f"{os.cpu_count()} cores, TF {tf.__version__}; median of {args.passes} passes")
    for name, value in results.items():
        print(f"{name:52s} {value:8.0f} images/s")
    ours_rate = results["from_files, AUTOTUNE"]
    reference = results["OpenCV loop (imread, resize, crop, flip, cvtColor)"]
    reduced = results["OpenCV loop, reduced-scale decoding"]
    print(json.dumps({"name": "pipeline_train_128", "ours": round(ours_rate, 1),
                      "reference": round(reference, 1), "ratio": round(ours_rate / reference, 3),
                      "ratio_to_reduced_decoding": round(ours_rate / reduced, 3)}))


if __name__ == "__main__":
    main()
