"""The five reports' training recipes: what each trained, and the data and prior it needs.

A `Recipe` names what a report trained: the builder and its arguments, the
image and batch size, optimizer, learning-rate schedule, loss, metrics and
augmentation. It builds and compiles the model (`build_model`, `compile`),
makes the `tf.data` pipelines that fit its model and loss (`datasets`) and
estimates the ab prior of a class-rebalanced loss (`estimate_prior`);
`training.fit_colorizer` and the tuners of `tuning` both use these.

Recipes are named after what they train; the former names after the reports
(`"vae_000"`, ...) are still accepted (`RECIPE_ALIASES`):

| recipe | former name | report |
| --- | --- | --- |
| `vae_perceptual` | `vae_000` | 000: VAE, Charbonnier + cosine + perceptual + KL |
| `resnet_color_weighted` | `resnet_001` | 001: ResNet-18 encoder-decoder, color-weighted loss |
| `resnet_unet_l1` | `resnet_unet_002` | 002: ResNet-18 U-Net, L1, AdamW + cosine annealing |
| `six_conv_rgb` | `six_conv_003` | 003: six convolutions to RGB, MSE, flips + rotations |
| `unet_mixed_l1_l2` | `unet_004` | 004: Lab U-Net, 0.5·MSE + 0.5·L1 |
| `unet_classifier` | `unet_004_classifier` | 004: 676-bin classifier, class-weighted cross-entropy |

Example:

>>> recipe = get_recipe("six_conv_rgb")
>>> train, val = recipe.datasets(train_paths, val_paths, image_size=64)  # doctest: +SKIP
>>> model = recipe.compile(recipe.build_model(64), prior=recipe.estimate_prior(train))  # doctest: +SKIP
"""

import dataclasses
import functools
import math

import keras

from keras_colorize import bins
from keras_colorize import losses
from keras_colorize import metrics
from keras_colorize import models
from keras_colorize import priors
from keras_colorize._aliases import current_name
from keras_colorize._formats import RECIPE_ALIASES

SCHEDULES = (None, "plateau", "cosine")
OPTIMIZERS = ("adam", "adamw")
# Batches of the training data read to estimate the ab prior of a
# class-rebalanced loss, and their size when the prior is read from files.
PRIOR_BATCHES = 64
PRIOR_BATCH_SIZE = 16


# Losses of the recipes, from `Recipe.loss_options` (and a prior for the
# class-rebalanced ones).


def _vae_loss(options, prior):
    weights = {term: options[term] for term in ("charbonnier", "cosine", "perceptual")}
    perceptual = losses.PerceptualLoss(
        layers=options["vgg_layers"], weights=options["vgg_weights"],
        network=options.get("network", "vgg19"),
    )
    return losses.CompositeLoss(weights, losses={"perceptual": perceptual})


def _color_weighted_tv_loss(options, prior):
    options = dict(options)
    weight = options.pop("total_variation")
    data_term = losses.ColorWeightedLoss(prior, **options)
    return losses.CompositeLoss(
        {"color_weighted": 1.0, "total_variation": weight}, losses={"color_weighted": data_term}
    )


_LOSSES = {
    "vae": _vae_loss,
    "color_weighted": lambda options, prior: losses.ColorWeightedLoss(prior, **options),
    # L1 on ab: the α = 0 end of the mixed loss (reads ab from a Lab target).
    "l1": lambda options, prior: losses.MixedL1L2(alpha=0.0),
    "mse": lambda options, prior: keras.losses.MeanSquaredError(),
    "mixed_l1_l2": lambda options, prior: losses.MixedL1L2(**options),
    "smooth_l1": lambda options, prior: losses.SmoothL1(**options),
    # Report 001's color-weighted loss plus its total-variation regulariser
    # (`loss_options`: the weight `total_variation`, then ColorWeightedLoss's).
    "color_weighted_tv": _color_weighted_tv_loss,
    "rebalanced_cross_entropy": lambda options, prior: losses.RebalancedCrossEntropy(prior, **options),
}
_PRIOR_LOSSES = ("color_weighted", "color_weighted_tv", "rebalanced_cross_entropy")
_OUTPUTS = ("lab", "rgb", "bins")


def _cosine_annealing(epoch, learning_rate, base_rate, epochs):
    """Cosine annealing per epoch, from `base_rate` to 0 over `epochs`."""
    return 0.5 * base_rate * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a report trained a model. Change a field with `dataclasses.replace`.

    Attributes:
        name: the key in `RECIPES` (after what it trains).
        model: name of the builder in `keras_colorize.models`.
        model_kwargs: builder arguments (besides `input_size`).
        image_size: side of the training crops (the report's).
        batch_size: the report's batch size.
        epochs: the report's number of epochs.
        loss: `"vae"`, `"color_weighted"`, `"color_weighted_tv"`, `"l1"`,
            `"mse"`, `"mixed_l1_l2"`, `"smooth_l1"` or
            `"rebalanced_cross_entropy"`.
        loss_options: arguments of that loss (for `"vae"`: the weights
            `charbonnier`, `cosine`, `perceptual`, and `vgg_layers`,
            `vgg_weights` and optionally `network` of its `PerceptualLoss`;
            for `"color_weighted_tv"`: the weight `total_variation` and
            `ColorWeightedLoss`'s arguments).
        output: what the network predicts: `"lab"` (ab / 128), `"rgb"` or
            `"bins"` (ab-bin probabilities); decides the data layout and
            the metrics.
        optimizer: `"adam"` or `"adamw"`.
        learning_rate: initial learning rate.
        weight_decay: AdamW's decoupled weight decay.
        schedule: None, `"plateau"` (multiply the rate by
            `plateau_factor` when val PSNR has not improved for
            `plateau_patience` epochs) or `"cosine"` (annealed per epoch).
        plateau_factor, plateau_patience: of the `"plateau"` schedule.
        augment: random flips and 90° rotations (report 003).
        reference: where the numbers come from.
    """

    name: str
    model: str
    image_size: int
    batch_size: int
    epochs: int
    loss: str
    model_kwargs: dict = dataclasses.field(default_factory=dict)
    loss_options: dict = dataclasses.field(default_factory=dict)
    output: str = "lab"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = None
    plateau_factor: float = 0.05
    plateau_patience: int = 3
    augment: bool = False
    reference: str = ""

    def __post_init__(self):
        for field, value, choices in (
            ("loss", self.loss, tuple(_LOSSES)),
            ("output", self.output, _OUTPUTS),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("schedule", self.schedule, SCHEDULES),
        ):
            if value not in choices:
                raise ValueError(
                    f"Recipe `{field}` must be one of {choices}. Received: {field}={value!r}"
                )

    @property
    def needs_prior(self):
        """Whether the loss weights colors by their frequency in the training set."""
        return self.loss in _PRIOR_LOSSES

    @property
    def grid(self):
        """The ab-bin grid of the loss and metrics (of a classifier, or of the
        color weights): `"square"` unless `loss_options` names another."""
        return bins.check_grid(self.loss_options.get("grid", "square"))

    def dataset_options(self):
        """`keras_colorize.data.from_files` arguments that fit this recipe's
        model, loss and metrics (the target layout and augmentation)."""
        if self.output == "rgb":
            return {"color_space": "rgb", "augment": self.augment}
        return {"color_space": "lab", "with_lightness": True, "augment": self.augment}

    def datasets(self, train_paths, val_paths=(), image_size=None, batch_size=None, seed=1337):
        """The `(train, validation)` `tf.data` pipelines of two lists of files.

        Training batches are shuffled random crops (augmented when the recipe
        augments); validation batches are centre crops, never augmented.

        Args:
            train_paths, val_paths: image files (`val_paths` may be empty).
            image_size: crop side; None for the recipe's.
            batch_size: None for the recipe's.
            seed: seed of the shuffling, the crops and the augmentation.

        Returns:
            `(train, val)`; `val` is None without `val_paths`.
        """
        from keras_colorize import data

        size = image_size or self.image_size
        batch_size = batch_size or self.batch_size
        options = self.dataset_options()
        train = data.from_files(train_paths, size, batch_size, training=True, seed=seed, **options)
        if not len(val_paths):
            return train, None
        options["augment"] = False
        return train, data.from_files(val_paths, size, batch_size, seed=seed, **options)

    def estimate_prior(self, train, image_size=None, max_batches=PRIOR_BATCHES, seed=1337):
        """The ab-bin frequencies of the training data, for a class-rebalanced loss.

        Args:
            train: a dataset of `(L, ab)` batches (e.g. the first of
                `datasets`), or a list of image files (read in
                `PRIOR_BATCH_SIZE` centre crops of `image_size`).
            image_size: crop side for files; None for the recipe's.
            max_batches: how many batches are read.
            seed: seed of the dataset made from files.

        Returns:
            `priors.ab_histogram` of `self.grid`, or None when the loss
            needs no prior.
        """
        if not self.needs_prior:
            return None
        if isinstance(train, (list, tuple)):
            from keras_colorize import data

            options = self.dataset_options()
            train = data.from_files(train, image_size or self.image_size, PRIOR_BATCH_SIZE, seed=seed, **options)
        return priors.ab_histogram(train, self.grid, max_batches=max_batches)

    def build_model(self, image_size=None, **overrides):
        """The recipe's model at `image_size` (default: the report's), with
        builder arguments overridden by `overrides`."""
        kwargs = {**self.model_kwargs, "input_size": image_size or self.image_size, **overrides}
        return models.get(self.model, **kwargs)

    def make_loss(self, prior=None):
        """The recipe's loss; `prior` (from `priors.ab_histogram`) for the
        class-rebalanced losses."""
        return _LOSSES[self.loss](dict(self.loss_options), prior)

    def make_metrics(self):
        if self.output == "rgb":
            return [metrics.PSNR(space="rgb"), metrics.SSIM(space="rgb")]
        if self.output == "bins":
            return [metrics.BinnedPSNR(grid=self.grid)]
        return [metrics.PSNR(), metrics.SSIM(), metrics.RMSE()]

    def make_optimizer(self, learning_rate=None):
        learning_rate = self.learning_rate if learning_rate is None else learning_rate
        if self.optimizer == "adamw":
            return keras.optimizers.AdamW(learning_rate, weight_decay=self.weight_decay)
        return keras.optimizers.Adam(learning_rate)

    def compile(self, model, prior=None, learning_rate=None, jit_compile="auto"):
        """Compiles `model` with the recipe's optimizer, loss and metrics."""
        model.compile(
            optimizer=self.make_optimizer(learning_rate),
            loss=self.make_loss(prior),
            metrics=self.make_metrics(),
            jit_compile=jit_compile,
        )
        return model

    def schedule_callbacks(self, epochs, validation=True):
        """The learning-rate schedule as callbacks, for a run of `epochs`."""
        if self.schedule == "plateau":
            return [
                keras.callbacks.ReduceLROnPlateau(
                    monitor="val_psnr" if validation else "psnr", mode="max",
                    factor=self.plateau_factor, patience=self.plateau_patience,
                )
            ]
        if self.schedule == "cosine":
            schedule = functools.partial(
                _cosine_annealing, base_rate=self.learning_rate, epochs=epochs
            )
            return [keras.callbacks.LearningRateScheduler(schedule)]
        return []


class _Recipes(dict):
    """The recipes by name; a former name (`RECIPE_ALIASES`) finds its recipe
    too, but is not listed when iterating."""

    def __missing__(self, name):
        if name in RECIPE_ALIASES:
            return self[RECIPE_ALIASES[name]]
        raise KeyError(name)

    def __contains__(self, name):
        return super().__contains__(RECIPE_ALIASES.get(name, name))

    def get(self, name, default=None):
        return self[name] if name in self else default


RECIPES = _Recipes({
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="vae_perceptual", model="vae", image_size=224, batch_size=16, epochs=30,
            model_kwargs={"latent_dim": 128, "kl_weight": 1e-3, "dropout": 0.2},
            loss="vae",
            # The report gives no figures, only "a far lower perceptual
            # weight than anticipated" and "a lower cosine weight".
            loss_options={"charbonnier": 1.0, "cosine": 0.1, "perceptual": 0.01,
                          "vgg_layers": ("relu3_4",), "vgg_weights": "imagenet"},
            learning_rate=1e-4, schedule="plateau", plateau_factor=0.05,
            reference="report 000, §4-5: 224², Charbonnier + cosine + perceptual "
                      "+ KL, PSNR plateau scheduler ×0.05",
        ),
        Recipe(
            name="resnet_color_weighted", model="resnet18_decoder", image_size=256, batch_size=64,
            epochs=100, loss="color_weighted", loss_options={"distance": "l2"},
            learning_rate=1e-3,
            reference="report 001: Adam 1e-3 (and 1e-4), batch 64/128, "
                      "100 epochs, color-weighted loss (its best)",
        ),
        Recipe(
            name="resnet_unet_l1", model="resnet18_unet", image_size=256, batch_size=32,
            epochs=5, loss="l1", optimizer="adamw", learning_rate=3e-4,
            weight_decay=1e-2, schedule="cosine",
            reference="report 002: AdamW 3e-4, batch 32, cosine annealing per "
                      "epoch, L1, 5 epochs",
        ),
        Recipe(
            name="six_conv_rgb", model="six_conv_rgb", image_size=256, batch_size=16,
            epochs=40, loss="mse", output="rgb", learning_rate=1e-3, augment=True,
            reference="report 003: Adam 1e-3, batch 16, MSE on RGB, flips + "
                      "90° rotations, 40-100 epochs, a checkpoint per epoch",
        ),
        Recipe(
            name="unet_mixed_l1_l2", model="unet", image_size=512, batch_size=16, epochs=15,
            model_kwargs={"depth": 5, "base_filters": 26, "output": "ab"},
            loss="mixed_l1_l2", loss_options={"alpha": 0.5}, learning_rate=1e-4,
            reference="report 004: U-Net Lab 20.5 M, 512², batch 16, 15 epochs, "
                      "0.5·MSE + 0.5·L1, Adam 1e-4",
        ),
        Recipe(
            name="unet_classifier", model="unet_classifier", image_size=512,
            batch_size=16, epochs=20,
            model_kwargs={"depth": 5, "base_filters": 26, "grid": "square"},
            loss="rebalanced_cross_entropy",
            loss_options={"grid": "square", "neighbors": 1}, output="bins",
            learning_rate=1e-4,
            reference="report 004: 676-bin classifier, class-weighted "
                      "cross-entropy, 512², batch 16, 20 epochs, Adam 1e-4",
        ),
    )
})


def get_recipe(recipe):
    """A `Recipe` from its name or former name (a `Recipe` is returned as is)."""
    if isinstance(recipe, Recipe):
        return recipe
    return RECIPES[current_name(recipe, RECIPES, RECIPE_ALIASES, "recipe", "recipe")]
