"""`keras-colorize serve`: a local web page to colorize photos and add color hints.

One page: upload a photo, see its lightness and the colorized photo side by
side at full size, click on the photo to add a color hint (with a hint model)
and re-run, download the result. The page calls `POST /colorize`, which runs
the same `colorize()` as the library. Uploads are decoded in memory: no
upload is stored by the server (Werkzeug may spool a large request body to
the system's temporary folder while it arrives) and file names are never
used. The server binds to 127.0.0.1 by default, so no data leaves the
machine. Requires the `serve` extra (`pip install keras_colorize[serve]`).
"""

import base64
import importlib.resources
import io
import json
import threading

import numpy as np

from keras_colorize import decoding
from keras_colorize import inference
from keras_colorize.hints import INPUT_CHANNELS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = decoding.FORMATS  # what the command line and colorize(path) read
MAX_HINTS = 200


class BadUpload(Exception):
    """A request the page cannot serve: an HTTP status and a message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def decode_upload(data):
    """Upload bytes -> upright float32 RGB in [0, 1], or `BadUpload` with the reason.

    Decodes with `keras_colorize.decoding.decode_bytes`, as the command line
    and `colorize(path)` do, so the page gives the same result for any file;
    the size limit (`MAX_PIXELS`) is checked from the header before decoding.
    """
    try:
        return decoding.decode_bytes(data, max_pixels=MAX_PIXELS, formats=ACCEPTED_FORMATS)
    except decoding.ImageDecodeError as error:
        if error.kind == "empty":
            raise BadUpload(400, "The uploaded file is empty.") from None
        if error.kind == "not_image":
            raise BadUpload(400, "The uploaded file is not an image.") from None
        if error.kind == "unsupported":
            raise BadUpload(
                415, f"Unsupported image type ({error.reason}); use one of {', '.join(ACCEPTED_FORMATS)}."
            ) from None
        if error.kind == "too_large":
            raise BadUpload(
                413, f"The image is too large ({error.reason}); the limit is {MAX_PIXELS:,} pixels."
            ) from None
        raise BadUpload(400, f"The image cannot be decoded: {error.reason}.") from None


def parse_hints(text):
    """The page's hints: JSON `[[x, y, "#rrggbb"], ...]` -> colorize() hints."""
    try:
        items = json.loads(text or "[]")
        if not isinstance(items, list) or len(items) > MAX_HINTS:
            raise ValueError
        hints = []
        for x, y, code in items:
            if not (isinstance(code, str) and len(code) == 7 and code[0] == "#"):
                raise ValueError
            hints.append(((float(x), float(y)), tuple(int(code[i : i + 2], 16) for i in (1, 3, 5))))
        return hints
    except (ValueError, TypeError):
        raise BadUpload(
            400, f'`hints` must be a JSON list of at most {MAX_HINTS} [x, y, "#rrggbb"]. Received: {text[:200]!r}'
        ) from None


def _png_data_url(rgb):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _gray(rgb):
    """Float RGB -> its Lab lightness as a gray RGB uint8 image (what the model sees)."""
    lightness = inference.lightness_of(rgb)
    return inference.compose(lightness, np.zeros(lightness.shape + (2,), np.float32))


def create_app(model=None, render_size=None, max_upload_bytes=MAX_UPLOAD_BYTES):
    """The Flask application of the page.

    Args:
        model: a colorizer (`keras.Model`) or None for the shipped default.
        render_size: side of the square the model sees (see `colorize()`).
        max_upload_bytes: larger requests get a 413 answer.

    Returns:
        A `flask.Flask` app: `GET /` is the page, `POST /colorize` takes a
        multipart `image` file and an optional `hints` field (JSON
        `[[x, y, "#rrggbb"], ...]`, pixels of the photo) and answers JSON
        `{width, height, hints, gray, color}` with PNG data URLs, or
        `{error}` with a 4xx status (a 500 for an unexpected failure, whose
        traceback is logged by the server).

    Example:

    >>> app = create_app(model)  # doctest: +SKIP
    >>> app.test_client().post("/colorize", data={"image": open("cat.jpg", "rb")}).status_code  # doctest: +SKIP
    200
    """
    import flask
    import werkzeug.exceptions

    if model is None:
        from keras_colorize.weights import load_default_model

        model = load_default_model()
    takes_hints = model.input_shape[-1] == INPUT_CHANNELS
    lock = threading.Lock()  # one forward pass at a time: Keras models are not thread-safe
    page = importlib.resources.files("keras_colorize").joinpath("templates/serve.html").read_text("utf-8")
    app = flask.Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes

    @app.get("/")
    def index():
        return flask.Response(page, mimetype="text/html")

    @app.post("/colorize")
    def colorize_upload():
        upload = flask.request.files.get("image")
        if upload is None:
            raise BadUpload(400, "No file in the request: send it as the multipart field `image`.")
        rgb = decode_upload(upload.read())
        hints = parse_hints(flask.request.form.get("hints", "[]"))
        if hints and not takes_hints:
            raise BadUpload(400, "This model does not take color hints; serve a hint model to use them.")
        try:
            with lock:
                result = inference.colorize(rgb, model, render_size=render_size, hints=hints or None)
        except ValueError as error:  # a hint outside the photo
            raise BadUpload(400, str(error)) from None
        height, width = rgb.shape[:2]
        return flask.jsonify(
            width=width, height=height, hints=takes_hints,
            gray=_png_data_url(_gray(rgb)), color=_png_data_url(result),
        )

    @app.errorhandler(BadUpload)
    def bad_upload(error):
        return flask.jsonify(error=error.message), error.status

    @app.errorhandler(413)
    def too_large(error):
        return flask.jsonify(error=f"The upload is over the {max_upload_bytes:,}-byte limit."), 413

    @app.errorhandler(werkzeug.exceptions.HTTPException)
    def http_error(error):  # a wrong method or address: JSON too, as the page reads it
        return flask.jsonify(error=f"{error.code} {error.name}: {error.description}"), error.code

    @app.errorhandler(Exception)
    def unexpected(error):  # the traceback goes to the server's log, not to the page
        app.logger.exception("POST /colorize failed")
        return flask.jsonify(
            error=f"The server could not colorize this photo ({type(error).__name__}); its log says why."
        ), 500

    return app


def serve(model=None, host="127.0.0.1", port=8000, render_size=None):
    """Runs the page on `http://host:port/` until interrupted.

    Args:
        model: a colorizer or None for the shipped default.
        host: interface to bind; the default 127.0.0.1 is reachable from
            this machine only.
        port: TCP port.
        render_size: side of the square the model sees.

    Example:

    >>> serve(model)  # doctest: +SKIP
    """
    create_app(model, render_size).run(host=host, port=port, threaded=True)
