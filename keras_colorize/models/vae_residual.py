"""`vae_residual`: report 000's VAE with residual blocks (its §6.2)."""

from keras_colorize.models.vae import _check_args
from keras_colorize.models.vae import _flat_vae


def vae_residual(
    input_size=224, latent_dim=128, kl_weight=1.0, dropout=0.2, name="vae_residual"
):
    """`vae` (same arguments and output) with every block made residual (report 000, §6.2).

    Each of the four encoder stages and the two decoder groups adds a 1×1
    projection of its input (strided or transposed where the resolution
    changes) before its last activation. The report found this variant
    diverged at once; it is here so that the experiment can be repeated.
    32,489,698 parameters at 224², latent 128.
    """
    _check_args(input_size, latent_dim, kl_weight, dropout, "vae_residual")
    return _flat_vae(input_size, latent_dim, kl_weight, dropout, name, unet=False, residual=True)
