"""Networks trained from scratch in Practical 1, each built to its report's layer table.

Every builder follows the keras.applications signature (``input_shape``,
``num_classes``, ``name`` plus the options its report varies) and ends in a
float32 ``logits`` Dense layer (no softmax), so mixed-precision policies and
gradient ascent on the logits both work. Layer names are stable and
meaningful: ``flatten`` and ``logits`` address the two feature sets that r000-F5 embeds.
"""

from __future__ import annotations

import keras
from keras import layers

from practicas.modeling import check_input_shape, logits_layer


def simple_cnn(
    input_shape=(28, 28, 1), num_classes: int = 10, dropout=(0.25, 0.5), name: str = "simple_cnn"
) -> keras.Model:
    """r000's Simple CNN for MNIST: 813,802 parameters (r000-T2).

    | layer | output |
    |---|---|
    | Conv 32 3x3 same + ReLU | 28x28x32 |
    | Conv 32 3x3 same + ReLU | 28x28x32 |
    | MaxPool 2, Dropout | 14x14x32 |
    | Flatten | 6272 (the intermediate features of r000-F5) |
    | Dense 128 + ReLU, Dropout | 128 (``fc1``) |
    | Dense 10 | logits |

    Example:
        >>> simple_cnn().count_params()
        813802
    """
    input_shape = check_input_shape(input_shape, name, 2)
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Dropout(dropout[0], name="dropout1"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="fc1"),
            layers.Dropout(dropout[1], name="dropout2"),
            logits_layer(num_classes),
        ],
        name=name,
    )


def alexnet_cifar(input_shape=(32, 32, 3), num_classes: int = 10, name: str = "alexnet_cifar") -> keras.Model:
    """r000's AlexNet for CIFAR-10, line by line from its PyTorch listing: 6,199,498 parameters (r000-T4).

    Conv 48 5x5 stride 2 pad 2, MaxPool, ReLU; Conv 128 5x5 pad 2, MaxPool,
    ReLU; Conv 192, 192, 128 3x3 pad 1 (ReLU), MaxPool, ReLU; then Dropout .5,
    Dense 2048, ReLU, Dropout .5, Dense 2048, ReLU, Dense 10. The stride-2 conv
    uses explicit zero padding: Keras's ``same`` would pad 1/2 instead of
    PyTorch's 2/2. Subsampling leaves a 2x2x128 map (512 features) at 32x32.

    Example:
        >>> alexnet_cifar().count_params()
        6199498
    """
    # Three pools after a stride-2 conv must leave at least 2x2 (the listing's 128*2*2 features).
    input_shape = check_input_shape(
        input_shape, name, 31, report="three 2x2 pools after a stride-2 conv must leave 2x2; the report uses 32x32"
    )
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.ZeroPadding2D(2, name="pad1"),
            layers.Conv2D(48, 5, strides=2, name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.ReLU(name="relu1"),
            layers.Conv2D(128, 5, padding="same", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.ReLU(name="relu2"),
            layers.Conv2D(192, 3, padding="same", activation="relu", name="conv3"),
            layers.Conv2D(192, 3, padding="same", activation="relu", name="conv4"),
            layers.Conv2D(128, 3, padding="same", name="conv5"),
            layers.MaxPooling2D(2, name="pool3"),
            layers.ReLU(name="relu3"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.5, name="dropout1"),
            layers.Dense(2048, activation="relu", name="fc1"),
            layers.Dropout(0.5, name="dropout2"),
            layers.Dense(2048, activation="relu", name="fc2"),
            logits_layer(num_classes),
        ],
        name=name,
    )


def _conv_block(x, filters, kernel, name, batch_norm, padding="valid"):
    x = layers.Conv2D(filters, kernel, padding=padding, name=f"{name}_conv")(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def basenet(
    input_shape=(32, 32, 3),
    num_classes: int = 25,
    *,
    batch_norm: bool = False,
    deeper: bool = False,
    dropout: float = 0.0,
    name: str = "basenet",
) -> keras.Model:
    """r001's BaseNet (24,197 parameters, r001-T1) and each rung of its improvement ladder.

    Base table: Conv 5x5 3->6, ReLU, MaxPool, Conv 5x5 6->16, ReLU, MaxPool,
    Dense 400->50, ReLU, Dense 50->25. Options, cumulative as in the report:

    - ``batch_norm``: BatchNormalization after every conv and after Dense 50, before the ReLU (r001-F11);
    - ``deeper``: a 3x3 ``same`` conv with 4x the filters before each pool, and a
      1x1 conv 64->16 so Dense still sees 400 features (r001-F13);
    - ``dropout``: Dropout before both dense layers (r001-F15 uses 0.2).

    All three together give the 23-layer improved table (r001-T2).

    Example:
        >>> basenet().count_params()
        24197
    """
    input_shape = check_input_shape(input_shape, name, 32, report="two valid 5x5 convs and two pools must leave 5x5")
    inputs = keras.Input(input_shape, name="image")
    x = _conv_block(inputs, 6, 5, "block1", batch_norm)
    if deeper:
        x = _conv_block(x, 24, 3, "block1_deep", batch_norm, padding="same")
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = _conv_block(x, 16, 5, "block2", batch_norm)
    if deeper:
        x = _conv_block(x, 64, 3, "block2_deep", batch_norm, padding="same")
    x = layers.MaxPooling2D(2, name="block2_pool")(x)
    if deeper:
        x = _conv_block(x, 16, 1, "reduce", batch_norm)
    if dropout:
        x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(50, name="fc1")(x)
    if batch_norm:
        x = layers.BatchNormalization(name="fc1_bn")(x)
    x = layers.ReLU(name="fc1_relu")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout2")(x)
    return keras.Model(inputs, logits_layer(num_classes)(x), name=name)


def improved_basenet(input_shape=(32, 32, 3), num_classes: int = 25, name: str = "improved_basenet") -> keras.Model:
    """r001's final Exercise-2 network, the 23-layer table (r001-T2): BaseNet with every improvement.

    Example:
        >>> improved_basenet().count_params() > basenet().count_params()
        True
    """
    return basenet(input_shape, num_classes, batch_norm=True, deeper=True, dropout=0.2, name=name)


def bonus_basenet(
    input_shape=(32, 32, 3), num_classes: int = 25, *, residual: bool = False, name: str | None = None
) -> keras.Model:
    """r001's bonus network (r001-F27) and its residual version (r001-F29, table r001-T3).

    Two stages of 32 and 64 filters: Conv 5x5 same, BN, ReLU, then two 3x3
    convs (BN, ReLU each), MaxPool. With ``residual`` the stage input to the
    3x3 pair is added before the second pair's BatchNorm and ReLU (r001-T3
    rows 7-10). Head: Dropout .25, Dense 512, BN, ReLU, Dropout .5, Dense 25.

    Example:
        >>> bonus_basenet(residual=True).get_layer("stage1_add").name
        'stage1_add'
    """
    name = name or ("residual_basenet" if residual else "bonus_basenet")
    input_shape = check_input_shape(input_shape, name, 4, report="two 2x2 pools")
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for stage, filters in ((1, 32), (2, 64)):
        x = _conv_block(x, filters, 5, f"stage{stage}_in", True, padding="same")
        shortcut = x
        x = _conv_block(x, filters, 3, f"stage{stage}_a", True, padding="same")
        x = layers.Conv2D(filters, 3, padding="same", name=f"stage{stage}_b_conv")(x)
        if residual:
            x = layers.Add(name=f"stage{stage}_add")([x, shortcut])
        x = layers.BatchNormalization(name=f"stage{stage}_b_bn")(x)
        x = layers.ReLU(name=f"stage{stage}_b_relu")(x)
        x = layers.MaxPooling2D(2, name=f"stage{stage}_pool")(x)
    x = layers.Dropout(0.25, name="dropout1")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(512, name="fc1")(x)
    x = layers.BatchNormalization(name="fc1_bn")(x)
    x = layers.ReLU(name="fc1_relu")(x)
    x = layers.Dropout(0.5, name="dropout2")(x)
    return keras.Model(inputs, logits_layer(num_classes)(x), name=name)


def emoji_first_net(input_shape=(32, 32, 3), num_classes: int = 5, name: str = "emoji_first_net") -> keras.Model:
    """r002's first network (r002-F1..F3): Conv 16/32/64 3x3 valid, two pools, Dense 1024->256->5.

    Example:
        >>> emoji_first_net().get_layer("flatten").output.shape[-1]
        1024
    """
    input_shape = check_input_shape(input_shape, name, 32, report="64*4*4 = 1024 features at 32x32")
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.Conv2D(16, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(32, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(64, 3, activation="relu", name="conv3"),
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation="relu", name="fc1"),
            logits_layer(num_classes),
        ],
        name=name,
    )


def emoji_net(
    input_shape=(32, 32, 3), num_classes: int = 5, activation: str = "relu", name: str = "emoji_net"
) -> keras.Model:
    """r002's final Net: 1,069,509 parameters, outputs 16x16x32, 8x8x32, 8x8x64 (r002-T1).

    Conv 3->32 3x3 stride 2 pad 1, MaxPool 2, Conv 32->64 3x3 pad 1, Dense
    4096->256, Dense 256->5. ``activation`` replaces every ReLU (r002-F6
    tries ``"softmax"`` and ``"sigmoid"``; softmax acts over channels).

    Example:
        >>> emoji_net().count_params()
        1069509
    """
    input_shape = check_input_shape(input_shape, name, 4)
    act = (
        (lambda n: layers.Softmax(axis=-1, name=n))
        if activation == "softmax"
        else (lambda n: layers.Activation(activation, name=n))
    )
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.ZeroPadding2D(1, name="pad1"),  # PyTorch's padding=1 with stride 2 (Keras 'same' pads 0/1)
            layers.Conv2D(32, 3, strides=2, name="conv1"),
            act("act1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, padding="same", name="conv2"),
            act("act2"),
            layers.Flatten(name="flatten"),
            layers.Dense(256, name="fc1"),
            act("act3"),
            logits_layer(num_classes),
        ],
        name=name,
    )


def vanilla_cnn(
    input_shape=(224, 224, 3), num_classes: int = 10, filters=(64, 192, 256), name: str = "vanilla_cnn"
) -> keras.Model:
    """r004's Vanilla CNN: three blocks of Conv 5x5, ReLU, MaxPool, then 256 -> 10 (r004-VCNN).

    The report's count is garbled ("1.481.48", "about 1.5 M"). With 5x5 convs
    of 64, 192 and 256 filters and global average pooling to the 256 features
    the head takes, this network has 1,543,882 parameters at any input size.

    Example:
        >>> vanilla_cnn().count_params()
        1543882
    """
    input_shape = check_input_shape(input_shape, name, 8, report="three 2x2 pools")
    model = [keras.Input(input_shape, name="image")]
    for i, f in enumerate(filters, start=1):
        model += [
            layers.Conv2D(f, 5, padding="same", name=f"block{i}_conv"),
            layers.ReLU(name=f"block{i}_relu"),
            layers.MaxPooling2D(2, name=f"block{i}_pool"),
        ]
    model += [layers.GlobalAveragePooling2D(name="pool"), logits_layer(num_classes)]
    return keras.Sequential(model, name=name)
