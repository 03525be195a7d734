import numpy as np
import pytest

from practicas import pipelines
from practicas.errors import InvalidInputError
from practicas.pipelines import Augmentation


@pytest.fixture(scope="module")
def cifar_like():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (1, 32, 32, 3))
    x = np.clip(base + rng.normal(0, 40, (300, 32, 32, 3)) * [1.0, 0.5, 2.0], 0, 255).astype("uint8")
    return x, np.arange(300) % 5, x[:60], np.arange(60) % 5


def first_epoch(ds):
    """The batches of the epoch ``ds`` is set to: a tf.data pipeline, or (JAX, PyTorch) an ArrayBatches."""
    return [tuple(np.asarray(t) for t in batch) for batch in ds]


@pytest.mark.tensorflow_only
def test_both_pipelines_give_same_shapes_dtypes_and_statistics(cifar_like):
    x, y, xt, yt = cifar_like
    tfd = pipelines.tfdata_pipelines(x, y, xt, yt, batch_size=64, augmentation=Augmentation.r001())
    idg = pipelines.image_data_generator_pipelines(x, y, xt, yt, batch_size=64, augmentation=Augmentation.r001())
    # ImageDataGenerator.fit accumulates in float32; practicas in float64: they agree to ~4e-4.
    np.testing.assert_allclose(tfd.mean, idg.mean, rtol=1e-3)
    np.testing.assert_allclose(tfd.std, idg.std, rtol=1e-3)
    xb, yb = next(iter(tfd.train))
    xi, yi = idg.train[0]
    assert xb.shape == xi.shape == (64, 32, 32, 3) and xb.dtype == "float32" and xi.dtype == np.float32
    assert len(idg.validation.x) == 30 and sum(len(b[0]) for b in tfd.validation) == 30
    # Same validation rows (the first 10 %), standardized the same way.
    val_tf = np.concatenate([b[0].numpy() for b in tfd.validation])
    np.testing.assert_allclose(val_tf, idg.validation[0][0], atol=5e-3)
    test_tf = np.concatenate([b[0].numpy() for b in tfd.test])
    np.testing.assert_allclose(test_tf, idg.test, atol=5e-3)


def test_featurewise_normalization_gives_zero_mean_unit_std(cifar_like):
    x, y, xt, yt = cifar_like
    p = pipelines.tfdata_pipelines(x, y, xt, yt, batch_size=1000, validation_fraction=0.0)
    batch = np.asarray(next(iter(p.train))[0])
    np.testing.assert_allclose(batch.mean(axis=(0, 1, 2)), 0, atol=1e-3)
    np.testing.assert_allclose(batch.std(axis=(0, 1, 2)), 1, atol=1e-3)


def test_augmentation_changes_between_epochs_but_not_for_the_same_seed(cifar_like):
    x, y, _, _ = cifar_like
    ds = pipelines.array_pipeline(x, y, batch_size=50, shuffle=False, seed=4, augmentation=Augmentation.r001())
    epoch0 = first_epoch(ds)
    ds.epoch_variable.assign(1)
    epoch1 = first_epoch(ds)
    assert not np.allclose(epoch0[0][0], epoch1[0][0])
    again = pipelines.array_pipeline(x, y, batch_size=50, shuffle=False, seed=4, augmentation=Augmentation.r001())
    np.testing.assert_array_equal(first_epoch(again)[0][0], epoch0[0][0])


def test_shuffle_is_per_epoch_and_seeded(cifar_like):
    x, y, _, _ = cifar_like
    ds = pipelines.array_pipeline(x, y, batch_size=300, seed=1)
    order0 = first_epoch(ds)[0][1]
    assert first_epoch(ds)[0][1].tolist() == order0.tolist()  # same epoch, same order
    ds.epoch_variable.assign(1)
    assert first_epoch(ds)[0][1].tolist() != order0.tolist()
    assert sorted(first_epoch(ds)[0][1].tolist()) == sorted(y.tolist())


def test_validation_and_test_are_never_augmented(cifar_like):
    x, y, xt, yt = cifar_like
    p = pipelines.tfdata_pipelines(x, y, xt, yt, batch_size=64, augmentation=Augmentation.r001(), featurewise=False)
    for epoch in (0, 3):
        p.validation.epoch_variable.assign(epoch)
        np.testing.assert_array_equal(
            np.concatenate([b[0] for b in first_epoch(p.validation)]), x[:30].astype("float32")
        )


@pytest.mark.tensorflow_only
def test_image_data_generator_validation_is_never_augmented(cifar_like):
    x, y, xt, yt = cifar_like
    idg = pipelines.image_data_generator_pipelines(
        x, y, xt, yt, batch_size=30, augmentation=Augmentation.r001(), featurewise=False
    )
    np.testing.assert_array_equal(idg.validation[0][0], x[:30].astype("float32"))


@pytest.mark.tensorflow_only
def test_rescale_gives_pixels_over_255_in_both_pipelines(cifar_like):
    x, y, xt, yt = cifar_like
    tfd = pipelines.tfdata_pipelines(x, y, xt, yt, batch_size=30, featurewise=False, rescale=True)
    idg = pipelines.image_data_generator_pipelines(x, y, xt, yt, batch_size=30, featurewise=False, rescale=True)
    np.testing.assert_allclose(first_epoch(tfd.validation)[0][0], x[:30] / 255, rtol=1e-6)
    np.testing.assert_allclose(idg.validation[0][0], x[:30] / 255, rtol=1e-6)
    np.testing.assert_allclose(idg.test, xt / 255, rtol=1e-6)


def test_one_mean_and_std_for_every_channel(cifar_like):
    """Notebook 01's pixels / 255 on three-channel images (Keras 3.5 failed on a scalar mean for C > 1)."""
    x, y, _, _ = cifar_like
    ds = pipelines.array_pipeline(x[:30], y[:30], batch_size=30, shuffle=False, mean=0.0, std=255.0)
    np.testing.assert_allclose(first_epoch(ds)[0][0], x[:30] / 255, rtol=1e-6)


def _augmented(images, augmentation):
    ds = pipelines.array_pipeline(images, np.zeros(len(images), "int64"), batch_size=len(images), shuffle=False,
                                  seed=1, augmentation=augmentation)  # fmt: skip
    return first_epoch(ds)[0][0]


def test_augmentation_is_a_real_transform_that_keeps_content():
    image = np.zeros((1, 32, 32, 1), "float32")
    image[:, 8:24, 14:18] = 1.0  # a vertical bar
    out = _augmented(np.repeat(image, 8, 0), Augmentation(rotation_range=90))
    assert not np.allclose(out, image)
    assert np.all(np.abs(out.sum(axis=(1, 2, 3)) - image.sum()) < 0.35 * image.sum())
    flips = _augmented(np.repeat(image[:, :, 2:], 16, 0), Augmentation(horizontal_flip=True))  # off-centre bar
    mirrored = [np.allclose(f, image[0, :, 2:][:, ::-1]) for f in flips]
    assert all(m or np.allclose(f, image[0, :, 2:]) for m, f in zip(mirrored, flips)) and 0 < sum(mirrored) < 16


def test_array_batches_give_the_tfdata_numbers_where_nothing_is_random(cifar_like):
    # The PyDataset form (JAX, PyTorch) and tf.data: the same normalization and batching.
    x, y, _, _ = cifar_like
    options = dict(batch_size=64, shuffle=False, mean=np.full(3, 100.0), std=np.full(3, 50.0))
    ours = first_epoch(pipelines.ArrayBatches(x, y, **options))
    theirs = first_epoch(pipelines.array_pipeline(x, y, **options))
    assert [b[0].shape for b in ours] == [b[0].shape for b in theirs]
    for (xa, ya), (xb, yb) in zip(ours, theirs):
        np.testing.assert_allclose(xa, xb, rtol=1e-6)
        np.testing.assert_array_equal(ya, yb)


def test_imagenet_eval_transform_resizes_crops_and_normalizes():
    out = np.asarray(pipelines.imagenet_eval_transform(np.full((1, 300, 400, 3), 255, np.uint8)))
    assert out.shape == (1, 224, 224, 3)
    np.testing.assert_allclose(
        out[0, 0, 0], (1 - np.array(pipelines.IMAGENET_MEAN)) / np.array(pipelines.IMAGENET_STD), rtol=1e-3
    )


def test_backbone_preprocess_lookup():
    assert pipelines.backbone_preprocess("MobileNet")(np.array([[255.0]])).max() == pytest.approx(1.0)
    with pytest.raises(InvalidInputError, match="unknown backbone"):
        pipelines.backbone_preprocess("vgg99")


def test_bad_shapes_are_refused():
    with pytest.raises(InvalidInputError, match=r"\(N, height, width, channels\)"):
        pipelines.array_pipeline(np.zeros((4, 32, 32)), np.zeros(4), batch_size=2)
    with pytest.raises(InvalidInputError, match="one integer label per image"):
        pipelines.array_pipeline(np.zeros((4, 8, 8, 1)), np.zeros(3), batch_size=2)


@pytest.mark.tensorflow_only
def test_a_users_map_on_top_still_gets_a_new_order_each_epoch(cifar_like):
    import keras

    from practicas import training

    x, y, _, _ = cifar_like
    ds = pipelines.array_pipeline(x, y, batch_size=300, seed=1)
    derived = ds.map(lambda images, labels: (images / 255.0, labels)).take(1)
    assert pipelines.epoch_variables(derived) == [ds.epoch_variable]
    seen = []

    class Labels(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(next(iter(derived))[1].numpy().tolist())  # what this epoch's counter gives

    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)])
    training.compile_classifier(model, "adam")
    training.fit(model, derived, epochs=3, seed=1, callbacks=[Labels()])
    assert seen[0] != seen[1] != seen[2] and sorted(seen[0]) == sorted(seen[2])
