import keras
import numpy as np
import pytest
from sklearn import metrics as skm

from practicas import evaluation, plots, writing
from practicas.errors import InvalidInputError


def test_confusion_matrix_sums_to_samples_and_top_pairs_match_hand_example():
    y_true = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]
    y_pred = [0, 1, 1, 1, 0, 2, 3, 3, 3, 3]
    cm = evaluation.confusion_matrix(y_true, y_pred, 4)
    assert cm.sum() == 10
    np.testing.assert_array_equal(cm, skm.confusion_matrix(y_true, y_pred, labels=range(4)))
    pairs = evaluation.most_confused_pairs(cm, k=2)
    assert pairs == [{"true": 2, "predicted": 3, "count": 3}, {"true": 0, "predicted": 1, "count": 2}]
    examples = evaluation.confused_examples(y_true, y_pred, pairs, per_pair=2)
    assert examples[0]["indices"] == [6, 7] and examples[1]["indices"] == [1, 2]


def test_metrics_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    m = evaluation.classification_metrics(y_true, y_pred, list("abcde"))
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert m["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert m["per_class"]["c"]["support"] == int((y_true == 2).sum())


def test_mismatched_lengths_and_out_of_range_labels_are_refused():
    with pytest.raises(InvalidInputError, match="different lengths"):
        evaluation.classification_metrics([0, 1], [0])
    with pytest.raises(InvalidInputError, match="0..1"):
        evaluation.confusion_matrix([0, 2], [0, 1], 2)


def test_wrong_image_shape_for_model_is_refused():
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(InvalidInputError, match=r"\(3, 28, 28, 3\).*\(None, 28, 28, 1\)"):
        evaluation.predict_logits(model, np.zeros((3, 28, 28, 3)))
    with pytest.raises(InvalidInputError, match="do not fit"):
        evaluation.predict_logits(model, np.zeros((28, 28, 1)))


def test_layer_features_and_unknown_layer():
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(name="flatten"), keras.layers.Dense(3, name="fc")]
    )
    assert evaluation.layer_features(model, "flatten", np.ones((5, 4, 4, 1))).shape == (5, 16)
    with pytest.raises(InvalidInputError, match="closest layer names: flatten"):
        evaluation.layer_features(model, "flaten", np.ones((5, 4, 4, 1)))


@pytest.mark.parametrize("fft_from_points", [10_000, 0], ids=["barnes-hut", "fft"])
def test_tsne_separates_two_clusters_reproducibly(fft_from_points):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (60, 80)), rng.normal(8, 1, (60, 80))])
    a = evaluation.tsne_embedding(x, seed=1, fft_from_points=fft_from_points)
    b = evaluation.tsne_embedding(x, seed=1, fft_from_points=fft_from_points)
    np.testing.assert_allclose(a, b)
    centre_gap = np.linalg.norm(a[:60].mean(0) - a[60:].mean(0))
    assert centre_gap > 3 * max(a[:60].std(0).max(), a[60:].std(0).max())


def test_best_epoch_and_parameter_counts():
    assert evaluation.best_epoch({"val_accuracy": [0.2, 0.9, 0.9, 0.5]}) == (2, 0.9)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.BatchNormalization()])
    assert evaluation.parameter_counts(model) == {"total": 16, "trainable": 12, "non_trainable": 4}


def test_curve_plot_marks_the_best_validation_epoch(tmp_path):
    history = {
        "loss": [1.0, 0.6, 0.4],
        "val_loss": [1.1, 0.7, 0.8],
        "accuracy": [0.5, 0.7, 0.8],
        "val_accuracy": [0.4, 0.75, 0.7],
    }
    fig = plots.plot_history(history, title="t")
    accuracy_axes = fig.axes[1]
    stars = [line for line in accuracy_axes.lines if line.get_marker() == "*"]
    assert len(stars) == 1 and list(stars[0].get_xdata()) == [2] and list(stars[0].get_ydata()) == [0.75]
    assert "best: 75.00% at epoch 2" in [t.get_text() for t in accuracy_axes.get_legend().get_texts()]
    path = writing.save_figure(tmp_path / "c.png", fig)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_curves_from_epoch_11_keep_the_true_numbering():
    history = {k: list(np.linspace(1, 0.5, 20)) for k in ("loss", "val_loss")}
    history.update({k: list(np.linspace(0.5, 0.9, 20)) for k in ("accuracy", "val_accuracy")})
    fig = plots.plot_history(history, show_from_epoch=11)
    assert list(fig.axes[0].lines[0].get_xdata()) == list(range(11, 21))


def test_confusion_plot_writes_counts_and_class_names():
    fig = plots.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["cat", "dog"])
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "5", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    assert ax.get_title() == "3 errors / 15"


def test_embedding_plot_draws_the_linear_boundary():
    emb = np.array([[0, 0], [1, 1], [2, 0], [3, 1]], "float32")
    fig = plots.plot_embeddings(
        [{"embedding": emb, "labels": [0, 0, 1, 1], "title": "svm", "boundary": (1.0, 0.0, -1.5)}], ["a", "b"]
    )
    boundary = [line for line in fig.axes[0].lines if line.get_linestyle() == "--"]
    assert len(boundary) == 1


def test_long_title_on_a_two_image_grid_wraps_inside_the_figure():
    title = (
        "Cats-vs-dogs network: inputs maximizing and minimizing its output — a transfer network on a stand-in dataset"
    )
    fig = plots.plot_image_grid(np.zeros((2, 8, 8, 3), "uint8"), captions=["max", "min"], title=title)
    fig.canvas.draw()
    suptitle = fig._suptitle
    assert suptitle.get_text().replace("\n", " ") == title
    assert suptitle.get_window_extent().width <= fig.bbox.width
    assert fig.axes[0].get_window_extent().width >= 1.5 * fig.dpi  # panels stay readable, not squeezed by the title


def test_parameter_summary_markdown_lists_layers_and_totals():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="fc")])
    text = plots.parameter_summary_markdown(evaluation.layer_table(model), evaluation.parameter_counts(model))
    assert "| 1 | fc (Dense) | 2 | 8 |" in text and "Total params: 8" in text
