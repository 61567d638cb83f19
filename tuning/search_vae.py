"""Report 000's K-fold hyperparameter search for the VAE (KerasTuner).

    python tuning/search_vae.py --data ../shared/data/train --image-size 64 --max-trials 20 --folds 3

Flags: see `python tuning/search_vae.py --help` and `keras_colorize.cli.run_search`.
"""

from keras_colorize.cli import run_search

if __name__ == "__main__":
    run_search(family="vae")
