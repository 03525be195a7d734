"""Practical 2's helpers beside its notebook: the data overviews, r000's results of four alternatives, the
birds' ResNet50 features (computed once) and r004's table and confusions.

The experiments, every fit included, are written once, in notebook 02's cells
(``practicas/lessons/02_transfer.py``), which the CLI runs. What stays here
draws from what those cells trained.
"""

from __future__ import annotations

import keras
import numpy as np

from practicas import evaluation
from practicas.comparison import report_value
from practicas.results import ClassCounts, ConfusionMatrices, Embeddings, ImageGrid, Table
from practicas.runmode import RunContext, cached
from practicas.standins import experiment_data
from practicas.transfer import features, models


def monkey_class_counts(data, label: str) -> ClassCounts:
    """r004 Figura 6: images per class in training (1,097) and validation (272)."""
    counts = {
        split: {name: int(n) for name, n in zip(data.class_names, np.bincount(y, minlength=data.num_classes))}
        for split, y in (("training", data.y_train), ("validation", data.y_test))
    }
    return ClassCounts(
        {
            "dataset": label,
            "counts": counts,
            "skipped_files": data.skipped,
            "metrics": {"train_images": len(data.y_train), "validation_images": len(data.y_test)},
        }
    )


def monkey_sample_grid(data, label: str, seed: int) -> ImageGrid:
    """r004 Figura 7: two sample images of each species (``seed`` picks them), or the one a species has (a smoke
    run's split of 10 images).

    Example:
        >>> from practicas.datasets import ImageDataset
        >>> data = ImageDataset("d", np.zeros((5, 2, 2, 3), "uint8"), np.array([0, 0, 0, 1, 2]), None, None,
        ...                     ["a", "b", "c"])
        >>> monkey_sample_grid(data, "d", seed=0)["labels"].tolist()
        [0, 0, 1, 2]
    """
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(data.y_train == k) for k in range(data.num_classes)]
    index = np.concatenate([rng.choice(m, min(2, len(m)), replace=False) for m in members])
    return ImageGrid(
        {
            "dataset": label,
            "indices": index,
            "labels": data.y_train[index],
            "class_names": data.class_names,
            "_images": data.x_train[index],
        }
    )


# ------------------------------------------------------------------ r000 section 3: Alien vs Predator, four ways

R000_ALTERNATIVES = ("From scratch", "Pretrained + SVM", "Fine-tuning", "Fine-tuning + DA")


def alien_results(alternatives: dict, data, label: str, preprocess) -> dict:
    """Each trained alternative's validation accuracy, predictions and penultimate features (what r000-T6 and
    r000-F10 draw); ``preprocess``: the networks' input preprocessing (the SVM pipeline has its own).

    Example:
        >>> results = alien_results({"Fine-tuning": model}, data, label, preprocess)  # doctest: +SKIP
    """
    results = {}
    for name, trained in alternatives.items():
        if name == "Pretrained + SVM":
            predictions = trained.predict(data.x_test)
            feats = trained[0].transform(data.x_test)  # the fitted KerasFeatures step: features before scaling
        else:
            x_test = preprocess(data.x_test.astype("float32"))
            predictions = evaluation.predicted_classes(evaluation.predict_logits(trained, x_test))
            feats = evaluation.layer_features(trained, "features", x_test)
        results[name] = {
            "accuracy": float(np.mean(predictions == data.y_test)),
            "features": feats,
            "predictions": predictions,
        }
    return {"results": results, "data": data, "dataset": label}


def alien_table(run: dict) -> Table:
    """r000 Tabla 6 from :func:`alien_results`: each alternative's validation accuracy beside the report's.

    Example:
        >>> session.save("r000-T6", alien_table(run))  # doctest: +SKIP
    """
    accuracy = {name: run["results"][name]["accuracy"] for name in R000_ALTERNATIVES}
    report = {name: report_value("r000-T6", f"metrics.{name}") for name in R000_ALTERNATIVES}
    return Table(
        {
            "dataset": run["dataset"],
            "metrics": accuracy,
            "header": ["", *R000_ALTERNATIVES],
            "rows": [
                ["Accuracy", *(f"{accuracy[n]:.2%}" for n in R000_ALTERNATIVES)],
                ["Report", *(f"{report[n]:.2%}" for n in R000_ALTERNATIVES)],
            ],
            "note": f"Data: {run['dataset']}; {len(run['data'].y_test)} validation images.",
        }
    )


def alien_embeddings(run: dict, seed: int) -> Embeddings:
    """r000 Figura 10 from :func:`alien_results`: a t-SNE map of each alternative's features with the best linear
    boundary drawn; circled points fall on its wrong side.

    Example:
        >>> session.save("r000-F10", alien_embeddings(run, session.seed))  # doctest: +SKIP
    """
    labels = run["data"].y_test
    panels, metrics = [], {}
    for name in R000_ALTERNATIVES:
        embedding = evaluation.tsne_embedding(
            run["results"][name]["features"], seed=seed, perplexity=min(30.0, (len(labels) - 1) / 3)
        )
        boundary, separable = features.linear_boundary_2d(embedding, labels, seed=seed)
        w0, w1, b = boundary
        wrong = np.flatnonzero(((embedding @ np.array([w0, w1]) + b) > 0).astype(int) != labels)
        panels.append(
            {
                "title": f"{name} (linear separation {separable:.0%})",
                "embedding": embedding,
                "boundary": boundary,
                "errors": wrong,
            }
        )
        metrics[name] = {"linear_separability": separable, "accuracy": run["results"][name]["accuracy"]}
    return Embeddings(
        {
            "model": "four alternatives",
            "dataset": run["dataset"],
            "class_names": run["data"].class_names,
            "labels": labels,
            "panels": panels,
            "metrics": metrics,
        }
    )


# ------------------------------------------------------------------ r001 exercise 3: ResNet50 on Caltech-UCSD Birds


def birds_features(context: RunContext) -> dict:
    """ResNet50's 7x7x2048 maps (and their average, the 2048 pooled features) of every bird image, computed once.

    Example:
        >>> feats = birds_features(RunContext(quick=True, workdir=Path("out/.work/birds")))  # doctest: +SKIP
    """

    def compute():
        data, label = experiment_data("caltech_birds2010", context)
        keras.utils.set_random_seed(context.seed)  # quick's weights=None: the same ones whatever ran before
        base = models.resnet50_backbone(data.image_shape, weights=None if context.quick else "imagenet", pooling=None)
        extractor = features.KerasFeatures(base, keras.applications.resnet50.preprocess_input)
        extractor.fit(data.x_train)
        maps = {
            split: extractor.transform(x).reshape(len(x), *base.output_shape[1:])
            for split, x in (("train", data.x_train), ("test", data.x_test))
        }
        context.record_weights_of(base)
        return {
            "data": data,
            "dataset": label + (" (ResNet50 weights=None, quick)" if context.quick else ""),
            "maps": maps,
        }

    return cached(("birds_features", context.quick, context.seed), compute, context)


# ------------------------------------------------------------------ r004: three backbones, frozen and fine-tuned


def r004_table(runs: dict, vanilla: dict) -> Table:
    """r004 Tabla 1 from the backbones' runs (notebook 02's r004 section: ``{"runs": {(name, frozen): run},
    "missing", "class_names", "dataset"}``) and the Vanilla CNN's run: accuracy and macro F1 beside the report's.

    Example:
        >>> session.save("r004-T1", r004_table(runs, vanilla_cnn_run(session.context)))  # doctest: +SKIP
    """

    def report(row: str) -> str:
        return " / ".join(f"{report_value('r004-T1', f'metrics.{row}.{key}'):.4f}" for key in ("accuracy", "macro_f1"))

    rows = [
        [
            "Vanilla CNN",
            "-",
            f"{vanilla['metrics']['accuracy']:.4f}",
            f"{vanilla['metrics']['macro_f1']:.4f}",
            report("Vanilla CNN"),
        ]
    ]
    metrics = {"Vanilla CNN": {"accuracy": vanilla["metrics"]["accuracy"], "macro_f1": vanilla["metrics"]["macro_f1"]}}
    for (name, frozen), run in runs["runs"].items():
        m, row = run["metrics"], f"{name} {'frozen' if frozen else 'fine-tuned'}"
        rows.append([name, "Yes" if frozen else "No", f"{m['accuracy']:.4f}", f"{m['macro_f1']:.4f}", report(row)])
        metrics[row] = {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}
    for name in runs["missing"]:
        rows.append(
            [
                name,
                "-",
                "weights missing",
                "-",
                f"frozen {report(f'{name} frozen')}, fine-tuned {report(f'{name} fine-tuned')}",
            ]
        )
    note = f"Data: {runs['dataset']}." + "".join(
        f"\n\n{name} did not train: {why}" for name, why in runs["missing"].items()
    )
    return Table(
        {
            "dataset": runs["dataset"],
            "metrics": metrics,
            "header": ["Architecture", "Frozen", "Accuracy", "Macro F1", "Report"],
            "rows": rows,
            "note": note,
            "missing": runs["missing"],
        }
    )


def r004_confusions(runs: dict, vanilla: dict) -> ConfusionMatrices:
    """r004 Figuras 8-11 from the backbones' runs (as :func:`r004_table` takes them) and the Vanilla CNN's run:
    every confusion matrix in one figure.

    Example:
        >>> session.save("r004-F8", r004_confusions(runs, vanilla_cnn_run(session.context)))  # doctest: +SKIP
    """
    # Vanilla CNN alone on the first row (report Figure 8), then each backbone frozen | fine-tuned (Figures 9-11).
    confusion = {"Vanilla CNN": vanilla["confusion"], " ": None}
    confusion.update(
        {
            f"{name} {'frozen' if frozen else 'fine-tuned'}": run["confusion"]
            for (name, frozen), run in runs["runs"].items()
        }
    )
    return ConfusionMatrices(
        {
            "dataset": runs["dataset"],
            "class_names": runs["class_names"],
            "confusion": confusion,
            "metrics": {f"{k} correct": int(np.trace(np.asarray(v))) for k, v in confusion.items() if v is not None},
            "missing": runs["missing"],
        }
    )


def r004_parameter_counts() -> Table:
    """r004 parameter counts: backbones alone (trainable, as PyTorch counts) and with their heads."""
    rows, params = [], {}
    for backbone, spec in models.R004_BACKBONES.items():
        name = spec.name
        base = evaluation.parameter_counts(spec.build(weights=None))
        full = evaluation.parameter_counts(models.r004_classifier(backbone, weights=None, frozen=False))
        params[name] = {
            "backbone_trainable": base["trainable"],
            "with_head_trainable": full["trainable"],
            "total": full["total"],
        }
        rows.append(
            [
                name,
                f"{base['trainable']:,}",
                f"{report_value('r004-P', f'params.{name}.backbone_trainable'):,}",
                f"{full['trainable']:,}",
                f"{report_value('r004-P', f'params.{name}.with_head_trainable'):,}",
            ]
        )
    return Table(
        {
            "params": params,
            "header": ["Backbone", "Backbone (ours)", "Backbone (report)", "With head (ours)", "With head (report)"],
            "rows": rows,
            "note": "Trainable parameters, as PyTorch counts them. The report counts only the output layer of "
            "the ResNet34 (256 -> 10) and EfficientNetB0 (512 -> 10) heads, not their hidden Dense layer.",
        }
    )
