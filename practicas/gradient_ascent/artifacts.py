"""Practical 3's helpers for r003 exercise 4's gradient-ascent figures (r003-F6 .. r003-F14).

The figures are made in notebook 03's cells (``practicas/lessons/03_gradient_ascent.py``),
which the CLI runs; these are the networks and the result builders those cells call.

Full runs use ResNet50V2 with ImageNet weights and the networks of r003
exercise 3 trained on their real data; ``quick=True`` runs offline: ResNet50V2
with ``weights=None`` at a small size and small networks trained on the spot
on real digits (scikit-learn) or Fashion-MNIST, with fewer ascent steps.
"""

from __future__ import annotations

import keras
import numpy as np

from practicas.gradient_ascent import ascent
from practicas.gradient_ascent.objectives import classes
from practicas.modeling import KERAS_WEIGHTS_URLS, load_application
from practicas.results import AscentImages

# r003 made its images "mediante el proceso de gradiente ascendente" of blog.keras.io's "How convolutional neural
# networks see the world", on a noisy input: its figures use that method. ga.PRESETS["lucid"] is one argument away.
REPORT_PRESET = "keras_blog"
# The blog climbs model.output, the class probability, not the logit: the report's class figures do the same.
REPORT_CLASS_SCORE = "probabilities"


def resnet50v2(quick: bool, include_top: bool = False, seed: int = 0, weights="imagenet") -> keras.Model:
    """r003's ResNet50V2 with ImageNet weights (quick: ``weights=None``, offline); without its top, any image size.

    In quick mode ``seed`` fixes the random weights, so the notebook and the CLI climb the same network.
    ``weights`` may also be the path of Keras's ImageNet file, downloaded by hand.

    Example:
        >>> model = resnet50v2(quick=True)
        >>> model.input_shape
        (None, None, None, 3)
    """
    if quick:
        keras.utils.set_random_seed(seed)
    suffix = "" if include_top else "_notop"
    return load_application(
        keras.applications.ResNet50V2,
        None if quick else weights,
        KERAS_WEIGHTS_URLS[f"resnet50v2_weights_tf_dim_ordering_tf_kernels{suffix}.h5"],
        include_top=include_top,
        **({} if include_top else {"input_shape": (None, None, 3)}),
    )


def ascent_images(vis: ascent.Visualization, *, network: str, columns: int, quick: bool, **extra) -> AscentImages:
    """The artifact of one :func:`~practicas.gradient_ascent.visualize` call: its images, objective and metrics.

    Example:
        >>> result = ascent_images(vis, network="ResNet50V2", columns=8, quick=True)  # doctest: +SKIP
    """
    summary = vis.summary()
    return AscentImages(
        {
            "network": network + (" (weights=None, quick)" if quick and "ResNet" in network else ""),
            "columns": columns,
            "objective": summary,
            "metrics": {
                "mean_initial_objective": float(np.mean(vis.initial)),
                "mean_final_objective": float(np.mean(vis.final)),
                "inactive_targets": len(vis.inactive),
                "high_frequency_fraction": float(np.mean(summary["high_frequency_fraction"])),
            },
            "_images": vis.images,
            "ascent": vis.settings,  # what session.save records in the JSON's settings (model, preset, steps)
            **extra,
        }
    )


def cats_vs_dogs_images(
    run: dict, quick: bool, seed: int, preset: str = REPORT_PRESET, max_steps: int | None = None
) -> AscentImages:
    """Inputs that maximize (dog) and minimize (cat) the one logit of r003's cats-vs-dogs network (r003-F14).

    ``max_steps``: a smoke run's cap (``session.max_ascent_steps``).

    Example:
        >>> result = cats_vs_dogs_images(cats_vs_dogs_transfer(context), quick=True, seed=0)  # doctest: +SKIP
    """
    names = run["data"].class_names
    objective = classes([0], names=[f"maximized: {names[1]}"], score=REPORT_CLASS_SCORE) + classes(
        [0], minimize=True, names=[f"minimized: {names[0]}"], score=REPORT_CLASS_SCORE
    )
    # The quick stand-in (a thin MobileNet trained for seconds) changes its mind under a 2-pixel shift, so the
    # lucid preset's random jitter would swamp its gradient: no random transformations in quick mode.
    budget = {"input_modifiers": [], "steps": 64} if quick else {}
    vis = ascent.visualize(
        run["model"], objective, preset=preset, seed=seed, input_range=(0.0, 255.0), max_steps=max_steps, **budget
    )
    network = f"r003 MobileNet transfer network ({run['dataset']})"
    return ascent_images(vis, network=network, columns=2, quick=quick)
