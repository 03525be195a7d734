"""Practical 2's producers and the recipes its notebook calls: transfer learning of r000, r001, r003 and r004.

The experiments are written once, in notebook 02's cells (``practicas/lessons/02_transfer.py``),
which the CLI runs; the data overviews and parameter tables that need no experiment keep a producer here.

Each producer runs the report's data and settings; ``quick=True`` runs the
same code offline with ``weights=None`` on real stand-in data (Fashion-MNIST
classes, scikit-learn digits) in minutes on a CPU.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
from keras import layers

from practicas import evaluation, pipelines, standins
from practicas.comparison import report_value
from practicas.errors import WeightsNotFoundError
from practicas.evaluation import run_summary
from practicas.experiments import train_classifier
from practicas.modeling import logits_layer
from practicas.pipelines import Augmentation
from practicas.results import ClassCounts, ConfusionMatrices, Embeddings, ImageGrid, Table
from practicas.runmode import RunContext, cached, epochs_for
from practicas.standins import experiment_data
from practicas.transfer import features, models
from practicas.transfer.finetune import FREEZE_BATCHNORM_WHEN_FINE_TUNING, fit_two_phase


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
    """r004 Figura 7: two sample images of each species (``seed`` picks them)."""
    rng = np.random.default_rng(seed)
    index = np.concatenate(
        [rng.choice(np.flatnonzero(data.y_train == k), 2, replace=False) for k in range(data.num_classes)]
    )
    return ImageGrid(
        {
            "dataset": label,
            "indices": index,
            "labels": data.y_train[index],
            "class_names": data.class_names,
            "_images": data.x_train[index],
        }
    )


# ------------------------------------------------------------------ r003: MobileNet on cats vs dogs


# ------------------------------------------------------------------ r003: EMNIST net, then MNIST with 1,000 samples


def _binary_head(base: keras.Model, shape, dropout: float = 0.2) -> keras.Model:
    inputs = keras.Input(shape, name="image")
    x = layers.Identity(name="features")(base(inputs))
    outputs = logits_layer(1)(layers.Dropout(dropout, name="dropout")(x))
    return keras.Model(inputs, outputs, name=f"{base.name}_binary")


# ------------------------------------------------------------------ r000 section 3: Alien vs Predator, four ways

R000_ALTERNATIVES = ("From scratch", "Pretrained + SVM", "Fine-tuning", "Fine-tuning + DA")


def _pretrained(quick: bool, seed: int, size: int):
    if quick:
        return standins.quick_pretrained_base(size, seed)
    return models.resnet50_backbone((size, size, 3), weights="imagenet"), _pretrained_preprocess(quick)


def _pretrained_preprocess(quick: bool):
    return standins.scale_to_unit_range if quick else keras.applications.resnet50.preprocess_input


def alien_from_scratch(data, context: RunContext) -> keras.Model:
    """r000's first alternative: the pretrained alternatives' network with random weights, trained 20 epochs (Adam).

    Full: ResNet50 (``weights=None``) + Dropout + one logit, on ResNet50's
    input preprocessing; quick: a small CNN. Its state lives in the shared
    ``alien_scratch`` folder.

    Example:
        >>> model = alien_from_scratch(data, session.context)  # doctest: +SKIP
    """
    size, shape = data.image_shape[0], data.image_shape
    keras.utils.set_random_seed(context.seed)  # the same weights whichever alternative ran before
    base = standins.standin_backbone(size) if context.quick else models.resnet50_backbone(shape, weights=None)
    run = train_classifier(
        _binary_head(base, shape),
        data,
        epochs=epochs_for(20, context.quick),
        batch_size=32,
        seed=context.seed,
        workdir=context.shared_workdir("alien_scratch"),
        validation="test",
        preprocess=_pretrained_preprocess(context.quick),  # the same inputs as the pretrained alternatives
    )
    return run["model"]


def alien_pretrained_svm(data, context: RunContext):
    """r000's second alternative: ImageNet ResNet50's pooled features, standardized, into a linear SVM (fitted).

    Example:
        >>> svm = alien_pretrained_svm(data, session.context)  # doctest: +SKIP
        >>> svm.score(data.x_test, data.y_test)  # doctest: +SKIP
    """
    keras.utils.set_random_seed(context.seed)
    base, preprocess = _pretrained(context.quick, context.seed, data.image_shape[0])
    return features.pretrained_svm(base, preprocess, seed=context.seed).fit(data.x_train, data.y_train)


def alien_finetuned(data, context: RunContext, augmentation: Augmentation | None = None) -> keras.Model:
    """r000's fine-tuning alternatives: ImageNet ResNet50 + Dropout + one logit, the head trained 5 epochs with the
    backbone frozen (Adam 1e-3), then everything 5 more (Adam 1e-5); ``augmentation`` on the training images.

    Example:
        >>> model = alien_finetuned(data, session.context, augmentation=Augmentation.r001())  # doctest: +SKIP
    """
    keras.utils.set_random_seed(context.seed)
    base, preprocess = _pretrained(context.quick, context.seed, data.image_shape[0])
    model = _binary_head(base, data.image_shape)
    common = dict(batch_size=32, seed=context.seed, preprocess=preprocess)
    train = pipelines.array_pipeline(data.x_train, data.y_train, augmentation=augmentation, **common)
    name = "alien_finetuning" + ("_da" if augmentation else "")
    fit_two_phase(
        model,
        base,
        train,
        validation_data=pipelines.array_pipeline(data.x_test, data.y_test, shuffle=False, **common),
        head_epochs=epochs_for(5, context.quick, 8),
        finetune_epochs=epochs_for(5, context.quick, 2),
        head_optimizer=lambda: keras.optimizers.Adam(1e-3),
        finetune_optimizer=lambda: keras.optimizers.Adam(1e-5),
        freeze_batchnorm=FREEZE_BATCHNORM_WHEN_FINE_TUNING["r000"],  # PyTorch's model.train(): BatchNorm trains
        seed=context.seed,
        workdir=context.shared_workdir(name),
    )
    return model


def alien_results(alternatives: dict, data, label: str, context: RunContext) -> dict:
    """Each trained alternative's validation accuracy, predictions and penultimate features (what r000-T6 and
    r000-F10 draw).

    Example:
        >>> results = alien_results({"Fine-tuning": model}, data, label, session.context)  # doctest: +SKIP
    """
    results = {}
    for name, trained in alternatives.items():
        if name == "Pretrained + SVM":
            predictions = trained.predict(data.x_test)
            feats = trained[0].transform(data.x_test)  # the fitted KerasFeatures step: features before scaling
        else:
            x_test = _pretrained_preprocess(context.quick)(data.x_test.astype("float32"))
            predictions = evaluation.predicted_classes(evaluation.predict_logits(trained, x_test))
            feats = evaluation.layer_features(trained, "features", x_test)
        results[name] = {
            "accuracy": float(np.mean(predictions == data.y_test)),
            "features": feats,
            "predictions": predictions,
        }
    return {"results": results, "data": data, "dataset": label}


def alien_alternatives(context: RunContext) -> dict:
    """r000's four ways to classify Alien vs Predator (:data:`R000_ALTERNATIVES`), trained once per process.

    Full runs use ResNet50 with ImageNet weights; quick runs a small CNN
    pretrained on the spot.

    Example:
        >>> run = alien_alternatives(RunContext(quick=True, workdir=Path("out/.work/alien")))  # doctest: +SKIP
    """

    def compute():
        data, label = experiment_data("alien_vs_predator", context)
        alternatives = {
            "From scratch": alien_from_scratch(data, context),
            "Pretrained + SVM": alien_pretrained_svm(data, context),
            "Fine-tuning": alien_finetuned(data, context),
            "Fine-tuning + DA": alien_finetuned(data, context, augmentation=Augmentation.r001()),
        }
        return alien_results(alternatives, data, label, context)

    return cached(context.shared_key("alien"), compute)


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
        return {
            "data": data,
            "dataset": label + (" (ResNet50 weights=None, quick)" if context.quick else ""),
            "maps": maps,
        }

    return cached(("birds_features", context.quick, context.seed), compute)


def birds_head_run(kind: str, context: RunContext) -> dict:
    """r001's heads on frozen ResNet50 features (:func:`birds_features`): ``"dense"`` (Dense 200 on the 2,048 pooled
    features), ``"mlp"`` or ``"conv"`` (on the 7x7x2048 map); Adam 1e-3, batch 64, 20 epochs, 10 % validation.

    Example:
        >>> run = birds_head_run("mlp", session.context.within("r001-F21"))  # doctest: +SKIP
    """
    feats = birds_features(context)
    pick = (lambda maps: maps) if kind == "conv" else (lambda maps: maps.mean(axis=(1, 2)))
    data = dataclasses.replace(feats["data"], x_train=pick(feats["maps"]["train"]), x_test=pick(feats["maps"]["test"]))
    run = train_classifier(
        lambda: models.resnet50_head(data.x_train.shape[1:], data.num_classes, kind=kind),
        data,
        epochs=epochs_for(20, context.quick, 5),
        batch_size=64,
        eval_batch_size=256,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        seed=context.seed,
        workdir=context.workdir,
        validation="split",
        rescale=False,
    )  # features, not pixels
    return {**run_summary(run, f"ResNet50 features + {kind} head"), "dataset": feats["dataset"]}


# ------------------------------------------------------------------ r004: three backbones, frozen and fine-tuned


def r004_runs(context: RunContext) -> dict:
    """Train AlexNet, ResNet34 and EfficientNetB0 with r004's heads, frozen and fine-tuned (batch 32, Adam 1e-3).

    Inputs follow r004: resize 256, centre crop 224, ImageNet mean/std (for
    EfficientNetB0, which normalizes inside, the cropped pixels). Quick mode:
    the monkeys stand-in folder at 72 -> 64 pixels, ``weights=None``.

    Example:
        >>> runs = r004_runs(RunContext(quick=True, workdir=Path("out/.work/r004")))  # doctest: +SKIP
    """

    def compute():
        resize, crop = (72, 64) if context.quick else (256, 224)
        data, label = experiment_data("monkeys", context, image_size=resize)
        runs, missing = {}, {}
        for backbone, spec in models.R004_BACKBONES.items():
            name, normalize = spec.name, spec.imagenet_normalized
            x_train, x_test = (
                keras.ops.convert_to_numpy(
                    pipelines.imagenet_eval_transform(x, resize=resize, crop=crop, normalize=normalize)
                )
                for x in (data.x_train, data.x_test)
            )
            cropped = dataclasses.replace(data, x_train=x_train, x_test=x_test)
            for frozen in (True, False):
                mode = "frozen" if frozen else "finetuned"
                try:
                    run = train_classifier(
                        lambda backbone=backbone, frozen=frozen: models.r004_classifier(
                            backbone,
                            (crop, crop, 3),
                            data.num_classes,
                            weights=None if context.quick else "imagenet",
                            frozen=frozen,
                        ),
                        cropped,
                        epochs=epochs_for(10, context.quick, 2),
                        batch_size=32,
                        optimizer=lambda: keras.optimizers.Adam(1e-3),
                        seed=context.seed,
                        workdir=context.shared_workdir(f"r004_{backbone}_{mode}"),
                        validation="test",
                        rescale=False,
                    )
                except WeightsNotFoundError as error:  # the other backbones still train; the table says what is missing
                    missing[name] = str(error)
                    break
                runs[(name, frozen)] = {
                    "metrics": run["metrics"],
                    "confusion": run["confusion"],
                    "history": evaluation.history_dict(run["history"]),
                    "params": evaluation.parameter_counts(run["model"]),
                }
        return {"runs": runs, "missing": missing, "class_names": data.class_names, "dataset": label}

    return cached(context.shared_key("r004"), compute)


def r004_table(runs: dict, vanilla: dict) -> Table:
    """r004 Tabla 1 from :func:`r004_runs` and the Vanilla CNN's run: accuracy and macro F1 beside the report's.

    Example:
        >>> session.save("r004-T1", r004_table(r004_runs(session.context), vanilla_cnn_run(session.context)))  # doctest: +SKIP
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
    """r004 Figuras 8-11 from :func:`r004_runs` and the Vanilla CNN's run: every confusion matrix in one figure.

    Example:
        >>> session.save("r004-F8", r004_confusions(r004_runs(session.context), vanilla_cnn_run(session.context)))  # doctest: +SKIP
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
