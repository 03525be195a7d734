"""Two-phase transfer learning as one call: train the head on a frozen base, then fine-tune at a lower rate.

The keras.io transfer-learning guide's recipe: phase 1 trains only the new
head; phase 2 unfreezes the base (all of it, or its top ``unfreeze`` layers)
and continues with a smaller learning rate, BatchNorm layers kept frozen in
inference mode so their ImageNet statistics are not wrecked by small batches.
The history continues across both phases (r003-F1: epochs 1-50, then 51-60),
and each phase resumes from its checkpoints after an interruption.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import keras
from keras import layers

from practicas import training


def set_trainable(base: keras.Model, unfreeze: int | str = "all") -> None:
    """Unfreeze ``base`` (``"all"``, or only its last ``unfreeze`` layers), keeping BatchNorm frozen.

    A BatchNormalization layer with ``trainable=False`` runs in inference
    mode in Keras 3, so its moving mean and variance stay as they are.

    Example:
        >>> set_trainable(base, unfreeze=20)  # doctest: +SKIP
    """
    base.trainable = True
    if unfreeze != "all":
        for layer in base.layers[: max(0, len(base.layers) - int(unfreeze))]:
            layer.trainable = False
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False


def fit_two_phase(
    model: keras.Model,
    base: keras.Model,
    train,
    *,
    validation_data,
    head_epochs: int,
    finetune_epochs: int,
    head_optimizer: Callable[[], object],
    finetune_optimizer: Callable[[], object],
    unfreeze: int | str = "all",
    seed: int = 0,
    workdir: str | os.PathLike | None = None,
) -> keras.callbacks.History:
    """Phase 1: ``head_epochs`` with ``base`` frozen; phase 2: ``finetune_epochs`` more with it unfrozen.

    ``model`` must contain ``base`` as a layer. The returned history covers
    both phases; ``history.phase_boundary`` is the last epoch of phase 1.

    Example:
        >>> history = fit_two_phase(model, model.get_layer("mobilenet_1.00_128"), train, validation_data=val,
        ...                         head_epochs=50, finetune_epochs=10,
        ...                         head_optimizer=lambda: keras.optimizers.Adam(1e-3),
        ...                         finetune_optimizer=lambda: keras.optimizers.Adam(1e-5))  # doctest: +SKIP
    """
    binary = model.outputs[0].shape[-1] == 1
    phase_dir = (lambda name: Path(workdir) / name) if workdir is not None else (lambda name: None)
    base.trainable = False
    training.compile_classifier(model, head_optimizer(), binary=binary)
    head = training.fit(
        model, train, validation_data=validation_data, epochs=head_epochs, seed=seed, workdir=phase_dir("head")
    )
    set_trainable(base, unfreeze)
    training.compile_classifier(model, finetune_optimizer(), binary=binary)  # recompile: trainability changed
    history = training.fit(
        model,
        train,
        validation_data=validation_data,
        epochs=head_epochs + finetune_epochs,
        initial_epoch=head_epochs,
        previous_history=head,
        seed=seed,
        workdir=phase_dir("finetune"),
    )
    history.phase_boundary = head_epochs
    return history
