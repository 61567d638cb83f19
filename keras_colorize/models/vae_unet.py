"""`vae_unet`: report 000's VAE with U-Net skip connections (its §6.2)."""

from keras_colorize.models.vae import _check_args
from keras_colorize.models.vae import _flat_vae


def vae_unet(input_size=224, latent_dim=128, kl_weight=1.0, dropout=0.2, name="vae_unet"):
    """`vae` (same arguments and output) with two U-Net skip links (report 000, §6.2).

    The S/4 encoder features (stage 2, 256 channels) are concatenated after
    the first transposed conv and the S/2 features (stage 1, 128 channels)
    after the second. The report found the model did not learn to use the
    skips well; it is here so that the experiment can be repeated.
    32,360,338 parameters at 224², latent 128.
    """
    _check_args(input_size, latent_dim, kl_weight, dropout, "vae_unet")
    return _flat_vae(input_size, latent_dim, kl_weight, dropout, name, unet=True, residual=False)
