"""Training: `fit_colorizer`, a `model.fit` for long runs, and `train_from_directory`.

`fit_colorizer` compiles a model with a recipe of `keras_colorize.recipes`
(`RECIPES`, `get_recipe` and `Recipe` are importable from here too) or takes
a compiled one, and runs plain `model.fit` with the callbacks a long run needs:
a `.keras` checkpoint per epoch, `BackupAndRestore` (a killed run resumes at
the last finished epoch when started again with the same `checkpoint_dir`; a
finished one continues when started again with more `epochs`),
`TerminateOnNaN`, a CSV log, a before/after grid of fixed photos per epoch
and, optionally, TensorBoard logs.

Example:

>>> from keras_colorize import data, training
>>> recipe = training.RECIPES["six_conv_rgb"]
>>> train = data.from_directory("photos/", image_size=64, subset="training",
...                             validation_split=0.1, **recipe.dataset_options())  # doctest: +SKIP
>>> history = training.fit_colorizer(lambda: recipe.build_model(64), train, epochs=2,
...                                  recipe=recipe, checkpoint_dir="runs/six_conv")  # doctest: +SKIP
>>> model = training.train_from_directory("photos/", recipe="unet_mixed_l1_l2", image_size=64,
...                                       epochs=2, output="unet.keras")  # doctest: +SKIP
"""

import contextlib
import functools
import os

import keras
import numpy as np

# The recipes live in `recipes`; these names stay importable from here.
from keras_colorize.recipes import PRIOR_BATCHES  # noqa: F401
from keras_colorize.recipes import RECIPE_ALIASES  # noqa: F401
from keras_colorize.recipes import RECIPES
from keras_colorize.recipes import SCHEDULES  # noqa: F401
from keras_colorize.recipes import Recipe  # noqa: F401
from keras_colorize.recipes import get_recipe

MIXED_PRECISION_POLICIES = ("mixed_float16", "mixed_bfloat16")
PREVIEW_PHOTOS = 4


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
            from the training batches when None (`Recipe.estimate_prior`).
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

    >>> history = fit_colorizer(lambda: RECIPES["unet_mixed_l1_l2"].build_model(64), train, val,
    ...                         epochs=10, recipe="unet_mixed_l1_l2", checkpoint_dir="runs/unet",
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
            if prior is None:
                prior = recipe.estimate_prior(train_ds)
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
            shuffle=False,  # the datasets shuffle themselves (Keras ignores, and warns about, shuffle=True)
        )


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

    >>> model = train_from_directory("photos/", recipe="vae_perceptual", image_size=128,
    ...                              epochs=30, checkpoint_dir="runs/vae", output="vae.keras")  # doctest: +SKIP
    """
    from keras_colorize import data
    from keras_colorize import saving

    recipe = get_recipe(recipe)
    if output is not None:
        output = os.fspath(output)
        if not output.endswith(".keras"):
            raise ValueError(f"`output` must be a `.keras` file path. Received: output={output!r}")
        if os.path.exists(output):
            raise ValueError(f"Refusing to overwrite the existing file output={output!r}.")
    image_size = image_size or recipe.image_size
    paths = data.list_images(data_dir)
    train_paths = data.split_files(paths, "training", validation_split, 0.0, seed)
    val_paths = data.split_files(paths, "validation", validation_split, 0.0, seed) if validation_split else []
    train_ds, val_ds = recipe.datasets(train_paths, val_paths, image_size, batch_size, seed)
    if steps_per_epoch:
        train_ds = train_ds.repeat()
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
        saving.save_model(history.model, output)
    return history.model
