"""Small real stand-in data for ``--quick`` runs, offline: Fashion-MNIST reshaped to each report's format.

The reports train on MNIST, CIFAR, Kaggle folders and a pickled dict; offline
we cannot download those, so quick mode feeds the same code paths with real
Fashion-MNIST images (Debian's ``dataset-fashion-mnist``) converted to the
needed format: 32x32 RGB arrays, a Kaggle-style image folder, an emoji-style
pickle. The data is real and learnable, so curves and confusions mean something.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np

from practicas.datasets import FASHION_MNIST_CLASSES, ImageDataset, load_fashion_mnist


def fashion_mnist_subset(train: int = 3000, test: int = 1000, seed: int = 0, classes: int = 10) -> ImageDataset:
    """A stratified subset of the offline Fashion-MNIST (28x28x1), optionally of the first ``classes`` classes.

    Example:
        >>> data = fashion_mnist_subset(train=200, test=100)
        >>> data.x_train.shape
        (200, 28, 28, 1)
    """
    data = load_fashion_mnist()
    if classes < 10:
        keep_train, keep_test = data.y_train < classes, data.y_test < classes
        data = dataclasses.replace(
            data, x_train=data.x_train[keep_train], y_train=data.y_train[keep_train],
            x_test=data.x_test[keep_test], y_test=data.y_test[keep_test], class_names=data.class_names[:classes],
        )
    return data.take(train=train, test=test, seed=seed)


def to_rgb(images: np.ndarray, size: int = 32) -> np.ndarray:
    """Grey 28x28 images to ``size`` x ``size`` RGB uint8 (resized, channel repeated).

    Example:
        >>> to_rgb(np.zeros((2, 28, 28, 1), "uint8")).shape
        (2, 32, 32, 3)
    """
    import tensorflow as tf

    resized = tf.image.resize(tf.cast(images, tf.float32), (size, size), antialias=True)
    return np.clip(np.repeat(resized.numpy(), 3, axis=-1), 0, 255).astype("uint8")


def colour_standin(train: int = 1500, test: int = 500, size: int = 32, seed: int = 0, classes: int = 10) -> ImageDataset:
    """Fashion-MNIST as ``size`` x ``size`` x 3 arrays: the offline stand-in for CIFAR-10 and CIFAR-100.

    Example:
        >>> colour_standin(train=100, test=50).x_train.shape
        (100, 32, 32, 3)
    """
    data = fashion_mnist_subset(train, test, seed, classes)
    return dataclasses.replace(
        data, name=f"fashion_mnist_rgb{size}", x_train=to_rgb(data.x_train, size), x_test=to_rgb(data.x_test, size),
    )


def write_image_folder(root: str | Path, *, train_per_class: int = 12, test_per_class: int = 4, size: int = 64,
                       split_names=("training", "validation"), class_dirs=None, seed: int = 0) -> Path:
    """Write Fashion-MNIST images as JPEG files in a Kaggle-style ``split/class/`` layout.

    Example:
        >>> root = write_image_folder("/tmp/monkeys-standin")  # doctest: +SKIP
        >>> sorted(p.name for p in (root / "training").iterdir())[:2]  # doctest: +SKIP
        ['n0', 'n1']
    """
    from PIL import Image

    root = Path(root)
    class_dirs = list(class_dirs or [f"n{i}" for i in range(10)])
    data = fashion_mnist_subset(len(class_dirs) * train_per_class * 3, len(class_dirs) * test_per_class * 3, seed, len(class_dirs))
    for split, x, y, per_class in ((split_names[0], data.x_train, data.y_train, train_per_class),
                                   (split_names[1], data.x_test, data.y_test, test_per_class)):
        images = to_rgb(x, size)
        for label, name in enumerate(class_dirs):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i, index in enumerate(np.flatnonzero(y == label)[:per_class]):
                Image.fromarray(images[index]).save(folder / f"{name}_{i:04d}.jpg", quality=92)
    return root


def write_emoji_pickle(path: str | Path, samples: int = 1005, seed: int = 0) -> Path:
    """Write an r002-style pickle (``{"images": (N, 32, 32, 3) uint8, "labels": (N,)}``) of 5 Fashion-MNIST classes.

    Example:
        >>> path = write_emoji_pickle("/tmp/emoji.pkl", samples=50)  # doctest: +SKIP
    """
    data = fashion_mnist_subset(train=samples, test=5, seed=seed, classes=5)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"images": to_rgb(data.x_train, 32), "labels": data.y_train, "class_names": FASHION_MNIST_CLASSES[:5]}
    path.write_bytes(pickle.dumps(payload, protocol=4))
    return path


def digits_standin(train: int = 1000, size: int = 28, seed: int = 0) -> ImageDataset:
    """scikit-learn's 1,797 real handwritten digits (8x8, 0-16) as MNIST-like ``size`` x ``size`` uint8 images.

    The offline stand-in where a report needs *digits* (r003's transfer to
    1,000 MNIST samples, the digit classes of r003-F11): ``train`` images,
    stratified, the rest as test.

    Example:
        >>> data = digits_standin(train=1000)
        >>> data.x_train.shape, len(data.x_test)
        ((1000, 28, 28, 1), 797)
    """
    import tensorflow as tf
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    # MNIST digits are 20x20 centred in 28x28; resize the 8x8 grid to that box and pad.
    inner = size * 20 // 28
    images = tf.image.resize(digits.images[..., None].astype("float32") * (255.0 / 16.0), (inner, inner), method="bicubic")
    pad = (size - inner) // 2
    images = np.pad(np.clip(images.numpy(), 0, 255), ((0, 0), (pad, size - inner - pad), (pad, size - inner - pad), (0, 0)))
    train_index, test_index = train_test_split(np.arange(len(images)), train_size=train, stratify=digits.target, random_state=seed)
    images, labels = images.round().astype("uint8"), digits.target.astype("int64")
    return ImageDataset("sklearn_digits", images[np.sort(train_index)], labels[np.sort(train_index)],
                        images[np.sort(test_index)], labels[np.sort(test_index)], [str(d) for d in range(10)],
                        source="scikit-learn load_digits (8x8, resized)")
