"""Practical 2 artifacts: transfer learning of r003 exercise 3 and r004's data overview.

Each producer runs the report's data and settings; ``quick=True`` runs the
same code offline with ``weights=None`` on real stand-in data (Fashion-MNIST
classes, scikit-learn digits) in minutes on a CPU.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers

from practicas import evaluation, pipelines, plots, standins, training
from practicas.datasets import load_dataset
from practicas.comparison import report_value
from practicas.errors import WeightsNotFoundError
from practicas.pipelines import Augmentation
from practicas.modeling import logits_layer
from practicas.registry import artifact
from practicas.reports import (
    cached, epochs_for, layer_table_data, render_history, render_layer_table, render_markdown_table, render_tsne, run_summary, shared_workdir,
)
from practicas.transfer import features, models
from practicas.transfer.finetune import fit_two_phase


def _monkeys(quick: bool, seed: int, workdir, full_size: int = 224):
    if quick:
        root = standins.write_image_folder(Path(workdir).parent / "monkeys-standin" / "10-monkey-species", size=64, seed=seed)
        return load_dataset("monkeys", data_root=root.parent, image_size=(64, 64)), "Fashion-MNIST in a Kaggle-style folder (quick stand-in)"
    return load_dataset("monkeys", image_size=(full_size, full_size)), "10 Monkey Species"


@artifact("r004-F6", render=lambda d: plots.plot_class_counts(d["counts"], title=f"Images per class — {d['dataset']}"))
def monkey_class_counts(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Figura 6: images per class in training (1,097) and validation (272)."""
    data, label = _monkeys(quick, seed, workdir)
    counts = {
        split: {name: int(n) for name, n in zip(data.class_names, np.bincount(y, minlength=data.num_classes))}
        for split, y in (("training", data.y_train), ("validation", data.y_test))
    }
    return {"dataset": label, "counts": counts, "skipped_files": data.skipped,
            "metrics": {"train_images": len(data.y_train), "validation_images": len(data.y_test)}}


@artifact("r004-F7", render=lambda d: plots.plot_image_grid(d["_images"], d["labels"], d["class_names"], columns=5,
                                                           title=f"Sample images — {d['dataset']}"))
def monkey_sample_grid(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Figura 7: two sample images of each species."""
    data, label = _monkeys(quick, seed, workdir)
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.choice(np.flatnonzero(data.y_train == k), 2, replace=False) for k in range(data.num_classes)])
    return {"dataset": label, "indices": index, "labels": data.y_train[index], "class_names": data.class_names,
            "_images": data.x_train[index]}


# ------------------------------------------------------------------ r003: MobileNet on cats vs dogs

# r003: "in both cases, cats vs dogs and MNIST, data augmentation was used" (its kind is not given).
R003_AUGMENTATION = Augmentation(horizontal_flip=True, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1,
                                 rotation_range=10.0)


def _cats_vs_dogs(quick: bool, seed: int):
    if quick:
        data = standins.colour_standin(train=600, test=200, size=64, seed=seed, classes=2)
        return data, "Fashion-MNIST T-shirt vs trouser, 64x64 RGB (quick stand-in for cats vs dogs)"
    return load_dataset("cats_vs_dogs"), "cats vs dogs, 2,500 training images"


def _quick_pretrained_mobilenet(shape, seed: int, frozen: bool = True) -> keras.Model:
    """Quick mode's stand-in for ImageNet weights: a thin MobileNet pretrained on the 8 *other* Fashion-MNIST classes."""
    model = models.mobilenet_cats_vs_dogs(shape, weights=None, frozen=frozen, alpha=0.25)
    _pretrain_on_other_classes(models.backbone_of(model), shape[0], seed, train=3000)
    return model


def _pretrain_on_other_classes(base: keras.Model, size: int, seed: int, train: int) -> None:
    """Pretrain ``base`` on Fashion-MNIST classes 2-9: the stand-in tasks use classes 0 and 1."""
    other = standins.colour_standin(train=train, test=10, size=size, seed=seed + 1)
    keep = other.y_train >= 2
    models.pretrain_backbone(base, other.x_train[keep], other.y_train[keep] - 2, epochs=3, seed=seed)


def _binary_pipelines(data, seed: int, batch_size: int = 32):
    x_val, y_val = (data.x_val, data.y_val) if data.x_val is not None else (data.x_test, data.y_test)
    train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=batch_size, seed=seed, augmentation=R003_AUGMENTATION)
    val = pipelines.array_pipeline(x_val, y_val, batch_size=batch_size, shuffle=False)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=batch_size, shuffle=False)
    return train, val, test


def _test_metrics(model, data, test) -> dict:
    predictions = evaluation.predicted_classes(evaluation.predict_logits(model, test))
    return evaluation.classification_metrics(data.y_test, predictions, data.class_names)


def cats_vs_dogs_transfer(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003's transfer run: 50 epochs with MobileNet frozen (Adam 1e-3), then 10 fine-tuning all of it (Adam 1e-5).

    Quick mode: a thin MobileNet (alpha 0.25) at 64x64, pretrained on the spot
    on 8 other Fashion-MNIST classes instead of ImageNet, 2 + 1 epochs. The
    trained model is returned under ``"model"`` (r003-F14 visualizes it).

    Example:
        >>> run = cats_vs_dogs_transfer(quick=True, workdir="out/.work/cats")  # doctest: +SKIP
    """
    def compute():
        data, label = _cats_vs_dogs(quick, seed)
        keras.utils.set_random_seed(seed)
        if quick:
            model = _quick_pretrained_mobilenet(data.image_shape, seed)
        else:
            model = models.mobilenet_cats_vs_dogs(data.image_shape, weights="imagenet")
        train, val, test = _binary_pipelines(data, seed)
        history = fit_two_phase(
            model, models.backbone_of(model), train, validation_data=val,
            head_epochs=epochs_for(50, quick, 2), finetune_epochs=epochs_for(10, quick, 1),
            head_optimizer=lambda: keras.optimizers.Adam(1e-3), finetune_optimizer=lambda: keras.optimizers.Adam(1e-5),
            seed=seed, workdir=shared_workdir(workdir, "cats_vs_dogs_transfer"),
        )
        return {"model": model, "history": history, "metrics": _test_metrics(model, data, test), "data": data,
                "dataset": label, "phase_boundary": history.phase_boundary}

    return cached(("cats_vs_dogs_transfer", quick, seed, str(Path(workdir).parent)), compute)


@artifact("r003-T1", render=render_layer_table)
def mobilenet_parameter_split(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 table: 3,229,889 total, 1,025 trainable, 3,228,864 non-trainable with the base frozen."""
    return layer_table_data(models.mobilenet_cats_vs_dogs(weights=None), title="MobileNet (frozen) + GAP + Dropout + Dense 1")


@artifact("r003-F1", render=render_history)
def cats_vs_dogs_transfer_curves(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 Figura 1: 50 epochs frozen, then 10 fine-tuning (report: 96 % test accuracy)."""
    run = cats_vs_dogs_transfer(quick, seed, workdir)
    return {**run_summary(run, "MobileNet transfer"), "dataset": run["dataset"], "title": "MobileNet: frozen, then fine-tuned",
            "phase_boundary": run["phase_boundary"]}


@artifact("r003-F2", render=render_history)
def cats_vs_dogs_from_scratch(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 Figura 2: the same MobileNet network trained from scratch (report: erratic, much lower)."""
    data, label = _cats_vs_dogs(quick, seed)
    keras.utils.set_random_seed(seed)
    model = models.mobilenet_cats_vs_dogs(data.image_shape, weights=None, frozen=False, alpha=0.25 if quick else 1.0)
    training.compile_classifier(model, keras.optimizers.Adam(1e-3), binary=True)
    train, val, test = _binary_pipelines(data, seed)
    history = training.fit(model, train, validation_data=val, epochs=epochs_for(60, quick), seed=seed, workdir=workdir)
    run = {"model": model, "history": history, "metrics": _test_metrics(model, data, test)}
    return {**run_summary(run, "MobileNet from scratch"), "dataset": label, "title": "MobileNet from scratch"}


# ------------------------------------------------------------------ r003: EMNIST net, then MNIST with 1,000 samples

def _emnist(quick: bool, seed: int):
    if quick:
        return standins.fashion_mnist_subset(train=1500, test=500, seed=seed), "Fashion-MNIST subset (quick stand-in for EMNIST letters a-j)"
    return load_dataset("emnist_letters"), "EMNIST letters a-j"


def _mnist_1000(quick: bool, seed: int):
    if quick:
        return standins.digits_standin(train=1000, seed=seed), "scikit-learn digits, 1,000 training images (quick stand-in for MNIST)"
    return load_dataset("mnist_subset", seed=seed), "MNIST, 1,000 training images"


def train_digits(model, data, *, epochs: int, seed: int, workdir, augmentation=None) -> dict:
    """Train a 28x28 digit/letter classifier (pixels / 255, Adam 1e-3, batch 64), validating on the test split.

    Example:
        >>> run = train_digits(emnist_net(), standins.digits_standin(), epochs=5, seed=0, workdir=None)  # doctest: +SKIP
    """
    scale = dict(mean=np.zeros(1, "float32"), std=np.full(1, 255.0, "float32"))
    train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=64, seed=seed, augmentation=augmentation, **scale)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=256, shuffle=False, **scale)
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    history = training.fit(model, train, validation_data=test, epochs=epochs, seed=seed, workdir=workdir)
    return {"model": model, "history": history, "metrics": _test_metrics(model, data, test)}


def emnist_run(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003's EMNIST network trained on EMNIST letters a-j, 10 epochs, Adam, the test split as validation.

    Example:
        >>> run = emnist_run(quick=True, workdir="out/.work/emnist")  # doctest: +SKIP
    """
    def compute():
        data, label = _emnist(quick, seed)
        keras.utils.set_random_seed(seed)
        run = train_digits(models.emnist_net(data.image_shape, 10), data, epochs=epochs_for(10, quick), seed=seed,
                          workdir=shared_workdir(workdir, "emnist"))
        return {**run, "dataset": label}

    return cached(("emnist", quick, seed, str(Path(workdir).parent)), compute)


@artifact("r003-T2", render=render_layer_table)
def emnist_parameter_split(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 table: 39,790 parameters; with both convs frozen 19,610 trainable and 20,180 non-trainable."""
    return layer_table_data(models.freeze_convs(models.emnist_net()), title="EMNIST net, convolutions frozen for the transfer")


@artifact("r003-F3", render=render_history)
def emnist_curves(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 Figura 3: EMNIST net training curves (report: 91 % validation accuracy)."""
    run = emnist_run(quick, seed, workdir)
    return {**run_summary(run, "EMNIST net"), "dataset": run["dataset"], "title": "EMNIST net"}


@artifact("r003-F4", render=render_history)
def emnist_to_mnist_transfer(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 Figura 4: the EMNIST convs frozen, a new Dense 10 trained on 1,000 MNIST digits with augmentation (87 %)."""
    source = emnist_run(quick, seed, workdir)["model"]
    data, label = _mnist_1000(quick, seed)
    keras.utils.set_random_seed(seed)
    model = models.transfer_convs(source, num_classes=10)
    run = train_digits(model, data, epochs=epochs_for(30, quick), seed=seed, workdir=workdir, augmentation=R003_AUGMENTATION.without_flip())
    return {**run_summary(run, "EMNIST net transferred"), "dataset": label, "title": "EMNIST convs frozen, new head"}


@artifact("r003-F5", render=render_history)
def mnist_1000_from_scratch(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r003 Figura 5: the same architecture on the same 1,000 digits from scratch (report: similar to transfer)."""
    data, label = _mnist_1000(quick, seed)
    keras.utils.set_random_seed(seed)
    run = train_digits(models.emnist_net(data.image_shape, 10), data, epochs=epochs_for(30, quick), seed=seed,
                      workdir=workdir, augmentation=R003_AUGMENTATION.without_flip())
    return {**run_summary(run, "EMNIST net from scratch"), "dataset": label, "title": "EMNIST architecture from scratch"}


# ------------------------------------------------------------------ quick mode's stand-in for ImageNet weights

def standin_backbone(size: int) -> keras.Model:
    """A small CNN (three convs, global average pooling, BatchNorm): quick mode's stand-in for ResNet50.

    Example:
        >>> standin_backbone(64).output_shape
        (None, 128)
    """
    return keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"), layers.MaxPooling2D(name="pool1"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"), layers.MaxPooling2D(name="pool2"),
        layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3"), layers.GlobalAveragePooling2D(name="gap"),
        # Standardized features, like ResNet50's after its last BatchNorm: a new head can learn at Adam's usual rate.
        layers.BatchNormalization(name="features_bn"),
    ], name="standin_backbone")


def quick_pretrained_base(size: int, seed: int):
    """Quick mode's stand-in for an ImageNet backbone: :func:`standin_backbone` pretrained on the spot, and its preprocessing.

    It learns on the 8 Fashion-MNIST classes that the stand-in tasks do not
    use (they use T-shirt and trouser), so, as with ImageNet, its features
    come from other classes.

    Example:
        >>> base, preprocess = quick_pretrained_base(64, seed=0)  # doctest: +SKIP
    """
    def compute():
        base = standin_backbone(size)
        _pretrain_on_other_classes(base, size, seed, train=2000)
        return base.get_weights()

    weights = cached(("quick_pretrained_base", size, seed), compute)
    base = standin_backbone(size)
    base.set_weights(weights)
    return base, _scale_to_unit_range


def _scale_to_unit_range(x):
    return x / 127.5 - 1.0


def _binary_head(base: keras.Model, shape, dropout: float = 0.2) -> keras.Model:
    inputs = keras.Input(shape, name="image")
    x = layers.Identity(name="features")(base(inputs, training=False))
    outputs = logits_layer(1)(layers.Dropout(dropout, name="dropout")(x))
    return keras.Model(inputs, outputs, name=f"{base.name}_binary")


# ------------------------------------------------------------------ r000 section 3: Alien vs Predator, four ways

R000_ALTERNATIVES = ("From scratch", "Pretrained + SVM", "Fine-tuning", "Fine-tuning + DA")


def _alien_data(quick: bool, seed: int, workdir):
    if quick:
        root = standins.write_image_folder(Path(workdir).parent / "alien-standin" / "alien-vs-predator", size=64,
                                           split_names=("train", "validation"), class_dirs=("alien", "predator"),
                                           train_per_class=150, test_per_class=50, seed=seed)
        return load_dataset("alien_vs_predator", data_root=root.parent, image_size=(64, 64)), \
            "Fashion-MNIST T-shirt vs trouser folders (quick stand-in for Alien vs Predator)"
    return load_dataset("alien_vs_predator", image_size=(224, 224)), "Alien vs Predator (694 train / 200 validation)"


def _pretrained(quick: bool, seed: int, size: int):
    if quick:
        return quick_pretrained_base(size, seed)
    return models.resnet50_backbone((size, size, 3), "imagenet"), _pretrained_preprocess(quick)


def _pretrained_preprocess(quick: bool):
    return _scale_to_unit_range if quick else keras.applications.resnet50.preprocess_input


def alien_alternatives(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r000's four ways to classify Alien vs Predator, each with its validation accuracy and penultimate features.

    From scratch (the same network, random weights), pretrained features +
    linear SVM, fine-tuning (head 5 epochs frozen, then 5 unfrozen at Adam
    1e-5) and the same with r001's augmentation. Full runs use ResNet50 with
    ImageNet weights; quick runs a small CNN pretrained on the spot.

    Example:
        >>> runs = alien_alternatives(quick=True, workdir="out/.work/alien")  # doctest: +SKIP
    """
    def compute():
        data, label = _alien_data(quick, seed, workdir)
        size, shape = data.image_shape[0], data.image_shape
        runs = {}
        keras.utils.set_random_seed(seed)
        scratch_base = standin_backbone(size) if quick else models.resnet50_backbone(shape, None)
        preprocess = _pretrained_preprocess(quick)  # the same inputs as the pretrained alternatives
        scratch = _binary_head(scratch_base, shape)
        training.compile_classifier(scratch, keras.optimizers.Adam(1e-3), binary=True)
        train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=32, seed=seed, preprocess=preprocess)
        val = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=32, shuffle=False, preprocess=preprocess)
        training.fit(scratch, train, validation_data=val, epochs=epochs_for(20, quick), seed=seed,
                     workdir=shared_workdir(workdir, "alien_scratch"))
        runs["From scratch"] = scratch

        base, preprocess = _pretrained(quick, seed, size)
        svm = features.pretrained_svm(base, preprocess, seed=seed).fit(data.x_train, data.y_train)
        runs["Pretrained + SVM"] = svm

        for name, augmentation in (("Fine-tuning", None), ("Fine-tuning + DA", Augmentation.r001())):
            base, preprocess = _pretrained(quick, seed, size)
            model = _binary_head(base, shape)
            train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=32, seed=seed, preprocess=preprocess,
                                             augmentation=augmentation)
            fit_two_phase(model, base, train, validation_data=val, head_epochs=epochs_for(5, quick, 8),
                          finetune_epochs=epochs_for(5, quick, 2), head_optimizer=lambda: keras.optimizers.Adam(1e-3),
                          finetune_optimizer=lambda: keras.optimizers.Adam(1e-5), seed=seed,
                          workdir=shared_workdir(workdir, f"alien_{name.replace(' + ', '_').replace('-', '').lower()}"))
            runs[name] = model

        results = {}
        for name, run in runs.items():
            if name == "Pretrained + SVM":
                predictions = run.predict(data.x_test)
                feats = run[0].transform(data.x_test)  # the fitted KerasFeatures step: features before scaling
            else:
                predictions = evaluation.predicted_classes(evaluation.predict_logits(run, val))
                feats = evaluation.layer_features(run, "features", preprocess(data.x_test.astype("float32")))
            results[name] = {"accuracy": float(np.mean(predictions == data.y_test)), "features": feats,
                             "predictions": predictions}
        return {"results": results, "data": data, "dataset": label}

    return cached(("alien", quick, seed, str(Path(workdir).parent)), compute)


@artifact("r000-T6", render=render_markdown_table)
def alien_accuracy_table(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r000 Tabla 6: validation accuracy of the four alternatives (report: 72.0 / 90.5 / 93.5 / 95.0 %)."""
    run = alien_alternatives(quick, seed, workdir)
    accuracy = {name: run["results"][name]["accuracy"] for name in R000_ALTERNATIVES}
    report = {name: report_value("r000-T6", f"metrics.{name}") for name in R000_ALTERNATIVES}
    return {"dataset": run["dataset"], "metrics": accuracy,
            "header": ["", *R000_ALTERNATIVES],
            "rows": [["Accuracy", *(f"{accuracy[n]:.2%}" for n in R000_ALTERNATIVES)],
                     ["Report", *(f"{report[n]:.2%}" for n in R000_ALTERNATIVES)]],
            "note": f"Data: {run['dataset']}; {len(run['data'].y_test)} validation images."}


@artifact("r000-F10", render=render_tsne)
def alien_tsne(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r000 Figura 10: t-SNE of each alternative's features with a linear boundary; circled points fall on the wrong side."""
    run = alien_alternatives(quick, seed, workdir)
    labels = run["data"].y_test
    panels, metrics = [], {}
    for name in R000_ALTERNATIVES:
        embedding = evaluation.tsne_embedding(run["results"][name]["features"], seed=seed, perplexity=min(30.0, (len(labels) - 1) / 3))
        boundary, separable = features.linear_boundary_2d(embedding, labels, seed=seed)
        w0, w1, b = boundary
        wrong = np.flatnonzero(((embedding @ np.array([w0, w1]) + b) > 0).astype(int) != labels)
        panels.append({"title": f"{name} (linear separation {separable:.0%})", "embedding": embedding, "boundary": boundary,
                       "errors": wrong})
        metrics[name] = {"linear_separability": separable, "accuracy": run["results"][name]["accuracy"]}
    return {"model": "four alternatives", "dataset": run["dataset"], "class_names": run["data"].class_names,
            "labels": labels, "panels": panels, "metrics": metrics}


# ------------------------------------------------------------------ r001 exercise 3: ResNet50 on Caltech-UCSD Birds

def _birds(quick: bool, seed: int):
    if quick:
        data = standins.colour_standin(train=800, test=300, size=64, seed=seed)
        return data, "Fashion-MNIST 64x64 RGB (quick stand-in for Caltech-UCSD Birds 2010)"
    return load_dataset("caltech_birds2010", image_size=(224, 224)), "Caltech-UCSD Birds 200 (2010)"


def birds_features(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """ResNet50's 7x7x2048 maps (and their average, the 2048 pooled features) of every bird image, computed once.

    Example:
        >>> feats = birds_features(quick=True, workdir="out/.work/birds")  # doctest: +SKIP
    """
    def compute():
        data, label = _birds(quick, seed)
        base = models.resnet50_backbone(data.image_shape, None if quick else "imagenet", pooling=None)
        extractor = features.KerasFeatures(base, keras.applications.resnet50.preprocess_input)
        extractor.fit(data.x_train)
        maps = {split: extractor.transform(x).reshape(len(x), *base.output_shape[1:])
                for split, x in (("train", data.x_train), ("test", data.x_test))}
        return {"data": data, "dataset": label + (" (ResNet50 weights=None, quick)" if quick else ""), "maps": maps}

    return cached(("birds_features", quick, seed), compute)


def _birds_head_run(kind: str, quick: bool, seed: int, workdir) -> dict:
    feats = birds_features(quick, seed, workdir)
    data = feats["data"]
    pick = (lambda maps: maps) if kind == "conv" else (lambda maps: maps.mean(axis=(1, 2)))
    x_train, x_test = pick(feats["maps"]["train"]), pick(feats["maps"]["test"])
    (x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(x_train, data.y_train, 0.1)
    keras.utils.set_random_seed(seed)
    model = models.resnet50_head(kind, data.num_classes, feature_shape=x_train.shape[1:])
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    train = pipelines.array_pipeline(x_fit, y_fit, batch_size=64, seed=seed)
    val = pipelines.array_pipeline(x_val, y_val, batch_size=256, shuffle=False)
    test = pipelines.array_pipeline(x_test, data.y_test, batch_size=256, shuffle=False)
    history = training.fit(model, train, validation_data=val, epochs=epochs_for(20, quick, 5), seed=seed, workdir=workdir)
    run = {"model": model, "history": history, "metrics": _test_metrics(model, data, test)}
    return {**run_summary(run, f"ResNet50 features + {kind} head"), "dataset": feats["dataset"]}


@artifact("r001-F19", render=render_history)
def birds_dense_head(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r001 Figures 19-20: ResNet50 features -> Dense 200 (report: test accuracy 0.4385)."""
    return {**_birds_head_run("dense", quick, seed, workdir)}


@artifact("r001-F21", render=render_history)
def birds_mlp_head(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r001 Figures 21-22: Dropout/Dense 1024/BN/Dense 512/BN head (report: 0.4494)."""
    return {**_birds_head_run("mlp", quick, seed, workdir)}


@artifact("r001-F23", render=render_history)
def birds_conv_head(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r001 Figures 23-24: a conv head on the 7x7x2048 map (report: 0.3811)."""
    return {**_birds_head_run("conv", quick, seed, workdir)}


@artifact("r001-F25", render=render_history)
def birds_finetuned(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r001 Figures 25-26: all of ResNet50 fine-tuned with a 200-way head, 10 epochs, r001's SGD (report: 0.4477)."""
    data, label = _birds(quick, seed)
    if quick:  # all of ResNet50 trains here: keep the CPU run to about a minute
        data = data.take(train=300, test=200, seed=seed)
    keras.utils.set_random_seed(seed)
    model = models.resnet50_classifier("dense", data.num_classes, data.image_shape, None if quick else "imagenet", frozen=False)
    training.compile_classifier(model, training.sgd_with_decay(0.01, decay=1e-6, momentum=0.9))
    (x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(data.x_train, data.y_train, 0.1)
    preprocess = keras.applications.resnet50.preprocess_input
    train = pipelines.array_pipeline(x_fit, y_fit, batch_size=32, seed=seed, preprocess=preprocess)
    val = pipelines.array_pipeline(x_val, y_val, batch_size=64, shuffle=False, preprocess=preprocess)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=64, shuffle=False, preprocess=preprocess)
    history = training.fit(model, train, validation_data=val, epochs=epochs_for(10, quick, 2), seed=seed, workdir=workdir)
    run = {"model": model, "history": history, "metrics": _test_metrics(model, data, test)}
    return {**run_summary(run, "ResNet50 fine-tuned"), "dataset": label + (" (weights=None, quick)" if quick else "")}


# ------------------------------------------------------------------ r004: three backbones, frozen and fine-tuned

R004_NAMES = {"alexnet": "AlexNet", "resnet34": "ResNet34", "efficientnetb0": "EfficientNetB0"}

def r004_runs(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """Train AlexNet, ResNet34 and EfficientNetB0 with r004's heads, frozen and fine-tuned (batch 32, Adam 1e-3).

    Inputs follow r004: resize 256, centre crop 224, ImageNet mean/std (for
    EfficientNetB0, which normalizes inside, the cropped pixels). Quick mode:
    the monkeys stand-in folder at 72 -> 64 pixels, ``weights=None``.

    Example:
        >>> runs = r004_runs(quick=True, workdir="out/.work/r004")  # doctest: +SKIP
    """
    def compute():
        resize, crop = (72, 64) if quick else (256, 224)
        data, label = _monkeys(quick, seed, workdir, full_size=resize)
        runs, missing = {}, {}
        for backbone, name in R004_NAMES.items():
            normalize = backbone != "efficientnetb0"
            x_train, x_test = (pipelines.imagenet_eval_transform(x, resize=resize, crop=crop, normalize=normalize).numpy()
                               for x in (data.x_train, data.x_test))
            for frozen in (True, False):
                keras.utils.set_random_seed(seed)
                try:
                    model = models.r004_classifier(backbone, data.num_classes, (crop, crop, 3), None if quick else "imagenet",
                                                   frozen=frozen)
                except WeightsNotFoundError as error:  # the other backbones still train; the table says what is missing
                    missing[name] = str(error)
                    break
                training.compile_classifier(model, keras.optimizers.Adam(1e-3))
                train = pipelines.array_pipeline(x_train, data.y_train, batch_size=32, seed=seed)
                test = pipelines.array_pipeline(x_test, data.y_test, batch_size=32, shuffle=False)
                mode = "frozen" if frozen else "finetuned"
                history = training.fit(model, train, validation_data=test, epochs=epochs_for(10, quick, 2), seed=seed,
                                       workdir=shared_workdir(workdir, f"r004_{backbone}_{mode}"))
                predictions = evaluation.predicted_classes(evaluation.predict_logits(model, test))
                runs[(name, frozen)] = {
                    "metrics": evaluation.classification_metrics(data.y_test, predictions, data.class_names),
                    "confusion": evaluation.confusion_matrix(data.y_test, predictions, data.num_classes),
                    "history": evaluation.history_dict(history), "params": evaluation.parameter_counts(model),
                }
        return {"runs": runs, "missing": missing, "class_names": data.class_names, "dataset": label}

    return cached(("r004", quick, seed, str(Path(workdir).parent)), compute)


def _vanilla(quick: bool, seed: int, workdir) -> dict:
    from practicas.basenet.artifacts import vanilla_cnn_monkeys

    return cached(("r004_vanilla", quick, seed, str(Path(workdir).parent)),
                  lambda: vanilla_cnn_monkeys(quick=quick, seed=seed, workdir=shared_workdir(workdir, "r004-VCNN")))


@artifact("r004-T1", render=render_markdown_table)
def r004_results_table(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Tabla 1: accuracy and macro F1 of VanillaCNN and each backbone frozen and fine-tuned."""
    runs, vanilla = r004_runs(quick, seed, workdir), _vanilla(quick, seed, workdir)
    def report(row: str) -> str:
        return " / ".join(f"{report_value('r004-T1', f'metrics.{row}.{key}'):.4f}" for key in ("accuracy", "macro_f1"))

    rows = [["Vanilla CNN", "-", f"{vanilla['metrics']['accuracy']:.4f}", f"{vanilla['metrics']['macro_f1']:.4f}", report("Vanilla CNN")]]
    metrics = {"Vanilla CNN": {"accuracy": vanilla["metrics"]["accuracy"], "macro_f1": vanilla["metrics"]["macro_f1"]}}
    for (name, frozen), run in runs["runs"].items():
        m, row = run["metrics"], f"{name} {'frozen' if frozen else 'fine-tuned'}"
        rows.append([name, "Yes" if frozen else "No", f"{m['accuracy']:.4f}", f"{m['macro_f1']:.4f}", report(row)])
        metrics[row] = {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}
    for name, why in runs["missing"].items():
        rows.append([name, "-", "weights missing", "-", f"frozen {report(f'{name} frozen')}, fine-tuned {report(f'{name} fine-tuned')}"])
    note = f"Data: {runs['dataset']}." + "".join(f"\n\n{name} did not train: {why}" for name, why in runs["missing"].items())
    return {"dataset": runs["dataset"], "metrics": metrics, "header": ["Architecture", "Frozen", "Accuracy", "Macro F1", "Report"],
            "rows": rows, "note": note, "missing": runs["missing"]}


@artifact("r004-F8", render=lambda d: plots.plot_confusion_matrices(
    {k: None if v is None else np.asarray(v) for k, v in d["confusion"].items()}, d["class_names"],
    title=f"Confusion matrices — {d['dataset']}"))
def r004_confusion_matrices(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Figuras 8-11: confusion matrices of the Vanilla CNN and each backbone frozen and fine-tuned, in one PNG."""
    runs, vanilla = r004_runs(quick, seed, workdir), _vanilla(quick, seed, workdir)
    # Vanilla CNN alone on the first row (report Figure 8), then each backbone frozen | fine-tuned (Figures 9-11).
    confusion = {"Vanilla CNN": vanilla["confusion"], " ": None}
    confusion.update({f"{name} {'frozen' if frozen else 'fine-tuned'}": run["confusion"] for (name, frozen), run in runs["runs"].items()})
    return {"dataset": runs["dataset"], "class_names": runs["class_names"], "confusion": confusion,
            "metrics": {f"{k} correct": int(np.trace(np.asarray(v))) for k, v in confusion.items() if v is not None},
            "missing": runs["missing"]}


@artifact("r004-P", render=render_markdown_table)
def r004_parameter_counts(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 parameter counts: backbones alone (trainable, as PyTorch counts) and with their heads."""
    builders = {"AlexNet": lambda: models.alexnet(weights=None), "ResNet34": lambda: models.resnet34(weights=None),
                "EfficientNetB0": lambda: models.efficientnet_b0(weights=None)}
    rows, params = [], {}
    for backbone, name in R004_NAMES.items():
        base = evaluation.parameter_counts(builders[name]())
        full = evaluation.parameter_counts(models.r004_classifier(backbone, weights=None, frozen=False))
        params[name] = {"backbone_trainable": base["trainable"], "with_head_trainable": full["trainable"], "total": full["total"]}
        rows.append([name, f"{base['trainable']:,}", f"{report_value('r004-P', f'params.{name}.backbone_trainable'):,}",
                     f"{full['trainable']:,}", f"{report_value('r004-P', f'params.{name}.with_head_trainable'):,}"])
    return {"params": params, "header": ["Backbone", "Backbone (ours)", "Backbone (report)", "With head (ours)", "With head (report)"],
            "rows": rows, "note": "Trainable parameters, as PyTorch counts them. The report counts only the output layer of "
                                  "the ResNet34 (256 -> 10) and EfficientNetB0 (512 -> 10) heads, not their hidden Dense layer."}
