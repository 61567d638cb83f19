"""colorize_video(): same fps, size and frame count; steadier colors with flow; clean failures."""

import cv2
import keras
import numpy as np
import pytest
import skimage.color

import keras_colorize
from keras_colorize.video import flicker

pytestmark = pytest.mark.tensorflow_only

FPS = 12.0


def pixelwise_model(gain=0.5):
    """ab/128 = gain·(L/100 − 0.5) on a and −gain·(…) on b: colors follow the lightness of each pixel."""
    inputs = keras.Input((None, None, 1), name="l_input")
    head = keras.layers.Conv2D(
        2, 1, name="head",
        kernel_initializer=keras.initializers.Constant(np.array([[[[gain, -gain]]]], "float32")),
        bias_initializer=keras.initializers.Constant(np.array([-gain / 2, gain / 2], "float32")),
    )
    return keras.Model(inputs, head(inputs))


def write_clip(path, frames, fps=FPS):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, (w, h))  # lossless
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def read_clip(path):
    capture = cv2.VideoCapture(str(path))
    fps, frames = capture.get(cv2.CAP_PROP_FPS), []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    capture.release()
    return fps, frames


def pan_frames(photo, n=10, step=3, size=(64, 96)):
    """A camera panning right across a real photo."""
    return [np.ascontiguousarray(photo[100 : 100 + size[0], 150 + i * step : 150 + i * step + size[1]]) for i in range(n)]


def test_pan_clip_keeps_fps_size_frames_and_lightness(tmp_path, photos):
    frames = pan_frames(photos["astronaut"])
    clip = write_clip(tmp_path / "pan.mkv", frames)
    count = keras_colorize.colorize_video(clip, tmp_path / "out.mp4", model=pixelwise_model(), render_size=64, batch_size=4, verbose=0)
    fps, out = read_clip(tmp_path / "out.mp4")
    _, source = read_clip(clip)
    assert count == len(out) == len(frames) and fps == pytest.approx(FPS)
    assert out[0].shape == frames[0].shape
    # Each output frame keeps its input frame's lightness (codec losses aside) and is in color.
    for src, dst in zip(source, out):
        assert np.abs(skimage.color.rgb2lab(src)[..., 0] - skimage.color.rgb2lab(dst)[..., 0]).mean() < 2.0
    assert np.abs(skimage.color.rgb2lab(out[5])[..., 1:]).mean() > 5.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "pan.mkv"]  # no temp file left


def test_flow_carries_colors_with_the_motion(tmp_path, photos):
    # A pixel-wise model colors each frame consistently by itself: carrying the previous colors
    # along the right flow must agree with it, while carrying them in place would smear the pan.
    clip = write_clip(tmp_path / "pan.mkv", pan_frames(photos["astronaut"], step=2))
    runs = {}
    for temporal in (0.0, 0.6):
        path = tmp_path / f"out{temporal}.mkv"
        keras_colorize.colorize_video(clip, path, model=pixelwise_model(), temporal=temporal, render_size=96, verbose=0)
        runs[temporal] = np.stack([skimage.color.rgb2lab(f)[..., 1:] for f in read_clip(path)[1]])
    inner = (slice(1, None), slice(8, -8), slice(8, -8))  # frames after the first, away from the borders
    gap = np.linalg.norm(runs[0.6] - runs[0.0], axis=-1)[inner].mean()
    motion = np.linalg.norm(runs[0.0][1:] - runs[0.0][:-1], axis=-1)[:, 8:-8, 8:-8].mean()
    assert gap < 0.1 * motion, (gap, motion)  # carrying the colors backwards along the flow gives ~0.25


def test_flow_blending_reduces_flicker_on_a_static_camera(tmp_path, photos):
    rng = np.random.default_rng(0)
    still = photos["coffee"][100:164, 200:296].astype(float)
    frames = [np.clip(still + rng.normal(0, 6, still.shape), 0, 255).astype(np.uint8) for _ in range(8)]
    clip = write_clip(tmp_path / "still.mkv", frames)
    result = {}
    for temporal in (0.0, 0.6):
        path = tmp_path / f"out{temporal}.mkv"
        keras_colorize.colorize_video(clip, path, model=pixelwise_model(1.5), temporal=temporal, render_size=96, verbose=0)
        result[temporal] = flicker(read_clip(path)[1])
    assert result[0.6] < 0.7 * result[0.0], result


def test_bad_inputs_fail_clearly_and_leave_nothing(tmp_path, photos):
    model = pixelwise_model()
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        keras_colorize.colorize_video(tmp_path / "missing.mp4", tmp_path / "o.mp4", model=model)
    (tmp_path / "notes.mp4").write_text("not a video")
    with pytest.raises(ValueError, match="notes.mp4"):
        keras_colorize.colorize_video(tmp_path / "notes.mp4", tmp_path / "o.mp4", model=model)
    clip = write_clip(tmp_path / "pan.mkv", pan_frames(photos["rocket"], n=3))
    with pytest.raises(ValueError, match="o.gif"):
        keras_colorize.colorize_video(clip, tmp_path / "o.gif", model=model)
    (tmp_path / "taken.mp4").write_bytes(b"user data")
    with pytest.raises(FileExistsError, match="taken.mp4"):
        keras_colorize.colorize_video(clip, tmp_path / "taken.mp4", model=model)
    assert (tmp_path / "taken.mp4").read_bytes() == b"user data"
    broken = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(5, 1)])  # 5 channels: undecodable
    with pytest.raises(ValueError, match="Cannot interpret"):
        keras_colorize.colorize_video(clip, tmp_path / "o.mp4", model=broken, verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp4", "pan.mkv", "taken.mp4"]


def test_zero_frame_video_is_an_error(tmp_path):
    empty = tmp_path / "empty.avi"
    cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (32, 32)).release()
    with pytest.raises(ValueError, match="empty.avi"):
        keras_colorize.colorize_video(empty, tmp_path / "o.mp4", model=pixelwise_model())
    assert not (tmp_path / "o.mp4").exists()


def test_flicker_measures_ab_change():
    gray = np.full((4, 4, 3), 120, np.uint8)
    red = gray.copy()
    red[..., 0] = 160
    lab = skimage.color.rgb2lab(np.stack([gray, red]))
    expected = np.linalg.norm(lab[1, ..., 1:] - lab[0, ..., 1:], axis=-1).mean()
    assert flicker([gray, red, gray]) == pytest.approx(expected, rel=1e-3)


def test_cli_video(tmp_path, photos):
    from keras_colorize import cli

    pixelwise_model().save(tmp_path / "m.keras")
    clip = write_clip(tmp_path / "pan.mkv", pan_frames(photos["chelsea"], n=4))
    args = ["video", str(clip), str(tmp_path / "out.avi"), "--model", str(tmp_path / "m.keras"), "--render-size", "32"]
    assert cli.main(args) == 0
    assert len(read_clip(tmp_path / "out.avi")[1]) == 4
    assert cli.main(args) == 2  # OUT exists: kept, usage error
    assert cli.main(["video", str(tmp_path / "none.mp4"), str(tmp_path / "o.mp4"), "--model", str(tmp_path / "m.keras")]) == 2
