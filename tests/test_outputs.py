"""Atomic, never-overwriting writes with ordinary file permissions."""

import os
import stat
from pathlib import Path

import pytest

from keras_colorize import outputs

pytestmark = pytest.mark.tensorflow_only


def test_atomic_path_renames_with_umask_permissions(tmp_path):
    target = tmp_path / "sub" / "result.png"
    with outputs.atomic_path(target, suffix=".png") as temporary:
        assert temporary.endswith(".part.png") and os.path.dirname(temporary) == str(target.parent)
        with open(temporary, "wb") as file:
            file.write(b"done")
    assert target.read_bytes() == b"done"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600
    assert os.listdir(target.parent) == ["result.png"]


def test_atomic_path_keeps_existing_file_and_cleans_up_on_error(tmp_path):
    target = tmp_path / "mine.png"
    target.write_bytes(b"user's file")
    with pytest.raises(FileExistsError, match="mine.png"):
        with outputs.atomic_path(target):
            pass
    with pytest.raises(RuntimeError):
        with outputs.atomic_path(target, overwrite=True) as temporary:
            open(temporary, "wb").close()
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"user's file"
    assert os.listdir(tmp_path) == ["mine.png"]


def test_atomic_folder_is_staged_beside_and_replaces_only_when_asked(tmp_path):
    target = tmp_path / "saved_model"
    with outputs.atomic_path(target, folder=True) as temporary:
        assert not os.path.exists(temporary)  # the writer creates the folder
        assert os.path.dirname(os.path.dirname(temporary)) == str(tmp_path)
        os.makedirs(temporary)
        (Path(temporary) / "v1").write_text("1")
    assert os.listdir(target) == ["v1"] and os.listdir(tmp_path) == ["saved_model"]
    with pytest.raises(FileExistsError, match="saved_model"):
        with outputs.atomic_path(target, folder=True):
            pass
    with pytest.raises(RuntimeError):
        with outputs.atomic_path(target, overwrite=True, folder=True) as temporary:
            os.makedirs(temporary)
            raise RuntimeError("writer failed")
    assert os.listdir(target) == ["v1"] and os.listdir(tmp_path) == ["saved_model"]
    with outputs.atomic_path(target, overwrite=True, folder=True) as temporary:
        os.makedirs(temporary)
        (Path(temporary) / "v2").write_text("2")
    assert os.listdir(target) == ["v2"] and os.listdir(tmp_path) == ["saved_model"]
