"""Training: the five reports' recipes, and `fit_colorizer`, a `model.fit` for long runs.

A recipe names what a report trained: the builder and its arguments, the
image and batch size, optimizer, learning-rate schedule, loss, metrics and
augmentation. `fit_colorizer` compiles a model with a recipe (or takes a
compiled one) and runs plain `model.fit` with the callbacks a long run needs:
a `.keras` checkpoint per epoch, `BackupAndRestore` (a killed run resumes at
the last finished epoch when started again with the same `checkpoint_dir`; a
finished one continues when started again with more `epochs`),
`TerminateOnNaN`, a CSV log, a before/after grid of fixed photos per epoch
and, optionally, TensorBoard logs.

Example:

>>> from keras_colorize import data, training
>>> recipe = training.RECIPES["six_conv_003"]
>>> train = data.from_directory("photos/", image_size=64, subset="training",
...                             validation_split=0.1, **recipe.dataset_options())  # doctest: +SKIP
>>> history = training.fit_colorizer(lambda: recipe.build_model(64), train, epochs=2,
...                                  recipe=recipe, checkpoint_dir="runs/003")  # doctest: +SKIP
>>> model = training.train_from_directory("photos/", recipe="unet_004", image_size=64,
...                                       epochs=2, output="unet.keras")  # doctest: +SKIP
"""

import contextlib
import dataclasses
import functools
import math
import os

import keras
import numpy as np

from keras_colorize import losses
from keras_colorize import metrics
from keras_colorize import models
from keras_colorize import priors
from keras_colorize.outputs import atomic_path

MIXED_PRECISION_POLICIES = ("mixed_float16", "mixed_bfloat16")
SCHEDULES = (None, "plateau", "cosine")
# Batches of the training set read to estimate the ab prior of a
# class-rebalanced loss when none is given.
PRIOR_BATCHES = 64
PREVIEW_PHOTOS = 4


# --------------------------------------------------------------------------
# Losses of the recipes, from `Recipe.loss_options` (and a prior for the
# class-rebalanced ones).


def _vae_loss(options, prior):
    weights = {term: options[term] for term in ("charbonnier", "cosine", "perceptual")}
    perceptual = losses.PerceptualLoss(layers=options["vgg_layers"], weights=options["vgg_weights"])
    return losses.CompositeLoss(weights, losses={"perceptual": perceptual})


_LOSSES = {
    "vae": _vae_loss,
    "color_weighted": lambda options, prior: losses.ColorWeightedLoss(prior, **options),
    # L1 on ab: the α = 0 end of the mixed loss (reads ab from a Lab target).
    "l1": lambda options, prior: losses.MixedL1L2(alpha=0.0),
    "mse": lambda options, prior: keras.losses.MeanSquaredError(),
    "mixed_l1_l2": lambda options, prior: losses.MixedL1L2(**options),
    "rebalanced_cross_entropy": lambda options, prior: losses.RebalancedCrossEntropy(prior, **options),
}
_PRIOR_LOSSES = ("color_weighted", "rebalanced_cross_entropy")
_OPTIMIZERS = {"adam": keras.optimizers.Adam, "adamw": keras.optimizers.AdamW}
_OUTPUTS = ("lab", "rgb", "bins")


def _cosine_annealing(epoch, learning_rate, base_rate, epochs):
    """Cosine annealing per epoch, from `base_rate` to 0 over `epochs`."""
    return 0.5 * base_rate * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a report trained a model. Change a field with `dataclasses.replace`.

    Attributes:
        name: the key in `RECIPES`.
        model: name of the builder in `keras_colorize.models`.
        model_kwargs: builder arguments (besides `input_size`).
        image_size: side of the training crops (the report's).
        batch_size: the report's batch size.
        epochs: the report's number of epochs.
        loss: `"vae"`, `"color_weighted"`, `"l1"`, `"mse"`, `"mixed_l1_l2"`
            or `"rebalanced_cross_entropy"`.
        loss_options: arguments of that loss (for `"vae"`: the weights
            `charbonnier`, `cosine`, `perceptual`, and `vgg_layers`,
            `vgg_weights` of its `PerceptualLoss`).
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
            ("optimizer", self.optimizer, tuple(_OPTIMIZERS)),
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

    def dataset_options(self):
        """`keras_colorize.data.from_files` arguments that fit this recipe's
        model, loss and metrics (the target layout and augmentation)."""
        if self.output == "rgb":
            return {"color_space": "rgb", "augment": self.augment}
        return {"color_space": "lab", "with_lightness": True, "augment": self.augment}

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
            return [metrics.BinnedPSNR(grid=self.loss_options.get("grid", "report004"))]
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


RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="vae_000", model="vae", image_size=224, batch_size=16, epochs=30,
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
            name="resnet_001", model="resnet18_decoder", image_size=256, batch_size=64,
            epochs=100, loss="color_weighted", loss_options={"distance": "l2"},
            learning_rate=1e-3,
            reference="report 001: Adam 1e-3 (and 1e-4), batch 64/128, "
                      "100 epochs, color-weighted loss (its best)",
        ),
        Recipe(
            name="resnet_unet_002", model="resnet18_unet", image_size=256, batch_size=32,
            epochs=5, loss="l1", optimizer="adamw", learning_rate=3e-4,
            weight_decay=1e-2, schedule="cosine",
            reference="report 002: AdamW 3e-4, batch 32, cosine annealing per "
                      "epoch, L1, 5 epochs",
        ),
        Recipe(
            name="six_conv_003", model="six_conv_rgb", image_size=256, batch_size=16,
            epochs=40, loss="mse", output="rgb", learning_rate=1e-3, augment=True,
            reference="report 003: Adam 1e-3, batch 16, MSE on RGB, flips + "
                      "90° rotations, 40-100 epochs, a checkpoint per epoch",
        ),
        Recipe(
            name="unet_004", model="unet", image_size=512, batch_size=16, epochs=15,
            model_kwargs={"depth": 5, "base_filters": 26, "output": "ab"},
            loss="mixed_l1_l2", loss_options={"alpha": 0.5}, learning_rate=1e-4,
            reference="report 004: U-Net Lab 20.5 M, 512², batch 16, 15 epochs, "
                      "0.5·MSE + 0.5·L1, Adam 1e-4",
        ),
        Recipe(
            name="unet_004_classifier", model="unet_classifier", image_size=512,
            batch_size=16, epochs=20,
            model_kwargs={"depth": 5, "base_filters": 26, "grid": "report004"},
            loss="rebalanced_cross_entropy",
            loss_options={"grid": "report004", "neighbors": 1}, output="bins",
            learning_rate=1e-4,
            reference="report 004: 676-bin classifier, class-weighted "
                      "cross-entropy, 512², batch 16, 20 epochs, Adam 1e-4",
        ),
    )
}


def get_recipe(recipe):
    """A `Recipe` from its name (a `Recipe` is returned as is)."""
    if isinstance(recipe, Recipe):
        return recipe
    if recipe not in RECIPES:
        raise ValueError(f"Unknown recipe. Expected one of {sorted(RECIPES)}. Received: recipe={recipe!r}")
    return RECIPES[recipe]


# --------------------------------------------------------------------------
# Callbacks.


class PreviewGrid(keras.callbacks.Callback):
    """Saves a before/after grid of fixed photos at the end of each epoch.

    Rows: the gray input, the model's colorization (`colorize`, at the
    photo's own size) and the original, as `plotting.comparison_figure`
    draws them; `epoch_001.png`, `epoch_002.png`, ... in `directory`
    (written atomically). The reports' visual check across epochs.

    Args:
        images: RGB photos (arrays, uint8 or float in [0, 1]) or file paths.
        directory: output folder (created).
        render_size: side the model sees when its input size is not fixed.

    Example:

    >>> model.fit(train, epochs=5, callbacks=[PreviewGrid(["a.jpg"], "previews")])  # doctest: +SKIP
    """

    def __init__(self, images, directory, render_size=256):
        super().__init__()
        if not len(images):
            raise ValueError("`images` is empty: give at least one photo to preview.")
        from keras_colorize.data import read_image

        self.images = [
            np.asarray(read_image(image) if isinstance(image, (str, os.PathLike)) else image)
            for image in images
        ]
        self.images = [
            np.round(image * 255).astype(np.uint8) if image.dtype.kind == "f" else image
            for image in self.images
        ]
        self.directory = os.fspath(directory)
        self.render_size = render_size

    def on_epoch_end(self, epoch, logs=None):
        from keras_colorize import plotting
        from keras_colorize.inference import colorize

        colorized = colorize(list(self.images), model=self.model, render_size=self.render_size)
        figure = plotting.comparison_figure(colorized, self.images)
        plotting.save_figure(figure, os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png"))


def checkpoint_callbacks(checkpoint_dir, preview_images=None, render_size=256, tensorboard=False):
    """The callbacks of a resumable run, all writing under `checkpoint_dir`.

    `backup/` (`BackupAndRestore`: weights, optimizer state and epoch of the
    last finished epoch; kept when training ends, so that running again with
    more epochs continues the run instead of starting over and rewriting its
    checkpoints, and running again with as many trains nothing),
    `epoch_001.keras`, ... (`ModelCheckpoint`, a full model per epoch), `training_log.csv`
    (`CSVLogger`, appended to on resume), `previews/` (`PreviewGrid`, when
    `preview_images` are given) and `tensorboard/` (when `tensorboard`).
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    os.makedirs(checkpoint_dir, exist_ok=True)
    callbacks = [
        # First, so an epoch's backup exists once its checkpoint file does.
        keras.callbacks.BackupAndRestore(
            os.path.join(checkpoint_dir, "backup"), delete_checkpoint=False
        ),
        keras.callbacks.ModelCheckpoint(os.path.join(checkpoint_dir, "epoch_{epoch:03d}.keras")),
        keras.callbacks.CSVLogger(os.path.join(checkpoint_dir, "training_log.csv"), append=True),
    ]
    if preview_images is not None and len(preview_images):
        callbacks.append(
            PreviewGrid(preview_images, os.path.join(checkpoint_dir, "previews"), render_size)
        )
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(os.path.join(checkpoint_dir, "tensorboard")))
    return callbacks


# --------------------------------------------------------------------------
# Distribution and precision.


def _check_distribution(distribution):
    if distribution is None:
        return
    # keras.distribution has no public base class: a Distribution has a device mesh.
    is_keras = hasattr(distribution, "device_mesh") and hasattr(distribution, "scope")
    backend = keras.backend.backend()
    if backend == "jax" and not is_keras:
        raise ValueError(
            "On the JAX backend `distribution` must be a keras.distribution."
            "Distribution such as `keras.distribution.DataParallel()`. "
            f"Received: distribution={distribution!r}"
        )
    if backend == "tensorflow" and (is_keras or not hasattr(distribution, "extended")):
        raise ValueError(
            "On the TensorFlow backend `distribution` must be a tf.distribute."
            "Strategy (MirroredStrategy, MultiWorkerMirroredStrategy, ...). "
            f"Received: distribution={distribution!r}"
        )
    if backend not in ("jax", "tensorflow"):
        raise ValueError(f"`distribution` is supported on JAX and TensorFlow, not on {backend!r}.")


@contextlib.contextmanager
def _scope(distribution, mixed_precision):
    """Variables created inside use the dtype policy and the distribution."""
    previous = keras.config.dtype_policy()
    try:
        if mixed_precision is not None:
            keras.config.set_dtype_policy(mixed_precision)
        with distribution.scope() if distribution is not None else contextlib.nullcontext():
            yield
    finally:
        keras.config.set_dtype_policy(previous)


def _check_built_model(model, distribution, mixed_precision):
    """A model given already built must match the precision and distribution asked."""
    if mixed_precision is not None and model.dtype_policy.name != mixed_precision:
        raise ValueError(
            f"The model was built with dtype policy {model.dtype_policy.name!r}, not "
            f"mixed_precision={mixed_precision!r}: pass a function that builds the "
            "model (e.g. `lambda: recipe.build_model()`), so that fit_colorizer "
            "builds it under the policy."
        )
    if distribution is None:
        return
    created_in_scope = getattr(getattr(distribution, "extended", None), "variable_created_in_scope", None)
    if created_in_scope is None or not all(created_in_scope(v) for v in model.weights):
        raise ValueError(
            "With `distribution`, the model's variables must be created under it: "
            "pass a function that builds (and, without a recipe, compiles) the model "
            f"instead of a built model. Received: model={model.name!r}"
        )


# --------------------------------------------------------------------------
# Training.


def fit_colorizer(
    model,
    train_ds,
    val_ds=None,
    *,
    epochs,
    recipe=None,
    checkpoint_dir=None,
    callbacks=None,
    mixed_precision=None,
    jit_compile=None,
    distribution=None,
    steps_per_epoch=None,
    validation_steps=None,
    prior=None,
    preview_images=None,
    render_size=256,
    tensorboard=False,
    verbose="auto",
):
    """Trains a colorizer with plain `model.fit`, resumably.

    Args:
        model: a `keras.Model`, or a function of no arguments returning one;
            a function is needed with `distribution` (and with
            `mixed_precision`), so that the variables are created under them.
            Without a `recipe` the model must come compiled.
        train_ds: training data, e.g. `keras_colorize.data.from_files(...,
            **recipe.dataset_options())`.
        val_ds: validation data (gives `val_psnr` to the plateau schedule).
        epochs: total number of epochs (a resumed run stops there too).
        recipe: a `Recipe` or a name of `RECIPES`: compiles the model with
            its optimizer, loss and metrics, and adds its schedule.
        checkpoint_dir: folder for checkpoints, backup, CSV log, previews
            (see `checkpoint_callbacks`). Running again with the same folder
            resumes at the last finished epoch, also to extend a finished run
            to more `epochs`.
        callbacks: more Keras callbacks.
        mixed_precision: None, `"mixed_float16"` or `"mixed_bfloat16"`.
            Layers compute in half precision; variables, the losses (they
            cast their inputs to float32) and metrics stay float32, and
            `"mixed_float16"` gets dynamic loss scaling.
        jit_compile: XLA compilation of the train step (`compile`'s
            argument); None keeps Keras' `"auto"`.
        distribution: a `tf.distribute.Strategy` on TensorFlow
            (`MirroredStrategy`, `MultiWorkerMirroredStrategy`), a
            `keras.distribution.DataParallel` on JAX. Batches of the dataset
            are global batches, split between the replicas.
        steps_per_epoch, validation_steps: as in `fit` (use with `.repeat()`).
        prior: ab-bin frequencies for a class-rebalanced recipe; estimated
            from `PRIOR_BATCHES` training batches when None.
        preview_images: photos (arrays or paths) for the per-epoch
            before/after grid in `checkpoint_dir/previews`.
        render_size: side of the previews when the model's size is not fixed.
        tensorboard: also write TensorBoard logs to `checkpoint_dir/tensorboard`.
        verbose: as in `fit`.

    Returns:
        The `keras.callbacks.History` of `fit`; the trained model is
        `history.model`.

    Raises:
        ValueError: for an unknown recipe or policy, an uncompiled model
            without a recipe, or a built model that does not match
            `mixed_precision` / `distribution`.

    Example:

    >>> history = fit_colorizer(lambda: RECIPES["unet_004"].build_model(64), train, val,
    ...                         epochs=10, recipe="unet_004", checkpoint_dir="runs/unet",
    ...                         mixed_precision="mixed_bfloat16")  # doctest: +SKIP
    >>> history.history["val_psnr"][-1]  # doctest: +SKIP
    """
    recipe = None if recipe is None else get_recipe(recipe)
    if mixed_precision is not None and mixed_precision not in MIXED_PRECISION_POLICIES:
        raise ValueError(
            f"`mixed_precision` must be None or one of {MIXED_PRECISION_POLICIES}. "
            f"Received: mixed_precision={mixed_precision!r}"
        )
    _check_distribution(distribution)
    if checkpoint_dir is None and (preview_images is not None or tensorboard):
        raise ValueError("`preview_images` and `tensorboard` write under `checkpoint_dir`: give one.")
    with _scope(distribution, mixed_precision):
        if isinstance(model, keras.Model):
            _check_built_model(model, distribution, mixed_precision)
        elif callable(model):
            model = model()
        else:
            raise ValueError(
                f"`model` must be a keras.Model or a function returning one. Received: {model!r}"
            )
        if recipe is not None:
            if recipe.needs_prior and prior is None:
                prior = priors.ab_histogram(
                    train_ds, recipe.loss_options.get("grid", "report004"), max_batches=PRIOR_BATCHES
                )
            recipe.compile(model, prior=prior, jit_compile="auto" if jit_compile is None else jit_compile)
        elif not getattr(model, "compiled", False):
            raise ValueError(
                "The model is not compiled: compile it or give a `recipe` "
                f"(one of {sorted(RECIPES)})."
            )
        elif jit_compile is not None:
            model.jit_compile = jit_compile
        all_callbacks = [keras.callbacks.TerminateOnNaN()]
        if checkpoint_dir is not None:
            all_callbacks += checkpoint_callbacks(checkpoint_dir, preview_images, render_size, tensorboard)
        if recipe is not None:
            all_callbacks += recipe.schedule_callbacks(epochs, validation=val_ds is not None)
        all_callbacks += list(callbacks or [])
        return model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps,
            callbacks=all_callbacks,
            verbose=verbose,
        )


def save_model_atomically(model, path):
    """Saves a `.keras` file via a temporary file in the same folder, then a
    rename: a reader never sees half a file."""
    with atomic_path(path, overwrite=True, suffix=".keras") as temporary:
        model.save(temporary)
    return os.fspath(path)


def train_from_directory(
    data_dir,
    *,
    recipe,
    image_size=None,
    batch_size=None,
    epochs,
    checkpoint_dir=None,
    output=None,
    validation_split=0.1,
    seed=1337,
    steps_per_epoch=None,
    mixed_precision=None,
    jit_compile=None,
    callbacks=None,
    verbose="auto",
):
    """Trains a recipe's model on a folder of color photos.

    Files are split into training and validation by a hash of their names
    (`keras_colorize.data.split_files`); the first validation photos (or
    training photos, without validation) are the per-epoch previews.

    Args:
        data_dir: folder of photos (searched recursively).
        recipe: a `Recipe` or a name of `RECIPES`.
        image_size: crop side; None for the recipe's.
        batch_size: None for the recipe's.
        epochs: number of epochs.
        checkpoint_dir: resumable run folder (see `fit_colorizer`).
        output: path of the `.keras` file to write (atomically); an existing
            file is never overwritten.
        validation_split: fraction of the photos held out for validation.
        seed: seed of the split, the shuffling and the augmentation.
        steps_per_epoch: fixed epoch length (the training set repeats).
        mixed_precision, jit_compile, callbacks, verbose: see `fit_colorizer`.

    Returns:
        The trained `keras.Model` (its `history` attribute holds the run).

    Raises:
        ValueError: for a bad recipe, an existing or non-`.keras` `output`,
            or a folder without readable photos.

    Example:

    >>> model = train_from_directory("../shared/data/train", recipe="vae_000", image_size=128,
    ...                              epochs=30, checkpoint_dir="runs/vae", output="vae.keras")  # doctest: +SKIP
    """
    from keras_colorize import data

    recipe = get_recipe(recipe)
    if output is not None:
        output = os.fspath(output)
        if not output.endswith(".keras"):
            raise ValueError(f"`output` must be a `.keras` file path. Received: output={output!r}")
        if os.path.exists(output):
            raise ValueError(f"Refusing to overwrite the existing file output={output!r}.")
    image_size = image_size or recipe.image_size
    batch_size = batch_size or recipe.batch_size
    paths = data.list_images(data_dir)
    train_paths = data.split_files(paths, "training", validation_split, 0.0, seed)
    val_paths = data.split_files(paths, "validation", validation_split, 0.0, seed) if validation_split else []
    options = recipe.dataset_options()
    train_ds = data.from_files(
        train_paths, image_size=image_size, batch_size=batch_size, training=True, seed=seed, **options
    )
    if steps_per_epoch:
        train_ds = train_ds.repeat()
    val_ds = None
    if val_paths:
        options["augment"] = False
        val_ds = data.from_files(val_paths, image_size=image_size, batch_size=batch_size, seed=seed, **options)
    history = fit_colorizer(
        functools.partial(recipe.build_model, image_size),
        train_ds,
        val_ds,
        epochs=epochs,
        recipe=recipe,
        checkpoint_dir=checkpoint_dir,
        callbacks=callbacks,
        mixed_precision=mixed_precision,
        jit_compile=jit_compile,
        steps_per_epoch=steps_per_epoch,
        preview_images=(val_paths or train_paths)[:PREVIEW_PHOTOS] if checkpoint_dir else None,
        render_size=image_size,
        verbose=verbose,
    )
    if output is not None:
        save_model_atomically(history.model, output)
    return history.model
