"""`make demo`: colorize the bundled sample photos and write a before/after grid.

Run as `python -m keras_colorize.demo [--output demo_output/demo_grid.png]`.
"""

import argparse
import glob
import os

import numpy as np

SAMPLES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "samples", "*.jpg")))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=os.path.join("demo_output", "demo_grid.png"))
    args = parser.parse_args(argv)

    from keras_colorize import colorize
    from keras_colorize import plotting
    from keras_colorize.data import read_image
    from keras_colorize.weights import load_default_model

    model = load_default_model()
    originals = [np.round(read_image(path) * 255).astype(np.uint8) for path in SAMPLES]
    # What an old black-and-white print of each photo looks like (Rec. 601 luma).
    grays = [np.round(o @ np.array([0.299, 0.587, 0.114])).astype(np.uint8) for o in originals]
    colorized = colorize(grays, model=model)  # the shipped default model
    titles = [os.path.basename(p) for p in SAMPLES]
    figure = plotting.comparison_figure(colorized, originals, titles)
    path = plotting.save_figure(figure, args.output)
    print(f"Wrote {path}: {len(SAMPLES)} photos, gray input / colorized / original.")


if __name__ == "__main__":
    main()
