"""Flicker of colorized video: frame by frame vs colors carried along the optical flow.

    python benchmarks/video_flicker.py --model hints64.keras   # or the shipped default model

A static-camera clip is made from real photos of `--dev`: each photo,
resized to 320×240, repeated for 24 frames with the exposure flicker of old
film (a gain uniform in [0.94, 1.06] per frame) and independent sensor noise
(Gaussian, σ = 3 levels of 255), written losslessly (FFV1). Each clip is
colorized with `temporal=0` (frame by frame) and `temporal=0.6`, both written
losslessly; flicker is `keras_colorize.video.flicker` (mean ab change between
consecutive output frames, Lab units). The scene does not move, so all of it
is flicker (part of it, about 0.3 with noise alone, is the 8-bit rounding of
noisy pixels, which no smoothing of ab removes). Ends with one JSON line:
ours against frame by frame.
"""

import argparse
import json
import os
import pathlib
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_colorize import data  # noqa: E402
from keras_colorize.video import colorize_video  # noqa: E402
from keras_colorize.video import flicker  # noqa: E402

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
FRAMES, SIZE, NOISE, GAIN = 24, (320, 240), 3.0, 0.06


def read_frames(path):
    capture, frames = cv2.VideoCapture(str(path)), []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help=".keras colorizer (default: the shipped model)")
    parser.add_argument("--dev", default=str(SHARED / "dev"))
    parser.add_argument("--clips", type=int, default=5)
    parser.add_argument("--render-size", type=int, default=256)
    args = parser.parse_args()
    if args.model:
        model = keras.saving.load_model(args.model, safe_mode=True)
    else:
        from keras_colorize.weights import load_default_model

        model = load_default_model()
    rng = np.random.default_rng(0)
    scores = {0.0: [], 0.6: []}
    seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for n, path in enumerate(data.list_images(args.dev)[: args.clips]):
            still = cv2.resize(np.asarray(data.read_image(path) * 255, np.float32), SIZE, interpolation=cv2.INTER_AREA)
            clip = os.path.join(folder, f"clip{n}.mkv")
            writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*"FFV1"), 24.0, SIZE)
            for _ in range(FRAMES):
                gain = rng.uniform(1 - GAIN, 1 + GAIN)
                frame = np.clip(still * gain + rng.normal(0, NOISE, still.shape), 0, 255).astype(np.uint8)
                writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            writer.release()
            for temporal in scores:
                out = os.path.join(folder, f"out{n}_{temporal}.mkv")
                start = time.perf_counter()
                colorize_video(clip, out, model=model, temporal=temporal, render_size=args.render_size, verbose=0)
                seconds += time.perf_counter() - start
                scores[temporal].append(flicker(read_frames(out)))
    frames_done = FRAMES * args.clips * len(scores)
    print(f"{args.clips} static clips of {FRAMES} frames {SIZE[0]}x{SIZE[1]} (real photos, gain ±{GAIN}, noise σ={NOISE}), "
          f"model {model.name} {model.input_shape}, {frames_done / seconds:.1f} frames/s")
    for temporal, values in scores.items():
        label = "frame by frame" if temporal == 0 else f"flow-carried, temporal={temporal}"
        print(f"{label:32s} flicker {np.mean(values):.3f}  (per clip {', '.join(f'{v:.2f}' for v in values)})")
    ours, reference = float(np.mean(scores[0.6])), float(np.mean(scores[0.0]))
    print(json.dumps({
        "name": "video_flicker_static_camera",
        "ours": round(ours, 4),
        "reference": round(reference, 4),
        "ratio": round(ours / reference, 4),
    }))


if __name__ == "__main__":
    main()
