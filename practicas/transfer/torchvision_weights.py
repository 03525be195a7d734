"""torchvision's ImageNet weights in the Keras ResNet34 and AlexNet of r004.

Keras ships no ResNet34 or AlexNet, and KerasHub has no preset for
torchvision's versions, so :func:`practicas.transfer.models.resnet34` and
:func:`~practicas.transfer.models.alexnet` are built layer for layer like
torchvision's, with layer names that map one to one onto torchvision's
parameter names (``layer2_0_downsample_conv`` <-> ``layer2.0.downsample.0``,
``features_3`` <-> ``features.3``). :func:`load_state_dict` copies a
torchvision state dict into them; :func:`torchvision_weights` resolves a
builder's ``weights`` argument:

1. ``"imagenet"``: the converted file cached at
   ``$KERAS_HOME/models/<arch>_torchvision.weights.h5``; else, with
   torchvision installed and the network reachable, torchvision's
   ``IMAGENET1K_V1`` weights, converted once and cached (atomic write);
   else a :class:`~practicas.errors.WeightsNotFoundError` listing the three
   ways to get them.
2. a ``.pth`` / ``.pt`` path: a torchvision state-dict file, read with
   ``torch.load(..., weights_only=True)`` (PyTorch needed, torchvision not).
3. any other path: a Keras weights file.

Neither backbone includes torchvision's classifier (r004 puts its own heads
on the pooled features), so a state dict's ``fc.*`` / ``classifier.*``
entries are accepted and left unused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np
from keras import layers

from practicas.errors import InvalidInputError, UnsafePickleError, WeightsNotFoundError

TORCHVISION_ARCHS = {"resnet34": "ResNet34_Weights", "alexnet": "AlexNet_Weights"}
# torchvision's classifier of each architecture: present in its state dicts, absent from our backbones.
CLASSIFIER_PREFIXES = {"resnet34": ("fc.",), "alexnet": ("classifier.",)}
_BATCHNORM = (
    ("weight", "gamma"),
    ("bias", "beta"),
    ("running_mean", "moving_mean"),
    ("running_var", "moving_variance"),
)


def torchvision_name(keras_layer_name: str) -> str:
    """torchvision's module name for one of our layers (``layer1_0_conv1`` -> ``layer1.0.conv1``).

    Example:
        >>> torchvision_name("layer2_0_downsample_bn")
        'layer2.0.downsample.1'
        >>> torchvision_name("features_3")
        'features.3'
    """
    name = keras_layer_name.replace("_downsample_conv", ".downsample.0").replace("_downsample_bn", ".downsample.1")
    return name.replace("_", ".")


def _architecture(model: keras.Model) -> tuple[keras.Model, str]:
    """The torchvision-style backbone in ``model`` (itself, or one nested model) and its architecture name."""
    for candidate in (model, *(layer for layer in model.layers if isinstance(layer, keras.Model))):
        names = {layer.name for layer in candidate.layers}
        if "layer1_0_conv1" in names:
            return candidate, "resnet34"
        if "features_0" in names:
            return candidate, "alexnet"
    raise InvalidInputError(
        f"model {model.name!r} is not one of practicas' torchvision-style networks "
        f"(practicas.transfer.models.resnet34 or alexnet, or a model containing one)"
    )


def _keras_targets(backbone: keras.Model) -> dict:
    """torchvision parameter name -> (Keras variable, conversion of torchvision's array to Keras's layout)."""
    targets = {}
    for layer in backbone.layers:
        prefix = torchvision_name(layer.name)
        if isinstance(layer, layers.Conv2D):
            # torch (out, in, kh, kw) -> Keras (kh, kw, in, out)
            targets[f"{prefix}.weight"] = (layer.kernel, lambda a: np.transpose(a, (2, 3, 1, 0)))
            if layer.use_bias:
                targets[f"{prefix}.bias"] = (layer.bias, lambda a: a)
        elif isinstance(layer, layers.BatchNormalization):
            for torch_name, keras_name in _BATCHNORM:
                targets[f"{prefix}.{torch_name}"] = (getattr(layer, keras_name), lambda a: a)
        elif layer.weights:
            raise InvalidInputError(f"layer {layer.name!r} ({type(layer).__name__}) has no torchvision counterpart")
    return targets


def _as_numpy(value) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor; torch itself is not needed to read it
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _listing(names, limit: int = 8) -> str:
    names = sorted(names)
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def load_state_dict(model: keras.Model, state_dict) -> keras.Model:
    """Copy a torchvision state dict into our ``resnet34`` / ``alexnet`` (or a model that contains one).

    ``state_dict`` maps torchvision's parameter names (``conv1.weight``,
    ``layer1.0.bn1.running_var``, ``features.3.bias``…) to numpy arrays or
    torch tensors. Kernels are transposed to Keras's layout and BatchNorm's
    weight / bias / running mean / running variance become gamma / beta /
    moving mean / moving variance. A dict with missing, unexpected or
    mis-shaped entries is refused, naming them, before anything is copied;
    ``num_batches_tracked`` and the classifier's entries (``fc.*``,
    ``classifier.*``: our backbones end at the pooled features) are left unused.

    Example:
        >>> from practicas.transfer.models import alexnet
        >>> model = alexnet(weights=None)
        >>> state = {f"features.{i}.{p}": np.zeros(tuple(reversed(w.shape)) if p == "weight" else w.shape, "float32")
        ...          for i in (0, 3, 6, 8, 10) for p, w in zip(("weight", "bias"), model.get_layer(f"features_{i}").weights)}
        >>> state = {k: (v.transpose(0, 1, 3, 2) if v.ndim == 4 else v) for k, v in state.items()}  # (out, in, kh, kw)
        >>> float(load_state_dict(model, state).get_layer("features_0").kernel.numpy().sum())
        0.0
    """
    backbone, arch = _architecture(model)
    targets = _keras_targets(backbone)
    given = {str(key): value for key, value in dict(state_dict).items()}
    unused = {key for key in given if key.endswith(".num_batches_tracked") or key.startswith(CLASSIFIER_PREFIXES[arch])}
    missing = set(targets) - set(given)
    unexpected = set(given) - set(targets) - unused
    converted, misshaped = {}, []
    for key in set(targets) & set(given):
        variable, convert = targets[key]
        array = convert(_as_numpy(given[key]))
        if tuple(array.shape) != tuple(variable.shape):
            shape = tuple(variable.shape)
            expected = (shape[3], shape[2], shape[0], shape[1]) if len(shape) == 4 else shape  # torchvision's layout
            misshaped.append(f"{key} {tuple(_as_numpy(given[key]).shape)} (expected {expected})")
        converted[key] = array
    problems = []
    if missing:
        problems.append(f"missing {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected {_listing(unexpected)}")
    if misshaped:
        problems.append(f"wrong shape: {_listing(misshaped)}")
    if problems:
        raise InvalidInputError(
            f"this state dict does not fit torchvision's {arch} ({backbone.name}): {'; '.join(problems)}. "
            f"Pass the state dict of torchvision.models.{arch}."
        )
    for key, array in converted.items():
        variable = targets[key][0]
        variable.assign(array.astype(variable.dtype))
    return model


def read_state_dict(path) -> dict:
    """Read a torchvision state-dict file (``.pth``) safely: ``torch.load(..., weights_only=True)``, on the CPU.

    Only tensors and plain containers are unpickled, so the file cannot run
    code. A checkpoint that wraps the state dict under ``"state_dict"`` is
    unwrapped.

    Example:
        >>> state = read_state_dict("resnet34-b627a593.pth")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise WeightsNotFoundError(f"state-dict file {path} does not exist")
    try:
        import torch
    except ImportError:
        raise WeightsNotFoundError(
            f"reading {path} needs PyTorch: pip install torch (torchvision is not needed)"
        ) from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises UnpicklingError for code objects, RuntimeError for other corruption
        raise UnsafePickleError(
            f"{path} is not a plain state dict that torch.load(..., weights_only=True) can read: {error}"
        ) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise InvalidInputError(
            f"{path} holds a {type(state).__name__}, not a state dict (a mapping of names to tensors)"
        )
    return state


def download_state_dict(arch: str) -> dict:
    """torchvision's ``IMAGENET1K_V1`` state dict of ``arch`` (downloaded by torchvision, which checks its hash).

    Example:
        >>> state = download_state_dict("resnet34")  # doctest: +SKIP
    """
    import torchvision

    weights = getattr(torchvision.models, TORCHVISION_ARCHS[arch]).IMAGENET1K_V1
    try:
        return dict(weights.get_state_dict(progress=True))
    except Exception as error:  # URLError, HTTPError, a hash mismatch: all mean "download failed"
        raise WeightsNotFoundError(
            f"{arch}: downloading torchvision's {TORCHVISION_ARCHS[arch]}.IMAGENET1K_V1 failed: {error!r}. "
            f"Check the connection and try again, or pass weights='/path/to/{arch}.pth'."
        ) from None


def _torchvision_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("torchvision") is not None


def torchvision_weights(model: keras.Model, weights, arch: str) -> keras.Model:
    """Give ``model`` (built with random weights) the weights that ``weights`` names; see the module's docstring.

    Example:
        >>> from practicas.transfer.models import resnet34
        >>> torchvision_weights(resnet34(weights=None), None, "resnet34").name
        'resnet34'
    """
    from practicas.modeling import mark_weights_origin

    model = _torchvision_weights(model, weights, arch)
    mark_weights_origin(model, arch, weights)
    return model


def _torchvision_weights(model: keras.Model, weights, arch: str) -> keras.Model:
    from practicas.datasets import downloads_allowed
    from practicas.modeling import keras_models_dir, load_weights_file
    from practicas.writing import write_weights

    if weights is None:
        return model
    if isinstance(weights, str) and weights == "imagenet":
        cached = keras_models_dir() / f"{arch}_torchvision.weights.h5"
        if cached.exists():
            return load_weights_file(model, cached)
        installed = _torchvision_installed()
        if installed and downloads_allowed():
            load_state_dict(model, download_state_dict(arch))
            write_weights(cached, model)
            print(
                f"practicas: converted torchvision's {arch} IMAGENET1K_V1 weights to Keras, cached at {cached}",
                file=sys.stderr,
            )
            return model
        why = "no network" if installed else "torchvision is not installed"
        raise WeightsNotFoundError(
            f"{arch}: Keras has no ImageNet weights for torchvision's {arch}, {cached} does not exist, and they cannot "
            f"be converted now ({why}). Either (1) pip install torchvision on a machine with internet and build again "
            f"(the weights are converted and cached once); (2) pass weights='/path/to/{arch}.pth', a torchvision state "
            f"dict (torch.save(torchvision.models.{arch}(weights='IMAGENET1K_V1').state_dict(), '{arch}.pth'); PyTorch "
            f"reads it, torchvision is not needed); or (3) put a converted Keras file at {cached}."
        )
    path = Path(weights)
    if path.suffix in (".pth", ".pt"):
        return load_state_dict(model, read_state_dict(path))
    return load_weights_file(model, path)
