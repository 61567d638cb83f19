"""The reports benchmark (benchmarks/reports.py) in its smoke mode, and each report's own metric."""

import json
import pathlib
import sys

import cv2
import numpy as np
import pytest
import skimage.data
import skimage.metrics

from keras_colorize import evaluation

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import reports  # noqa: E402


def photos():
    truths = [skimage.data.astronaut(), skimage.data.coffee(), skimage.data.chelsea()]
    rng = np.random.default_rng(0)
    preds = [np.clip(t.astype(int) + rng.integers(-30, 31, t.shape), 0, 255).astype("uint8") for t in truths]
    return preds, truths


def squash(image, size):
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA).astype("float64")


def test_report_metrics_match_their_formulas_and_skimage():
    preds, truths = photos()
    pairs = {size: [(squash(p, size), squash(t, size)) for p, t in zip(preds, truths)] for size in (96, 224, 256)}
    mse = {size: [np.mean((p / 255 - t / 255) ** 2) for p, t in pairs[size]] for size in pairs}
    # 000: 255² / (MSE + 1e-10) per image on 0..255, at 224².
    expected = np.mean([10 * np.log10(255**2 / (np.mean((p - t) ** 2) + 1e-10)) for p, t in pairs[224]])
    assert evaluation.evaluate_as_report(preds, truths, "000")["psnr"] == pytest.approx(expected, abs=1e-9)
    # 001: PSNR (MAX 255) and SSIM at 256², as scikit-image computes them.
    scores = evaluation.evaluate_as_report(preds, truths, "001")
    psnr = np.mean([skimage.metrics.peak_signal_noise_ratio(t, p, data_range=255) for p, t in pairs[256]])
    ssim = np.mean([skimage.metrics.structural_similarity(t, p, data_range=255, channel_axis=-1)
                    for p, t in pairs[256]])
    assert scores["psnr"] == pytest.approx(psnr, abs=1e-9)
    assert scores["ssim"] == pytest.approx(ssim, abs=1e-9)
    assert evaluation.evaluate_as_report(preds, truths, "002")["ssim"] == pytest.approx(ssim, abs=1e-9)
    # 003: one PSNR of the MSE pooled over the set, not the mean of per-image PSNRs.
    pooled = evaluation.evaluate_as_report(preds, truths, "003")["psnr"]
    assert pooled == pytest.approx(10 * np.log10(1 / np.mean(mse[256])), abs=1e-9)
    assert pooled != pytest.approx(np.mean(10 * np.log10(1 / np.asarray(mse[256]))), abs=1e-6)
    # 004: 1 / MSE on [0, 1] per image, at the side given.
    scores = evaluation.evaluate_as_report(preds, truths, "004", size=96)
    assert scores["psnr"] == pytest.approx(np.mean(10 * np.log10(1 / np.asarray(mse[96]))), abs=1e-9)
    assert scores["size"] == 96 and "1 / MSE" in scores["definition"]


def test_report_metric_errors_quote_the_bad_value():
    preds, truths = photos()
    with pytest.raises(ValueError, match="'005'"):
        evaluation.evaluate_as_report(preds, truths, "005")
    with pytest.raises(ValueError, match="size=4"):
        evaluation.evaluate_as_report(preds, truths, "004", size=4)
    with pytest.raises(ValueError, match="2 predictions and 3 truths"):
        evaluation.evaluate_as_report(preds[:2], truths, "000")


def test_rows_cover_every_recipe_and_the_formulations():
    keys = {row.key for row in reports.ROWS}
    assert len(keys) == len(reports.ROWS)
    from keras_colorize.recipes import RECIPES

    assert set(RECIPES) <= keys
    assert {"unet_alpha_0.3", "unet_alpha_0.7", "unet_rgb", "resnet_l2", "resnet_smooth_l1",
            "resnet_color_weighted_tv", "encoder_unet"} <= keys
    for row in reports.ROWS:  # every row's recipe is valid and builds its loss
        recipe = row.build_recipe()
        recipe.make_loss(prior=np.ones(676) / 676 if recipe.needs_prior else None)


@pytest.mark.tensorflow_only  # trains with tf.data
def test_smoke_run_appends_rows_resumes_and_draws(tmp_path, monkeypatch):
    out = tmp_path / "reports.jsonl"
    argv = ["--smoke", "--out", str(out), "--work-dir", str(tmp_path / "work")]
    records = reports.main(argv + ["--plot", str(tmp_path / "reports.png")])
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["key"] for r in lines] == ["gray", "mean_ab", *reports.SMOKE_ROWS]
    models = [r for r in records if r["kind"] == "model"]
    for r in models:
        assert np.isfinite(r["psnr"]) and 0 < r["ssim"] <= 1 and r["steps"] == 4
        assert r["parameters"] > 0 and r["train_images_per_s"] > 0
        assert "psnr" in r["report_metric"] or "ssim" in r["report_metric"]
    gray = next(r for r in records if r["key"] == "gray")
    assert gray["colorfulness"] < 1.0  # the photos' own L with a = b = 0
    # The baselines carry every report's metric, so each claim can be read against doing nothing.
    assert {"000@224", "001@256", "003@256", "004@96", "004@512"} <= set(gray["report_metrics"])
    assert "(gray " in reports.table(records)
    assert (tmp_path / "reports.png").stat().st_size > 0
    assert not list((tmp_path / "work").iterdir())  # a finished row's checkpoints are removed
    # Run again: nothing is retrained, nothing appended.
    monkeypatch.setattr(reports, "train_row", lambda *a, **k: pytest.fail("retrained a finished row"))
    reports.main(argv)
    assert len(out.read_text().splitlines()) == len(lines)
    text = reports.table(reports.read_results(str(out)))
    for r in records:
        assert r["title"] in text


def test_table_reads_the_last_record_of_each_row(tmp_path):
    out = tmp_path / "r.jsonl"
    base = {"kind": "model", "report": "003", "title": "six", "psnr": 20.0, "ssim": 0.9,
            "colorfulness": 10.0, "delta_e2000": 9.0, "parameters": 1000, "trainable": 1000}
    reports.append_result(str(out), {"key": "a", **base})
    reports.append_result(str(out), {"key": "a", **base, "psnr": 21.5})
    records = reports.read_results(str(out))
    assert len(records) == 1 and records[0]["psnr"] == 21.5
    assert "| 21.50 |" in reports.table(records)
