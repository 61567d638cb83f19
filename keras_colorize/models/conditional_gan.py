"""`ConditionalGAN`: generator + PatchGAN trained adversarially with an L1 term
(report 002), usable with a plain `fit`."""

import copy

import keras
from keras import ops


class _OptimizerPair(keras.optimizers.Optimizer):
    """Holds the generator and discriminator optimizers as one `optimizer`.

    Keras' trainers keep one `model.optimizer` (on JAX, its variables are
    threaded through the jitted `train_step` as state). This wrapper exposes
    the variables of both optimizers, its own iteration counter first; the
    two optimizers do the updates. It is not serialized: `ConditionalGAN`
    saves no compile config.
    """

    def __init__(self, generator_optimizer, discriminator_optimizer, **kwargs):
        super().__init__(learning_rate=0.0, name="optimizer_pair", **kwargs)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer

    def build(self, variables):
        # The two optimizers are built by `ConditionalGAN.compile`, each on
        # its own network's variables.
        self.built = True

    @property
    def own_variables(self):
        return list(self._variables)

    @property
    def variables(self):
        return (
            list(self._variables)
            + self.generator_optimizer.variables
            + self.discriminator_optimizer.variables
        )


@keras.saving.register_keras_serializable(package="keras_colorize")
class ConditionalGAN(keras.Model):
    """Conditional GAN colorizer: a generator L → ab and a discriminator on
    (L, ab) pairs, trained against each other with an L1 term (report 002).

    Each `train_step` on a batch `(l, ab)` (L/100 and ab/128):

    1. discriminator step: `d_loss = BCE(1, D(l, ab)) + BCE(0, D(l, G(l)))`
       (logits), minimized by `discriminator_optimizer`;
    2. generator step: `g_loss = BCE(1, D(l, G(l))) + l1_weight · |ab - G(l)|₁
       (+ the generator's own losses, e.g. a VAE's KL)`, minimized by
       `generator_optimizer` with the just-updated discriminator.

    `fit` logs `d_loss`, `g_loss` and `l1`. `call` (and `predict`) run the
    generator only. `train_step` is implemented for the TensorFlow and JAX
    backends (stateless JAX pattern); other backends raise a
    `NotImplementedError`. The model saves to `.keras` with both networks;
    it reloads uncompiled (compile it again to resume training).

    Args:
        generator: a `keras.Model` from `(S, S, 1)` L/100 to `(S, S, 2)`
            ab/128 (e.g. `resnet18_unet`, report 002's primary model).
        discriminator: a `keras.Model` from `[L, ab]` to patch logits
            (e.g. `patch_discriminator`).
        l1_weight: λ, the weight of the L1 term (100 in pix2pix).
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    >>> gan = ConditionalGAN(shallow(32, 8), patch_discriminator(32, 8))
    >>> gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    ...             discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    >>> history = gan.fit(l_images, ab_images, epochs=1, verbose=0)

    Reference:
        Isola et al., "Image-to-Image Translation with Conditional Adversarial
        Networks", CVPR 2017; report 002, §3.2.2.
    """

    def __init__(self, generator, discriminator, l1_weight=100.0, **kwargs):
        super().__init__(**kwargs)
        if l1_weight < 0:
            raise ValueError(f"`l1_weight` must be >= 0. Received: l1_weight={l1_weight}")
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = float(l1_weight)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.l1_tracker = keras.metrics.Mean(name="l1")

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def compute_output_shape(self, input_shape):
        return self.generator.compute_output_shape(input_shape)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.l1_tracker]

    def compile(self, generator_optimizer="adam", discriminator_optimizer="adam", **kwargs):
        """Configures the two optimizers.

        Args:
            generator_optimizer: optimizer (or its name) for the generator.
            discriminator_optimizer: optimizer (or its name) for the
                discriminator; must be a different instance.
            **kwargs: other `keras.Model.compile` arguments (`jit_compile`,
                `steps_per_execution`, ...). `loss` and `metrics` are not
                used: the losses are fixed by the GAN.
        """
        for key in ("loss", "metrics", "optimizer"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"`ConditionalGAN.compile` takes `generator_optimizer` and "
                    f"`discriminator_optimizer` and fixes its own losses. "
                    f"Received: {key}={kwargs[key]!r}"
                )
            kwargs.pop(key, None)
        g_opt = keras.optimizers.get(generator_optimizer)
        d_opt = keras.optimizers.get(discriminator_optimizer)
        if g_opt is d_opt:
            raise ValueError(
                "The generator and the discriminator need two optimizer "
                "instances (each keeps its own slots). Received the same "
                "instance twice."
            )
        g_opt.build(self.generator.trainable_variables)
        d_opt.build(self.discriminator.trainable_variables)
        self.generator_optimizer = g_opt
        self.discriminator_optimizer = d_opt
        super().compile(optimizer=_OptimizerPair(g_opt, d_opt), **kwargs)

    def get_compile_config(self):
        # The optimizer pair is rebuilt by `compile`; a reloaded GAN is
        # uncompiled.
        return None

    @staticmethod
    def _adversarial(logits):
        return ops.mean(
            keras.losses.binary_crossentropy(ops.ones_like(logits), logits, from_logits=True)
        )

    @staticmethod
    def _discriminator_loss(real_logits, fake_logits):
        real = keras.losses.binary_crossentropy(
            ops.ones_like(real_logits), real_logits, from_logits=True
        )
        fake = keras.losses.binary_crossentropy(
            ops.zeros_like(fake_logits), fake_logits, from_logits=True
        )
        return ops.mean(real) + ops.mean(fake)

    @staticmethod
    def _unpack(data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is None:
            raise ValueError(
                "`ConditionalGAN` trains on `(l, ab)` pairs (L/100 and ab/128). "
                "Received data without targets."
            )
        return x, y

    def train_step(self, *args):
        backend = keras.backend.backend()
        if backend == "jax":
            return self._jax_train_step(*args)
        if backend == "tensorflow":
            return self._tf_train_step(*args)
        raise NotImplementedError(
            "`ConditionalGAN.train_step` is implemented for the 'tensorflow' "
            f"and 'jax' backends. Received: backend={backend!r}"
        )

    def _tf_train_step(self, data):
        import tensorflow as tf  # backend-specific gradient tape

        l_images, ab_images = self._unpack(data)
        fake = ops.stop_gradient(self.generator(l_images, training=True))
        with tf.GradientTape() as tape:
            real_logits = self.discriminator([l_images, ab_images], training=True)
            fake_logits = self.discriminator([l_images, fake], training=True)
            d_loss = self._discriminator_loss(real_logits, fake_logits)
        d_vars = self.discriminator.trainable_variables
        self.discriminator_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)

        with tf.GradientTape() as tape:
            fake = self.generator(l_images, training=True)
            fake_logits = self.discriminator([l_images, fake], training=True)
            l1 = ops.mean(ops.abs(ab_images - fake))
            g_loss = self._adversarial(fake_logits) + self.l1_weight * l1
            if self.generator.losses:
                g_loss = g_loss + ops.sum(self.generator.losses)
        g_vars = self.generator.trainable_variables
        self.generator_optimizer.apply(tape.gradient(g_loss, g_vars), g_vars)
        self.optimizer.iterations.assign_add(1)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.l1_tracker.update_state(l1)
        return {m.name: m.result() for m in self.metrics}

    def _jax_train_step(self, state, data):
        import jax  # backend-specific autodiff

        trainable, non_trainable, optimizer_vars, metrics_vars = state
        l_images, ab_images = self._unpack(data)

        def split(model_vars, all_model_vars):
            index = {id(v): i for i, v in enumerate(all_model_vars)}
            return [index[id(v)] for v in model_vars]

        g_t = split(self.generator.trainable_variables, self.trainable_variables)
        d_t = split(self.discriminator.trainable_variables, self.trainable_variables)
        g_n = split(self.generator.non_trainable_variables, self.non_trainable_variables)
        d_n = split(self.discriminator.non_trainable_variables, self.non_trainable_variables)
        g_train = [trainable[i] for i in g_t]
        d_train = [trainable[i] for i in d_t]
        g_nontrain = [non_trainable[i] for i in g_n]
        d_nontrain = [non_trainable[i] for i in d_n]

        n_own = len(self.optimizer.own_variables)
        n_g = len(self.generator_optimizer.variables)
        own_opt = list(optimizer_vars[:n_own])
        g_opt_vars = list(optimizer_vars[n_own : n_own + n_g])
        d_opt_vars = list(optimizer_vars[n_own + n_g :])

        # 1. Discriminator step.
        fake, g_nontrain = self.generator.stateless_call(
            g_train, g_nontrain, l_images, training=True
        )
        fake = jax.lax.stop_gradient(fake)

        def d_loss_fn(d_train, d_nontrain):
            real_logits, d_nontrain = self.discriminator.stateless_call(
                d_train, d_nontrain, [l_images, ab_images], training=True
            )
            fake_logits, d_nontrain = self.discriminator.stateless_call(
                d_train, d_nontrain, [l_images, fake], training=True
            )
            return self._discriminator_loss(real_logits, fake_logits), d_nontrain

        (d_loss, d_nontrain), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
            d_train, d_nontrain
        )
        d_train, d_opt_vars = self.discriminator_optimizer.stateless_apply(
            d_opt_vars, d_grads, d_train
        )

        # 2. Generator step, against the updated discriminator.
        def g_loss_fn(g_train, g_nontrain, d_nontrain):
            fake, g_nontrain, g_losses = self.generator.stateless_call(
                g_train, g_nontrain, l_images, training=True, return_losses=True
            )
            fake_logits, d_nontrain = self.discriminator.stateless_call(
                d_train, d_nontrain, [l_images, fake], training=True
            )
            l1 = ops.mean(ops.abs(ab_images - fake))
            g_loss = self._adversarial(fake_logits) + self.l1_weight * l1
            if g_losses:
                g_loss = g_loss + ops.sum(ops.stack(g_losses))
            return g_loss, (g_nontrain, d_nontrain, l1)

        (g_loss, (g_nontrain, d_nontrain, l1)), g_grads = jax.value_and_grad(
            g_loss_fn, has_aux=True
        )(g_train, g_nontrain, d_nontrain)
        g_train, g_opt_vars = self.generator_optimizer.stateless_apply(
            g_opt_vars, g_grads, g_train
        )
        iterations = self.optimizer.own_variables.index(self.optimizer.iterations)
        own_opt[iterations] = own_opt[iterations] + 1

        trainable = list(trainable)
        non_trainable = list(non_trainable)
        for i, v in zip(g_t, g_train):
            trainable[i] = v
        for i, v in zip(d_t, d_train):
            trainable[i] = v
        for i, v in zip(g_n, g_nontrain):
            non_trainable[i] = v
        for i, v in zip(d_n, d_nontrain):
            non_trainable[i] = v

        logs = {}
        new_metrics_vars = []
        offset = 0
        for metric, value in zip(self.metrics, (d_loss, g_loss, l1)):
            count = len(metric.variables)
            this = metric.stateless_update_state(metrics_vars[offset : offset + count], value)
            logs[metric.name] = metric.stateless_result(this)
            new_metrics_vars += this
            offset += count
        state = (
            trainable,
            non_trainable,
            own_opt + list(g_opt_vars) + list(d_opt_vars),
            new_metrics_vars,
        )
        return logs, state

    def test_step(self, *args):
        raise NotImplementedError(
            "`ConditionalGAN` has no validation step; evaluate its generator "
            "instead: `gan.generator.compile(loss=...)` then "
            "`gan.generator.evaluate(...)`."
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "l1_weight": self.l1_weight,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserializing consumes nested dicts
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
