"""Practical 3 artifacts: r003 exercise 4's gradient-ascent figures (r003-F6 .. r003-F14).

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
from practicas.modeling import load_application
from practicas.registry import artifact
from practicas.results import AscentImages
from practicas.runmode import RunContext, cached, epochs_for
from practicas.standins import experiment_data
from practicas.transfer.experiments import cats_vs_dogs_transfer, train_digits
from practicas.transfer.models import emnist_net

SIAMESE_CAT = 284  # ImageNet index; r003 writes both 238 and 283 (Persian cat) for "gato siamés"


def _resnet50v2(quick: bool, include_top: bool = False) -> keras.Model:
    suffix = "" if include_top else "_notop"
    return load_application(
        keras.applications.ResNet50V2,
        None if quick else "imagenet",
        f"resnet50v2_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
        "resnet",
        include_top=include_top,
        **({} if include_top else {"input_shape": (None, None, 3)}),
    )


def _visualization_data(vis: ascent.Visualization, *, network: str, columns: int, quick: bool, **extra) -> dict:
    summary = vis.summary()
    return {
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


def _budget(quick: bool, quick_steps: int, quick_size: int | None = 64) -> dict:
    """Ascent steps and image size: the preset's in a full run, a few steps on a small image in quick mode."""
    return {"steps": quick_steps, "size": quick_size} if quick else {}


def resnet_filters(layer: str, quick: bool, seed: int, count: int = 64) -> dict:
    """The first ``count`` filters of a ResNet50V2 layer, optimized together (r003-F6, r003-F7).

    Example:
        >>> data = resnet_filters("conv3_block4_out", quick=True, seed=0)  # doctest: +SKIP
    """
    vis = ascent.visualize(
        _resnet50v2(quick),
        filters(layer, range(count)),
        seed=seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **_budget(quick, 16),
    )
    return _visualization_data(
        vis, network="ResNet50V2", columns=8, quick=quick, layer=layer, captions=[f"#{i}" for i in range(count)]
    )


@artifact("r003-F6")
def resnet_conv3_filters(context: RunContext) -> AscentImages:
    """r003 Figure 6: 64 filters of ResNet50V2 ``conv3_block4_out`` as an 8x8 grid."""
    return AscentImages(resnet_filters("conv3_block4_out", context.quick, context.seed))


@artifact("r003-F7")
def resnet_conv5_filters(context: RunContext) -> AscentImages:
    """r003 Figure 7: 64 filters of ResNet50V2 ``conv5_block3_out``: more complex patterns deeper in."""
    return AscentImages(resnet_filters("conv5_block3_out", context.quick, context.seed))


@artifact("r003-F8")
def resnet_filter0_max_min(context: RunContext) -> AscentImages:
    """r003 Figures 8-9: filter 0 of ``conv3_block4_out`` maximized and minimized, side by side.

    The report's captions name ``conv3_block4_out``; its text says
    ``conv5_block3_out``. The captions are followed.
    """
    layer = "conv3_block4_out"
    objective = filters(layer, [0]) + filters(layer, [0], minimize=True)
    vis = ascent.visualize(
        _resnet50v2(context.quick),
        objective,
        seed=context.seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **_budget(context.quick, 32),
    )
    return AscentImages(
        _visualization_data(
            vis,
            network="ResNet50V2",
            columns=2,
            quick=context.quick,
            layer=layer,
            captions=["filter 0 maximized", "filter 0 minimized"],
        )
    )


@artifact("r003-F10")
def resnet_siamese_cat(context: RunContext) -> AscentImages:
    """r003 Figure 10: the input that maximizes ImageNet class 284, Siamese cat (on the logits, not the softmax)."""
    objective = classes([SIAMESE_CAT], names=[f"Siamese cat (ImageNet {SIAMESE_CAT})"])
    with_top = _resnet50v2(context.quick, include_top=True)  # fixed 224x224 input
    vis = ascent.visualize(
        with_top,
        objective,
        seed=context.seed,
        preprocess=keras.applications.resnet_v2.preprocess_input,
        **_budget(context.quick, 12, None),
    )
    return AscentImages(
        _visualization_data(vis, network="ResNet50V2", columns=1, quick=context.quick, class_index=SIAMESE_CAT)
    )


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


@artifact("r003-F11")
def digit_classes(context: RunContext) -> AscentImages:
    """r003 Figure 11: inputs that maximize each of the 10 digit logits; ``metrics.target_confidence`` is their softmax."""
    model, network = digit_network(context)
    vis = ascent.visualize(
        model,
        classes(range(10), names=[f"digit {d}" for d in range(10)]),
        seed=context.seed,
        **_budget(context.quick, 128, None),
    )
    logits = evaluation.predict_logits(
        model, keras.ops.convert_to_numpy(images.resize(vis.images, model.input_shape[1:3]))
    )
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits))
    data = _visualization_data(vis, network=network, columns=10, quick=context.quick)
    data["metrics"]["target_confidence"] = probabilities[np.arange(10), np.arange(10)]
    return AscentImages(data)


@artifact("r003-F12")
def digit_network_filters(context: RunContext) -> AscentImages:
    """r003 Figures 12-13: inputs that maximize the 10 filters of the first (top row) and second conv layer."""
    model, network = digit_network(context)
    objective = filters("conv1", range(10)) + filters("conv2", range(10))
    vis = ascent.visualize(model, objective, seed=context.seed, **_budget(context.quick, 96, None))
    return AscentImages(
        _visualization_data(
            vis,
            network=network,
            columns=10,
            quick=context.quick,
            captions=[f"conv{1 + i // 10} #{i % 10}" for i in range(20)],
        )
    )


@artifact("r003-F14")
def cats_vs_dogs_max_min(context: RunContext) -> AscentImages:
    """r003 Figure 14: inputs that maximize (dog) and minimize (cat) the logit of r003's cats-vs-dogs network."""
    run = cats_vs_dogs_transfer(context)
    names = run["data"].class_names
    objective = classes([0], names=[f"maximized: {names[1]}"]) + classes(
        [0], minimize=True, names=[f"minimized: {names[0]}"]
    )
    # The quick stand-in (a thin MobileNet trained for seconds) changes its mind under a 2-pixel shift, so
    # the default preset's random jitter swamps its gradient; the same Fourier image without the random
    # transformations climbs and descends it steadily, and stays smooth.
    budget = {"input_modifiers": [], "steps": 64} if context.quick else {}
    vis = ascent.visualize(run["model"], objective, seed=context.seed, input_range=(0.0, 255.0), **budget)
    network = f"r003 MobileNet transfer network ({run['dataset']})"
    return AscentImages(_visualization_data(vis, network=network, columns=2, quick=context.quick))
