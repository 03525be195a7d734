import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest
from PIL import Image

from practicas import datasets, testing
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


# ---------------------------------------------------------------- Kaggle refusing a download


def _kaggle_http_error(status):
    """The error kagglehub really raises when Kaggle answers ``status`` (KaggleApiHTTPError, a requests error)."""
    import requests
    from kagglehub.exceptions import KaggleApiHTTPError

    response = requests.Response()
    response.status_code, response.url = status, "https://www.kaggle.com/api/v1/datasets/download/x/y"
    return KaggleApiHTTPError(f"{status} Client Error.\n\nYou don't have permission to access resource", response)


def test_kaggle_401_says_to_give_credentials(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub(tmp_path, error=_kaggle_http_error(401)))
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("alien_vs_predator", data_root=tmp_path / "empty")
    message = str(info.value)
    assert "HTTP 401" in message and "kagglehub.login()" in message and "KAGGLE_USERNAME and KAGGLE_KEY" in message
    assert "alien_vs_predator_thumbnails" in message and "accept" not in message


def test_kaggle_missing_credentials_before_asking_is_a_401(tmp_path, monkeypatch):
    from kagglehub.exceptions import UnauthenticatedError

    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub(tmp_path, error=UnauthenticatedError()))
    with pytest.raises(DatasetNotFoundError, match=r"HTTP 401.*kagglehub\.login\(\)"):
        datasets.kaggle_download("slothkong/10-monkey-species")


def test_kaggle_403_says_to_accept_the_terms_on_the_dataset_page(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub(tmp_path, error=_kaggle_http_error(403)))
    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("monkeys", data_root=tmp_path / "empty")
    message = str(info.value)
    assert "HTTP 403" in message and "terms" in message
    assert "https://www.kaggle.com/datasets/slothkong/10-monkey-species in a browser" in message


def test_kaggle_other_http_errors_pass_through_kaggle_download(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub(tmp_path, error=_kaggle_http_error(500)))
    with pytest.raises(Exception, match="500 Client Error") as info:
        datasets.kaggle_download("slothkong/10-monkey-species")
    assert not isinstance(info.value, DatasetNotFoundError)


# ---------------------------------------------------------------- layouts people have when the download fails


def test_mnist_as_kaggle_unzips_it(tmp_path):
    folder = testing.write_kaggle_mnist(tmp_path)
    data = load_dataset("mnist", data_root=tmp_path)
    assert data.source == str(folder) and data.x_train.shape == (30, 28, 28, 1) and data.x_test.shape == (12, 28, 28, 1)
    assert data.y_train.tolist() == (np.arange(30) % 10).tolist()
    expected = datasets.read_idx(folder / "train-images.idx3-ubyte")
    # Without the dotted copies, the one-file folders Kaggle also ships are enough.
    for stem in datasets.IDX_FILES:
        (folder / stem.replace("-idx", ".idx")).unlink()
    again = load_dataset("mnist", data_root=tmp_path)
    assert np.array_equal(again.x_train[..., 0], expected) and np.array_equal(again.y_test, data.y_test)


def test_mnist_missing_names_both_manual_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("mnist", data_root=tmp_path)
    message = str(info.value)
    assert datasets.MNIST_NPZ_URL in message and datasets.MNIST_KAGGLE_URL in message
    assert str(tmp_path / "mnist") in message


def test_cifar_archives_are_read_without_extracting(tmp_path):
    archives = testing.write_cifar_archives(tmp_path / "archives")
    testing._write_cifar(tmp_path / "folders", np.random.default_rng(0))  # the same files, extracted
    for name in ("cifar10", "cifar100_subset"):
        from_archive = load_dataset(name, data_root=tmp_path / "archives")
        from_folder = load_dataset(name, data_root=tmp_path / "folders")
        assert from_archive.source.endswith(".tar.gz")
        for split in ("x_train", "y_train", "x_test", "y_test"):
            assert np.array_equal(getattr(from_archive, split), getattr(from_folder, split)), (name, split)
    assert sorted((tmp_path / "archives").iterdir()) == sorted(archives)  # nothing extracted beside them


def test_cifar_archive_in_a_cifar_folder(tmp_path):
    testing.write_cifar_archives(tmp_path / "cifar")
    data = load_dataset("cifar10", data_root=tmp_path)
    assert data.source == str(tmp_path / "cifar" / "cifar-10-python.tar.gz") and data.x_train.shape == (50, 32, 32, 3)


def test_truncated_cifar_archive_says_to_download_again_and_keeps_it(tmp_path):
    archive = testing.write_cifar_archives(tmp_path)[0]
    raw = archive.read_bytes()
    archive.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError, match=r"cifar-10-python\.tar\.gz is truncated or corrupt.*download .* again"):
        load_dataset("cifar10", data_root=tmp_path)
    assert archive.stat().st_size == len(raw) // 2


def test_half_extracted_cifar_folder_names_what_is_missing_and_deletes_nothing(tmp_path):
    testing._write_cifar(tmp_path, np.random.default_rng(0))
    folder = tmp_path / "cifar-10-batches-py"
    (folder / "data_batch_3").unlink()
    (folder / "data_batch_5").unlink()
    before = sorted(folder.iterdir())
    with pytest.raises(DataFormatError, match=r"lacks data_batch_3, data_batch_5.*Extract cifar-10-python\.tar\.gz"):
        load_dataset("cifar10", data_root=tmp_path)
    assert sorted(folder.iterdir()) == before
    # With the archive beside it, the archive is read instead.
    testing.write_cifar_archives(tmp_path)
    assert load_dataset("cifar10", data_root=tmp_path).source == str(tmp_path / "cifar-10-python.tar.gz")


def test_truncated_cifar_batch_in_a_folder_is_named(tmp_path):
    testing._write_cifar(tmp_path, np.random.default_rng(0))
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(batch.read_bytes()[:500])
    with pytest.raises(DataFormatError, match=r"test_batch is truncated or corrupt.*extract cifar-10-python"):
        load_dataset("cifar10", data_root=tmp_path)
    assert batch.exists()


def test_cifar_missing_says_where_to_download_the_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DatasetNotFoundError, match=r"cifar-100-python\.tar\.gz and put it, as it is or extracted"):
        load_dataset("cifar100_subset", data_root=tmp_path)


def _sorted_examples(x, y):
    """Images and labels in one canonical order, to compare loaders that read them in different orders."""
    order = sorted(range(len(y)), key=lambda i: (int(y[i]), x[i].tobytes()))
    return x[order], y[order]


def test_emnist_zip_matches_what_tfds_gives_for_the_same_files(tmp_path):
    archive = testing.write_emnist_zip(tmp_path / "nist")
    from_zip = load_dataset("emnist_letters", data_root=tmp_path / "nist")
    assert from_zip.source == str(archive) and from_zip.x_train.shape == (14, 28, 28, 1)  # letters a-j of 1..26
    assert set(from_zip.y_train.tolist()) == set(range(10)) and len(from_zip.y_test) == 10
    # TFDS prepared from the very same IDX files (as its builder does: images stored as read) must agree.
    raw = datasets.read_zip_members(archive, datasets.EMNIST_LETTERS_FILES, "")
    arrays = [datasets.idx_from_bytes(gzip.decompress(raw[name]), name) for name in datasets.EMNIST_LETTERS_FILES]
    splits = {
        split: [{"image": image[..., None], "label": int(label)} for image, label in zip(images, labels)]
        for split, images, labels in (("train", *arrays[:2]), ("test", *arrays[2:]))
    }
    testing._prepare_tfds(tmp_path / "tfds" / "tensorflow_datasets", "emnist/letters", splits)
    from_tfds = load_dataset("emnist_letters", data_root=tmp_path / "tfds")
    assert from_tfds.source == "tfds emnist/letters"
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        zip_x, zip_y = _sorted_examples(getattr(from_zip, x), getattr(from_zip, y))
        tfds_x, tfds_y = _sorted_examples(getattr(from_tfds, x), getattr(from_tfds, y))
        assert np.array_equal(zip_y, tfds_y) and np.array_equal(zip_x, tfds_x)


def test_emnist_extracted_gzip_folder(tmp_path):
    import zipfile

    archive = testing.write_emnist_zip(tmp_path)
    from_zip = load_dataset("emnist_letters", data_root=tmp_path)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "emnist")
    archive.unlink()
    from_folder = load_dataset("emnist_letters", data_root=tmp_path)
    assert from_folder.source == str(tmp_path / "emnist" / "gzip")
    assert np.array_equal(from_folder.x_train, from_zip.x_train) and np.array_equal(from_folder.y_test, from_zip.y_test)


def test_truncated_emnist_zip_says_to_download_again(tmp_path):
    archive = testing.write_emnist_zip(tmp_path)
    raw = archive.read_bytes()
    archive.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError, match=r"gzip\.zip is truncated or corrupt.*download gzip\.zip again"):
        load_dataset("emnist_letters", data_root=tmp_path)
    assert archive.exists()


def test_emnist_offline_says_to_fetch_nists_zip(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("emnist_letters", data_root=tmp_path)
    message = str(info.value)
    assert (
        datasets.EMNIST_URL in message
        and f"gzip.zip (as downloaded, or its gzip/ folder extracted) in {tmp_path / 'emnist'}" in message
    )
    assert "offline" in message


def test_caltech_birds2010_from_the_original_archives(tmp_path):
    folder = testing.write_cub2010_archives(tmp_path / "caltech_birds2010", per_class={"train": 3, "test": 2})
    data = load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(48, 40))
    assert data.source == str(folder) and data.x_train.shape == (9, 48, 40, 3) and data.x_test.shape == (6, 48, 40, 3)
    assert sorted(data.y_train) == [0, 0, 0, 1, 1, 1, 199, 199, 199] and sorted(data.y_test) == [0, 0, 1, 1, 199, 199]
    # The lists are sorted by species; the loader's order is shuffled (as TFDS's), so the front is a sample.
    assert len(set(data.y_train[:3].tolist())) > 1 and data.y_train.tolist() != sorted(data.y_train)
    assert data.num_classes == 200 and data.class_names[1] == "Laysan Albatross" and data.class_names[5] == "species 5"


def test_caltech_birds2010_labels_are_the_ones_tfds_builder_gives(tmp_path):
    import tensorflow_datasets as tfds

    folder = testing.write_cub2010_archives(tmp_path)
    data = load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(32, 32))
    builder = tfds.builder("caltech_birds2010", data_dir=str(tmp_path / "tfds"))
    listed = (folder / "lists" / "train.txt").read_text().splitlines()
    members = sorted(p for p in (folder / "images").rglob("*.jpg"))
    annotations = {
        p.stem: [{"top": 1, "left": 1, "bottom": 10, "right": 10}, np.zeros((20, 20), np.uint8)] for p in members
    }
    # The archive as tfds iterates it: member names under images/, and file objects.
    archive = [(f"images/{p.relative_to(folder / 'images').as_posix()}", p.open("rb")) for p in members]
    examples = dict(builder._generate_examples(archive=archive, file_names=listed, annotations=annotations))
    assert sorted(examples[f"images/{line}"]["label"] for line in listed) == sorted(data.y_train.tolist())
    assert len(listed) == len(data.y_train)


def test_caltech_birds2010_without_lists_says_to_unpack_lists_tgz(tmp_path):
    folder = testing.write_cub2010_archives(tmp_path)
    (folder / "lists" / "test.txt").unlink()
    with pytest.raises(DataFormatError, match=r"lists/test\.txt is missing: download lists\.tgz"):
        load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(32, 32))
    for listing in (folder / "lists").iterdir():
        listing.unlink()
    (folder / "lists").rmdir()
    images = sorted((folder / "images").rglob("*"))
    with pytest.raises(DataFormatError) as info:
        load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(32, 32))
    assert "has images/ but no lists/" in str(info.value) and datasets.CUB2010_LISTS_URL in str(info.value)
    assert sorted((folder / "images").rglob("*")) == images


def test_caltech_birds2010_half_extracted_images_are_named(tmp_path):
    folder = testing.write_cub2010_archives(tmp_path)
    (folder / "images" / "002.Laysan_Albatross" / "Laysan_Albatross_0002.jpg").unlink()
    with pytest.raises(DataFormatError, match=r"lacks 1 of the images .*first: 002\.Laysan_Albatross/.*images\.tgz"):
        load_dataset("caltech_birds2010", data_root=tmp_path, image_size=(32, 32))


def test_caltech_birds2010_failed_download_says_where_to_get_it_by_hand(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    def google_drive_virus_scan_page(*args, **kwargs):
        raise tfds.download.download_manager.NonMatchingChecksumError("https://drive.google.com/uc?...", "/tmp/x")

    monkeypatch.setattr(datasets, "downloads_allowed", lambda: True)
    monkeypatch.setattr(tfds, "load", google_drive_virus_scan_page)
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("caltech_birds2010", data_root=tmp_path)
    message = str(info.value)
    assert "the download failed: tensorflow_datasets said:" in message and "tensorflow/datasets#5544" in message
    assert datasets.CUB2010_IMAGES_URL in message and datasets.CUB2010_LISTS_URL in message
    assert f"lists/test.txt in {tmp_path / 'caltech_birds2010'}" in message


def test_emoji_pickle_smaller_than_the_split_is_refused_before_training(tmp_path):
    path = tmp_path / "emoji" / "emoji.pkl"
    path.parent.mkdir()
    path.write_bytes(pickle.dumps({"images": np.zeros((120, 32, 32, 3), np.uint8), "labels": np.arange(120) % 5}))
    with pytest.raises(DataFormatError, match=r"emoji\.pkl holds 120 images.*train=800.*more than 800"):
        load_dataset("emoji", data_root=tmp_path)
    with pytest.raises(DataFormatError, match=r"pass train= between 1 and 119"):
        load_dataset("emoji", path=path, train=120)
    assert len(load_dataset("emoji", path=path, train=100).x_test) == 20


def test_caltech_birds2010_archives_downloaded_but_not_unpacked(tmp_path):
    (tmp_path / "caltech_birds2010").mkdir()
    (tmp_path / "caltech_birds2010" / "images.tgz").write_bytes(b"not read")
    with pytest.raises(DataFormatError, match=r"images\.tgz still packed: unpack images\.tgz and lists\.tgz"):
        load_dataset("caltech_birds2010", data_root=tmp_path)
    assert (tmp_path / "caltech_birds2010" / "images.tgz").read_bytes() == b"not read"
