"""`vae`: the convolutional VAE colorizer of report 000 (its Table 1)."""

import keras

from keras_colorize.layers.reparameterization import Reparameterization
from keras_colorize.models._utils import check_input_size
from keras_colorize.models._utils import check_positive_int

# Encoder stages of Table 1: (filters, stride) per 3×3 conv; a Dropout2d
# closes stages 1-3. Decoder groups: (filters, stride) per 3×3 ConvT.
ENCODER_STAGES = (
    ((64, 2), (128, 1)),
    ((128, 2), (256, 1)),
    ((256, 2), (512, 1), (512, 1)),
    ((256, 1),),
)
DROPOUT_STAGES = (1, 2, 3)
DECODER_GROUPS = (((128, 2), (64, 2)), ((32, 1), (16, 1)))
TOTAL_STRIDE = 8
# nn.LeakyReLU's default slope (Keras' default is 0.3).
NEGATIVE_SLOPE = 0.01


def _check_args(input_size, latent_dim, kl_weight, dropout, builder):
    check_input_size(input_size, TOTAL_STRIDE, builder)
    check_positive_int(latent_dim, "latent_dim")
    if kl_weight < 0:
        raise ValueError(f"`kl_weight` must be >= 0. Received: kl_weight={kl_weight}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout}")


def _encoder_features(inputs, dropout, residual):
    """Runs the four encoder stages; returns the output of each stage."""
    x = inputs
    features = []
    for i, stage in enumerate(ENCODER_STAGES, start=1):
        block_input = x
        for j, (filters, stride) in enumerate(stage, start=1):
            x = keras.layers.Conv2D(
                filters, 3, strides=stride, padding="same", name=f"encoder{i}_conv{j}"
            )(x)
            if residual and j == len(stage):
                shortcut = keras.layers.Conv2D(
                    filters,
                    1,
                    strides=_stage_stride(stage),
                    name=f"encoder{i}_projection",
                )(block_input)
                x = keras.layers.Add(name=f"encoder{i}_add")([x, shortcut])
            x = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"encoder{i}_lrelu{j}")(x)
        if i in DROPOUT_STAGES:
            x = keras.layers.SpatialDropout2D(dropout, name=f"encoder{i}_dropout")(x)
        features.append(x)
    return features


def _stage_stride(stage):
    stride = 1
    for _, s in stage:
        stride *= s
    return stride


def _latent_stats(x, latent_dim, dropout):
    """Global average pool, Dropout, 1×1 conv to (mean, log-variance)."""
    x = keras.layers.GlobalAveragePooling2D(keepdims=True, name="latent_pool")(x)
    x = keras.layers.Dropout(dropout, name="latent_dropout")(x)
    x = keras.layers.Conv2D(2 * latent_dim, 1, name="latent_conv")(x)
    return keras.layers.Flatten(name="latent_flatten")(x)


def _decoder_output(z, input_size, skips, residual):
    """Linear to 256·(S/8)², the transposed convs, tanh. `skips` maps a
    decoder group index (1-based, after its first ConvT) to an encoder
    feature map concatenated there (the U-Net variant)."""
    side = input_size // TOTAL_STRIDE
    x = keras.layers.Dense(256 * side * side, name="decoder_linear")(z)
    x = keras.layers.Reshape((side, side, 256), name="decoder_reshape")(x)
    for i, group in enumerate(DECODER_GROUPS, start=1):
        block_input = x
        for j, (filters, stride) in enumerate(group, start=1):
            x = keras.layers.Conv2DTranspose(
                filters, 3, strides=stride, padding="same", name=f"decoder{i}_convt{j}"
            )(x)
            if residual and j == len(group):
                shortcut = keras.layers.Conv2DTranspose(
                    filters,
                    1,
                    strides=_stage_stride(group),
                    name=f"decoder{i}_projection",
                )(block_input)
                x = keras.layers.Add(name=f"decoder{i}_add")([x, shortcut])
            x = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"decoder{i}_lrelu{j}")(x)
            if (i, j) in skips:
                x = keras.layers.Concatenate(name=f"decoder{i}_skip{j}")(
                    [x, skips[(i, j)]]
                )
    x = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same", name="head_convt")(x)
    return keras.layers.Activation("tanh", name="ab_tanh")(x)


def vae(input_size=224, latent_dim=128, kl_weight=1.0, dropout=0.2, name="vae"):
    """Convolutional VAE colorizer of report 000, layer for layer as its Table 1.

    L/100 goes through four strided-conv stages (LeakyReLU, slope 0.01;
    `SpatialDropout2D` = PyTorch's Dropout2d after stages 1-3) to
    256 × S/8 × S/8, a global average pool, Dropout and a 1×1 conv to the
    latent mean and log-variance. A `Reparameterization` layer samples the
    latent code in training (mean at inference, so decoding is
    deterministic) and adds `kl_weight · KL` to the model losses. A Linear
    layer to 256·(S/8)² and five transposed convs (256→128→64→32→16→2) with
    tanh give ab/128.

    The model nests two sub-models: `model.get_layer("encoder")` maps L/100
    to the `2 * latent_dim` statistics (mean, log-variance) and
    `model.get_layer("decoder")` maps a latent code to ab/128.

    Parameters at default settings (224², latent 128): 32,176,018 (the
    Linear layer alone holds 25.9 M of them; it grows with S²).

    Args:
        input_size: side S of the square input; a multiple of 8.
        latent_dim: size of the latent code.
        kl_weight: weight of the KL divergence added to the loss.
        dropout: rate of the Dropout2d and Dropout layers (0.2 in the report).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, S, S, 1)` L/100 to `(batch, S, S, 2)`
        ab/128 in [-1, 1].

    Example:

    >>> model = vae(input_size=32, latent_dim=16)
    >>> model(np.zeros((1, 32, 32, 1), "float32")).shape
    (1, 32, 32, 2)

    Reference:
        Report 000, §3 and Table 1.
    """
    _check_args(input_size, latent_dim, kl_weight, dropout, "vae")
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    stats = _latent_stats(_encoder_features(inputs, dropout, False)[-1], latent_dim, dropout)
    encoder = keras.Model(inputs, stats, name="encoder")

    z_input = keras.Input((latent_dim,), name="z_input")
    decoder = keras.Model(z_input, _decoder_output(z_input, input_size, {}, False), name="decoder")

    model_inputs = keras.Input((input_size, input_size, 1), name="l_input")
    z = Reparameterization(kl_weight=kl_weight, name="latent_sampling")(
        encoder(model_inputs)
    )
    return keras.Model(model_inputs, decoder(z), name=name)


def _flat_vae(input_size, latent_dim, kl_weight, dropout, name, unet, residual):
    """One flat model for the §6.2 variants (skips cross encoder/decoder)."""
    inputs = keras.Input((input_size, input_size, 1), name="l_input")
    features = _encoder_features(inputs, dropout, residual)
    stats = _latent_stats(features[-1], latent_dim, dropout)
    z = Reparameterization(kl_weight=kl_weight, name="latent_sampling")(stats)
    # U-Net skips: S/4 features after decoder1_convt1, S/2 after decoder1_convt2.
    skips = {(1, 1): features[1], (1, 2): features[0]} if unet else {}
    outputs = _decoder_output(z, input_size, skips, residual)
    return keras.Model(inputs, outputs, name=name)
