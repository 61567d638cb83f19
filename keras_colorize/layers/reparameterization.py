"""`Reparameterization`: the VAE sampling step, with its KL term as a loss."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_colorize")
class Reparameterization(keras.layers.Layer):
    """Samples `z = mean + exp(log_var / 2) * eps` and adds the KL loss.

    The input holds the latent mean and log-variance side by side, as the
    1×1 convolution of report 000 (Table 1) produces them. In training the
    layer draws `eps ~ N(0, 1)`; at inference (`training=False`) it returns
    the mean, so decoding is deterministic. Every call adds
    `kl_weight * KL(q(z|x) || N(0, I))` (summed over latent units, averaged
    over the batch) to the model losses with `self.add_loss`, so a plain
    `fit` minimizes it beside the compiled loss.

    Args:
        kl_weight: weight of the KL divergence in the total loss. `0.0`
            turns the model into a plain (noisy) autoencoder.
        seed: optional int seed of the noise.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `(batch, 2 * latent_dim)`: mean, then log-variance.

    Output shape:
        `(batch, latent_dim)`.

    Example:

    >>> layer = Reparameterization(kl_weight=0.5)
    >>> layer(np.zeros((2, 8), "float32")).shape
    (2, 4)

    Reference:
        Kingma and Welling, "Auto-Encoding Variational Bayes", ICLR 2014.
    """

    def __init__(self, kl_weight=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if kl_weight < 0:
            raise ValueError(
                f"`kl_weight` must be >= 0. Received: kl_weight={kl_weight}"
            )
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        if input_shape[-1] is None or input_shape[-1] % 2:
            raise ValueError(
                "`Reparameterization` needs an even last axis (mean and "
                f"log-variance side by side). Received: shape={input_shape}"
            )

    def call(self, inputs, training=None):
        mean, log_var = ops.split(inputs, 2, axis=-1)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] // 2,)

    def get_config(self):
        config = super().get_config()
        config.update({"kl_weight": self.kl_weight, "seed": self.seed})
        return config
