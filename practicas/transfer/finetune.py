"""Fine-tuning's one decision beyond keras.io's recipe: what BatchNorm does once the base is unfrozen.

The recipe itself is written out in notebook 02's cells, where a student reads
it (keras.io's transfer-learning guide): phase 1 freezes the base
(``base.trainable = False``), compiles and trains the new head; phase 2
unfreezes the base (:func:`set_trainable`: all of it, or its top
``unfreeze`` layers), compiles again at a smaller learning rate and fits on,
with ``initial_epoch`` and the first phase's history (r003-F1: epochs 1-50,
then 51-60).

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

import keras

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
