"""Practical 1's network that another notebook shares, and its inputs.

- :func:`vanilla_cnn_run`: r004's Vanilla CNN on 10 Monkey Species (its own
  table, r004-VCNN, and the from-scratch baseline of r004-T1 and r004-F8).
"""

from __future__ import annotations

import dataclasses

import keras

from practicas.pipelines import imagenet_eval_transform
from practicas.runmode import RunContext, cached


def vanilla_cnn_inputs(data, quick: bool):
    """r004's inputs for the Vanilla CNN: ``(data, preprocess)`` for :func:`~practicas.experiments.train_classifier`.

    Full: every image resized to 256, centre-cropped to 224 and normalized
    with ImageNet's mean and std (r004's transform), once, up front. Quick:
    the 64x64 stand-in as it is, with pixels / 255 as the pipeline's preprocess.

    Example:
        >>> import numpy as np
        >>> from practicas.datasets import ImageDataset
        >>> images = np.zeros((2, 256, 256, 3), "uint8")
        >>> data = ImageDataset("monkeys", images, np.arange(2), images, np.arange(2), ["a", "b"])
        >>> cropped, preprocess = vanilla_cnn_inputs(data, quick=False)
        >>> cropped.image_shape, preprocess is None
        ((224, 224, 3), True)
    """
    if quick:
        return data, lambda x: x / 255.0
    x_train, x_test = (keras.ops.convert_to_numpy(imagenet_eval_transform(x)) for x in (data.x_train, data.x_test))
    return dataclasses.replace(data, x_train=x_train, x_test=x_test), None


def vanilla_cnn_run(context: RunContext) -> dict:
    """r004's Vanilla CNN as notebook 01's r004 section trains it (Adam 1e-3, batch 32, 10 epochs, r004's inputs):
    that section's cells, run up to r004-VCNN (:func:`practicas.notebooks.section_run`).

    Trained once per process and output folder, with its state in
    ``OUT/.work``, whichever notebook (or artifact) asks first: notebook 02's
    r004 table compares the backbones with it. Returns the section's ``run``.

    Example:
        >>> run = vanilla_cnn_run(session.context)  # doctest: +SKIP
    """

    def compute():
        from practicas import notebooks

        return notebooks.section_run("r004-VCNN", context)

    return cached(context.shared_key("r004_vanilla"), compute, context)
