"""Objectives (what to climb): filter means of a named layer, or output classes (their logits or probabilities).

An :class:`Objective` is a list of targets, one image each; objectives add
(``filters(...) + filters(..., minimize=True)``), so any mix of filters,
layers and classes is optimized together as one batch, in the spirit of
tf-keras-vis scores and xplique's ``Objective``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import keras
import numpy as np
from keras import ops

from practicas import modeling
from practicas.errors import InvalidInputError

LOGITS = None  # the target "layer" of a class objective: the model's logits
PROBABILITIES = "<probabilities>"  # ... or the softmax (sigmoid for one logit) of those logits
CLASS_SCORES = {"logits": LOGITS, "probabilities": PROBABILITIES}


@dataclasses.dataclass(frozen=True)
class Target:
    """One image's goal: raise (or lower) channel ``index`` of ``layer`` (``None``: the logits)."""

    layer: str | None
    index: int
    minimize: bool = False
    caption: str = ""


@dataclasses.dataclass
class Extractor:
    """The model that reads every target layer, each target layer's activation (applied in the objective), notes."""

    model: keras.Model
    activations: list
    notes: list[str]


@dataclasses.dataclass(frozen=True)
class Objective:
    """A batch of targets; ``len(objective)`` images are optimized together.

    Example:
        >>> objective = filters("conv1", range(4)) + classes([3], names=["three"])
        >>> len(objective), objective.captions[-1]
        (5, 'three')
    """

    targets: tuple[Target, ...]
    border: int = 0  # activation-map pixels ignored at each side (keras.io's 2-px crop)

    def __add__(self, other: Objective) -> Objective:
        return Objective(self.targets + other.targets, max(self.border, other.border))

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def captions(self) -> list[str]:
        return [t.caption for t in self.targets]

    @property
    def layers(self) -> list[str | None]:
        return list(dict.fromkeys(t.layer for t in self.targets))

    def with_border(self, border: int) -> Objective:
        return dataclasses.replace(self, border=border)

    def build(self, model: keras.Model) -> Extractor:
        """The model from the input to every layer the targets read, after checking each index.

        Example:
            >>> extractor = filters("conv1", [0]).build(model)  # doctest: +SKIP
        """
        notes, outputs, activations = [], [], []
        for layer in self.layers:
            if layer is LOGITS:
                tensor, note = modeling.logits_output(model)
                notes += [note] if note else []
                activation = None
            elif layer == PROBABILITIES:  # the blog's model.output: probabilities computed from the logits
                tensor, _ = modeling.logits_output(model)
                activation = keras.activations.sigmoid if tensor.shape[-1] == 1 else keras.activations.softmax
            else:
                tensor, activation = modeling.layer_output(model, layer, split_activation=True)
            size = tensor.shape[-1]
            for t in self.targets:
                if t.layer == layer and not 0 <= t.index < size:
                    what = "class" if layer in (LOGITS, PROBABILITIES) else f"filter of layer {layer!r}"
                    raise InvalidInputError(f"{what} index {t.index} is out of range: valid indices are 0..{size - 1}")
            outputs.append(tensor)
            activations.append(activation)
        return Extractor(keras.Model(model.inputs, outputs, name="objective_extractor"), activations, notes)

    def scores(self, extractor: Extractor, inputs) -> tuple:
        """Per-image objective (N,) and a surrogate with the same value whose gradient also flows through a dead ReLU.

        The objective is the mean *activation* of each image's target. Where
        a ReLU is zero everywhere its gradient is zero too and the ascent
        could never start; the surrogate adds 1 % of the pre-activation's
        gradient (not its value), which wakes such filters up.
        """
        outputs = extractor.model(inputs, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        total, surrogate = 0.0, 0.0
        for layer, pre, activation in zip(self.layers, outputs, extractor.activations):
            pre = ops.cast(pre, "float32")  # a mixed-precision model's float16 activations
            post = ops.cast(activation(pre), "float32") if activation is not None else pre
            # One row per image: a one-hot choice of its target channel, zero where the target is on another layer.
            choice = np.zeros((len(self.targets), pre.shape[-1]), "float32")
            for row, t in enumerate(self.targets):
                if t.layer == layer:
                    choice[row, t.index] = 1.0
            choice = ops.convert_to_tensor(choice)
            value = self._target_means(post, choice)
            total += value
            surrogate += value
            if activation is not None and layer != PROBABILITIES:  # a probability's gradient is never dead
                leak = 0.01 * self._target_means(pre, choice)
                surrogate += leak - ops.stop_gradient(leak)
        return total, surrogate

    def _target_means(self, output, choice):
        rank = len(output.shape)
        if rank == 4 and self.border and min(output.shape[1:3]) > 2 * self.border + 1:
            output = output[:, self.border : -self.border, self.border : -self.border, :]
        mean = ops.mean(output, axis=tuple(range(1, rank - 1))) if rank > 2 else output
        return ops.sum(mean * choice, axis=1)

    @property
    def signs(self) -> np.ndarray:
        return np.array([-1.0 if t.minimize else 1.0 for t in self.targets], "float32")


def filters(layer: str, indices: Iterable[int], *, minimize: bool = False) -> Objective:
    """Maximize (or minimize) the mean activation of each filter in ``indices`` of ``layer``, one image each.

    Example:
        >>> len(filters("conv3_block4_out", range(64)))
        64
    """
    word = "min" if minimize else "max"
    return Objective(tuple(Target(layer, int(i), minimize, f"{layer} #{int(i)} {word}") for i in indices))


def classes(indices: Iterable[int], *, minimize: bool = False, names=None, score: str = "logits") -> Objective:
    """Maximize (or minimize) the logit of each output class in ``indices``, one image each.

    ``score="logits"`` reads scores before any softmax: a saturated
    probability has almost no gradient, and raising it can mean lowering
    every other class instead. ``score="probabilities"`` climbs the softmax
    (the sigmoid of a single logit), as blog.keras.io's 2016 method climbs
    ``model.output``: it works with a normalized step, and shows what raising
    a probability does.

    Example:
        >>> classes([284], names=["Siamese cat"]).captions
        ['Siamese cat']
        >>> classes([3], score="probabilities").layers
        ['<probabilities>']
    """
    if score not in CLASS_SCORES:
        raise InvalidInputError(f"unknown class score {score!r}; choose one of {sorted(CLASS_SCORES)}")
    indices = [int(i) for i in indices]
    names = list(names) if names is not None else [f"class {i}{' min' if minimize else ''}" for i in indices]
    if len(names) != len(indices):
        raise InvalidInputError(f"{len(indices)} classes but {len(names)} names")
    return Objective(tuple(Target(CLASS_SCORES[score], i, minimize, name) for i, name in zip(indices, names)))
