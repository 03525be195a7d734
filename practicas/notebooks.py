"""Write the practicals' notebooks: per experiment of the reports, its setting and numbers, then its code and artifacts.

    python -m practicas notebooks        # rewrites notebooks/*.ipynb

Each notebook starts with one set-up cell (install if needed, QUICK / SMOKE /
SEED, DATA and OUT, Drive, the GPU check: :mod:`practicas.session`); then, per
experiment, a markdown cell with the report's setting and numbers (from the
catalogue) and its code cells from ``TEACHING``: the whole flow (data, builder
and summary, pipeline, ``fit`` with its settings, one call per figure drawn
from that run). An ID those cells do not name gets its own
``session.run("ID")`` cell. A test checks that the committed notebooks equal
what this module writes, and that every ID is in exactly one cell.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from practicas import registry

INTRO = {
    "basenet": "Practical 1: CNNs trained from scratch (r000 sections 1-2, r001 exercises 1-2 and bonus, r002, "
    "r004 Vanilla CNN).",
    "transfer": "Practical 2: transfer learning (r000 section 3, r001 exercise 3, r003 exercise 3, r004).",
    "gradient_ascent": "Practical 3: gradient-ascent visualization of what a network has learned (r003 exercise 4).",
}

SETUP = """# Set-up: run this cell first. In Colab: Runtime > Change runtime type > GPU (for QUICK = False).
# Where pip gets practicas when this runtime lacks it (a fresh Colab): your course's git URL
# ("git+https://github.com/ORG/practicas"), or a wheel or folder of it on Google Drive
# ("/content/drive/MyDrive/practicas-0.1.0-py3-none-any.whl"). An installed practicas ignores it.
PRACTICAS_SOURCE = ""
try:
    import practicas
except ImportError:
    if not PRACTICAS_SOURCE:
        raise ModuleNotFoundError(
            "practicas is not installed here: set PRACTICAS_SOURCE above to a git URL, or the path of a wheel or "
            "folder on Drive, and run this cell again"
        ) from None
    if PRACTICAS_SOURCE.startswith("/content/drive"):
        from google.colab import drive

        drive.mount("/content/drive")
    %pip install -q "{PRACTICAS_SOURCE}"
    import practicas
from practicas.session import start
from practicas.versions import tfds_protobuf_problem

if tfds_protobuf_problem():  # Colab's 2026 image: tensorflow-metadata 1.21 on protobuf 5.29 (tensorflow/metadata#68)
    %pip install -q "tensorflow-metadata<1.21"

QUICK = True       # True: offline stand-in data, minutes on a CPU. False: the reports' data and settings (use a GPU)
SMOKE = False      # with QUICK = False: the full configuration, every fit capped at 2 steps (checks the whole path)
SEED = 0           # one seed fixes the weights, the data order and the augmentation
USE_DRIVE = False  # Colab: DATA and OUT on Google Drive, so a runtime that disconnects resumes where it stopped
# PRACTICAS_QUICK, PRACTICAS_SMOKE, PRACTICAS_DATA and PRACTICAS_OUT in the environment override these.
session = start(quick=QUICK, smoke=SMOKE, seed=SEED, data="data", out="out", drive=USE_DRIVE, practical="{practical}")"""

# Cells of a practical's notebook right after the set-up cell: what only a full run needs from the student.
AFTER_SETUP = {
    "transfer": [
        """# Kaggle credentials, for a full run's 10 Monkey Species and Alien vs Predator (kagglehub downloads them into
# its cache once). Kaggle > Settings > API: create a token. In Colab, store it as the secrets KAGGLE_USERNAME and
# KAGGLE_KEY (the key icon on the left; allow this notebook access). Elsewhere, run kagglehub.login() in a cell of
# its own and paste the token, or put kaggle.json in ~/.kaggle/. This cell only looks for them, in a full run.
import os
from pathlib import Path

token_files = [Path("~/.kaggle", name).expanduser() for name in ("kaggle.json", "access_token")]
have_kaggle = any(os.environ.get(name) for name in ("KAGGLE_KEY", "KAGGLE_API_TOKEN")) or any(f.exists() for f in token_files)
if not (session.quick or session.smoke or have_kaggle):
    try:
        from google.colab import userdata  # Colab's secrets

        os.environ["KAGGLE_USERNAME"], os.environ["KAGGLE_KEY"] = userdata.get("KAGGLE_USERNAME"), userdata.get("KAGGLE_KEY")
    except Exception:  # not Colab, no such secret, or access refused: the Kaggle sections say what to do
        print("No Kaggle credentials: the two Kaggle datasets will say how to get them; every other section runs")"""
    ]
}

# (title, the report's setting in a sentence or two, IDs) per experiment, in the reports' order.
EXPERIMENTS = {
    "basenet": [
        (
            "r000: a Simple CNN on MNIST",
            "Two 3x3 convolutions, max-pool, dropout, Dense 128 and Dense 10 (813,802 parameters), Adam (lr 1e-3), "
            "batch 64, 10 epochs, validated on the 10,000 test images; then 10 epochs more from where it stopped.",
            ["r000-T1", "r000-T2", "r000-F1", "r000-T3", "r000-F2", "r000-F3", "r000-F4", "r000-F5"],
        ),
        (
            "r000: AlexNet on CIFAR-10",
            "The report's CIFAR variant of AlexNet (five convolutions 48-128-192-192-128, 6,199,498 parameters), "
            "Adam, batch 64, 15 epochs.",
            ["r000-T4", "r000-F6", "r000-T5", "r000-F7", "r000-F8", "r000-F9"],
        ),
        (
            "r001: BaseNet and its improvement ladder on CIFAR-100 (classes 0-24)",
            "BaseNet (24,197 parameters) trained 25 epochs with batch 64 and a 10 % validation split, then improved a step "
            "at a time: Adam, featurewise normalization, augmentation (ImageDataGenerator, as the report used it), "
            "BatchNormalization, depth, dropout, early stopping, and the bonus networks.",
            [
                "r001-T1",
                "r001-F1",
                "r001-F3",
                "r001-F5",
                "r001-F9",
                "r001-F11",
                "r001-F13",
                "r001-F15",
                "r001-F17",
                "r001-T2",
                "r001-F27",
                "r001-F29",
                "r001-T3",
            ],
        ),
        (
            "r002: the emoji network",
            "32x32 emoji in 5 classes (1,005 images in a pickled dict), SGD: first a small net, a learning-rate sweep, "
            "batch and split changes, then the final Net (1,069,509 parameters) and its variants.",
            ["r002-T1", "r002-F1", "r002-F2", "r002-F3", "r002-F4", "r002-F5", "r002-F6", "r002-F7"],
        ),
        (
            "r004: a Vanilla CNN on 10 Monkey Species",
            "Three blocks of Conv, ReLU and MaxPool, then 256 and 10, on r004's 224x224 inputs; Adam 1e-3, batch 32.",
            ["r004-VCNN"],
        ),
    ],
    "transfer": [
        (
            "r000: Alien vs Predator, four ways",
            "From scratch, pretrained features + linear SVM, fine-tuning, and fine-tuning with augmentation, on 694 "
            "training and 200 validation images.",
            ["r000-T6", "r000-F10"],
        ),
        (
            "r001: ResNet50 on Caltech-UCSD Birds (2010)",
            "ImageNet ResNet50 features under three heads (Dense 200, an MLP, a conv head on the 7x7x2048 map), then all "
            "of ResNet50 fine-tuned with r001's SGD.",
            ["r001-F19", "r001-F21", "r001-F23", "r001-F25"],
        ),
        (
            "r003: MobileNet on cats vs dogs",
            "MobileNet (ImageNet, frozen) + GAP + Dropout + Dense 1 on 2,500 images at 128x128: 50 epochs frozen, then "
            "10 fine-tuning everything at a lower rate; and the same network from scratch.",
            ["r003-T1", "r003-F1", "r003-F2"],
        ),
        (
            "r003: from EMNIST letters to 1,000 MNIST digits",
            "A small network trained on EMNIST letters a-j; its convolutions frozen and a new head trained on 1,000 "
            "MNIST digits with augmentation, against the same network from scratch.",
            ["r003-T2", "r003-F3", "r003-F4", "r003-F5"],
        ),
        (
            "r004: three backbones on 10 Monkey Species",
            "AlexNet, ResNet34 (torchvision's ImageNet weights) and EfficientNetB0, frozen and fine-tuned, on inputs "
            "resized to 256 and centre-cropped to 224; Adam 1e-3, batch 32, 10 epochs.",
            ["r004-F6", "r004-F7", "r004-T1", "r004-F8", "r004-P"],
        ),
    ],
    "gradient_ascent": [
        (
            "r003: what ResNet50V2's filters and classes respond to",
            "Inputs that maximize 64 filters of two layers, one filter maximized and minimized, and the Siamese-cat class "
            "(ImageNet weights, starting from noise).",
            ["r003-F6", "r003-F7", "r003-F8", "r003-F10"],
        ),
        (
            "r003: inside the digit network and the cats-vs-dogs network",
            "Inputs that maximize each digit class and each filter of the first two convolutions of r003's MNIST "
            "network, and the input that maximizes (dog) and minimizes (cat) the cats-vs-dogs network's output.",
            ["r003-F11", "r003-F12", "r003-F14"],
        ),
    ],
}

# The code cells of each experiment; an ID none of them names gets a session.run cell of its own.
TEACHING = {
    "r000: a Simple CNN on MNIST": [
        """# The data: the report's MNIST, or (QUICK) a Fashion-MNIST stand-in of the same shape.
data, label = session.data("mnist")  # missing in full mode? it says how to get it, and the cells go on
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, "classes", data.class_names)
session.run("r000-T1")""",
        """# The network, built from the report's layer table.
from practicas.basenet import models

models.simple_cnn(data.image_shape, data.num_classes).summary()
session.run("r000-T2")""",
        """# Training: pixels / 255 in a tf.data pipeline shuffled per epoch, Adam, batch 64, validated on the test set.
import keras
from practicas import training
from practicas.experiments import train_classifier
from practicas.runmode import epochs_for

LEARNING_RATE = 1e-3  # the report's; change it and rerun this cell (and the ones below) to see what it does
training.set_seed(session.seed)  # one seed: the same weights, data order and augmentation as `python -m practicas run`
model = models.simple_cnn(data.image_shape, data.num_classes)  # a fresh network each time this cell runs
run = train_classifier(
    model,
    data,
    optimizer=keras.optimizers.Adam(LEARNING_RATE),
    batch_size=64,
    epochs=epochs_for(10, session.quick),  # the report's 10 epochs (3 in quick mode)
    validation="test",  # r000 validates on the 10,000 test images
    seed=session.seed,
    workdir=session.workdir(f"simple_cnn-lr{LEARNING_RATE}"),  # interrupted? rerun: training resumes
)
run |= {"data": data, "dataset": label}""",
        """# Each figure and table of this experiment, drawn from that run (files in OUT/).
from practicas import figures
from practicas.basenet.experiments import continue_training

session.save("r000-F1", figures.curves(run, "Simple CNN"))
session.save("r000-T3", figures.best_epoch_table(run, "Simple CNN"))
first = epochs_for(10, session.quick)
more = continue_training(run, first_epochs=first, seed=session.seed, workdir=session.workdir(f"simple_cnn_continued-lr{LEARNING_RATE}"))
session.save("r000-F2", more)
session.save("r000-F3", figures.confusion(run, "Simple CNN"))
session.save("r000-F4", figures.confused_examples(run, "Simple CNN"))
layers = [("flatten", "intermediate: flattened conv"), ("logits", "final layer")]
session.save("r000-F5", figures.tsne(run, "Simple CNN", layers, session.seed, 1000 if session.quick else 10000))""",
    ],
    "r000: AlexNet on CIFAR-10": [
        """# CIFAR-10 (QUICK: a 32x32 colour stand-in) and r000's CIFAR variant of AlexNet: 5 convolutions, 3 dense layers.
import keras
from practicas import figures
from practicas.basenet import models
from practicas.experiments import train_classifier
from practicas.runmode import epochs_for

data, label = session.data("cifar10")
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, "classes", data.class_names)
models.alexnet_cifar(data.image_shape, data.num_classes).summary()
session.run("r000-T4")""",
        """# r000's settings: pixels / 255, Adam 1e-3, batch 64, 15 epochs, validated on the 10,000 test images.
run = train_classifier(
    lambda: models.alexnet_cifar(data.image_shape, data.num_classes),  # built after seeding: the CLI's weights
    data,
    optimizer=keras.optimizers.Adam(1e-3),
    batch_size=64,
    epochs=epochs_for(15, session.quick),  # 3 in quick mode
    validation="test",
    seed=session.seed,
    workdir=session.workdir("alexnet"),  # interrupted? rerun: training resumes
)
run |= {"data": data, "dataset": label}""",
        """# Its curves, best epoch, confusions (cat/dog, deer/horse, automobile/truck in the report) and t-SNE.
session.save("r000-F6", figures.curves(run, "AlexNet"))
session.save("r000-T5", figures.best_epoch_table(run, "AlexNet"))
session.save("r000-F7", figures.confusion(run, "AlexNet"))
session.save("r000-F8", figures.confused_examples(run, "AlexNet"))
session.save("r000-F9", figures.tsne(run, "AlexNet", [("logits", "final layer")], session.seed, 500 if session.quick else 10000))""",
    ],
    "r000: Alien vs Predator, four ways": [
        """# 694 training and 200 validation images of aliens and predators (Kaggle, downloaded through kagglehub into
# DATA; QUICK: Fashion-MNIST T-shirts vs trousers at 64x64), and the network all four alternatives share:
# ResNet50 (ImageNet weights) + Dropout + one logit. QUICK: a small CNN pretrained on the spot on 8 other classes.
from practicas import pipelines, standins
from practicas.transfer import artifacts, models

data, label = session.data("alien_vs_predator")
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)
backbone = standins.standin_backbone(data.image_shape[0]) if session.quick else models.resnet50_backbone(data.image_shape, weights=None)
print(backbone.name, f"{backbone.count_params():,} parameters, features", backbone.output_shape)""",
        """# The four alternatives, in r000's order; each trains once and resumes if interrupted.
alternatives = {
    # ResNet50 with random weights, batch 32, Adam, 20 epochs (3 in quick mode)
    "From scratch": artifacts.alien_from_scratch(data, session.context),
    # ImageNet features (the 2,048 pooled activations), standardized, into a linear SVM: no training of the network
    "Pretrained + SVM": artifacts.alien_pretrained_svm(data, session.context),
    # the head 5 epochs with ResNet50 frozen (Adam 1e-3), then all of it 5 more (Adam 1e-5)
    "Fine-tuning": artifacts.alien_finetuned(data, session.context),
    # the same, with r001's flips, shifts, zoom and rotation on the training images
    "Fine-tuning + DA": artifacts.alien_finetuned(data, session.context, augmentation=pipelines.Augmentation.r001()),
}
run = artifacts.alien_results(alternatives, data, label, session.context)
print({name: f"{result['accuracy']:.1%}" for name, result in run["results"].items()})""",
        """# The table, and how separable each alternative's features are: a t-SNE map of the 200 validation images with
# the best straight line drawn (circled points fall on its wrong side).
session.save("r000-T6", artifacts.alien_table(run))
session.save("r000-F10", artifacts.alien_embeddings(run, session.seed))""",
    ],
    "r001: ResNet50 on Caltech-UCSD Birds (2010)": [
        """# Caltech-UCSD Birds 200, 2010 edition: 6,033 images of 200 species (tensorflow_datasets downloads it into DATA;
# QUICK: a stand-in). r001 kept ResNet50 (ImageNet weights) frozen and trained heads on what it computes.
from practicas.results import Curves
from practicas.transfer import artifacts, models

data, label = session.data("caltech_birds2010")
print(label, "- train", data.x_train.shape, "test", data.x_test.shape, data.num_classes, "classes")
features = session.model(artifacts.birds_features)  # every image through ResNet50 once (weights missing? it says so)
print("ResNet50's maps:", {split: maps.shape for split, maps in features["maps"].items()})""",
        """# Three heads on those features, each Adam 1e-3, batch 64, 20 epochs (5 in quick mode), 10 % held out:
# Dense 200 on the 2,048 averaged features; an MLP (Dropout .4, Dense 1024, BN, ReLU, Dropout .4, Dense 512, BN,
# ReLU, Dense 200); a conv head (Conv 3x3 64, BN, ReLU, Dropout, Dense 1024 ... 200) on the 7x7x2048 map.
for artifact_id, kind in [("r001-F19", "dense"), ("r001-F21", "mlp"), ("r001-F23", "conv")]:
    head = models.resnet50_head(features["maps"]["train"].shape[1:] if kind == "conv" else (2048,), data.num_classes, kind=kind)
    print(artifact_id, kind, f"head: {head.count_params():,} parameters")
    session.save(artifact_id, Curves(artifacts.birds_head_run(kind, session.context.within(artifact_id))))""",
        """# Then all of ResNet50 fine-tuned under a Dense 200 head: r001's SGD (lr 0.01, decay 1e-6, momentum 0.9),
# batch 32, 10 epochs (QUICK: 300 images, 2 epochs, weights=None: all of ResNet50 trains, on a CPU).
session.save("r001-F25", artifacts.birds_finetuned(session.context.within("r001-F25")))""",
    ],
    "r003: MobileNet on cats vs dogs": [
        """# 2,500 cats and dogs at 128x128 (QUICK: Fashion-MNIST T-shirts vs trousers at 64x64) and r003's network:
# MobileNet (ImageNet weights, frozen) + global average pooling + Dropout + one logit.
import keras
from practicas import figures
from practicas.experiments import train_classifier
from practicas.runmode import epochs_for
from practicas.transfer import models
from practicas.transfer.experiments import R003_AUGMENTATION, cats_vs_dogs_transfer

data, label = session.data("cats_vs_dogs")
print(label, "- train", data.x_train.shape, "classes", data.class_names)
session.run("r003-T1")  # with the base frozen, 1,025 of its 3,229,889 parameters train""",
        """# Transfer in two phases (practicas.transfer.finetune.fit_two_phase), batch 32, augmented (R003_AUGMENTATION):
# 50 epochs with MobileNet frozen (Adam 1e-3), then 10 with all of it trainable (Adam 1e-5).
# QUICK: a thin MobileNet pretrained on the spot on 8 other classes, 2 + 1 epochs.
print(R003_AUGMENTATION)
run = cats_vs_dogs_transfer(session.context)  # trained once and resumable; notebook 03 climbs this network's logit
session.save("r003-F1", figures.curves(run, "MobileNet transfer", title="MobileNet: frozen, then fine-tuned"))""",
        """# The same network from scratch: no ImageNet features, all 3.2 M parameters learned from 2,500 images.
run = train_classifier(
    lambda: models.mobilenet_cats_vs_dogs(data.image_shape, weights=None, frozen=False, alpha=0.25 if session.quick else 1.0),
    data,
    optimizer=keras.optimizers.Adam(1e-3),
    batch_size=32,
    epochs=epochs_for(60, session.quick),
    augmentation=R003_AUGMENTATION,
    rescale=False,  # the network rescales its [0, 255] input itself
    validation="val",
    seed=session.seed,
    workdir=session.workdir("mobilenet_scratch"),
)
session.save("r003-F2", figures.curves(run | {"dataset": label}, "MobileNet from scratch", title="MobileNet from scratch"))""",
    ],
    "r003: from EMNIST letters to 1,000 MNIST digits": [
        """# The source task: EMNIST letters a-j (or, QUICK, a Fashion-MNIST stand-in), and r003's small network.
from practicas import figures, training
from practicas.runmode import epochs_for
from practicas.transfer import models
from practicas.transfer.experiments import R003_AUGMENTATION, train_digits

letters, label = session.data("emnist_letters")
models.emnist_net(letters.image_shape, 10).summary()
session.run("r003-T2")  # the same network with its convolutions frozen, as the transfer below uses it""",
        """# r003's settings for these 28x28 networks: pixels / 255, Adam 1e-3, batch 64, the test split as validation.
training.set_seed(session.seed)
source = models.emnist_net(letters.image_shape, 10)  # a fresh network each time this cell runs
run = train_digits(source, letters, epochs=epochs_for(10, session.quick), seed=session.seed, workdir=session.workdir("emnist"))
session.save("r003-F3", figures.curves(run | {"dataset": label}, "EMNIST net", title="EMNIST net"))""",
        """# The transfer: the trained convolutions, frozen, under a new Dense 10, on 1,000 MNIST digits.
digits, label = session.data("mnist_1000")
augmentation = R003_AUGMENTATION.without_flip()  # shifts, zoom and rotation; a flipped digit would be another digit
epochs = epochs_for(30, session.quick)
training.set_seed(session.seed)
transferred = models.transfer_convs(source, num_classes=10)
transferred.summary()  # 19,610 of its 39,790 parameters train
run = train_digits(transferred, digits, epochs=epochs, seed=session.seed, workdir=session.workdir("emnist_to_mnist"),
                   augmentation=augmentation)
session.save("r003-F4", figures.curves(run | {"dataset": label}, "EMNIST net transferred", title="EMNIST convs frozen, new head"))""",
        """# The same architecture on the same 1,000 digits, from scratch: how much did the letters help?
training.set_seed(session.seed)
scratch = models.emnist_net(digits.image_shape, 10)
run = train_digits(scratch, digits, epochs=epochs, seed=session.seed, workdir=session.workdir("mnist_1000_scratch"),
                   augmentation=augmentation)
session.save("r003-F5", figures.curves(run | {"dataset": label}, "EMNIST net from scratch", title="EMNIST architecture from scratch"))""",
    ],
    "r004: three backbones on 10 Monkey Species": [
        """# 10 Monkey Species (Kaggle, downloaded through kagglehub into DATA; QUICK: a stand-in folder): the classes
# and a few images.
from practicas.basenet.experiments import vanilla_cnn_run
from practicas.transfer import artifacts, models

data, label = session.data("monkeys")
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape)
session.run("r004-F6")
session.run("r004-F7")""",
        """# r004's backbones and heads (models.R004_BACKBONES): AlexNet and ResNet34 in Keras with torchvision's ImageNet
# weights converted (practicas.transfer.torchvision_weights), EfficientNetB0 from keras.applications.
for backbone, spec in models.R004_BACKBONES.items():
    print(spec.name, f"head: Dense {spec.hidden}, dropout {spec.dropout}, then 10 logits;",
          "inputs normalized with ImageNet's mean/std" if spec.imagenet_normalized else "normalizes its [0, 255] inputs inside")
session.run("r004-P")  # parameter counts beside the report's (PyTorch counts trainable tensors)""",
        """# Each backbone twice: frozen (only its head trains) and fine-tuned (everything trains). r004's inputs: resize 256,
# centre crop 224 (QUICK: 72 -> 64, weights=None); Adam 1e-3, batch 32, 10 epochs (2 in quick mode).
# Six fits, each resumable; a backbone whose weights are missing is skipped and the table says so.
runs = artifacts.r004_runs(session.context)
vanilla = vanilla_cnn_run(session.context)  # the from-scratch baseline: notebook 01 trains it (shared state in OUT)
session.save("r004-T1", artifacts.r004_table(runs, vanilla))
session.save("r004-F8", artifacts.r004_confusions(runs, vanilla))""",
    ],
    "r003: what ResNet50V2's filters and classes respond to": [
        """# The network: ResNet50V2 with ImageNet weights, without its classifier, so any image size goes in.
# (QUICK: weights=None, offline, and 16 steps on 64x64 images: the pictures show an untrained network's patterns.)
import keras
from practicas import gradient_ascent as ga
from practicas.gradient_ascent.artifacts import REPORT_CLASS_SCORE, REPORT_PRESET, ascent_budget, ascent_images, resnet50v2

model = session.model(lambda context: resnet50v2(context.quick, seed=session.seed))  # weights missing? it says so
preprocess = keras.applications.resnet_v2.preprocess_input  # visualize hands it pixels in [0, 255]
# r003's method, blog.keras.io's: a grey image with a little noise, 20 steps of one grey level along the gradient.
print(REPORT_PRESET, ga.PRESETS[REPORT_PRESET])""",
        """# Objectives say what to climb. One image per filter: the 64 images climb together, as one batch.
layer = "conv3_block4_out"
vis = ga.visualize(model, ga.filters(layer, range(64)), preset=REPORT_PRESET, seed=session.seed, preprocess=preprocess,
                   callbacks=[ga.PrintProgress()], **ascent_budget(session.quick, 16))
print("mean filter activation:", vis.initial.mean().round(4), "->", vis.final.mean().round(4))
captions = [f"#{i}" for i in range(64)]
session.save("r003-F6", ascent_images(vis, network="ResNet50V2", columns=8, quick=session.quick, layer=layer, captions=captions))""",
        """# Deeper in, the same 64 filters respond to larger, more complex patterns.
layer = "conv5_block3_out"
vis = ga.visualize(model, ga.filters(layer, range(64)), preset=REPORT_PRESET, seed=session.seed, preprocess=preprocess,
                   **ascent_budget(session.quick, 16))
session.save("r003-F7", ascent_images(vis, network="ResNet50V2", columns=8, quick=session.quick, layer=layer, captions=captions))""",
        """# Objectives add: filter 0 maximized and minimized, in one call.
layer = "conv3_block4_out"
objective = ga.filters(layer, [0]) + ga.filters(layer, [0], minimize=True)
vis = ga.visualize(model, objective, preset=REPORT_PRESET, seed=session.seed, preprocess=preprocess,
                   **ascent_budget(session.quick, 32))
session.save("r003-F8", ascent_images(vis, network="ResNet50V2", columns=2, quick=session.quick, layer=layer,
                                      captions=["filter 0 maximized", "filter 0 minimized"]))""",
        """# A class: ImageNet's 284, Siamese cat. The blog (and so r003) climbs model.output, the softmax probability;
# score="logits" climbs the logit instead, which cannot be raised by lowering every other class.
with_top = resnet50v2(session.quick, include_top=True, seed=session.seed)  # the classifier: 224x224 inputs only
objective = ga.classes([284], names=["Siamese cat (ImageNet 284)"], score=REPORT_CLASS_SCORE)
vis = ga.visualize(with_top, objective, preset=REPORT_PRESET, seed=session.seed, preprocess=preprocess,
                   **ascent_budget(session.quick, 12, None))
session.save("r003-F10", ascent_images(vis, network="ResNet50V2", columns=1, quick=session.quick, class_index=284))""",
        """# The report's method beside a better one: the same 8 filters of conv3_block4_out, blog.keras.io's 20 pixel
# steps (r003's figures) and the Lucid-style preset (a decorrelated Fourier image, random jitter, scale and rotation,
# Adam, 256 steps), which removes the high-frequency noise that pixel steps amplify. One argument apart: preset=.
import matplotlib.pyplot as plt

layer, eight = "conv3_block4_out", range(8)
for name in (REPORT_PRESET, "lucid"):
    budget = ascent_budget(session.quick, 16 if name == REPORT_PRESET else 64)
    vis = ga.visualize(model, ga.filters(layer, eight), preset=name, seed=session.seed, preprocess=preprocess, **budget)
    ga.plot_visualization(vis, columns=8, title=f"{layer}, preset={name!r}")
plt.show()""",
    ],
    "r003: inside the digit network and the cats-vs-dogs network": [
        """# r003's digit network (exercise 3's architecture) trained on MNIST; QUICK: on scikit-learn's digits, seconds.
import keras
from practicas import gradient_ascent as ga
from practicas.gradient_ascent.artifacts import REPORT_CLASS_SCORE, REPORT_PRESET, ascent_budget, ascent_images, digit_network

data, label = session.data("mnist_digits")
print(label, "- train", data.x_train.shape)
model, network = session.model(digit_network)  # trained once, resumable, shared with the CLI's runs
model.summary()
print(network)""",
        """# Ten class objectives on the probabilities (the blog's model.output): what does the network think a 3 looks like? Then ask it.
objective = ga.classes(range(10), names=[f"digit {d}" for d in range(10)], score=REPORT_CLASS_SCORE)  # probabilities
vis = ga.visualize(model, objective, preset=REPORT_PRESET, seed=session.seed, **ascent_budget(session.quick, 128, None))
seen = keras.ops.image.resize(vis.images, model.input_shape[1:3], antialias=True)  # what the network sees: 28x28
confidence = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(seen, verbose=0)))[range(10), range(10)]
print("softmax of each image's own digit:", confidence.round(3))
result = ascent_images(vis, network=network, columns=10, quick=session.quick)
result["metrics"]["target_confidence"] = confidence
session.save("r003-F11", result)""",
        """# The 10 filters of each convolution: edges and strokes in the first, parts of digits in the second.
objective = ga.filters("conv1", range(10)) + ga.filters("conv2", range(10))
vis = ga.visualize(model, objective, preset=REPORT_PRESET, seed=session.seed, **ascent_budget(session.quick, 96, None))
captions = [f"conv{1 + i // 10} #{i % 10}" for i in range(20)]
session.save("r003-F12", ascent_images(vis, network=network, columns=10, quick=session.quick, captions=captions))""",
        """# The cats-vs-dogs network of notebook 02 (MobileNet transfer; its state is shared in OUT, so it trains once).
# Its one logit says dog when > 0: climb it (the network's dog) and descend it (its cat), in one call:
# ga.classes([0]) + ga.classes([0], minimize=True) on [0, 255] inputs, MobileNet's own range.
from practicas.gradient_ascent.artifacts import cats_vs_dogs_images
from practicas.transfer.experiments import cats_vs_dogs_transfer

run = session.model(cats_vs_dogs_transfer)  # data or weights missing? it says so
session.save("r003-F14", cats_vs_dogs_images(run, session.quick, session.seed))""",
    ],
    "r002: the emoji network": [
        """# r002's data: 1,005 emoji at 32x32 in 5 classes, a pickled dict from the course (QUICK: a stand-in of the
# same shape). It has no public URL: put the .pkl in DATA/emoji/; in Colab, a full run asks for it here (upload it).
# Missing in full mode? It says where to put the pickle, and the cells go on with the stand-in.
import functools
import sys

emoji_folder = session.data_root / "emoji"
pickles = [p for p in emoji_folder.glob("*.p*") if p.suffix in (".pkl", ".pickle", ".p")]
if not (session.quick or session.smoke or pickles) and "google.colab" in sys.modules:
    from google.colab import files

    emoji_folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.upload().items():
        (emoji_folder / name).write_bytes(content)

from practicas import figures
from practicas.basenet import models
from practicas.basenet.artifacts import emoji_run
from practicas.results import Curves

data, label = session.data("emoji", train=845)  # the first 845 images train, the other 160 validate
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)
models.emoji_first_net(data.image_shape, data.num_classes).summary()  # the first net: valid convs 16-32-64""",
        """# emoji_run fits a network with plain SGD (r002 used no momentum) on that split, shuffled per epoch, and
# returns its curves and validation accuracy. The first net: lr 0.05, batch 20, 15 epochs (3 in quick mode).
run = emoji_run(models.emoji_first_net, lr=0.05, batch_size=20, epochs=15, train=845,
                context=session.context.within("r002-F1"))  # its own state folder: interrupted? rerun, it resumes
session.save("r002-F1", Curves(run))""",
        """# What the learning rate does: 0.5 diverges, 0.001 barely moves, 0.1 learns.
runs = [
    emoji_run(models.emoji_first_net, lr=lr, batch_size=20, epochs=15, train=845, label=f"lr {lr}",
              context=session.context.within(f"r002-F2/lr{lr}"))
    for lr in (0.5, 0.1, 0.001)
]
session.save("r002-F2", figures.compared(runs))""",
        """# lr 0.1 with batch 10; then more data to validate on (800/205) and 20 epochs.
runs = [
    emoji_run(models.emoji_first_net, lr=0.1, batch_size=10, epochs=15, train=845, label="batch 10, 845/160",
              context=session.context.within("r002-F3/batch10")),
    emoji_run(models.emoji_first_net, lr=0.1, batch_size=10, epochs=20, train=800, label="batch 10, 800/205, 20 epochs",
              context=session.context.within("r002-F3/split800")),
]
session.save("r002-F3", figures.compared(runs))""",
        """# The final Net: a stride-2 conv, max-pool, a second conv, Dense 256 and 5 (1,069,509 parameters).
models.emoji_net().summary()
session.run("r002-T1")
run = emoji_run(models.emoji_net, lr=0.1, batch_size=5, epochs=30, train=800, context=session.context.within("r002-F4"))
session.save("r002-F4", Curves(run))  # the report: 92 % train, 87 % validation""",
        """# Longer, other activations, and where to stop.
run = emoji_run(models.emoji_net, lr=0.1, batch_size=5, epochs=60, train=800, context=session.context.within("r002-F5"))
session.save("r002-F5", Curves(run))  # 60 epochs: the validation loss turns up (overfitting)
runs = [
    emoji_run(functools.partial(models.emoji_net, activation=activation), lr=0.1, batch_size=5, epochs=30, train=800,
              label=activation, model_name=f"emoji_net_{activation}", context=session.context.within(f"r002-F6/{activation}"))
    for activation in ("softmax", "sigmoid")  # instead of ReLU after each layer
]
session.save("r002-F6", figures.compared(runs))
run = emoji_run(models.emoji_net, lr=0.07, batch_size=10, epochs=16, train=800, context=session.context.within("r002-F7"))
session.save("r002-F7", Curves(run))  # lr 0.07, batch 10, 16 epochs: stopped before the validation loss rises""",
    ],
    "r004: a Vanilla CNN on 10 Monkey Species": [
        """# 10 Monkey Species: 1,097 training and 272 validation images (a Kaggle download through kagglehub; QUICK:
# a 64x64 stand-in folder), brought to r004's inputs: resize 256, centre crop 224, ImageNet mean and std.
import keras
from practicas.basenet import models
from practicas.basenet.artifacts import vanilla_cnn_table
from practicas.basenet.experiments import vanilla_cnn_inputs
from practicas.experiments import train_classifier
from practicas.runmode import epochs_for

data, label = session.data("monkeys", image_size=256)
data, preprocess = vanilla_cnn_inputs(data, session.quick)  # QUICK: the 64x64 images, pixels / 255
print(label, "- train", data.x_train.shape, "validation", data.x_test.shape, "classes", data.class_names)
models.vanilla_cnn(data.image_shape, data.num_classes).summary()  # three Conv-ReLU-MaxPool blocks, Dense 256, 10""",
        """# r004's settings: Adam 1e-3, batch 32, 10 epochs (3 in quick mode), validated on the validation images.
run = train_classifier(
    lambda: models.vanilla_cnn(data.image_shape, data.num_classes),
    data,
    optimizer=keras.optimizers.Adam(1e-3),
    batch_size=32,
    epochs=epochs_for(10, session.quick),
    validation="test",
    rescale=False,  # the inputs above are already normalized
    preprocess=preprocess,
    seed=session.seed,
    workdir=session.workdir("r004-VCNN"),  # the CLI's folder too: notebook 02's table reuses this run
)
session.save("r004-VCNN", vanilla_cnn_table(run | {"data": data, "dataset": label}))""",
    ],
    "r001: BaseNet and its improvement ladder on CIFAR-100 (classes 0-24)": [
        """# The data and r001's pipelines. The report fed ImageDataGenerator flows: featurewise normalization fitted on
# the training images, 10 % held out for validation, augmentation on training batches only. Either set of flows
# trains with model.fit(flows.train, validation_data=flows.validation); train_classifier below builds the tf.data
# twin (pipelines.tfdata_pipelines: same arguments, faster, resumable) from its featurewise= / augmentation=.
from practicas import pipelines
from practicas.basenet import models

data, label = session.data("cifar100_subset")
flows = pipelines.image_data_generator_pipelines(
    data.x_train, data.y_train, data.x_test, data.y_test, batch_size=64, augmentation=pipelines.Augmentation.r001()
)
images, labels = flows.train[0]
print(label, "- one training batch:", images.shape, labels.shape, "mean", images.mean().round(3))
models.basenet(data.image_shape, data.num_classes).summary()
session.run("r001-T1")""",
        """# Rung 1 (r001 Figures 1-2): BaseNet with r001's SGD (lr 0.01, decay 1e-6, momentum 0.9), batch 64, 25 epochs
# (3 in quick mode), 10 % of the training images held out for validation; the test accuracy is the report's number.
from practicas import figures, training
from practicas.experiments import train_classifier
from practicas.runmode import epochs_for

run = train_classifier(
    lambda: models.basenet(data.image_shape, data.num_classes),  # built after seeding: the CLI's weights
    data,
    optimizer=training.sgd_with_decay(0.01, decay=1e-6, momentum=0.9),
    batch_size=64,
    epochs=epochs_for(25, session.quick),
    validation="split",
    seed=session.seed,
    workdir=session.workdir("basenet_sgd"),  # interrupted? rerun: training resumes
)
session.save("r001-F1", figures.curves(run | {"dataset": label}, "basenet"))""",
        """# Each next rung keeps the ones above and adds one change: LADDER holds one row of settings per rung, and
# run_ladder_step is the cell above with that row: Adam, featurewise normalization and augmentation in the
# pipeline (train_classifier(featurewise=..., augmentation=...)), models.basenet(batch_norm=, deeper=, dropout=).
from practicas.basenet.artifacts import LADDER, basenet_early_stopping, run_ladder_step
from practicas.results import Curves

for artifact_id in ["r001-F3", "r001-F5", "r001-F9", "r001-F11", "r001-F13", "r001-F15"]:
    print(artifact_id, LADDER[artifact_id])
    session.save(artifact_id, Curves(run_ladder_step(LADDER[artifact_id], session.context.within(artifact_id))))""",
        """# The improved BaseNet (23 layers), then early stopping: 80 epochs, patience 10, the best weights restored,
# with and without dropout (basenet_early_stopping: two rungs, drawn side by side).
models.improved_basenet(data.image_shape, data.num_classes).summary()
session.run("r001-T2")
session.save("r001-F17", basenet_early_stopping(session.context.within("r001-F17")))""",
        """# The bonus networks: 32/64 filters, same padding, two 3x3 convs per stage, Dense 512 (F27); then with
# residual stages (F29, its layer table T3).
models.bonus_basenet(data.image_shape, data.num_classes, residual=True).summary()
for artifact_id in ["r001-F27", "r001-F29"]:
    print(artifact_id, LADDER[artifact_id])
    session.save(artifact_id, Curves(run_ladder_step(LADDER[artifact_id], session.context.within(artifact_id))))
session.run("r001-T3")""",
    ],
}


def _quiet(code: str) -> str:
    """``code`` with a ``;`` right after a last ``session.run(...)`` / ``session.save(...)`` (before any trailing
    comment): the cell shows the figure, not the dict those calls return."""
    last = ast.parse(code.replace("%pip", "#")).body[-1]
    called = ast.unparse(last.value.func) if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) else ""
    if called not in ("session.run", "session.save"):
        return code
    lines = code.split("\n")
    row, column = last.end_lineno - 1, last.end_col_offset
    if not lines[row][column:].lstrip().startswith(";"):
        lines[row] = lines[row][:column] + ";" + lines[row][column:]
    return "\n".join(lines)


def _cell(kind: str, text: str, cell_id: str) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": text.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _report_numbers(ids: list[str]) -> str:
    from practicas.comparison import report_numbers

    lines = []
    for artifact_id in ids:
        numbers = report_numbers(artifact_id)
        shown = [
            f"{n.quantity} {n.value:.2%}"
            if isinstance(n.value, float) and n.value <= 1
            else f"{n.quantity} {n.value:,}"
            for n in numbers
        ]
        if shown:
            lines.append(f"- {artifact_id}: {', '.join(shown)}")
    if not lines:
        return ""
    return "\n\nThe report's numbers (yours beside them: `python -m practicas compare OUT`):\n" + "\n".join(lines)


def notebook(practical: str) -> dict:
    """The notebook of one practical, as nbformat-4 JSON (a dict)."""
    cells = [
        _cell(
            "markdown",
            f"# practicas — {INTRO[practical]}\n\nOne section per experiment of the reports: its setting and the "
            "report's numbers, then the code. Every artifact ID is listed in the README's figure index; "
            "`python -m practicas run ID` writes the same files.",
            "intro",
        ),
        _cell("code", SETUP.replace("{practical}", practical), "setup"),
        *(_cell("code", text, f"setup-{i}") for i, text in enumerate(AFTER_SETUP.get(practical, []), start=1)),
    ]
    for number, (title, setting, ids) in enumerate(EXPERIMENTS[practical], start=1):
        key = f"{practical}-{number}"
        titles = ", ".join(f"{a} ({registry.get(a).title})" for a in ids)
        cells.append(_cell("markdown", f"## {title}\n\n{setting}{_report_numbers(ids)}\n\nArtifacts: {titles}.", key))
        code = TEACHING.get(title, [])
        if code:  # the notebook's own cells: a fresh mode and record for this experiment's JSONs
            if set(ids) & registry.MIXED_PRECISION:  # the CLI's GPU default for these networks
                first = (
                    "session.new_experiment(mixed_precision=True)  # mixed_float16 on a tensor-core GPU, full mode\n"
                )
            else:
                first = f"session.new_experiment()  # {title}: its own mode and record of what it loads and fits\n"
            code = [first + code[0], *code[1:]]
        cells += [_cell("code", _quiet(text), f"{key}-code{i}") for i, text in enumerate(code, start=1)]
        cells += [_cell("code", f'session.run("{a}");', a) for a in ids if not any(f'"{a}"' in text for text in code)]
    return {
        "cells": cells,
        "metadata": {
            "accelerator": "GPU",
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(practical: str) -> str:
    return json.dumps(notebook(practical), indent=1, ensure_ascii=False) + "\n"


def write_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """Write one notebook per practical that has implemented artifacts.

    Example:
        >>> write_notebooks("notebooks")  # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for practical in registry.PRACTICALS:
        if any(a.implemented for a in registry.all_artifacts() if a.practical == practical):
            path = folder / Path(registry.NOTEBOOKS[practical]).name
            path.write_text(notebook_text(practical), encoding="utf-8")
            written.append(path)
    return written
