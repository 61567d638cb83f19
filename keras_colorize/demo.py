"""`make demo`: colorize the bundled sample photos and write a before/after grid.

Run as `python -m keras_colorize.demo [--output demo_output/demo_grid.png]`.
"""

import argparse
import glob
import os

import keras
import numpy as np

SAMPLES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "samples", "*.jpg")))


def tiny_model(steps, image_size=64):
    """Trains a small U-Net for a few steps on the sample photos (no default model yet)."""
    from keras_colorize import data
    from keras_colorize import models

    print(
        f"No default model is shipped yet: training a tiny U-Net for {steps} steps "
        "on the sample photos instead (expect faint, rough color)."
    )
    model = models.unet(input_size=image_size, depth=3, base_filters=16)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")
    ds = data.from_files(
        SAMPLES, image_size=image_size, batch_size=len(SAMPLES), training=True, augment=True, seed=0
    )
    model.fit(ds.repeat(), steps_per_epoch=steps, epochs=1, verbose=2)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=os.path.join("demo_output", "demo_grid.png"))
    parser.add_argument("--steps", type=int, default=150, help="training steps without a default model")
    args = parser.parse_args(argv)

    from keras_colorize import colorize
    from keras_colorize import plotting
    from keras_colorize.data import read_image
    from keras_colorize.weights import has_default_model
    from keras_colorize.weights import load_default_model

    model = load_default_model() if has_default_model() else tiny_model(args.steps)
    originals = [np.round(read_image(path) * 255).astype(np.uint8) for path in SAMPLES]
    # What an old black-and-white print of each photo looks like (Rec. 601 luma).
    grays = [np.round(o @ np.array([0.299, 0.587, 0.114])).astype(np.uint8) for o in originals]
    colorized = colorize(grays, model=model)
    titles = [os.path.basename(p) for p in SAMPLES]
    figure = plotting.comparison_figure(colorized, originals, titles)
    path = plotting.save_figure(figure, args.output)
    print(f"Wrote {path}: {len(SAMPLES)} photos, gray input / colorized / original.")


if __name__ == "__main__":
    main()
