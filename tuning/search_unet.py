"""K-fold hyperparameter search for report 004's U-Net (KerasTuner).

    python tuning/search_unet.py --data ../shared/data/train --image-size 64 --max-trials 20 --folds 3

Flags: see `python tuning/search_unet.py --help` and `keras_colorize.cli.run_search`.
"""

from keras_colorize.cli import run_search

if __name__ == "__main__":
    run_search(family="unet")
