"""Two-phase transfer learning as one call: train the head on a frozen base, then fine-tune at a lower rate.

The keras.io transfer-learning guide's recipe: phase 1 trains only the new
head; phase 2 unfreezes the base (all of it, or its top ``unfreeze`` layers)
and continues with a smaller learning rate. The history continues across both
phases (r003-F1: epochs 1-50, then 51-60), and each phase resumes from its
checkpoints after an interruption.

What fine-tuning does to BatchNorm is a choice each report made through its
framework, so every caller states it (``freeze_batchnorm``):

- Keras originals: r003 follows keras.io's guide, where BatchNorm stays in
  inference mode, its ImageNet statistics kept; r001 does not say, and is
  taken to do the same (a setting marked assumed). In Keras 3 only
  ``layer.trainable = False`` does that: ``fit`` calls the model with
  ``training=True``, which overrides a ``base(x, training=False)`` written
  in the graph (keras-team/keras#20285).
- PyTorch originals (r000, r004) call ``model.train()``, which normalizes
  with each batch's statistics and updates the running ones: BatchNorm trains.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import keras

from practicas import training
from practicas.modeling import freeze_batchnorm_layers

# Per report, whether fine-tuning keeps BatchNorm in inference mode: as the report's framework did (module docstring).
FREEZE_BATCHNORM_WHEN_FINE_TUNING = {"r000": False, "r001": True, "r003": True, "r004": False}


def set_trainable(base: keras.Model, unfreeze: int | str = "all", *, freeze_batchnorm: bool) -> None:
    """Unfreeze ``base`` (``"all"``, or only its last ``unfreeze`` layers); BatchNorm frozen or trained, as told.

    Example:
        >>> net = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)])
        >>> net.trainable = False
        >>> set_trainable(net, freeze_batchnorm=False)
        >>> len(net.trainable_weights)  # gamma, beta, kernel, bias
        4
    """
    base.trainable = True
    if unfreeze != "all":
        for layer in base.layers[: max(0, len(base.layers) - int(unfreeze))]:
            layer.trainable = False
    if freeze_batchnorm:
        freeze_batchnorm_layers(base)


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
    freeze_batchnorm: bool,
    unfreeze: int | str = "all",
    seed: int = 0,
    workdir: str | os.PathLike | None = None,
) -> keras.callbacks.History:
    """Phase 1: ``head_epochs`` with ``base`` frozen; phase 2: ``finetune_epochs`` more with it unfrozen.

    ``model`` must contain ``base`` as a layer. ``freeze_batchnorm``: keep
    the base's BatchNorm in inference mode in phase 2 (keras.io's guide, the
    Keras reports) or let it train (PyTorch's ``model.train()``, the PyTorch
    reports): :data:`FREEZE_BATCHNORM_WHEN_FINE_TUNING`. The returned history
    covers both phases; ``history.phase_boundary`` is the last epoch of phase 1.

    Example:
        >>> history = fit_two_phase(model, model.get_layer("mobilenet_1.00_128"), train, validation_data=val,
        ...                         head_epochs=50, finetune_epochs=10,
        ...                         head_optimizer=lambda: keras.optimizers.Adam(1e-3),
        ...                         finetune_optimizer=lambda: keras.optimizers.Adam(1e-5),
        ...                         freeze_batchnorm=True)  # doctest: +SKIP
    """
    binary = model.outputs[0].shape[-1] == 1
    phase_dir = (lambda name: Path(workdir) / name) if workdir is not None else (lambda name: None)
    base.trainable = False
    training.compile_classifier(model, head_optimizer(), binary=binary)
    head = training.fit(
        model, train, validation_data=validation_data, epochs=head_epochs, seed=seed, workdir=phase_dir("head")
    )
    set_trainable(base, unfreeze, freeze_batchnorm=freeze_batchnorm)
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
