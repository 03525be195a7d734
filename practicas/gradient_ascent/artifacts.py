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

from practicas import evaluation
from practicas.gradient_ascent import ascent, images
from practicas.gradient_ascent.objectives import classes, filters
from practicas.modeling import KERAS_WEIGHTS_URLS, load_application
from practicas.results import AscentImages
from practicas.runmode import RunContext, cached, epochs_for
from practicas.standins import experiment_data
from practicas.transfer.experiments import train_digits
from practicas.transfer.models import emnist_net

# r003 made its images "mediante el proceso de gradiente ascendente" of blog.keras.io's "How convolutional neural
# networks see the world", on a noisy input: its figures use that method. ga.PRESETS["lucid"] is one argument away.
REPORT_PRESET = "keras_blog"
# The blog climbs model.output, the class probability, not the logit: the report's class figures do the same.
REPORT_CLASS_SCORE = "probabilities"
SIAMESE_CAT = 284  # ImageNet index; r003 writes both 238 and 283 (Persian cat) for "gato siamés"


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
            **extra,
        }
    )


def ascent_budget(quick: bool, quick_steps: int, quick_size: int | None = 64) -> dict:
    """Ascent steps and image size: the preset's in a full run (``{}``), a few steps on a small image in quick mode.

    Example:
        >>> ascent_budget(True, 16), ascent_budget(False, 16)
        ({'steps': 16, 'size': 64}, {})
    """
    return {"steps": quick_steps, "size": quick_size} if quick else {}


def resnet_filters(
    model: keras.Model, layer: str, quick: bool, seed: int, count: int = 64, preset: str = REPORT_PRESET
) -> AscentImages:
    """The first ``count`` filters of a ResNet50V2 layer, optimized together (r003-F6, r003-F7).

    Example:
        >>> result = resnet_filters(resnet50v2(quick=True), "conv3_block4_out", quick=True, seed=0)  # doctest: +SKIP
    """
    vis = ascent.visualize(
        model,
        filters(layer, range(count)),
        preset=preset,
        seed=seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **ascent_budget(quick, 16),
    )
    captions = [f"#{i}" for i in range(count)]
    return ascent_images(vis, network="ResNet50V2", columns=8, quick=quick, layer=layer, captions=captions)


def filter_max_min(model: keras.Model, layer: str, quick: bool, seed: int, preset: str = REPORT_PRESET) -> AscentImages:
    """Filter 0 of ``layer`` maximized and minimized, side by side (r003-F8).

    Example:
        >>> result = filter_max_min(resnet50v2(quick=True), "conv3_block4_out", quick=True, seed=0)  # doctest: +SKIP
    """
    objective = filters(layer, [0]) + filters(layer, [0], minimize=True)
    vis = ascent.visualize(
        model,
        objective,
        preset=preset,
        seed=seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **ascent_budget(quick, 32),
    )
    captions = ["filter 0 maximized", "filter 0 minimized"]
    return ascent_images(vis, network="ResNet50V2", columns=2, quick=quick, layer=layer, captions=captions)


def siamese_cat(model_with_top: keras.Model, quick: bool, seed: int, preset: str = REPORT_PRESET) -> AscentImages:
    """The input that maximizes ImageNet class 284, Siamese cat: its probability, as the blog does (r003-F10).

    Example:
        >>> result = siamese_cat(resnet50v2(quick=True, include_top=True), quick=True, seed=0)  # doctest: +SKIP
    """
    objective = classes([SIAMESE_CAT], names=[f"Siamese cat (ImageNet {SIAMESE_CAT})"], score=REPORT_CLASS_SCORE)
    vis = ascent.visualize(
        model_with_top,
        objective,
        preset=preset,
        seed=seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **ascent_budget(quick, 12, None),  # the classifier takes 224x224 only
    )
    return ascent_images(vis, network="ResNet50V2", columns=1, quick=quick, class_index=SIAMESE_CAT)


# ------------------------------------------------------------------ r003's networks of exercise 3


def digit_network(context: RunContext) -> tuple[keras.Model, str]:
    """r003's exercise-3 architecture trained on all of MNIST (quick: on scikit-learn's real digits, seconds).

    Example:
        >>> model, label = digit_network(RunContext(quick=True, workdir=Path("out/.work/r003-F11-quick-seed0")))  # doctest: +SKIP
    """

    def compute():
        data, label = experiment_data("mnist_digits", context)
        run = train_digits(
            lambda: emnist_net(data.image_shape, 10),
            data,
            epochs=epochs_for(10, context.quick, 5),
            seed=context.seed,
            workdir=context.shared_workdir("digit_network"),
        )
        return run[
            "model"
        ], f"r003 exercise-3 network trained on {label}, test accuracy {run['metrics']['accuracy']:.3f}"

    return cached(context.shared_key("digit_network"), compute)


def digit_class_images(
    model: keras.Model, network: str, quick: bool, seed: int, preset: str = REPORT_PRESET
) -> AscentImages:
    """Inputs that maximize each of the 10 digit logits, and the softmax the network gives each (r003-F11).

    ``metrics.target_confidence`` is that softmax: near 1 when the network
    sees its own digit in the image it dreamt.

    Example:
        >>> result = digit_class_images(model, "r003 digit network", quick=True, seed=0)  # doctest: +SKIP
    """
    objective = classes(range(10), names=[f"digit {d}" for d in range(10)], score=REPORT_CLASS_SCORE)
    vis = ascent.visualize(model, objective, preset=preset, seed=seed, **ascent_budget(quick, 128, None))
    seen = keras.ops.convert_to_numpy(images.resize(vis.images, model.input_shape[1:3]))  # what the network sees
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(evaluation.predict_logits(model, seen)))
    result = ascent_images(vis, network=network, columns=10, quick=quick)
    result["metrics"]["target_confidence"] = probabilities[np.arange(10), np.arange(10)]
    return result


def digit_filter_images(
    model: keras.Model, network: str, quick: bool, seed: int, preset: str = REPORT_PRESET
) -> AscentImages:
    """Inputs that maximize the 10 filters of the first (top row) and second conv layer (r003-F12).

    Example:
        >>> result = digit_filter_images(model, "r003 digit network", quick=True, seed=0)  # doctest: +SKIP
    """
    objective = filters("conv1", range(10)) + filters("conv2", range(10))
    vis = ascent.visualize(model, objective, preset=preset, seed=seed, **ascent_budget(quick, 96, None))
    captions = [f"conv{1 + i // 10} #{i % 10}" for i in range(20)]
    return ascent_images(vis, network=network, columns=10, quick=quick, captions=captions)


def cats_vs_dogs_images(run: dict, quick: bool, seed: int, preset: str = REPORT_PRESET) -> AscentImages:
    """Inputs that maximize (dog) and minimize (cat) the one logit of r003's cats-vs-dogs network (r003-F14).

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
    vis = ascent.visualize(run["model"], objective, preset=preset, seed=seed, input_range=(0.0, 255.0), **budget)
    network = f"r003 MobileNet transfer network ({run['dataset']})"
    return ascent_images(vis, network=network, columns=2, quick=quick)
