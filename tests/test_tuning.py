"""KerasTuner search: K folds, every trial COMPLETED, a re-run continues the search."""

import json
import os

import keras_tuner as kt
import pytest
from PIL import Image

from keras_colorize import data
from keras_colorize import tuning

pytestmark = pytest.mark.tensorflow_only

TINY_UNET = {"depth": 2, "base_filters": 4}


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory, photos):
    folder = tmp_path_factory.mktemp("photos")
    for name, image in photos.items():
        for i in range(2):
            Image.fromarray(image[::4, ::4]).save(folder / f"{name}_{i}.jpg", quality=90)
    return folder


def test_fold_files_partition_the_files():
    paths = [f"photo_{i}.jpg" for i in range(60)]
    folds = [tuning.fold_files(paths, 3, k) for k in range(3)]
    validation = [set(val) for _, val in folds]
    assert set().union(*validation) == set(paths)
    assert sum(len(v) for v in validation) == len(paths)  # each file in one fold
    for (train, val), k in zip(folds, range(3)):
        assert set(train) == set(paths) - set(val) and val
    assert folds == [tuning.fold_files(paths, 3, k) for k in range(3)]  # deterministic
    with pytest.raises(ValueError, match="folds=1"):
        tuning.fold_files(paths, 1, 0)


def trial_statuses(directory, project):
    oracle = kt.oracles.RandomSearchOracle(objective=tuning.OBJECTIVE, max_trials=1)
    oracle._set_project_dir(str(directory), project)
    oracle.reload()
    return {trial_id: trial.status for trial_id, trial in oracle.trials.items()}, oracle


def test_search_completes_every_trial_and_resumes(photo_dir, tmp_path):
    paths = data.list_images(photo_dir)

    def tuner(max_trials):
        return tuning.CrossValidatedTuner(
            tuning.UNetHyperModel(image_size=16, model_kwargs=TINY_UNET, jit_compile=False), oracle="random", folds=2,
            max_trials=max_trials, steps_per_epoch=1, directory=tmp_path, project_name="unet", seed=1,
        )

    first = tuner(1)
    first.search(paths, epochs=1)
    statuses, oracle = trial_statuses(tmp_path, "unet")
    assert list(statuses.values()) == ["COMPLETED"]
    scores = {t.trial_id: t.score for t in oracle.trials.values()}
    assert all(10 < s < 60 for s in scores.values())  # mean val PSNR (dB) over the 2 folds
    second = tuner(2)  # same directory, no overwrite: continues
    second.search(paths, epochs=1)
    statuses, oracle = trial_statuses(tmp_path, "unet")
    assert list(statuses.values()) == ["COMPLETED"] * 2
    assert {t: oracle.trials[t].score for t in scores} == scores  # not re-run
    with pytest.raises(NotImplementedError, match="get_best_hyperparameters"):
        second.get_best_models()


def test_main_cli_with_hyperband_and_errors(photo_dir, tmp_path, capsys):
    argv = [
        "--data", str(photo_dir), "--directory", str(tmp_path), "--project-name", "cls", "--folds", "2",
        "--epochs", "2", "--image-size", "16", "--oracle", "hyperband", "--steps-per-epoch", "1",
        "--model-kwargs", json.dumps(TINY_UNET), "--no-jit",
    ]
    best = tuning.main(argv, family="classifier")
    assert {"learning_rate", "batch_size", "rebalance_mix"} <= set(best)
    with open(os.path.join(tmp_path, "cls", "best_hyperparameters.json")) as handle:
        assert json.load(handle) == best
    statuses, _ = trial_statuses(tmp_path, "cls")
    assert statuses and set(statuses.values()) == {"COMPLETED"}
    with pytest.raises(SystemExit):
        tuning.main(["--data", str(photo_dir)])  # --family is required
    assert "--family" in capsys.readouterr().err
    with pytest.raises(ValueError, match="family='gan'"):
        tuning.main([], family="gan")
