"""`colorize_video()`: a video in, the same video in color out (no audio).

Frames are colorized in batches by the steps of `colorize()`
(`keras_colorize.inference`: the model sees a small letterboxed render; its
chroma is upsampled and joined to each frame's full-resolution lightness). Colorizing frame by frame flickers: small
changes between frames change the predicted colors. With `temporal > 0` the
previous frame's colors are carried along the optical flow
(`cv2.calcOpticalFlowFarneback`, at render size) and blended with the new
prediction; the blend weight falls where the carried lightness disagrees with
the new frame (occlusions, scene cuts), so new content takes the new colors.
"""

import itertools
import os

import cv2
import keras
import numpy as np

from keras_colorize import color
from keras_colorize import inference
from keras_colorize.outputs import atomic_path
from keras_colorize.progress import progress_bar

# Output containers OpenCV writes on every platform, and their codecs.
CODECS = {".mp4": "mp4v", ".avi": "MJPG", ".mkv": "FFV1"}
# Lightness difference (L units) at which the carried colors lose ~63 % of
# their weight: larger differences are occlusions or cuts, not noise.
_OCCLUSION_L = 8.0


def flicker(frames):
    """Mean ab change between consecutive frames (Lab units, lower = steadier).

    Args:
        frames: sequence of RGB uint8 frames of one size (at least two).

    Returns:
        The mean over consecutive pairs of the mean per-pixel Euclidean
        distance between their (a, b): 0 for a clip whose colors never move.

    Example:

    >>> still = [np.full((4, 4, 3), 128, np.uint8)] * 3
    >>> flicker(still)
    0.0
    """
    if len(frames) < 2:
        raise ValueError(f"`flicker` needs at least 2 frames. Received: {len(frames)}")
    ab = [keras.ops.convert_to_numpy(color.rgb_to_lab(np.asarray(f) / 255.0))[..., 1:] for f in frames]
    return float(np.mean([np.linalg.norm(b - a, axis=-1).mean() for a, b in zip(ab, ab[1:])]))


class _FlowCarry:
    """Blends each render's ab with the previous one carried along the flow."""

    def __init__(self, weight):
        self.weight = weight
        self.previous = None  # (L, ab) of the last render, L in 0..100

    def __call__(self, lightness, ab):
        if self.previous is not None and self.weight > 0:
            prev_l, prev_ab = self.previous
            flow = cv2.calcOpticalFlowFarneback(
                _gray8(lightness), _gray8(prev_l), None,
                pyr_scale=0.5, levels=3, winsize=9, iterations=3,
                poly_n=5, poly_sigma=1.1, flags=0,
            )
            h, w = lightness.shape
            grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            map_x, map_y = grid_x + flow[..., 0], grid_y + flow[..., 1]
            carried_l = cv2.remap(prev_l, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            carried_ab = cv2.remap(prev_ab, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            trust = self.weight * np.exp(-(((lightness - carried_l) / _OCCLUSION_L) ** 2))
            ab = trust[..., None] * carried_ab + (1.0 - trust[..., None]) * ab
        self.previous = (lightness, ab.astype(np.float32))
        return self.previous[1]


def _gray8(lightness):
    return np.clip(lightness * (255.0 / color.L_SCALE), 0, 255).astype(np.uint8)


def _open(path_in):
    if not os.path.isfile(path_in):
        raise FileNotFoundError(f"No such video file: {path_in!r}")
    capture = cv2.VideoCapture(path_in)
    if not capture.isOpened():
        raise ValueError(f"Cannot read video {path_in!r}: OpenCV cannot open it (not a video, or an unsupported codec).")
    return capture


def _frames(capture, batch_size):
    """Batches of RGB uint8 frames until the stream ends."""
    while True:
        batch = []
        while len(batch) < batch_size:
            ok, frame = capture.read()
            if not ok:
                break
            batch.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        if not batch:
            return
        yield batch


def colorize_video(
    path_in,
    path_out,
    model=None,
    *,
    temporal=0.6,
    render_size=None,
    batch_size=8,
    overwrite=False,
    verbose=1,
):
    """Colorizes a video file frame by frame, with temporal smoothing.

    The output has the input's frame size, frame rate and number of frames.
    Audio is not handled: the output is silent (mux the original sound back
    with a tool such as ffmpeg if you need it). The output is written to a
    temporary file in the destination folder and renamed at the end, so a
    failed or interrupted run leaves no partial file.

    Args:
        path_in: a video OpenCV can decode (MP4, AVI, MOV, ...).
        path_out: the output file: `.mp4` (MPEG-4 Part 2), `.avi` (MJPEG)
            or `.mkv` (FFV1, lossless, large).
        model: a colorizer as for `colorize()` (a hint model runs without
            hints); None uses the default model.
        temporal: weight in [0, 1) of the previous frame's colors, carried
            along the optical flow, in each new frame; 0 colorizes each frame
            on its own.
        render_size: side of the square the model sees (as in `colorize()`).
        batch_size: frames per forward pass.
        overwrite: replace an existing `path_out`.
        verbose: 1 shows a progress bar, 0 is silent.

    Returns:
        The number of frames written.

    Raises:
        FileNotFoundError: if `path_in` does not exist.
        FileExistsError: if `path_out` exists and `overwrite` is False.
        ValueError: for an unreadable video, a video without frames, an
            unsupported output type or a bad argument.

    Example:

    >>> colorize_video("old_film.mp4", "old_film_color.mp4", model=model)  # doctest: +SKIP
    240
    """
    path_in, path_out = os.fspath(path_in), os.fspath(path_out)
    extension = os.path.splitext(path_out)[1].lower()
    if extension not in CODECS:
        raise ValueError(f"The output must end in one of {sorted(CODECS)}. Received: path_out={path_out!r}")
    if not 0 <= temporal < 1:
        raise ValueError(f"`temporal` must be in [0, 1). Received: temporal={temporal!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    if os.path.exists(path_out) and not overwrite:
        raise FileExistsError(f"{path_out!r} exists; pass overwrite=True to replace it.")
    capture = _open(path_in)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        batches = _frames(capture, batch_size)
        first = next(batches, None)
        if first is None:
            raise ValueError(f"Video {path_in!r} has no frames that OpenCV can decode.")
        if model is None:
            from keras_colorize.weights import load_default_model

            model = load_default_model()
        height, width = first[0].shape[:2]
        with atomic_path(path_out, overwrite=overwrite, suffix=extension) as temp_path:
            writer = cv2.VideoWriter(
                temp_path, cv2.VideoWriter_fourcc(*CODECS[extension]),
                fps if fps > 0 else 25.0, (width, height),
            )
            if not writer.isOpened():
                raise ValueError(f"OpenCV cannot write {extension} files here (codec {CODECS[extension]}).")
            try:
                count = _colorize_frames(
                    model, [first], batches, writer, (height, width), temporal, render_size,
                    progress_bar(total if total > 0 else None, unit="frame", verbose=verbose),
                )
            finally:
                writer.release()
    finally:
        capture.release()
    return count


def _colorize_frames(model, head, batches, writer, size, temporal, render_size, progress):
    side = inference.render_side(model, render_size)
    carry = _FlowCarry(temporal)
    count = 0
    for batch in itertools.chain(head, batches):
        if batch[0].shape[:2] != size:
            raise ValueError(f"Frame {count} has size {batch[0].shape[:2]}, the first had {size}.")
        lightness = [inference.lightness_of(frame / np.float32(255)) for frame in batch]
        renders = [inference.letterbox(l_full, side) for l_full in lightness]
        abs_small = inference.predict_ab(model, [small for small, _ in renders])
        for l_full, (small, box), ab in zip(lightness, renders, abs_small):
            rgb = inference.compose(l_full, carry(small, ab), box)
            writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            count += 1
        progress.advance(len(batch))
    progress.finish()
    return count
