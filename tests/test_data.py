"""tf.data pipelines on real photos and on messy folders."""

import io
import os
import pathlib
import sys

import numpy as np
import pytest
import skimage.color
from PIL import Image
from PIL import ImageOps

from keras_colorize import data
from keras_colorize.data import files
from tests.helpers import run_unprivileged


def save(image, path, **kwargs):
    Image.fromarray(image).save(path, **kwargs)
    return str(path)


@pytest.fixture()
def photo_folder(tmp_path, photos):
    """Four real photos in four formats, one in a sub-folder."""
    save(photos["astronaut"], tmp_path / "astronaut.jpg", quality=95)
    save(photos["coffee"], tmp_path / "coffee.png")
    save(photos["chelsea"], tmp_path / "chelsea.bmp")
    (tmp_path / "more").mkdir()
    save(photos["rocket"], tmp_path / "more" / "rocket.JPEG", quality=95)
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def batches(ds):
    return [(x.numpy(), y.numpy()) for x, y in ds]


def test_from_directory_yields_lab_batches(photo_folder):
    ds = data.from_directory(photo_folder, image_size=32, batch_size=3, training=False)
    got = batches(ds)
    assert [x.shape for x, _ in got] == [(3, 32, 32, 1), (1, 32, 32, 1)]
    assert [y.shape for _, y in got] == [(3, 32, 32, 2), (1, 32, 32, 2)]
    x = np.concatenate([x for x, _ in got])
    y = np.concatenate([y for _, y in got])
    assert x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    assert -1.0 <= y.min() < -0.05 and 0.05 < y.max() <= 1.0  # real color, not grey
    assert ds.skipped == []


def test_lab_values_match_skimage_on_a_centre_crop(tmp_path, photos):
    path = save(photos["coffee"], tmp_path / "coffee.png")
    h, w = photos["coffee"].shape[:2]
    ds = data.from_files([path], image_size=h, batch_size=1, resize="crop")
    x, y = next(iter(ds))
    offset = (w - h) // 2
    reference = skimage.color.rgb2lab(photos["coffee"][:, offset : offset + h])
    np.testing.assert_allclose(x.numpy()[0, ..., 0] * 100, reference[..., 0], atol=0.05)
    np.testing.assert_allclose(y.numpy()[0] * 128, reference[..., 1:], atol=0.05)


def test_rgb_color_space_gives_gray_and_rgb(photo_folder):
    ds = data.from_directory(photo_folder, image_size=16, batch_size=4, color_space="rgb")
    x, y = next(iter(ds))
    assert x.shape == (4, 16, 16, 1) and y.shape == (4, 16, 16, 3)
    lab = skimage.color.rgb2lab(y.numpy().astype("float64"))
    np.testing.assert_allclose(x.numpy()[..., 0] * 100, lab[..., 0], atol=0.05)


def test_bad_files_are_skipped_and_reported(tmp_path, photos):
    good = save(photos["chelsea"], tmp_path / "good.jpg")
    jpeg = (tmp_path / "good.jpg").read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "random.jpg").write_bytes(np.random.default_rng(0).bytes(5000))
    (tmp_path / "text.png").write_text("hello")
    save(photos["coffee"], tmp_path / "ok.png")
    png = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(png[: len(png) // 3])
    with pytest.warns(UserWarning, match="Skipped 5 unreadable") as record:
        ds = data.from_directory(tmp_path, image_size=16, batch_size=8)
    message = str(record[0].message)
    for name in ("truncated.jpg", "empty.jpg", "random.jpg", "text.png", "cut.png"):
        assert name in message
    assert sorted(os.path.basename(p) for p, _ in ds.skipped) == [
        "cut.png", "empty.jpg", "random.jpg", "text.png", "truncated.jpg"
    ]
    x, _ = next(iter(ds))
    assert x.shape[0] == 2


def test_odd_formats_are_read(tmp_path, photos):
    rgb = photos["astronaut"][::8, ::8]
    gray = (skimage.color.rgb2gray(rgb) * 255).astype("uint8")
    paths = [
        save(np.dstack([rgb, np.full(rgb.shape[:2], 128, "uint8")]), tmp_path / "alpha.png"),
        save(gray, tmp_path / "gray.jpg"),
        save(rgb, tmp_path / "first.gif"),
    ]
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE).save(tmp_path / "palette.png")
    Image.fromarray((rgb.astype("uint16") * 257)[..., 0]).save(tmp_path / "gray16.png")
    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "cmyk.jpg")
    paths += [str(tmp_path / n) for n in ("palette.png", "gray16.png", "cmyk.jpg")]
    ds = data.from_files(paths, image_size=32, batch_size=len(paths))
    x, y = next(iter(ds))
    assert x.shape[0] == len(paths) and ds.skipped == []
    ab = np.abs(y.numpy()).reshape(len(paths), -1).max(-1)
    names = [os.path.basename(p) for p in paths]
    # Gray files give no color; color files (whatever the format) do.
    for name, value in zip(names, ab):
        assert (value < 0.01) == name.startswith("gray"), (name, value)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(tmp_path, photos, orientation):
    image = photos["rocket"][::4, ::6]  # not square, so a turn shows
    exif = Image.Exif()
    exif[files.EXIF_ORIENTATION] = orientation
    path = tmp_path / f"o{orientation}.png"
    Image.fromarray(image).save(path, exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))
    got = data.read_image(path)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got * 255, expected, atol=0.51)


def test_read_image_rejects_bad_files_by_name(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(ValueError, match="broken.jpg"):
        data.read_image(path)


def test_splits_are_deterministic_disjoint_and_sized():
    paths = [f"photos/img_{i:05d}.jpg" for i in range(5000)]
    subsets = {
        s: data.split_files(paths, s, validation_split=0.16, test_split=0.04, seed=7)
        for s in ("training", "validation", "test")
    }
    assert sum(len(v) for v in subsets.values()) == 5000
    assert not set(subsets["training"]) & set(subsets["validation"])
    assert not set(subsets["validation"]) & set(subsets["test"])
    for subset, fraction in (("training", 0.8), ("validation", 0.16), ("test", 0.04)):
        assert abs(len(subsets[subset]) / 5000 - fraction) < 0.02
    # Adding files does not move the old ones; another folder prefix neither.
    more = data.split_files(paths + ["photos/new.jpg"], "test", 0.16, 0.04, seed=7)
    assert set(subsets["test"]) <= set(more)
    moved = [p.replace("photos/", "elsewhere/") for p in paths]
    assert len(data.split_files(moved, "test", 0.16, 0.04, seed=7)) == len(subsets["test"])
    assert data.split_files(paths, "test", 0.16, 0.04, seed=8) != subsets["test"]


def test_saturation_filter_drops_grey_photos(tmp_path, photos):
    color = save(photos["coffee"], tmp_path / "color.png")
    gray = save((skimage.color.rgb2gray(photos["coffee"]) * 255).astype("uint8"), tmp_path / "gray.png")
    ds = data.from_files([color, gray], image_size=16, batch_size=4, min_saturation=data.DEFAULT_MIN_SATURATION)
    assert sum(x.shape[0] for x, _ in ds) == 1


def test_augment_and_random_crop_change_the_batches(photo_folder):
    ds = data.from_directory(photo_folder, image_size=32, batch_size=4, augment=True, seed=3, training=True)
    first, second = batches(ds), batches(ds)
    assert not np.allclose(first[0][0], second[0][0])


def test_augment_gives_the_eight_symmetries_of_each_crop(tmp_path, photos):
    path = save(photos["chelsea"], tmp_path / "chelsea.png")
    kwargs = dict(image_size=24, batch_size=8, resize="resize", seed=5)
    plain = next(iter(data.from_files([path] * 8, **kwargs)))[0].numpy()[0, ..., 0]
    symmetries = [np.rot90(image, k) for image in (plain, plain[:, ::-1]) for k in range(4)]
    augmented = data.from_files([path] * 8, augment=True, **kwargs)
    seen = set()
    for _ in range(3):
        for image in next(iter(augmented))[0].numpy()[..., 0]:
            matches = [i for i, s in enumerate(symmetries) if np.allclose(image, s, atol=1e-6)]
            assert len(matches) == 1
            seen.add(matches[0])
    assert len(seen) >= 6  # 24 draws: flips and all four turns show up


def test_cache_gives_the_same_batches(photo_folder, tmp_path):
    kwargs = dict(image_size=24, batch_size=4, training=False)
    plain = batches(data.from_directory(photo_folder, **kwargs))
    cached = data.from_directory(photo_folder, cache=True, **kwargs)
    for run in (batches(cached), batches(cached)):
        np.testing.assert_allclose(run[0][0], plain[0][0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image_size=0), "image_size=0"),
        (dict(image_size=(32, 4)), r"image_size=\(32, 4\)"),
        (dict(image_size="64"), "image_size='64'"),
        (dict(batch_size=-1), "batch_size=-1"),
        (dict(color_space="hsv"), "hsv"),
        (dict(resize="squash"), "squash"),
        (dict(min_saturation=20), "min_saturation=20"),
        (dict(subset="train", validation_split=0.2), "'train'"),
        (dict(subset="validation"), "validation_split"),
    ],
)
def test_bad_arguments_raise(photo_folder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.from_directory(photo_folder, **kwargs)


def test_empty_directory_raises_naming_it(tmp_path):
    with pytest.raises(ValueError, match=str(tmp_path)):
        data.from_directory(tmp_path)


def test_pad_and_resize_modes_keep_all_of_the_photo(tmp_path, photos):
    path = save(photos["rocket"], tmp_path / "rocket.png")  # 427 x 640
    x_pad, _ = next(iter(data.from_files([path], image_size=32, batch_size=1, resize="pad")))
    rows = x_pad.numpy()[0, :, :, 0].max(axis=1)
    assert rows[0] == 0 and rows[-1] == 0 and rows[16] > 0  # padded top and bottom
    x_resize, _ = next(iter(data.from_files([path], image_size=32, batch_size=1, resize="resize")))
    assert x_resize.numpy()[0, 0, :, 0].max() > 0


def test_large_jpegs_decode_at_a_reduced_dct_scale_with_the_same_pixels(tmp_path, photos):
    from keras_colorize.data import dataset

    import tensorflow as tf

    big = np.asarray(Image.fromarray(photos["astronaut"]).resize((1024, 768), Image.LANCZOS))
    path = save(big, tmp_path / "big.jpg", quality=95)
    contents = tf.io.read_file(path)
    # The smallest of the scales 1, 1/2, 1/4, 1/8 that keeps the short side >= 100 is 1/4; 96 is 1/8.
    assert dataset.decode_image(contents, min_short_side=100).shape == (192, 256, 3)
    assert dataset.decode_image(contents, min_short_side=96).shape == (96, 128, 3)
    assert dataset.decode_image(contents, min_short_side=769).shape == (768, 1024, 3)
    png = save(photos["coffee"], tmp_path / "coffee.png")  # not a JPEG: in full
    assert dataset.decode_image(tf.io.read_file(png), min_short_side=50).shape == photos["coffee"].shape
    # The batches match decoding every pixel and area-shrinking afterwards to
    # well under a just-noticeable difference (ΔE ≈ 2.3): mean |ΔL|, |Δa|, |Δb|
    # below 1, as close as two ordinary downscalers (area, antialiased bilinear).
    x, y = next(iter(data.from_files([path], image_size=96, batch_size=1)))
    ours = np.concatenate([x.numpy()[0] * 100, y.numpy()[0] * 128], axis=-1)
    full = dataset.decode_image(contents)
    area = tf.image.resize(full, (96, 128), method="area").numpy()[:, 16:112]
    bilinear = tf.image.resize(full, (96, 128), antialias=True).numpy()[:, 16:112]
    reference = skimage.color.rgb2lab(area)
    ours_error = np.abs(ours - reference).mean(axis=(0, 1))
    bilinear_error = np.abs(skimage.color.rgb2lab(bilinear) - reference).mean(axis=(0, 1))
    assert np.all(ours_error < 1.0) and np.all(bilinear_error < 1.0), (ours_error, bilinear_error)


def test_real_photo_folder(shared_data):
    train = data.from_directory(shared_data / "train", image_size=64, batch_size=16, subset="training", validation_split=0.2)
    val = data.from_directory(shared_data / "train", image_size=64, batch_size=16, subset="validation", validation_split=0.2)
    x, y = next(iter(train))
    assert x.shape == (16, 64, 64, 1) and y.shape == (16, 64, 64, 2)
    assert np.abs(y.numpy()).mean() > 0.02
    assert train.skipped == [] and val.skipped == []


LIST_UNREADABLE = """
import json, sys, warnings
from keras_colorize.data import files, from_directory
root = sys.argv[1]
errors = []
found = {"listed": files.list_images(root, errors=errors), "errors": errors, "plain": files.list_images(root)}
try:
    files.list_images(root + "/locked")
except ValueError as error:
    found["top"] = str(error)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ds = from_directory(root, image_size=16, batch_size=4, training=False)
found["skipped"] = ds.skipped
found["warned"] = " ".join(str(w.message) for w in caught)
print(json.dumps(found))
"""


def test_unreadable_folders_are_listed_not_skipped_silently(tmp_path, photos):
    import json

    save(photos["coffee"][::8, ::8], tmp_path / "a.png")
    (tmp_path / "locked").mkdir()
    save(photos["rocket"][::8, ::8], tmp_path / "locked" / "b.png")
    (tmp_path / "locked").chmod(0)
    try:
        result = run_unprivileged([sys.executable, "-c", LIST_UNREADABLE, tmp_path],
                                  env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout.splitlines()[-1])
    finally:
        (tmp_path / "locked").chmod(0o755)
    locked = str(tmp_path / "locked")
    assert found["listed"] == [str(tmp_path / "a.png")]
    assert [folder for folder, _ in found["errors"]] == [locked]
    assert found["errors"][0][1].startswith("PermissionError: ")
    assert found["plain"] == [str(tmp_path / "a.png"), locked]  # the reader reports it as bad
    assert "PermissionError" in found["top"] and repr(locked) in found["top"]
    assert [path for path, _ in found["skipped"]] == [locked] and locked in found["warned"]


# --------------------------------------------------------------------------
# Keras conventions: subset="both", image_size=(h, w), a known length.


def short_png(image):
    """A PNG whose header promises twice the rows its data holds: it passes
    the header and tail checks but TensorFlow cannot decode it."""
    import struct
    import zlib

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    contents = bytearray(buffer.getvalue())
    height = struct.unpack(">I", contents[20:24])[0]
    contents[20:24] = struct.pack(">I", 2 * height)
    contents[29:33] = struct.pack(">I", zlib.crc32(bytes(contents[12:29])))
    return bytes(contents)


def test_subset_both_gives_the_training_and_validation_datasets(photo_folder):
    kwargs = dict(image_size=16, batch_size=8, validation_split=0.5, seed=1337)
    train, val = data.from_directory(photo_folder, subset="both", augment=True, **kwargs)
    alone = {s: data.from_directory(photo_folder, subset=s, **kwargs) for s in ("training", "validation")}
    assert len(train) == len(alone["training"]) and len(val) == len(alone["validation"])
    assert sum(x.shape[0] for x, _ in train) + sum(x.shape[0] for x, _ in val) == 4
    # The validation half is neither augmented nor cropped at random: the same as asking for it alone.
    np.testing.assert_array_equal(batches(val)[0][0], batches(alone["validation"])[0][0])
    with pytest.raises(ValueError, match="validation_split=0.0"):
        data.from_directory(photo_folder, subset="both")


def test_image_size_takes_height_and_width(tmp_path, photos):
    paths = [save(photos[n], tmp_path / f"{n}.jpg", quality=95) for n in ("rocket", "coffee", "chelsea")]
    for resize in data.dataset.RESIZE_MODES:
        ds = data.from_files(paths, image_size=(24, 40), batch_size=3, resize=resize, augment=True, training=True)
        x, y = next(iter(ds))
        assert x.shape == (3, 24, 40, 1) and y.shape == (3, 24, 40, 2), resize
    # A centre crop of the photo covered at (24, 40): the same as the square crops' recipe.
    coffee = data.from_files([paths[1]], image_size=(24, 40), batch_size=1)
    square = data.from_files([paths[1]], image_size=40, batch_size=1, resize="crop")
    assert next(iter(coffee))[0].shape == (1, 24, 40, 1) and next(iter(square))[0].shape == (1, 40, 40, 1)


def test_reduced_dct_scale_covers_an_upright_height_and_width(tmp_path, photos):
    import tensorflow as tf

    big = np.asarray(Image.fromarray(photos["astronaut"]).resize((1024, 768), Image.LANCZOS))
    contents = tf.io.read_file(save(big, tmp_path / "big.jpg", quality=95))
    decode = data.dataset.decode_image
    # Upright 100 x 200 fits the file at 1/4 (192 x 256); turned by EXIF
    # orientation 6 it needs 200 rows of the file: 1/2, then turned upright.
    assert decode(contents, 1, min_shape=(100, 200)).shape == (192, 256, 3)
    assert decode(contents, 6, min_shape=(100, 200)).shape == (512, 384, 3)


def test_datasets_have_a_known_length(photo_folder):
    import tensorflow as tf

    ds = data.from_directory(photo_folder, image_size=16, batch_size=3)
    assert len(ds) == 2 and int(ds.cardinality()) == 2
    assert [x.shape[0] for x, _ in ds] == [3, 1]
    # The length is the number of batches every way the pipeline is built (shuffled, cached, augmented, padded,
    # with hints, both subsets at once), pass after pass.
    variants = [
        data.from_directory(photo_folder, image_size=16, batch_size=3, training=True, cache=True, augment=True),
        data.from_directory(photo_folder, image_size=(16, 24), batch_size=2, resize="pad"),
        data.with_hints(data.from_directory(photo_folder, image_size=16, batch_size=4)),
        *data.from_directory(photo_folder, image_size=16, batch_size=1, subset="both", validation_split=0.5),
    ]
    for variant in variants:
        assert int(variant.cardinality()) > 0
        assert [len(list(variant)) for _ in range(2)] == [int(variant.cardinality())] * 2
    # The saturation filter drops an unknown number of photos.
    filtered = data.from_directory(photo_folder, image_size=16, min_saturation=data.DEFAULT_MIN_SATURATION)
    assert int(filtered.cardinality()) == tf.data.UNKNOWN_CARDINALITY


def test_a_file_that_fails_to_decode_despite_the_checks_is_replaced(tmp_path, photos):
    import tensorflow as tf

    small = photos["coffee"][::8, ::8]
    paths = [save(small, tmp_path / f"good{i}.png") for i in range(3)]
    (tmp_path / "short.png").write_bytes(short_png(small))
    paths.append(str(tmp_path / "short.png"))
    good, skipped = data.check_images(paths)
    assert good == paths and skipped == []  # the checks cannot see it
    for kwargs in (dict(training=False), dict(training=True), dict(training=True, cache=True)):
        ds = data.from_files(paths, image_size=16, batch_size=3, **kwargs)
        assert len(ds) == 2
        for _ in range(2):  # each pass holds 4 photos: a good one stands in for the broken one
            assert [x.shape[0] for x, _ in ds] == [3, 1], kwargs
    # More broken files than good ones: the pass ends short, with an error that says so.
    (tmp_path / "short2.png").write_bytes(short_png(small))
    ds = data.from_files(paths[:1] + [str(tmp_path / "short.png"), str(tmp_path / "short2.png")], 16, 3)
    with pytest.raises(tf.errors.FailedPreconditionError, match="expected to contain 3 elements"):
        list(ds)


def test_check_images_returns_the_skipped_files(tmp_path, photos):
    good = save(photos["chelsea"][::4, ::4], tmp_path / "good.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    paths = [good, tmp_path / "empty.jpg", tmp_path]
    with pytest.warns(UserWarning, match="Skipped 2 unreadable"):
        kept, skipped = data.check_images(paths)
    assert kept == [good]
    assert [(os.path.basename(p), r) for p, r in skipped] == [
        ("empty.jpg", "empty file"), (tmp_path.name, "not a regular file (a folder, pipe or device)")
    ]
    # The dataset attribute stays for compatibility (a transformed dataset has none).
    with pytest.warns(UserWarning, match="Skipped 2"):
        ds = data.from_files(paths, image_size=16)
    assert ds.skipped == skipped and not hasattr(ds.take(1), "skipped")


def test_readme_example_runs_without_a_warning(tmp_path, photos, capfd, caplog):
    """The README's "Use it" training lines, on twelve small photos, at 16 px: no Python warning (Keras's
    "`shuffle=True` was passed, but will be ignored", "Your input ran out of data"), nothing about shuffling in
    the logs, and datasets of a known length (Keras shows an ETA, not `1/Unknown`)."""
    import logging
    import re
    import warnings

    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = re.search(r"## Use it\n\n```python\n(.*?)```", readme, re.S).group(1)
    start = block.index("\ntrain") + 1
    code = block[start : block.index("\n", block.index("model.fit(")) + 1]
    for old, new in (
        ('"photos/"', repr(str(tmp_path))),
        ("kc.models.unet(input_size=128)", "kc.models.unet(input_size=16, depth=2, base_filters=4)"),
        ("image_size=128", "image_size=16"),
        ("epochs=10", "epochs=2"),
    ):
        assert old in code, old
        code = code.replace(old, new)
    for i in range(12):
        name = ("astronaut", "coffee", "chelsea", "rocket")[i % 4]
        save(photos[name][i * 8 : i * 8 + 64, i * 8 : i * 8 + 96], tmp_path / f"photo_{i:02d}.jpg")
    namespace = {"kc": __import__("keras_colorize")}
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        exec(compile(code, "<README.md: Use it>", "exec"), namespace)
    caught = [w for w in caught if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning))]
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]
    logged = caplog.text + "".join(capfd.readouterr())
    assert "shuffle" not in logged and "ran out of data" not in logged, logged[-2000:]
    train, val = namespace["train"], namespace["val"]
    assert int(train.cardinality()) > 0 and int(val.cardinality()) > 0
    history = namespace["model"].history
    assert history.params["steps"] == len(train) == int(train.cardinality())


def test_tensorflow_decodes_every_listed_format_so_no_tensorflow_io(tmp_path, photos):
    """TF's own decoders read each format the pipeline lists (16-bit PNG and
    WebP included), which is why setup.cfg has no `io` extra: tensorflow-io
    0.37's compiled ops do not load beside TF >= 2.17."""
    rgb = photos["astronaut"][::16, ::16]
    paths = [save(rgb, tmp_path / f"a.{ext}") for ext in ("jpg", "png", "bmp", "gif")]
    paths.append(save(rgb, tmp_path / "a.webp", lossless=True))
    Image.fromarray((rgb[..., 1].astype("uint16") * 257)).save(tmp_path / "a16.png")
    paths.append(str(tmp_path / "a16.png"))
    assert {os.path.splitext(p)[1] for p in paths} == set(files.IMAGE_EXTENSIONS) - {".jpeg"}
    x, _ = next(iter(data.from_files(paths, image_size=16, batch_size=len(paths), resize="resize")))
    assert x.shape[0] == len(paths)
    import configparser

    setup = configparser.ConfigParser()
    setup.read(pathlib.Path(__file__).resolve().parents[1] / "setup.cfg")
    extras = setup["options.extras_require"]
    assert "io" not in extras and not any("tensorflow-io" in extras[name] for name in extras)


def test_sixteen_bit_png_keeps_its_precision_in_both_decoders(tmp_path):
    """The pipeline's TF decoder and `read_image` (Pillow, `keras_colorize.decoding`) both read a 16-bit RGB PNG
    to within float32 rounding of value / 65535, not rounded to 8 bits: the last job tensorflow-io could have had."""
    import cv2
    import tensorflow as tf

    ramp = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16 + 3  # 4096 levels, none a multiple of 257
    rgb = np.stack([ramp, ramp[::-1], ramp.T], -1)
    path = str(tmp_path / "ramp16.png")
    assert cv2.imwrite(path, rgb[..., ::-1])
    for decoded in (data.dataset.decode_image(tf.io.read_file(path)).numpy(), data.read_image(path)):
        assert len(np.unique(decoded[..., 0])) == 64 * 64
        np.testing.assert_allclose(decoded, rgb / 65535.0, atol=1e-6)
