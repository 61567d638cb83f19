"""Parameter counts against the figures printed in the reports."""

import keras
import pytest

from keras_colorize import models


def _count(builder, **kwargs):
    """`count_params()` of a model built in a `StatelessScope` that leaves its
    variables uninitialized (shapes only), so large models cost nothing; the
    session is then cleared so that nobody initializes them later."""
    try:
        with keras.StatelessScope(initialize_variables=False):
            return builder(**kwargs).count_params()
    finally:
        keras.utils.clear_session()


def _within(count, target, tolerance=0.05):
    return abs(count - target) <= tolerance * target


def test_six_conv_rgb_exact():
    # Report 003's layer list: 640 + 73,856 + 295,168 + 295,040 + 73,792 + 1,731.
    assert _count(models.six_conv_rgb, input_size=32) == 740_227


@pytest.mark.parametrize("output", ["rgb", "ab"])
def test_baseline_cnn_4_3_m(output):
    count = _count(models.baseline_cnn, input_size=96, output=output)
    assert _within(count, 4.3e6), count


def test_unet_rgb_preset_4_5_m():
    preset = models.UNET_PRESETS["report004_rgb"]
    assert preset["input_size"] == 96 and preset["depth"] == 4 and preset["output"] == "rgb"
    count = _count(models.unet, **preset)
    assert _within(count, 4.5e6), count


def test_unet_lab_preset_20_5_m():
    preset = models.UNET_PRESETS["report004_lab"]
    assert preset["input_size"] == 512 and preset["depth"] > 4 and preset["output"] == "ab"
    count = _count(models.unet, **preset)
    assert _within(count, 20.5e6), count


def test_unet_classifier_20_5_m():
    # Report 004's classification U-Net: the Lab body with a 676-bin head.
    preset = dict(models.UNET_PRESETS["report004_lab"])
    del preset["output"]
    count = _count(models.unet_classifier, **preset)
    assert _within(count, 20.5e6), count


def test_resnet18_unet_about_15_m():
    count = _count(models.resnet18_unet, input_size=64)
    assert _within(count, 15e6), count


def test_resnet18_encoder_is_resnet18():
    # torchvision resnet18 without its fc layer has 11,176,512 parameters;
    # the 1-channel stem drops 2 · 7·7·64 of them and Keras also counts the
    # BatchNorm moving mean and variance (2 × 4,800).
    assert _count(models.resnet18_encoder, input_size=64) == 11_176_512 - 2 * 7 * 7 * 64 + 2 * 4_800
