# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # practicas — Practical 2: transfer learning (r000 section 3, r001 exercise 3, r003 exercise 3, r004).
#
# One section per experiment of the reports: its setting and the report's numbers, then the code. Every artifact ID is listed in the README's figure index; `python -m practicas run ID` writes the same files.

# %% tags=["parameters"]
# Set-up: run these two cells first. In Colab: Runtime > Change runtime type > GPU (for QUICK = False).
QUICK = True  # True: offline stand-in data, minutes on a CPU. False: the reports' data and settings (use a GPU)
SMOKE = False  # with QUICK = False: the full configuration, every fit capped at 2 steps (checks the whole path)
SEED = 0  # one seed fixes the weights, the data order and the augmentation
DATA, OUT = "data", "out"  # where datasets are looked for (and downloaded to), and where every figure is written
USE_DRIVE = False  # Colab: DATA and OUT on Google Drive, so a runtime that disconnects resumes where it stopped
# Where pip gets practicas when this runtime lacks it (a fresh Colab): your course's git URL
# ("git+https://github.com/ORG/practicas"), or a wheel or folder of it on Google Drive
# ("/content/drive/MyDrive/practicas-0.1.0-py3-none-any.whl"). An installed practicas ignores it.
PRACTICAS_SOURCE = ""

# %%
# PRACTICAS_QUICK, PRACTICAS_SMOKE, PRACTICAS_DATA and PRACTICAS_OUT in the environment override the values above.
# `python -m practicas run ID` makes its own session from its arguments and runs the cells of ID's section after it.
import subprocess
import sys
from importlib.util import find_spec

if find_spec("practicas") is None:
    if not PRACTICAS_SOURCE:
        raise ModuleNotFoundError(
            "practicas is not installed here: set PRACTICAS_SOURCE above to a git URL, or the path of a wheel or "
            "folder on Drive, and run this cell again"
        ) from None
    if PRACTICAS_SOURCE.startswith("/content/drive"):
        from google.colab import drive

        drive.mount("/content/drive")
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", PRACTICAS_SOURCE])
from practicas.session import start
from practicas.versions import tfds_protobuf_problem

if tfds_protobuf_problem():  # Colab's 2026 image: tensorflow-metadata 1.21 on protobuf 5.29 (tensorflow/metadata#68)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "tensorflow-metadata<1.21"])

session = start(quick=QUICK, smoke=SMOKE, seed=SEED, data=DATA, out=OUT, drive=USE_DRIVE, practical="transfer")

# %%
# Kaggle credentials, for a full run's 10 Monkey Species and Alien vs Predator (kagglehub downloads them into
# its cache once). Kaggle > Settings > API: create a token. In Colab, store it as the secrets KAGGLE_USERNAME and
# KAGGLE_KEY (the key icon on the left; allow this notebook access). Elsewhere, run kagglehub.login() in a cell of
# its own and paste the token, or put kaggle.json in ~/.kaggle/. This cell only looks for them, in a full run.
import os
from pathlib import Path

token_files = [Path("~/.kaggle", name).expanduser() for name in ("kaggle.json", "access_token")]
have_kaggle = any(os.environ.get(name) for name in ("KAGGLE_KEY", "KAGGLE_API_TOKEN")) or any(
    f.exists() for f in token_files
)
if not (session.quick or session.smoke or have_kaggle):
    try:
        from google.colab import userdata  # Colab's secrets

        os.environ["KAGGLE_USERNAME"], os.environ["KAGGLE_KEY"] = (
            userdata.get("KAGGLE_USERNAME"),
            userdata.get("KAGGLE_KEY"),
        )
    except Exception:  # not Colab, no such secret, or access refused: the Kaggle sections say what to do
        print("No Kaggle credentials: the two Kaggle datasets will say how to get them; every other section runs")

# %% [markdown]
# ## r000: Alien vs Predator, four ways
#
# From scratch, pretrained features + linear SVM, fine-tuning, and fine-tuning with augmentation, on 694 training and 200 validation images.
#
# **What it asks.** «Compare las representaciones t-SNE de las diferentes alternativas: entrenamiento desde cero, pre-entrenamiento + SVM, ajuste fino (sin data augmentation) y ajuste fino (con data augmentation) [...] comente sus diferencias en cuanto a la capacidad de separar linealmente ambas clases.» — *Compare the t-SNE maps of the four alternatives (from scratch, pretrained + SVM, fine-tuning, fine-tuning with augmentation) and how linearly separable each makes the two classes.*
#
# **The idea.** Four ways to use a network pretrained on ImageNet with 694 images: ignore the pretraining (from scratch); use its features as they are, with a linear classifier on top (SVM); adapt them (fine-tuning: the new head first, with the base frozen, then everything at a low rate); and adapt them on augmented images. The better the features, the more linearly separable the classes are in the layer before the logit, which r000-F10 draws.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r000-T6: validation accuracy, from scratch 72.00%, validation accuracy, features + SVM 90.50%, validation accuracy, fine-tuning 93.50%, validation accuracy, fine-tuning + augmentation 95.00%
#
# Artifacts: r000-T6 (Alien vs Predator: from scratch, pretrained + SVM, fine-tuning, fine-tuning + augmentation), r000-F10 (Alien vs Predator t-SNE of each alternative's features with the SVM boundary).

# %%
session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode
# 694 training and 200 validation images of aliens and predators (Kaggle, downloaded through kagglehub into
# DATA; QUICK: Fashion-MNIST T-shirts vs trousers at 64x64), and the network all four alternatives share:
# ResNet50 (ImageNet weights) + Dropout + one logit. QUICK: a small CNN pretrained on the spot on 8 other classes.
from practicas import pipelines, standins
from practicas.transfer import artifacts, models

data, label = session.data("alien_vs_predator")
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)


def pretrained_base():
    """ResNet50 with ImageNet weights, without its classifier (QUICK: the small CNN pretrained on other classes);
    a fresh copy each call, as each alternative trains its own."""

    def build(context):
        if context.quick:
            return standins.quick_pretrained_base(data.image_shape[0], session.seed)[0]
        return models.resnet50_backbone(data.image_shape, weights="imagenet")

    return session.model(build)


backbone = pretrained_base()  # weights missing? it says so, and the section goes on with the stand-in
print(backbone.name, f"{backbone.count_params():,} parameters, features", backbone.output_shape)

# %%
# The four alternatives see the same inputs: ResNet50's own preprocessing (QUICK: pixels to [-1, 1]), batches of 32,
# validated on the 200 validation images; each network is base + Dropout 0.2 + one logit.
import keras

from practicas import training
from practicas.runmode import epochs_for
from practicas.transfer import features
from practicas.transfer.finetune import FREEZE_BATCHNORM_WHEN_FINE_TUNING, set_trainable

BATCH_SIZE = 32
preprocess = standins.scale_to_unit_range if session.quick else keras.applications.resnet50.preprocess_input
common = dict(batch_size=BATCH_SIZE, preprocess=preprocess)
validation = pipelines.array_pipeline(data.x_test, data.y_test, shuffle=False, **common)
one_logit = dict(
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],  # a logit above 0: the second class
)


# 1. From scratch: the same network with random weights, Adam 1e-3, 20 epochs (3 in quick mode).
SCRATCH_EPOCHS = epochs_for(20, session.quick)
training.set_seed(session.seed)
base = (
    standins.standin_backbone(data.image_shape[0])
    if session.quick
    else models.resnet50_backbone(data.image_shape, weights=None)
)
from_scratch = models.binary_classifier(base, data.image_shape)
from_scratch.compile(optimizer=keras.optimizers.Adam(1e-3), **one_logit)
train = pipelines.array_pipeline(data.x_train, data.y_train, seed=session.seed, **common)
tracking = session.fit_callbacks("alien_scratch", train)  # interrupted? rerun: training resumes
from_scratch.fit(train, validation_data=validation, epochs=SCRATCH_EPOCHS, callbacks=[tracking], verbose=0)

# 2. Pretrained + SVM: the 2,048 pooled ImageNet features, standardized, into a linear SVM; the network does not train.
training.set_seed(session.seed)
svm = features.pretrained_svm(pretrained_base(), preprocess, seed=session.seed).fit(data.x_train, data.y_train)

# %%
# 3 and 4. Fine-tuning in two phases (as in r003's section below): the head alone 5 epochs with the base frozen
# (Adam 1e-3), then everything 5 more (Adam 1e-5); 4 adds r001's flips, shifts, zoom and rotation to the training
# images. r000 trained in PyTorch, whose model.train() lets BatchNorm update its statistics: so does this
# (FREEZE_BATCHNORM_WHEN_FINE_TUNING["r000"] is False).
HEAD_EPOCHS, FINE_TUNE_EPOCHS = epochs_for(5, session.quick), epochs_for(5, session.quick, 2)
HEAD_LEARNING_RATE, FINE_TUNE_LEARNING_RATE = 1e-3, 1e-5


def fine_tuned(name, augmentation=None):
    training.set_seed(session.seed)
    base = pretrained_base()
    model = models.binary_classifier(base, data.image_shape)
    train = pipelines.array_pipeline(data.x_train, data.y_train, seed=session.seed, augmentation=augmentation, **common)
    base.trainable = False  # phase 1: the new head alone
    model.compile(optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE), **one_logit)
    head = session.fit_callbacks(f"{name}-head", train)
    model.fit(train, validation_data=validation, epochs=HEAD_EPOCHS, callbacks=[head], verbose=0)
    set_trainable(base, "all", freeze_batchnorm=FREEZE_BATCHNORM_WHEN_FINE_TUNING["r000"])  # phase 2: everything
    model.compile(optimizer=keras.optimizers.Adam(FINE_TUNE_LEARNING_RATE), **one_logit)  # recompile: trainable changed
    tracking = session.fit_callbacks(f"{name}-finetune", train, previous=head.history, initial_epoch=HEAD_EPOCHS)
    total = HEAD_EPOCHS + FINE_TUNE_EPOCHS
    model.fit(
        train, validation_data=validation, epochs=total, initial_epoch=HEAD_EPOCHS, callbacks=[tracking], verbose=0
    )
    return model


alternatives = {
    "From scratch": from_scratch,
    "Pretrained + SVM": svm,
    "Fine-tuning": fine_tuned("alien_finetuning"),
    "Fine-tuning + DA": fine_tuned("alien_finetuning_da", augmentation=pipelines.Augmentation.r001()),
}
run = artifacts.alien_results(alternatives, data, label, preprocess)
print({name: f"{result['accuracy']:.1%}" for name, result in run["results"].items()})

# %%
# The table, and how separable each alternative's features are: a t-SNE map of the 200 validation images with
# the best straight line drawn (circled points fall on its wrong side).
session.save("r000-T6", artifacts.alien_table(run))
session.save("r000-F10", artifacts.alien_embeddings(run, session.seed))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r001: ResNet50 on Caltech-UCSD Birds (2010)
#
# ImageNet ResNet50 features under three heads (Dense 200, an MLP, a conv head on the 7x7x2048 map), then all of ResNet50 fine-tuned with r001's SGD.
#
# **What it asks.** «En este ejercicio vamos a utilizar la red ResNet50 pre-entrenada con ImageNet como extractor de características para el conjunto de datos Caltech-UCSD [...] También re-entrenaremos la red para clasifique directamente las imágenes de esta base de datos, es decir, haremos fine tunning.» — *Use ImageNet ResNet50 as a feature extractor for Caltech-UCSD Birds, then retrain the network to classify these images directly (fine-tuning).*
#
# **The idea.** A frozen backbone turns each image into features once; a small head then trains on them in seconds, and different heads can be compared cheaply. Fine-tuning all of ResNet50 on 200 classes from about 3,000 images overfits fast: the report found the features plus a small MLP head as good, for a fraction of the time.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r001-F19: test accuracy 43.85%
# - r001-F21: test accuracy 44.94%
# - r001-F23: test accuracy 38.11%
# - r001-F25: test accuracy 44.77%
#
# Artifacts: r001-F19 (ResNet50 features -> Dense 200 on Caltech-UCSD Birds 2010), r001-F21 (ResNet50 features -> Dropout/Dense 1024/BN/Dense 512/BN head -> Dense 200), r001-F23 (ResNet50 7x7x2048 map -> conv head -> Dense 200), r001-F25 (ResNet50 fine-tuned with a 200-way head, 10 epochs, SGD).

# %%
session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode
# Caltech-UCSD Birds 200, 2010 edition: 6,033 images of 200 species (tensorflow_datasets downloads it into DATA;
# QUICK: a stand-in). r001 kept ResNet50 (ImageNet weights) frozen and trained heads on what it computes.
from practicas.transfer import artifacts, models

data, label = session.data("caltech_birds2010")
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, data.num_classes, "classes")
features = session.model(artifacts.birds_features)  # every image through ResNet50 once (weights missing? it says so)
print("ResNet50's maps:", {split: maps.shape for split, maps in features["maps"].items()})

# %%
# Three heads on those features, each Adam 1e-3, batch 64, 20 epochs (5 in quick mode), 10 % held out:
# Dense 200 on the 2,048 averaged features; an MLP (Dropout .4, Dense 1024, BN, ReLU, Dropout .4, Dense 512, BN,
# ReLU, Dense 200); a conv head (Conv 3x3 64, BN, ReLU, Dropout, Dense 1024 ... 200) on the 7x7x2048 map.
import keras

from practicas import figures, pipelines, training
from practicas.experiments import evaluate_classifier
from practicas.runmode import epochs_for

EPOCHS = epochs_for(20, session.quick, 5)
BATCH_SIZE = 64
LEARNING_RATE = 1e-3

birds = features["data"]
for artifact_id, kind in [("r001-F19", "dense"), ("r001-F21", "mlp"), ("r001-F23", "conv")]:
    maps = features["maps"]
    # The conv head reads the 7x7x2048 map; the other two its average over the 7x7 positions.
    x_train, x_test = (
        (maps["train"], maps["test"]) if kind == "conv" else (maps["train"].mean((1, 2)), maps["test"].mean((1, 2)))
    )
    training.set_seed(session.seed)
    head = models.resnet50_head(x_train.shape[1:], birds.num_classes, kind=kind)
    print(artifact_id, kind, f"head: {head.count_params():,} parameters")
    head.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    (x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(x_train, birds.y_train, 0.1)
    train = pipelines.array_pipeline(x_fit, y_fit, batch_size=BATCH_SIZE, seed=session.seed)  # features, not pixels
    validation = pipelines.array_pipeline(x_val, y_val, batch_size=256, shuffle=False)
    test = pipelines.array_pipeline(x_test, birds.y_test, batch_size=256, shuffle=False)
    tracking = session.fit_callbacks(f"birds_{kind}_head-lr{LEARNING_RATE}", train)  # interrupted? rerun: resumes
    head.fit(train, validation_data=validation, epochs=EPOCHS, callbacks=[tracking], verbose=0)
    run = {"model": head, "history": tracking.history, "dataset": features["dataset"]}
    run |= evaluate_classifier(head, test, birds)
    session.save(artifact_id, figures.curves(run, f"ResNet50 features + {kind} head"))

# %%
# Then all of ResNet50 fine-tuned under a Dense 200 head: r001's SGD (lr 0.01, decay 1e-6, momentum 0.9),
# batch 32, 10 epochs (QUICK: 100 images, 2 epochs, weights=None, steps run eagerly: all of ResNet50 trains, on a
# CPU, where tracing its training step costs more than these few steps).
from practicas.transfer.finetune import FREEZE_BATCHNORM_WHEN_FINE_TUNING

EPOCHS = epochs_for(10, session.quick, 2)
BATCH_SIZE = 32
LEARNING_RATE = 0.01

finetune_data = data.take(train=100, test=50, seed=session.seed) if session.quick else data
training.set_seed(session.seed)
model = models.resnet50_classifier(
    data.image_shape,
    data.num_classes,
    kind="dense",
    weights=None if session.quick else "imagenet",
    frozen=False,
    # ImageNet statistics kept (FREEZE_BATCHNORM_WHEN_FINE_TUNING); quick's random ResNet50 has none to keep,
    # and frozen at their initial values its 50 layers' activations overflow: it trains them.
    freeze_batchnorm=FREEZE_BATCHNORM_WHEN_FINE_TUNING["r001"] and not session.quick,
)
model.compile(
    optimizer=training.sgd_with_decay(LEARNING_RATE, decay=1e-6, momentum=0.9),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
    run_eagerly=session.run_eagerly,  # QUICK and SMOKE: a few steps cost less than tracing the graph
)
# ResNet50's own input scale: RGB to BGR and the ImageNet channel means subtracted, as its weights were trained.
resnet = dict(preprocess=keras.applications.resnet50.preprocess_input)
(x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(finetune_data.x_train, finetune_data.y_train, 0.1)
train = pipelines.array_pipeline(x_fit, y_fit, batch_size=BATCH_SIZE, seed=session.seed, **resnet)
validation = pipelines.array_pipeline(x_val, y_val, batch_size=64, shuffle=False, **resnet)
test = pipelines.array_pipeline(finetune_data.x_test, finetune_data.y_test, batch_size=64, shuffle=False, **resnet)
tracking = session.fit_callbacks(f"birds_finetuned-lr{LEARNING_RATE}", train)  # interrupted? rerun: training resumes
model.fit(train, validation_data=validation, epochs=EPOCHS, callbacks=[tracking], verbose=0)
dataset = label + (" (weights=None, quick)" if session.quick else "")
run = {"model": model, "history": tracking.history, "dataset": dataset}
run |= evaluate_classifier(model, test, finetune_data)
session.save("r001-F25", figures.curves(run, "ResNet50 fine-tuned"))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r003: MobileNet on cats vs dogs
#
# MobileNet (ImageNet, frozen) + GAP + Dropout + Dense 1 on 2,500 images at 128x128: 50 epochs frozen, then 10 fine-tuning everything at a lower rate; and the same network from scratch.
#
# **What it asks.** «Esta técnica se suele utilizar cuando se tiene un set de datos pequeños en donde entrenar una red neuronal de cero conlleva una baja precisión.» — *Transfer learning is used when the dataset is small and training from scratch gives low accuracy* — 2,500 cats and dogs, MobileNet pretrained on ImageNet, then the same network from scratch.
#
# **The idea.** keras.io's transfer-learning recipe, in two phases: freeze the pretrained base and train only the new head, so that its random weights do not send large gradients into the ImageNet features; then unfreeze, recompile at a rate 100 times lower, and fine-tune a few epochs. BatchNormalization stays in inference mode while fine-tuning, keeping its ImageNet statistics.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r003-T1: total parameters 3,229,889, trainable parameters 1,025, non-trainable parameters 3,228,864
# - r003-F1: test accuracy 96.00%
#
# Artifacts: r003-T1 (MobileNet 128x128 + GAP + Dropout + Dense 1 parameter split), r003-F1 (Cats vs dogs: 50 epochs frozen MobileNet, then 10 epochs fine-tuning), r003-F2 (Cats vs dogs: the same MobileNet network trained from scratch).

# %%
session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode
# 2,500 cats and dogs at 128x128 (QUICK: Fashion-MNIST T-shirts vs trousers at 64x64) and r003's network:
# MobileNet (ImageNet weights, frozen) + global average pooling + Dropout + one logit.
import keras

from practicas import figures
from practicas.runmode import epochs_for
from practicas.transfer import models
from practicas.transfer.experiments import R003_AUGMENTATION

data, label = session.data("cats_vs_dogs")
print(label, "- train", data.x_train.shape, "classes", data.class_names)
model = models.mobilenet_cats_vs_dogs(weights=None)  # the architecture; the fits below load ImageNet's weights
title = "MobileNet (frozen) + GAP + Dropout + Dense 1"
session.save("r003-T1", figures.layer_table(model, title=title))  # frozen base: 1,025 of 3,229,889 parameters train

# %%
# Transfer learning in two phases, as keras.io's guide does it. Phase 1: freeze the pretrained base and train only
# the new head, so that its random weights do not send large gradients into the ImageNet features.
# r003: batch 32, the training images augmented (R003_AUGMENTATION), 50 epochs at Adam 1e-3.
# QUICK: no ImageNet offline, so a thin MobileNet pretrained on the spot on 8 other Fashion-MNIST classes; 2 + 1 epochs.
from practicas import standins, training
from practicas.experiments import evaluate_classifier
from practicas.transfer.experiments import binary_pipelines
from practicas.transfer.finetune import FREEZE_BATCHNORM_WHEN_FINE_TUNING

training.set_seed(session.seed)
model = session.model(  # ImageNet's weights missing? it says so, and the section goes on with the stand-in
    lambda context: (
        standins.quick_pretrained_mobilenet(data.image_shape, session.seed)
        if context.quick
        else models.mobilenet_cats_vs_dogs(data.image_shape, weights="imagenet")
    )
)
base = models.backbone_of(model)
HEAD_EPOCHS = epochs_for(50, session.quick, 2)  # read after the model: a missing network makes the section quick
FINE_TUNE_EPOCHS = epochs_for(10, session.quick, 1)
HEAD_LEARNING_RATE, FINE_TUNE_LEARNING_RATE = 1e-3, 1e-5
print(R003_AUGMENTATION)
train, validation, test = binary_pipelines(data, session.seed)  # batch 32; raw pixels: MobileNet rescales inside
one_logit = dict(
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],  # a logit above 0 says dog
)
base.trainable = False
model.compile(optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE), **one_logit)
head = session.fit_callbacks("cats_vs_dogs_transfer-head", train)  # interrupted? rerun: training resumes
model.fit(train, validation_data=validation, epochs=HEAD_EPOCHS, callbacks=[head], verbose=0)

# %%
# Phase 2: unfreeze the base and recompile (a change of `trainable` takes effect when the model is compiled) at a
# rate 100 times lower, then fine-tune everything a few epochs more. BatchNormalization is the exception: keras.io's
# guide keeps it in inference mode, so that batches of 32 cats and dogs do not overwrite its ImageNet statistics.
# A Keras BatchNormalization layer with trainable = False runs in inference mode (FREEZE_BATCHNORM_WHEN_FINE_TUNING
# says, per report, what its framework did: r003 is Keras).
base.trainable = True
if FREEZE_BATCHNORM_WHEN_FINE_TUNING["r003"]:
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
model.compile(optimizer=keras.optimizers.Adam(FINE_TUNE_LEARNING_RATE), **one_logit)
# Keras does not tell callbacks the initial epoch: it is given here too, for the record of this fit's settings.
fine_tune = session.fit_callbacks(
    "cats_vs_dogs_transfer-finetune", train, previous=head.history, initial_epoch=HEAD_EPOCHS
)
total = HEAD_EPOCHS + FINE_TUNE_EPOCHS
model.fit(train, validation_data=validation, epochs=total, initial_epoch=HEAD_EPOCHS, callbacks=[fine_tune], verbose=0)
run = {"model": model, "history": fine_tune.history, "phase_boundary": HEAD_EPOCHS, "data": data, "dataset": label}
run |= evaluate_classifier(model, test, data)  # notebook 03 climbs this network's logit
session.save("r003-F1", figures.curves(run, "MobileNet transfer", title="MobileNet: frozen, then fine-tuned"))

# %%
# The same network from scratch: no ImageNet features, all 3.2 M parameters learned from the 2,500 images, with
# the same pipelines, Adam 1e-3 and as many epochs as both phases above (60). QUICK: a thinner MobileNet (alpha 0.25).
SCRATCH_EPOCHS = epochs_for(60, session.quick)
SCRATCH_LEARNING_RATE = 1e-3

training.set_seed(session.seed)
alpha = 0.25 if session.quick else 1.0
model = models.mobilenet_cats_vs_dogs(data.image_shape, weights=None, frozen=False, alpha=alpha)
model.compile(optimizer=keras.optimizers.Adam(SCRATCH_LEARNING_RATE), **one_logit)
train, validation, test = binary_pipelines(data, session.seed)
tracking = session.fit_callbacks(f"mobilenet_scratch-lr{SCRATCH_LEARNING_RATE}", train)  # interrupted? rerun
model.fit(train, validation_data=validation, epochs=SCRATCH_EPOCHS, callbacks=[tracking], verbose=0)
run = {"model": model, "history": tracking.history, "dataset": label}
run |= evaluate_classifier(model, test, data)
session.save("r003-F2", figures.curves(run, "MobileNet from scratch", title="MobileNet from scratch"))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r003: from EMNIST letters to 1,000 MNIST digits
#
# A small network trained on EMNIST letters a-j; its convolutions frozen and a new head trained on 1,000 MNIST digits with augmentation, against the same network from scratch.
#
# **What it asks.** r003 transfers a network trained on letters to digits: «Es probable que al disminuir la cantidad de datos de training, 100 por ejemplo, la ventaja de la transferencia de aprendizaje se haga notoria.» — *With fewer training images, 100 say, the advantage of transfer learning would probably show.*
#
# **The idea.** Freezing convolutions trained on one task and training a new head on another only pays when the features carry over and the new task has too little data to learn them. Here the letters' strokes are close to the digits', but 1,000 digits are already enough to learn strokes from scratch, so the report found the two networks close.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r003-T2: total parameters 39,790, trainable parameters 19,610, non-trainable parameters 20,180
# - r003-F3: final validation accuracy 91.00%
# - r003-F4: test accuracy 87.00%
#
# Artifacts: r003-T2 (EMNIST net parameter split (39,790 total; 19,610 trainable after freezing)), r003-F3 (EMNIST net training curves), r003-F4 (EMNIST net transferred to MNIST with 1,000 samples (convs frozen)), r003-F5 (EMNIST net architecture on the same 1,000 MNIST samples from scratch).

# %%
session.new_experiment()  # r003: from EMNIST letters to 1,000 MNIST digits: its own mode and record of what it loads and fits
# The source task: EMNIST letters a-j (or, QUICK, a Fashion-MNIST stand-in), and r003's small network.
from practicas import figures, training
from practicas.runmode import epochs_for
from practicas.transfer import models
from practicas.transfer.experiments import R003_AUGMENTATION

letters, label = session.data("emnist_letters")
models.emnist_net(letters.image_shape, 10).summary()
# The same network with its convolutions frozen, as the transfer below uses it.
frozen = models.freeze_convs(models.emnist_net(letters.image_shape, 10))
session.save("r003-T2", figures.layer_table(frozen, title="EMNIST net, convolutions frozen for the transfer"))

# %%
# r003's settings for these 28x28 networks, written out once: pixels / 255, Adam 1e-3, batch 64, the test split as
# validation; augmentation (when given) on the training batches only. The three fits below call it.
import keras

from practicas import pipelines
from practicas.experiments import evaluate_classifier

BATCH_SIZE = 64
LEARNING_RATE = 1e-3


def fit_digits(name, model, data, *, epochs, augmentation=None):
    """Compile and fit a 28x28 network the r003 way; its run: model, history and test metrics."""
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    pixels = dict(mean=0.0, std=255.0)
    train = pipelines.array_pipeline(
        data.x_train, data.y_train, batch_size=BATCH_SIZE, seed=session.seed, augmentation=augmentation, **pixels
    )
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=256, shuffle=False, **pixels)
    tracking = session.fit_callbacks(f"{name}-lr{LEARNING_RATE}", train)  # interrupted? rerun: training resumes
    model.fit(train, validation_data=test, epochs=epochs, callbacks=[tracking], verbose=0)
    return {"model": model, "history": tracking.history} | evaluate_classifier(model, test, data)


# The source network, on the letters: 10 epochs (3 in quick mode).
training.set_seed(session.seed)
source = models.emnist_net(letters.image_shape, 10)  # a fresh network each time this cell runs
run = fit_digits("emnist", source, letters, epochs=epochs_for(10, session.quick))
session.save("r003-F3", figures.curves(run | {"dataset": label}, "EMNIST net", title="EMNIST net"))

# %%
# The transfer: the trained convolutions, frozen, under a new Dense 10, on 1,000 MNIST digits, 30 epochs.
digits, label = session.data("mnist_1000")
augmentation = R003_AUGMENTATION.without_flip()  # shifts, zoom and rotation; a flipped digit would be another digit
EPOCHS = epochs_for(30, session.quick)
training.set_seed(session.seed)
transferred = models.transfer_convs(source, num_classes=10)
transferred.summary()  # 19,610 of its 39,790 parameters train
run = fit_digits("emnist_to_mnist", transferred, digits, epochs=EPOCHS, augmentation=augmentation)
session.save(
    "r003-F4", figures.curves(run | {"dataset": label}, "EMNIST net transferred", title="EMNIST convs frozen, new head")
)

# %%
# The same architecture on the same 1,000 digits, from scratch: how much did the letters help?
training.set_seed(session.seed)
scratch = models.emnist_net(digits.image_shape, 10)
run = fit_digits("mnist_1000_scratch", scratch, digits, epochs=EPOCHS, augmentation=augmentation)
session.save(
    "r003-F5",
    figures.curves(run | {"dataset": label}, "EMNIST net from scratch", title="EMNIST architecture from scratch"),
)

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r004: three backbones on 10 Monkey Species
#
# AlexNet, ResNet34 (torchvision's ImageNet weights) and EfficientNetB0, frozen and fine-tuned, on inputs resized to 256 and centre-cropped to 224; Adam 1e-3, batch 32, 10 epochs.
#
# **What it asks.** «El proceso de Modelamiento contemplará la comparación de 3 Arquitecturas las cuales se compararán utilizando Transfer Learning. Para ello se modificará el proceso de entrenamiento, congelando (freezing) el backbone o permitiendo un fine-tuning.» — *Compare three architectures with transfer learning, training each with its backbone frozen or fine-tuned.*
#
# **The idea.** Frozen, only the head learns, on features the backbone computed for ImageNet; fine-tuned, every weight moves, at the same learning rate here (Adam 1e-3, as r004 did). A rate that suits a new head can wreck pretrained weights: the report's AlexNet fine-tuned falls to 11 % (chance is 10 %), while EfficientNetB0, with BatchNorm throughout, gains.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r004-F6: training images 1,097, validation images 272
# - r004-T1: accuracy, Vanilla CNN 46.32%, macro F1, Vanilla CNN 46.11%, accuracy, AlexNet frozen 94.12%, macro F1, AlexNet frozen 94.18%, accuracy, AlexNet fine-tuned 11.03%, macro F1, AlexNet fine-tuned 1.99%, accuracy, ResNet34 frozen 96.69%, macro F1, ResNet34 frozen 96.64%, accuracy, ResNet34 fine-tuned 89.71%, macro F1, ResNet34 fine-tuned 89.81%, accuracy, EfficientNetB0 frozen 94.85%, macro F1, EfficientNetB0 frozen 94.82%, accuracy, EfficientNetB0 fine-tuned 98.16%, macro F1, EfficientNetB0 fine-tuned 98.12%
# - r004-P: backbone trainable parameters, AlexNet 2,469,696, trainable parameters with head, AlexNet 11,918,154, backbone trainable parameters, ResNet34 21,284,672, trainable parameters with head, ResNet34 21,287,242, backbone trainable parameters, EfficientNetB0 4,007,548, trainable parameters with head, EfficientNetB0 4,012,678
#
# Artifacts: r004-F6 (10 Monkey Species: images per class, train and validation), r004-F7 (10 Monkey Species: sample image grid), r004-T1 (Accuracy and macro F1 of VanillaCNN, AlexNet, ResNet34, EfficientNetB0, frozen and fine-tuned), r004-F8 (Confusion matrices of the r004 models, frozen and fine-tuned), r004-P (Parameter counts of the r004 backbones and heads).

# %%
session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode
# 10 Monkey Species (Kaggle, downloaded through kagglehub into DATA; QUICK: a stand-in folder): the classes
# and a few images.
from practicas.basenet.experiments import vanilla_cnn_run
from practicas.transfer import artifacts, models

data, label = session.data("monkeys")
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape)
session.save("r004-F6", artifacts.monkey_class_counts(data, label))
session.save("r004-F7", artifacts.monkey_sample_grid(data, label, session.seed))

# %%
# r004's backbones and heads (models.R004_BACKBONES): AlexNet and ResNet34 in Keras with torchvision's ImageNet
# weights converted (practicas.transfer.torchvision_weights), EfficientNetB0 from keras.applications.
for spec in models.R004_BACKBONES.values():
    print(
        spec.name,
        f"head: Dense {spec.hidden}, dropout {spec.dropout}, then 10 logits;",
        "inputs normalized with ImageNet's mean/std"
        if spec.imagenet_normalized
        else "normalizes its [0, 255] inputs inside",
    )
session.save("r004-P", artifacts.r004_parameter_counts())  # beside the report's (PyTorch counts trainable tensors)

# %%
# Each backbone twice: frozen (only its head trains) and fine-tuned (everything trains). r004's inputs: resize 256,
# centre crop 224 (QUICK: 72 -> 64, weights=None), ImageNet's mean/std (EfficientNetB0 normalizes inside);
# Adam 1e-3, batch 32, 10 epochs (1 in quick mode: r004 draws no curves, and six untrained networks on 60
# stand-in images stay near chance however long they train), validated on the 272 validation images.
# Six fits, each resumable; a backbone whose weights are missing is skipped and the table says so.
import keras

from practicas import evaluation, pipelines, training
from practicas.errors import WeightsNotFoundError
from practicas.experiments import evaluate_classifier
from practicas.runmode import epochs_for

EPOCHS = epochs_for(10, session.quick, 1)
BATCH_SIZE = 32
LEARNING_RATE = 1e-3
RESIZE, CROP = (72, 64) if session.quick else (256, 224)

monkeys, monkeys_label = session.data("monkeys", image_size=RESIZE)
runs, missing = {}, {}
for backbone, spec in models.R004_BACKBONES.items():
    x_train, x_test = (
        keras.ops.convert_to_numpy(
            pipelines.imagenet_eval_transform(x, resize=RESIZE, crop=CROP, normalize=spec.imagenet_normalized)
        )
        for x in (monkeys.x_train, monkeys.x_test)
    )
    train = pipelines.array_pipeline(x_train, monkeys.y_train, batch_size=BATCH_SIZE, seed=session.seed)
    test = pipelines.array_pipeline(x_test, monkeys.y_test, batch_size=BATCH_SIZE, shuffle=False)
    for frozen in (True, False):
        training.set_seed(session.seed)
        weights = None if session.quick else "imagenet"
        try:
            model = models.r004_classifier(
                backbone, (CROP, CROP, 3), monkeys.num_classes, weights=weights, frozen=frozen
            )
        except WeightsNotFoundError as error:  # the other backbones still train; the table says what is missing
            missing[spec.name] = str(error)
            break
        model.compile(
            optimizer=keras.optimizers.Adam(LEARNING_RATE),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
            run_eagerly=session.run_eagerly,  # QUICK and SMOKE: a few steps cost less than tracing the graph
        )
        mode = "frozen" if frozen else "finetuned"
        tracking = session.fit_callbacks(f"r004_{backbone}_{mode}-lr{LEARNING_RATE}", train)  # interrupted? rerun
        model.fit(train, validation_data=test, epochs=EPOCHS, callbacks=[tracking], verbose=0)
        run = evaluate_classifier(model, test, monkeys)
        runs[(spec.name, frozen)] = {
            "metrics": run["metrics"],
            "confusion": run["confusion"],
            "history": evaluation.history_dict(tracking.history),
            "params": evaluation.parameter_counts(model),
        }
        del model  # six 224x224 networks: one at a time in the GPU's memory
runs = {"runs": runs, "missing": missing, "class_names": monkeys.class_names, "dataset": monkeys_label}

# %%
# The table and the confusions, beside the Vanilla CNN trained from scratch (notebook 01 trains it: shared state).
vanilla = vanilla_cnn_run(session.context)
session.save("r004-T1", artifacts.r004_table(runs, vanilla))
session.save("r004-F8", artifacts.r004_confusions(runs, vanilla))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## Exercises
#
# 1. **Fewer images (r003).** The report guessed that with 100 training digits instead of 1,000 the letters' convolutions would help. In the digits section, add `digits = digits.take(train=100, seed=session.seed)` after `session.data("mnist_1000")` and compare r003-F4 with r003-F5.
# 2. **BatchNorm while fine-tuning (r003).** In the second phase, skip the loop that freezes BatchNormalization (`if False:` in place of `if FREEZE_BATCHNORM_WHEN_FINE_TUNING["r003"]:`), so batches of 32 overwrite its ImageNet statistics, and rerun it. Predict the validation loss of the first fine-tuning epoch, then check r003-F1.
# 3. **A lower rate for fine-tuning (r004).** r004 fine-tuned at Adam 1e-3. Set `LEARNING_RATE = 1e-4` in the r004 cell and rerun it: does AlexNet fine-tuned still collapse to chance, and what happens to the frozen runs?
# 4. **Heads (r001 birds).** Give the heads `dropout=0.1` instead of 0.4 (`models.resnet50_head(..., kind=kind, dropout=0.1)`) and predict the effect on the gap between training and validation accuracy of r001-F21.
#
