"""Small real stand-in data for ``--quick`` runs, offline: Fashion-MNIST reshaped to each report's format.

The reports train on MNIST, CIFAR, Kaggle folders and a pickled dict; offline
we cannot download those, so quick mode feeds the same code paths with real
Fashion-MNIST images (Debian's ``dataset-fashion-mnist``) converted to the
needed format: 32x32 RGB arrays, a Kaggle-style image folder, an emoji-style
pickle. The data is real and learnable, so curves and confusions mean something.

:func:`experiment_data` is the one place that decides, per dataset, between the
report's data and its stand-in. Beside the data live the stand-in *models*:
where a report freezes ImageNet features, quick mode freezes a small network
pretrained on the spot on other real classes (:func:`quick_pretrained_base`).
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import keras
import numpy as np
from keras import layers

from practicas.datasets import FASHION_MNIST_CLASSES, ImageDataset, load_dataset, load_emoji, load_fashion_mnist
from practicas.errors import InvalidInputError
from practicas.modeling import logits_layer
from practicas.runmode import RunContext, memoize


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
            data,
            x_train=data.x_train[keep_train],
            y_train=data.y_train[keep_train],
            x_test=data.x_test[keep_test],
            y_test=data.y_test[keep_test],
            class_names=data.class_names[:classes],
        )
    return data.take(train=train, test=test, seed=seed)


def to_rgb(images: np.ndarray, size: int = 32) -> np.ndarray:
    """Grey 28x28 images to ``size`` x ``size`` RGB uint8 (resized, channel repeated).

    Example:
        >>> to_rgb(np.zeros((2, 28, 28, 1), "uint8")).shape
        (2, 32, 32, 3)
    """
    resized = keras.ops.image.resize(np.asarray(images, "float32"), (size, size), antialias=True)
    return np.clip(np.repeat(keras.ops.convert_to_numpy(resized), 3, axis=-1), 0, 255).astype("uint8")


def colour_standin(
    train: int = 1500, test: int = 500, size: int = 32, seed: int = 0, classes: int = 10
) -> ImageDataset:
    """Fashion-MNIST as ``size`` x ``size`` x 3 arrays: the offline stand-in for CIFAR-10 and CIFAR-100.

    Example:
        >>> colour_standin(train=100, test=50).x_train.shape
        (100, 32, 32, 3)
    """
    data = fashion_mnist_subset(train, test, seed, classes)
    return dataclasses.replace(
        data, name=f"fashion_mnist_rgb{size}", x_train=to_rgb(data.x_train, size), x_test=to_rgb(data.x_test, size)
    )


def write_image_folder(
    root: str | Path,
    *,
    train_per_class: int = 12,
    test_per_class: int = 4,
    size: int = 64,
    split_names=("training", "validation"),
    class_dirs=None,
    seed: int = 0,
) -> Path:
    """Write Fashion-MNIST images as JPEG files in a Kaggle-style ``split/class/`` layout.

    Example:
        >>> root = write_image_folder("/tmp/monkeys-standin")  # doctest: +SKIP
        >>> sorted(p.name for p in (root / "training").iterdir())[:2]  # doctest: +SKIP
        ['n0', 'n1']
    """
    from PIL import Image

    root = Path(root)
    class_dirs = list(class_dirs or [f"n{i}" for i in range(10)])
    data = fashion_mnist_subset(
        len(class_dirs) * train_per_class * 3, len(class_dirs) * test_per_class * 3, seed, len(class_dirs)
    )
    for split, x, y, per_class in (
        (split_names[0], data.x_train, data.y_train, train_per_class),
        (split_names[1], data.x_test, data.y_test, test_per_class),
    ):
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
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    # MNIST digits are 20x20 centred in 28x28; resize the 8x8 grid to that box and pad.
    inner = size * 20 // 28
    images = keras.ops.image.resize(
        digits.images[..., None].astype("float32") * (255.0 / 16.0), (inner, inner), interpolation="bicubic"
    )
    pad = (size - inner) // 2
    images = np.pad(
        np.clip(keras.ops.convert_to_numpy(images), 0, 255),
        ((0, 0), (pad, size - inner - pad), (pad, size - inner - pad), (0, 0)),
    )
    train_index, test_index = train_test_split(
        np.arange(len(images)), train_size=train, stratify=digits.target, random_state=seed
    )
    images, labels = images.round().astype("uint8"), digits.target.astype("int64")
    return ImageDataset(
        "sklearn_digits",
        images[np.sort(train_index)],
        labels[np.sort(train_index)],
        images[np.sort(test_index)],
        labels[np.sort(test_index)],
        [str(d) for d in range(10)],
        source="scikit-learn load_digits (8x8, resized)",
    )


# ------------------------------------------------------------------ one place: the report's data, or its stand-in


def _folder(workdir, name: str) -> Path:
    # Stand-in files live beside the artifacts' state, shared by every artifact of the run.
    return Path(workdir).parent / f"{name}-standin"


def _monkeys(context, image_size: int = 224):
    if context.quick:
        # 6 training and 2 validation images per class: two steps of r004's batch of 32 for each of its six networks.
        root = write_image_folder(
            _folder(context.workdir, "monkeys") / "10-monkey-species",
            train_per_class=6,
            test_per_class=2,
            size=64,
            seed=context.seed,
        )
        return load_dataset(
            "monkeys", data_root=root.parent, run=context, image_size=(64, 64)
        ), "Fashion-MNIST in a Kaggle-style folder (quick stand-in)"
    return load_dataset("monkeys", run=context, image_size=(image_size, image_size)), "10 Monkey Species"


def _alien(context):
    if context.quick:
        root = write_image_folder(
            _folder(context.workdir, "alien") / "alien-vs-predator",
            size=64,
            split_names=("train", "validation"),
            class_dirs=("alien", "predator"),
            train_per_class=100,
            test_per_class=50,
            seed=context.seed,
        )
        return (
            load_dataset("alien_vs_predator", data_root=root.parent, run=context, image_size=(64, 64)),
            "Fashion-MNIST T-shirt vs trouser folders (quick stand-in for Alien vs Predator)",
        )
    return load_dataset(
        "alien_vs_predator", run=context, image_size=(224, 224)
    ), "Alien vs Predator (694 train / 200 validation)"


def _emoji(context, train: int = 845):
    if context.quick:
        path = write_emoji_pickle(_folder(context.workdir, "emoji") / "emoji.pkl", seed=context.seed)
        return load_emoji(
            path=path, train=train, seed=context.seed
        ), "Fashion-MNIST 5 classes as an emoji-style pickle (quick stand-in)"
    return load_dataset("emoji", run=context, train=train, seed=context.seed), "r002 emoji"


def _arrays(full, full_label: str, standin, standin_label: str):
    # full(context) loads the report's data (recorded in the context); standin(seed) makes quick mode's.
    def choose(context):
        return (standin(context.seed), standin_label) if context.quick else (full(context), full_label)

    return choose


_EXPERIMENT_DATA = {
    "mnist": _arrays(
        lambda run: load_dataset("mnist", run=run),
        "MNIST",
        lambda seed: fashion_mnist_subset(train=2000, test=1000, seed=seed),
        "Fashion-MNIST subset (quick stand-in for MNIST)",
    ),
    "mnist_digits": _arrays(
        lambda run: load_dataset("mnist", run=run),
        "MNIST",
        lambda seed: digits_standin(train=1000, seed=seed),
        "scikit-learn digits (quick stand-in for MNIST)",
    ),
    "mnist_1000": _arrays(
        lambda run: load_dataset("mnist_subset", run=run, seed=run.seed),
        "MNIST, 1,000 training images",
        lambda seed: digits_standin(train=1000, seed=seed),
        "scikit-learn digits, 1,000 training images (quick stand-in for MNIST)",
    ),
    "cifar10": _arrays(
        lambda run: load_dataset("cifar10", run=run),
        "CIFAR-10",
        lambda seed: colour_standin(train=1000, test=500, seed=seed),
        "Fashion-MNIST 32x32 RGB (quick stand-in for CIFAR-10)",
    ),
    "cifar100_subset": _arrays(
        lambda run: load_dataset("cifar100_subset", run=run),
        "CIFAR-100 fine classes 0-24",
        lambda seed: colour_standin(train=600, test=300, seed=seed),
        "Fashion-MNIST 32x32 RGB (quick stand-in for CIFAR-100 0-24)",
    ),
    "emnist_letters": _arrays(
        lambda run: load_dataset("emnist_letters", run=run),
        "EMNIST letters a-j",
        lambda seed: fashion_mnist_subset(train=1000, test=500, seed=seed),
        "Fashion-MNIST subset (quick stand-in for EMNIST letters a-j)",
    ),
    "cats_vs_dogs": _arrays(
        lambda run: load_dataset("cats_vs_dogs", run=run),
        "cats vs dogs, 2,500 training images",
        lambda seed: colour_standin(train=600, test=200, size=64, seed=seed, classes=2),
        "Fashion-MNIST T-shirt vs trouser, 64x64 RGB (quick stand-in for cats vs dogs)",
    ),
    "caltech_birds2010": _arrays(
        lambda run: load_dataset("caltech_birds2010", run=run, image_size=(224, 224)),
        "Caltech-UCSD Birds 200 (2010)",
        lambda seed: colour_standin(train=400, test=200, size=64, seed=seed),
        "Fashion-MNIST 64x64 RGB (quick stand-in for Caltech-UCSD Birds 2010)",
    ),
    "monkeys": _monkeys,
    "alien_vs_predator": _alien,
    "emoji": _emoji,
}


def experiment_data(name: str, context: RunContext, **options) -> tuple[ImageDataset, str]:
    """The data of a report experiment and a label saying what it is: the report's dataset, or quick mode's stand-in.

    Every producer gets its data here, so the choice between the two is made
    in one place, from the run's :class:`~practicas.runmode.RunContext`
    (``quick``, ``seed``; stand-ins that are files, a Kaggle-style folder or
    the emoji pickle, are written beside its ``workdir``), which also says where
    the report's data lives (``data_root``), records what was loaded and caps a
    smoke run's splits (:func:`practicas.datasets.load_dataset`). ``options``:
    ``image_size`` for ``"monkeys"``, ``train`` (the split) for ``"emoji"``.

    Example:
        >>> from practicas.runmode import RunContext
        >>> data, label = experiment_data("mnist", RunContext(quick=True))
        >>> data.x_train.shape, label
        ((2000, 28, 28, 1), 'Fashion-MNIST subset (quick stand-in for MNIST)')
    """
    if name not in _EXPERIMENT_DATA:
        raise InvalidInputError(f"no experiment data named {name!r}; choose one of {sorted(_EXPERIMENT_DATA)}")
    return _EXPERIMENT_DATA[name](context, **options)


# ------------------------------------------------------------------ stand-in models: quick mode's "ImageNet weights"


def pretrain_backbone(
    base: keras.Model,
    images,
    labels,
    *,
    epochs: int,
    seed: int = 0,
    batch_size: int = 64,
    input_scale=(1 / 127.5, -1.0),
) -> keras.Model:
    """Train ``base`` from scratch on a classification task of its own: the offline stand-in for ImageNet weights.

    Quick runs cannot download ImageNet weights, and a frozen *random*
    backbone would make "transfer" meaningless; pretraining it for a few
    epochs on other real classes gives it features worth freezing. BatchNorm
    learns its statistics here (training mode), as it did on ImageNet.

    Example:
        >>> base = pretrain_backbone(backbone_of(model), x_other, y_other, epochs=3)  # doctest: +SKIP
    """
    from practicas import pipelines, training

    keras.utils.set_random_seed(seed)
    num_classes = int(labels.max()) + 1
    inputs = keras.Input(base.input_shape[1:])
    x = layers.Rescaling(input_scale[0], offset=input_scale[1])(inputs)
    x = base(x)
    x = layers.GlobalAveragePooling2D()(x) if len(x.shape) == 4 else x
    pretraining = keras.Model(
        inputs, logits_layer(num_classes, name="pretraining_logits")(x), name=f"{base.name}_pretraining"
    )
    was_trainable, base.trainable = base.trainable, True
    norms = [layer for layer in base.layers if isinstance(layer, layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for layer in norms:  # a short run must still leave moving statistics that match the data
        layer.momentum = 0.9
    training.compile_classifier(pretraining, keras.optimizers.Adam(1e-3))
    data = pipelines.array_pipeline(images, labels, batch_size=batch_size, seed=seed)
    # Set-up, not an experiment: nothing recorded, no line per epoch.
    history = training.fit(pretraining, data, epochs=epochs, seed=seed, run=RunContext(progress=False))
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum
    base.trainable = was_trainable
    base.pretraining_history = history.history
    return base


def standin_backbone(size: int) -> keras.Model:
    """A small CNN (three convs, global average pooling, BatchNorm): quick mode's stand-in for ResNet50.

    Example:
        >>> standin_backbone(64).output_shape
        (None, 128)
    """
    return keras.Sequential(
        [
            keras.Input((size, size, 3)),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(name="pool1"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(name="pool2"),
            layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3"),
            layers.GlobalAveragePooling2D(name="gap"),
            # Standardized features, like ResNet50's after its last BatchNorm: a new head can learn at Adam's usual rate.
            layers.BatchNormalization(name="features_bn"),
        ],
        name="standin_backbone",
    )


def pretrain_on_other_classes(base: keras.Model, size: int, seed: int, train: int) -> None:
    """Pretrain ``base`` on Fashion-MNIST classes 2-9: the stand-in tasks use classes 0 and 1, as ImageNet is not the task."""
    other = colour_standin(train=train, test=10, size=size, seed=seed + 1)
    keep = other.y_train >= 2
    pretrain_backbone(base, other.x_train[keep], other.y_train[keep] - 2, epochs=3, seed=seed)


def scale_to_unit_range(x):
    """Pixels [0, 255] -> [-1, 1]: the stand-in backbones' preprocessing (MobileNet's too)."""
    return x / 127.5 - 1.0


def quick_pretrained_base(size: int, seed: int):
    """Quick mode's stand-in for an ImageNet backbone: :func:`standin_backbone` pretrained on the spot, and its preprocessing.

    It learns on the 8 Fashion-MNIST classes that the stand-in tasks do not
    use (they use T-shirt and trouser), so, as with ImageNet, its features
    come from other classes. Trained once per process; each call gets a copy.

    Example:
        >>> base, preprocess = quick_pretrained_base(64, seed=0)  # doctest: +SKIP
    """

    def compute():
        keras.utils.set_random_seed(seed)  # the same weights whatever ran before in this process
        base = standin_backbone(size)
        pretrain_on_other_classes(base, size, seed, train=1000)
        return base.get_weights()

    weights = memoize(("quick_pretrained_base", size, seed), compute)
    base = standin_backbone(size)
    base.set_weights(weights)
    return base, scale_to_unit_range


def quick_pretrained_mobilenet(shape, seed: int, frozen: bool = True) -> keras.Model:
    """Quick mode's stand-in for r003's ImageNet MobileNet: a thin one (alpha 0.25) pretrained on 8 other classes.

    Each call gets a fresh network (a new head) with the same pretrained backbone.

    Example:
        >>> model = quick_pretrained_mobilenet((64, 64, 3), seed=0)  # doctest: +SKIP
    """
    from practicas.transfer import models

    def build():
        keras.utils.set_random_seed(seed)  # the same weights whatever ran before in this process
        return models.mobilenet_cats_vs_dogs(shape, weights=None, frozen=frozen, alpha=0.25)

    def compute():
        base = models.backbone_of(build())
        pretrain_on_other_classes(base, shape[0], seed, train=3000)
        return base.get_weights()

    # Pretrained once per process (notebook 03's r003-F14 climbs the network notebook 02's cells train from it).
    weights = memoize(("quick_pretrained_mobilenet", tuple(shape), seed), compute)
    model = build()
    models.backbone_of(model).set_weights(weights)
    return model
