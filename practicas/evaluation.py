"""Evaluation shared by every practical: metrics, confusions, features, t-SNE, best epoch, parameters."""

from __future__ import annotations

import keras
import numpy as np

from practicas import modeling
from practicas.errors import InvalidInputError


def check_model_input(model: keras.Model, images) -> np.ndarray:
    """Refuse images whose rank or channel count the model cannot take, naming both shapes.

    Example:
        >>> model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()])
        >>> check_model_input(model, np.zeros((2, 28, 28, 3)))  # doctest: +SKIP
        InvalidInputError: images of shape (2, 28, 28, 3) do not fit the model input (None, 28, 28, 1)
    """
    images = np.asarray(images)
    expected = tuple(model.inputs[0].shape)
    ok = images.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected[1:], images.shape[1:]))
    if not ok:
        raise InvalidInputError(f"images of shape {images.shape} do not fit the model input {expected}")
    return images


def predict_logits(model: keras.Model, images, batch_size: int = 256, progress: bool = True) -> np.ndarray:
    """Model outputs for ``images`` (logits for practicas' builders), as float32; a line now and then when it takes
    long, unless ``progress=False``.

    Example:
        >>> logits = predict_logits(model, x_test)  # doctest: +SKIP
    """
    from practicas.progress import PredictProgress

    progress = [PredictProgress(f"{model.name} predictions")] if progress else []
    if not isinstance(images, (np.ndarray, list, tuple)):  # a tf.data.Dataset or PyDataset batches itself
        return np.asarray(model.predict(images, verbose=0, callbacks=progress), dtype="float32")
    images = check_model_input(model, images)
    return np.asarray(model.predict(images, batch_size=batch_size, verbose=0, callbacks=progress), dtype="float32")


def predicted_classes(logits: np.ndarray) -> np.ndarray:
    """Class indices from logits; a single output column means a binary logit (> 0 is class 1).

    Example:
        >>> predicted_classes(np.array([[0.1, 2.0], [3.0, -1.0]])).tolist()
        [1, 0]
    """
    logits = np.asarray(logits)
    if logits.ndim == 2 and logits.shape[1] == 1:
        return (logits[:, 0] > 0).astype("int64")
    return logits.argmax(axis=-1)


def _check_pair(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if len(y_true) != len(y_pred):
        raise InvalidInputError(f"labels ({len(y_true)}) and predictions ({len(y_pred)}) have different lengths")
    return y_true.astype("int64"), y_pred.astype("int64")


def classification_metrics(y_true, y_pred, class_names=None) -> dict:
    """Accuracy, macro F1 and scikit-learn's per-class report.

    Example:
        >>> m = classification_metrics([0, 1, 1], [0, 1, 0])
        >>> round(m["accuracy"], 3), round(m["macro_f1"], 3)
        (0.667, 0.667)
    """
    from sklearn import metrics

    y_true, y_pred = _check_pair(y_true, y_pred)
    labels = list(range(len(class_names))) if class_names is not None else sorted(set(y_true) | set(y_pred))
    names = [str(c) for c in class_names] if class_names is not None else [str(c) for c in labels]
    report = metrics.classification_report(
        y_true, y_pred, labels=labels, target_names=names, output_dict=True, zero_division=0
    )
    return {
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "macro_f1": float(metrics.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "errors": int((y_true != y_pred).sum()),
        "per_class": {name: report[name] for name in names},
    }


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts with true classes in rows and predicted classes in columns.

    Example:
        >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
        [[1, 0], [1, 1]]
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    for name, values in (("labels", y_true), ("predictions", y_pred)):
        if len(values) and (values.min() < 0 or values.max() >= num_classes):
            raise InvalidInputError(f"{name} must lie in 0..{num_classes - 1}, found {values.min()}..{values.max()}")
    matrix = np.zeros((num_classes, num_classes), dtype="int64")
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def most_confused_pairs(matrix: np.ndarray, k: int = 3) -> list[dict]:
    """The ``k`` largest off-diagonal cells as ``{"true", "predicted", "count"}``, largest first.

    Example:
        >>> most_confused_pairs(np.array([[5, 2], [7, 1]]), k=1)
        [{'true': 1, 'predicted': 0, 'count': 7}]
    """
    off = np.asarray(matrix).copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:k]
    pairs = []
    for flat in order:
        t, p = np.unravel_index(flat, off.shape)
        if off[t, p] > 0:
            pairs.append({"true": int(t), "predicted": int(p), "count": int(off[t, p])})
    return pairs


def confused_examples(y_true, y_pred, pairs: list[dict], per_pair: int = 6) -> list[dict]:
    """Attach to each pair the indices of up to ``per_pair`` examples it counts.

    Example:
        >>> confused_examples([1, 1, 0], [0, 0, 0], [{"true": 1, "predicted": 0, "count": 2}], 1)[0]["indices"]
        [0]
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    return [
        {
            **pair,
            "indices": np.flatnonzero((y_true == pair["true"]) & (y_pred == pair["predicted"]))[:per_pair].tolist(),
        }
        for pair in pairs
    ]


def layer_features(model: keras.Model, layer_name: str, images, batch_size: int = 256) -> np.ndarray:
    """Outputs of the named layer for ``images``, flattened to one row per image.

    Example:
        >>> feats = layer_features(model, "flatten", x_val)  # doctest: +SKIP
    """
    extractor = modeling.layer_model(model, layer_name)
    features = predict_logits(extractor, images, batch_size=batch_size)
    return features.reshape(len(features), -1)


def tsne_embedding(
    features, *, seed: int = 0, perplexity: float = 30.0, pca_components: int = 50, fft_from_points: int = 10_000
) -> np.ndarray:
    """2-D t-SNE of ``features`` with openTSNE, after PCA to 50 dimensions.

    PCA first is the standard t-SNE recipe (van der Maaten): it removes noise
    dimensions and makes the neighbour search cheap. From ``fft_from_points``
    points on (the reports' 10,000 test images) the gradient is openTSNE's
    FFT interpolation, with a grid of two intervals per box and 250
    iterations after the 250 early-exaggeration ones: on 10,000 x 128
    features that is 3x faster than openTSNE's defaults at the same
    trustworthiness (0.9936; scikit-learn's defaults: 0.9935), as
    ``bench/tsne.py`` measures. Below it, Barnes-Hut (openTSNE's own rule for
    fewer than 10,000 points): the FFT grid costs the same however few the
    points, 8.6 s for r000-F10's 200 on this project's CPU against 0.6 s with
    Barnes-Hut (1,000 points: 5.3 s against 1.7 s).

    Example:
        >>> emb = tsne_embedding(np.random.rand(200, 64), seed=0)
        >>> emb.shape
        (200, 2)
    """
    from openTSNE import TSNE
    from sklearn.decomposition import PCA

    features = np.asarray(features, dtype="float32").reshape(len(features), -1)
    if len(features) < 5:
        raise InvalidInputError(f"t-SNE needs at least 5 samples, got {len(features)}")
    if features.shape[1] > pca_components and len(features) > pca_components:
        features = PCA(pca_components, random_state=seed).fit_transform(features)
    perplexity = min(perplexity, (len(features) - 1) / 3)
    embedding = TSNE(
        n_components=2,
        perplexity=perplexity,
        random_state=seed,
        n_jobs=-1,
        initialization="pca",
        neighbors="annoy",
        negative_gradient_method="bh" if len(features) < fft_from_points else "fft",
        ints_in_interval=2,  # read by the FFT gradient only
        early_exaggeration_iter=250,
        n_iter=250,
        verbose=False,
    ).fit(features)
    return np.asarray(embedding, dtype="float32")


def best_epoch(history, monitor: str = "val_accuracy", mode: str = "max") -> tuple[int, float]:
    """The 1-based epoch with the best ``monitor`` value, and that value (r000-T3, r000-T5).

    Example:
        >>> best_epoch({"val_accuracy": [0.5, 0.9, 0.8]})
        (2, 0.9)
    """
    values = getattr(history, "history", history)[monitor]
    if not values:
        raise InvalidInputError(f"history has no values for {monitor!r}")
    index = int(np.nanargmax(values) if mode == "max" else np.nanargmin(values))
    return index + 1, float(values[index])


def parameter_counts(model: keras.Model) -> dict[str, int]:
    """``{total, trainable, non_trainable}`` as ``model.summary()`` prints them.

    Example:
        >>> parameter_counts(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
        {'total': 8, 'trainable': 8, 'non_trainable': 0}
    """
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


def layer_table(model: keras.Model) -> list[dict]:
    """One row per layer: name, type, output shape (without batch) and parameter count.

    Example:
        >>> layer_table(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="fc")]))
        [{'name': 'fc', 'type': 'Dense', 'output_shape': [2], 'params': 8}]
    """
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape = layer.output.shape if hasattr(layer, "output") else None
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(shape[1:]) if shape is not None else None,
                "params": int(layer.count_params()),
            }
        )
    return rows


def history_dict(history) -> dict[str, list]:
    """Plain ``{metric: [values]}`` from a History or a dict (what the JSON files store)."""
    source = getattr(history, "history", history)
    return {k: [float(v) for v in vals] for k, vals in source.items()}


def _stopped_epoch(history) -> int:
    index = int(getattr(history, "stopped_epoch", 0))
    return index + 1 if index else 0


def run_summary(result: dict, model_name: str) -> dict:
    """The JSON-ready numbers of a training run: history, best epoch, test metrics, parameters."""
    history = history_dict(result["history"])
    epoch, value = best_epoch(history)
    metrics = {k: v for k, v in result["metrics"].items() if k != "per_class"}
    return {
        "model": model_name,
        "history": history,
        "best_epoch": epoch,
        "metrics": {**metrics, "test_accuracy": metrics["accuracy"], "best_val_accuracy": value},
        "params": parameter_counts(result["model"]),
        # 1-based, the epoch Keras names when it stops ("Epoch 57: early stopping", r001's number); Keras's own
        # stopped_epoch is its 0-based index, and 0 when nothing stopped.
        "stopped_epoch": _stopped_epoch(result["history"]),
    }


def layer_table_data(model, **extra) -> dict:
    """What a parameter-table artifact returns: the counts and the layer rows of ``model``, plus ``extra``.

    Example:
        >>> layer_table_data(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), note="report: 8")["layer_rows"]
        1
    """
    layers = layer_table(model)
    return {"params": parameter_counts(model), "layers": layers, "layer_rows": len(layers), **extra}
