"""A messy photo folder, made here, fed to the pipeline, `colorize()` and the CLI.

Each case is a file (or folder) with what must happen to it: an output of a
known size, a failure with a known one-line reason, or being ignored by a
folder walk (hidden files, non-image names, folders, links to folders).
"""

import dataclasses
import hashlib
import io
import json
import os
import re

import cv2
import keras
import numpy as np
import pytest
import skimage.color
from PIL import Image

from keras_colorize import cli
from keras_colorize import colorize
from keras_colorize import data
from tests.helpers import run_unprivileged

pytestmark = pytest.mark.tensorflow_only

H, W = 48, 64  # the corpus photo
AB = (0.1, 0.1)  # the test model's constant prediction: ab = (12.8, 12.8)


@dataclasses.dataclass
class Case:
    name: str
    path: str  # relative to the corpus folder
    expect: object  # (h, w) of the output; a reason (regex) for a failure; None: ignored by a walk


def constant_model(path):
    """A 1×1 conv whose output is the constant ab `AB`, saved as `.keras`."""
    inputs = keras.Input((None, None, 1))
    head = keras.layers.Conv2D(
        2, 1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(AB)
    )
    keras.Model(inputs, head(inputs)).save(path)
    return path


def jpeg_bytes(image, **kwargs):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=95, **kwargs)
    return buffer.getvalue()


def png_chunk(kind, payload):
    import zlib

    return len(payload).to_bytes(4, "big") + kind + payload + zlib.crc32(kind + payload).to_bytes(4, "big")


def decompression_bomb_png(side=60000):
    """A few hundred bytes declaring side×side pixels (Pillow's DecompressionBombError)."""
    import zlib

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1-bit gray
    data = zlib.compress(bytes(1 + side // 8) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def png_with_a_damaged_stream(photo):
    """An RGB PNG whose compressed pixel data has a flipped byte, with every CRC computed
    after it (so only decoding finds it; Pillow took the part it had decoded)."""
    import zlib

    height, width = photo.shape[:2]
    raw = b"".join(b"\x00" + row.tobytes() for row in photo)
    stream = bytearray(zlib.compress(raw))
    stream[len(stream) // 2] ^= 0xFF
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", bytes(stream))
            + png_chunk(b"IEND", b""))


def jpeg_without_huffman_tables(whole):
    """A JPEG whose first DHT segment is zeroed: a header Pillow opens, data libjpeg refuses."""
    start = whole.index(b"\xff\xc4")
    length = int.from_bytes(whole[start + 2 : start + 4], "big")
    return whole[: start + 5] + bytes(length - 3) + whole[start + 2 + length :]


def make_corpus(root, photo):
    """Writes the corpus under `root`; returns its cases."""
    cases = []

    def add(name, path, expect, content=None, image=None, **save):
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if content is not None:
            full.write_bytes(content)
        elif image is not None:
            image.save(full, **save)
        cases.append(Case(name, path, expect))
        return full

    rgb = Image.fromarray(photo)
    gray = rgb.convert("L")
    whole = jpeg_bytes(photo)
    add("truncated JPEG", "truncated.jpg", "truncated JPEG", content=whole[: len(whole) // 2])
    # libjpeg warns and fills the missing part with flat gray: the file is bad.
    add("truncated JPEG, end marker put back", "truncated_eoi.jpg",
        r"Corrupt JPEG data: premature end of data segment",
        content=whole[: len(whole) * 2 // 3] + b"\xff\xd9")
    add("JPEG with a broken Huffman table", "no_huffman.jpg", r"corrupt JPEG data",
        content=jpeg_without_huffman_tables(whole))
    add("decompression bomb PNG (60000×60000 in a few hundred bytes)", "bomb.png", r"pixels",
        content=decompression_bomb_png())
    png = io.BytesIO()
    rgb.save(png, "PNG")
    add("truncated PNG", "truncated.png", "truncated", content=png.getvalue()[:-40])
    damaged = bytearray(png.getvalue())
    damaged[len(damaged) // 2] ^= 0xFF  # a byte of the pixel data: Pillow decoded garbage from it
    add("PNG with a damaged byte (CRC error)", "damaged.png", r"corrupt PNG data \(CRC error in its IDAT chunk\)",
        content=bytes(damaged))
    add("PNG whose pixel stream is damaged, CRCs valid", "bad_stream.png", r"corrupt PNG data \(OSError",
        content=png_with_a_damaged_stream(photo))
    sixteen = cv2.imencode(".png", np.asarray(gray).astype("uint16") * 257)[1].tobytes()
    add("truncated 16-bit PNG, IEND put back", "truncated16_iend.png", "truncated PNG",
        content=sixteen[: len(sixteen) // 2] + png_chunk(b"IEND", b""))
    for image_format in ("BMP", "GIF"):  # Pillow decodes them for the decoder and the pipeline's check
        encoded = io.BytesIO()
        rgb.save(encoded, image_format)
        encoded = encoded.getvalue()
        ext = image_format.lower()
        add(f"truncated {image_format}", f"truncated.{ext}", rf"corrupt {image_format} data.*truncated",
            content=encoded[: len(encoded) * 2 // 3])
    add("zero-byte file", "zero.jpg", "empty file", content=b"")
    add("random bytes named .jpg", "random.jpg", "not a readable image",
        content=np.random.default_rng(0).bytes(5000))
    add("text file named .png", "text.png", "not a readable image", content=b"not an image\n" * 20)
    add("text file .txt", "notes.txt", None, content=b"hello\n")
    add("PNG with alpha", "alpha.png", (H, W), image=rgb.convert("RGBA"))
    add("palette PNG", "palette.png", (H, W), image=rgb.quantize(64))
    add("16-bit RGB PNG", "rgb16.png", (H, W))
    cv2.imwrite(str(root / "rgb16.png"), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR).astype("uint16") * 257)
    add("16-bit grayscale PNG", "gray16.png", (H, W))
    cv2.imwrite(str(root / "gray16.png"), np.asarray(gray).astype("uint16") * 257)
    add("grayscale JPEG", "gray.jpg", (H, W), image=gray, quality=95)
    add("CMYK JPEG", "cmyk.jpg", (H, W), image=rgb.convert("CMYK"), quality=95)
    add("progressive JPEG", "progressive.jpg", (H, W), image=rgb, progressive=True, quality=95)
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        upright = (W, H) if orientation >= 5 else (H, W)
        add(f"EXIF orientation {orientation}", f"exif/orientation{orientation}.jpg", upright,
            image=rgb, exif=exif, quality=95)
    add("BMP", "bitmap.bmp", (H, W), image=rgb)
    frames = [rgb, Image.fromarray(255 - photo)]
    add("animated GIF (first frame)", "animated.gif", (H, W), image=frames[0].convert("P"),
        save_all=True, append_images=[f.convert("P") for f in frames[1:]])
    add("WebP", "photo.webp", (H, W), image=rgb, quality=90)
    add("1×1 image", "one_pixel.png", (1, 1), image=Image.fromarray(photo[:1, :1]))
    add("3×2000 image", "thin.png", (3, 2000),
        image=Image.fromarray(cv2.resize(photo, (2000, 3), interpolation=cv2.INTER_AREA)))
    add("photo already in color", "color.jpg", (H, W), image=rgb, quality=95)
    add("all-black image", "black.png", (H, W), image=Image.new("RGB", (W, H)))
    add("all-white image", "white.png", (H, W), image=Image.new("L", (W, H), 255))
    add("file name with spaces", "name with spaces.jpg", (H, W), image=rgb)
    add("unicode file name", "ünïcødé 照片.jpg", (H, W), image=rgb)
    add("leading dash in name", "-dash.jpg", (H, W), image=rgb)
    add("upper-case extension", "UPPER.JPG", (H, W), image=rgb)
    add("PNG content named .jpg", "png_inside.jpg", (H, W), image=rgb, format="PNG")
    add("hidden file", ".hidden.jpg", None, image=rgb)
    add("same stem .jpg", "twin.jpg", (H, W), image=rgb)
    add("same stem .png", "twin.png", (H, W), image=gray)
    add("nested folders", "nested/a/b/deep.jpg", (H, W), image=rgb)
    (root / "loop_a.jpg").symlink_to("loop_b.jpg")
    (root / "loop_b.jpg").symlink_to("loop_a.jpg")
    cases += [Case("symlink loop (file)", "loop_a.jpg", "symbolic links"),
              Case("symlink loop (file, 2)", "loop_b.jpg", "symbolic links")]
    (root / "nested" / "back_up").symlink_to("..", target_is_directory=True)
    cases.append(Case("symlink loop (folder)", "nested/back_up", None))
    (root / "dangling.jpg").symlink_to("missing.jpg")
    cases.append(Case("dangling symlink", "dangling.jpg", "No such file"))
    os.mkfifo(root / "pipe.jpg")
    cases.append(Case("named pipe named .jpg", "pipe.jpg", "not a regular file"))
    unreadable = add("unreadable file (mode 000)", "unreadable.jpg", "Permission denied", image=rgb)
    unreadable.chmod(0)
    if os.access(unreadable, os.R_OK):  # root reads anything: then it is a good photo
        cases[-1].expect = (H, W)
    add("photo in an unreadable folder (mode 000)", "locked/inside.jpg", (H, W), image=rgb)
    (root / "locked").chmod(0)
    if not os.access(root / "locked", os.R_OK):  # root lists anything: then its photo is good
        cases[-1] = Case("unreadable folder (mode 000)", "locked", "PermissionError")
    (root / "folder.jpg").mkdir()
    cases.append(Case("folder named x.jpg", "folder.jpg", None))
    (root / "empty").mkdir()
    cases.append(Case("empty folder", "empty", None))
    return cases


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, photos):
    root = tmp_path_factory.mktemp("corpus")
    photo = cv2.resize(photos["chelsea"], (W, H), interpolation=cv2.INTER_AREA)
    cases = make_corpus(root, photo)
    model = constant_model(tmp_path_factory.mktemp("model") / "constant.keras")
    return root, cases, model


def digests(root):
    """SHA-256 of every readable regular file under `root` (links not followed)."""
    result = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path) or not os.access(path, os.R_OK):
                result[path] = os.lstat(path).st_mtime_ns
            else:
                with open(path, "rb") as handle:
                    result[path] = hashlib.sha256(handle.read()).hexdigest()
    return result


def load(path):
    with Image.open(path) as image:
        return np.asarray(image)


def output_name(case):
    stem, ext = os.path.splitext(case.path)
    if stem.endswith("twin"):
        stem += "_" + ext[1:]
    return stem + "_color.png"


def check_colorized(source_rgb, out):
    """Output = the input's own L (where in gamut) with the model's chroma."""
    assert out.dtype == np.uint8 and out.shape == source_rgb.shape
    lab_in = skimage.color.rgb2lab(source_rgb)
    lab_out = skimage.color.rgb2lab(out)
    mid = (lab_in[..., 0] > 30) & (lab_in[..., 0] < 80)
    if mid.sum() > 10:
        assert np.median(np.abs(lab_out[mid, 0] - lab_in[mid, 0])) < 1.0
        np.testing.assert_allclose(np.median(lab_out[mid, 1:], axis=0), 128 * np.asarray(AB), atol=2.0)


def test_each_file_is_judged_alike_by_the_check_and_the_decoder(corpus):
    """The pipeline's header check (`inspect_image`) and the decoder of `colorize()`
    (`read_image`) call each file good or bad as declared, for the declared reason."""
    from keras_colorize.data.files import inspect_image

    root, cases, _ = corpus
    for case in cases:
        path = root / case.path
        if isinstance(case.expect, tuple):
            orientation, problem = inspect_image(path)
            assert problem is None, (case.name, problem)
            exif = re.fullmatch(r"exif/orientation(\d)\.jpg", case.path)
            assert orientation == (int(exif.group(1)) if exif else 1), case.name
            image = data.read_image(path)
            assert image.shape == case.expect + (3,) and image.dtype == np.float32, case.name
            assert 0 <= image.min() and image.max() <= 1, case.name
        elif isinstance(case.expect, str):
            orientation, problem = inspect_image(path)
            assert orientation is None and re.search(case.expect, problem), (case.name, problem)
            with pytest.raises(ValueError, match=case.expect):
                data.read_image(path)


def test_pipeline_keeps_good_files_and_lists_bad_ones(corpus):
    root, cases, _ = corpus
    before = digests(root)
    with pytest.warns(UserWarning, match="Skipped"):
        ds = data.from_directory(root, image_size=16, batch_size=64, seed=0)
    good = [c for c in cases if isinstance(c.expect, tuple)]
    bad = {c.path: c.expect for c in cases if isinstance(c.expect, str)}
    assert sum(int(x.shape[0]) for x, _ in ds) == len(good)
    skipped = {os.path.relpath(p, root): reason for p, reason in ds.skipped}
    assert set(skipped) == set(bad)
    for path, reason in skipped.items():
        assert re.search(bad[path], reason), (path, reason)
    # Every path given explicitly, folders included: the bad ones are skipped too.
    explicit = [root / c.path for c in cases if c.expect is not None or c.path == "folder.jpg"]
    with pytest.warns(UserWarning, match="Skipped"):
        ds = data.from_files(explicit, image_size=16, batch_size=64)
    assert sum(int(x.shape[0]) for x, _ in ds) == len(good)
    assert len(ds.skipped) == len(bad) + 1
    assert dict((os.path.basename(p), r) for p, r in ds.skipped)["folder.jpg"].startswith("not a regular file")
    assert digests(root) == before


def test_colorize_gives_an_image_or_a_clear_error_for_each(corpus):
    root, cases, model_path = corpus
    from keras_colorize.saving import load_model

    model = load_model(model_path)
    for case in cases:
        path = root / case.path
        if isinstance(case.expect, tuple):
            out = colorize(path, model, render_size=32)
            assert out.shape == case.expect + (3,), case.name
            check_colorized(np.round(data.read_image(path) * 255).astype("uint8"), out)
        elif isinstance(case.expect, str):
            with pytest.raises(ValueError, match=case.expect) as raised:
                colorize(path, model, render_size=32)
            assert os.path.basename(case.path) in str(raised.value), case.name
            assert "\n" not in str(raised.value) and "{{" not in str(raised.value), case.name
    with pytest.raises(ValueError, match="No image files.*empty"):
        colorize(root / "empty", model)


def test_colorize_folder_skips_bad_files_like_the_cli(corpus):
    root, cases, model_path = corpus
    from keras_colorize.saving import load_model

    model = load_model(model_path)
    with pytest.warns(UserWarning, match="Skipped"):
        done = colorize(root, model, render_size=32, verbose=0)
    good = {c.path: c.expect for c in cases if isinstance(c.expect, tuple) and not c.path.startswith(".")}
    bad = {c.path: c.expect for c in cases if isinstance(c.expect, str)}
    assert {os.path.relpath(p, root) for p in done.sources} == set(good)
    for source, photo in zip(done.sources, done):  # each output next to the file it comes from
        assert photo.shape == good[os.path.relpath(source, root)] + (3,), source
    skipped = {os.path.relpath(p, root): reason for p, reason in done.skipped}
    assert set(skipped) == set(bad)
    for path, reason in skipped.items():
        assert re.search(bad[path], reason), (path, reason)
    with pytest.raises(ValueError, match="Cannot read image"):
        colorize(root, model, render_size=32, errors="raise")


def test_cli_colorizes_the_folder_and_reports_each_bad_file(corpus, tmp_path, capsys):
    root, cases, model_path = corpus
    before = digests(root)
    out = tmp_path / "out"
    args = ["colorize", str(root), "-o", str(out), "--model", str(model_path), "--render-size", "32"]
    assert cli.main(args) == 1
    report = capsys.readouterr().err
    written = {os.path.relpath(os.path.join(d, n), out) for d, _, ns in os.walk(out) for n in ns}
    good = {output_name(c): c for c in cases if isinstance(c.expect, tuple)}
    assert written == set(good)
    for name, case in good.items():
        image = load(out / name)
        assert image.shape == case.expect + (3,), case.name
    check_colorized(load(root / "color.jpg"), load(out / "color_color.png"))
    # Black stays black and white stays white (lightness; the chroma of L = 0 or 100 is not visible).
    assert skimage.color.rgb2lab(load(out / "black_color.png"))[..., 0].max() < 5
    assert skimage.color.rgb2lab(load(out / "white_color.png"))[..., 0].min() > 95
    failed = dict(re.findall(r"^  (.+?): (.+)$", report, re.M))
    assert "function_node" not in report and "{{" not in report
    bad = {str(root / c.path): c.expect for c in cases if isinstance(c.expect, str)}
    assert set(failed) == set(bad)
    for path, reason in failed.items():
        assert re.search(bad[path], reason), (path, reason)
    assert f"{len(good)} photo(s) colorized" in report and f"{len(bad)} failed" in report
    assert digests(root) == before

    # A rerun redoes nothing and touches no output; --overwrite redoes them all.
    stamps = {n: os.stat(out / n).st_mtime_ns for n in written}
    assert cli.main(args) == 1
    assert f"0 photo(s) colorized into {out}, {len(good)} already done" in capsys.readouterr().err
    assert {n: os.stat(out / n).st_mtime_ns for n in written} == stamps
    (out / "color_color.png").write_bytes(b"the user's own file")
    assert cli.main(args) == 1
    assert (out / "color_color.png").read_bytes() == b"the user's own file"
    assert cli.main(args + ["--overwrite"]) == 1
    assert f"{len(good)} photo(s) colorized" in capsys.readouterr().err
    assert load(out / "color_color.png").shape == (H, W, 3)
    assert not [n for _, _, ns in os.walk(out) for n in ns if n.endswith(".part")]
    assert digests(root) == before


def test_cli_explicit_paths_odd_names_and_exit_codes(corpus, tmp_path, capsys, monkeypatch):
    root, _, model_path = corpus
    monkeypatch.chdir(root)
    common = ["-o", str(tmp_path / "out"), "--model", str(model_path), "--render-size", "32", "--"]
    assert cli.main(["colorize", *common, "-dash.jpg", "ünïcødé 照片.jpg", "nested"]) == 0
    assert sorted(os.listdir(tmp_path / "out")) == ["-dash_color.png", "a", "ünïcødé 照片_color.png"]
    assert (tmp_path / "out" / "a" / "b" / "deep_color.png").is_file()
    capsys.readouterr()
    assert cli.main(["colorize", *common, "empty", "folder.jpg", "missing.jpg", "zero.jpg"]) == 1
    report = capsys.readouterr().err
    assert "empty: no image files in this folder" in report
    assert "folder.jpg: no image files in this folder" in report
    assert "missing.jpg: no such file or folder" in report
    assert re.search(r"zero.jpg: .*empty file", report)


def test_cli_output_folder_inside_the_input_folder_is_not_read_back(corpus, tmp_path, capsys):
    _, _, model_path = corpus
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (20, 10), (90, 90, 90)).save(photos / "a.jpg")
    model = ["--model", str(model_path), "--render-size", "16"]
    for outdir in (photos / "colorized", photos):
        for _ in range(2):
            assert cli.main(["colorize", str(photos), "-o", str(outdir), *model]) == 0
    names = sorted(os.path.relpath(os.path.join(d, n), photos) for d, _, ns in os.walk(photos) for n in ns)
    assert names == ["a.jpg", "a_color.png", "colorized/a_color.png"]


UNPRIVILEGED = """
import contextlib, io, json, os, sys, warnings
from keras_colorize import cli, colorize, data
from keras_colorize.saving import load_model
root, model_path, out = sys.argv[1:]
model = load_model(model_path)
found = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    done = colorize(root, model, render_size=32, verbose=0)
    found["colorize"] = dict(done.skipped)
    found["colorized"] = done.sources
    found["pipeline"] = dict(data.from_directory(root, image_size=16, batch_size=64).skipped)
report = io.StringIO()
with contextlib.redirect_stderr(report):
    found["cli_code"] = cli.main(["colorize", root, "-o", out, "--model", model_path, "--render-size", "32"])
found["cli"] = report.getvalue()
try:
    colorize(os.path.join(root, "locked"), model)
except ValueError as error:
    found["locked_folder"] = str(error)
print(json.dumps(found))
"""


def test_the_corpus_as_a_user_without_root_privileges(corpus, tmp_path):
    """Where permissions apply, the mode-000 file and folder are bad inputs, reported with their
    error by colorize(folder), from_directory and the CLI alike; nothing vanishes silently."""
    import sys

    root, cases, model_path = corpus
    result = run_unprivileged([sys.executable, "-c", UNPRIVILEGED, root, model_path, tmp_path / "out"],
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow"))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    permission = {"unreadable.jpg": "Permission denied", "locked": r"^PermissionError: \[Errno 13\]"}
    bad = {c.path: c.expect for c in cases if isinstance(c.expect, str)} | permission
    good = {c.path for c in cases if isinstance(c.expect, tuple) and not c.path.startswith(".")}
    good -= {"unreadable.jpg", "locked/inside.jpg"}
    assert {os.path.relpath(p, root) for p in found["colorized"]} == good
    failed_in_cli = dict(re.findall(r"^  (.+?): (.+)$", found["cli"], re.M))
    assert found["cli_code"] == 1 and "no image files" not in found["cli"]
    for skipped in (found["colorize"], found["pipeline"], failed_in_cli):
        skipped = {os.path.relpath(p, root): reason for p, reason in skipped.items()}
        assert set(skipped) == set(bad)
        for path, reason in skipped.items():
            assert re.search(bad[path], reason), (path, reason)
    assert re.search(r"locked.*PermissionError", found["locked_folder"])


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_arrays_are_refused(corpus, value):
    from keras_colorize.saving import load_model

    image = np.full((8, 8, 3), 0.5, "float32")
    image[3, 5, 1] = value
    with pytest.raises(ValueError, match=r"1 NaN or infinite value.*\(3, 5, 1\)"):
        colorize(image, load_model(corpus[2]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        colorize([np.zeros((8, 8), "float32"), image[..., 1]], load_model(corpus[2]), errors="raise")
    with pytest.warns(UserWarning, match="Skipped 1 of 2"):
        done = colorize([np.zeros((8, 8), "float32"), image[..., 1]], load_model(corpus[2]))
    assert len(done) == 1 and done.sources == [0] and "NaN or infinite" in done.skipped[0][1]


@pytest.mark.large  # ~100 s on 2 CPU cores
def test_very_large_photo(tmp_path, corpus, capsys):
    """A 12000×8000 photo (96 MP) through the CLI: full-size output, bounded memory."""
    import resource

    _, _, model_path = corpus
    height, width = 8000, 12000
    ramp = np.linspace(20, 235, width, dtype="float32").astype("uint8")
    image = np.broadcast_to(ramp[None, :, None], (height, width, 3))
    cv2.imwrite(str(tmp_path / "huge.png"), np.ascontiguousarray(image), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    del image
    args = ["colorize", str(tmp_path / "huge.png"), "-o", str(tmp_path / "out"),
            "--model", str(model_path), "--render-size", "64"]
    assert cli.main(args) == 0
    out = cv2.imread(str(tmp_path / "out" / "huge_color.png"))
    assert out.shape == (height, width, 3)
    center = cv2.cvtColor(out[4000:4001, 6000:6001], cv2.COLOR_BGR2RGB)
    lab = skimage.color.rgb2lab(center)[0, 0]
    np.testing.assert_allclose(lab[1:], 128 * np.asarray(AB), atol=2.0)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    assert peak_gb < 8, f"peak memory {peak_gb:.1f} GB"
