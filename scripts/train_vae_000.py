"""Trains report 000's VAE recipe (`training.RECIPES["vae_000"]`) on a folder of photos.

The recipe as it stands (Charbonnier + 0.1·cosine + KL, Adam 1e-4, the PSNR
plateau scheduler ×0.05, batch 16) at `--image-size` (128 on a CPU, the
report's 224 on a GPU). Its perceptual term needs ImageNet VGG19 weights in
Keras' cache (`~/.keras/models/`), which nothing here downloads: without that
file the term is dropped and the script says so (`--perceptual` keeps it
with weights from a local file instead).

The run is resumable (`--checkpoint-dir`: rerun the same command after an
interruption, or with a larger `--epochs` and a new `--output` to extend a
finished run) and writes the trained model to `--output`. Score it on dev:

    KERAS_BACKEND=tensorflow python scripts/train_vae_000.py --epochs 3
    KERAS_BACKEND=tensorflow python benchmarks/dev_quality.py --model vae_000.keras
"""

import argparse
import dataclasses
import os

from keras_colorize import losses
from keras_colorize import training

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=None, help="default: the recipe's (16)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--perceptual", default=None, metavar="VGG19_WEIGHTS",
                        help="a VGG19 (include_top=False) weights file for the perceptual term")
    parser.add_argument("--checkpoint-dir", default="runs/vae_000")
    parser.add_argument("--output", default="vae_000.keras")
    args = parser.parse_args(argv)

    recipe = training.RECIPES["vae_000"]
    options = dict(recipe.loss_options)
    if args.perceptual:
        options["vgg_weights"] = args.perceptual
    else:
        try:
            losses.PerceptualLoss(options["vgg_layers"], weights="imagenet").feature_extractor()
        except FileNotFoundError as error:
            print(f"Perceptual term dropped: {error}")
            options["perceptual"] = 0.0
    recipe = dataclasses.replace(recipe, loss_options=options)
    print(f"recipe {recipe.name}: {options}, {args.image_size}², {args.epochs} epochs")
    training.train_from_directory(
        args.data, recipe=recipe, image_size=args.image_size, batch_size=args.batch_size,
        epochs=args.epochs, steps_per_epoch=args.steps_per_epoch,
        checkpoint_dir=args.checkpoint_dir, output=args.output, verbose=2,
    )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
