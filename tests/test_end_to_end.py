"""One path end to end: real photo folder -> fit -> colorize at full resolution."""

import numpy as np
import pytest

from keras_colorize import colorize
from keras_colorize import data
from keras_colorize import models


@pytest.mark.large
def test_unet_fit_on_real_photos_then_colorize(shared_data):
    train = data.from_directory(
        shared_data / "train", image_size=64, batch_size=32, subset="training", validation_split=0.05
    )
    val = data.from_directory(
        shared_data / "train", image_size=64, batch_size=32, subset="validation", validation_split=0.05
    )
    model = models.unet(input_size=64, depth=3, base_filters=16)
    model.compile(optimizer="adam", loss="mae")
    before = model.evaluate(val.take(4), verbose=0)
    history = model.fit(train, validation_data=val.take(4), steps_per_epoch=60, epochs=1, verbose=0,
                        shuffle=False)
    assert history.history["val_loss"][-1] < before

    photo_path = sorted((shared_data / "dev").glob("*.jpg"))[0]
    photo = (data.read_image(photo_path) * 255).round().astype(np.uint8)
    out = colorize(photo_path, model=model)
    assert out.shape == photo.shape and out.dtype == np.uint8
