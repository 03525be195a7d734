import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest
from PIL import Image

from practicas import datasets
from practicas.datasets import load_dataset
from practicas.errors import DataFormatError, DatasetNotFoundError, UnknownDatasetError, UnsafePickleError


@pytest.mark.fashion
def test_fashion_mnist_from_the_debian_package(fashion):
    assert fashion.source == str(datasets.SYSTEM_FASHION_MNIST)
    assert fashion.x_train.shape == (60000, 28, 28, 1) and fashion.x_test.shape == (10000, 28, 28, 1)
    assert fashion.x_train.dtype == np.uint8 and np.bincount(fashion.y_train).tolist() == [6000] * 10
    assert fashion.split_sizes()["train"] == {"height": 28, "width": 28, "channels": 1, "samples": 60000}


def _write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_mnist_from_idx_files_under_practicas_data(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for stem, shape in zip(datasets.IDX_FILES, [(20, 28, 28), (20,), (5, 28, 28), (5,)]):
        _write_idx(folder / f"{stem}.gz", rng.integers(0, 10 if len(shape) == 1 else 255, shape))
    monkeypatch.setenv("PRACTICAS_DATA", str(tmp_path))
    data = load_dataset("mnist")
    assert data.x_train.shape == (20, 28, 28, 1) and data.source == str(folder)


def test_idx_with_bad_magic_is_refused(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(DataFormatError, match="bad magic"):
        datasets.read_idx(tmp_path / "bad")


def test_missing_dataset_offline_names_files_and_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("cifar10", data_root=tmp_path)
    message = str(info.value)
    assert "'cifar10'" in message and "data_batch_1..5" in message and str(tmp_path / "cifar-10-batches-py") in message


def test_failed_download_online_says_so_and_shows_the_cause(tmp_path, monkeypatch):
    import keras

    def unreachable():
        raise OSError("HTTP Error 503: Service Unavailable")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", unreachable)
    with pytest.raises(DatasetNotFoundError, match=r"'cifar10': the download failed: HTTP Error 503"):
        load_dataset("cifar10", data_root=tmp_path)
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: False)
    with pytest.raises(DatasetNotFoundError, match=r"'cifar10' is not on disk.*downloads are off"):
        load_dataset("cifar10", data_root=tmp_path)


def test_kaggle_dataset_missing_says_where_to_unpack(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"training/n0\.\.n9.*10-monkey-species.*kaggle"):
        load_dataset("monkeys", data_root=tmp_path)


def test_unknown_dataset_name():
    with pytest.raises(UnknownDatasetError, match="did you mean mnist"):
        load_dataset("mnsit")


def test_cifar100_subset_from_generated_pickles(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for split, n in (("train", 200), ("test", 100)):
        batch = {b"data": rng.integers(0, 255, (n, 3072)).astype(np.uint8), b"fine_labels": list(np.arange(n) % 100)}
        (folder / split).write_bytes(pickle.dumps(batch))
    data = load_dataset("cifar100_subset", data_root=tmp_path)
    assert data.x_train.shape == (50, 32, 32, 3) and data.y_train.max() == 24 and data.num_classes == 25
    assert len(data.x_test) == 25


# ---------------------------------------------------------------- tfds-backed loaders, offline


def test_emnist_letters_via_tfds_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=60):
        data = load_dataset("emnist_letters", data_root=tmp_path)
    assert data.x_train.shape[1:] == (28, 28, 1)
    assert set(np.unique(data.y_train)) <= set(range(10)) and data.class_names == list("abcdefghij")


def test_cats_vs_dogs_via_tfds_mock_data_resized_to_128(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=20):
        data = load_dataset("cats_vs_dogs", data_root=tmp_path, train=10, validation=5, test=5)
    assert data.x_train.shape == (10, 128, 128, 3) and data.x_val.shape == (5, 128, 128, 3) and len(data.x_test) == 5


def test_caltech_birds2010_via_tfds_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=8):
        data = load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(64, 64))
    assert data.x_train.shape == (8, 64, 64, 3) and data.num_classes == 200


# ---------------------------------------------------------------- folders


def _make_folder(root, classes=("alien", "predator"), n=3):
    rng = np.random.default_rng(0)
    for split in ("train", "validation"):
        for c in classes:
            d = root / split / c
            d.mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(d / f"{i}.jpg")
    return root


def test_folder_loader_skips_corrupt_and_stray_files_and_converts_modes(tmp_path):
    root = _make_folder(tmp_path / "alien-vs-predator")
    alien = root / "train" / "alien"
    (alien / ".DS_Store").write_bytes(b"\x00\x01")
    (alien / "notes.txt").write_text("not an image")
    (alien / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    Image.fromarray(np.zeros((30, 30), np.uint8)).save(alien / "grey.png")
    Image.fromarray(np.zeros((30, 30, 4), np.uint8)).save(alien / "rgba.png")
    data = load_dataset("alien_vs_predator", data_root=tmp_path, image_size=(32, 32))
    assert data.skipped == 3
    assert data.x_train.shape == (8, 32, 32, 3) and np.bincount(data.y_train).tolist() == [5, 3]


def test_empty_class_folder_is_an_error(tmp_path):
    root = _make_folder(tmp_path / "alien-vs-predator")
    for f in (root / "validation" / "predator").iterdir():
        f.unlink()
    with pytest.raises(DataFormatError, match="predator has no readable images"):
        load_dataset("alien_vs_predator", data_root=tmp_path)


def test_folder_without_expected_layout(tmp_path):
    (tmp_path / "10-monkey-species" / "training").mkdir(parents=True)
    with pytest.raises(DataFormatError, match="class sub-folders"):
        load_dataset("monkeys", data_root=tmp_path)


def test_monkeys_nested_kaggle_layout(tmp_path):
    for split in ("training", "validation"):
        for i in range(10):
            d = tmp_path / "10-monkey-species" / split / split / f"n{i}"
            d.mkdir(parents=True)
            Image.fromarray(np.full((20, 20, 3), i * 20, np.uint8)).save(d / "a.jpg")
    data = load_dataset("monkeys", data_root=tmp_path, image_size=(16, 16))
    assert data.x_train.shape == (10, 16, 16, 3) and data.class_names[3] == "n3 japanese macaque"


# ---------------------------------------------------------------- emoji pickle


def test_emoji_pickle_channels_first_and_split(tmp_path):
    images = np.random.default_rng(0).random((20, 3, 32, 32)).astype("float32")
    path = tmp_path / "emoji.pkl"
    path.write_bytes(pickle.dumps({"X": images, "Y": np.arange(20) % 5}))
    data = load_dataset("emoji", path=path, train=16)
    assert data.x_train.shape == (16, 32, 32, 3) and data.x_train.dtype == np.uint8 and len(data.x_test) == 4


@pytest.mark.parametrize(
    "payload,message",
    [
        ({"pixels": np.zeros((2, 32, 32, 3))}, "expected images under one of"),
        ({"images": np.zeros((2, 28, 28, 3)), "labels": [0, 1]}, r"expected \(N, 32, 32, 3\)"),
        ({"images": np.zeros((2, 32, 32, 3)), "labels": [0, 7]}, r"labels must lie in 0..4"),
        ({"images": np.zeros((2, 32, 32, 3)), "labels": [0]}, "2 images but 1 labels"),
    ],
)
def test_bad_emoji_pickles_name_the_problem(tmp_path, payload, message):
    path = tmp_path / "emoji.pkl"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(DataFormatError, match=message):
        datasets.load_emoji_pickle(path)


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_raises_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "emoji.pkl"
    path.write_bytes(pickle.dumps({"images": RunsACommand(marker), "labels": [0]}))
    with pytest.raises(UnsafePickleError, match="refusing to load posix.system|refusing to load os.system"):
        datasets.load_emoji_pickle(path)
    assert not marker.exists()
    # The same file through plain pickle would have run the command: the payload is real.
    pickle.loads(path.read_bytes())
    assert marker.exists()


class FakeKagglehub:
    """Stands in for kagglehub: 'downloads' by writing a dataset in Kaggle's layout, or fails like Kaggle does."""

    def __init__(self, root, error=None):
        self.root, self.error, self.calls = root, error, []

    def dataset_download(self, handle):
        self.calls.append(handle)
        if self.error:
            raise self.error
        from practicas.standins import write_image_folder

        version = self.root / handle / "versions" / "2"
        write_image_folder(
            version, train_per_class=2, test_per_class=1, size=32, split_names=("training", "validation")
        )
        return str(version)


def test_kaggle_dataset_not_on_disk_is_downloaded_with_kagglehub(tmp_path, monkeypatch):
    fake = FakeKagglehub(tmp_path / "kagglehub")
    monkeypatch.setitem(sys.modules, "kagglehub", fake)
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    data = load_dataset("monkeys", data_root=tmp_path / "empty", image_size=(32, 32))
    assert fake.calls == ["slothkong/10-monkey-species"]
    assert data.num_classes == 10 and len(data.y_train) == 20 and len(data.y_test) == 10
    assert data.source == str(tmp_path / "kagglehub" / "slothkong/10-monkey-species" / "versions" / "2")


def test_kaggle_download_failure_says_how_to_give_credentials(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub(tmp_path, error=PermissionError("401 Unauthorized")))
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    with pytest.raises(
        DatasetNotFoundError, match=r"the download failed: PermissionError: 401 Unauthorized.*KAGGLE_USERNAME"
    ):
        load_dataset("alien_vs_predator", data_root=tmp_path / "empty")
