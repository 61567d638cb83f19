"""The local web page: colorized uploads, hints, 4xx answers, 20 concurrent uploads."""

import base64
import io
import json
import os
import re
import threading

import numpy as np
import pytest
import skimage.color
from PIL import Image

from tests.test_hints import hint_copy_model
from tests.test_video import pixelwise_model

pytest.importorskip("flask")
pytestmark = pytest.mark.tensorflow_only

from keras_colorize import serve  # noqa: E402


def encode(rgb, fmt="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt)
    return buffer.getvalue()


def decode_data_url(url):
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def post(client, payload, hints=None):
    data = {"image": (io.BytesIO(payload), "any name/../../etc/passwd")}
    if hints is not None:
        data["hints"] = json.dumps(hints)
    return client.post("/colorize", data=data, content_type="multipart/form-data")


@pytest.fixture(scope="module")
def client():
    return serve.create_app(pixelwise_model(), render_size=64).test_client()


def test_page_and_colorized_upload(client, photos):
    page = client.get("/")
    assert page.status_code == 200 and b'id="file"' in page.data and b"colorize" in page.data
    photo = photos["chelsea"][::4, ::4]
    answer = post(client, encode(photo))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["height"], body["width"]) == photo.shape[:2] and body["hints"] is False
    gray, colored = decode_data_url(body["gray"]), decode_data_url(body["color"])
    assert gray.shape == colored.shape == photo.shape
    true_l = skimage.color.rgb2lab(photo)[..., 0]
    np.testing.assert_allclose(skimage.color.rgb2lab(gray)[..., 0], true_l, atol=0.7)
    assert np.abs(skimage.color.rgb2lab(gray)[..., 1:]).max() < 1.0
    colored_lab = skimage.color.rgb2lab(colored)
    assert np.abs(colored_lab[..., 0] - true_l).mean() < 1.0 and np.abs(colored_lab[..., 1:]).mean() > 3.0


def test_bad_requests_get_4xx_with_a_message(client, photos):
    small = photos["rocket"][::8, ::8]
    cases = [
        (client.post("/colorize", data={}), 400, "multipart field"),
        (post(client, b""), 400, "empty"),
        (post(client, b"%PDF-1.4 hello"), 400, "not an image"),
        (post(client, encode(small)[:200]), 400, "cannot be decoded"),
        (post(client, encode(small, "TIFF")), 415, "TIFF"),
        (post(client, encode(small), hints="oops"), 400, "hints"),
        (post(client, encode(small), hints=[[1, 2, "#ff0000"]]), 400, "does not take color hints"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, (words, response.json)
        assert words in response.json["error"]
    tiny_limit = serve.create_app(pixelwise_model(), max_upload_bytes=2000).test_client()
    too_big = post(tiny_limit, encode(photos["coffee"][::4, ::4]))
    assert too_big.status_code == 413 and "2,000-byte limit" in too_big.json["error"]


def test_a_decompression_bomb_gets_413_json(client):
    from tests.test_bad_inputs import decompression_bomb_png

    bomb = decompression_bomb_png()
    assert len(bomb) < 1000
    answer = post(client, bomb)
    assert answer.status_code == 413 and answer.is_json
    assert "too large" in answer.json["error"] and "pixels" in answer.json["error"]
    over_the_page_limit = post(client, decompression_bomb_png(side=8000))  # 64 Mpixels > MAX_PIXELS
    assert over_the_page_limit.status_code == 413 and "50,000,000" in over_the_page_limit.json["error"]


def test_every_failure_is_answered_in_json(photos, monkeypatch, caplog):
    """A wrong method and an unexpected failure get the JSON `{error}` the page shows, not an HTML page."""
    from keras_colorize import inference

    app = serve.create_app(pixelwise_model(), render_size=64)
    client = app.test_client()
    wrong_method = client.get("/colorize")
    assert wrong_method.status_code == 405 and "Method Not Allowed" in wrong_method.json["error"]
    assert client.get("/nowhere").status_code == 404 and client.get("/nowhere").is_json

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory on the accelerator")

    monkeypatch.setattr(inference, "colorize", broken)
    failed = post(client, encode(photos["rocket"][::8, ::8]))
    assert failed.status_code == 500 and failed.is_json
    assert "RuntimeError" in failed.json["error"] and "out of memory" not in failed.json["error"]
    assert "out of memory on the accelerator" in caplog.text  # the traceback is in the server's log


def test_a_truncated_jpeg_with_its_end_marker_is_refused(client, photos):
    whole = encode(photos["chelsea"], "JPEG")
    answer = post(client, whole[: len(whole) * 2 // 3] + b"\xff\xd9")
    assert answer.status_code == 400
    assert "cannot be decoded" in answer.json["error"] and "premature end" in answer.json["error"]


def test_the_page_decodes_every_file_as_the_command_line(tmp_path, photos):
    """One decoder: the page's pixels are read_image's for every good file of the corpus."""
    import cv2

    from keras_colorize import colorize
    from keras_colorize import data
    from tests.test_bad_inputs import H
    from tests.test_bad_inputs import W
    from tests.test_bad_inputs import make_corpus

    photo = cv2.resize(photos["chelsea"], (W, H), interpolation=cv2.INTER_AREA)
    cases = make_corpus(tmp_path, photo)
    good = [c for c in cases if isinstance(c.expect, tuple) and os.access(tmp_path / c.path, os.R_OK)]
    assert len(good) >= 20
    for case in good:
        path = tmp_path / case.path
        np.testing.assert_array_equal(serve.decode_upload(path.read_bytes()), data.read_image(path), case.name)
    # The page's result is colorize(path)'s, for the formats where decoders differ: the 16-bit
    # gray PNG came out almost white on the page (mean 254.7 where the photo's is 71).
    model = pixelwise_model()
    page = serve.create_app(model, render_size=64).test_client()
    odd = ["gray16.png", "rgb16.png", "alpha.png", "palette.png", "gray.jpg", "cmyk.jpg",
           "exif/orientation6.jpg", "animated.gif"]
    answers = {name: post(page, (tmp_path / name).read_bytes()) for name in odd}
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, answer.json)
        colored = decode_data_url(answer.json["color"])
        np.testing.assert_array_equal(colored, colorize(tmp_path / name, model, render_size=64), name)
    gray_mean = np.asarray(Image.open(tmp_path / "gray16.png")).mean() / 257
    assert abs(decode_data_url(answers["gray16.png"].json["gray"]).mean() - gray_mean) < 3


def test_every_bad_file_of_the_corpus_gets_a_4xx_json_answer_in_one_line(tmp_path, photos, client):
    import cv2

    from tests.test_bad_inputs import H
    from tests.test_bad_inputs import W
    from tests.test_bad_inputs import make_corpus

    cases = make_corpus(tmp_path, cv2.resize(photos["chelsea"], (W, H), interpolation=cv2.INTER_AREA))
    uploads = [c for c in cases if isinstance(c.expect, str) and os.path.isfile(tmp_path / c.path)
               and not os.path.islink(tmp_path / c.path) and os.access(tmp_path / c.path, os.R_OK)]
    assert len(uploads) >= 10
    for case in uploads:
        answer = post(client, (tmp_path / case.path).read_bytes())
        assert answer.status_code in (400, 413) and answer.is_json, (case.name, answer.status_code)
        message = answer.json["error"]
        assert "\n" not in message and "{{" not in message and "Traceback" not in message, (case.name, message)
        if answer.status_code == 400 and case.expect not in ("empty file", "not a readable image"):
            assert re.search(case.expect, message), (case.name, message)


def test_a_hint_click_changes_the_result(photos):
    hinted = serve.create_app(hint_copy_model(), render_size=64).test_client()
    photo = np.full((40, 60, 3), 119, np.uint8)
    before = decode_data_url(post(hinted, encode(photo)).json["color"])
    after_answer = post(hinted, encode(photo), hints=[[45, 12, "#966459"]])
    assert after_answer.status_code == 200 and after_answer.json["hints"] is True
    after = decode_data_url(after_answer.json["color"])
    expected_ab = skimage.color.rgb2lab(np.array([[[0x96, 0x64, 0x59]]], "uint8"))[0, 0, 1:]
    np.testing.assert_allclose(skimage.color.rgb2lab(after)[12, 45, 1:], expected_ab, atol=2.0)
    assert np.abs(skimage.color.rgb2lab(before)[12, 45, 1:]).max() < 1.0
    outside = post(hinted, encode(photo), hints=[[60, 12, "#966459"]])
    assert outside.status_code == 400 and "(60.0, 12.0)" in outside.json["error"]


def test_twenty_concurrent_uploads_each_get_their_own_result():
    app = serve.create_app(pixelwise_model(), render_size=32)
    results, errors = {}, []

    def upload(i):
        try:
            image = np.full((16 + i, 40 - i, 3), 40 + 9 * i, np.uint8)  # own size and lightness
            response = post(app.test_client(), encode(image))
            results[i] = (image, response.status_code, response.json)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 20
    for i, (image, status, body) in results.items():
        assert status == 200, body
        colored = decode_data_url(body["color"])
        assert colored.shape == image.shape
        expected_l = skimage.color.rgb2lab(image[:1, :1])[0, 0, 0]
        assert abs(skimage.color.rgb2lab(colored)[..., 0].mean() - expected_l) < 1.0, i


def test_binds_to_localhost_by_default(tmp_path, monkeypatch, capsys):
    """`serve()` and `keras-colorize serve` start the page on 127.0.0.1 unless told otherwise."""
    import flask

    from keras_colorize import cli

    runs = []
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kwargs: runs.append((app, kwargs)))
    model = pixelwise_model()
    serve.serve(model)
    model.save(tmp_path / "pixelwise.keras")
    assert cli.main(["serve", "--model", str(tmp_path / "pixelwise.keras"), "--render-size", "32"]) == 0
    assert cli.main(["serve", "--model", str(tmp_path / "pixelwise.keras"), "--host", "0.0.0.0"]) == 0
    assert [kwargs["host"] for _, kwargs in runs] == ["127.0.0.1", "127.0.0.1", "0.0.0.0"]
    assert "serving on http://127.0.0.1:8000/" in capsys.readouterr().err
    app, _ = runs[0]
    assert app.test_client().get("/").status_code == 200  # the app it would have run is the page


def _chromium_driver():
    """Headless Debian Chromium driven by Selenium, or a skip saying what is missing."""
    import shutil

    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver):
        pytest.skip("the browser test needs Debian's chromium and chromium-driver packages")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=800,600"):
        options.add_argument(flag)
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver), options=options)


def test_in_a_real_headless_browser(tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from werkzeug.serving import make_server

    browser = _chromium_driver()
    server = make_server("127.0.0.1", 0, serve.create_app(hint_copy_model(), render_size=64), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_port}/")
        photo = tmp_path / "gray.png"
        Image.fromarray(np.full((60, 90, 3), 119, np.uint8)).save(photo)
        browser.find_element(By.ID, "file").send_keys(str(photo))
        wait = WebDriverWait(browser, 30)
        wait.until(lambda b: (b.find_element(By.ID, "color").get_attribute("src") or "").startswith("data:image/png"))
        first = decode_data_url(browser.find_element(By.ID, "color").get_attribute("src"))
        assert first.shape == (60, 90, 3) and np.abs(skimage.color.rgb2lab(first)[..., 1:]).max() < 1.0
        browser.execute_script("document.getElementById('hint-color').value = '#966459';")
        gray = browser.find_element(By.ID, "gray")
        ActionChains(browser).move_to_element_with_offset(gray, 70 - 45, 15 - 30).click().perform()  # pixel (70, 15)
        wait.until(lambda b: "1 hint(s)" in b.find_element(By.ID, "status").text)
        hinted = skimage.color.rgb2lab(decode_data_url(browser.find_element(By.ID, "color").get_attribute("src")))
        expected_ab = skimage.color.rgb2lab(np.array([[[0x96, 0x64, 0x59]]], "uint8"))[0, 0, 1:]
        np.testing.assert_allclose(hinted[15, 70, 1:], expected_ab, atol=3.0)
        assert np.abs(hinted[45, 10, 1:]).max() < 1.0
        assert browser.find_element(By.ID, "download").get_attribute("href").startswith("data:image/png")
        screenshot = tmp_path / "serve_page.png"  # the test artifact
        assert browser.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 1000
    finally:
        browser.quit()
        server.shutdown()
