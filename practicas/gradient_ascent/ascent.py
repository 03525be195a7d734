"""Activation maximization: the one optimization loop, composed of parts, and its two presets.

    vis = visualize(model, filters("conv3_block4_out", range(64)), preprocess=resnet_v2.preprocess_input)
    plot_visualization(vis, columns=8)

The loop is put together like tf-keras-vis's: an image parametrization
(``"fourier"`` or ``"pixel"``), **input modifiers** that perturb the image
before the model sees it (:class:`Jitter`, :class:`Scale`, :class:`Rotate`,
or any ``callable(images, seed)``), a **Keras optimizer**, **gradient
modifiers** (:class:`NormalizeGradient`) and **callbacks** with begin / step /
end hooks (:class:`PrintProgress`, :class:`Snapshots`). What makes it ours: all
the targets of an objective climb together, as one batch.

``preset="lucid"`` (default) optimizes a decorrelated Fourier image under
jitter, scale and rotation with Adam: smooth, readable pictures.
``preset="keras_blog"`` is the method r003 names, blog.keras.io's "How
convolutional neural networks see the world" (2016): a grey image with a little
noise, 20 pixel-space steps of one grey level along the RMS-normalized
gradient, shown standardized; r003's figures use it. ``preset="keras_io"``
reproduces the keras.io example ("Visualizing what convnets learn", 2020):
pixel-space SGD steps along the L2-normalized gradient, 30 of them, the
2-pixel activation border ignored and 25 of 180 pixels cropped when shown, so
students can compare all three.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Sequence

import keras
import numpy as np
from keras import ops

from practicas import modeling, plots
from practicas.errors import InvalidInputError
from practicas.gradient_ascent import images as image_params
from practicas.gradient_ascent.objectives import Objective
from practicas.progress import Progress

# ------------------------------------------------------------------ the parts a loop is composed of


class InputModifier:
    """A random perturbation of the [0, 1] images (N, H, W, C) before the model sees them, new at every step.

    ``modifier(images, seed)`` returns images of the same shape; ``seed`` is an
    int32 tensor ``(seed, step)`` that changes each step, for the active
    backend's stateless random functions (``tf.random.stateless_uniform``,
    ``jax.random``...). Any callable with that signature can go in
    ``input_modifiers``. The geometric ones (:class:`Jitter`, :class:`Scale`,
    :class:`Rotate`) standing next to each other are applied as one combined
    resample, so the image is interpolated once; their random numbers come from
    NumPy (:func:`~practicas.gradient_ascent.images.affine_draws`), the same on
    every backend.
    """

    def affine(self, side: int) -> dict:
        """This modifier's share of one combined random affine transform (pixels of shift, zoom, degrees)."""
        raise NotImplementedError

    def __call__(self, images, seed):
        return apply_input_modifiers([self], images, seed)


class _GeometricModifier(InputModifier):
    # The keyword of image_params.random_affine this modifier sets, and whether its amount scales with the side.
    keyword, per_pixel = "", False

    def affine(self, side: int) -> dict:
        return {self.keyword: self.amount * (side if self.per_pixel else 1)}


@dataclasses.dataclass(frozen=True)
class Jitter(_GeometricModifier):
    """Shift each image by up to ``amount`` of its side, at random (Lucid's jitter).

    Example:
        >>> Jitter(1 / 16).affine(side=128)
        {'jitter': 8.0}
    """

    amount: float = 1 / 16
    keyword, per_pixel = "jitter", True


@dataclasses.dataclass(frozen=True)
class Scale(_GeometricModifier):
    """Zoom each image by a random factor in [1 - amount, 1 + amount].

    Example:
        >>> tuple(Scale(0.1)(np.zeros((2, 16, 16, 3), "float32"), (0, 1)).shape)
        (2, 16, 16, 3)
    """

    amount: float = 0.1
    keyword = "scale"


@dataclasses.dataclass(frozen=True)
class Rotate(_GeometricModifier):
    """Rotate each image by a random angle in [-amount, amount] degrees.

    Example:
        >>> [type(m).__name__ for m in PRESETS["lucid"].input_modifiers]
        ['Jitter', 'Scale', 'Rotate']
    """

    amount: float = 10.0
    keyword = "degrees"


def _geometric_groups(modifiers: Sequence[Callable]) -> int:
    """How many combined resamples ``modifiers`` make: one per run of neighbouring geometric modifiers."""
    groups, previous = 0, False
    for modifier in modifiers:
        geometric = isinstance(modifier, InputModifier)
        groups += geometric and not previous
        previous = geometric
    return groups


def apply_input_modifiers(modifiers: Sequence[Callable], images, seed, draws=None):
    """``images`` through ``modifiers`` in order; neighbouring geometric ones as one resample.

    ``draws`` are the geometric modifiers' random numbers
    (:func:`~practicas.gradient_ascent.images.affine_draws`); by default they
    are drawn from ``seed`` (two integers).

    Example:
        >>> tuple(apply_input_modifiers([Jitter(0.1), Rotate(5.0)], np.zeros((1, 8, 8, 3), "float32"), (0, 1)).shape)
        (1, 8, 8, 3)
    """
    if draws is None:
        base, step = (int(v) for v in ops.convert_to_numpy(seed))
        draws = image_params.affine_draws(base, step, _geometric_groups(modifiers), images.shape[0])
    combined: dict = {}
    group = 0

    def resample(images):
        nonlocal group
        options = {"jitter": 0.0, "scale": 0.0, "degrees": 0.0, **combined}
        images = image_params.random_affine(images, draws[group], **options)
        group += 1
        return images

    for modifier in modifiers:
        if isinstance(modifier, InputModifier):
            for key, value in modifier.affine(images.shape[1]).items():
                combined[key] = combined.get(key, 0.0) + value
            continue
        if combined:
            images, combined = resample(images), {}
        images = modifier(images, seed)
    return resample(images) if combined else images


@dataclasses.dataclass(frozen=True)
class NormalizeGradient:
    """Gradient modifier: each image's gradient scaled to one L2 length (the keras.io example's step).

    keras.io takes steps of a fixed length on 180x180x3 images; the length
    here grows with the square root of the pixel count (``reference_pixels``
    gives length 1), so the step per pixel stays the same at any size.

    Example:
        >>> g = NormalizeGradient(reference_pixels=4)(np.ones((2, 2, 2, 1), "float32"), batch_axis=0)
        >>> [round(float(np.linalg.norm(ops.convert_to_numpy(g)[i])), 4) for i in range(2)]
        [1.0, 1.0]
    """

    reference_pixels: int = 180 * 180 * 3

    def __call__(self, gradient, batch_axis: int):
        axes = [a for a in range(len(gradient.shape)) if a != batch_axis]
        pixels = np.prod([gradient.shape[a] for a in axes])
        norm = ops.sqrt(ops.sum(ops.square(gradient), axis=axes, keepdims=True))
        return gradient / (norm + 1e-8) * math.sqrt(pixels / self.reference_pixels)


@dataclasses.dataclass(frozen=True)
class RMSNormalizeGradient:
    """Gradient modifier: each image's gradient divided by its root mean square (blog.keras.io's 2016 step).

    The blog's ``grads /= K.sqrt(K.mean(K.square(grads))) + 1e-5``: every
    step then moves the pixels by about ``learning_rate`` each, whatever the
    gradient's scale.

    Example:
        >>> g = RMSNormalizeGradient()(np.full((1, 2, 2, 1), 3.0, "float32"), batch_axis=0)
        >>> np.round(ops.convert_to_numpy(g).ravel(), 4).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __call__(self, gradient, batch_axis: int):
        axes = [a for a in range(len(gradient.shape)) if a != batch_axis]
        return gradient / (ops.sqrt(ops.mean(ops.square(gradient), axis=axes, keepdims=True)) + 1e-5)


PARAMETRIZATIONS = {"fourier": image_params.FourierImage, "pixel": image_params.PixelImage}


@dataclasses.dataclass(frozen=True)
class Preset:
    """One visualization recipe: a parametrization, a Keras optimizer and lists of modifiers; see :data:`PRESETS`.

    Example:
        >>> quiet = dataclasses.replace(PRESETS["lucid"], input_modifiers=(Jitter(1 / 32),))
        >>> [type(m).__name__ for m in quiet.input_modifiers]
        ['Jitter']
    """

    parametrization: str  # a key of PARAMETRIZATIONS
    optimizer: Callable[..., keras.optimizers.Optimizer]  # called with learning_rate=...
    steps: int
    learning_rate: float
    size: int  # image side when the model accepts any size
    min_size: int  # smaller fixed inputs (28x28 MNIST) are optimized at a multiple of their size, then resized
    input_modifiers: tuple = ()
    gradient_modifiers: tuple = ()
    border: int = 0  # activation-map pixels ignored at each side
    display_crop: float = 0.0  # fraction of each side cropped when shown
    standardize_display: bool = False  # deprocess as keras.io and the blog do: centre, scale to display_std, clip
    display_std: float = 0.15  # keras.io's; the blog's is 0.1
    start_grey: float = 0.5  # a pixel image starts at this grey, plus uniform noise of start_noise's width
    start_noise: float = 0.125

    def __post_init__(self):
        if self.parametrization not in PARAMETRIZATIONS:
            raise InvalidInputError(
                f"unknown parametrization {self.parametrization!r}; choose one of {sorted(PARAMETRIZATIONS)}"
            )


PRESETS = {
    "lucid": Preset(
        "fourier",
        keras.optimizers.Adam,
        steps=256,
        learning_rate=0.05,
        size=128,
        min_size=96,
        input_modifiers=(Jitter(1 / 16), Scale(0.1), Rotate(10.0)),
    ),
    # blog.keras.io (2016), r003's method: start at 128 + uniform(0, 20) grey levels, 20 steps of one grey level
    # (learning rate 1/255 on [0, 1] pixels) along the RMS-normalized gradient, at 128x128 when the model takes any
    # size and at the model's own size otherwise; shown standardized to std 0.1.
    "keras_blog": Preset(
        "pixel",
        keras.optimizers.SGD,
        steps=20,
        learning_rate=1 / 255,
        size=128,
        min_size=0,
        gradient_modifiers=(RMSNormalizeGradient(),),
        standardize_display=True,
        display_std=0.1,
        start_grey=138 / 255,
        start_noise=20 / 255,
    ),
    # keras.io: 180x180, lr 10 in ResNet50V2's [-1, 1] range, i.e. 5 in [0, 1] at 180x180x3 pixels.
    "keras_io": Preset(
        "pixel",
        keras.optimizers.SGD,
        steps=30,
        learning_rate=5.0,
        size=180,
        min_size=96,
        gradient_modifiers=(NormalizeGradient(),),
        border=2,
        display_crop=25 / 180,
        standardize_display=True,
    ),
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
    # What the ascent used, as an experiment's JSON records it: model, preset, planned steps, number of targets.
    settings: dict = dataclasses.field(default_factory=dict)

    def summary(self) -> dict:
        """JSON-ready numbers (no pixels)."""
        return {
            "captions": self.captions,
            "initial": self.initial,
            "final": self.final,
            "inactive": self.inactive,
            "notes": self.notes,
            "preset": self.preset,
            "seconds": round(self.seconds, 2),
            "trace_mean": self.trace.mean(axis=1),
            "high_frequency_fraction": image_params.high_frequency_fraction(self.images),
        }


def total_variation(weight: float = 1e-3) -> Callable:
    """Regularizer: penalize differences between neighbouring pixels (smoother images).

    Example:
        >>> vis = visualize(model, objective, regularizers=[total_variation(1e-3)])  # doctest: +SKIP
    """

    def penalty(image):
        return weight * (
            ops.sum(ops.abs(image[:, 1:] - image[:, :-1])) + ops.sum(ops.abs(image[:, :, 1:] - image[:, :, :-1]))
        )

    return penalty


def l2_norm(weight: float = 1e-3) -> Callable:
    """Regularizer: penalize distance from mid grey (keeps colours from saturating).

    Example:
        >>> vis = visualize(model, objective, regularizers=[l2_norm(1e-2)])  # doctest: +SKIP
    """
    return lambda image: weight * ops.sum(ops.square(image - 0.5))


class AscentCallback:
    """Hooks into one :func:`visualize` call; override the ones you need.

    ``on_begin(steps, scores)`` before the first step, ``on_step(step, scores,
    images)`` after each (``images`` are the [0, 1] images as shown, or None
    unless the class sets ``needs_images = True``: they cost a copy per
    step), ``on_end(vis)`` with the finished :class:`Visualization`.

    Example:
        >>> class Best(AscentCallback):
        ...     def on_step(self, step, scores, images):
        ...         self.best = float(np.max(scores))
    """

    needs_images = False

    def on_begin(self, steps: int, scores: np.ndarray) -> None:
        pass

    def on_step(self, step: int, scores: np.ndarray, images: np.ndarray | None) -> None:
        pass

    def on_end(self, vis: Visualization) -> None:
        pass


class PrintProgress(AscentCallback):
    """Print the mean objective ``every`` steps (by default ten times per run).

    Example:
        >>> progress = PrintProgress(every=5)
        >>> progress.on_begin(10, np.array([0.5]))
        >>> progress.on_step(5, np.array([1.0, 3.0]), None)
        step 5/10: mean objective 2.0000
    """

    def __init__(self, every: int | None = None):
        self.every, self.steps = every, 0

    def on_begin(self, steps: int, scores: np.ndarray) -> None:
        self.steps = steps
        self.every = self.every or max(1, steps // 10)

    def on_step(self, step: int, scores: np.ndarray, images) -> None:
        if step % self.every == 0 or step == self.steps:
            print(f"step {step}/{self.steps}: mean objective {float(np.mean(scores)):.4f}", flush=True)


class _ProgressWhenLong(AscentCallback):
    """What :func:`visualize` adds when no :class:`PrintProgress` is given: a line now and then, if the ascent is long."""

    def __init__(self, images: int):
        self.images, self.progress = images, None

    def on_begin(self, steps: int, scores: np.ndarray) -> None:
        self.progress = Progress(f"gradient ascent of {self.images} image(s)", steps)

    def on_step(self, step: int, scores: np.ndarray, images) -> None:
        self.progress.update(step, f"mean objective {float(np.mean(scores)):.4f}")

    def on_end(self, vis) -> None:
        self.progress.finish()


class Snapshots(AscentCallback):
    """Keep the images every ``every`` steps in ``frames``: an animation of the ascent in a few lines.

    Example:
        >>> snapshots = Snapshots(every=8)
        >>> vis = visualize(model, objective, callbacks=[snapshots])  # doctest: +SKIP
        >>> imageio.mimsave("ascent.gif", [(f[0] * 255).astype("uint8") for f in snapshots.frames])  # doctest: +SKIP
    """

    needs_images = True

    def __init__(self, every: int = 8):
        self.every, self.frames = every, []

    def on_step(self, step: int, scores: np.ndarray, images) -> None:
        if step % self.every == 0:
            self.frames.append(images)


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
        raise InvalidInputError(
            f"start image must be (H, W, {channels}) or ({n}, H, W, {channels}) in [0, 1], got {start.shape}"
        )
    return image_params.resize(start, side)


def _display(image, preset: Preset) -> np.ndarray:
    image = np.asarray(ops.convert_to_numpy(image), "float32")
    if preset.standardize_display:
        image = image - image.mean(axis=(1, 2, 3), keepdims=True)
        image = image / (image.std(axis=(1, 2, 3), keepdims=True) + 1e-5) * preset.display_std + 0.5
    if preset.display_crop:
        cy, cx = int(round(image.shape[1] * preset.display_crop)), int(round(image.shape[2] * preset.display_crop))
        image = image[:, cy : image.shape[1] - cy, cx : image.shape[2] - cx]
    return np.clip(image, 0.0, 1.0)


def _gradient_function(loss_and_scores: Callable) -> Callable:
    """``f(value, *args) -> (loss, scores)`` to ``g(value, *args) -> (d loss / d value, scores)`` on the active backend.

    The one place where the backends differ: TensorFlow's tape (the caller
    compiles the whole step with ``tf.function``), ``jax.grad`` of the
    stateless function (jitted), and torch autograd.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        def gradient(value, *args):
            with tf.GradientTape() as tape:
                tape.watch(value)
                loss, scores = loss_and_scores(value, *args)
            return tape.gradient(loss, value), scores

        return gradient
    if backend == "jax":
        import jax

        return jax.jit(jax.grad(loss_and_scores, has_aux=True))
    if backend == "torch":
        import torch

        def gradient(value, *args):
            value = value.detach().requires_grad_(True)
            loss, scores = loss_and_scores(value, *args)
            (grad,) = torch.autograd.grad(loss, value)
            return grad, scores.detach()

        return gradient
    raise InvalidInputError(f"gradient ascent runs on the tensorflow, jax and torch backends, not {backend!r}")


def visualize(
    model: keras.Model,
    objective: Objective,
    *,
    preset: str | Preset = "lucid",
    steps: int | None = None,
    learning_rate: float | None = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    input_modifiers: Sequence[Callable] | None = None,
    size=None,
    start=None,
    seed: int = 0,
    input_range=(0.0, 1.0),
    preprocess: Callable | None = None,
    regularizers: Sequence[Callable] = (),
    callbacks: Sequence[AscentCallback] = (),
    max_steps: int | None = None,
    progress: bool = True,
) -> Visualization:
    """Optimize one image per target of ``objective`` together, as one batch, and return them.

    ``max_steps`` caps the steps whatever the preset says (a smoke run's cap:
    ``session.ascent_budget``); the returned ``settings`` keep the planned ones.
    Without a :class:`PrintProgress` callback, a long ascent prints a line now
    and then, unless ``progress=False``.

    ``input_range`` is the pixel range the model expects (``(0, 255)`` for a
    model with its own Rescaling layer); or pass ``preprocess`` (e.g.
    ``keras.applications.resnet_v2.preprocess_input``), which receives pixels
    in [0, 255]. A model ending in softmax or sigmoid is climbed on its logits
    (a note says so). ``start`` is a [0, 1] image to start from instead of
    noise. ``optimizer`` (a fresh Keras optimizer) and ``input_modifiers``
    replace the preset's. The same ``seed`` gives the same images.

    Example:
        >>> from practicas.gradient_ascent import filters, visualize
        >>> vis = visualize(model, filters("conv1", range(10)), steps=64,
        ...                 input_modifiers=[Jitter(0.05)], callbacks=[PrintProgress()])  # doctest: +SKIP
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
    for callback in callbacks:
        if not isinstance(callback, AscentCallback):
            raise InvalidInputError(f"callback {callback!r} is not an AscentCallback: subclass it and override on_step")
    if progress and not any(isinstance(callback, PrintProgress) for callback in callbacks):
        callbacks = [*callbacks, _ProgressWhenLong(len(objective))]  # silent unless it takes more than a few seconds
    steps = preset.steps if steps is None else int(steps)
    learning_rate = preset.learning_rate if learning_rate is None else learning_rate
    input_modifiers = list(preset.input_modifiers if input_modifiers is None else input_modifiers)
    settings = {"model": model.name, "preset": preset_name, "steps": steps, "targets": len(objective)}
    if max_steps is not None:
        steps = min(steps, int(max_steps))
    objective = objective if objective.border else objective.with_border(preset.border)
    # Climb float32 computations whatever policy the network was trained under (a GPU run's mixed_float16).
    extractor = objective.build(modeling.float32_model(model))
    notes = list(extractor.notes)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    side, model_size, channels = _image_size(extractor.model, preset, size)
    n = len(objective)
    shape = (n, *side, channels)
    start_images = _start_images(start, n, side, channels)
    options = {}
    if preset.parametrization == "fourier" and model_size is not None and tuple(side) != tuple(model_size):
        options["max_frequency"] = 0.5 * min(model_size[0] / side[0], model_size[1] / side[1])
    if preset.parametrization == "pixel":
        options.update(grey=preset.start_grey, noise=preset.start_noise)
    param = PARAMETRIZATIONS[preset.parametrization](shape, seed=seed, start=start_images, **options)
    signs = ops.convert_to_tensor(objective.signs)
    optimizer = optimizer or preset.optimizer(learning_rate=learning_rate)
    optimizer.build([param.variable])
    batch_axis = 1 if preset.parametrization == "fourier" else 0
    groups = _geometric_groups(input_modifiers)

    def model_view(image, step_seed=None, draws=None):
        if step_seed is not None:
            image = apply_input_modifiers(input_modifiers, image, step_seed, draws)
        if model_size is not None:
            image = image_params.resize(image, model_size)
        return to_model_input(image, input_range, preprocess)

    def score(value):
        return ops.convert_to_numpy(objective.scores(extractor, model_view(param.image(value)))[0])

    def loss_and_scores(value, draws, step_seed):
        image = param.image(value)
        scores, surrogate = objective.scores(extractor, model_view(image, step_seed, draws))
        loss = -ops.sum(signs * surrogate)
        for regularizer in regularizers:
            loss += regularizer(image)
        return loss, scores

    gradient_of = _gradient_function(loss_and_scores)

    def ascent_step(draws, step_seed):
        gradient, scores = gradient_of(param.variable.value, draws, step_seed)
        for modifier in preset.gradient_modifiers:
            gradient = modifier(gradient, batch_axis=batch_axis)
        optimizer.apply_gradients([(gradient, param.variable)])
        return scores

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # The whole step as one graph (jax jits the gradient itself); its Python loops are over fixed lists.
        ascent_step = tf.function(ascent_step, autograph=False)

    started = time.perf_counter()
    initial = score(None)
    for callback in callbacks:
        callback.on_begin(steps, initial)
    wants_images = any(callback.needs_images for callback in callbacks)
    trace = np.zeros((steps, n), "float32")
    for step in range(steps):
        draws = image_params.affine_draws(seed, step, groups, n)
        scores = ascent_step(ops.convert_to_tensor(draws), ops.convert_to_tensor(np.array([seed, step], "int32")))
        trace[step] = ops.convert_to_numpy(scores)
        shown = _display(param.image(), preset) if wants_images else None
        for callback in callbacks:
            callback.on_step(step + 1, trace[step], shown)
    final_image = param.image()
    final = score(None)
    inactive = [
        i for i in range(n) if np.all(np.abs(trace[:, i]) < 1e-7) and abs(final[i]) < 1e-7 and abs(initial[i]) < 1e-7
    ]
    if inactive:
        notes.append(f"{len(inactive)} target(s) never activated: {[objective.captions[i] for i in inactive]}")
    vis = Visualization(
        images=_display(final_image, preset),
        captions=objective.captions,
        trace=trace,
        initial=initial,
        final=final,
        inactive=inactive,
        notes=notes,
        preset=preset_name,
        seconds=time.perf_counter() - started,
        settings=settings,
    )
    for callback in callbacks:
        callback.on_end(vis)
    return vis


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
    panels = [
        None if i in inactive else (np.asarray(img) * 255).round().astype("uint8") for i, img in enumerate(images)
    ]
    captions = [c + ("\n(never activates)" if i in inactive else "") for i, c in enumerate(captions)]
    return plots.plot_image_grid(panels, columns=columns, title=title, captions=captions)
