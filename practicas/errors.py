"""Errors that practicas raises on bad input, each naming the problem and the expected form.

Every class also derives from the built-in exception a caller would catch
(``KeyError``, ``ValueError``, ``FileNotFoundError``...), so plain Python
handling keeps working.
"""

import pickle


class PracticasError(Exception):
    """Base class of every error practicas raises on purpose."""


class UnknownArtifactError(PracticasError, KeyError):
    """An artifact ID that is not in the catalogue.

    Example:
        >>> from practicas import registry
        >>> registry.get("r000-F99")  # doctest: +SKIP
        UnknownArtifactError: unknown artifact ID 'r000-F99'; closest: r000-F9, r000-F1
    """

    def __str__(self):  # KeyError would otherwise print the message in quotes
        return str(self.args[0]) if self.args else ""


class UnknownDatasetError(PracticasError, ValueError):
    """A dataset name that no loader knows."""


class DatasetNotFoundError(PracticasError, FileNotFoundError):
    """A dataset that is neither on disk nor downloadable right now."""


class DataFormatError(PracticasError, ValueError):
    """Data on disk that does not have the documented layout, keys or shapes."""


class UnsafePickleError(PracticasError, pickle.UnpicklingError):
    """A pickle that asks to build an object outside the allowed set (it could run code)."""


class InvalidInputError(PracticasError, ValueError):
    """Arrays of the wrong rank, shape or length for the function they were given to."""


class OutputDirError(PracticasError, OSError):
    """An output folder that cannot be created or written."""


class WeightsNotFoundError(PracticasError, FileNotFoundError):
    """Pretrained weights that are neither cached nor downloadable right now."""


class BackendError(PracticasError, RuntimeError):
    """A TensorFlow-only component (ImageDataGenerator, tensorflow_datasets) asked for under another Keras backend."""


def require_tensorflow(what: str):
    """The ``tensorflow`` module for ``what``, or a :class:`BackendError` that says which backend to use.

    Example:
        >>> tf = require_tensorflow("ImageDataGenerator")  # doctest: +SKIP
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise BackendError(
            f"{what} needs TensorFlow, and Keras runs on {backend!r}: run this with KERAS_BACKEND=tensorflow "
            "(the builders, practicas.pipelines.array_pipeline, training and gradient ascent run on every backend)"
        )
    import tensorflow

    return tensorflow
