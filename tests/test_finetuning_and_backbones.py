"""Real-scale correctness a smoke run cannot see: ImageNet backbones are Keras's own, BatchNorm does what each report did.

Two steps on random weights look the same whether a backbone gets the right input scale or a fine-tuned
BatchNorm updates its statistics; these tests compare against Keras's own ``weights="imagenet"`` build and
watch the moving mean during ``fit``.
"""

import keras
import numpy as np
import pytest
from keras import layers
from keras.src.utils import file_utils

from practicas import modeling, pipelines
from practicas.errors import InvalidInputError, WeightsNotFoundError
from practicas.gradient_ascent import artifacts as ascent_artifacts
from practicas.testing import write_legacy_h5_weights
from practicas.transfer import finetune, models

# Every keras.applications backbone the project builds with ImageNet weights: the project's builder (taking
# `weights`), and Keras's constructor with the same arguments. Small inputs keep the builds quick; the
# architecture does not depend on them.
BACKBONES = {
    "MobileNet": (
        lambda weights: models.backbone_of(models.mobilenet_cats_vs_dogs(weights=weights)),
        keras.applications.MobileNet,
        dict(include_top=False, input_shape=(128, 128, 3), alpha=1.0),
    ),
    "ResNet50": (
        lambda weights: models.resnet50_backbone((64, 64, 3), weights=weights),
        keras.applications.ResNet50,
        dict(include_top=False, input_shape=(64, 64, 3), pooling="avg"),
    ),
    "ResNet50V2": (
        lambda weights: ascent_artifacts.resnet50v2(quick=False, weights=weights),
        keras.applications.ResNet50V2,
        dict(include_top=False, input_shape=(None, None, 3)),
    ),
    "EfficientNetB0": (
        lambda weights: models.efficientnet_b0((64, 64, 3), weights=weights),
        keras.applications.EfficientNetB0,
        dict(include_top=False, input_shape=(64, 64, 3), pooling="avg"),
    ),
}


def _architecture(model):
    """Each layer's type and config; names (numbered by what came before) and trainability (a builder's choice) aside."""
    return [
        (type(layer).__name__, {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable")})
        for layer in model.layers
    ]


@pytest.mark.parametrize("name", BACKBONES)
def test_imagenet_backbone_is_the_network_keras_publishes_however_its_weights_arrive(name, tmp_path, monkeypatch):
    build, constructor, kwargs = BACKBONES[name]
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    # Offline with nothing cached, the error names the file's real download URL.
    with pytest.raises(WeightsNotFoundError) as offline:
        build("imagenet")
    # Keras's own weights="imagenet" build, its download served by a random-valued file in the real layout.
    keras.utils.set_random_seed(0)
    asked = {}

    def get_file(fname, origin, **_):
        asked.update(fname=fname, origin=origin)
        return str(write_legacy_h5_weights(tmp_path / "download" / fname, constructor(weights=None, **kwargs)))

    monkeypatch.setattr(file_utils, "get_file", get_file)
    reference = constructor(weights="imagenet", **kwargs)
    assert asked["origin"] in str(offline.value)
    cached = modeling.keras_models_dir() / asked["fname"]
    cached.parent.mkdir(parents=True)
    cached.write_bytes((tmp_path / "download" / asked["fname"]).read_bytes())

    image = np.random.default_rng(0).uniform(0, 255, (1, 64, 64, 3)).astype("float32")
    if name == "MobileNet":
        image = np.random.default_rng(0).uniform(0, 255, (1, 128, 128, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(reference(_preprocess(name, image)))
    for weights in ("imagenet", str(cached)):  # Keras's cache, then a file given by hand
        ours = build(weights)
        assert _architecture(ours) == _architecture(reference), f"{name} from {weights}"
        np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(_preprocess(name, image))), expected, atol=1e-5)


def _preprocess(name, image):
    if name == "MobileNet":
        return keras.applications.mobilenet.preprocess_input(image.copy())
    if name == "ResNet50":
        return keras.applications.resnet50.preprocess_input(image.copy())
    if name == "ResNet50V2":
        return keras.applications.resnet_v2.preprocess_input(image.copy())
    return image  # EfficientNetB0 rescales and normalizes inside the model


def test_efficientnet_from_a_file_sees_its_inputs_at_the_scale_keras_imagenet_build_does(tmp_path):
    base = keras.applications.EfficientNetB0(weights=None, include_top=False, input_shape=(32, 32, 3))
    rescalings = [layer for layer in modeling.imagenet_architecture(keras.applications.EfficientNetB0, base).layers[:5]]
    assert [type(layer).__name__ for layer in rescalings] == [
        "InputLayer", "Rescaling", "Normalization", "Rescaling", "ZeroPadding2D"
    ]  # fmt: skip
    np.testing.assert_allclose(rescalings[3].scale, [1 / np.sqrt(s) for s in (0.229, 0.224, 0.225)])


def test_a_pytorch_weights_file_given_to_a_keras_backbone_is_refused_with_the_right_file(tmp_path):
    path = tmp_path / "efficientnet_b0_rwightman.pth"
    path.write_bytes(b"not read")
    with pytest.raises(InvalidInputError, match=r"efficientnet_b0_rwightman\.pth.*PyTorch.*keras-applications/effic"):
        models.efficientnet_b0(weights=path)
    assert path.exists()


# ------------------------------------------------------------------ BatchNorm during fine-tuning, per report


def _batchnorm_means(model):
    return np.concatenate(
        [
            keras.ops.convert_to_numpy(layer.moving_mean)
            for layer in _all_layers(model)
            if isinstance(layer, layers.BatchNormalization)
        ]
    )


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _fit(model, x, y, two_phase_report=None):
    """A short fit as the notebook's cells train: one plain ``fit``, or the two phases notebook 02 writes out
    (base frozen, head; ``set_trainable`` with the report's BatchNorm rule, recompile at a lower rate, fine-tune)."""
    binary = model.outputs[0].shape[-1] == 1
    loss = (keras.losses.BinaryCrossentropy if binary else keras.losses.SparseCategoricalCrossentropy)(from_logits=True)
    if two_phase_report is None:
        model.compile(keras.optimizers.SGD(0.01), loss)
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        return
    train = pipelines.array_pipeline(x, y, batch_size=8, mean=np.zeros(3), std=np.ones(3), seed=0)
    base = models.backbone_of(model)
    base.trainable = False
    model.compile(keras.optimizers.Adam(1e-3), loss)
    model.fit(train, epochs=1, verbose=0)
    finetune.set_trainable(base, freeze_batchnorm=finetune.FREEZE_BATCHNORM_WHEN_FINE_TUNING[two_phase_report])
    model.compile(keras.optimizers.Adam(1e-5), loss)  # a change of trainable takes effect when compiled
    model.fit(train, epochs=2, initial_epoch=1, verbose=0)


def _small_backbone():
    inputs = keras.Input((32, 32, 3))
    x = layers.BatchNormalization()(layers.Conv2D(8, 3, strides=2)(inputs))
    return keras.Model(inputs, layers.GlobalAveragePooling2D()(layers.ReLU()(x)), name="small_backbone")


# (experiment, builder, the report whose two-phase rule trains it or None for a plain fit, moving mean changes?)
FINE_TUNING = [
    (
        "r001-F25: ResNet50 fine-tuned (Keras original: inference mode)",
        lambda: models.resnet50_classifier((32, 32, 3), 3, weights=None, frozen=False),
        None,
        False,
    ),
    (
        "r003-F1: MobileNet, two phases (Keras original: inference mode)",
        lambda: models.mobilenet_cats_vs_dogs((32, 32, 3), weights=None, alpha=0.25),
        "r003",
        False,
    ),
    (
        "r000-T6: fine-tuning (PyTorch original: model.train())",
        lambda: models.binary_classifier(_small_backbone(), (32, 32, 3)),  # ResNet50's head; a small base
        "r000",
        True,
    ),
    (
        "r004-T1: ResNet34 fine-tuned (PyTorch original: model.train())",
        lambda: models.r004_classifier("resnet34", (32, 32, 3), 3, weights=None, frozen=False),
        None,
        True,
    ),
    (
        "r004-T1: EfficientNetB0 fine-tuned (PyTorch original: model.train())",
        lambda: models.r004_classifier("efficientnetb0", (32, 32, 3), 3, weights=None, frozen=False),
        None,
        True,
    ),
    (
        "r004-T1: ResNet34 frozen",
        lambda: models.r004_classifier("resnet34", (32, 32, 3), 3, weights=None, frozen=True),
        None,
        False,
    ),
    (
        "r003-F2: MobileNet from scratch (BatchNorm trains)",
        lambda: models.mobilenet_cats_vs_dogs((32, 32, 3), weights=None, frozen=False, alpha=0.25),
        None,
        True,
    ),
]


@pytest.mark.parametrize("experiment, build, two_phase_report, changes", FINE_TUNING, ids=[f[0] for f in FINE_TUNING])
def test_fine_tuning_updates_batchnorm_statistics_only_where_the_report_did(
    experiment, build, two_phase_report, changes
):
    keras.utils.set_random_seed(0)
    model = build()
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (16, 32, 32, 3)).astype("float32")
    y = rng.integers(0, model.outputs[0].shape[-1] if model.outputs[0].shape[-1] > 1 else 2, 16)
    before = _batchnorm_means(model)
    _fit(model, x, y, two_phase_report)
    after = _batchnorm_means(model)
    assert (not np.array_equal(before, after)) == changes, experiment


def test_r004_alexnet_trains_in_a_traced_graph():
    # Quick and smoke runs train r004's backbones and r001-F25's ResNet50 eagerly (session.run_eagerly); a full run
    # traces their training step into a graph. ResNet50's, ResNet34's and EfficientNetB0's graphs are traced in the
    # test above; AlexNet's here.
    keras.utils.set_random_seed(0)
    model = models.r004_classifier("alexnet", (64, 64, 3), 3, weights=None, frozen=False)
    model.compile(keras.optimizers.Adam(1e-4), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-2, 2, (8, 64, 64, 3)).astype("float32"), rng.integers(0, 3, 8)
    assert not model.run_eagerly  # compile's default: fit traces the step (a failure to trace raises here)
    before = model.get_weights()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()) if a.ndim > 1)


def test_the_report_rule_table_says_keras_originals_keep_inference_mode_and_pytorch_ones_train():
    assert finetune.FREEZE_BATCHNORM_WHEN_FINE_TUNING == {"r000": False, "r001": True, "r003": True, "r004": False}
