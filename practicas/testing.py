"""Small datasets and weights files in the reports' *real* on-disk formats, for testing the full path offline.

Like ``tfds.testing``, this ships with the package: a full-mode run
(``python -m practicas run --all --smoke``) needs the reports' datasets and
ImageNet weights, which cannot be downloaded here, in CI or in tests.
:func:`write_fixture_data` writes, under one folder, a few images of each
dataset exactly where and how the loaders look for them (MNIST IDX files and
Keras's ``mnist.npz``; CIFAR "python version" pickles; prepared TFDS datasets
with the real feature specs and split names; the Kaggle folders as their
archives unpack; the r002 emoji pickle). :func:`write_fixture_weights` writes,
for every ``weights="imagenet"`` builder, a weights file of the right
architecture (random values) under the exact name the library reads.

The layouts people end up with when a download fails or they fetch files by
hand have writers of their own, each one layout under the root it is given:
:func:`write_cub2010_archives` (CUB-200 2010's ``images/`` and ``lists/``),
:func:`write_kaggle_mnist` (Kaggle's uncompressed ``train-images.idx3-ubyte``...),
:func:`write_cifar_archives` (the ``.tar.gz`` files as downloaded) and
:func:`write_emnist_zip` (NIST's ``gzip.zip``).

    python -m practicas.testing DIR    # writes DIR/data and DIR/keras, prints the two variables to set

Images are random: the files prove formats, layouts and code paths, not accuracy.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import pickle
import struct
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from practicas.datasets import EMNIST_LETTERS_FILES, IDX_FILES

FIXTURE_SAMPLES = {"train": 30, "test": 12}  # per split; write_fixture_data(samples=N) raises the training count


def _images(rng, n: int, height: int, width: int, channels: int, labels) -> np.ndarray:
    """Noise with a per-class brightness, so classes differ a little."""
    noise = rng.integers(0, 128, (n, height, width, channels))
    return (noise + (np.asarray(labels).reshape(-1, 1, 1, 1) * 37) % 128).astype(np.uint8)


def _labels(n: int, classes: int) -> np.ndarray:
    return (np.arange(n) % classes).astype("int64")


def write_idx(path: Path, array: np.ndarray) -> Path:
    """An IDX file (MNIST's format: magic, big-endian dimensions, unsigned bytes), gzipped if ``path`` ends in ``.gz``.

    Example:
        >>> from practicas.datasets import read_idx
        >>> read_idx(write_idx(Path("/tmp/practicas-labels-idx1-ubyte.gz"), np.arange(3, dtype="uint8"))).tolist()
        [0, 1, 2]
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    raw = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def _write_mnist_like(root: Path, folder: str, rng) -> None:
    arrays = []
    for n in (FIXTURE_SAMPLES["train"], FIXTURE_SAMPLES["test"]):  # IDX train, then t10k
        labels = _labels(n, 10)
        arrays += [_images(rng, n, 28, 28, 1, labels)[..., 0], labels.astype(np.uint8)]
    for stem, array in zip(IDX_FILES, arrays):
        write_idx(root / folder / f"{stem}.gz", array)
    if folder == "mnist":  # Keras's own cache format, the loader's other source
        np.savez(root / "mnist.npz", x_train=arrays[0], y_train=arrays[1], x_test=arrays[2], y_test=arrays[3])


def _pickle(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(obj, protocol=2))


def _cifar_batch(rng, n: int, classes: int, label_key: bytes, extra: dict | None = None) -> dict:
    labels = _labels(n, classes)
    images = _images(rng, n, 32, 32, 3, labels)
    # The python version: bytes keys (pickled by Python 2), rows of 3072 bytes in channel-major order.
    return {
        b"batch_label": b"fixture",
        label_key: [int(v) for v in labels],
        b"data": images.transpose(0, 3, 1, 2).reshape(n, -1),
        b"filenames": [b"%d.png" % i for i in range(n)],
        **(extra or {}),
    }


def _cifar_files(rng):
    """(path as the archives hold it, unpickled content) of every file of both CIFAR python versions."""
    for index in range(1, 6):
        yield (
            f"cifar-10-batches-py/data_batch_{index}",
            _cifar_batch(rng, max(10, FIXTURE_SAMPLES["train"] // 5), 10, b"labels"),
        )
    yield "cifar-10-batches-py/test_batch", _cifar_batch(rng, FIXTURE_SAMPLES["test"], 10, b"labels")
    yield (
        "cifar-10-batches-py/batches.meta",
        {
            b"label_names": [
                n.encode() for n in ("airplane automobile bird cat deer dog frog horse ship truck").split()
            ],
            b"num_cases_per_batch": 10000,
            b"num_vis": 3072,
        },
    )
    for split, n in (("train", 4 * FIXTURE_SAMPLES["train"]), ("test", 50)):  # 100 fine classes: r001 keeps 0..24
        labels = _labels(n, 100)
        yield (
            f"cifar-100-python/{split}",
            _cifar_batch(rng, n, 100, b"fine_labels", {b"coarse_labels": [int(v) // 5 for v in labels]}),
        )
    yield (
        "cifar-100-python/meta",
        {
            b"fine_label_names": [b"class%d" % i for i in range(100)],
            b"coarse_label_names": [b"super%d" % i for i in range(20)],
        },
    )


def _write_cifar(root: Path, rng) -> None:
    for relative, content in _cifar_files(rng):
        _pickle(root / relative, content)


def write_cifar_archives(root, seed: int = 0) -> list[Path]:
    """``cifar-10-python.tar.gz`` and ``cifar-100-python.tar.gz`` in ``root``, as downloaded and never extracted.

    The members are the originals' (``cifar-10-batches-py/data_batch_1``...,
    ``readme.html``), each a small python-version pickle.

    Example:
        >>> from practicas.datasets import load_dataset
        >>> archives = write_cifar_archives("/tmp/practicas-cifar-archives")
        >>> load_dataset("cifar10", data_root="/tmp/practicas-cifar-archives").source.endswith("cifar-10-python.tar.gz")
        True
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    members = {"cifar-10-batches-py": [("cifar-10-batches-py/readme.html", b"<html></html>")], "cifar-100-python": []}
    for relative, content in _cifar_files(np.random.default_rng(seed)):
        members[relative.split("/")[0]].append((relative, pickle.dumps(content, protocol=2)))
    written = []
    for folder, archive in (
        ("cifar-10-batches-py", "cifar-10-python.tar.gz"),
        ("cifar-100-python", "cifar-100-python.tar.gz"),
    ):
        with tarfile.open(root / archive, "w:gz") as tar:
            for relative, raw in members[folder]:
                info = tarfile.TarInfo(relative)
                info.size = len(raw)
                tar.addfile(info, io.BytesIO(raw))
        written.append(root / archive)
    return written


def _prepare_tfds(data_dir: Path, name: str, splits: dict[str, list[dict]]) -> None:
    """A prepared TFDS dataset (TFRecords, dataset_info.json with the real features) from the given examples."""
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=str(data_dir))
    # The builder's own features, version and split names; only the examples are ours instead of the download's.
    builder._split_generators = lambda dl_manager: {
        split: ((f"{split}-{i}", example) for i, example in enumerate(examples)) for split, examples in splits.items()
    }
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))


def _write_tfds(root: Path, rng) -> None:
    data_dir = root / "tensorflow_datasets"
    letters = {
        split: [
            {"image": image, "label": int(label)}
            for image, label in zip(_images(rng, n, 28, 28, 1, _labels(n, 10) + 1), _labels(n, 10) + 1)
        ]  # letters a-j are 1..10
        for split, n in (("train", FIXTURE_SAMPLES["train"]), ("test", FIXTURE_SAMPLES["test"]))
    }
    _prepare_tfds(data_dir, "emnist/letters", letters)
    n = FIXTURE_SAMPLES["train"] + FIXTURE_SAMPLES["test"]
    cats = [
        {"image": image, "image/filename": f"{i}.jpg", "label": int(label)}
        for i, (image, label) in enumerate(zip(_images(rng, n, 60, 80, 3, _labels(n, 2)), _labels(n, 2)))
    ]
    _prepare_tfds(data_dir, "cats_vs_dogs", {"train": cats})
    import tensorflow_datasets as tfds

    birds = {}
    for split, n in (("train", FIXTURE_SAMPLES["train"]), ("test", FIXTURE_SAMPLES["test"])):
        labels = _labels(n, 200)
        birds[split] = [
            {
                "image": image,
                "image/filename": f"{i}.jpg",
                "label": int(label),
                "label_name": f"species {label}",
                "bbox": tfds.features.BBox(0.1, 0.1, 0.9, 0.9),
                "segmentation_mask": np.zeros((60, 80, 1), np.uint8),
            }
            for i, (image, label) in enumerate(zip(_images(rng, n, 60, 80, 3, labels), labels))
        ]
    _prepare_tfds(data_dir, "caltech_birds2010", birds)


def _write_jpeg(path: Path, image: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, quality=90)


def _write_jpegs(folder: Path, images: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, image in enumerate(images):
        _write_jpeg(folder / f"{index:03d}.jpg", image)


def _write_kaggle(root: Path, rng) -> None:
    # 10 Monkey Species unpacks with the split folder doubled: training/training/n0/...
    monkeys = root / "10-monkey-species"
    for split, per_class in (("training", max(3, FIXTURE_SAMPLES["train"] // 10)), ("validation", 2)):
        for k in range(10):
            _write_jpegs(monkeys / split / split / f"n{k}", _images(rng, per_class, 60, 80, 3, [k] * per_class))
    (monkeys / "monkey_labels.txt").write_text("Label, Latin Name, Common Name\n")
    # Alien vs Predator unpacks to alien_vs_predator_thumbnails/data/{train,validation}/{alien,predator}/
    aliens = root / "alien_vs_predator_thumbnails" / "data"
    for split, per_class in (("train", max(8, FIXTURE_SAMPLES["train"] // 2)), ("validation", 4)):
        for k, name in enumerate(("alien", "predator")):
            _write_jpegs(aliens / split / name, _images(rng, per_class, 60, 80, 3, [k] * per_class))


def write_kaggle_mnist(root, seed: int = 0) -> Path:
    """MNIST as Kaggle's ``hojjatk/mnist-dataset`` unzips, in ``root/mnist/archive/``: returns that folder.

    Kaggle's copy is uncompressed and names the files with a dot
    (``train-images.idx3-ubyte``), and repeats each one inside a folder of the
    dashed name (``train-images-idx3-ubyte/train-images-idx3-ubyte``).

    Example:
        >>> from practicas.datasets import load_dataset
        >>> folder = write_kaggle_mnist("/tmp/practicas-kaggle-mnist")
        >>> load_dataset("mnist", data_root="/tmp/practicas-kaggle-mnist").x_train.shape
        (30, 28, 28, 1)
    """
    rng = np.random.default_rng(seed)
    folder = Path(root) / "mnist" / "archive"
    arrays = []
    for n in (FIXTURE_SAMPLES["train"], FIXTURE_SAMPLES["test"]):
        labels = _labels(n, 10)
        arrays += [_images(rng, n, 28, 28, 1, labels)[..., 0], labels.astype(np.uint8)]
    for stem, array in zip(IDX_FILES, arrays):
        write_idx(folder / stem.replace("-idx", ".idx"), array)
        write_idx(folder / stem / stem, array)
    return folder


EMNIST_FIXTURE_LETTERS = 26  # every letter, so a loader must drop k..z itself


def write_emnist_zip(root, seed: int = 0) -> Path:
    """NIST's EMNIST ``gzip.zip`` in ``root/emnist/``, holding only the letters split: returns the zip's path.

    As in the original, the zip holds ``gzip/emnist-letters-*-ubyte.gz`` (gzipped IDX),
    labels are 1..26 and each image is stored transposed (column by column).

    Example:
        >>> from practicas.datasets import load_dataset
        >>> archive = write_emnist_zip("/tmp/practicas-emnist")
        >>> sorted(set(load_dataset("emnist_letters", data_root="/tmp/practicas-emnist").y_train.tolist()))
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    rng = np.random.default_rng(seed)
    arrays = []
    for n in (FIXTURE_SAMPLES["train"], FIXTURE_SAMPLES["test"]):
        labels = _labels(n, EMNIST_FIXTURE_LETTERS) + 1
        images = _images(rng, n, 28, 28, 1, labels)[..., 0]
        arrays += [images.transpose(0, 2, 1), labels.astype(np.uint8)]
    path = Path(root) / "emnist" / "gzip.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in zip(EMNIST_LETTERS_FILES, arrays):
            array = np.ascontiguousarray(array, dtype=np.uint8)
            header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
            archive.writestr(f"gzip/{name}", gzip.compress(header + array.tobytes()))
        mapping = "".join(f"{k} {64 + k} {96 + k}\n" for k in range(1, 27))
        archive.writestr("gzip/emnist-letters-mapping.txt", mapping)
    return path


CUB2010_FIXTURE_CLASSES = ("001.Black_footed_Albatross", "002.Laysan_Albatross", "200.Common_Yellowthroat")


def write_cub2010_archives(root, seed: int = 0, per_class: dict[str, int] | None = None) -> Path:
    """CUB-200 2010 as its ``images.tgz`` and ``lists.tgz`` unpack, in ``root/CUB_200_2010/``: returns that folder.

    ``images/<NNN.Species>/<Species>_<NNNN>.jpg`` (JPEGs of varying sizes) and
    ``lists/{train,test,classes,files}.txt`` listing them relative to ``images/``;
    three of the 200 classes, the last one (200) included. ``per_class`` sets the
    images per class and split (default ``{"train": 2, "test": 1}``).

    Example:
        >>> from practicas.datasets import load_dataset
        >>> folder = write_cub2010_archives("/tmp/practicas-cub")
        >>> birds = load_dataset("caltech_birds2010", data_root="/tmp/practicas-cub", image_size=(32, 32))
        >>> sorted(birds.y_train.tolist()), birds.class_names[199]  # the loader shuffles, as TFDS does
        ([0, 0, 1, 1, 199, 199], 'Common Yellowthroat')
    """
    rng = np.random.default_rng(seed)
    per_class = per_class or {"train": 2, "test": 1}
    folder = Path(root) / "CUB_200_2010"
    lists = {"train": [], "test": []}
    for class_folder in CUB2010_FIXTURE_CLASSES:
        species = class_folder.split(".", 1)[1]
        number = 0
        for split in ("train", "test"):
            for _ in range(per_class[split]):
                number += 1
                relative = f"{class_folder}/{species}_{number:04d}.jpg"
                height, width = (int(v) for v in rng.integers(40, 90, 2))
                image = _images(rng, 1, height, width, 3, [int(class_folder[:3])])[0]
                _write_jpeg(folder / "images" / relative, image)
                lists[split].append(relative)
    (folder / "lists").mkdir(parents=True, exist_ok=True)
    for split, lines in lists.items():
        (folder / "lists" / f"{split}.txt").write_text("".join(f"{line}\n" for line in lines))
    (folder / "lists" / "files.txt").write_text("".join(f"{line}\n" for line in lists["train"] + lists["test"]))
    (folder / "lists" / "classes.txt").write_text("".join(f"{name}\n" for name in CUB2010_FIXTURE_CLASSES))
    return folder


def _write_emoji(root: Path, rng) -> None:
    n = 1005  # the report's count: r002 splits it 845/160 and 800/205
    labels = _labels(n, 5)
    _pickle(root / "emoji" / "emoji.pkl", {"images": _images(rng, n, 32, 32, 3, labels), "labels": labels})


def write_fixture_data(root, seed: int = 0, samples: int | None = None) -> Path:
    """Write every dataset of the reports, small, in its real format and layout, under ``root``.

    Point the loaders at it with ``PRACTICAS_DATA=root`` (or ``data_root=root``).
    ``samples`` (default 30) sets the training images of most datasets; a
    benchmark of full-size batches (``bench/full_cost.py``) needs a few hundred.

    Example:
        >>> root = write_fixture_data("/tmp/practicas-fixtures/data")  # doctest: +SKIP
        >>> load_dataset("monkeys", data_root=root).x_train.shape  # doctest: +SKIP
        (30, 224, 224, 3)
    """
    root = Path(root)
    if samples is not None:
        FIXTURE_SAMPLES["train"] = int(samples)
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    _write_mnist_like(root, "mnist", rng)
    _write_mnist_like(root, "fashion-mnist", rng)
    _write_cifar(root, rng)
    _write_kaggle(root, rng)
    _write_emoji(root, rng)
    _write_tfds(root, rng)
    return root


def _application_weights():
    """(file name as Keras caches it, builder with random weights) for every keras.applications backbone used."""
    import keras

    apps = keras.applications
    return [
        (
            "mobilenet_1_0_128_tf_no_top.h5",
            lambda: apps.MobileNet(weights=None, include_top=False, input_shape=(128, 128, 3)),
        ),
        (
            "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
            lambda: apps.ResNet50(weights=None, include_top=False),
        ),
        ("efficientnetb0_notop.h5", lambda: apps.EfficientNetB0(weights=None, include_top=False)),
        (
            "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
            lambda: apps.ResNet50V2(weights=None, include_top=False),
        ),
        ("resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", lambda: apps.ResNet50V2(weights=None, include_top=True)),
    ]


def write_legacy_h5_weights(path, model) -> Path:
    """Save ``model``'s weights in the legacy HDF5 layout that keras.applications' downloads use (``*.h5``).

    Example:
        >>> write_legacy_h5_weights("/tmp/tiny.h5", keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))  # doctest: +SKIP
    """
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


def write_fixture_weights(keras_home) -> list[Path]:
    """Write a random-valued weights file for every ``weights="imagenet"`` builder, where the library reads it.

    That is ``<keras_home>/models/<file>``: Keras's cached file names for
    keras.applications backbones, ``<arch>_torchvision.weights.h5`` for the
    torchvision-style ResNet34 and AlexNet. Set ``KERAS_HOME=keras_home``.

    Example:
        >>> paths = write_fixture_weights("/tmp/practicas-fixtures/keras")  # doctest: +SKIP
    """
    from practicas.transfer import models
    from practicas.writing import write_weights

    folder = Path(keras_home) / "models"
    written = [write_legacy_h5_weights(folder / name, build()) for name, build in _application_weights()]
    for arch, build in (("resnet34", models.resnet34), ("alexnet", models.alexnet)):
        written.append(write_weights(folder / f"{arch}_torchvision.weights.h5", build(weights=None)))
    return written


def execute_notebook(notebook, env: dict, timeout: int = 1800, first_code: str | None = None):
    """Run a notebook top to bottom in a fresh kernel with ``env`` added to the environment; returns it executed.

    How the tests run the notebooks in each mode (``PRACTICAS_QUICK``,
    ``PRACTICAS_SMOKE``, ``PRACTICAS_DATA``, ``PRACTICAS_OUT``). A cell that
    raises fails the call (nbclient's ``CellExecutionError``).
    ``first_code``, if given, runs in the kernel before the notebook's first
    cell, as a cell of its own at the top of the returned notebook (the file
    is not changed).

    Example:
        >>> nb = execute_notebook("notebooks/01_basenet.ipynb", {"PRACTICAS_QUICK": "1"})  # doctest: +SKIP
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    if first_code is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(first_code))
    saved = dict(os.environ)
    os.environ.update({k: str(v) for k, v in env.items()})  # the kernel inherits this process's environment
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def notebook_sections(nb) -> list[list[int]]:
    """The indices of each experiment section's code cells (a ``## `` heading starts one), in notebook order.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("setup"),
        ...     nbformat.v4.new_markdown_cell("## One"), nbformat.v4.new_code_cell("a"), nbformat.v4.new_code_cell("b")])
        >>> notebook_sections(nb)
        [[2, 3]]
    """
    sections = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            sections.append([])
        elif cell.cell_type == "code" and sections:
            sections[-1].append(index)
    return sections


def notebook_text_output(nb) -> str:
    """Everything the executed notebook's cells printed (streams and plain-text results), as one string."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
            parts.extend(output.get("traceback", []))
    return "\n".join(parts)


# What a Jupyter kernel defines besides Python's builtins.
KERNEL_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit"})


def _reads_and_definitions(code: str) -> tuple[set[str], set[str]]:
    # Module-level reads, and the globals that functions, classes, lambdas and comprehensions read; what the code
    # assigns or imports at module level (or declares global and assigns). IPython's % and ! lines are not Python.
    import symtable

    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    table = symtable.symtable(code, "<cells>", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    read = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    scopes = list(table.get_children())
    while scopes:
        scope = scopes.pop()
        scopes.extend(scope.get_children())
        for symbol in scope.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                read.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                defined.add(symbol.get_name())
    return read, defined


def names_from_elsewhere(code: str) -> set[str]:
    r"""The names ``code`` reads but neither assigns nor imports (nor Python or a Jupyter kernel provides): what it
    needs from cells run before it.

    Example:
        >>> sorted(names_from_elsewhere("import numpy as np\nx = np.zeros(n)\nf = lambda: y + x\nprint(len(x))"))
        ['n', 'y']
    """
    import builtins

    read, defined = _reads_and_definitions(code)
    return read - defined - set(dir(builtins)) - KERNEL_NAMES


def names_sections_borrow(nb) -> dict[str, set[str]]:
    """For each experiment section (by its heading) that reads a name neither it nor the set-up cells define: those
    names. Empty when every section runs alone after the set-up, in any order, as a student who jumps to one does.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("SEED = 0"),
        ...     nbformat.v4.new_markdown_cell("## One"), nbformat.v4.new_code_cell("x = SEED + 1"),
        ...     nbformat.v4.new_markdown_cell("## Two"), nbformat.v4.new_code_cell("y = x * SEED")])
        >>> names_sections_borrow(nb)
        {'## Two': {'x'}}
    """
    headings = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown" and cell.source.startswith("## ")]
    set_up = "\n".join(cell.source for cell in nb.cells[: headings[0]] if cell.cell_type == "code")
    _, set_up_defines = _reads_and_definitions(set_up)
    borrowed = {}
    for heading, section in zip(headings, notebook_sections(nb)):
        names = names_from_elsewhere("\n".join(nb.cells[i].source for i in section)) - set_up_defines
        if names:
            borrowed[nb.cells[heading].source.splitlines()[0]] = names
    return borrowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m practicas.testing", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="writes FOLDER/data (datasets) and FOLDER/keras (weights)")
    parser.add_argument("--samples", type=int, help=f"training images per dataset (default {FIXTURE_SAMPLES['train']})")
    args = parser.parse_args(argv)
    folder = Path(args.folder).resolve()
    data = write_fixture_data(folder / "data", samples=args.samples)
    weights = write_fixture_weights(folder / "keras")
    print(
        f"wrote the fixture datasets in {data} and {len(weights)} weights files in {folder / 'keras' / 'models'}.",
        file=sys.stderr,
    )
    print(f"export PRACTICAS_DATA={data} KERAS_HOME={folder / 'keras'} PRACTICAS_OFFLINE=1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
