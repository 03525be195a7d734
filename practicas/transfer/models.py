"""Transfer-learning networks of Practical 2, built on keras.applications backbones or on the reports' tables.

Backbones accept ``weights="imagenet"`` (the default a student wants),
``None`` (tests, from-scratch baselines) or a path to a weights file. Offline,
``"imagenet"`` fails at once with an error naming the file Keras needs and
where to put it, instead of a traceback from inside urllib. ResNet34 and
AlexNet, which Keras does not ship, get torchvision's ImageNet weights,
converted (:mod:`practicas.transfer.torchvision_weights`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import keras
from keras import layers

from practicas.errors import InvalidInputError
from practicas.modeling import (
    KERAS_APPLICATIONS_URL,
    KERAS_WEIGHTS_URLS,
    check_input_shape,
    freeze_batchnorm_layers,
    load_application,
    logits_layer,
)
from practicas.transfer.torchvision_weights import torchvision_weights

# The one default of every builder with a pretrained backbone: what a student wants. Tests pass weights=None.
WEIGHTS = "imagenet"


def mobilenet_cats_vs_dogs(
    input_shape=(128, 128, 3),
    *,
    weights=WEIGHTS,
    frozen: bool = True,
    dropout: float = 0.2,
    alpha: float = 1.0,
    name: str = "cats_vs_dogs_mobilenet",
) -> keras.Model:
    """r003's cats-vs-dogs network: MobileNet (alpha 1.0, no top) + GAP + Dropout + Dense 1 (r003-T1).

    The report's table: 3,229,889 parameters; with the base frozen 1,025
    trainable and 3,228,864 non-trainable. Inputs are pixels in [0, 255]; a
    Rescaling layer (no parameters) maps them to MobileNet's [-1, 1]. The
    output is one logit (cat < 0 < dog). ``alpha`` < 1 (thinner MobileNet)
    only serves quick CPU runs; the report uses 1.0.

    Example:
        >>> model = mobilenet_cats_vs_dogs(weights=None)
        >>> model.count_params()
        3229889
    """
    input_shape = check_input_shape(input_shape, name, 32, channels=3, report="MobileNet downsamples 32x")
    rows = input_shape[0] if input_shape[0] in (128, 160, 192, 224) else 224
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}.get(alpha, str(alpha))
    base = load_application(
        keras.applications.MobileNet,
        weights,
        f"{KERAS_APPLICATIONS_URL}mobilenet/mobilenet_{alpha_text}_{rows}_tf_no_top.h5",
        input_shape=input_shape,
        alpha=alpha,
        include_top=False,
    )
    base.trainable = not frozen
    inputs = keras.Input(input_shape, name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="to_mobilenet_range")(inputs)
    # No training=False here: fit's training=True would override it (keras-team/keras#20285). r003's fine-tuning
    # keeps BatchNorm in inference mode (its layers' trainable = False, notebook 02); from scratch (r003-F2) it trains.
    x = base(x)
    x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = logits_layer(1, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def binary_classifier(base: keras.Model, input_shape, dropout: float = 0.2) -> keras.Model:
    """``base`` (a pooled backbone), Dropout and one logit: r000's Alien vs Predator network.

    The pooled features pass an ``Identity`` layer named ``"features"``, which
    r000-F10's t-SNE reads.

    Example:
        >>> base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D()])
        >>> binary_classifier(base, (8, 8, 3)).output_shape
        (None, 1)
    """
    inputs = keras.Input(input_shape, name="image")
    x = layers.Identity(name="features")(base(inputs))
    outputs = logits_layer(1)(layers.Dropout(dropout, name="dropout")(x))
    return keras.Model(inputs, outputs, name=f"{base.name}_binary")


def emnist_net(input_shape=(28, 28, 1), num_classes: int = 10, *, name: str = "emnist_net") -> keras.Model:
    """r003's EMNIST network: 39,790 parameters (r003-T2); r003-F11/F12 visualize it.

    Row for row the report's table: Conv 10 (same, 28x28x10, 5,770),
    MaxPool (14x14x10), Conv 10 (same, 14x14x10, 14,410), Flatten (1,960),
    Dense 10 (19,610). Those counts imply kernels of 24x24 and 12x12.
    :func:`freeze_convs` makes 19,610 trainable and 20,180 non-trainable.

    Example:
        >>> emnist_net().count_params()
        39790
    """
    input_shape = check_input_shape(input_shape, name, 2)
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.Conv2D(10, 24, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(10, 12, padding="same", activation="relu", name="conv2"),
            layers.Flatten(name="flatten"),
            logits_layer(num_classes),
        ],
        name=name,
    )


def freeze_convs(model: keras.Model) -> keras.Model:
    """Freeze every convolution of ``model`` (r003's transfer: only the Dense head keeps learning).

    Example:
        >>> model = freeze_convs(emnist_net())
        >>> sum(w.numpy().size for w in model.trainable_weights)
        19610
    """
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            layer.trainable = False
    return model


def backbone_of(model: keras.Model) -> keras.Model:
    """The pretrained backbone inside a transfer model: its one nested ``keras.Model`` layer.

    Example:
        >>> backbone_of(mobilenet_cats_vs_dogs(weights=None)).name
        'mobilenet_1.00_128'
    """
    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if len(nested) != 1:
        raise InvalidInputError(f"{model.name} has {len(nested)} nested models; pass the backbone explicitly")
    return nested[0]


def transfer_convs(source: keras.Model, num_classes: int = 10, *, name: str | None = None) -> keras.Model:
    """A copy of ``source`` with its convolutions frozen and a fresh ``num_classes`` logits head (r003-F4).

    Only the convolutions carry over: r003 moves the EMNIST features to MNIST
    digits and trains a new Dense 10 on 1,000 samples.

    Example:
        >>> target = transfer_convs(emnist_net(), num_classes=10)
        >>> sum(w.numpy().size for w in target.trainable_weights)
        19610
    """
    clone = keras.models.clone_model(source)
    clone.set_weights(source.get_weights())
    body = keras.Sequential([keras.Input(source.input_shape[1:], name="image"), *clone.layers[:-1]])
    model = keras.Sequential([*body.layers, logits_layer(num_classes)], name=name or f"{source.name}_transferred")
    model.build((None, *source.input_shape[1:]))
    return freeze_convs(model)


# ------------------------------------------------------------------ r001: ResNet50 on Caltech-UCSD Birds


def resnet50_backbone(input_shape=(224, 224, 3), *, weights=WEIGHTS, pooling: str | None = "avg") -> keras.Model:
    """keras.applications ResNet50 without its top: 2048 pooled features (``pooling="avg"``) or the 7x7x2048 map.

    Inputs go through ``keras.applications.resnet50.preprocess_input`` first.

    Example:
        >>> resnet50_backbone(weights=None).output_shape
        (None, 2048)
    """
    return load_application(
        keras.applications.ResNet50,
        weights,
        KERAS_WEIGHTS_URLS["resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"],
        include_top=False,
        input_shape=input_shape,
        pooling=pooling,
    )


RESNET50_HEADS = ("dense", "mlp", "conv")


def resnet50_head(
    input_shape=None, num_classes: int = 200, *, kind: str = "dense", dropout: float = 0.4, name: str | None = None
) -> keras.Model:
    """One of r001's three classifiers on ResNet50 features (r001-F19, F21, F23), as a model of its own.

    - ``"dense"``: 2048 -> Dense 200 (409,800 parameters).
    - ``"mlp"``: Dropout .4, Dense 1024, BN, ReLU, Dropout .4, Dense 512, BN, ReLU, Dense 200.
    - ``"conv"``: on the 7x7x2048 map: Conv 3x3 64, BN, ReLU, Dropout .4, Flatten (3,136), then the ``"mlp"`` layers.

    Training a head on features computed once is what makes r001's
    experiments fast; :func:`resnet50_classifier` joins head and backbone.
    ``input_shape`` is the features' shape: by default (2048,), or (7, 7, 2048)
    for ``"conv"`` (other image sizes give other maps).

    Example:
        >>> resnet50_head(kind="dense").count_params()
        409800
    """
    if kind not in RESNET50_HEADS:
        raise InvalidInputError(f"unknown ResNet50 head {kind!r}; choose one of {RESNET50_HEADS}")
    shape = input_shape or ((7, 7, 2048) if kind == "conv" else (2048,))
    inputs = keras.Input(tuple(shape), name="features")
    x = inputs
    if kind == "conv":
        x = layers.Conv2D(64, 3, padding="same", name="head_conv")(x)
        x = layers.BatchNormalization(name="head_conv_bn")(x)
        x = layers.ReLU(name="head_conv_relu")(x)
        x = layers.Dropout(dropout, name="head_conv_dropout")(x)
        x = layers.Flatten(name="flatten")(x)
    if kind in ("mlp", "conv"):
        for i, units in enumerate((1024, 512), start=1):
            x = layers.Dropout(dropout, name=f"dropout{i}")(x) if (kind == "mlp" or i == 2) else x
            x = layers.Dense(units, name=f"fc{i}")(x)
            x = layers.BatchNormalization(name=f"fc{i}_bn")(x)
            x = layers.ReLU(name=f"fc{i}_relu")(x)
    outputs = logits_layer(num_classes)(x)
    return keras.Model(inputs, outputs, name=name or f"resnet50_{kind}_head")


def resnet50_classifier(
    input_shape=(224, 224, 3),
    num_classes: int = 200,
    *,
    kind: str = "dense",
    weights=WEIGHTS,
    frozen: bool = True,
    freeze_batchnorm: bool = True,
    name: str | None = None,
) -> keras.Model:
    """ResNet50 + one of r001's heads as one model (``frozen=False`` with ``"dense"`` is r001-F25's fine-tuning).

    Fine-tuned, the backbone's BatchNorm stays in inference mode, as keras.io's
    transfer guide does (r001 does not say; an assumption, as in r003, which
    follows the guide): ``freeze_batchnorm_layers`` sets
    them ``trainable=False``, the one thing ``fit`` does not override
    (:mod:`practicas.transfer.finetune`). ``freeze_batchnorm=False`` lets them
    train. The head's own BatchNorm layers always train.

    Example:
        >>> model = resnet50_classifier(kind="dense", weights=None, frozen=False)
        >>> model.count_params(), sum(w.numpy().size for w in model.trainable_weights)  # BatchNorm's gamma, beta kept
        (23997512, 23891272)
    """
    base = resnet50_backbone(input_shape, weights=weights, pooling=None if kind == "conv" else "avg")
    base.trainable = not frozen
    if not frozen and freeze_batchnorm:
        freeze_batchnorm_layers(base)
    inputs = keras.Input(input_shape, name="image")
    features = base(inputs)
    # The conv head sees the backbone's map: 7x7 at 224x224, smaller or larger with the input.
    outputs = resnet50_head(base.output_shape[1:], num_classes, kind=kind)(features)
    return keras.Model(inputs, outputs, name=name or f"resnet50_{kind}")


# ------------------------------------------------------------------ r004: torchvision's ResNet34 and AlexNet in Keras


def _torch_bn(name: str):
    # torchvision's BatchNorm2d defaults: eps 1e-5, momentum 0.1 (Keras counts momentum the other way).
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


def _basic_block(x, filters: int, stride: int, name: str):
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}_downsample_conv")(x)
        shortcut = _torch_bn(f"{name}_downsample_bn")(shortcut)
    y = layers.ZeroPadding2D(1, name=f"{name}_pad1")(x)
    y = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_conv1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(_torch_bn(f"{name}_bn1")(y))
    y = layers.ZeroPadding2D(1, name=f"{name}_pad2")(y)
    y = _torch_bn(f"{name}_bn2")(layers.Conv2D(filters, 3, use_bias=False, name=f"{name}_conv2")(y))
    return layers.ReLU(name=f"{name}_out")(layers.Add(name=f"{name}_add")([shortcut, y]))


def resnet34(
    input_shape=(224, 224, 3), *, weights=WEIGHTS, pooling: str | None = "avg", name: str = "resnet34"
) -> keras.Model:
    """torchvision's ResNet34 without its classifier: 21,284,672 trainable parameters (r004-P).

    Layer for layer ``torchvision.models.resnet34``: a 7x7/2 stem, 3x3/2 max
    pool, BasicBlocks [3, 4, 6, 3] with 1x1 projection shortcuts, BatchNorm
    with PyTorch's epsilon. Keras ships no ResNet34: ``weights="imagenet"``
    converts torchvision's ``IMAGENET1K_V1`` weights once and caches them,
    ``weights="x.pth"`` reads a torchvision state dict, and any other path a
    Keras weights file (:mod:`practicas.transfer.torchvision_weights`).
    KerasHub has no preset for it: its ``resnet_vd_34`` is the "bag of
    tricks" variant (three-conv stem, pooled shortcuts), a different network.
    Inputs are ImageNet-normalized RGB (``practicas.pipelines.imagenet_eval_transform``).

    Example:
        >>> model = resnet34(weights=None)
        >>> sum(w.numpy().size for w in model.trainable_weights)
        21284672
    """
    input_shape = check_input_shape(input_shape, name, 32, channels=3, report="ResNet34 downsamples 32x")
    inputs = keras.Input(input_shape, name="image")
    x = layers.ZeroPadding2D(3, name="stem_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1")(x)
    x = layers.ReLU(name="relu")(_torch_bn("bn1")(x))
    x = layers.ZeroPadding2D(1, name="maxpool_pad")(x)  # after a ReLU, zero padding equals PyTorch's -inf padding
    x = layers.MaxPooling2D(3, strides=2, name="maxpool")(x)
    for stage, (filters, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3)), start=1):
        for block in range(blocks):
            x = _basic_block(x, filters, 2 if block == 0 and stage > 1 else 1, f"layer{stage}_{block}")
    if pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avgpool")(x)
    model = keras.Model(inputs, x, name=name)
    return torchvision_weights(model, weights, "resnet34")


def alexnet(input_shape=(224, 224, 3), *, weights=WEIGHTS, name: str = "alexnet") -> keras.Model:
    """torchvision's AlexNet ``features`` + its 6x6 average pool, flattened to 9,216: 2,469,696 parameters (r004-P).

    ``weights`` as for :func:`resnet34` (torchvision's ImageNet weights,
    converted). The flattening is Keras's HWC order; r004's heads are new,
    so torchvision's classifier (which flattens CHW) is not carried over.

    Example:
        >>> alexnet(weights=None).count_params()
        2469696
    """
    input_shape = check_input_shape(
        input_shape, name, 63, channels=3, report="three 3x3/2 max pools after an 11x11/4 conv"
    )
    inputs = keras.Input(input_shape, name="image")
    x = layers.ZeroPadding2D(2, name="features_pad0")(inputs)
    x = layers.Conv2D(64, 11, strides=4, activation="relu", name="features_0")(x)
    x = layers.MaxPooling2D(3, strides=2, name="features_2")(x)
    x = layers.ZeroPadding2D(2, name="features_pad3")(x)
    x = layers.Conv2D(192, 5, activation="relu", name="features_3")(x)
    x = layers.MaxPooling2D(3, strides=2, name="features_5")(x)
    for index, filters in ((6, 384), (8, 256), (10, 256)):
        x = layers.ZeroPadding2D(1, name=f"features_pad{index}")(x)
        x = layers.Conv2D(filters, 3, activation="relu", name=f"features_{index}")(x)
    x = layers.MaxPooling2D(3, strides=2, name="features_12")(x)
    if tuple(x.shape[1:3]) != (6, 6):
        # torchvision's AdaptiveAvgPool2d((6, 6)) for other input sizes: exact when it replicates a smaller map;
        # bilinear (differentiable, unlike "area") approximates it for larger ones.
        x = layers.Resizing(6, 6, interpolation="bilinear", name="avgpool")(x)
    x = layers.Flatten(name="flatten")(x)
    return torchvision_weights(keras.Model(inputs, x, name=name), weights, "alexnet")


def efficientnet_b0(input_shape=(224, 224, 3), *, weights=WEIGHTS) -> keras.Model:
    """keras.applications EfficientNetB0 without its top, average-pooled: 4,007,548 trainable (r004-P, timm's count).

    It rescales and normalizes inside the model: feed pixels in [0, 255].
    Keras builds it with stochastic depth (``drop_connect_rate=0.2``, not
    an argument of ``EfficientNetB0``), active in every ``fit``, even with the
    backbone frozen; timm's ``efficientnet_b0``, which r004 used, has none by
    default (listed under the README's assumed settings).

    Example:
        >>> model = efficientnet_b0(weights=None)
        >>> sum(w.numpy().size for w in model.trainable_weights)
        4007548
    """
    return load_application(
        keras.applications.EfficientNetB0,
        weights,
        KERAS_WEIGHTS_URLS["efficientnetb0_notop.h5"],
        include_top=False,
        input_shape=input_shape,
        pooling="avg",
    )


@dataclasses.dataclass(frozen=True)
class R004Backbone:
    """One backbone of r004: its name in the report, its builder, its head and its inputs."""

    name: str
    build: Callable[..., keras.Model]
    hidden: int  # the head's hidden Dense layer (ReLU), then the logits
    dropout: float  # after the hidden layer
    imagenet_normalized: bool  # inputs normalized with ImageNet's mean/std outside (EfficientNetB0 normalizes inside)


# The one table of r004's backbones: the builders, r004_classifier's heads, r004's runs, r004-P and the tests read it.
R004_BACKBONES = {
    "alexnet": R004Backbone("AlexNet", alexnet, hidden=1024, dropout=0.4, imagenet_normalized=True),
    "resnet34": R004Backbone("ResNet34", resnet34, hidden=256, dropout=0.0, imagenet_normalized=True),
    "efficientnetb0": R004Backbone(
        "EfficientNetB0", efficientnet_b0, hidden=512, dropout=0.0, imagenet_normalized=False
    ),
}


def r004_classifier(
    backbone: str,
    input_shape=(224, 224, 3),
    num_classes: int = 10,
    *,
    weights=WEIGHTS,
    frozen: bool = True,
    name: str | None = None,
) -> keras.Model:
    """r004's transfer models: a backbone of :data:`R004_BACKBONES` and the report's head, frozen or fine-tuned.

    Heads: AlexNet: Dense 1024 + ReLU + Dropout 0.4, then 10 (9,448,458 with
    the output; total 11,918,154 as the report); ResNet34: Dense 256 + ReLU,
    then 10; EfficientNetB0: Dense 512 + ReLU, then 10. For the last two the
    report counts only the output layer (2,570 and 5,130 parameters).

    Fine-tuned (``frozen=False``), BatchNorm trains as in r004's PyTorch
    original, whose ``model.train()`` normalizes with each batch and updates
    the running statistics. Frozen, the backbone runs in inference mode (a
    frozen Keras BatchNorm keeps its statistics; see the README's assumptions).

    Example:
        >>> model = r004_classifier("alexnet", weights=None)
        >>> model.count_params()
        11918154
    """
    if backbone not in R004_BACKBONES:
        raise InvalidInputError(f"unknown r004 backbone {backbone!r}; choose one of {tuple(R004_BACKBONES)}")
    spec = R004_BACKBONES[backbone]
    base = spec.build(input_shape=input_shape, weights=weights)
    base.trainable = not frozen
    inputs = keras.Input(input_shape, name="image")
    x = base(inputs)
    x = layers.Dense(spec.hidden, activation="relu", name="head_hidden")(x)
    if spec.dropout:
        x = layers.Dropout(spec.dropout, name="head_dropout")(x)
    outputs = logits_layer(num_classes)(x)
    return keras.Model(inputs, outputs, name=name or f"{backbone}_{'frozen' if frozen else 'finetuned'}")
