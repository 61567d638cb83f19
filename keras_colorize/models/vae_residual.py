"""`vae_residual`: report 000's VAE with residual blocks (its §6.2)."""

from keras_colorize.models.vae import _check_args
from keras_colorize.models.vae import _flat_vae


def vae_residual(
    input_size=224, latent_dim=128, kl_weight=1.0, dropout=0.2, name="vae_residual"
):
    """The report 000 VAE with residual blocks and projection shortcuts (§6.2).

    Same layers as `vae` (Table 1), with every block made residual: each of
    the four encoder stages and the two decoder groups
    (ConvT 256→128→64 and ConvT 64→32→16) adds a 1×1 projection of its
    input (strided or transposed where the resolution changes) before its
    last activation. The report found this variant diverged at once in its
    training; it is here so that the experiment can be repeated.

    Parameters at default settings (224², latent 128): 32,489,698.

    Args:
        input_size: side S of the square input; a multiple of 8.
        latent_dim: size of the latent code.
        kl_weight: weight of the KL divergence added to the loss.
        dropout: rate of the Dropout2d and Dropout layers.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 2)`
        ab/128 in [-1, 1] (the mean code at inference).

    Example:

    >>> model = vae_residual(input_size=32, latent_dim=16)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 2)

    Reference:
        Report 000, §6.2 "Points of failures".
    """
    _check_args(input_size, latent_dim, kl_weight, dropout, "vae_residual")
    return _flat_vae(input_size, latent_dim, kl_weight, dropout, name, unet=False, residual=True)
