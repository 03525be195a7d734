"""How the optimized image is parametrized and perturbed: pixels or a decorrelated Fourier spectrum, plus jitter.

All images live in [0, 1] (N, H, W, C); the model's own input range is
applied afterwards (:func:`to_model_input`). The Fourier parametrization and
the colour decorrelation follow Lucid (Olah et al., "Feature Visualization",
Distill 2017): optimizing a spectrum scaled by 1/frequency, through a sigmoid,
makes steps in natural-image directions instead of per-pixel noise.

Everything here is ``keras.ops``, so it runs and differentiates on TensorFlow,
JAX and PyTorch alike; random starts come from NumPy, so one seed gives the
same start on every backend.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

# Square root of the colour correlation of ImageNet pixels (Lucid), column-normalized below.
COLOR_CORRELATION_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], "float32")
COLOR_DECORRELATION = COLOR_CORRELATION_SQRT / np.max(np.linalg.norm(COLOR_CORRELATION_SQRT, axis=0))


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), stream])


class PixelImage:
    """The image itself is the variable (the keras.io example): pixels in [0, 1], clipped when shown.

    Example:
        >>> param = PixelImage((2, 16, 16, 3), seed=0)
        >>> tuple(param.image().shape)
        (2, 16, 16, 3)
    """

    def __init__(self, shape, seed: int = 0, start=None, noise: float = 0.125, grey: float = 0.5):
        if start is not None:
            value = np.asarray(ops.convert_to_numpy(start), "float32")
        else:  # grey with faint noise: keras.io's start is (uniform - 0.5) * 0.25 in a [-1, 1] range
            value = (grey + noise * (_rng(seed, 17).uniform(size=shape) - 0.5)).astype("float32")
        self.variable = keras.Variable(value, name="pixels")

    def image(self, value=None):
        """The [0, 1] images; ``value`` stands in for the variable (a backend's gradient function passes it)."""
        return self.variable.value if value is None else value


def _inverse_dft_matrices(height: int, width: int):
    """Real matrices that compute ``irfft2d`` as two matrix products (the same numbers on every backend).

    Rows: the complex inverse DFT along the height (cos and sin parts) and the
    real inverse DFT along the width, with irfft's weights (1 for the DC and
    Nyquist columns, 2 for the others, which stand for their mirror images).
    """
    m = np.arange(height)
    angle_h = 2 * np.pi * np.outer(m, m) / height  # (frequency, y)
    cos_h, sin_h = np.cos(angle_h) / height, np.sin(angle_h) / height
    k = np.arange(width // 2 + 1)
    weight = np.where((k == 0) | ((width % 2 == 0) & (k == width // 2)), 1.0, 2.0)[:, None]
    angle_w = 2 * np.pi * np.outer(k, np.arange(width)) / width  # (frequency, x)
    cos_w, sin_w = weight * np.cos(angle_w) / width, weight * np.sin(angle_w) / width
    return [a.astype("float32") for a in (cos_h, sin_h, cos_w, sin_w)]


def irfft2d(real, imag, matrices):
    """``irfft2d`` of the spectrum ``real + i imag`` (..., H, W // 2 + 1) with :func:`_inverse_dft_matrices`.

    Example:
        >>> spectrum = np.fft.rfft2(np.arange(24.0).reshape(4, 6))
        >>> out = irfft2d(spectrum.real.astype("float32"), spectrum.imag.astype("float32"), _inverse_dft_matrices(4, 6))
        >>> np.allclose(ops.convert_to_numpy(out), np.arange(24.0).reshape(4, 6), atol=1e-4)
        True
    """
    cos_h, sin_h, cos_w, sin_w = (ops.convert_to_tensor(m) for m in matrices)
    # Along the height: Y = sum_m X[m] exp(+2 pi i m y / H) / H.
    # (The matrices are symmetric in m and y, so cos_h @ X sums over m.)
    y_real = ops.matmul(cos_h, real) - ops.matmul(sin_h, imag)
    y_imag = ops.matmul(sin_h, real) + ops.matmul(cos_h, imag)
    # Along the width, a real signal: x = sum_k w_k (Re Y_k cos - Im Y_k sin) / W.
    return ops.matmul(y_real, cos_w) - ops.matmul(y_imag, sin_w)


class FourierImage:
    """A per-channel spectrum scaled by 1/frequency, decorrelated into RGB and squashed by a sigmoid (Lucid).

    Example:
        >>> param = FourierImage((2, 32, 32, 3), seed=0)
        >>> float(ops.min(param.image())) >= 0.0
        True
    """

    def __init__(
        self,
        shape,
        seed: int = 0,
        start=None,
        std: float = 0.01,
        decay_power: float = 1.0,
        max_frequency: float | None = None,
    ):
        n, height, width, channels = shape
        self.size, self.channels = (height, width), channels
        fy = np.fft.fftfreq(height)[:, None]
        fx = np.fft.rfftfreq(width)[None, :]
        frequencies = np.sqrt(fx * fx + fy * fy)
        # sqrt(h*w) makes the transform unitary, so one learning rate suits every image size.
        scale = np.sqrt(height * width) / np.maximum(frequencies, 1.0 / max(height, width)) ** decay_power
        # An image optimized k times larger than the model's input is seen through a k-fold downsample:
        # frequencies above 0.5 / k get no gradient and would drift into speckle, so they are left out.
        if max_frequency is not None:
            scale = np.where(frequencies <= max_frequency, scale, 0.0)
        self.scale = scale.astype("float32")
        self.matrices = _inverse_dft_matrices(height, width)
        spectrum_shape = (2, n, channels, height, width // 2 + 1)
        if start is not None:
            value = self._spectrum_of(np.asarray(ops.convert_to_numpy(start), "float32"))
        else:
            value = std * _rng(seed, 23).standard_normal(spectrum_shape)
        self.variable = keras.Variable(value.astype("float32"), name="spectrum")

    def _colour(self, spatial):
        if self.channels != 3:
            return spatial
        return ops.einsum("nhwc,dc->nhwd", spatial, ops.convert_to_tensor(COLOR_DECORRELATION))

    def image(self, value=None):
        """The [0, 1] images; ``value`` stands in for the variable (a backend's gradient function passes it)."""
        value = self.variable.value if value is None else value
        scale = ops.convert_to_tensor(self.scale)
        spatial = irfft2d(value[0] * scale, value[1] * scale, self.matrices) / 4.0  # Lucid's 4: a sensible contrast
        return ops.sigmoid(self._colour(ops.transpose(spatial, (0, 2, 3, 1))))

    def _spectrum_of(self, image: np.ndarray) -> np.ndarray:
        clipped = np.clip(image, 1e-4, 1 - 1e-4)
        logit = np.log(clipped) - np.log1p(-clipped)
        if self.channels == 3:
            logit = np.einsum("nhwd,dc->nhwc", logit, np.linalg.inv(COLOR_DECORRELATION).T)
        spectrum = np.fft.rfft2(np.transpose(logit, (0, 3, 1, 2)) * 4.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            spectrum = np.where(self.scale > 0, spectrum / np.where(self.scale > 0, self.scale, 1.0), 0.0)
        return np.stack([spectrum.real, spectrum.imag])


def _bilinear_sample(images, ys, xs):
    """Sample ``images`` (N, H, W, C) at real coordinates (N, H', W') with reflection at the borders."""
    n, height, width, channels = images.shape

    def reflect(v, size):
        period = 2.0 * (size - 1)
        v = v - period * ops.floor(v / period)
        return ops.where(v > size - 1, period - v, v)

    ys, xs = reflect(ys, height), reflect(xs, width)
    y0, x0 = ops.floor(ys), ops.floor(xs)
    wy, wx = (ys - y0)[..., None], (xs - x0)[..., None]
    y0, x0 = ops.cast(y0, "int32"), ops.cast(x0, "int32")
    y1, x1 = ops.minimum(y0 + 1, height - 1), ops.minimum(x0 + 1, width - 1)
    flat = ops.reshape(images, (n * height * width, channels))
    offset = ops.reshape(ops.arange(n, dtype="int32") * (height * width), (n, 1, 1))

    def at(y, x):
        return ops.take(flat, offset + y * width + x, axis=0)

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return top * (1 - wy) + bottom * wy


def affine_draws(seed: int, step: int, groups: int, n: int) -> np.ndarray:
    """The uniform numbers in [-1, 1] of step ``step``'s random transforms: (groups, N, 4), from NumPy.

    Example:
        >>> affine_draws(0, 3, groups=1, n=2).shape
        (1, 2, 4)
    """
    return _rng(seed, 1_000_003 + int(step)).uniform(-1.0, 1.0, (groups, n, 4)).astype("float32")


def random_affine(images, draws, *, jitter: float, scale: float, degrees: float):
    """One random shift, scale and rotation per image, bilinear and differentiable (transformation robustness).

    ``draws`` (N, 4) are uniform numbers in [-1, 1] (:func:`affine_draws`).
    ``keras.ops.image.affine_transform`` has no gradient with respect to the
    image in TensorFlow, so the sampling is written with ``take``.

    Example:
        >>> out = random_affine(np.zeros((2, 8, 8, 3), "float32"), affine_draws(0, 0, 1, 2)[0], jitter=2, scale=0.1, degrees=10)
        >>> tuple(out.shape)
        (2, 8, 8, 3)
    """
    height, width = images.shape[1], images.shape[2]
    draws = ops.convert_to_tensor(draws, "float32")
    angle = draws[:, 0] * degrees * math.pi / 180.0
    zoom = 1.0 + draws[:, 1] * scale
    shift_y, shift_x = draws[:, 2] * jitter, draws[:, 3] * jitter
    grid_y, grid_x = (
        ops.convert_to_tensor(g)
        for g in np.meshgrid(
            np.arange(height, dtype="float32") - (height - 1) / 2,
            np.arange(width, dtype="float32") - (width - 1) / 2,
            indexing="ij",
        )
    )
    cos, sin = (ops.cos(angle) / zoom)[:, None, None], (ops.sin(angle) / zoom)[:, None, None]
    source_y = cos * grid_y[None] - sin * grid_x[None] + (height - 1) / 2 + shift_y[:, None, None]
    source_x = sin * grid_y[None] + cos * grid_x[None] + (width - 1) / 2 + shift_x[:, None, None]
    return _bilinear_sample(images, source_y, source_x)


def resize(images, size):
    """Antialiased resize (the model sees a clean downsample of a larger optimized image)."""
    if tuple(images.shape[1:3]) == tuple(size):
        return images
    return ops.image.resize(images, tuple(size), interpolation="bilinear", antialias=True)


def high_frequency_fraction(images) -> np.ndarray:
    """Per image, the fraction of spectral power (mean removed) above half the Nyquist frequency.

    A measure of noise: natural images put little power there; pixel-space
    gradient ascent puts a lot.

    Example:
        >>> wave = np.sin(np.linspace(0, 2 * np.pi, 32, endpoint=False))  # one period: the FFT sees no edge
        >>> smooth = np.tile(wave[None, :, None, None], (1, 32, 1, 3))
        >>> noise = np.random.default_rng(0).uniform(size=(1, 32, 32, 3))
        >>> float(high_frequency_fraction(smooth)[0]) < 0.05 < 0.7 < float(high_frequency_fraction(noise)[0])
        True
    """
    images = np.asarray(images, "float64")
    images = images - images.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(images, axes=(1, 2))) ** 2
    fy = np.fft.fftfreq(images.shape[1])[:, None]
    fx = np.fft.fftfreq(images.shape[2])[None, :]
    high = (np.sqrt(fy**2 + fx**2) > 0.25)[None, :, :, None]  # Nyquist is 0.5 cycles per pixel
    total = power.sum(axis=(1, 2, 3))
    return np.where(total > 0, (power * high).sum(axis=(1, 2, 3)) / np.maximum(total, 1e-30), 0.0)
