"""Hyperparameter search with KerasTuner: HyperModels per family and report 000's K-fold tuner.

Report 000 tuned its VAE by training every configuration on K folds of the
training set and ranking configurations by their mean validation score;
`CrossValidatedTuner` is that procedure as a KerasTuner tuner, so it runs with
any oracle (random search, Bayesian optimisation, Hyperband), resumes a
stopped search from its `directory`, and distributes trials over machines with
KerasTuner's chief/worker mode (set `KERASTUNER_TUNER_ID` to `chief` or
`worker0`, ..., and `KERASTUNER_ORACLE_IP` / `KERASTUNER_ORACLE_PORT` to the
chief's address on every process, then run the same command everywhere).

Every trial is scored by `OBJECTIVE`, the best validation PSNR of each run,
averaged over folds and executions.

Example (the command line of `tuning/search_vae.py`):

    python tuning/search_vae.py --data photos/ --image-size 64 \\
        --max-trials 20 --folds 3 --epochs 5 --directory tuning_runs

>>> tuner = CrossValidatedTuner(VAEHyperModel(image_size=64), oracle="bayesian",
...                             max_trials=20, folds=3, directory="runs")  # doctest: +SKIP
>>> tuner.search(keras_colorize.data.list_images("photos/"), epochs=5)  # doctest: +SKIP
>>> tuner.get_best_hyperparameters()[0].values  # doctest: +SKIP
"""

import dataclasses
import os

import keras
import keras_tuner as kt
import numpy as np

from keras_colorize import recipes
from keras_colorize._formats import TUNE_ORACLES
from keras_colorize.data.files import split_fraction

OBJECTIVE = kt.Objective("val_psnr", "max")
ORACLES = TUNE_ORACLES
BATCH_SIZES = (8, 16, 32)
VGG_LAYER_CHOICES = {"relu3_4": ("relu3_4",), "relu4_4": ("relu4_4",), "relu3_4_relu4_4": ("relu3_4", "relu4_4")}


def fold_files(paths, folds, fold, seed=1337):
    """Splits paths into (training, validation) for fold `fold` of `folds`.

    Each file belongs to one fold, decided by a hash of its name
    (`keras_colorize.data.files.split_fraction`): stable across machines
    and runs, like `keras_colorize.data.split_files`.

    Example:

    >>> train, val = fold_files(paths, folds=3, fold=0)  # doctest: +SKIP
    """
    if not isinstance(folds, int) or folds < 2:
        raise ValueError(f"`folds` must be an integer >= 2. Received: folds={folds!r}")
    if not 0 <= fold < folds:
        raise ValueError(f"`fold` must be in [0, {folds}). Received: fold={fold!r}")
    train, val = [], []
    for path in paths:
        (val if int(split_fraction(path, seed) * folds) == fold else train).append(path)
    return train, val


class ColorizerHyperModel(kt.HyperModel):
    """A recipe whose learning rate and batch size (and more, in subclasses) are searched.

    `build(hp)` returns a model of the library's builders, compiled as the
    recipe compiles it; `fit(hp, model, *args, **kwargs)` is `model.fit`
    with the tuner's `**kwargs` (callbacks included); `datasets(hp, ...)`
    makes the `tf.data` pipelines at the searched batch size.

    Args:
        recipe: a `recipes.Recipe` or a name of `recipes.RECIPES`.
        image_size: crop side; None for the recipe's.
        model_kwargs: fixed builder arguments (e.g. a small `width`).
        prior: ab-bin frequencies for a class-rebalanced loss (the tuner
            estimates them from the search files when None).
        jit_compile: `compile`'s XLA option (False compiles faster for
            short trials on a CPU).
        name, tunable: as in `keras_tuner.HyperModel`.
    """

    family = None

    def __init__(self, recipe, image_size=None, model_kwargs=None, prior=None, jit_compile="auto", name=None,
                 tunable=True):
        super().__init__(name=name, tunable=tunable)
        self.jit_compile = jit_compile
        self.recipe = recipes.get_recipe(recipe)
        self.image_size = image_size or self.recipe.image_size
        self.model_kwargs = dict(model_kwargs or {})
        self.prior = prior

    def search_space(self, hp):
        """Returns `(recipe, builder kwargs)` for the values `hp` draws."""
        return self.recipe, {}

    def build(self, hp):
        learning_rate = hp.Float("learning_rate", 1e-5, 1e-2, sampling="log")
        hp.Choice("batch_size", list(BATCH_SIZES))
        recipe, kwargs = self.search_space(hp)
        model = recipe.build_model(self.image_size, **{**kwargs, **self.model_kwargs})
        return recipe.compile(model, prior=self.prior, learning_rate=learning_rate, jit_compile=self.jit_compile)

    def fit(self, hp, model, *args, **kwargs):
        return model.fit(*args, **kwargs)

    def datasets(self, hp, train_paths, val_paths, seed=1337):
        """`(train, validation)` datasets of the files at the searched batch size."""
        return self.recipe.datasets(train_paths, val_paths, self.image_size, hp.get("batch_size"), seed)


class VAEHyperModel(ColorizerHyperModel):
    """Report 000's search space: learning rate, batch size, latent dimension,
    the loss coefficients (Charbonnier, cosine, perceptual, KL) and the VGG
    layers of the perceptual loss.

    Args:
        vgg_weights: weights of the perceptual loss's VGG19 (`"imagenet"`,
            a file, or None for random features, e.g. in tests).
        **kwargs: see `ColorizerHyperModel`.
    """

    family = "vae"

    def __init__(self, image_size=None, vgg_weights="imagenet", **kwargs):
        super().__init__("vae_perceptual", image_size=image_size, **kwargs)
        self.vgg_weights = vgg_weights

    def search_space(self, hp):
        options = {
            "charbonnier": hp.Float("charbonnier_weight", 0.5, 2.0),
            "cosine": hp.Float("cosine_weight", 0.0, 0.5),
            "perceptual": hp.Float("perceptual_weight", 1e-4, 1e-1, sampling="log"),
            "vgg_layers": VGG_LAYER_CHOICES[hp.Choice("vgg_layers", list(VGG_LAYER_CHOICES))],
            "vgg_weights": self.vgg_weights,
        }
        kwargs = {
            "latent_dim": hp.Choice("latent_dim", [64, 128, 256]),
            "kl_weight": hp.Float("kl_weight", 1e-5, 1e-1, sampling="log"),
        }
        return dataclasses.replace(self.recipe, loss_options=options), kwargs


class UNetHyperModel(ColorizerHyperModel):
    """Report 004's U-Net (Lab): depth, width and the α of α·MSE + (1−α)·L1."""

    family = "unet"

    def __init__(self, image_size=None, **kwargs):
        super().__init__("unet_mixed_l1_l2", image_size=image_size, **kwargs)

    def search_space(self, hp):
        recipe = dataclasses.replace(self.recipe, loss_options={"alpha": hp.Choice("alpha", [0.3, 0.5, 0.7])})
        return recipe, {"depth": hp.Int("depth", 2, 4), "base_filters": hp.Choice("base_filters", [16, 32, 64])}


class ResNetUNetHyperModel(ColorizerHyperModel):
    """Report 002's ResNet-18 U-Net: AdamW's weight decay and whether the encoder is frozen."""

    family = "resnet_unet"

    def __init__(self, image_size=None, **kwargs):
        super().__init__("resnet_unet_l1", image_size=image_size, **kwargs)

    def search_space(self, hp):
        recipe = dataclasses.replace(
            self.recipe, weight_decay=hp.Float("weight_decay", 1e-4, 1e-1, sampling="log")
        )
        return recipe, {}


class ClassifierHyperModel(ColorizerHyperModel):
    """Report 004's 676-bin classifier: depth, width and the uniform share
    `mix` of its class-rebalancing weights."""

    family = "classifier"

    def __init__(self, image_size=None, **kwargs):
        super().__init__("unet_classifier", image_size=image_size, **kwargs)

    def search_space(self, hp):
        options = {**self.recipe.loss_options, "mix": hp.Float("rebalance_mix", 0.1, 0.9)}
        recipe = dataclasses.replace(self.recipe, loss_options=options)
        return recipe, {"depth": hp.Int("depth", 2, 4), "base_filters": hp.Choice("base_filters", [16, 32, 64])}


HYPERMODELS = {
    cls.family: cls
    for cls in (VAEHyperModel, UNetHyperModel, ResNetUNetHyperModel, ClassifierHyperModel)
}


def make_oracle(oracle, max_trials=10, max_epochs=5, seed=None):
    """A KerasTuner oracle maximising `OBJECTIVE`: `"random"`, `"bayesian"`
    or `"hyperband"` (which ignores `max_trials` and allocates up to
    `max_epochs` per trial)."""
    if oracle == "random":
        return kt.oracles.RandomSearchOracle(objective=OBJECTIVE, max_trials=max_trials, seed=seed)
    if oracle == "bayesian":
        return kt.oracles.BayesianOptimizationOracle(objective=OBJECTIVE, max_trials=max_trials, seed=seed)
    if oracle == "hyperband":
        return kt.oracles.HyperbandOracle(objective=OBJECTIVE, max_epochs=max_epochs, seed=seed)
    raise ValueError(f"Unknown oracle. Expected one of {ORACLES}. Received: oracle={oracle!r}")


class CrossValidatedTuner(kt.Tuner):
    """Report 000's K-fold search as a KerasTuner tuner.

    Each trial trains `executions_per_trial` fresh models on each of the
    `folds` folds of the files given to `search` (`fold_files`), and its
    score is the mean over those runs of the best validation PSNR of each.
    The oracle decides the next trial from these scores.

    Args:
        hypermodel: a `ColorizerHyperModel`.
        oracle: a `keras_tuner.Oracle`, or `"random"`, `"bayesian"`,
            `"hyperband"` (see `make_oracle`).
        folds: K, at least 2.
        executions_per_trial: trainings per fold (different initial weights).
        max_trials, max_epochs: for an oracle given by name.
        seed: seed of the folds and the oracle.
        steps_per_epoch: fixed epoch length (the training files repeat).
        **kwargs: `directory`, `project_name`, `overwrite`, ... of
            `keras_tuner.Tuner`.

    `search(paths, epochs=..., callbacks=..., verbose=...)` takes the list of
    image files; with Hyperband, the oracle's `tuner/epochs` replaces
    `epochs`. No per-trial weights are kept: train the best configuration
    with `hypermodel.build(best_hp)` and `training.fit_colorizer`.

    Example:

    >>> tuner = CrossValidatedTuner(UNetHyperModel(64), "random", max_trials=5, folds=3,
    ...                             directory="runs", project_name="unet")  # doctest: +SKIP
    >>> tuner.search(paths, epochs=3)  # doctest: +SKIP
    """

    def __init__(self, hypermodel, oracle="random", folds=3, executions_per_trial=1, max_trials=10,
                 max_epochs=5, seed=1337, steps_per_epoch=None, **kwargs):
        if isinstance(oracle, str):
            oracle = make_oracle(oracle, max_trials, max_epochs, seed)
        fold_files([], folds, 0)  # validates `folds`
        if not isinstance(executions_per_trial, int) or executions_per_trial < 1:
            raise ValueError(
                f"`executions_per_trial` must be a positive integer. Received: {executions_per_trial!r}"
            )
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)
        self.folds = folds
        self.executions_per_trial = executions_per_trial
        self.seed = seed
        self.steps_per_epoch = steps_per_epoch

    def search(self, paths, **fit_kwargs):
        paths = [os.fspath(p) for p in paths]
        for fold in range(self.folds):
            train, val = fold_files(paths, self.folds, fold, self.seed)
            if not train or not val:
                raise ValueError(
                    f"Fold {fold} of {self.folds} is empty with {len(paths)} file(s): "
                    "give more files or fewer folds."
                )
        if self.hypermodel.prior is None:  # ab frequencies of the search files, shared by every fold
            self.hypermodel.prior = self.hypermodel.recipe.estimate_prior(
                paths, self.hypermodel.image_size, seed=self.seed
            )
        return super().search(paths, **fit_kwargs)

    def run_trial(self, trial, paths, epochs=1, callbacks=None, verbose=0):
        hp = trial.hyperparameters
        epochs = hp.values.get("tuner/epochs", epochs)
        scores = []
        for fold in range(self.folds):
            train_paths, val_paths = fold_files(paths, self.folds, fold, self.seed)
            for _ in range(self.executions_per_trial):
                keras.backend.clear_session()
                model = self.hypermodel.build(hp)
                train, val = self.hypermodel.datasets(hp, train_paths, val_paths, self.seed)
                if self.steps_per_epoch:
                    train = train.repeat()
                history = self.hypermodel.fit(
                    hp, model, train, validation_data=val, epochs=epochs, steps_per_epoch=self.steps_per_epoch,
                    callbacks=[keras.callbacks.TerminateOnNaN(), *(callbacks or [])], verbose=verbose,
                    shuffle=False,  # the datasets shuffle themselves
                )
                values = history.history.get(OBJECTIVE.name, [])
                scores.append(max(values) if values and np.all(np.isfinite(values)) else float("nan"))
        if not np.all(np.isfinite(scores)):
            raise ValueError(f"Trial {trial.trial_id} diverged (val_psnr: {scores}).")
        return {OBJECTIVE.name: float(np.mean(scores))}

    def load_model(self, trial):
        raise NotImplementedError(
            "CrossValidatedTuner keeps no per-trial weights. Build the best "
            "configuration with `tuner.hypermodel.build(tuner.get_best_hyperparameters()[0])` "
            "and train it with `keras_colorize.training.fit_colorizer`."
        )


def main(argv=None, family=None):
    """The search from command-line arguments: `keras_colorize.cli.run_search`
    (kept under this name for `tuning/search_*.py` and existing scripts)."""
    from keras_colorize.cli import run_search

    return run_search(argv, family)
