"""Table-driven, like keras.applications' tests: one row per builder, weights from scratch."""

import keras
import numpy as np
import pytest

from practicas.basenet import models
from practicas.errors import InvalidInputError

# (builder, kwargs, input shape, exact parameter count from the report or documented, output classes)
BUILDERS = [
    ("simple_cnn", {}, (28, 28, 1), 813_802, 10),  # r000-T2
    ("alexnet_cifar", {}, (32, 32, 3), 6_199_498, 10),  # r000-T4 (PyTorch trainable count)
    ("basenet", {}, (32, 32, 3), 24_197, 25),  # r001-T1
    ("emoji_net", {}, (32, 32, 3), 1_069_509, 5),  # r002-T1
    ("vanilla_cnn", {}, (224, 224, 3), 1_543_882, 10),  # r004-VCNN (report's count garbled; ours)
]


@pytest.mark.parametrize("name,kwargs,shape,params,classes", BUILDERS, ids=[b[0] for b in BUILDERS])
def test_parameter_count_and_logits_shape(name, kwargs, shape, params, classes):
    model = getattr(models, name)(**kwargs)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == params
    out = model(np.zeros((2, *shape), "float32"))
    assert tuple(out.shape) == (2, classes)


def test_simple_cnn_layers_follow_r000():
    model = models.simple_cnn()
    assert [layer.name for layer in model.layers] == [
        "conv1",
        "conv2",
        "pool",
        "dropout1",
        "flatten",
        "fc1",
        "dropout2",
        "logits",
    ]
    assert model.get_layer("flatten").output.shape[-1] == 6272


def test_emoji_net_output_shapes_match_r002_summary():
    model = models.emoji_net()
    shapes = [tuple(model.get_layer(n).output.shape[1:]) for n in ("conv1", "pool1", "conv2", "fc1", "logits")]
    assert shapes == [(16, 16, 32), (8, 8, 32), (8, 8, 64), (256,), (5,)]
    per_layer = [model.get_layer(n).count_params() for n in ("conv1", "conv2", "fc1", "logits")]
    assert per_layer == [896, 18_496, 1_048_832, 1_285]


def test_alexnet_follows_the_listing_and_flattens_2x2x128():
    model = models.alexnet_cifar()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size[0], c.strides[0]) for c in convs] == [
        (48, 5, 2),
        (128, 5, 1),
        (192, 3, 1),
        (192, 3, 1),
        (128, 3, 1),
    ]
    assert model.get_layer("flatten").output.shape[-1] == 512


def test_basenet_table_r001_t1_shapes():
    model = models.basenet()
    shapes = [
        tuple(model.get_layer(n).output.shape[1:])
        for n in ("block1_conv", "block1_pool", "block2_conv", "block2_pool", "flatten", "fc1", "logits")
    ]
    assert shapes == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,), (50,), (25,)]


def test_improved_basenet_is_the_23_layer_table():
    model = models.improved_basenet()
    rows = [
        type(layer).__name__
        for layer in model.layers
        if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten))
    ]
    assert len(rows) == 23
    assert rows[:7] == ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D"]
    assert rows[-5:] == ["Dense", "BatchNormalization", "ReLU", "Dropout", "Dense"]
    assert model.get_layer("block1_deep_conv").filters == 24 and model.get_layer("block2_deep_conv").filters == 64
    assert model.get_layer("reduce_conv").kernel_size == (1, 1) and model.get_layer("reduce_conv").filters == 16


def test_residual_basenet_is_the_28_row_table():
    model = models.bonus_basenet(residual=True)
    rows = [layer for layer in model.layers if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten))]
    assert len(rows) == 28
    assert [type(layer).__name__ for layer in rows[5:10]] == ["ReLU", "Conv2D", "Add", "BatchNormalization", "ReLU"]
    assert model.get_layer("fc1").input.shape[-1] == 4096
    plain = models.bonus_basenet()
    assert plain.count_params() == model.count_params()  # Add has no weights
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)


def test_emoji_first_net_flattens_1024():
    assert models.emoji_first_net().get_layer("fc1").input.shape[-1] == 1024


def test_too_small_input_names_the_smallest_size():
    with pytest.raises(InvalidInputError, match="smallest valid size is 31x31"):
        models.alexnet_cifar((28, 28, 1))
    with pytest.raises(InvalidInputError, match="height, width, channels"):
        models.simple_cnn((28, 28))


def test_mixed_precision_keeps_logits_float32():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = models.basenet(batch_norm=True, deeper=True)
        assert model.get_layer("block1_conv").compute_dtype == "float16"
        assert keras.backend.standardize_dtype(model(np.zeros((1, 32, 32, 3))).dtype) == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.tensorflow_only
def test_builders_work_in_a_distribution_strategy_scope():
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        model = models.simple_cnn()
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(np.random.rand(8, 28, 28, 1), np.arange(8) % 10, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
