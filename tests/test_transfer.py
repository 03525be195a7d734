"""Practical 2: exact parameter splits, frozen means frozen, the SVM pipeline works, bad weights and shapes are named."""

import json

import keras
import numpy as np
import pytest
from keras import layers
from sklearn.metrics import f1_score

from practicas import evaluation, registry, standins
from practicas.errors import InvalidInputError, WeightsNotFoundError
from practicas.transfer import features, finetune, models

PARAMETER_SPLITS = [
    # builder, total, trainable, non-trainable (the reports' numbers)
    (lambda: models.mobilenet_cats_vs_dogs(weights=None), 3_229_889, 1_025, 3_228_864),
    (lambda: models.freeze_convs(models.emnist_net()), 39_790, 19_610, 20_180),
    (lambda: models.transfer_convs(models.emnist_net()), 39_790, 19_610, 20_180),
    (lambda: models.alexnet(weights=None), 2_469_696, 2_469_696, 0),
    (lambda: models.r004_classifier("alexnet", weights=None), 11_918_154, 9_448_458, 2_469_696),
    (lambda: models.resnet50_head(kind="dense"), 409_800, 409_800, 0),
]


@pytest.mark.parametrize("build, total, trainable, non_trainable", PARAMETER_SPLITS)
def test_parameter_splits_match_the_reports(build, total, trainable, non_trainable):
    assert evaluation.parameter_counts(build()) == {
        "total": total,
        "trainable": trainable,
        "non_trainable": non_trainable,
    }


# PyTorch counts only trainable tensors (BatchNorm statistics are buffers), so r004's counts are Keras's trainable ones.
# With heads: AlexNet as the report; ResNet34 + (512*256 + 256) + (256*10 + 10); EfficientNetB0 + (1280*512 + 512) + (512*10 + 10)
# (the report counts only those heads' output layers).
R004_TRAINABLE = {
    "AlexNet": (2_469_696, 11_918_154),
    "ResNet34": (21_284_672, 21_418_570),
    "EfficientNetB0": (4_007_548, 4_668_550),
}


@pytest.mark.parametrize("backbone", [pytest.param(key, id=spec.name) for key, spec in models.R004_BACKBONES.items()])
def test_r004_backbones_and_heads_from_the_one_table(backbone):
    spec = models.R004_BACKBONES[backbone]
    alone, with_head = R004_TRAINABLE[spec.name]
    assert evaluation.parameter_counts(spec.build(weights=None))["trainable"] == alone  # torchvision's / timm's count
    model = models.r004_classifier(backbone, weights=None, frozen=False)
    assert evaluation.parameter_counts(model)["trainable"] == with_head
    hidden = model.get_layer("head_hidden")
    assert hidden.units == spec.hidden and (spec.dropout > 0) == any(
        layer.name == "head_dropout" for layer in model.layers
    )


def test_resnet34_and_alexnet_shapes_follow_torchvision():
    resnet = models.resnet34(weights=None)
    assert resnet.output_shape == (None, 512)
    assert resnet.get_layer("layer4_2_out").output.shape[1:] == (7, 7, 512)
    assert resnet.get_layer("layer2_0_downsample_conv").output.shape[1:] == (28, 28, 128)
    alex = models.alexnet(weights=None)
    assert alex.get_layer("features_12").output.shape[1:] == (6, 6, 256) and alex.output_shape == (None, 9216)


def test_resnet50_heads_read_the_right_features():
    assert models.resnet50_head(kind="conv").input_shape == (None, 7, 7, 2048)
    assert models.resnet50_head(kind="mlp").input_shape == (None, 2048)
    with pytest.raises(InvalidInputError, match="choose one of"):
        models.resnet50_head(kind="transformer")


def test_frozen_convs_stay_bit_identical_while_the_head_learns():
    data = standins.digits_standin(train=200)
    model = models.transfer_convs(models.emnist_net())
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    before = {layer.name: [w.copy() for w in layer.get_weights()] for layer in model.layers if layer.weights}
    model.train_on_batch(data.x_train[:64].astype("float32") / 255.0, data.y_train[:64])
    for name in ("conv1", "conv2"):
        for old, new in zip(before[name], model.get_layer(name).get_weights()):
            np.testing.assert_array_equal(old, new)
    assert not np.array_equal(before["logits"][0], model.get_layer("logits").get_weights()[0])


def _small_transfer_model():
    keras.utils.set_random_seed(0)
    base_in = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, name="base_conv")(base_in)
    x = layers.BatchNormalization(name="base_bn")(x)
    x = layers.GlobalAveragePooling2D()(layers.ReLU()(x))
    base = keras.Model(base_in, x, name="base")
    inputs = keras.Input((16, 16, 3))
    outputs = models.logits_layer(3)(base(inputs))
    return keras.Model(inputs, outputs), base


def test_two_phases_keep_batchnorm_statistics_and_continue_the_history(tmp_path):
    """Notebook 02's fine-tuning, as its cells write it: frozen base and head, then ``set_trainable`` with BatchNorm
    kept in inference mode, a recompile at a lower rate, and a fit that continues the first one's history."""
    from practicas import pipelines, runmode, training

    model, base = _small_transfer_model()
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 255, (96, 16, 16, 3)).astype("float32"), rng.integers(0, 3, 96)
    train = pipelines.array_pipeline(x, y, batch_size=32, mean=np.zeros(3), std=np.full(3, 255.0))
    bn_before = [w.copy() for w in base.get_layer("base_bn").get_weights()]
    kernel_before = base.get_layer("base_conv").get_weights()[0].copy()
    run = runmode.RunContext(progress=False)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    base.trainable = False
    model.compile(keras.optimizers.Adam(1e-2), loss)
    head = training.FitCallbacks(train, seed=0, run=run, workdir=tmp_path / "head")
    model.fit(train, validation_data=train, epochs=2, callbacks=[head], verbose=0)
    finetune.set_trainable(base, freeze_batchnorm=True)
    model.compile(keras.optimizers.Adam(1e-3), loss)
    tuning = training.FitCallbacks(
        train, seed=0, run=run, workdir=tmp_path / "finetune", previous=head.history, initial_epoch=2
    )
    model.fit(train, validation_data=train, epochs=4, initial_epoch=2, callbacks=[tuning], verbose=0)
    assert len(tuning.history.history["loss"]) == 4
    for old, new in zip(bn_before, base.get_layer("base_bn").get_weights()):  # gamma, beta, moving mean, variance
        np.testing.assert_array_equal(old, new)
    assert not np.array_equal(kernel_before, base.get_layer("base_conv").get_weights()[0])  # fine-tuned
    saved = json.loads((tmp_path / "finetune" / "history.json").read_text())
    assert len(saved["loss"]) == 4
    assert [fit["initial_epoch"] for fit in run.settings["fits"]] == [0, 2]


def test_pretrained_svm_on_real_digits_beats_chance_by_far():
    data = standins.digits_standin(train=1000, size=16)
    keras.utils.set_random_seed(0)
    base = keras.Sequential(
        [keras.Input((16, 16, 1)), layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten()]
    )
    svm = features.pretrained_svm(base, preprocess=lambda x: x / 255.0).fit(data.x_train, data.y_train)
    assert svm.score(data.x_test, data.y_test) > 0.8  # chance is 0.1
    with pytest.raises(InvalidInputError, match="do not fit"):
        svm.predict(np.zeros((2, 28, 28, 1)))


def test_linear_boundary_separates_two_clusters():
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(-3, 1, (50, 2)), rng.normal(3, 1, (50, 2))])
    labels = np.repeat([0, 1], 50)
    (w0, w1, b), accuracy = features.linear_boundary_2d(points, labels)
    side = (points @ np.array([w0, w1]) + b > 0).astype(int)
    assert accuracy == pytest.approx(np.mean(side == labels)) and accuracy > 0.95


def test_macro_f1_matches_scikit_learn():
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 10, 300), rng.integers(0, 10, 300)
    assert evaluation.classification_metrics(y_true, y_pred)["macro_f1"] == pytest.approx(
        f1_score(y_true, y_pred, average="macro")
    )


def test_imagenet_weights_offline_name_the_file_and_the_way_out(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsNotFoundError, match=r"mobilenet_1_0_128_tf_no_top\.h5.*weights='/path/to/"):
        models.mobilenet_cats_vs_dogs()
    with pytest.raises(WeightsNotFoundError, match="resnet34_torchvision.weights.h5"):
        models.resnet34(weights="imagenet")


def test_weights_file_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / "alexnet.weights.h5"
    models.alexnet(input_shape=(64, 64, 3), weights=None).save_weights(path)
    with pytest.raises(InvalidInputError, match=r"does not fit resnet34 .*\(7, 7, 3, 64\)"):
        models.resnet34(input_shape=(64, 64, 3), weights=path)
    with pytest.raises(WeightsNotFoundError, match="does not exist"):
        models.alexnet(weights=tmp_path / "missing.weights.h5")


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: models.alexnet(input_shape=(32, 32, 3), weights=None), "smallest valid size is 63x63"),
        (lambda: models.mobilenet_cats_vs_dogs((16, 16, 3), weights=None), "smallest valid size is 32x32"),
        (lambda: models.resnet34(input_shape=(224, 224, 1), weights=None), "expected 3 channel"),
        (lambda: models.r004_classifier("vgg", weights=None), "choose one of"),
    ],
)
def test_shapes_a_backbone_cannot_take_are_refused(build, message):
    with pytest.raises(InvalidInputError, match=message):
        build()


@pytest.mark.fashion
@pytest.mark.parametrize("artifact_id", ["r003-T1", "r003-T2", "r004-P"])
def test_parameter_tables_write_markdown_and_json(artifact_id, tmp_path):
    registry.run(artifact_id, quick=True, out=tmp_path)
    saved = json.loads((tmp_path / f"{artifact_id}.json").read_text())
    assert (tmp_path / f"{artifact_id}.md").read_text().count("|") > 6
    if artifact_id == "r003-T1":
        assert saved["params"] == {"total": 3229889, "trainable": 1025, "non_trainable": 3228864}
    elif artifact_id == "r003-T2":
        assert saved["params"] == {"total": 39790, "trainable": 19610, "non_trainable": 20180}
    else:
        assert saved["params"]["AlexNet"]["total"] == 11918154
        assert saved["params"]["ResNet34"]["backbone_trainable"] == 21284672


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.emnist_net(),
        lambda: models.mobilenet_cats_vs_dogs((64, 64, 3), weights=None, alpha=0.25),
        lambda: models.r004_classifier("resnet34", input_shape=(64, 64, 3), weights=None),
        lambda: models.resnet50_head(kind="mlp"),
    ],
)
def test_builders_scale_mixed_precision_and_strategy_scope(build):
    import tensorflow as tf

    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
            model = build()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.outputs[0].dtype == "float32"  # logits stay float32 under a half-precision policy
    weighted = [layer for layer in _leaf_layers(model) if layer.weights]
    # The first weighted layer computes in float16 on float32 variables; the last (the logits) in float32.
    assert weighted[0].compute_dtype == "float16" and weighted[0].weights[0].dtype == "float32"
    assert weighted[-1].compute_dtype == "float32" or model.layers[-1].compute_dtype == "float32"


def _leaf_layers(model):
    for layer in model.layers:
        yield from _leaf_layers(layer) if hasattr(layer, "layers") else [layer]


def test_resnet50_conv_head_follows_the_input_size():
    model = models.resnet50_classifier((96, 96, 3), 5, kind="conv", weights=None)
    assert model.get_layer("resnet50_conv_head").input_shape[1:] == (3, 3, 2048)  # 96 / 32
    assert model(np.zeros((1, 96, 96, 3), "float32")).shape == (1, 5)


def test_keras_features_follows_scikit_learn_conventions():
    from sklearn.exceptions import NotFittedError

    base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3), keras.layers.GlobalAveragePooling2D()])
    images, labels = np.random.default_rng(0).uniform(0, 255, (20, 8, 8, 3)), np.arange(20) % 2
    with pytest.raises(NotFittedError):
        features.KerasFeatures(base).transform(images)
    svm = features.pretrained_svm(base, preprocess=lambda x: x / 255.0).fit(images, labels)
    assert svm[0].input_shape_ == (8, 8, 3) and svm[0].n_features_out_ == 4
    assert svm[:-1].transform(images).shape == (20, 4)
    with pytest.raises(InvalidInputError, match="do not fit"):
        svm.predict(images[:, :4])
