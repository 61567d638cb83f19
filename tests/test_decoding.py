"""One decoder of photo files (`keras_colorize.decoding`) for the API, the CLI and the page.

Issue 19, point 5: `colorize(path)` and `colorize(np.asarray(PIL.Image.open(path)))`
differed by up to 21 uint8 units (TensorFlow's fast DCT). Every file is now read by
`decoding.read_file`, whose JPEG pixels are Pillow's, to the last bit, on real photos.
"""

import pathlib

import numpy as np
import pytest
import skimage
from PIL import Image
from PIL import ImageOps

from keras_colorize import colorize
from keras_colorize import data
from keras_colorize import decoding
from tests.conftest import SHARED_DATA
from tests.test_inference import constant_model

SKIMAGE_JPEGS = sorted(pathlib.Path(skimage.__file__).parent.glob("data/*.jpg"))
DEV = SHARED_DATA / "dev"


def pillow_pixels(path):
    """What a user gets from Pillow: upright uint8 RGB."""
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def dev_photos():
    if not DEV.is_dir():
        pytest.skip(f"real-photo folder {DEV} is absent")
    return sorted(DEV.glob("*.jpg"))


def test_scikit_image_ships_jpeg_photos():
    assert {path.name for path in SKIMAGE_JPEGS} >= {"rocket.jpg", "retina.jpg"}


@pytest.mark.parametrize("path", SKIMAGE_JPEGS, ids=lambda path: path.name)
def test_bundled_jpegs_decode_to_pillows_pixels(path):
    np.testing.assert_array_equal(data.read_image(path), pillow_pixels(path) / np.float32(255))


def test_every_dev_photo_decodes_to_pillows_pixels():
    paths = dev_photos()
    assert len(paths) >= 20
    for path in paths:
        expected = pillow_pixels(path) / np.float32(255)
        np.testing.assert_array_equal(data.read_image(path), expected, err_msg=str(path))
        np.testing.assert_array_equal(decoding.decode_bytes(path.read_bytes()), expected, err_msg=str(path))


@pytest.mark.tensorflow_only
def test_colorize_of_a_file_and_of_its_pillow_array_are_equal():
    """Max difference 0 on real JPEGs, and through the page's decoder too."""
    pytest.importorskip("flask")
    from keras_colorize import serve

    paths = SKIMAGE_JPEGS + sorted(DEV.glob("*.jpg"))[::92]  # 3 dev photos where present
    model = constant_model(ab=(0.2, -0.1))
    for path in paths:
        pillow = pillow_pixels(path)
        from_file = colorize(path, model=model, render_size=32)
        np.testing.assert_array_equal(from_file, colorize(pillow, model=model, render_size=32), str(path))
        page = serve.decode_upload(path.read_bytes())
        np.testing.assert_array_equal(colorize(page, model=model, render_size=32), from_file, str(path))

