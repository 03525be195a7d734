"""Activation maximization: the one optimization loop, its two presets, regularizers and progress callbacks.

    vis = visualize(model, filters("conv3_block4_out", range(64)), preprocess=resnet_v2.preprocess_input)
    plot_visualization(vis, columns=8)

``preset="lucid"`` (default) optimizes a decorrelated Fourier image under
random jitter, scale and rotation with Adam: smooth, readable pictures.
``preset="keras_io"`` reproduces the keras.io example ("Visualizing what
convnets learn"): pixel-space steps along the L2-normalized gradient, 30 of
them, the 2-pixel activation border ignored and 25 of 180 pixels cropped when
shown, so students can compare both.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from practicas import plots, runmode
from practicas.errors import InvalidInputError
from practicas.gradient_ascent import images as image_params
from practicas.gradient_ascent.objectives import Objective


@dataclasses.dataclass(frozen=True)
class Preset:
    """Settings of one visualization recipe; see :data:`PRESETS`."""

    parametrization: str  # "fourier" or "pixel"
    update: str  # "adam" or "normalized_gradient"
    steps: int
    learning_rate: float
    size: int  # image side when the model accepts any size
    min_size: int  # smaller fixed inputs (28x28 MNIST) are optimized at a multiple of their size, then resized
    jitter: float = 0.0  # random shift, as a fraction of the side
    scale: float = 0.0  # random zoom in [1 - scale, 1 + scale]
    degrees: float = 0.0  # random rotation in [-degrees, degrees]
    border: int = 0  # activation-map pixels ignored at each side
    display_crop: float = 0.0  # fraction of each side cropped when shown
    standardize_display: bool = False  # keras.io's deprocess: centre, std 0.15, clip


PRESETS = {
    "lucid": Preset("fourier", "adam", steps=256, learning_rate=0.05, size=128, min_size=96,
                    jitter=1 / 16, scale=0.1, degrees=10.0),
    # keras.io: 180x180, lr 10 in ResNet50V2's [-1, 1] range, i.e. 5 in [0, 1] at 180x180x3 pixels.
    "keras_io": Preset("pixel", "normalized_gradient", steps=30, learning_rate=5.0, size=180, min_size=96,
                       border=2, display_crop=25 / 180, standardize_display=True),
}


@dataclasses.dataclass
class Visualization:
    """What :func:`visualize` returns: images in [0, 1] and the objective's story.

    ``trace`` holds the objective of every image at every step (steps, N);
    ``initial`` and ``final`` are measured on the untransformed start and end
    images; ``inactive`` lists targets whose value was zero at every step (a
    filter that never activates, drawn as a caption, not a grey square).
    """

    images: np.ndarray
    captions: list[str]
    trace: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    inactive: list[int]
    notes: list[str]
    preset: str
    seconds: float

    def summary(self) -> dict:
        """JSON-ready numbers (no pixels)."""
        return {"captions": self.captions, "initial": self.initial, "final": self.final, "inactive": self.inactive,
                "notes": self.notes, "preset": self.preset, "seconds": round(self.seconds, 2),
                "trace_mean": self.trace.mean(axis=1), "high_frequency_fraction": image_params.high_frequency_fraction(self.images)}


def total_variation(weight: float = 1e-3) -> Callable:
    """Regularizer: penalize differences between neighbouring pixels (smoother images).

    Example:
        >>> vis = visualize(model, objective, regularizers=[total_variation(1e-3)])  # doctest: +SKIP
    """
    return lambda image: weight * tf.reduce_sum(tf.image.total_variation(image))


def l2_norm(weight: float = 1e-3) -> Callable:
    """Regularizer: penalize distance from mid grey (keeps colours from saturating).

    Example:
        >>> vis = visualize(model, objective, regularizers=[l2_norm(1e-2)])  # doctest: +SKIP
    """
    return lambda image: weight * tf.reduce_sum(tf.square(image - 0.5))


class PrintProgress:
    """Callback: print the mean objective every call (``visualize(..., callbacks=[PrintProgress()])``).

    Example:
        >>> PrintProgress()(10, np.array([1.0, 3.0]))
        step 10: mean objective 2.0000
    """

    def __call__(self, step: int, scores: np.ndarray) -> None:
        print(f"step {step}: mean objective {float(np.mean(scores)):.4f}")


def to_model_input(images, input_range=(0.0, 1.0), preprocess=None):
    """Map [0, 1] images to what the model expects: ``preprocess(255 * x)`` or a linear range."""
    if preprocess is not None:
        return preprocess(images * 255.0)
    low, high = input_range
    return low + images * (high - low)


def _image_size(extractor: keras.Model, preset: Preset, size):
    height, width, channels = extractor.inputs[0].shape[1:]
    if channels is None:
        raise InvalidInputError("the model's input must have a known number of channels")
    model_size = (height, width) if height is not None and width is not None else None
    if size is not None:
        side = (size, size) if isinstance(size, int) else tuple(size)
    elif model_size is None:
        side = (preset.size, preset.size)
    else:  # small inputs: optimize k times larger and let the model see an antialiased downsample
        factor = max(1, math.ceil(preset.min_size / min(model_size)))
        side = (model_size[0] * factor, model_size[1] * factor)
    return side, model_size, channels


def _start_images(start, n: int, side, channels: int):
    if start is None:
        return None
    start = np.asarray(start, "float32")
    if start.ndim == 3:
        start = np.repeat(start[None], n, axis=0)
    if start.ndim != 4 or start.shape[0] != n or start.shape[-1] != channels:
        raise InvalidInputError(f"start image must be (H, W, {channels}) or ({n}, H, W, {channels}) in [0, 1], got {start.shape}")
    return image_params.resize(tf.constant(start), side)


def _display(image, preset: Preset) -> np.ndarray:
    image = np.asarray(image, "float32")
    if preset.standardize_display:
        image = image - image.mean(axis=(1, 2, 3), keepdims=True)
        image = image / (image.std(axis=(1, 2, 3), keepdims=True) + 1e-5) * 0.15 + 0.5
    if preset.display_crop:
        cy, cx = int(round(image.shape[1] * preset.display_crop)), int(round(image.shape[2] * preset.display_crop))
        image = image[:, cy:image.shape[1] - cy, cx:image.shape[2] - cx]
    return np.clip(image, 0.0, 1.0)


def visualize(
    model: keras.Model,
    objective: Objective,
    *,
    preset: str | Preset = "lucid",
    steps: int | None = None,
    learning_rate: float | None = None,
    size=None,
    start=None,
    seed: int = 0,
    input_range=(0.0, 1.0),
    preprocess: Callable | None = None,
    regularizers: Sequence[Callable] = (),
    callbacks: Sequence[Callable] = (),
    report_every: int | None = None,
) -> Visualization:
    """Optimize one image per target of ``objective`` together, as one batch, and return them.

    ``input_range`` is the pixel range the model expects (``(0, 255)`` for a
    model with its own Rescaling layer); or pass ``preprocess`` (e.g.
    ``keras.applications.resnet_v2.preprocess_input``), which receives pixels
    in [0, 255]. A model ending in softmax or sigmoid is climbed on its logits
    (a note says so). ``start`` is a [0, 1] image to start from instead of
    noise. The same ``seed`` gives the same images.

    Example:
        >>> from practicas.gradient_ascent import filters, visualize
        >>> vis = visualize(model, filters("conv1", range(10)), steps=64)  # doctest: +SKIP
        >>> vis.final > vis.initial  # doctest: +SKIP
    """
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise InvalidInputError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
        preset_name, preset = preset, PRESETS[preset]
    else:
        preset_name = "custom"
    if len(objective) == 0:
        raise InvalidInputError("the objective has no targets")
    steps = preset.steps if steps is None else int(steps)
    learning_rate = preset.learning_rate if learning_rate is None else learning_rate
    runmode.record("ascents", {"model": model.name, "preset": preset_name, "steps": steps, "targets": len(objective)})
    if runmode.smoke():
        steps = min(steps, runmode.SMOKE_ASCENT_STEPS)
    objective = objective if objective.border else objective.with_border(preset.border)
    extractor = objective.build(model)
    notes = list(extractor.notes)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    side, model_size, channels = _image_size(extractor.model, preset, size)
    n = len(objective)
    shape = (n, *side, channels)
    start_images = _start_images(start, n, side, channels)
    param_class = image_params.FourierImage if preset.parametrization == "fourier" else image_params.PixelImage
    options = {}
    if preset.parametrization == "fourier" and model_size is not None and tuple(side) != tuple(model_size):
        options["max_frequency"] = 0.5 * min(model_size[0] / side[0], model_size[1] / side[1])
    param = param_class(shape, seed=seed, start=start_images, **options)
    signs = tf.constant(objective.signs)
    if preset.update == "normalized_gradient":
        # keras.io takes steps of a fixed L2 length; scaling it by the image size keeps the per-pixel step.
        learning_rate = learning_rate * math.sqrt(np.prod(shape[1:]) / (180 * 180 * 3))
    first_moment = tf.Variable(tf.zeros_like(param.variable))
    second_moment = tf.Variable(tf.zeros_like(param.variable))
    batch_axis = 1 if preset.parametrization == "fourier" else 0
    norm_axes = [a for a in range(len(param.variable.shape)) if a != batch_axis]
    jitter = preset.jitter * side[0]

    def model_view(image, step_seed=None):
        if step_seed is not None and (jitter or preset.scale or preset.degrees):
            image = image_params.random_affine(image, step_seed, jitter=jitter, scale=preset.scale, degrees=preset.degrees)
        if model_size is not None:
            image = image_params.resize(image, model_size)
        return to_model_input(image, input_range, preprocess)

    @tf.function
    def score(image):
        return objective.scores(extractor, model_view(image))[0]

    @tf.function
    def ascent_step(step):
        with tf.GradientTape() as tape:
            image = param.image()
            scores, surrogate = objective.scores(extractor, model_view(image, tf.stack([seed, step])))
            loss = -tf.reduce_sum(signs * surrogate)
            for regularizer in regularizers:
                loss += regularizer(image)
        gradient = tape.gradient(loss, param.variable)
        if preset.update == "adam":
            t = tf.cast(step + 1, tf.float32)
            first_moment.assign(0.9 * first_moment + 0.1 * gradient)
            second_moment.assign(0.999 * second_moment + 0.001 * tf.square(gradient))
            corrected = (first_moment / (1 - 0.9 ** t)) / (tf.sqrt(second_moment / (1 - 0.999 ** t)) + 1e-8)
            param.variable.assign_sub(learning_rate * corrected)
        else:
            norm = tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=norm_axes, keepdims=True))
            param.variable.assign_sub(learning_rate * gradient / (norm + 1e-8))
        return scores

    started = time.perf_counter()
    initial = score(param.image()).numpy()
    report_every = report_every or max(1, steps // 10)
    trace = np.zeros((steps, n), "float32")
    for step in range(steps):
        trace[step] = ascent_step(tf.constant(step, tf.int32)).numpy()
        if callbacks and ((step + 1) % report_every == 0 or step + 1 == steps):
            for callback in callbacks:
                callback(step + 1, trace[step])
    final_image = param.image()
    final = score(final_image).numpy()
    inactive = [i for i in range(n) if np.all(np.abs(trace[:, i]) < 1e-7) and abs(final[i]) < 1e-7 and abs(initial[i]) < 1e-7]
    if inactive:
        notes.append(f"{len(inactive)} target(s) never activated: {[objective.captions[i] for i in inactive]}")
    return Visualization(
        images=_display(final_image, preset), captions=objective.captions, trace=trace, initial=initial, final=final,
        inactive=inactive, notes=notes, preset=preset_name, seconds=time.perf_counter() - started,
    )


def plot_visualization(vis: Visualization, *, columns: int = 8, title: str = "", captions=None):
    """A captioned grid of the optimized images; inactive targets show as a caption on a blank panel.

    Example:
        >>> fig = plot_visualization(vis, columns=8, title="conv3_block4_out")  # doctest: +SKIP
    """
    return plot_ascent_images(vis.images, captions or vis.captions, vis.inactive, columns=columns, title=title)


def plot_ascent_images(images, captions, inactive=(), *, columns: int = 8, title: str = ""):
    """:func:`plot_visualization` from its parts (images in [0, 1], captions, inactive indices), e.g. read back from files.

    Example:
        >>> fig = plot_ascent_images(np.zeros((2, 8, 8, 3)), ["a", "b"], inactive=[1], columns=2)
    """
    panels = [None if i in inactive else (np.asarray(img) * 255).round().astype("uint8") for i, img in enumerate(images)]
    captions = [c + ("\n(never activates)" if i in inactive else "") for i, c in enumerate(captions)]
    return plots.plot_image_grid(panels, columns=columns, title=title, captions=captions)
