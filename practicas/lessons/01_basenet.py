# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # practicas — Practical 1: CNNs trained from scratch (r000 sections 1-2, r001 exercises 1-2 and bonus, r002, r004 Vanilla CNN).
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

session = start(quick=QUICK, smoke=SMOKE, seed=SEED, data=DATA, out=OUT, drive=USE_DRIVE, practical="basenet")

# %% [markdown]
# ## r000: a Simple CNN on MNIST
#
# Two 3x3 convolutions, max-pool, dropout, Dense 128 and Dense 10 (813,802 parameters), Adam (lr 1e-3), batch 64, 10 epochs, validated on the 10,000 test images; then 10 epochs more from where it stopped.
#
# **What it asks.** «Comentar las conclusiones sobre la evolución de la loss de entrenamiento y validación, con respecto a posibles problemas de sesgo (high-bias) o sobreajuste (overfitting). Indique si considera que continuar con más épocas de entrenamiento mejoraría el rendimiento del modelo.» — *Comment on how the training and validation loss evolve with respect to possible high-bias or overfitting problems, and say whether training more epochs would improve the model.*
#
# **The idea.** A learning curve answers both questions. High bias: both losses stay high and flat (the network cannot fit even the training set). Overfitting: the training loss keeps falling while the validation loss turns up. While both still fall, more epochs help; r000-F2 tests that prediction by continuing the same model ten more epochs. The confusion matrix and the t-SNE maps then show *which* digits the network mixes up, and where in the network the classes separate.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r000-T1: train images 60,000, validation images 10,000, height 28, width 28, channels 1
# - r000-T2: trainable parameters 813,802
# - r000-T3: best validation accuracy 98.94%, best epoch 10
# - r000-F2: best validation accuracy, epochs 11-20 99.10%, best epoch 19
# - r000-F3: validation errors 106
#
# Artifacts: r000-T1 (MNIST split sizes table), r000-T2 (Simple CNN parameter count), r000-F1 (Simple CNN train/validation loss and accuracy curves, epochs 1-10), r000-T3 (Simple CNN best validation accuracy and its epoch), r000-F2 (Simple CNN curves for epochs 11-20, continuing the same model), r000-F3 (Simple CNN confusion matrix after 10 epochs), r000-F4 (Simple CNN grid of the most-confused examples), r000-F5 (Simple CNN t-SNE of intermediate (flattened conv) and final-layer features).

# %%
session.new_experiment()  # r000: a Simple CNN on MNIST: its own mode and record of what it loads and fits
# The data: the report's MNIST, or (QUICK) a Fashion-MNIST stand-in of the same shape.
data, label = session.data("mnist")  # missing in full mode? it says how to get it, and the cells go on
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, "classes", data.class_names)
from practicas import figures

session.save("r000-T1", figures.split_sizes(data))  # r000 validates on the test set

# %%
# The network, built from the report's layer table.
from practicas.basenet import models

model = models.simple_cnn(data.image_shape, data.num_classes)
model.summary()
session.save("r000-T2", figures.layer_table(model, note="report: 813,802 parameters"))

# %%
# Training, with r000's settings. Change one and rerun this cell and the ones below: a fresh network trains with
# it from the first epoch, its state kept apart from the report's run, and the earlier run's files move to
# OUT/earlier/, which the section's last cell (session.compare()) shows beside the new. (More EPOCHS is the same
# fit, continued from where it stopped.)
import keras

from practicas import pipelines, training
from practicas.experiments import evaluate_classifier
from practicas.runmode import epochs_for

EPOCHS = epochs_for(10, session.quick)  # the report's 10 (3 in quick mode)
BATCH_SIZE = 64
LEARNING_RATE = 1e-3

training.set_seed(session.seed)  # one seed: the same weights, data order and augmentation as `python -m practicas run`
model = models.simple_cnn(data.image_shape, data.num_classes)  # a fresh network each time this cell runs
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),  # the last layer gives logits
    metrics=["accuracy"],
)
# Pixels / 255 in tf.data pipelines; the training one is shuffled anew each epoch. r000 validates on the test set.
pixels = dict(mean=0.0, std=255.0)
train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=BATCH_SIZE, seed=session.seed, **pixels)
test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=BATCH_SIZE, shuffle=False, **pixels)
# What practicas adds to the fit, as one Keras callback: seeding, resume after an interruption, one line per
# epoch, the settings recorded in the JSONs (and, in a smoke run, the 2-step cap). Its .history has every epoch.
tracking = session.fit_callbacks(f"simple_cnn-lr{LEARNING_RATE}", train)
model.fit(train, validation_data=test, epochs=EPOCHS, callbacks=[tracking], verbose=0)
run = {"model": model, "history": tracking.history, "test_dataset": test, "data": data, "dataset": label}
run |= evaluate_classifier(model, test, data)  # test predictions, accuracy, macro F1, confusion matrix

# %%
# Each figure and table of this experiment, drawn from that run (files in OUT/).
from practicas import figures

session.save("r000-F1", figures.curves(run, "Simple CNN"))
session.save("r000-T3", figures.best_epoch_table(run, "Simple CNN"))
session.save("r000-F3", figures.confusion(run, "Simple CNN"))
session.save("r000-F4", figures.confused_examples(run, "Simple CNN"))
layers = [("flatten", "intermediate: flattened conv"), ("logits", "final layer")]
session.save("r000-F5", figures.tsne(run, "Simple CNN", layers, session.seed, 1000 if session.quick else 10000))

# %%
# r000-F2: the same model EPOCHS more epochs, from where it stopped. Calling fit again on a model continues it
# (its weights and Adam's moments are where the last fit left them); initial_epoch numbers the new epochs on.
more = session.fit_callbacks(
    f"simple_cnn_continued-lr{LEARNING_RATE}", train, previous=tracking.history, initial_epoch=EPOCHS
)
model.fit(train, validation_data=test, epochs=2 * EPOCHS, initial_epoch=EPOCHS, callbacks=[more], verbose=0)
continued = {"model": model, "history": more.history, "dataset": label} | evaluate_classifier(model, test, data)
curves = figures.curves(continued, "Simple CNN")
curves["show_from_epoch"] = len(tracking.history.history["loss"]) + 1  # the figure starts at the new epochs
session.save("r000-F2", curves)

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r000: AlexNet on CIFAR-10
#
# The report's CIFAR variant of AlexNet (five convolutions 48-128-192-192-128, 6,199,498 parameters), Adam, batch 64, 15 epochs.
#
# **What it asks.** «Comentar las conclusiones sobre la evolución de la loss de entrenamiento y validación, y comentar lo que posiblemente está sucediendo después de la época 10.» — *Comment on how the training and validation loss evolve, and on what is probably happening after epoch 10.*
#
# **The idea.** CIFAR-10's 32x32 colour photos are much harder than MNIST, and a network of 6.2 M parameters can memorize 50,000 of them: the validation loss reaches its minimum and rises while the training loss keeps falling (overfitting). The validation accuracy can still creep up for a while after the loss turned, because accuracy only counts the arg-max while the loss also punishes confident mistakes.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r000-T4: trainable parameters 6,199,498
# - r000-T5: best validation accuracy 71.22%, best epoch 14
#
# Artifacts: r000-T4 (AlexNet (CIFAR variant) parameter count), r000-F6 (AlexNet (CIFAR variant) curves, 15 epochs on CIFAR-10), r000-T5 (AlexNet best validation accuracy and its epoch), r000-F7 (AlexNet confusion matrix on CIFAR-10), r000-F8 (AlexNet grid of the most-confused examples), r000-F9 (AlexNet t-SNE of final-layer features).

# %%
session.new_experiment()  # r000: AlexNet on CIFAR-10: its own mode and record of what it loads and fits
# CIFAR-10 (QUICK: a 32x32 colour stand-in) and r000's CIFAR variant of AlexNet: 5 convolutions, 3 dense layers.
import keras

from practicas import figures
from practicas.basenet import models
from practicas.runmode import epochs_for

data, label = session.data("cifar10")
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, "classes", data.class_names)
model = models.alexnet_cifar(data.image_shape, data.num_classes)
model.summary()
session.save("r000-T4", figures.layer_table(model, note="report: 6,199,498 trainable parameters"))

# %%
# r000's settings: pixels / 255, Adam 1e-3, batch 64, 15 epochs, validated on the 10,000 test images.
from practicas import pipelines, training
from practicas.experiments import evaluate_classifier

EPOCHS = epochs_for(15, session.quick)  # 3 in quick mode
BATCH_SIZE = 64
LEARNING_RATE = 1e-3

training.set_seed(session.seed)
model = models.alexnet_cifar(data.image_shape, data.num_classes)  # a fresh network each time this cell runs
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
pixels = dict(mean=0.0, std=255.0)
train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=BATCH_SIZE, seed=session.seed, **pixels)
test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=BATCH_SIZE, shuffle=False, **pixels)
tracking = session.fit_callbacks(f"alexnet-lr{LEARNING_RATE}", train)  # interrupted? rerun: training resumes
model.fit(train, validation_data=test, epochs=EPOCHS, callbacks=[tracking], verbose=0)
run = {"model": model, "history": tracking.history, "test_dataset": test, "data": data, "dataset": label}
run |= evaluate_classifier(model, test, data)

# %%
# Its curves, best epoch, confusions (cat/dog, deer/horse, automobile/truck in the report) and t-SNE.
session.save("r000-F6", figures.curves(run, "AlexNet"))
session.save("r000-T5", figures.best_epoch_table(run, "AlexNet"))
session.save("r000-F7", figures.confusion(run, "AlexNet"))
session.save("r000-F8", figures.confused_examples(run, "AlexNet"))
session.save(
    "r000-F9", figures.tsne(run, "AlexNet", [("logits", "final layer")], session.seed, 500 if session.quick else 10000)
)

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r001: BaseNet and its improvement ladder on CIFAR-100 (classes 0-24)
#
# BaseNet (24,197 parameters) trained 25 epochs with batch 64 and a 10 % validation split, then improved a step at a time: Adam, featurewise normalization, augmentation (ImageDataGenerator, as the report used it), BatchNormalization, depth, dropout, early stopping, and the bonus networks.
#
# **What it asks.** «En este ejercicio nos proponemos mejorar nuestra red BaseNet añadiendo nuevas capas y preprocesado de datos para así obtener un mejor porcentaje de aciertos en el conjunto de test. Nuestro objetivo será obtener al menos un 50% de aciertos en este conjunto.» — *We set out to improve BaseNet by adding layers and data preprocessing, to reach at least 50 % accuracy on the test set.*
#
# **The idea.** An ablation ladder: one change per rung, each kept for the rungs after it, so every figure isolates what one change buys. Normalizing the inputs conditions the optimization; augmentation shows the network new variants of the same 11,250 images; BatchNormalization and depth change what the network can represent; dropout and early stopping fight the overfitting the earlier rungs end with. The report's finding is itself a lesson: not every change helps on its own (normalization and BatchNorm barely move the accuracy), and they still earn their place in the final network.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r001-T1: parameters 24,197
# - r001-F1: test accuracy 44.16%
# - r001-F3: test accuracy 45.12%
# - r001-F5: test accuracy 44.28%
# - r001-F9: test accuracy 50.12%
# - r001-F11: test accuracy 49.96%
# - r001-F13: test accuracy 55.24%
# - r001-F15: test accuracy 52.68%
# - r001-F17: test accuracy with dropout 59.64%, stopped at epoch, with dropout 57, test accuracy without dropout 61.40%
# - r001-T2: layers 23
# - r001-F27: test accuracy 70.28%
# - r001-F29: test accuracy 74.52%
# - r001-T3: layer rows 28
#
# Artifacts: r001-T1 (BaseNet architecture table (24,197 parameters)), r001-F1 (BaseNet loss and accuracy with SGD (lr 0.01, decay 1e-6, momentum 0.9), CIFAR-100 classes 0-24), r001-F3 (BaseNet loss and accuracy with Adam), r001-F5 (BaseNet + featurewise normalization), r001-F9 (BaseNet + data augmentation (train only)), r001-F11 (BaseNet + BatchNormalization before each ReLU), r001-F13 (BaseNet + depth (3x3 convs before each pool, 1x1 conv 64->16)), r001-F15 (BaseNet + Dropout 0.2 on both dense layers), r001-F17 (BaseNet + early stopping (80 epochs, patience 10), with and without dropout), r001-T2 (Improved BaseNet layer table (23 layers)), r001-F27 (Bonus BaseNet curves (32/64 filters, two 3x3 convs per stage, Dense 512)), r001-F29 (Residual bonus BaseNet curves), r001-T3 (Residual bonus BaseNet layer table (28 rows)).

# %%
session.new_experiment()  # r001: BaseNet and its improvement ladder on CIFAR-100 (classes 0-24): its own mode and record of what it loads and fits
# The data and r001's pipelines. The report fed ImageDataGenerator flows: featurewise normalization fitted on
# the training images, 10 % held out for validation, augmentation on training batches only. Below, one batch of
# them; pipelines.tfdata_pipelines is their tf.data twin (the same arguments, faster, every backend), which
# fit_rung trains with.
import keras

from practicas import pipelines
from practicas.basenet import models

data, label = session.data("cifar100_subset")
if keras.backend.backend() == "tensorflow":  # ImageDataGenerator is TensorFlow's
    flows = pipelines.image_data_generator_pipelines(
        data.x_train, data.y_train, data.x_test, data.y_test, batch_size=64, augmentation=pipelines.Augmentation.r001()
    )
    images, labels = flows.train[0]
    print(label, "- one training batch:", images.shape, labels.shape, "mean", images.mean().round(3))
from practicas import figures

model = models.basenet()  # the report's: 32x32x3 in, 25 classes (its parameter count)
model.summary()
session.save("r001-T1", figures.layer_table(model, note="report: 24,197 parameters"))

# %%
# One rung, written out once: compile with the rung's optimizer, r001's pipelines (10 % of the training images
# held out for validation, featurewise normalization or pixels / 255, augmentation on training batches only),
# fit, and the test accuracy (the report's number). Each rung below calls it with its own network and settings.
import keras

from practicas import evaluation, training
from practicas.experiments import evaluate_classifier
from practicas.runmode import epochs_for

BATCH_SIZE = 64
VALIDATION_FRACTION = 0.1
# r001's ImageDataGenerator flows train if you choose them here (the same arguments; slower, as Python makes each
# augmented batch); the tf.data twin is the default.
PIPELINES = pipelines.tfdata_pipelines  # or pipelines.image_data_generator_pipelines


def fit_rung(name, model, optimizer, *, epochs, featurewise=False, augmentation=None, patience=None):
    """Compile and fit one rung of the ladder; its run: model, history and test metrics."""
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),  # BaseNet ends in logits
        metrics=["accuracy"],
    )
    flows = PIPELINES(
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        batch_size=BATCH_SIZE,
        validation_fraction=VALIDATION_FRACTION,
        featurewise=featurewise,
        rescale=not featurewise,
        augmentation=augmentation,
        seed=session.seed,
    )
    # Early stopping (patience): Keras's EarlyStopping on the validation loss, best weights restored.
    tracking = session.fit_callbacks(name, flows.train, early_stopping_patience=patience)  # interrupted? rerun
    model.fit(flows.train, validation_data=flows.validation, epochs=epochs, callbacks=[tracking], verbose=0)
    run = {"model": model, "history": tracking.history, "dataset": label, "data": data}
    return run | evaluate_classifier(model, flows.test, data)


# %%
# Rung 1 (r001 Figures 1-2): BaseNet with r001's SGD (lr 0.01, decay 1e-6, momentum 0.9), batch 64, 25 epochs
# (3 in quick mode), pixels / 255.
EPOCHS = epochs_for(25, session.quick)
SGD_LEARNING_RATE = 0.01

training.set_seed(session.seed)  # before building: the weights, data order and augmentation of the CLI's run
model = models.basenet(data.image_shape, data.num_classes)
sgd = training.sgd_with_decay(SGD_LEARNING_RATE, decay=1e-6, momentum=0.9)  # Keras 2's decay, as r001 used it
run = fit_rung(f"r001-F1-lr{SGD_LEARNING_RATE}", model, sgd, epochs=EPOCHS)
session.save("r001-F1", figures.curves(run, "basenet"))

# %%
# The next rungs, one change each, keeping the ones above: Adam (Keras's default rate, as r001 kept it), then
# featurewise normalization, augmentation, BatchNormalization before each ReLU, depth, dropout 0.2.
LEARNING_RATE = 1e-3
# fmt: off
RUNGS = {
    #            featurewise augment batch_norm deeper dropout
    "r001-F3":  (False,      False,  False,     False, 0.0),  # Adam instead of SGD
    "r001-F5":  (True,       False,  False,     False, 0.0),  # + featurewise normalization
    "r001-F9":  (True,       True,   False,     False, 0.0),  # + augmentation
    "r001-F11": (True,       True,   True,      False, 0.0),  # + BatchNormalization
    "r001-F13": (True,       True,   True,      True,  0.0),  # + depth
    "r001-F15": (True,       True,   True,      True,  0.2),  # + dropout
}
# fmt: on
for artifact_id, (featurewise, augment, batch_norm, deeper, dropout) in RUNGS.items():
    training.set_seed(session.seed)
    model = models.basenet(data.image_shape, data.num_classes, batch_norm=batch_norm, deeper=deeper, dropout=dropout)
    run = fit_rung(
        f"{artifact_id}-lr{LEARNING_RATE}",
        model,
        keras.optimizers.Adam(LEARNING_RATE),
        epochs=EPOCHS,
        featurewise=featurewise,
        augmentation=pipelines.Augmentation.r001() if augment else None,
    )
    session.save(artifact_id, figures.curves(run, "basenet"))

# %%
# The improved BaseNet (23 layers: all the rungs above), then early stopping: up to 80 epochs, patience 10, the
# best weights restored, with and without dropout, drawn side by side.
model = models.improved_basenet()  # the report's input and 25 classes
model.summary()
session.save("r001-T2", figures.layer_table(model, note="report: 23 layers"))  # Keras adds a Flatten row

LONG_EPOCHS = epochs_for(80, session.quick)
PATIENCE = 1 if session.quick else 10  # quick mode's 3 epochs: a patience of 1 can still show a stop
# The last rung's training, which the bonus networks below reuse: featurewise normalization, r001's augmentation,
# early stopping.
LAST_RUNG = dict(epochs=LONG_EPOCHS, featurewise=True, augmentation=pipelines.Augmentation.r001(), patience=PATIENCE)

runs, metrics = [], {}
for name, dropout in (("with dropout", 0.2), ("without dropout", 0.0)):
    training.set_seed(session.seed)
    model = models.basenet(data.image_shape, data.num_classes, batch_norm=True, deeper=True, dropout=dropout)
    run = fit_rung(
        f"r001-F17-dropout{dropout}-lr{LEARNING_RATE}", model, keras.optimizers.Adam(LEARNING_RATE), **LAST_RUNG
    )
    summary = evaluation.run_summary(run, "basenet")
    runs.append(summary | {"dataset": label, "label": f"{name}: test acc {summary['metrics']['test_accuracy']:.4f}"})
    metrics[name] = summary["metrics"]["test_accuracy"]
    metrics[f"{name}, stopped at epoch"] = summary["stopped_epoch"]
from practicas.results import CurvesSet

session.save("r001-F17", CurvesSet({"dataset": label, "runs": runs, "metrics": metrics}))

# %%
# The bonus networks, trained as the last rung (featurewise, augmentation, early stopping): 32/64 filters, same
# padding, two 3x3 convs per stage, Dense 512 (F27); then with residual stages (F29, its layer table T3).
model = models.bonus_basenet(residual=True)
model.summary()
session.save("r001-T3", figures.layer_table(model, note="report: 28 rows"))  # Keras adds a Flatten row
for artifact_id, residual in (("r001-F27", False), ("r001-F29", True)):
    training.set_seed(session.seed)
    model = models.bonus_basenet(data.image_shape, data.num_classes, residual=residual)
    run = fit_rung(f"{artifact_id}-lr{LEARNING_RATE}", model, keras.optimizers.Adam(LEARNING_RATE), **LAST_RUNG)
    session.save(artifact_id, figures.curves(run, "residual" if residual else "bonus"))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r002: the emoji network
#
# 32x32 emoji in 5 classes (1,005 images in a pickled dict), SGD: first a small net, a learning-rate sweep, batch and split changes, then the final Net (1,069,509 parameters) and its variants.
#
# **What it asks.** «El objetivo es implementar una red neuronal que clasifique imágenes según su categoría.» — *The goal is to implement a neural network that classifies images by category* — 1,005 emoji in 5 classes, with plain SGD.
#
# **The idea.** With so little data, the learning rate, the batch size and the split decide almost everything. r002's own words on the sweep: «si el learning rate es muy bajo, la función de pérdida apenas mejora. Si es muy alto, puede divergir» — *if the learning rate is very low the loss barely improves; if it is very high it can diverge.* The last cells show overfitting (60 epochs), what a saturating activation does to the gradient (softmax or sigmoid in place of ReLU), and stopping before the validation loss rises.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r002-T1: parameters 1,069,509
# - r002-F4: final train accuracy 92.00%, final validation accuracy 87.00%
#
# Artifacts: r002-T1 (Emoji Net summary (1,069,509 parameters)), r002-F1 (Emoji first net curves (SGD lr 0.05, batch 20, 15 epochs, 845/160 split)), r002-F2 (Emoji first net learning-rate sweep: lr 0.5, 0.1, 0.001), r002-F3 (Emoji first net with batch 10, then an 800/205 split and 20 epochs), r002-F4 (Emoji final Net, SGD lr 0.1, batch 5, 30 epochs), r002-F5 (Emoji final Net, 60 epochs: overfitting), r002-F6 (Emoji final Net with softmax and sigmoid activations instead of ReLU), r002-F7 (Emoji final Net, SGD lr 0.07, batch 10, 16 epochs).

# %%
session.new_experiment()  # r002: the emoji network: its own mode and record of what it loads and fits
# The network r002 ends with, the final Net: a stride-2 conv, max-pool, a second conv, Dense 256 and 5
# (1,069,509 parameters). The cells below first try a smaller net, then this one.
from practicas import figures
from practicas.basenet import models

model = models.emoji_net()  # the report's: 32x32x3 in, 5 classes
model.summary()
session.save("r002-T1", figures.layer_table(model, note="report: 1,069,509 parameters"))

# %%
# r002's data: 1,005 emoji at 32x32 in 5 classes, a pickled dict from the course (QUICK: a stand-in of the
# same shape). It has no public URL: put the .pkl in DATA/emoji/; in Colab, a full run asks for it here (upload it).
# Missing in full mode? It says where to put the pickle, and the cells go on with the stand-in.
import functools
import sys

if "google.colab" in sys.modules and not (session.quick or session.smoke):
    emoji_folder = session.data_root / "emoji"
    if not any(p.suffix in (".pkl", ".pickle", ".p") for p in emoji_folder.glob("*.p*")):
        from google.colab import files

        emoji_folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.upload().items():
            (emoji_folder / name).write_bytes(content)

from practicas.results import Curves

data, label = session.data("emoji", train=845)  # the first 845 images train, the other 160 validate
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)
models.emoji_first_net(data.image_shape, data.num_classes).summary()  # the first net: valid convs 16-32-64

# %%
# One emoji fit, written out once: plain SGD (r002 used no momentum) at the run's learning rate, pixels / 255,
# shuffled anew each epoch; the split's first images train and the rest validate, and the validation accuracy is
# the report's number. Each experiment below calls it with its network and settings.
import keras

from practicas import evaluation, pipelines, training
from practicas.experiments import evaluate_classifier
from practicas.runmode import epochs_for

SPLITS = {845: (data, label), 800: session.data("emoji", train=800)}  # r002's two splits: 845/160 and 800/205


def fit_emoji(name, build, *, learning_rate, batch_size, epochs, train=845, label=""):
    """Seed, build, compile and fit one emoji network; its summary (curves, validation accuracy) and settings."""
    split, dataset = SPLITS[train]
    training.set_seed(session.seed)  # before building: the weights, data order and dropout of the CLI's run
    model = build(split.image_shape, split.num_classes)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        # Batches of 5 leave a GPU idle between steps: several steps per call there (1 on a CPU), same results.
        steps_per_execution=training.steps_per_execution_for(batch_size),
    )
    pixels = dict(mean=0.0, std=255.0)
    fit_on = pipelines.array_pipeline(split.x_train, split.y_train, batch_size=batch_size, seed=session.seed, **pixels)
    validation = pipelines.array_pipeline(split.x_test, split.y_test, batch_size=batch_size, shuffle=False, **pixels)
    # Its own state folder, named by its settings: interrupted? rerun, it resumes; other settings train anew.
    tracking = session.fit_callbacks(f"{name}-lr{learning_rate}-batch{batch_size}-epochs{epochs}-train{train}", fit_on)
    model.fit(
        fit_on, validation_data=validation, epochs=epochs_for(epochs, session.quick), callbacks=[tracking], verbose=0
    )
    run = {"model": model, "history": tracking.history} | evaluate_classifier(model, validation, split)
    settings = dict(
        learning_rate=learning_rate, batch_size=batch_size, epochs=epochs, split=f"{train}/{len(split.y_test)}"
    )
    return evaluation.run_summary(run, name) | {"dataset": dataset, "settings": settings, "label": label}


# %%
# The first net: lr 0.05, batch 20, 15 epochs (3 in quick mode), 845/160.
LEARNING_RATE, BATCH_SIZE, EPOCHS = 0.05, 20, 15
run = fit_emoji(
    "emoji_first_net", models.emoji_first_net, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, epochs=EPOCHS
)
session.save("r002-F1", Curves(run))

# %%
# What the learning rate does: 0.5 diverges, 0.001 barely moves, 0.1 learns.
runs = [
    fit_emoji("emoji_first_net", models.emoji_first_net, learning_rate=lr, batch_size=20, epochs=15, label=f"lr {lr}")
    for lr in (0.5, 0.1, 0.001)
]
session.save("r002-F2", figures.compared(runs))

# %%
# lr 0.1 with batch 10; then more data to validate on (800/205) and 20 epochs.
runs = [
    fit_emoji(
        "emoji_first_net",
        models.emoji_first_net,
        learning_rate=0.1,
        batch_size=10,
        epochs=15,
        label="batch 10, 845/160",
    ),
    fit_emoji(
        "emoji_first_net",
        models.emoji_first_net,
        learning_rate=0.1,
        batch_size=10,
        epochs=20,
        train=800,
        label="batch 10, 800/205, 20 epochs",
    ),
]
session.save("r002-F3", figures.compared(runs))

# %%
# The final Net (its summary is at the top of this section): SGD lr 0.1, batch 5, 30 epochs, 800/205.
LEARNING_RATE, BATCH_SIZE, EPOCHS = 0.1, 5, 30
run = fit_emoji(
    "emoji_net", models.emoji_net, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, epochs=EPOCHS, train=800
)
session.save("r002-F4", Curves(run))  # the report: 92 % train, 87 % validation

# %%
# Longer, other activations, and where to stop.
run = fit_emoji("emoji_net", models.emoji_net, learning_rate=0.1, batch_size=5, epochs=60, train=800)
session.save("r002-F5", Curves(run))  # 60 epochs: the validation loss turns up (overfitting)
runs = [
    fit_emoji(
        f"emoji_net_{activation}",
        functools.partial(models.emoji_net, activation=activation),
        learning_rate=0.1,
        batch_size=5,
        epochs=30,
        train=800,
        label=activation,
    )
    for activation in ("softmax", "sigmoid")  # instead of ReLU after each layer
]
session.save("r002-F6", figures.compared(runs))
run = fit_emoji("emoji_net", models.emoji_net, learning_rate=0.07, batch_size=10, epochs=16, train=800)
session.save("r002-F7", Curves(run))  # lr 0.07, batch 10, 16 epochs: stopped before the validation loss rises

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## r004: a Vanilla CNN on 10 Monkey Species
#
# Three blocks of Conv, ReLU and MaxPool, then 256 and 10, on r004's 224x224 inputs; Adam 1e-3, batch 32.
#
# **What it asks.** r004 trains a small CNN from scratch «usada sólo como referencia» — *used only as a reference* — for the pretrained backbones of notebook 02.
#
# **The idea.** 1,097 training photos of ten monkey species are far too few to learn good features from scratch at 224x224: this network's accuracy is the bar that transfer learning must clear, and notebook 02's r004 table shows it beside the backbones.
#
# The report's numbers (yours beside them in the last cell of this section, `session.compare()`):
# - r004-VCNN: accuracy 46.32%, macro F1 46.11%, parameters (about: the report's figure is garbled) 1,480,000
#
# Artifacts: r004-VCNN (Vanilla CNN on 10 Monkey Species: parameters, accuracy and macro F1).

# %%
session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode
# 10 Monkey Species: 1,097 training and 272 validation images (a Kaggle download through kagglehub; QUICK:
# a 64x64 stand-in folder), brought to r004's inputs: resize 256, centre crop 224, ImageNet mean and std.
import keras

from practicas.basenet import models
from practicas.basenet.artifacts import vanilla_cnn_table
from practicas.basenet.experiments import vanilla_cnn_inputs
from practicas.runmode import epochs_for

data, label = session.data("monkeys", image_size=256)
data, preprocess = vanilla_cnn_inputs(data, session.quick)  # QUICK: the 64x64 images, pixels / 255
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)
models.vanilla_cnn(data.image_shape, data.num_classes).summary()  # three Conv-ReLU-MaxPool blocks, Dense 256, 10

# %%
# r004's settings: Adam 1e-3, batch 32, 10 epochs (1 in quick mode: r004 draws no curves, as in notebook 02's
# backbones), validated on the validation images.
# Notebook 02's r004 table compares the backbones with this run: it runs these cells (and resumes their state).
from practicas import pipelines, training
from practicas.experiments import evaluate_classifier

EPOCHS = epochs_for(10, session.quick, 1)
BATCH_SIZE = 32
LEARNING_RATE = 1e-3

training.set_seed(session.seed)
model = models.vanilla_cnn(data.image_shape, data.num_classes)
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
inputs = dict(batch_size=BATCH_SIZE, preprocess=preprocess)  # normalized above (QUICK: pixels / 255 here)
train = pipelines.array_pipeline(data.x_train, data.y_train, seed=session.seed, **inputs)
validation = pipelines.array_pipeline(data.x_test, data.y_test, shuffle=False, **inputs)
tracking = session.fit_callbacks(f"r004-VCNN-lr{LEARNING_RATE}", train)  # interrupted? rerun: training resumes
model.fit(train, validation_data=validation, epochs=EPOCHS, callbacks=[tracking], verbose=0)
run = {"model": model, "history": tracking.history, "data": data, "dataset": label}
run |= evaluate_classifier(model, validation, data)
session.save("r004-VCNN", vanilla_cnn_table(run))

# %%
# The report's numbers beside this run's, with compare's verdict (a quick run is never comparable: stand-in data).
session.compare()

# %% [markdown]
# ## Exercises
#
# Each is a change to one cell and a rerun of the cells below it; predict the answer before you run it.
#
# 1. **More epochs (r000).** In the Simple CNN's training cell, set `EPOCHS = 20` instead of continuing the model in r000-F2. Predict: does the best validation accuracy come at the last epoch, as in the report's first ten? Check r000-T3.
# 2. **The learning rate (r002).** Add `lr 0.05` to r002-F2's sweep. Predict where its curve falls between 0.1 and 0.001, then check.
# 3. **Which rung mattered? (r001).** Remove augmentation from rungs F11-F15 (`augment` to `False` in `RUNGS`) and rerun. The report kept each change "aunque no lleguen a mejorar los resultados": which rungs lose accuracy without it?
# 4. **Patience (r001).** Set `PATIENCE = 3` in the early-stopping cell. Predict the stopping epoch and the test accuracy against patience 10; check r001-F17.
# 5. **Pipelines (r001).** Set `PIPELINES = pipelines.image_data_generator_pipelines` (the report's own ImageDataGenerator) and rerun rung 1. Same accuracy? How much slower is each epoch?
#
