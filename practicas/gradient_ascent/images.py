"""How the optimized image is parametrized and perturbed: pixels or a decorrelated Fourier spectrum, plus jitter.

All images live in [0, 1] (N, H, W, C); the model's own input range is
applied afterwards (:func:`to_model_input`). The Fourier parametrization and
the colour decorrelation follow Lucid (Olah et al., "Feature Visualization",
Distill 2017): optimizing a spectrum scaled by 1/frequency, through a sigmoid,
makes steps in natural-image directions instead of per-pixel noise.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

# Square root of the colour correlation of ImageNet pixels (Lucid), column-normalized below.
COLOR_CORRELATION_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], "float32")
COLOR_DECORRELATION = COLOR_CORRELATION_SQRT / np.max(np.linalg.norm(COLOR_CORRELATION_SQRT, axis=0))


class PixelImage:
    """The image itself is the variable (the keras.io example): pixels in [0, 1], clipped when shown.

    Example:
        >>> param = PixelImage((2, 16, 16, 3), seed=0)
        >>> param.image().shape
        TensorShape([2, 16, 16, 3])
    """

    def __init__(self, shape, seed: int = 0, start=None, noise: float = 0.125):
        if start is not None:
            value = tf.convert_to_tensor(start, tf.float32)
        else:  # grey with faint noise, the keras.io start ((uniform - 0.5) * 0.25 in a [-1, 1] range)
            value = 0.5 + noise * (tf.random.stateless_uniform(shape, (seed, 17)) - 0.5)
        self.variable = tf.Variable(value, name="pixels")

    def image(self):
        return self.variable


class FourierImage:
    """A per-channel spectrum scaled by 1/frequency, decorrelated into RGB and squashed by a sigmoid (Lucid).

    Example:
        >>> param = FourierImage((2, 32, 32, 3), seed=0)
        >>> float(tf.reduce_min(param.image())) >= 0.0
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
        self.scale = tf.constant(scale, tf.complex64)
        spectrum_shape = (2, n, channels, height, width // 2 + 1)
        if start is not None:
            value = self._spectrum_of(tf.convert_to_tensor(start, tf.float32))
        else:
            value = std * tf.random.stateless_normal(spectrum_shape, (seed, 23))
        self.variable = tf.Variable(value, name="spectrum")

    def _colour(self, spatial):
        if self.channels != 3:
            return spatial
        return tf.einsum("nhwc,dc->nhwd", spatial, COLOR_DECORRELATION)

    def image(self):
        spectrum = tf.complex(self.variable[0], self.variable[1]) * self.scale
        spatial = tf.signal.irfft2d(spectrum, fft_length=self.size) / 4.0  # Lucid's 4: a sensible initial contrast
        return tf.sigmoid(self._colour(tf.transpose(spatial, (0, 2, 3, 1))))

    def _spectrum_of(self, image):
        logit = tf.math.log(tf.clip_by_value(image, 1e-4, 1 - 1e-4)) - tf.math.log1p(
            -tf.clip_by_value(image, 1e-4, 1 - 1e-4)
        )
        if self.channels == 3:
            logit = tf.einsum("nhwd,dc->nhwc", logit, np.linalg.inv(COLOR_DECORRELATION).T.astype("float32"))
        spectrum = tf.math.divide_no_nan(tf.signal.rfft2d(tf.transpose(logit, (0, 3, 1, 2)) * 4.0), self.scale)
        return tf.stack([tf.math.real(spectrum), tf.math.imag(spectrum)])


def _bilinear_sample(images, ys, xs):
    """Sample ``images`` (N, H, W, C) at real coordinates (N, H', W') with reflection at the borders."""
    height, width = images.shape[1], images.shape[2]

    def reflect(v, size):
        period = 2.0 * (size - 1)
        v = tf.math.floormod(v, period)
        return tf.where(v > size - 1, period - v, v)

    ys, xs = reflect(ys, height), reflect(xs, width)
    y0, x0 = tf.floor(ys), tf.floor(xs)
    wy, wx = (ys - y0)[..., None], (xs - x0)[..., None]
    y0, x0 = tf.cast(y0, tf.int32), tf.cast(x0, tf.int32)
    y1, x1 = tf.minimum(y0 + 1, height - 1), tf.minimum(x0 + 1, width - 1)

    def at(y, x):
        return tf.gather_nd(images, tf.stack([y, x], axis=-1), batch_dims=1)

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return top * (1 - wy) + bottom * wy


def random_affine(images, seed, *, jitter: float, scale: float, degrees: float):
    """One random shift, scale and rotation per image, bilinear and differentiable (transformation robustness).

    ``keras.ops.image.affine_transform`` has no gradient with respect to the
    image in TensorFlow, so the sampling is written with ``gather_nd``.

    Example:
        >>> out = random_affine(tf.zeros((2, 8, 8, 3)), (0, 1), jitter=2, scale=0.1, degrees=10)
        >>> out.shape
        TensorShape([2, 8, 8, 3])
    """
    n, height, width = images.shape[0], images.shape[1], images.shape[2]
    u = tf.random.stateless_uniform((n, 4), seed, -1.0, 1.0)
    angle = u[:, 0] * degrees * math.pi / 180.0
    zoom = 1.0 + u[:, 1] * scale
    shift_y, shift_x = u[:, 2] * jitter, u[:, 3] * jitter
    ys, xs = tf.meshgrid(
        tf.range(height, dtype=tf.float32) - (height - 1) / 2,
        tf.range(width, dtype=tf.float32) - (width - 1) / 2,
        indexing="ij",
    )
    cos, sin = (tf.cos(angle) / zoom)[:, None, None], (tf.sin(angle) / zoom)[:, None, None]
    source_y = cos * ys[None] - sin * xs[None] + (height - 1) / 2 + shift_y[:, None, None]
    source_x = sin * ys[None] + cos * xs[None] + (width - 1) / 2 + shift_x[:, None, None]
    return _bilinear_sample(images, source_y, source_x)


def resize(images, size):
    """Antialiased resize (the model sees a clean downsample of a larger optimized image)."""
    if tuple(images.shape[1:3]) == tuple(size):
        return images
    return tf.image.resize(images, size, method="bilinear", antialias=True)


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
