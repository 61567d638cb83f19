"""`colorize()` on photos of mixed sizes: photos/s and tf.function retraces.

A Python user colorizing photos one call at a time (the issue-19 case:
`for photo in photos: kc.colorize(photo)`) and a folder in one call. Photos
are the first `--count` of `../shared/data/dev` (150² to 1024×768), read as
uint8 arrays first so only `colorize()` is timed. Three runs:

- `default model, one call per photo`: `colorize(photo)` (model=None);
- `given model, one call per photo`: `colorize(photo, model=m)`;
- `folder, one call`: `colorize(folder, model=m)`.

Retraces are counted from TensorFlow's "triggered tf.function retracing"
warnings. With the TensorFlow backend:

    KERAS_BACKEND=tensorflow python benchmarks/mixed_sizes.py [--count 40] [--data DIR]
"""

import argparse
import logging
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from keras_colorize import colorize  # noqa: E402
from keras_colorize.data import list_images  # noqa: E402
from keras_colorize.weights import load_default_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class RetraceCounter(logging.Handler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        if "retracing" in record.getMessage():
            self.count += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "dev"))
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    paths = list_images(args.data)[:: max(1, len(list_images(args.data)) // args.count)][: args.count]
    photos = []
    for path in paths:
        with Image.open(path) as image:
            photos.append(np.asarray(image.convert("RGB")))
    sizes = sorted({p.shape[:2] for p in photos})
    print(f"{len(photos)} photos, {len(sizes)} distinct sizes ({sizes[0]} to {sizes[-1]})")
    counter = RetraceCounter()
    logging.getLogger("tensorflow").addHandler(counter)

    def run(label, function, count):
        counter.count = 0
        start = time.perf_counter()
        function()
        seconds = time.perf_counter() - start
        print(f"{label}: {count / seconds:.2f} photos/s ({seconds:.1f} s, {counter.count} retrace warnings)")

    run("default model, one call per photo", lambda: [colorize(p) for p in photos], len(photos))
    model = load_default_model()
    colorize(photos[0], model=model)  # warm-up of the given model
    run("given model, one call per photo", lambda: [colorize(p, model=model) for p in photos], len(photos))
    run("folder, one call", lambda: colorize(paths, model=model), len(paths))


if __name__ == "__main__":
    main()
