"""Every dataset of the reports behind one offline-first loader API.

``load_dataset(name)`` returns an :class:`ImageDataset` of numpy arrays plus
class names, whatever the source. Where data is looked for, in order:

1. ``data_root`` (argument), else the ``PRACTICAS_DATA`` environment variable;
2. system copies (Debian's ``/usr/share/datasets/fashion-mnist``) and the
   Keras (``~/.keras/datasets``) and TFDS (``~/tensorflow_datasets``) caches;
3. a download through Keras or TFDS (both verify published checksums), unless
   ``PRACTICAS_OFFLINE=1`` is set or the host is unreachable.

When none works, :class:`DatasetNotFoundError` names the dataset, the files
expected, the folder to put them in and where to get them by hand. The by-hand
layouts are read as they come: Kaggle's MNIST (``train-images.idx3-ubyte``), the
CIFAR ``.tar.gz`` archives unextracted, NIST's EMNIST ``gzip.zip``, and CUB-200
2010's unpacked ``images/`` and ``lists/`` (TFDS's Google Drive download of it
fails, tensorflow/datasets#5544). Loaders never delete files. The Kaggle datasets (10 Monkey
Species, Alien vs Predator) download through ``kagglehub`` when they are not
on disk (public datasets; where Kaggle asks for credentials, the error says how
to give them); the r002 emoji pickle comes from the course and is never
downloaded: the error says where to put it.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import pickle
import re
import socket
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from practicas.errors import BackendError, DataFormatError, DatasetNotFoundError, UnknownDatasetError, UnsafePickleError

SYSTEM_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}

MNIST_CLASSES = [str(d) for d in range(10)]
FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR100_FINE_CLASSES_0_24 = [
    "apple",
    "aquarium_fish",
    "baby",
    "bear",
    "beaver",
    "bed",
    "bee",
    "beetle",
    "bicycle",
    "bottle",
    "bowl",
    "boy",
    "bridge",
    "bus",
    "butterfly",
    "camel",
    "can",
    "castle",
    "caterpillar",
    "cattle",
    "chair",
    "chimpanzee",
    "clock",
    "cloud",
    "cockroach",
]
EMNIST_LETTERS_A_J = list("abcdefghij")
MONKEY_CLASSES = [
    "n0 mantled howler",
    "n1 patas monkey",
    "n2 bald uakari",
    "n3 japanese macaque",
    "n4 pygmy marmoset",
    "n5 white-headed capuchin",
    "n6 silvery marmoset",
    "n7 common squirrel monkey",
    "n8 black-headed night monkey",
    "n9 nilgiri langur",
]
EMOJI_CLASSES = ["air transport", "birds", "water transport", "people", "cats and felines"]
EMOJI_IMAGE_KEYS = ("images", "x", "X", "data", "imgs")
EMOJI_LABEL_KEYS = ("labels", "y", "Y", "targets", "target")


@dataclasses.dataclass
class ImageDataset:
    """Arrays and class names of one dataset. Images are uint8 ``(N, H, W, C)``, labels int64.

    ``x_val``/``y_val`` are set only where the source defines a validation
    split; ``skipped`` counts undecodable or stray files a folder loader left out.

    Example:
        >>> data = load_dataset("fashion_mnist")  # doctest: +SKIP
        >>> data.x_train.shape, data.class_names[0]  # doctest: +SKIP
        ((60000, 28, 28, 1), 'T-shirt/top')
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str = ""
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    skipped: int = 0

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def split_sizes(self) -> dict[str, dict]:
        """Height, width, channels and sample count per split (r000-T1)."""
        splits = {"train": self.x_train, "validation": self.x_val, "test": self.x_test}
        return {
            name: {"height": x.shape[1], "width": x.shape[2], "channels": x.shape[3], "samples": len(x)}
            for name, x in splits.items()
            if x is not None
        }

    def smoke_subset(self, samples: int) -> ImageDataset:
        """At most ``samples`` images per split, taken class by class in turn (a smoke run's data).

        Example:
            >>> data = ImageDataset("d", np.zeros((9, 2, 2, 1), "uint8"), np.arange(9) % 3, np.zeros((3, 2, 2, 1), "uint8"),
            ...                     np.arange(3), ["a", "b", "c"])
            >>> data.smoke_subset(4).y_train.tolist()
            [0, 1, 2, 0]
        """

        def pick(x, y):
            if x is None or len(x) <= samples:
                return x, y
            rank = np.zeros(len(y), "int64")  # position of each image within its class
            for label in np.unique(y):
                rank[y == label] = np.arange(np.sum(y == label))
            index = np.lexsort((np.arange(len(y)), rank))[:samples]
            return x[index], y[index]

        (x_train, y_train), (x_test, y_test), (x_val, y_val) = (
            pick(self.x_train, self.y_train),
            pick(self.x_test, self.y_test),
            pick(self.x_val, self.y_val),
        )
        return dataclasses.replace(
            self, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, x_val=x_val, y_val=y_val
        )

    def take(self, train: int | None = None, test: int | None = None, seed: int = 0) -> ImageDataset:
        """A random, class-stratified subset (the same for the same seed).

        Example:
            >>> small = load_dataset("fashion_mnist").take(train=2000, test=500)  # doctest: +SKIP
        """

        def pick(x, y, n):
            if n is None or n >= len(x):
                return x, y
            from sklearn.model_selection import train_test_split

            index, _ = train_test_split(np.arange(len(x)), train_size=n, stratify=y, random_state=seed)
            index = np.sort(index)
            return x[index], y[index]

        x_train, y_train = pick(self.x_train, self.y_train, train)
        x_test, y_test = pick(self.x_test, self.y_test, test)
        return dataclasses.replace(self, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


# ---------------------------------------------------------------- where data lives


def resolve_data_root(explicit: str | os.PathLike | None = None) -> Path | None:
    """The data root: ``explicit`` (a run's ``data_root``, a notebook's DATA), else ``$PRACTICAS_DATA``, else None.

    Example:
        >>> resolve_data_root("/data")
        PosixPath('/data')
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("PRACTICAS_DATA")
    return Path(env).expanduser() if env else None


def keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def tfds_cache(root: Path | None) -> Path:
    if root is not None:
        return root / "tensorflow_datasets"
    return Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets"))


def downloads_allowed() -> bool:
    """False when ``PRACTICAS_OFFLINE`` is set, or when the internet cannot be reached within 3 s.

    Checking first turns an offline download attempt into a clear error
    instead of a hang or a traceback from deep inside urllib.
    """
    if os.environ.get("PRACTICAS_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    try:
        socket.create_connection(("storage.googleapis.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


def _not_found(
    name: str, expected: str, folder: Path | str, extra: str = "", *, failed_download: str = ""
) -> DatasetNotFoundError:
    """The error for a dataset that is not on disk: offline, or online but the download failed (with its cause)."""
    where = f"Expected {expected} in {folder} (set PRACTICAS_DATA, pass data_root=... or --data DIR)"
    if failed_download:
        return DatasetNotFoundError(
            f"dataset {name!r}: the download failed: {failed_download}. {where}{'; ' + extra if extra else ''}."
        )
    return DatasetNotFoundError(f"dataset {name!r} is not on disk. {where}{'; ' + extra if extra else ''}.")


# ---------------------------------------------------------------- safe pickles

_SAFE_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("builtins", "bytearray"),
    ("collections", "OrderedDict"),
    ("_codecs", "encode"),
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds only numpy arrays and plain containers.

    A pickle can name any importable callable (``os.system``...) and have it
    called while loading; this one refuses every global outside a short list
    of numpy reconstruction helpers, so loading never runs code from the file.
    """

    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS or (module.startswith("numpy") and name.startswith("dtype")):
            return super().find_class(module, name)
        raise UnsafePickleError(
            f"refusing to load {module}.{name} from a pickle: only numpy arrays and plain containers are allowed"
        )


def safe_load_pickle(path_or_bytes, encoding: str = "ASCII"):
    """Load a pickle that may contain only numpy arrays, numbers, strings, lists, tuples and dicts.

    Example:
        >>> safe_load_pickle(pickle.dumps({"x": np.zeros(2)}))["x"].tolist()
        [0.0, 0.0]
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        stream = io.BytesIO(path_or_bytes)
        return RestrictedUnpickler(stream, encoding=encoding).load()
    with open(path_or_bytes, "rb") as stream:
        return RestrictedUnpickler(stream, encoding=encoding).load()


# ---------------------------------------------------------------- file formats


def read_idx(path: Path) -> np.ndarray:
    """Read an MNIST-format IDX file (optionally gzipped).

    Example:
        >>> read_idx(SYSTEM_FASHION_MNIST / "t10k-labels-idx1-ubyte.gz").shape  # doctest: +SKIP
        (10000,)
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            raw = stream.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DataFormatError(f"{path} is truncated or not gzip ({error}): download or extract it again") from error
    return idx_from_bytes(raw, path)


def idx_from_bytes(raw: bytes, where) -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file; ``where`` names it in errors.

    Example:
        >>> idx_from_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), "labels").tolist()
        [7, 9]
    """
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataFormatError(f"{where} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise DataFormatError(f"{where} is truncated: its header is cut short")
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DataFormatError(f"{where} is truncated: header says {shape}, found {data.size} bytes")
    return data.reshape(shape)


IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
MNIST_KAGGLE_URL = "https://www.kaggle.com/datasets/hojjatk/mnist-dataset"
MNIST_NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


def _idx_candidates(folder: Path, stem: str) -> list[Path]:
    # LeCun's gzipped names, the same uncompressed, and Kaggle's copy: a dot before "idx"
    # (train-images.idx3-ubyte) beside folders that each hold one file of the dashed name.
    dotted = stem.replace("-idx", ".idx")
    return [folder / f"{stem}.gz", folder / stem, folder / dotted, folder / stem / stem, folder / dotted / dotted]


def _find_idx(folder: Path) -> list[Path] | None:
    found = []
    for stem in IDX_FILES:
        path = next((p for p in _idx_candidates(folder, stem) if p.is_file()), None)
        if path is None:
            return None
        found.append(path)
    return found


def _find_idx_folder(folder: Path, depth: int = 2) -> Path | None:
    """``folder`` or the first folder under it (at most ``depth`` levels down) that holds the four IDX files."""
    level = [folder] if folder.is_dir() else []
    for _ in range(depth + 1):
        for candidate in level:
            if _find_idx(candidate):
                return candidate
        level = [child for parent in level for child in sorted(parent.iterdir()) if child.is_dir()]
    return None


def _load_idx_folder(folder: Path):
    x_train, y_train, x_test, y_test = (read_idx(p) for p in _find_idx(folder))
    return x_train[..., None], y_train.astype("int64"), x_test[..., None], y_test.astype("int64")


def decode_image(data: bytes, size: tuple[int, int] | None) -> np.ndarray:
    """Decode image bytes to uint8 RGB (grayscale and RGBA become RGB), resized to ``size`` (h, w)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        if size is not None and image.size != (size[1], size[0]):
            image = image.resize((size[1], size[0]), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8)


def load_image_folder(folder: str | os.PathLike, image_size=(224, 224), class_names: list[str] | None = None):
    """Load ``folder/<class>/<image>`` into arrays, skipping stray and undecodable files.

    Returns ``(images, labels, class_names, skipped)``. Classes are the
    sub-folders in sorted order unless ``class_names`` fixes them.

    Example:
        >>> x, y, names, skipped = load_image_folder("monkeys/training", (224, 224))  # doctest: +SKIP
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(f"expected a folder of class sub-folders at {folder}, found none")
    class_dirs = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    if class_names is None:
        class_names = class_dirs
    if not class_dirs:
        raise DataFormatError(f"{folder} has no class sub-folders; expected {folder}/<class name>/<image files>")
    missing = [c for c in class_names if c not in class_dirs]
    if missing:
        raise DataFormatError(f"{folder} lacks the class folders {missing}; found {class_dirs}")
    images, labels, skipped = [], [], 0
    for label, name in enumerate(class_names):
        files = sorted(p for p in (folder / name).iterdir() if p.is_file())
        kept = 0
        for path in files:
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                skipped += 1
                continue
            try:
                images.append(decode_image(path.read_bytes(), image_size))
            except Exception:  # PIL raises many types for corrupt files; one bad file must not stop the load
                skipped += 1
                continue
            labels.append(label)
            kept += 1
        if kept == 0:
            raise DataFormatError(f"class folder {folder / name} has no readable images")
    return np.stack(images), np.asarray(labels, dtype="int64"), list(class_names), skipped


# ---------------------------------------------------------------- loaders


def _keras_download(name: str, load: Callable, expected: str, folder: Path, by_hand: str = ""):
    if not downloads_allowed():
        offline = "downloads are off (PRACTICAS_OFFLINE) or the internet is unreachable"
        raise _not_found(name, expected, folder, f"{offline}; {by_hand}" if by_hand else offline)
    try:
        return load()
    except Exception as error:  # urllib/HTTP errors vary; the user needs the message, not the stack
        raise _not_found(name, expected, folder, by_hand, failed_download=str(error)) from error


def load_mnist(data_root=None) -> ImageDataset:
    """MNIST digits, 60,000 train / 10,000 test, 28x28x1 (r000).

    Looks for the four IDX files in ``<root>/mnist/`` (LeCun's ``*-idx?-ubyte.gz``, or
    Kaggle's uncompressed ``train-images.idx3-ubyte``..., also a folder or two down, as
    Kaggle's archive unpacks), else Keras's ``mnist.npz``.

    Example:
        >>> data = load_mnist()  # doctest: +SKIP
    """
    root = resolve_data_root(data_root)
    for folder in [root / "mnist", root / "mnist-dataset"] if root else []:
        found = _find_idx_folder(folder)
        if found is not None:
            return ImageDataset("mnist", *_load_idx_folder(found), MNIST_CLASSES, source=str(found))
    for npz in ([root / "mnist.npz", root / "mnist" / "mnist.npz"] if root else []) + [keras_cache() / "mnist.npz"]:
        if npz.exists():
            with np.load(npz) as f:
                return ImageDataset(
                    "mnist",
                    f["x_train"][..., None],
                    f["y_train"].astype("int64"),
                    f["x_test"][..., None],
                    f["y_test"].astype("int64"),
                    MNIST_CLASSES,
                    source=str(npz),
                )
    import keras

    (x_train, y_train), (x_test, y_test) = _keras_download(
        "mnist",
        keras.datasets.mnist.load_data,
        "the IDX files " + ", ".join(f"{s}.gz" for s in IDX_FILES) + " or mnist.npz",
        (root / "mnist") if root else keras_cache(),
        f"by hand: {MNIST_NPZ_URL} into that folder, or Kaggle's copy {MNIST_KAGGLE_URL} "
        "(train-images.idx3-ubyte...) unzipped there as it comes",
    )
    return ImageDataset(
        "mnist",
        x_train[..., None],
        y_train.astype("int64"),
        x_test[..., None],
        y_test.astype("int64"),
        MNIST_CLASSES,
        source="keras download",
    )


def load_fashion_mnist(data_root=None) -> ImageDataset:
    """Fashion-MNIST, 60,000 / 10,000, 28x28x1: the offline stand-in for MNIST (same sizes and format).

    Looks in ``<root>/fashion-mnist/``, Debian's ``/usr/share/datasets/fashion-mnist``
    (``apt-get install dataset-fashion-mnist``) and Keras's cache.

    Example:
        >>> data = load_fashion_mnist()
        >>> data.x_train.shape
        (60000, 28, 28, 1)
    """
    data_root = resolve_data_root(data_root)
    root = data_root
    candidates = [(root / "fashion-mnist") if root else None, SYSTEM_FASHION_MNIST, keras_cache() / "fashion-mnist"]
    for folder in [c for c in candidates if c is not None]:
        if _find_idx(folder):
            return ImageDataset("fashion_mnist", *_load_idx_folder(folder), FASHION_MNIST_CLASSES, source=str(folder))
    import keras

    (x_train, y_train), (x_test, y_test) = _keras_download(
        "fashion_mnist",
        keras.datasets.fashion_mnist.load_data,
        "the IDX files " + ", ".join(f"{s}.gz" for s in IDX_FILES) + " (or `apt-get install dataset-fashion-mnist`)",
        (root / "fashion-mnist") if root else SYSTEM_FASHION_MNIST,
    )
    return ImageDataset(
        "fashion_mnist",
        x_train[..., None],
        y_train.astype("int64"),
        x_test[..., None],
        y_test.astype("int64"),
        FASHION_MNIST_CLASSES,
        source="keras download",
    )


CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"


@dataclasses.dataclass(frozen=True)
class _CifarLayout:
    """Where one CIFAR "python version" lives: its archive, the folder the archive unpacks to, and the batch files."""

    url: str
    folder: str
    train_files: tuple[str, ...]
    test_files: tuple[str, ...]
    label_key: bytes
    archive_folders: tuple[str, ...]  # folders under the data root where the downloaded .tar.gz may sit

    @property
    def archive(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def files(self) -> tuple[str, ...]:
        return self.train_files + self.test_files


CIFAR10_LAYOUT = _CifarLayout(
    CIFAR10_URL,
    "cifar-10-batches-py",
    tuple(f"data_batch_{i}" for i in range(1, 6)),
    ("test_batch",),
    b"labels",
    ("cifar10", "cifar-10", "cifar"),
)
CIFAR100_LAYOUT = _CifarLayout(
    CIFAR100_URL, "cifar-100-python", ("train",), ("test",), b"fine_labels", ("cifar100", "cifar-100", "cifar")
)


def _cifar_arrays(batches: list[tuple[str, bytes | Path]], label_key: bytes, fix: str):
    """Images and labels of CIFAR python batches, given as (name for errors, file path or pickled bytes)."""
    xs, ys = [], []
    for where, source in batches:
        try:
            batch = safe_load_pickle(source, encoding="bytes")
        except UnsafePickleError:
            raise
        except (EOFError, pickle.UnpicklingError, ValueError) as error:  # cut short while extracting or downloading
            raise DataFormatError(f"{where} is truncated or corrupt ({error}): {fix}") from error
        try:
            xs.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
            ys.append(np.asarray(batch[label_key], dtype="int64"))
        except (KeyError, ValueError, TypeError, IndexError) as error:
            raise DataFormatError(f"{where} is not a CIFAR python batch ({error})") from error
    return np.concatenate(xs), np.concatenate(ys)


def _cifar_batches(folder: Path, files, label_key: bytes, fix: str = "extract it again"):
    return _cifar_arrays([(str(folder / name), folder / name) for name in files], label_key, fix)


def read_tar_members(archive: Path, members: list[str], fix: str) -> dict[str, bytes]:
    """The bytes of the named regular-file members of a .tar.gz, read in one pass without extracting anything.

    Only the named members are read (a crafted archive cannot write outside a
    folder, since nothing is written). A truncated or corrupt archive, or one
    that lacks a member, is a :class:`DataFormatError` that names it and says ``fix``.

    Example:
        >>> read_tar_members(Path("cifar-10-python.tar.gz"), ["cifar-10-batches-py/test_batch"], "")  # doctest: +SKIP
    """
    wanted, found = set(members), {}
    try:
        with tarfile.open(archive, "r|gz") as tar:  # a stream: no index of the whole archive built first
            for member in tar:
                name = member.name.removeprefix("./")
                if name in wanted and member.isfile():
                    found[name] = tar.extractfile(member).read()
                    if len(found) == len(wanted):
                        break
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise DataFormatError(f"{archive} is truncated or corrupt ({error}): {fix}") from error
    missing = [m for m in members if m not in found]
    if missing:
        raise DataFormatError(f"{archive} lacks {', '.join(missing)} (an incomplete download?): {fix}")
    return found


def _local_cifar(layout: _CifarLayout, data_root: Path | None):
    """(train, test, source) from the data root or Keras's cache, or None; a half-extracted folder is an error."""
    fix_archive = f"download {layout.archive} again from {layout.url}"
    if data_root is not None:
        folder = data_root / layout.folder
        archives = [data_root / layout.archive] + [data_root / sub / layout.archive for sub in layout.archive_folders]
        archive = next((a for a in archives if a.is_file()), None)
        present = [f for f in layout.files if (folder / f).is_file()]
        if folder.is_dir() and len(present) == len(layout.files):
            fix = f"extract {layout.archive} again (nothing was deleted), or {fix_archive}"
            train = _cifar_batches(folder, layout.train_files, layout.label_key, fix)
            test = _cifar_batches(folder, layout.test_files, layout.label_key, fix)
            return train, test, str(folder)
        if folder.is_dir() and archive is None:
            missing = [f for f in layout.files if f not in present]
            raise DataFormatError(
                f"{folder} is incomplete: it lacks {', '.join(missing)} (a half-finished extraction?). "
                f"Extract {layout.archive} into {data_root} again (tar xzf {layout.archive}), or {fix_archive} "
                f"and put it in {data_root}: it is read without extracting. Nothing was deleted"
            )
        # Read in place: extracting 180 MB is not needed, and a half-extracted folder beside it is bypassed.
        if archive is not None:
            members = [f"{layout.folder}/{f}" for f in layout.files]
            raw = read_tar_members(archive, members, fix_archive)
            batches = [(f"{archive}:{m}", raw[m]) for m in members]
            count = len(layout.train_files)
            train = _cifar_arrays(batches[:count], layout.label_key, fix_archive)
            test = _cifar_arrays(batches[count:], layout.label_key, fix_archive)
            return train, test, str(archive)
    # Keras 3 unpacks into <name>-target/<name>/; Keras 2 unpacked into <name>/.
    for folder in (keras_cache() / f"{layout.folder}-target" / layout.folder, keras_cache() / layout.folder):
        if all((folder / f).is_file() for f in layout.files):
            train = _cifar_batches(folder, layout.train_files, layout.label_key)
            test = _cifar_batches(folder, layout.test_files, layout.label_key)
            return train, test, str(folder)
    return None


def _cifar_by_hand(layout: _CifarLayout, data_root: Path | None) -> str:
    where = data_root if data_root is not None else "$PRACTICAS_DATA"
    return f"by hand: download {layout.url} and put it, as it is or extracted, in {where}"


def load_cifar10(data_root=None) -> ImageDataset:
    """CIFAR-10, 50,000 / 10,000, 32x32x3 (r000 AlexNet). Reads ``cifar-10-batches-py/`` safely.

    The downloaded ``cifar-10-python.tar.gz`` in the data root (or its ``cifar/``
    folder) is read as it is, without extracting it.

    Example:
        >>> data = load_cifar10()  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    local = _local_cifar(CIFAR10_LAYOUT, data_root)
    if local is not None:
        (x_train, y_train), (x_test, y_test), source = local
        return ImageDataset("cifar10", x_train, y_train, x_test, y_test, CIFAR10_CLASSES, source=source)
    import keras

    (x_train, y_train), (x_test, y_test) = _keras_download(
        "cifar10",
        keras.datasets.cifar10.load_data,
        "data_batch_1..5 and test_batch",
        (data_root / "cifar-10-batches-py") if data_root else keras_cache() / "cifar-10-batches-py",
        _cifar_by_hand(CIFAR10_LAYOUT, data_root),
    )
    return ImageDataset(
        "cifar10",
        x_train,
        y_train.reshape(-1).astype("int64"),
        x_test,
        y_test.reshape(-1).astype("int64"),
        CIFAR10_CLASSES,
        source="keras download",
    )


def load_cifar100_subset(data_root=None, num_classes: int = 25) -> ImageDataset:
    """CIFAR-100 fine labels 0..24: 12,500 train / 2,500 test, 32x32x3 (r001 BaseNet).

    Reads ``cifar-100-python/``, or the downloaded ``cifar-100-python.tar.gz`` without extracting it.

    Example:
        >>> data = load_cifar100_subset()  # doctest: +SKIP
        >>> len(data.x_train), len(data.x_test)  # doctest: +SKIP
        (12500, 2500)
    """
    data_root = resolve_data_root(data_root)
    local = _local_cifar(CIFAR100_LAYOUT, data_root)
    if local is not None:
        (x_train, y_train), (x_test, y_test), source = local
    else:
        import keras

        (x_train, y_train), (x_test, y_test) = _keras_download(
            "cifar100",
            lambda: keras.datasets.cifar100.load_data(label_mode="fine"),
            "the files train and test",
            (data_root / "cifar-100-python") if data_root else keras_cache() / "cifar-100-python",
            _cifar_by_hand(CIFAR100_LAYOUT, data_root),
        )
        y_train, y_test, source = (
            y_train.reshape(-1).astype("int64"),
            y_test.reshape(-1).astype("int64"),
            "keras download",
        )
    keep_train, keep_test = y_train < num_classes, y_test < num_classes
    return ImageDataset(
        "cifar100_subset",
        x_train[keep_train],
        y_train[keep_train],
        x_test[keep_test],
        y_test[keep_test],
        CIFAR100_FINE_CLASSES_0_24[:num_classes],
        source=source,
    )


@dataclasses.dataclass(frozen=True)
class _ByHand:
    """How to get a TFDS dataset without tensorflow_datasets's download: the files, where they go, where they come from."""

    expected: str
    folder: Path | str
    how: str


def _tensorflow_datasets(by_hand: _ByHand | None = None):
    """TensorFlow and tensorflow_datasets, which the TFDS loaders use under any Keras backend, or a clear error."""
    try:
        import tensorflow as tf
        import tensorflow_datasets as tfds
    except ImportError as error:
        without = (
            f"; or, without TensorFlow, put {by_hand.expected} in {by_hand.folder} ({by_hand.how})" if by_hand else ""
        )
        raise BackendError(
            f"this dataset comes through tensorflow_datasets, which needs TensorFlow ({error}): "
            "pip install tensorflow tensorflow-datasets (any Keras backend can then train on it), "
            f"or run in quick mode on the offline stand-in{without}"
        ) from error
    from practicas.versions import UnsupportedEnvironmentError, tfds_protobuf_problem

    problem = tfds_protobuf_problem()
    if problem:  # tfds imports its protobuf files lazily: without this, an AttributeError from deep inside it
        raise UnsupportedEnvironmentError(problem)
    return tf, tfds


def _tfds_arrays(
    name: str,
    split: str,
    data_root,
    image_size=None,
    limit: int | None = None,
    transform=None,
    by_hand: _ByHand | None = None,
):
    """Load a TFDS split as uint8 arrays, resizing when images differ in size.

    ``by_hand`` turns a failed load into an error that asks for the dataset's
    original files instead of a prepared TFDS folder nobody can make by hand.
    """
    tf, tfds = _tensorflow_datasets(by_hand)

    data_dir = tfds_cache(data_root)
    online = downloads_allowed()
    try:
        dataset = tfds.load(
            name, split=split, data_dir=str(data_dir), as_supervised=True, download=online, shuffle_files=False
        )
    except Exception as error:  # tfds raises AssertionError/DatasetNotFoundError depending on version
        said = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
        offline = f"offline (PRACTICAS_OFFLINE or no internet); tensorflow_datasets said: {said}"
        if by_hand is not None:
            prepared = f"or a prepared TFDS dataset {name} in {data_dir}"
            raise _not_found(
                name,
                by_hand.expected,
                by_hand.folder,
                f"{by_hand.how}; {prepared}" if online else f"{offline}; {by_hand.how}; {prepared}",
                failed_download=f"tensorflow_datasets said: {said}" if online else "",
            ) from error
        expected = f"a prepared TFDS dataset {name}/<version>/ with split {split!r}"
        if online:
            raise _not_found(name, expected, data_dir, failed_download=f"tensorflow_datasets said: {said}") from error
        raise _not_found(name, expected, data_dir, offline) from error
    images, labels = [], []
    try:
        for image, label in dataset:
            if transform is not None:
                image = transform(image)
            if image_size is not None:
                image = tf.cast(tf.image.resize(image, image_size, antialias=True), tf.uint8)
            if image.shape[-1] == 1 and image_size is not None:
                image = tf.image.grayscale_to_rgb(image)
            images.append(image.numpy())
            labels.append(int(label))
            if limit is not None and len(images) >= limit:
                break
    except tf.errors.OpError as error:  # a prepared dataset with a missing or truncated record file
        raise DataFormatError(
            f"the prepared TFDS dataset {name} (split {split!r}) in {data_dir} is incomplete or corrupt: "
            f"{error.message.strip()[:300]}. Delete {data_dir / name.split('/')[0]} and prepare it again."
        ) from None
    return np.stack(images), np.asarray(labels, dtype="int64")


EMNIST_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
EMNIST_LETTERS_FILES = tuple(
    f"emnist-letters-{split}-{kind}-ubyte.gz" for split in ("train", "test") for kind in ("images-idx3", "labels-idx1")
)


def read_zip_members(archive: Path, names: tuple[str, ...], fix: str) -> dict[str, bytes]:
    """The bytes of the zip members whose file names (wherever in the zip) are ``names``; nothing is extracted.

    Example:
        >>> read_zip_members(Path("gzip.zip"), EMNIST_LETTERS_FILES, "")  # doctest: +SKIP
    """
    try:
        with zipfile.ZipFile(archive) as opened:
            members = {member.rsplit("/", 1)[-1]: member for member in opened.namelist() if not member.endswith("/")}
            missing = [name for name in names if name not in members]
            if missing:
                raise DataFormatError(f"{archive} lacks {', '.join(missing)}: {fix}")
            return {name: opened.read(members[name]) for name in names}
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:  # a truncated zip has no central directory
        raise DataFormatError(f"{archive} is truncated or corrupt ({error}): {fix}") from error


def _local_emnist_letters(data_root: Path | None):
    """(x_train, y_train, x_test, y_test, source) of all 26 letters from NIST's files in the data root, or None."""
    if data_root is None:
        return None
    fix = f"download gzip.zip again from {EMNIST_URL}"
    for folder in (data_root / "emnist", data_root):
        for files_folder in (folder / "gzip", folder):
            present = [name for name in EMNIST_LETTERS_FILES if (files_folder / name).is_file()]
            if len(present) == len(EMNIST_LETTERS_FILES):
                arrays = [read_idx(files_folder / name) for name in EMNIST_LETTERS_FILES]
                return (*arrays, str(files_folder))
            if present and not (folder / "gzip.zip").is_file():
                missing = [name for name in EMNIST_LETTERS_FILES if name not in present]
                raise DataFormatError(
                    f"{files_folder} lacks {', '.join(missing)} (a half-finished extraction?): extract them from "
                    f"gzip.zip again, or put gzip.zip itself ({EMNIST_URL}) in {folder}. Nothing was deleted"
                )
        archive = folder / "gzip.zip"
        if archive.is_file():
            raw = read_zip_members(archive, EMNIST_LETTERS_FILES, fix)
            arrays = []
            for name in EMNIST_LETTERS_FILES:
                try:
                    arrays.append(idx_from_bytes(gzip.decompress(raw[name]), f"{archive}:{name}"))
                except (EOFError, gzip.BadGzipFile, zlib.error) as error:
                    raise DataFormatError(f"{archive}:{name} is truncated or corrupt ({error}): {fix}") from error
            return (*arrays, str(archive))
    return None


def load_emnist_letters(data_root=None) -> ImageDataset:
    """EMNIST *letters* a-j (10 classes), 28x28x1, for r003's net that later transfers to MNIST digits.

    Why letters and not EMNIST digits: r003 describes EMNIST as "alphabetic
    characters" and uses it as the *source* task of a transfer to MNIST; EMNIST
    digits are MNIST-like digits themselves, so transferring from them would
    test nothing. The net has 10 outputs, so the first ten letters (labels
    1..10 of ``emnist/letters``) are kept and renumbered 0..9. EMNIST's IDX
    files (and TFDS, which copies them) store images transposed; images are
    transposed back to the MNIST orientation.

    NIST's own ``gzip.zip`` (or its extracted ``gzip/`` folder) in ``<root>/emnist/``
    is read first, without TensorFlow; else TFDS. Both give the same images and
    labels (TFDS shuffles their order when it prepares the dataset).

    Example:
        >>> data = load_emnist_letters()  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    local = _local_emnist_letters(data_root)
    if local is not None:
        x_train, y_train, x_test, y_test, source = local
        x_train, x_test = x_train.transpose(0, 2, 1)[..., None], x_test.transpose(0, 2, 1)[..., None]
        y_train, y_test = y_train.astype("int64"), y_test.astype("int64")
    else:
        by_hand = _ByHand(
            "gzip.zip (as downloaded, or its gzip/ folder extracted)",
            (data_root / "emnist") if data_root else "$PRACTICAS_DATA/emnist",
            f"by hand: download {EMNIST_URL} (562 MB) from NIST",
        )
        tf, _ = _tensorflow_datasets(by_hand)
        transpose = lambda image: tf.transpose(image, [1, 0, 2])  # noqa: E731 - TFDS EMNIST is stored transposed
        x_train, y_train = _tfds_arrays("emnist/letters", "train", data_root, transform=transpose, by_hand=by_hand)
        x_test, y_test = _tfds_arrays("emnist/letters", "test", data_root, transform=transpose, by_hand=by_hand)
        source = "tfds emnist/letters"
    keep_train, keep_test = (y_train >= 1) & (y_train <= 10), (y_test >= 1) & (y_test <= 10)
    return ImageDataset(
        "emnist_letters",
        x_train[keep_train],
        y_train[keep_train] - 1,
        x_test[keep_test],
        y_test[keep_test] - 1,
        EMNIST_LETTERS_A_J,
        source=source,
    )


def load_mnist_subset(data_root=None, train_samples: int = 1000, seed: int = 0) -> ImageDataset:
    """MNIST with a class-stratified subset of 1,000 training images; full 10,000 test (r003-F4/F5).

    Example:
        >>> data = load_mnist_subset()  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    full = load_mnist(data_root)
    subset = full.take(train=train_samples, seed=seed)
    return dataclasses.replace(subset, name="mnist_subset")


def load_cats_vs_dogs(
    data_root=None, image_size=(128, 128), train: int = 2500, validation: int = 500, test: int = 500
) -> ImageDataset:
    """TFDS ``cats_vs_dogs`` resized to 128x128: r003's 2,500 training images, plus validation and test.

    TFDS skips the 1,738 corrupt JPEGs of the original archive when it
    prepares the dataset. Only ``train + validation + test`` images are read.

    Example:
        >>> data = load_cats_vs_dogs()  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    total = train + validation + test
    x, y = _tfds_arrays("cats_vs_dogs", "train", data_root, image_size=image_size, limit=total)  # in file order
    if len(x) < 3:
        raise DataFormatError(f"cats_vs_dogs gave only {len(x)} images")
    a, b = min(train, len(x) - 2), min(train + validation, len(x) - 1)
    return ImageDataset(
        "cats_vs_dogs",
        x[:a],
        y[:a],
        x[b:],
        y[b:],
        ["cat", "dog"],
        source="tfds cats_vs_dogs",
        x_val=x[a:b],
        y_val=y[a:b],
    )


# tensorflow_datasets's caltech_birds2010 builder fetches these from Google Drive, which answers scripts with a
# virus-scan page for files this big, so the download ends in a checksum error (tensorflow/datasets#5544).
CUB2010_IMAGES_URL = "https://drive.google.com/uc?export=download&id=1GDr1OkoXdhaXWGA8S3MAq3a522Tak-nx"
CUB2010_LISTS_URL = "https://drive.google.com/uc?export=download&id=1vZuZPqha0JjmwkdaS_XtYryE3Jf5Q1AC"
CUB2010_FOLDERS = ("caltech_birds2010", "CUB_200_2010", "CUB-200-2010", "CUB-200")
CUB2010_CLASSES = 200
CUB2010_LAYOUT = "images/<class>/*.jpg with lists/train.txt and lists/test.txt"
_CUB_LIST_LINE = re.compile(r"^(\d+)\.([^/]+)/[^/]+$")  # 001.Black_footed_Albatross/Black_footed_Albatross_0001.jpg


def _find_cub2010(data_root: Path | None) -> Path | None:
    """The folder holding CUB-200 2010's ``images/`` under ``<root>/caltech_birds2010/`` (or ``CUB_200_2010/``...)."""
    for name in CUB2010_FOLDERS if data_root is not None else ():
        if (data_root / name).is_dir():
            found = _find_layout(data_root / name, "images", depth=2)
            if found is not None:
                return found
    return None


def _cub2010_class_names(images: Path) -> list[str]:
    # The class folders are numbered 001..200 in the label order TFDS uses (label = number - 1).
    names = [f"species {i}" for i in range(CUB2010_CLASSES)]
    for folder in images.iterdir():
        match = re.fullmatch(r"(\d+)\.(.+)", folder.name)
        if folder.is_dir() and match and 1 <= int(match[1]) <= CUB2010_CLASSES:
            names[int(match[1]) - 1] = match[2].replace("_", " ")
    return names


def _load_cub2010_split(folder: Path, split: str, image_size):
    listing = folder / "lists" / f"{split}.txt"
    fix_lists = f"download lists.tgz ({CUB2010_LISTS_URL}) and unpack it into {folder}"
    if not (folder / "lists").is_dir():
        raise DataFormatError(
            f"{folder} has images/ but no lists/ (train.txt and test.txt say which image is in which split): "
            f"{fix_lists}. Nothing was deleted"
        )
    if not listing.is_file():
        raise DataFormatError(f"{listing} is missing: {fix_lists} again. Nothing was deleted")
    images, labels, missing, skipped = [], [], [], 0
    for number, line in enumerate(listing.read_text().splitlines(), start=1):
        relative = line.strip().replace("\\", "/")
        if not relative:
            continue
        match = _CUB_LIST_LINE.match(relative)
        if match is None or not 1 <= int(match[1]) <= CUB2010_CLASSES:
            raise DataFormatError(
                f"{listing}, line {number}: {relative!r} is not <NNN.class>/<image>.jpg with NNN in 001..200; "
                f"{fix_lists} again"
            )
        path = folder / "images" / relative
        if not path.is_file():
            missing.append(relative)
            continue
        try:
            images.append(decode_image(path.read_bytes(), image_size))
        except Exception:  # PIL raises many types for corrupt files; one bad file must not stop the load
            skipped += 1
            continue
        labels.append(int(match[1]) - 1)  # TFDS's label: the class folder's number, from 0
    if missing:
        raise DataFormatError(
            f"{folder / 'images'} lacks {len(missing)} of the images {listing} lists (first: {missing[0]}): "
            f"images.tgz was extracted only in part, or is another edition. Unpack images.tgz "
            f"({CUB2010_IMAGES_URL}) into {folder} again. Nothing was deleted"
        )
    if not images:
        raise DataFormatError(f"{listing} lists no readable image under {folder / 'images'}")
    # The lists are sorted by species; TFDS stores the same images shuffled. A fixed shuffle keeps both loaders
    # alike where it matters: r001's "first 10 % as validation" must be a sample, not the first ~20 species.
    order = np.random.default_rng(2010).permutation(len(images))
    return np.stack(images)[order], np.asarray(labels, dtype="int64")[order], skipped


def load_caltech_birds2010(data_root=None, image_size=(224, 224)) -> ImageDataset:
    """Caltech-UCSD Birds 200, 2010 edition (TFDS ``caltech_birds2010``): 6,033 images, 200 species.

    The original archives unpacked in ``<root>/caltech_birds2010/`` (or
    ``CUB_200_2010/``), ``images/<NNN.Species>/*.jpg`` and ``lists/{train,test}.txt``,
    are read first, without TensorFlow; else TFDS. Labels are TFDS's (class
    folder number - 1); the folders also give species names, which TFDS lacks.
    The lists are sorted by species; their images come back in one fixed
    shuffled order, as TFDS stores them shuffled, so that a validation split
    taken from the front holds every species.

    Example:
        >>> data = load_caltech_birds2010()  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    folder = _find_cub2010(data_root)
    if folder is not None:
        x_train, y_train, skipped_train = _load_cub2010_split(folder, "train", image_size)
        x_test, y_test, skipped_test = _load_cub2010_split(folder, "test", image_size)
        return ImageDataset(
            "caltech_birds2010",
            x_train,
            y_train,
            x_test,
            y_test,
            _cub2010_class_names(folder / "images"),
            source=str(folder),
            skipped=skipped_train + skipped_test,
        )
    packed = [
        data_root / name / archive
        for name in (CUB2010_FOLDERS if data_root is not None else ())
        for archive in ("images.tgz", "lists.tgz")
        if (data_root / name / archive).is_file()
    ]
    if packed:  # downloaded by hand but not unpacked: TFDS would not look at them
        raise DataFormatError(
            f"found {', '.join(map(str, packed))} still packed: unpack images.tgz and lists.tgz where they are "
            f"(tar xzf images.tgz; tar xzf lists.tgz, in {packed[0].parent}) to get images/ and lists/"
        )
    by_hand = _ByHand(
        CUB2010_LAYOUT,
        (data_root / "caltech_birds2010") if data_root else "$PRACTICAS_DATA/caltech_birds2010",
        "tensorflow_datasets downloads it from Google Drive, which sends scripts a virus-scan page instead "
        "(a checksum error, tensorflow/datasets#5544): open images.tgz "
        f"({CUB2010_IMAGES_URL}, 680 MB) and lists.tgz ({CUB2010_LISTS_URL}) in a browser and unpack both there",
    )
    x_train, y_train = _tfds_arrays("caltech_birds2010", "train", data_root, image_size=image_size, by_hand=by_hand)
    x_test, y_test = _tfds_arrays("caltech_birds2010", "test", data_root, image_size=image_size, by_hand=by_hand)
    return ImageDataset(
        "caltech_birds2010",
        x_train,
        y_train,
        x_test,
        y_test,
        [f"species {i}" for i in range(CUB2010_CLASSES)],
        source="tfds caltech_birds2010",
    )


KAGGLE_CREDENTIALS = (
    "if Kaggle asks for credentials: in Colab, add KAGGLE_USERNAME and KAGGLE_KEY as secrets (or call "
    "kagglehub.login()); elsewhere put kaggle.json (Kaggle > Settings > Create New Token) in ~/.kaggle/"
)


def _find_layout(root: Path, marker: str, depth: int = 3) -> Path | None:
    """The folder under ``root`` (at most ``depth`` levels down) that holds a ``marker`` subfolder."""
    level = [root]
    for _ in range(depth + 1):
        for folder in level:
            if (folder / marker).is_dir():
                return folder
        level = [child for folder in level for child in sorted(folder.iterdir()) if child.is_dir()]
    return None


def _kaggle_refusal(error: Exception, handle: str) -> str | None:
    """What a 401 or 403 from Kaggle means for ``handle`` and what to do; None for any other failure."""
    response = getattr(error, "response", None)  # kagglehub's KaggleApiHTTPError / ColabHTTPError (requests errors)
    status = getattr(response, "status_code", None)
    # kagglehub raises these when it has no credentials at all, before asking Kaggle.
    if status is None and type(error).__name__ in ("UnauthenticatedError", "CredentialError"):
        status = 401
    url = f"https://www.kaggle.com/datasets/{handle}"
    if status == 401:
        return (
            f"Kaggle refused {handle} (HTTP 401: no Kaggle credentials, or wrong ones). Give them: in Colab, add "
            "KAGGLE_USERNAME and KAGGLE_KEY as secrets (the key icon; allow the notebook access) or run "
            "kagglehub.login(); elsewhere set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json (Kaggle > Settings > "
            "Create New Token) in ~/.kaggle/"
        )
    if status == 403:
        return (
            f"Kaggle refused {handle} (HTTP 403: the account is known but has not accepted this dataset's terms). "
            f"Open {url} in a browser, signed in as the account whose key you use, accept its terms or rules, "
            "then run again"
        )
    return None


def kaggle_download(handle: str) -> Path:
    """Download a public Kaggle dataset with ``kagglehub`` (cached: a second call reads the cache) and return its folder.

    When Kaggle refuses (HTTP 401: no credentials; 403: terms not accepted), the
    :class:`DatasetNotFoundError` says which, and what to do; other failures pass through.

    Example:
        >>> kaggle_download("slothkong/10-monkey-species")  # doctest: +SKIP
        PosixPath('/root/.cache/kagglehub/datasets/slothkong/10-monkey-species/versions/2')
    """
    try:
        return _kagglehub_download(handle)
    except Exception as error:  # kagglehub's error types differ between its Colab, Kaggle and HTTP resolvers
        refusal = _kaggle_refusal(error, handle)
        if refusal is None:
            raise
        raise DatasetNotFoundError(refusal) from error


def _kagglehub_download(handle: str) -> Path:
    import kagglehub

    return Path(kagglehub.dataset_download(handle))


def _kaggle_folder(name: str, data_root, folder_names: tuple[str, ...], layout: str, handle: str, marker: str) -> Path:
    url = f"https://www.kaggle.com/datasets/{handle}"
    for folder in folder_names if data_root is not None else ():
        if (data_root / folder).is_dir():
            return data_root / folder
    where = data_root / folder_names[0] if data_root is not None else "$PRACTICAS_DATA"
    if not downloads_allowed():
        raise _not_found(
            name, layout, where, f"offline: unpack {url} there, or run online to download it with kagglehub"
        )
    try:
        downloaded = _kagglehub_download(handle)
    except ImportError:
        raise _not_found(name, layout, where, f"pip install kagglehub to download it, or unpack {url} there") from None
    except Exception as error:  # kagglehub raises HTTP and credential errors of its own kinds
        refusal = _kaggle_refusal(error, handle)
        if refusal is not None:  # it already says what Kaggle wants
            raise _not_found(name, layout, where, f"or unpack {url} there", failed_download=refusal) from error
        cause = f"{type(error).__name__}: {error}"
        raise _not_found(
            name, layout, where, f"{KAGGLE_CREDENTIALS}; or unpack {url} there", failed_download=cause
        ) from error
    found = _find_layout(downloaded, marker)
    if found is None:
        raise DataFormatError(f"kagglehub gave {downloaded}, but no folder in it holds {marker}/ ({layout})")
    return found


def _nested(path: Path, name: str) -> Path:
    # Kaggle's archives sometimes repeat the split folder (training/training/n0).
    return path / name / name if (path / name / name).is_dir() else path / name


def load_monkeys(data_root=None, image_size=(224, 224)) -> ImageDataset:
    """10 Monkey Species (Kaggle): ``training/n0..n9`` (1,097) and ``validation/n0..n9`` (272) (r004).

    Images are resized straight to ``image_size``; r004's resize-256 and
    centre-crop-224 is :func:`practicas.pipelines.imagenet_eval_transform`.

    Example:
        >>> data = load_monkeys("~/data")  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    folder = _kaggle_folder(
        "monkeys",
        data_root,
        ("10-monkey-species", "monkeys"),
        "training/n0..n9 and validation/n0..n9",
        "slothkong/10-monkey-species",
        marker="training",
    )
    class_dirs = [f"n{i}" for i in range(10)]
    x_train, y_train, _, skipped_train = load_image_folder(_nested(folder, "training"), image_size, class_dirs)
    x_test, y_test, _, skipped_test = load_image_folder(_nested(folder, "validation"), image_size, class_dirs)
    return ImageDataset(
        "monkeys",
        x_train,
        y_train,
        x_test,
        y_test,
        MONKEY_CLASSES,
        source=str(folder),
        skipped=skipped_train + skipped_test,
    )


def load_alien_vs_predator(data_root=None, image_size=(224, 224)) -> ImageDataset:
    """Alien vs Predator (Kaggle): ``train/{alien,predator}`` and ``validation/{alien,predator}`` (r000-T6).

    Kaggle's archive unpacks to ``alien_vs_predator_thumbnails/data/train/...``;
    ``alien-vs-predator/`` or ``alien_vs_predator/``, with or without ``data/``, work too.

    Example:
        >>> data = load_alien_vs_predator("~/data")  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    folder = _kaggle_folder(
        "alien_vs_predator",
        data_root,
        ("alien_vs_predator_thumbnails", "alien-vs-predator", "alien_vs_predator"),
        "train/{alien,predator} and validation/{alien,predator}",
        "pmigdal/alien-vs-predator-images",
        marker="train",
    )
    if (folder / "data").is_dir():
        folder = folder / "data"
    names = ["alien", "predator"]
    x_train, y_train, _, s1 = load_image_folder(folder / "train", image_size, names)
    x_test, y_test, _, s2 = load_image_folder(folder / "validation", image_size, names)
    return ImageDataset(
        "alien_vs_predator", x_train, y_train, x_test, y_test, names, source=str(folder), skipped=s1 + s2
    )


def load_emoji_pickle(
    path: str | os.PathLike, class_names: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read r002's pickled dict of 32x32x3 emoji images and labels, without running code from the file.

    Accepted keys: images under one of ``images, x, X, data, imgs``; labels under
    one of ``labels, y, Y, targets, target``; optional ``class_names``. Images
    may be ``(N, 32, 32, 3)`` or channels-first ``(N, 3, 32, 32)``; floats in
    [0, 1] are scaled to uint8. Labels must lie in 0..4.

    Example:
        >>> x, y, names = load_emoji_pickle("emoji.pkl")  # doctest: +SKIP
    """
    data = safe_load_pickle(path, encoding="latin1")
    if not isinstance(data, dict):
        raise DataFormatError(f"{path} holds a {type(data).__name__}; expected a dict with image and label keys")
    keys = {k.decode() if isinstance(k, bytes) else k: v for k, v in data.items()}
    image_key = next((k for k in EMOJI_IMAGE_KEYS if k in keys), None)
    label_key = next((k for k in EMOJI_LABEL_KEYS if k in keys), None)
    if image_key is None or label_key is None:
        raise DataFormatError(
            f"{path} has keys {sorted(keys)}; expected images under one of {EMOJI_IMAGE_KEYS} and labels under one of {EMOJI_LABEL_KEYS}"
        )
    images, labels = np.asarray(keys[image_key]), np.asarray(keys[label_key]).reshape(-1)
    if images.ndim == 4 and images.shape[1] == 3 and images.shape[-1] != 3:
        images = images.transpose(0, 2, 3, 1)
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3):
        raise DataFormatError(f"{path}: images have shape {images.shape}; expected (N, 32, 32, 3) or (N, 3, 32, 32)")
    if len(labels) != len(images):
        raise DataFormatError(f"{path}: {len(images)} images but {len(labels)} labels")
    names = [str(n) for n in keys.get("class_names", class_names or EMOJI_CLASSES)]
    if labels.min() < 0 or labels.max() >= len(names):
        raise DataFormatError(f"{path}: labels must lie in 0..{len(names) - 1}, found {labels.min()}..{labels.max()}")
    if images.dtype != np.uint8:
        images = np.clip(images * (255.0 if images.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    return images, labels.astype("int64"), names


def load_emoji(data_root=None, path=None, train: int = 800, seed: int = 0) -> ImageDataset:
    """The r002 emoji dataset (1,005 images, 5 classes), split 800 train / 205 validation by default.

    The pickle is looked for at ``path`` or ``<root>/emoji/*.pkl``; the
    validation part is returned as ``x_test``/``y_test`` (r002 has no test set).

    Example:
        >>> data = load_emoji(path="emoji.pkl", train=800)  # doctest: +SKIP
    """
    data_root = resolve_data_root(data_root)
    if path is None:
        folder = (data_root / "emoji") if data_root else None
        pickles = (
            sorted(p for p in folder.glob("*.p*") if p.suffix in (".pkl", ".pickle", ".p"))
            if folder and folder.is_dir()
            else []
        )
        if not pickles:
            raise _not_found(
                "emoji",
                "a pickle (*.pkl) of the r002 emoji dict",
                folder or "$PRACTICAS_DATA/emoji",
                "it comes with the course material",
            )
        path = pickles[0]
    x, y, names = load_emoji_pickle(path)
    if not 0 < train < len(x):
        # An empty side fails much later, inside Keras (predict on no data: UnboundLocalError 'batch_outputs').
        raise DataFormatError(
            f"{path} holds {len(x)} images, and the split puts train={train} in training and the rest in validation: "
            f"it needs more than {train} images (r002's pickle has 1,005). Use the course's full pickle, or pass "
            f"train= between 1 and {len(x) - 1}"
        )
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    return ImageDataset("emoji", x[:train], y[:train], x[train:], y[train:], names, source=str(path))


LOADERS: dict[str, Callable[..., ImageDataset]] = {
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
    "cifar10": load_cifar10,
    "cifar100_subset": load_cifar100_subset,
    "emnist_letters": load_emnist_letters,
    "mnist_subset": load_mnist_subset,
    "cats_vs_dogs": load_cats_vs_dogs,
    "caltech_birds2010": load_caltech_birds2010,
    "monkeys": load_monkeys,
    "alien_vs_predator": load_alien_vs_predator,
    "emoji": load_emoji,
}


def load_dataset(name: str, *, data_root=None, run=None, **options) -> ImageDataset:
    """Load a dataset by name (see ``LOADERS``), local files first, then a checked download.

    ``data_root``: where to look first (default ``$PRACTICAS_DATA``). ``run``,
    an experiment's :class:`~practicas.runmode.RunContext`: its ``data_root``
    is the default, the dataset and its split sizes are recorded in its
    settings, and a smoke run gets a few images per split.

    Example:
        >>> data = load_dataset("fashion_mnist")
        >>> len(data.x_test), data.num_classes
        (10000, 10)
    """
    try:
        loader = LOADERS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, LOADERS, n=3, cutoff=0.4)
        raise UnknownDatasetError(
            f"unknown dataset {name!r}; known: {', '.join(LOADERS)}"
            + (f" (did you mean {', '.join(close)}?)" if close else "")
        ) from None
    if run is None:
        return loader(data_root=data_root, **options)
    data = loader(data_root=run.data_root if data_root is None else data_root, **options)
    run.record(
        "datasets",
        {
            "name": name,
            "image_shape": list(data.image_shape),
            "splits": {split: sizes["samples"] for split, sizes in data.split_sizes().items()},
            "num_classes": data.num_classes,
        },
    )
    return data.smoke_subset(run.smoke_samples) if run.smoke else data
