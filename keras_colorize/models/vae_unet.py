"""`vae_unet`: report 000's VAE with U-Net skip connections (its §6.2)."""

from keras_colorize.models.vae import _check_args
from keras_colorize.models.vae import _flat_vae


def vae_unet(input_size=224, latent_dim=128, kl_weight=1.0, dropout=0.2, name="vae_unet"):
    """The report 000 VAE with U-Net skip connections (variant of its §6.2).

    Same layers as `vae` (Table 1), plus two skip links: the S/4 encoder
    features (stage 2, 256 channels) are concatenated after the first
    transposed conv and the S/2 features (stage 1, 128 channels) after the
    second, so the decoder sees encoder detail beside the latent code.
    The report tried this and found the model did not learn to use the
    skips well; it is here so that the experiment can be repeated.

    Parameters at default settings (224², latent 128): 32,360,338.

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

    >>> model = vae_unet(input_size=32, latent_dim=16)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 2)

    Reference:
        Report 000, §6.2 "Points of failures".
    """
    _check_args(input_size, latent_dim, kl_weight, dropout, "vae_unet")
    return _flat_vae(input_size, latent_dim, kl_weight, dropout, name, unet=True, residual=False)
