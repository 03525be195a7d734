# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # practicas — Practical 3: gradient-ascent visualization of what a network has learned (r003 exercise 4).
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

session = start(quick=QUICK, smoke=SMOKE, seed=SEED, data=DATA, out=OUT, drive=USE_DRIVE, practical="gradient_ascent")

# %% [markdown]
# ## r003: what ResNet50V2's filters and classes respond to
#
# Inputs that maximize 64 filters of two layers, one filter maximized and minimized, and the Siamese-cat class (ImageNet weights, starting from noise).
#
# **What it asks.** «Mediante el proceso de gradiente ascendente se obtuvo la entrada que maximizaba la activación de cierto filtro de la red o de cierta clase de salida actualizando los datos de entrada.» — *By gradient ascent, find the input that maximizes the activation of a filter or of an output class, updating the input itself.*
#
# **The idea.** Training changes the weights to lower a loss; gradient ascent freezes the weights and changes the *input* to raise one activation. Start from noise, take the gradient of the filter's mean activation with respect to the pixels, step along it, repeat. Early layers' filters answer to colours and textures; deeper ones to parts of objects («a medida que se avanza en la red neuronal convolucional los filtros distinguen cosas más complejas» — *the deeper the layer, the more complex what its filters detect*).
#
# Artifacts: r003-F6 (ResNet50V2 conv3_block4_out: 64 filters maximized (8x8 grid)), r003-F7 (ResNet50V2 conv5_block3_out: 64 filters maximized (8x8 grid)), r003-F8 (ResNet50V2 filter 0 maximized and minimized), r003-F10 (ResNet50V2 input maximizing ImageNet class Siamese cat).

# %%
session.new_experiment()  # r003: what ResNet50V2's filters and classes respond to: its own mode and record of what it loads and fits
# The network: ResNet50V2 with ImageNet weights, without its classifier, so any image size goes in.
# (QUICK: weights=None, offline, and 12-32 steps, mostly on 64x64 images: the pictures show an untrained network's
# patterns.)
import keras

from practicas import gradient_ascent as ga
from practicas.gradient_ascent.artifacts import REPORT_CLASS_SCORE, REPORT_PRESET, ascent_images, resnet50v2

model = session.model(lambda context: resnet50v2(context.quick, seed=session.seed))  # weights missing? it says so
preprocess = keras.applications.resnet_v2.preprocess_input  # visualize hands it pixels in [0, 255]
# r003's method, blog.keras.io's: a grey image with a little noise, 20 steps of one grey level along the gradient.
print(REPORT_PRESET, ga.PRESETS[REPORT_PRESET])

# %%
# Objectives say what to climb. One image per filter: the 64 images climb together, as one batch.
layer = "conv3_block4_out"
vis = ga.visualize(
    model,
    ga.filters(layer, range(64)),
    preset=REPORT_PRESET,
    seed=session.seed,
    preprocess=preprocess,
    callbacks=[ga.PrintProgress()],
    **session.ascent_budget(16),
)
print("mean filter activation:", vis.initial.mean().round(4), "->", vis.final.mean().round(4))
captions = [f"#{i}" for i in range(64)]
session.save(
    "r003-F6", ascent_images(vis, network="ResNet50V2", columns=8, quick=session.quick, layer=layer, captions=captions)
)

# %%
# Deeper in, the same 64 filters respond to larger, more complex patterns.
layer = "conv5_block3_out"
vis = ga.visualize(
    model,
    ga.filters(layer, range(64)),
    preset=REPORT_PRESET,
    seed=session.seed,
    preprocess=preprocess,
    **session.ascent_budget(16),
)
session.save(
    "r003-F7", ascent_images(vis, network="ResNet50V2", columns=8, quick=session.quick, layer=layer, captions=captions)
)

# %%
# Objectives add: filter 0 maximized and minimized, in one call.
layer = "conv3_block4_out"
objective = ga.filters(layer, [0]) + ga.filters(layer, [0], minimize=True)
vis = ga.visualize(
    model, objective, preset=REPORT_PRESET, seed=session.seed, preprocess=preprocess, **session.ascent_budget(32)
)
session.save(
    "r003-F8",
    ascent_images(
        vis,
        network="ResNet50V2",
        columns=2,
        quick=session.quick,
        layer=layer,
        captions=["filter 0 maximized", "filter 0 minimized"],
    ),
)

# %%
# A class: ImageNet's 284, Siamese cat (r003 writes both 238 and 283, Persian cat, for "gato siamés"). The blog (and so r003) climbs model.output, the softmax probability;
# score="logits" climbs the logit instead, which cannot be raised by lowering every other class.
# The classifier (224x224 inputs only); its weights missing? it says so, and the section goes on with the stand-in.
with_top = session.model(lambda context: resnet50v2(context.quick, include_top=True, seed=session.seed))
objective = ga.classes([284], names=["Siamese cat (ImageNet 284)"], score=REPORT_CLASS_SCORE)
vis = ga.visualize(
    with_top,
    objective,
    preset=REPORT_PRESET,
    seed=session.seed,
    preprocess=preprocess,
    **session.ascent_budget(12, None),
)
session.save("r003-F10", ascent_images(vis, network="ResNet50V2", columns=1, quick=session.quick, class_index=284))

# %%
# The report's method beside a better one: the same 8 filters of conv3_block4_out, blog.keras.io's 20 pixel
# steps (r003's figures) and the Lucid-style preset (a decorrelated Fourier image, random jitter, scale and rotation,
# Adam, 256 steps), which removes the high-frequency noise that pixel steps amplify. One argument apart: preset=.
import matplotlib.pyplot as plt

layer, eight = "conv3_block4_out", range(8)
for name in (REPORT_PRESET, "lucid"):
    budget = session.ascent_budget(16 if name == REPORT_PRESET else 64)
    vis = ga.visualize(model, ga.filters(layer, eight), preset=name, seed=session.seed, preprocess=preprocess, **budget)
    ga.plot_visualization(vis, columns=8, title=f"{layer}, preset={name!r}")
plt.show()

# %% [markdown]
# ## r003: inside the digit network and the cats-vs-dogs network
#
# Inputs that maximize each digit class and each filter of the first two convolutions of r003's MNIST network, and the input that maximizes (dog) and minimizes (cat) the cats-vs-dogs network's output.
#
# **What it asks.** The same question of r003's own networks: what input makes the digit network say "3", and what makes the cats-vs-dogs network say "dog" (its logit maximized) or "cat" (minimized)?
#
# **The idea.** A small network trained on centred digits dreams images it classifies with near certainty that rarely look like digits to us: it has learned features that separate its ten classes, not what a digit looks like. Asking the network to classify its own dream (the softmax of each image) checks that the ascent worked.
#
# Artifacts: r003-F11 (MNIST network: inputs maximizing each of the 10 digit outputs), r003-F12 (MNIST network: inputs maximizing the 10 filters of each conv layer), r003-F14 (Cats-vs-dogs network: inputs maximizing and minimizing its output).

# %%
session.new_experiment()  # r003: inside the digit network and the cats-vs-dogs network: its own mode and record of what it loads and fits
# r003's digit network (exercise 3's architecture) trained on MNIST with r003's settings for its 28x28 networks:
# pixels / 255, Adam 1e-3, batch 64, 10 epochs, the test split as validation. QUICK: scikit-learn's digits, 5 epochs.
import keras

from practicas import gradient_ascent as ga
from practicas import pipelines, training
from practicas.experiments import evaluate_classifier
from practicas.gradient_ascent.artifacts import REPORT_CLASS_SCORE, REPORT_PRESET, ascent_images
from practicas.runmode import epochs_for
from practicas.transfer import models

data, label = session.data("mnist_digits")
print(label, "- train", data.x_train.shape)
EPOCHS = epochs_for(10, session.quick, 5)  # read after the data: missing MNIST makes the section quick
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
training.set_seed(session.seed)
model = models.emnist_net(data.image_shape, 10)
model.summary()
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
pixels = dict(mean=0.0, std=255.0)
train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=BATCH_SIZE, seed=session.seed, **pixels)
test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=256, shuffle=False, **pixels)
tracking = session.fit_callbacks(f"digit_network-lr{LEARNING_RATE}", train)  # interrupted? rerun: training resumes
model.fit(train, validation_data=test, epochs=EPOCHS, callbacks=[tracking], verbose=0)
accuracy = evaluate_classifier(model, test, data)["metrics"]["accuracy"]
network = f"r003 exercise-3 network trained on {label}, test accuracy {accuracy:.3f}"
print(network)

# %%
# Ten class objectives on the probabilities (the blog's model.output): what does the network think a 3 looks like? Then ask it.
objective = ga.classes(range(10), names=[f"digit {d}" for d in range(10)], score=REPORT_CLASS_SCORE)  # probabilities
vis = ga.visualize(model, objective, preset=REPORT_PRESET, seed=session.seed, **session.ascent_budget(128, None))
# The images as shown (the blog's deprocessing: contrast stretched, clipped), back at 28x28: does the network
# still see its digit in them? (vis.final is each class's probability on the image as optimized.)
seen = keras.ops.image.resize(vis.images, model.input_shape[1:3], antialias=True)
confidence = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(seen, verbose=0)))[range(10), range(10)]
print("softmax of each image's own digit:", confidence.round(3))
result = ascent_images(vis, network=network, columns=10, quick=session.quick)
result["metrics"]["target_confidence"] = confidence
session.save("r003-F11", result)

# %%
# The 10 filters of each convolution: edges and strokes in the first, parts of digits in the second.
objective = ga.filters("conv1", range(10)) + ga.filters("conv2", range(10))
vis = ga.visualize(model, objective, preset=REPORT_PRESET, seed=session.seed, **session.ascent_budget(96, None))
captions = [f"conv{1 + i // 10} #{i % 10}" for i in range(20)]
session.save("r003-F12", ascent_images(vis, network=network, columns=10, quick=session.quick, captions=captions))

# %%
# The cats-vs-dogs network of notebook 02 (MobileNet transfer; its state is shared in OUT, so it trains once).
# Its one logit says dog when > 0: climb its probability (the network's dog) and descend it (its cat), in one
# call: ga.classes([0]) + ga.classes([0], minimize=True) on [0, 255] inputs, MobileNet's own range.
from practicas.gradient_ascent.artifacts import cats_vs_dogs_images
from practicas.transfer.experiments import cats_vs_dogs_transfer

run = session.model(cats_vs_dogs_transfer)  # data or weights missing? it says so
session.save("r003-F14", cats_vs_dogs_images(run, session.quick, session.seed, max_steps=session.max_ascent_steps))

# %% [markdown]
# ## Exercises
#
# 1. **Logits or probabilities.** Climb the Siamese-cat class with `score="logits"` instead of the probabilities. Predict how the image changes, then look.
# 2. **Deeper layers.** Visualize 16 filters of `conv4_block6_out` and place them between r003-F6 and r003-F7: are they closer to textures or to objects?
# 3. **Presets.** Run the digit classes with `preset="lucid"` (random jitter, scaling and rotation each step). Do the dreams look more like digits, and does the network still recognize them?
#
