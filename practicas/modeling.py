"""Model plumbing shared by every practical: input checks, the float32 logits layer, named-layer access.

Layer names are what make features addressable (t-SNE of ``flatten``, gradient
ascent on ``conv3_block4_out``), including layers nested inside a
keras.applications backbone that is itself one layer of a bigger model.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable
from pathlib import Path

import keras
from keras import layers

from practicas.datasets import downloads_allowed
from practicas.errors import InvalidInputError, WeightsNotFoundError


def check_input_shape(input_shape, name: str, min_size: int, channels: int | None = None, report: str = "") -> tuple:
    """Validate ``input_shape`` up front, naming the smallest valid size instead of failing inside a layer.

    Example:
        >>> check_input_shape((28, 28, 1), "simple_cnn", min_size=4)
        (28, 28, 1)
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise InvalidInputError(f"{name}: input_shape must be (height, width, channels), got {input_shape}")
    height, width, depth = input_shape
    if min(height, width) < min_size:
        raise InvalidInputError(
            f"{name}: input {height}x{width} is too small; the smallest valid size is {min_size}x{min_size}"
            + (f" ({report})" if report else "")
        )
    if channels is not None and depth != channels:
        raise InvalidInputError(f"{name}: expected {channels} channel(s), got input_shape {input_shape}")
    return input_shape


def logits_layer(num_classes: int, name: str = "logits") -> layers.Dense:
    """The last layer of every practicas classifier: a Dense layer without softmax, always float32.

    Example:
        >>> logits_layer(10).dtype_policy.name
        'float32'
    """
    # float32 even under a mixed_float16 policy: softmax/cross-entropy of half-precision logits overflow.
    return layers.Dense(num_classes, dtype="float32", name=name)


def layer_names(model: keras.Model) -> list[str]:
    """Every layer name of ``model``, nested models' layers included (depth first).

    Example:
        >>> layer_names(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="d")]))
        ['d']
    """
    names = []
    for layer in model.layers:
        names.append(layer.name)
        if isinstance(layer, keras.Model):
            names.extend(layer_names(layer))
    return names


def unknown_layer_error(model: keras.Model, layer_name: str) -> InvalidInputError:
    """The error for a layer name that ``model`` lacks, listing the closest names it has."""
    names = layer_names(model)
    close = difflib.get_close_matches(layer_name, names, n=5, cutoff=0.3) or names[-5:]
    return InvalidInputError(
        f"model {model.name!r} has no layer {layer_name!r}; closest layer names: {', '.join(close)}"
    )


def _single(tensors):
    return tensors[0] if isinstance(tensors, (list, tuple)) and len(tensors) == 1 else tensors


def _without_activation(layer, name: str, **overrides):
    """A built copy of ``layer`` with a linear activation and the same weight values (read-only use)."""
    linear = layer.__class__.from_config({**layer.get_config(), "activation": "linear", "name": name, **overrides})
    linear.build(layer.input.shape)
    linear.set_weights(layer.get_weights())
    return linear


def _split_activation(layer):
    """The pre-activation output of ``layer`` and the activation that follows it (``None`` if linear)."""
    if isinstance(layer, (layers.ReLU, layers.Activation, layers.LeakyReLU, layers.ELU)):
        return layer.input, layer
    activation = getattr(layer, "activation", None)
    if activation is None or getattr(activation, "__name__", "") == "linear" or not hasattr(layer, "kernel"):
        return layer.output, None
    return _without_activation(layer, f"{layer.name}_pre_activation")(layer.input), activation


def layer_output(model: keras.Model, layer_name: str, *, split_activation: bool = False):
    """The symbolic output of a named layer, in ``model``'s own graph, even when the layer is nested.

    A layer inside a backbone that is one layer of ``model`` (e.g.
    ``conv3_block4_out`` of a ResNet50V2 applied after a Rescaling layer) is
    reached by composing "model input -> backbone input" with "backbone input
    -> layer", so every preprocessing layer in front of the backbone stays.
    With ``split_activation=True`` it returns ``(pre_activation, activation)``
    instead: gradient ascent needs a gradient even where a ReLU is still zero.

    Example:
        >>> extractor = keras.Model(model.inputs, layer_output(model, "conv3_block4_out"))  # doctest: +SKIP
    """
    if layer_name in (layer.name for layer in model.layers):
        layer = model.get_layer(layer_name)
        return _split_activation(layer) if split_activation else layer.output
    for sub in model.layers:
        if isinstance(sub, keras.Model) and layer_name in layer_names(sub):
            found = layer_output(sub, layer_name, split_activation=split_activation)
            tensor, activation = found if split_activation else (found, None)
            inner = keras.Model(sub.inputs, tensor, name=f"{sub.name}_to_{layer_name}")
            for node in reversed(sub._inbound_nodes):  # the call of ``sub`` that belongs to this graph
                try:
                    prefix = keras.Model(model.inputs, _single(node.input_tensors))
                except ValueError:
                    continue
                output = inner(prefix(_single(model.inputs)))
                return (output, activation) if split_activation else output
    raise unknown_layer_error(model, layer_name)


def layer_model(model: keras.Model, layer_names_: str | list[str]) -> keras.Model:
    """A model from ``model``'s inputs to one named layer's output (or a list of them).

    Example:
        >>> features = layer_model(model, "flatten").predict(x)  # doctest: +SKIP
    """
    if isinstance(layer_names_, str):
        return keras.Model(model.inputs, layer_output(model, layer_names_))
    return keras.Model(model.inputs, [layer_output(model, name) for name in layer_names_])


def freeze_batchnorm_layers(model: keras.Model) -> keras.Model:
    """Put every BatchNormalization layer of ``model`` (nested models too) in inference mode, for good.

    A BatchNormalization layer with ``trainable=False`` normalizes with its
    moving statistics and never updates them, even when ``fit`` calls it with
    ``training=True``; its gamma and beta stop training too.

    Example:
        >>> net = keras.Sequential([keras.Input((4,)), layers.BatchNormalization(), layers.Dense(1)])
        >>> len(freeze_batchnorm_layers(net).trainable_weights)  # the Dense kernel and bias; not gamma and beta
        2
    """
    for layer in _every_layer(model):
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    return model


def _float32_config(config):
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" or config.get("class_name") == "DTypePolicyMap":
            return "float32"
        return {key: _float32_config(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_float32_config(item) for item in config]
    return config


def float32_model(model: keras.Model) -> keras.Model:
    """``model`` itself when every layer computes in float32, else a float32 copy with the same weight values.

    A network trained under ``mixed_float16`` (a GPU run's default for the
    ImageNet backbones) computes in half precision; gradient ascent on it
    would climb rounded activations. Its variables are float32 already, so
    the copy holds exactly the trained values.

    Example:
        >>> net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, dtype="mixed_float16")])
        >>> float32_model(net).layers[0].dtype_policy.name
        'float32'
    """
    if all(layer.dtype_policy.name == "float32" for layer in _every_layer(model)):
        return model
    copy = model.__class__.from_config(_float32_config(model.get_config()))
    copy.set_weights(model.get_weights())
    return copy


def _every_layer(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _every_layer(layer)


SATURATING = ("softmax", "sigmoid")


def _activation_name(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) or (activation if isinstance(activation, str) else None)
    return name if name in SATURATING else None


def logits_output(model: keras.Model):
    """The pre-activation output of ``model`` and a note when a softmax or sigmoid had to be bypassed.

    Climbing a saturated probability gives vanishing gradients, so a model
    ending in softmax/sigmoid (a Dense with that activation, or an Activation
    layer) is read one step earlier: a copy of the last Dense without its
    activation, sharing the same weights' values.

    Example:
        >>> logits, note = logits_output(keras.applications.ResNet50V2(weights=None))  # doctest: +SKIP
        >>> note  # doctest: +SKIP
        "climbing the logits of 'predictions' instead of its softmax"
    """
    last = model.layers[-1]
    activation = _activation_name(last)
    if activation is None:
        return model.outputs[0], None
    note = f"climbing the logits of {last.name!r} instead of its {activation}"
    if isinstance(last, layers.Activation):
        return last.input, note
    return _without_activation(last, f"{last.name}_logits", dtype="float32")(last.input), note


# ------------------------------------------------------------------ pretrained weights, offline-first

# Where keras.applications downloads each ImageNet file the project uses (the constructors' own BASE_WEIGHT(S)_PATH:
# EfficientNet's files live under another bucket than the rest). A test checks each against the URL Keras asks for.
KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
KERAS_WEIGHTS_URLS = {
    "mobilenet_1_0_128_tf_no_top.h5": KERAS_APPLICATIONS_URL + "mobilenet/mobilenet_1_0_128_tf_no_top.h5",
    "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5": KERAS_APPLICATIONS_URL
    + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5": KERAS_APPLICATIONS_URL
    + "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5": KERAS_APPLICATIONS_URL
    + "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
    "efficientnetb0_notop.h5": "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
}


def keras_models_dir() -> Path:
    """Where Keras caches downloaded weights (``$KERAS_HOME/models``, default ``~/.keras/models``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


# keras/src/applications/efficientnet.py: ImageNet's std. Its Normalization layer divides by sqrt(variance) where the
# original network divided by the variance, so Keras adds Rescaling(1/sqrt(std)) -- but only when it builds the
# network with weights="imagenet" (tensorflow/tensorflow#49930). A network built without that layer sees its inputs
# at about 0.48x the scale its ImageNet weights were trained on.
_IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)
_IMAGENET_ONLY_LAYERS = {f"EfficientNetB{i}" for i in range(8)}


def _efficientnet_imagenet_rescaling(layer, *args, **kwargs):
    outputs = layer(*args, **kwargs)
    if isinstance(layer, layers.Normalization):
        outputs = layers.Rescaling([1.0 / math.sqrt(std) for std in _IMAGENET_STDDEV_RGB])(outputs)
    return outputs


def imagenet_architecture(constructor: Callable, model: keras.Model) -> keras.Model:
    """``model`` (built by ``constructor(weights=None)``) as Keras builds it for ImageNet weights, sharing its layers.

    For most keras.applications networks the two are the same network and
    ``model`` comes back unchanged. EfficientNetB0..B7 add one Rescaling
    layer after their Normalization when, and only when, Keras downloads the
    ImageNet file itself; a network whose ImageNet file comes from a cache or
    a path must get it too, or every input arrives at the wrong scale.

    Example:
        >>> model = imagenet_architecture(keras.applications.EfficientNetB0,
        ...                               keras.applications.EfficientNetB0(weights=None, include_top=False))
        >>> [type(layer).__name__ for layer in model.layers[1:5]]
        ['Rescaling', 'Normalization', 'Rescaling', 'ZeroPadding2D']
    """
    if constructor.__name__ not in _IMAGENET_ONLY_LAYERS:
        return model
    return keras.models.clone_model(
        model, clone_function=lambda layer: layer, call_function=_efficientnet_imagenet_rescaling
    )


def _refuse_pytorch_file(constructor: Callable, path: Path, weights_url: str) -> None:
    if path.suffix in (".pth", ".pt", ".bin", ".safetensors"):
        raise InvalidInputError(
            f"{constructor.__name__}: {path} is a PyTorch/torchvision weights file, but keras.applications."
            f"{constructor.__name__} takes Keras's own file, made for its layer layout and its input convention "
            f"(keras.applications.{constructor.__module__.rsplit('.', 1)[-1]}.preprocess_input). Download "
            f"{weights_url} and pass that path, or weights='imagenet'."
        )


def load_application(constructor: Callable, weights, weights_url: str, **kwargs) -> keras.Model:
    """Build a keras.applications network with ``weights`` = ``"imagenet"``, ``None`` or a file path.

    ``weights_url`` is where Keras downloads the ImageNet file (its last part
    is the file name Keras caches). Whichever way the ImageNet weights
    arrive -- Keras's download, the cached file, a path -- the network is the
    one Keras builds for them (:func:`imagenet_architecture`).

    Example:
        >>> base = load_application(keras.applications.MobileNet, None, KERAS_WEIGHTS_URLS[
        ...     "mobilenet_1_0_128_tf_no_top.h5"], include_top=False, input_shape=(128, 128, 3))
        >>> base.count_params()
        3228864
    """
    model = _load_application(constructor, weights, weights_url, **kwargs)
    mark_weights_origin(model, constructor.__name__, weights)
    return model


def _load_application(constructor: Callable, weights, weights_url: str, **kwargs) -> keras.Model:
    weights_file = weights_url.rsplit("/", 1)[-1]
    if weights is None:
        return constructor(weights=None, **kwargs)
    if isinstance(weights, str) and weights == "imagenet":
        cached = keras_models_dir() / weights_file
        if cached.exists():
            # What keras.applications does after its download, minus the re-check of the published hash, which
            # would start a download of a file we already have (offline: an error).
            return _from_file(constructor, cached, **kwargs)
        if not downloads_allowed():
            raise WeightsNotFoundError(
                f"{constructor.__name__}: ImageNet weights need {weights_file}, which is not in {cached.parent} and "
                f"cannot be downloaded (no network). Download {weights_url} on a machine with internet, then put it "
                f"in {cached.parent} or pass weights='/path/to/{weights_file}'."
            )
        try:
            return constructor(weights="imagenet", **kwargs)
        except Exception as error:  # urllib/HTTP errors, a hash mismatch: the download failed while online
            raise WeightsNotFoundError(
                f"{constructor.__name__}: downloading {weights_file} failed: {error}. Try again, or download "
                f"{weights_url} yourself and put it in {cached.parent}."
            ) from None
    path = Path(weights)
    _refuse_pytorch_file(constructor, path, weights_url)
    return _from_file(constructor, path, **kwargs)


def _from_file(constructor: Callable, path: Path, **kwargs) -> keras.Model:
    # A file given by path is taken to be the ImageNet file: the network it needs is the one Keras builds for it.
    return imagenet_architecture(constructor, load_weights_file(constructor(weights=None, **kwargs), path))


def mark_weights_origin(model: keras.Model, builder: str, weights) -> None:
    """Say on ``model`` (``model.weights_origin``) which builder and weights made it: what an experiment's JSON
    records (:meth:`practicas.runmode.RunContext.record_weights_of`, called by the fit's callbacks and ``session.model``).

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> mark_weights_origin(model, "Tiny", "imagenet")
        >>> dict(model.weights_origin)
        {'builder': 'Tiny', 'weights': 'imagenet'}
    """
    model.weights_origin = {"builder": builder, "weights": None if weights is None else str(weights)}


def load_weights_file(model: keras.Model, path) -> keras.Model:
    """Load a weights file into ``model``, refusing one made for another architecture with both shapes named.

    Example:
        >>> model = load_weights_file(resnet34(weights=None), "resnet34.weights.h5")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise WeightsNotFoundError(f"{model.name}: weights file {path} does not exist")
    try:
        model.load_weights(path)
    except (ValueError, KeyError) as error:
        expected = [tuple(w.shape) for w in model.weights[:2]]
        raise InvalidInputError(
            f"weights file {path} does not fit {model.name} (its first weights have shapes {expected}): {error}"
        ) from None
    return model
