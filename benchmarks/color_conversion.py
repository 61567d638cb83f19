"""RGB -> Lab speed: ours (TF backend) beside OpenCV and scikit-image, in one run.

A batch of 64 real photos 256×256 (scikit-image's bundled photos, centre
crops), float32 in [0, 1]. Prints images/s for each contender and ends with
one JSON line; `ratio` is ours (XLA) / OpenCV (batch call).

    KERAS_BACKEND=tensorflow python benchmarks/color_conversion.py
"""

import json
import os
import platform
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import skimage.color  # noqa: E402
import tensorflow as tf  # noqa: E402
from skimage import data as skdata  # noqa: E402

from keras_colorize import color  # noqa: E402
from keras_colorize.data import lab as tf_lab  # noqa: E402

N, SIZE, REPEATS = 64, 256, 7


def photo_batch():
    photos = [skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket()]
    crops = []
    for photo in photos:
        h, w = photo.shape[:2]
        side = min(h, w)
        square = photo[(h - side) // 2 : (h + side) // 2, (w - side) // 2 : (w + side) // 2]
        crops.append(cv2.resize(square, (SIZE, SIZE), interpolation=cv2.INTER_AREA))
    return np.stack([crops[i % len(crops)] for i in range(N)]).astype(np.float32) / 255.0


def images_per_second(function, repeats=REPEATS):
    function()
    function()  # warm-up: tracing, compilation, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return N / float(np.median(times))


def main():
    images = photo_batch()
    tensor = tf.constant(images)
    ours_graph = tf.function(color.rgb_to_lab)
    ours_xla = tf.function(color.rgb_to_lab, jit_compile=True)
    twin_xla = tf.function(tf_lab.rgb_to_lab, jit_compile=True)
    round_trip_xla = tf.function(lambda x: color.lab_to_rgb(color.rgb_to_lab(x)), jit_compile=True)
    # The floor of any XLA function here: one multiply over the same batch.
    trivial_xla = tf.function(lambda x: x * 2.0, jit_compile=True)

    results = {
        "ours keras.ops, tf.function": images_per_second(lambda: ours_graph(tensor).numpy()),
        "ours keras.ops, tf.function XLA": images_per_second(lambda: ours_xla(tensor).numpy()),
        "ours tf twin in tf.data.map": images_per_second(
            lambda: [b.numpy() for b in tf.data.Dataset.from_tensors(tensor).map(tf_lab.rgb_to_lab)]
        ),
        "ours tf twin in tf.data.map, XLA": images_per_second(
            lambda: [b.numpy() for b in tf.data.Dataset.from_tensors(tensor).map(twin_xla)]
        ),
        "ours round trip RGB->Lab->RGB, XLA": images_per_second(lambda: round_trip_xla(tensor).numpy()),
        "floor: XLA x*2 over the same batch": images_per_second(lambda: trivial_xla(tensor).numpy()),
        "floor: NumPy x*2 over the same batch": images_per_second(lambda: images * 2.0),
        "OpenCV float32, one call on (N*H, W, 3)": images_per_second(
            lambda: cv2.cvtColor(images.reshape(-1, SIZE, 3), cv2.COLOR_RGB2Lab)
        ),
        "OpenCV float32, one call per image": images_per_second(
            lambda: [cv2.cvtColor(image, cv2.COLOR_RGB2Lab) for image in images]
        ),
        "OpenCV round trip RGB->Lab->RGB, batch": images_per_second(
            lambda: cv2.cvtColor(
                cv2.cvtColor(images.reshape(-1, SIZE, 3), cv2.COLOR_RGB2Lab), cv2.COLOR_Lab2RGB
            )
        ),
        "scikit-image rgb2lab": images_per_second(lambda: skimage.color.rgb2lab(images), repeats=3),
    }
    # Accuracy beside speed: every contender against scikit-image in float64.
    reference = skimage.color.rgb2lab(images.astype(np.float64))
    errors = {
        "ours": float(np.abs(ours_xla(tensor).numpy() - reference).max()),
        "OpenCV": float(np.abs(cv2.cvtColor(images.reshape(-1, SIZE, 3), cv2.COLOR_RGB2Lab).reshape(reference.shape) - reference).max()),
    }
    print(f"{N} photos {SIZE}x{SIZE}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    for name, value in results.items():
        print(f"{name:45s} {value:9.0f} images/s")
    print(f"max |ΔLab| vs scikit-image float64: ours {errors['ours']:.4f}, OpenCV {errors['OpenCV']:.4f}")
    ours = results["ours keras.ops, tf.function XLA"]
    reference_speed = results["OpenCV float32, one call on (N*H, W, 3)"]
    print(json.dumps({
        "name": "color_conversion_rgb_to_lab",
        "ours": round(ours, 1),
        "reference": round(reference_speed, 1),
        "ratio": round(ours / reference_speed, 3),
    }))


if __name__ == "__main__":
    main()
