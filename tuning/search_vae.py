"""Report 000's K-fold hyperparameter search for the VAE (KerasTuner).

    python tuning/search_vae.py --data ../shared/data/train --image-size 64 --max-trials 20 --folds 3

Flags: see `python tuning/search_vae.py --help` and `keras_colorize.tuning.main`.
"""

from keras_colorize import tuning

if __name__ == "__main__":
    tuning.main(family="vae")
