"""Input pipelines: r001's ``ImageDataGenerator`` recipe, a faster ``tf.data`` twin, and a ``PyDataset`` for JAX / PyTorch.

Both follow r001 exactly: featurewise mean and std are fitted on the training
images and applied to validation and test; ``validation_split=0.1`` holds out
the *first* 10 % of the training arrays (that is what ImageDataGenerator does);
augmentation (``horizontal_flip``, ``zoom_range=0.2``, ``width_shift_range=0.1``,
``height_shift_range=0.1``, ``rotation_range=20``) touches training batches only.

The ``tf.data`` pipeline draws one combined affine transform per image, as
ImageDataGenerator does, and applies it with ``keras.ops.image.affine_transform``
inside the data pipeline (RandomRotation-style ops have no XLA kernel, so they
must not live in a jit-compiled model). Its random numbers are stateless
functions of ``(seed, epoch, batch)``: the same seed gives the same batches,
each epoch differs, and a resumed run replays the epoch it stopped in.

Under the JAX and PyTorch backends :func:`array_pipeline` returns
:class:`ArrayBatches`, a ``keras.utils.PyDataset`` with the same recipe: its
order and augmentation are NumPy functions of ``(seed, epoch, batch)``, so a
resumed run is bit-exact there too. NumPy's random streams are not
TensorFlow's: the same seed gives other (equally distributed) batches on
another backend. ``ImageDataGenerator`` and ``tensorflow_datasets`` stay
TensorFlow's (:class:`practicas.errors.BackendError` says so elsewhere).
"""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import NamedTuple

import keras
import numpy as np

from practicas.errors import InvalidInputError, require_tensorflow

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """Random training-time transforms, with ImageDataGenerator's meaning for each number.

    Example:
        >>> Augmentation.r001()
        Augmentation(horizontal_flip=True, zoom_range=0.2, width_shift_range=0.1, height_shift_range=0.1, rotation_range=20.0)
    """

    horizontal_flip: bool = False
    zoom_range: float = 0.0
    width_shift_range: float = 0.0
    height_shift_range: float = 0.0
    rotation_range: float = 0.0  # degrees

    @classmethod
    def r001(cls) -> Augmentation:
        """The augmentation of r001 exercise 2."""
        return cls(True, 0.2, 0.1, 0.1, 20.0)

    def without_flip(self) -> Augmentation:
        """The same transforms minus the horizontal flip (a mirrored digit is another symbol)."""
        return dataclasses.replace(self, horizontal_flip=False)

    def image_data_generator_kwargs(self) -> dict:
        return dataclasses.asdict(self)

    def keras_layers(self, seed: int | None = None) -> keras.Sequential:
        """The same transforms as Keras preprocessing layers (for in-model use on a GPU).

        Example:
            >>> layers = Augmentation.r001().keras_layers(seed=0)
        """
        from keras import layers

        stack = []
        if self.horizontal_flip:
            stack.append(layers.RandomFlip("horizontal", seed=seed))
        if self.rotation_range:
            stack.append(layers.RandomRotation(self.rotation_range / 360.0, fill_mode="nearest", seed=seed))
        if self.zoom_range:
            stack.append(layers.RandomZoom(self.zoom_range, fill_mode="nearest", seed=seed))
        if self.width_shift_range or self.height_shift_range:
            stack.append(
                layers.RandomTranslation(
                    self.height_shift_range, self.width_shift_range, fill_mode="nearest", seed=seed
                )
            )
        return keras.Sequential(stack, name="augmentation")


class Pipelines(NamedTuple):
    """Training, validation and test inputs ready for ``model.fit`` / ``evaluate``."""

    train: object
    validation: object
    test: object
    mean: np.ndarray | None
    std: np.ndarray | None


def featurewise_stats(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std over all training pixels, as ``ImageDataGenerator.fit`` computes them.

    Example:
        >>> mean, std = featurewise_stats(np.random.rand(10, 8, 8, 3))
        >>> mean.shape
        (3,)
    """
    images = _check_images(images)
    mean = images.mean(axis=(0, 1, 2), dtype=np.float64)
    std = images.std(axis=(0, 1, 2), dtype=np.float64)
    return mean.astype("float32"), std.astype("float32")


def _check_images(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4:
        raise InvalidInputError(
            f"expected a batch of images shaped (N, height, width, channels), got shape {images.shape}"
        )
    return images


def _check_labels(images: np.ndarray, labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise InvalidInputError(
            f"expected one integer label per image ({len(images)}), got labels of shape {labels.shape}"
        )
    return labels


def validation_split(images: np.ndarray, labels: np.ndarray, fraction: float = 0.1):
    """Split off the first ``fraction`` as validation, the rest as training (ImageDataGenerator's rule).

    Example:
        >>> (xt, yt), (xv, yv) = validation_split(np.zeros((10, 2, 2, 1)), np.arange(10), 0.1)
        >>> yv.tolist(), len(yt)
        ([0], 9)
    """
    split = int(len(images) * fraction)
    return (images[split:], labels[split:]), (images[:split], labels[:split])


def _affine_matrices(uniform, augmentation: Augmentation, height: float, width: float):
    """Output->input affine maps for a batch from ``uniform`` (batch, 6) numbers in [0, 1), in ``keras.ops``.

    One formula for every pipeline: the ``tf.data`` one draws ``uniform``
    with TensorFlow's stateless RNG inside its graph, :class:`ArrayBatches`
    with NumPy.
    """
    ops = keras.ops

    def between(i, low, high):
        return low + (high - low) * uniform[:, i]

    theta = between(0, -1.0, 1.0) * (augmentation.rotation_range * np.pi / 180.0)
    zx = between(1, 1 - augmentation.zoom_range, 1 + augmentation.zoom_range)
    zy = between(2, 1 - augmentation.zoom_range, 1 + augmentation.zoom_range)
    tx = between(3, -1.0, 1.0) * augmentation.width_shift_range * width
    ty = between(4, -1.0, 1.0) * augmentation.height_shift_range * height
    flip = ops.where(uniform[:, 5] < 0.5, -1.0, 1.0) if augmentation.horizontal_flip else ops.ones_like(theta)
    cos, sin = ops.cos(theta), ops.sin(theta)
    a00, a01 = cos * zx * flip, -sin * zy
    a10, a11 = sin * zx * flip, cos * zy
    cx, cy = (width - 1) / 2, (height - 1) / 2
    a02 = cx - a00 * cx - a01 * cy + tx
    a12 = cy - a10 * cx - a11 * cy + ty
    zeros = ops.zeros_like(theta)
    return ops.stack([a00, a01, a02, a10, a11, a12, zeros, zeros], axis=1)


def augment_batch(images, augmentation: Augmentation, seed):
    """Apply one random affine transform per image (rotation, zoom, shift, flip), nearest fill (TensorFlow).

    ``seed`` is a shape-[2] integer tensor; the same seed gives the same images.

    Example:
        >>> import tensorflow as tf
        >>> out = augment_batch(tf.zeros([2, 8, 8, 3]), Augmentation.r001(), tf.constant([0, 1]))
        >>> tuple(out.shape)
        (2, 8, 8, 3)
    """
    tf = require_tensorflow("the tf.data pipeline's augmentation")
    images = tf.convert_to_tensor(images, tf.float32)
    shape = tf.shape(images)
    uniform = tf.random.stateless_uniform([shape[0], 6], seed)
    matrices = _affine_matrices(uniform, augmentation, tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32))
    return keras.ops.image.affine_transform(images, matrices, interpolation="bilinear", fill_mode="nearest")


def epoch_order(n: int, seed: int, epoch: int, shuffle: bool = True) -> np.ndarray:
    """The order of ``n`` samples in epoch ``epoch``: NumPy's permutation seeded by ``(seed, epoch)`` (or 0..n-1).

    The one order of the NumPy-side pipelines (:class:`ArrayBatches`, :class:`EpochSeededFlow`).

    Example:
        >>> epoch_order(4, seed=0, epoch=1, shuffle=False).tolist()
        [0, 1, 2, 3]
    """
    return np.random.default_rng([int(seed), int(epoch)]).permutation(n) if shuffle else np.arange(n)


class EpochCounter:
    """The epoch a pipeline's order and augmentation follow; :func:`practicas.training.fit` assigns it.

    Example:
        >>> counter = EpochCounter()
        >>> counter.assign(3)
        >>> int(counter.numpy())
        3
    """

    def __init__(self):
        self.value = 0

    def assign(self, epoch) -> None:
        self.value = int(epoch)

    def numpy(self) -> int:
        return self.value


class ArrayBatches(keras.utils.PyDataset):
    """:func:`array_pipeline` as a ``keras.utils.PyDataset``: what ``fit`` gets on JAX and PyTorch.

    Batch ``b`` of epoch ``e`` depends only on ``(seed, e, b)``: the order is
    NumPy's permutation seeded by ``(seed, e)``, the augmentation's numbers
    come from ``(seed, e, b)``, and the transform itself is
    ``keras.ops.image.affine_transform``, the tf.data pipeline's formula.

    Example:
        >>> batches = ArrayBatches(np.zeros((10, 4, 4, 1), "uint8"), np.arange(10), batch_size=4, seed=0)
        >>> len(batches), [b.shape for b in batches[2]]
        (3, [(2, 4, 4, 1), (2,)])
    """

    def __init__(
        self,
        images,
        labels,
        *,
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
        augmentation: Augmentation | None = None,
        mean=None,
        std=None,
        preprocess=None,
        drop_remainder: bool = False,
    ):
        super().__init__()  # one worker: batches are made in order, in this thread
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.seed = int(batch_size), shuffle, int(seed)
        self.augmentation, self.preprocess, self.drop_remainder = augmentation, preprocess, drop_remainder
        self.mean = None if mean is None else np.asarray(mean, "float32")
        # keras.layers.Normalization's floor on the std, so both pipelines give the same numbers.
        self.std = None if std is None else np.maximum(np.asarray(std, "float32"), keras.config.epsilon())
        self.epoch_variable = EpochCounter()
        self._order_epoch, self._order = None, None

    def __len__(self) -> int:
        n = len(self.images)
        return n // self.batch_size if self.drop_remainder else math.ceil(n / self.batch_size)

    def _epoch_order(self, epoch: int) -> np.ndarray:
        if self._order_epoch != epoch:
            self._order, self._order_epoch = epoch_order(len(self.images), self.seed, epoch, self.shuffle), epoch
        return self._order

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        epoch = self.epoch_variable.numpy()
        chosen = self._epoch_order(epoch)[index * self.batch_size : (index + 1) * self.batch_size]
        x = self.images[chosen].astype("float32")
        if self.augmentation is not None:
            uniform = np.random.default_rng([self.seed, epoch, index]).uniform(size=(len(x), 6)).astype("float32")
            matrices = _affine_matrices(uniform, self.augmentation, float(x.shape[1]), float(x.shape[2]))
            x = keras.ops.convert_to_numpy(
                keras.ops.image.affine_transform(x, matrices, interpolation="bilinear", fill_mode="nearest")
            )
        if self.mean is not None:
            x = (x - self.mean) / self.std
        if self.preprocess is not None:
            x = np.asarray(keras.ops.convert_to_numpy(self.preprocess(x)), "float32")
        return x, self.labels[chosen]


def array_pipeline(
    images,
    labels,
    *,
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    augmentation: Augmentation | None = None,
    mean=None,
    std=None,
    preprocess=None,
    drop_remainder: bool = False,
):
    """A ``tf.data`` pipeline over in-memory arrays: shuffle per epoch, augment, normalize, prefetch.

    ``images`` are (N, H, W, C); precomputed features (N, D) work too without augmentation.

    The returned dataset has an ``epoch_variable`` attribute that
    :func:`practicas.training.fit` advances, so the order and the augmentation
    of epoch *k* depend only on ``(seed, k)``. ``fit`` finds it through any
    ``.map``, ``.take`` or ``.zip`` added on top (:func:`epoch_variables`).
    Under the JAX and PyTorch backends it is an :class:`ArrayBatches` with
    the same arguments (TensorFlow is not imported).

    Example:
        >>> ds = array_pipeline(np.zeros((100, 28, 28, 1), "uint8"), np.zeros(100, "int64"), batch_size=32)
        >>> [tuple(t.shape) for t in (next(iter(ds)) if hasattr(ds, "take") else ds[0])]
        [(32, 28, 28, 1), (32,)]
    """
    # Precomputed features (N, D) are welcome too, as long as nothing image-specific is asked of them.
    images = _check_images(images) if augmentation is not None or np.ndim(images) != 2 else np.asarray(images)
    labels = _check_labels(images, labels)
    options = dict(batch_size=batch_size, shuffle=shuffle, seed=seed, augmentation=augmentation)
    options.update(mean=mean, std=std, preprocess=preprocess, drop_remainder=drop_remainder)
    if keras.backend.backend() != "tensorflow":
        return ArrayBatches(images, labels, **options)
    return _tfdata_pipeline(images, labels, **options)


def _tfdata_pipeline(images, labels, *, batch_size, shuffle, seed, augmentation, mean, std, preprocess, drop_remainder):
    import tensorflow as tf

    n = len(images)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="pipeline_epoch")
    base = tf.constant(int(seed), tf.int64)
    images_t = tf.convert_to_tensor(images)
    labels_t = tf.convert_to_tensor(labels)

    def epoch_order(_):
        if not shuffle:
            return tf.range(n)
        return tf.random.experimental.stateless_shuffle(tf.range(n), seed=tf.stack([base, epoch]))

    normalizer = None
    if mean is not None:
        # One value per channel: Keras 3.5 (our lower bound) reshapes a scalar mean to (1, 1, 1, C), which fails
        # for C > 1.
        mean, std = (np.broadcast_to(np.asarray(value), np.shape(images)[-1:]) for value in (mean, std))
        normalizer = keras.layers.Normalization(mean=mean, variance=np.square(std))

    def load_batch(step, index):
        x = tf.cast(tf.gather(images_t, index), tf.float32)
        if augmentation is not None:
            x = augment_batch(x, augmentation, tf.stack([base * 1_000_003 + epoch, step]))
        if normalizer is not None:
            x = normalizer(x)
        if preprocess is not None:
            x = preprocess(x)
        return x, tf.gather(labels_t, index)

    dataset = (
        tf.data.Dataset.from_tensors(0)
        .map(epoch_order)
        .unbatch()
        .batch(batch_size, drop_remainder=drop_remainder)
        .enumerate()
        .map(load_batch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    dataset.epoch_variable = epoch
    dataset.batch_size = batch_size  # read by training.fit_settings: a batched dataset does not say
    dataset.augmentation = augmentation  # recorded with the fit's settings too
    return dataset


def epoch_variables(data) -> list:
    """The epoch counters that ``data``'s order and augmentation read, also under a user's ``.map`` / ``.take`` / ``zip``.

    A ``tf.data`` transformation returns a new dataset without our
    attributes, but it keeps its input datasets: walking them finds the
    counter, so a derived pipeline still shuffles and augments each epoch anew
    instead of silently repeating epoch 0.

    Example:
        >>> ds = array_pipeline(np.zeros((8, 4, 4, 1), "uint8"), np.zeros(8, "int64"), batch_size=4)
        >>> derived = ds.map(lambda x, y: (2 * x, y)).take(1) if hasattr(ds, "map") else ds  # tf.data's map
        >>> epoch_variables(derived) == [ds.epoch_variable]
        True
    """
    return pipeline_attributes(data, "epoch_variable")


def pipeline_attributes(data, name: str) -> list:
    """The values of attribute ``name`` on ``data`` and on every dataset it is derived from (each value once).

    Example:
        >>> ds = array_pipeline(np.zeros((8, 4, 4, 1), "uint8"), np.zeros(8, "int64"), batch_size=4)
        >>> pipeline_attributes(ds.map(lambda x, y: (x, y)) if hasattr(ds, "map") else ds, "batch_size")
        [4]
    """
    found, pending, seen = [], [data], set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        value = getattr(item, name, None)
        if value is not None and all(value is not v for v in found):
            found.append(value)
        tf = sys.modules.get("tensorflow")  # a tf.data pipeline exists only where TensorFlow was imported
        if tf is not None and isinstance(item, tf.data.Dataset):
            pending.extend(item._inputs())  # tf.data's own graph of input datasets
    return found


def tfdata_pipelines(
    x_train,
    y_train,
    x_test,
    y_test,
    *,
    batch_size: int = 64,
    validation_fraction: float = 0.1,
    featurewise: bool = True,
    rescale: bool = False,
    augmentation: Augmentation | None = None,
    seed: int = 0,
) -> Pipelines:
    """r001's data recipe as ``tf.data``: split, featurewise normalization, training-only augmentation.

    The arguments are :func:`image_data_generator_pipelines`'s. ``rescale``
    (without ``featurewise``): pixels / 255, as r001's first two rungs fed them.

    Example:
        >>> p = tfdata_pipelines(x_train, y_train, x_test, y_test, augmentation=Augmentation.r001())  # doctest: +SKIP
        >>> model.fit(p.train, validation_data=p.validation)  # doctest: +SKIP
    """
    x_train = _check_images(x_train)
    mean, std = featurewise_stats(x_train) if featurewise else (0.0, 255.0) if rescale else (None, None)
    (xt, yt), (xv, yv) = validation_split(x_train, _check_labels(x_train, y_train), validation_fraction)
    common = dict(batch_size=batch_size, mean=mean, std=std)
    return Pipelines(
        train=array_pipeline(xt, yt, shuffle=True, seed=seed, augmentation=augmentation, **common),
        validation=array_pipeline(xv, yv, shuffle=False, **common) if len(xv) else None,
        test=array_pipeline(x_test, y_test, shuffle=False, **common),
        mean=mean,
        std=std,
    )


def image_data_generator():
    """Keras 3 moved ImageDataGenerator: ``tf.keras.preprocessing.image`` is where it still lives (TensorFlow only)."""
    return require_tensorflow("ImageDataGenerator (r001's pipelines)").keras.preprocessing.image.ImageDataGenerator


class EpochSeededFlow(keras.utils.PyDataset):
    """An ``ImageDataGenerator`` flow whose order and augmentation depend only on ``(seed, epoch, batch)``.

    The flow seeds NumPy from a running batch counter that starts at 0 in every
    process, so a run resumed after an interruption would get other batches
    than an uninterrupted one. This wrapper sets that counter, and the epoch's
    shuffled order, from ``epoch_variable``, which :func:`practicas.training.fit`
    advances at each epoch (as it does for the ``tf.data`` pipelines). The
    images themselves still come from ``flow``, unchanged.

    Example:
        >>> flow = image_data_generator().flow(x, y, batch_size=64, seed=0)  # doctest: +SKIP
        >>> train = EpochSeededFlow(flow, seed=0)  # doctest: +SKIP
    """

    def __init__(self, flow, seed: int):
        super().__init__()  # one worker: batches are made in order, in one thread
        self.flow, self.seed = flow, int(seed)
        self.flow.seed = self.seed
        self.epoch_variable = EpochCounter()
        self.batch_size = flow.batch_size
        self._ordered_epoch = None

    def __len__(self):
        return len(self.flow)

    def __getitem__(self, index):
        epoch = self.epoch_variable.numpy()
        if self._ordered_epoch != epoch:
            self.flow.index_array = epoch_order(self.flow.n, self.seed, epoch, self.flow.shuffle)
            self._ordered_epoch = epoch
        self.flow.total_batches_seen = epoch * len(self) + index
        return self.flow[index]


def image_data_generator_pipelines(
    x_train,
    y_train,
    x_test,
    y_test,
    *,
    batch_size: int = 64,
    validation_fraction: float = 0.1,
    featurewise: bool = True,
    rescale: bool = False,
    augmentation: Augmentation | None = None,
    seed: int = 0,
) -> Pipelines:
    """r001's data recipe with ``ImageDataGenerator``, exactly as the report describes it.

    ``featurewise_center`` / ``featurewise_std_normalization`` are fitted on
    the training images; ``validation_split`` holds out 10 %; the test images
    go through ``standardize``. Augmentation runs on training batches only: the
    validation subset comes from a second generator with the same statistics.
    ``rescale`` (without ``featurewise``): pixels / 255 instead.
    ``test`` is the standardized test array (not a generator). ``train`` is an
    :class:`EpochSeededFlow`, so a resumed :func:`practicas.training.fit` gets
    the same batches as an uninterrupted one.

    Example:
        >>> p = image_data_generator_pipelines(x_train, y_train, x_test, y_test)  # doctest: +SKIP
        >>> model.fit(p.train, validation_data=p.validation)  # doctest: +SKIP
    """
    ImageDataGenerator = image_data_generator()
    x_train = _check_images(x_train).astype("float32")
    y_train = _check_labels(x_train, y_train)
    norm = dict(featurewise_center=featurewise, featurewise_std_normalization=featurewise)
    if rescale and not featurewise:  # pixels / 255 (r001's first rungs)
        norm["rescale"] = 1 / 255
    augment = augmentation.image_data_generator_kwargs() if augmentation else {}
    train_gen = ImageDataGenerator(validation_split=validation_fraction, fill_mode="nearest", **norm, **augment)
    plain_gen = ImageDataGenerator(validation_split=validation_fraction, **norm)
    if featurewise:
        train_gen.fit(x_train)
        plain_gen.mean, plain_gen.std = train_gen.mean, train_gen.std
    # ImageDataGenerator refuses a split whose two parts hold different classes; the tf.data twin has no such
    # check, and a smoke run's few images cannot put all of r001's 25 classes in the first 10 %.
    split = {"ignore_class_split": True}
    train = EpochSeededFlow(
        train_gen.flow(x_train, y_train, batch_size=batch_size, shuffle=True, seed=seed, subset="training", **split),
        seed,
    )
    train.augmentation = augmentation  # ImageDataGenerator holds it as its own arguments: recorded with the fit
    validation = plain_gen.flow(x_train, y_train, batch_size=batch_size, shuffle=False, subset="validation", **split)
    x_test = plain_gen.standardize(_check_images(x_test).astype("float32").copy())
    mean = None if train_gen.mean is None else np.asarray(train_gen.mean).reshape(-1)
    std = None if train_gen.std is None else np.asarray(train_gen.std).reshape(-1)
    return Pipelines(train, validation, x_test, mean, std)


def imagenet_eval_transform(images, *, resize: int = 256, crop: int = 224, normalize: bool = True):
    """r004's preprocessing: resize to 256x256, centre-crop 224x224, scale to [0, 1], ImageNet mean/std.

    ``normalize=False`` stops after the crop and keeps pixels in [0, 255], for
    backbones that normalize inside the model (Keras's EfficientNet).

    Example:
        >>> out = imagenet_eval_transform(np.zeros((2, 300, 400, 3), "uint8"))
        >>> tuple(out.shape)
        (2, 224, 224, 3)
    """
    ops = keras.ops
    x = ops.image.resize(ops.cast(images, "float32"), (resize, resize), interpolation="bilinear", antialias=True)
    offset = (resize - crop) // 2
    x = x[:, offset : offset + crop, offset : offset + crop, :]
    if not normalize:
        return x
    return (x / 255.0 - np.array(IMAGENET_MEAN, "float32")) / np.array(IMAGENET_STD, "float32")


_BACKBONE_PREPROCESS = {
    "mobilenet": "keras.applications.mobilenet",
    "resnet50": "keras.applications.resnet",
    "resnet50v2": "keras.applications.resnet_v2",
    "efficientnetb0": "keras.applications.efficientnet",
}


def backbone_preprocess(name: str):
    """The ``preprocess_input`` of a keras.applications backbone, by name.

    Example:
        >>> preprocess = backbone_preprocess("resnet50")
    """
    import importlib

    try:
        module = _BACKBONE_PREPROCESS[name.lower()]
    except KeyError:
        raise InvalidInputError(f"unknown backbone {name!r}; known: {', '.join(_BACKBONE_PREPROCESS)}") from None
    return importlib.import_module(module).preprocess_input
