"""Gradient ascent: objectives rise (or fall), batches and seeds behave, any model and layer works, bad input is named."""

import keras
import numpy as np
import pytest
from conftest import quick_group
from keras import layers

from practicas import gradient_ascent as ga
from practicas.errors import InvalidInputError

PNG = b"\x89PNG\r\n\x1a\n"


def small_convnet(functional=False):
    keras.utils.set_random_seed(3)
    stack = [
        layers.Conv2D(8, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(name="pool"),
        layers.Conv2D(8, 3, activation="relu", name="conv2"),
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dense(4, name="logits"),
    ]
    if not functional:
        model = keras.Sequential([keras.Input((32, 32, 3)), *stack], name="seq")
    else:
        inputs = keras.Input((32, 32, 3))
        x = inputs
        for layer in stack:
            x = layer(x)
        model = keras.Model(inputs, x, name="func")
    # Weights from NumPy, not the backend's initializers: the same network on TensorFlow, JAX and PyTorch.
    rng = np.random.default_rng(10)  # conv2 #2 is dead on the grey start: the ascent must wake it
    for layer in stack:
        if layer.weights:
            kernel, bias = layer.get_weights()
            limit = np.sqrt(6 / (np.prod(kernel.shape[:-1]) + kernel.shape[-1]))
            layer.set_weights([rng.uniform(-limit, limit, kernel.shape).astype("float32"), bias])
    return model


@pytest.fixture(scope="module")
def resnet():
    keras.utils.set_random_seed(0)
    return keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(None, None, 3))


@pytest.mark.parametrize("preset", ["lucid", "keras_io"])
def test_filter_mean_rises_at_least_tenfold(resnet, preset):
    vis = ga.visualize(
        resnet,
        ga.filters("conv3_block4_out", range(6)),
        preset=preset,
        steps=40,
        size=64,
        preprocess=keras.applications.resnet_v2.preprocess_input,
    )
    ratio = vis.final / np.maximum(np.abs(vis.initial), 1e-6)
    if preset == "keras_io":
        assert np.all(ratio >= 10), (vis.initial, vis.final)
    else:
        # Random weights like pixel-level patterns that jitter and rotation blur away, so one filter in
        # six may stall in this untrained network; trained networks do not have such filters.
        assert np.sum(ratio >= 10) >= 5, (vis.initial, vis.final)


@pytest.mark.parametrize("functional", [False, True])
def test_sequential_and_functional_models(functional):
    vis = ga.visualize(small_convnet(functional), ga.filters("conv2", range(4)), steps=64, seed=0)
    assert vis.images.shape == (4, 96, 96, 3)  # a 32x32 input is optimized 3x larger
    assert vis.trace.shape == (64, 4)
    active = [i for i in range(4) if i not in vis.inactive]
    # Filters at zero on the grey start (dead ReLUs) wake up too: the ascent climbs through them.
    assert len(active) >= 3 and np.all(vis.final[active] > vis.initial[active] + 0.05), (vis.initial, vis.final)


def test_minimizing_lowers_the_objective():
    vis = ga.visualize(small_convnet(), ga.filters("logits", [0, 1], minimize=True), steps=48, seed=0)
    assert np.all(vis.final < vis.initial - 0.04), (vis.initial, vis.final)


def test_batch_of_filters_gives_different_images_and_seed_reproduces():
    model = small_convnet()
    first = ga.visualize(model, ga.filters("conv1", range(6)), steps=16, seed=1)
    again = ga.visualize(model, ga.filters("conv1", range(6)), steps=16, seed=1)
    other = ga.visualize(model, ga.filters("conv1", range(6)), steps=16, seed=2)
    flat = first.images.reshape(6, -1)
    distances = np.abs(flat[:, None] - flat[None]).mean(-1)
    assert np.all(distances[~np.eye(6, dtype=bool)] > 1e-3)
    np.testing.assert_array_equal(first.images, again.images)
    assert np.abs(first.images - other.images).mean() > 1e-3


def test_keras_io_preset_crops_the_border_and_rises():
    vis = ga.visualize(small_convnet(), ga.filters("conv2", range(3)), preset="keras_io", size=64, seed=0)
    assert vis.images.shape == (3, 64 - 2 * 9, 64 - 2 * 9, 3)
    assert vis.trace.shape[0] == ga.PRESETS["keras_io"].steps
    assert np.all(vis.final > vis.initial)


def test_nested_layer_of_a_keras_applications_backbone():
    base = keras.applications.MobileNet(weights=None, include_top=False, input_shape=(64, 64, 3), alpha=0.25)
    inputs = keras.Input((64, 64, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    outputs = layers.Dense(2, name="head")(layers.GlobalAveragePooling2D()(base(x)))
    model = keras.Model(inputs, outputs)
    vis = ga.visualize(model, ga.filters("conv_pw_2_relu", range(3)) + ga.classes([1]), steps=8, input_range=(0, 255))
    assert vis.images.shape == (4, 128, 128, 3) and np.all(np.isfinite(vis.final))


def test_softmax_output_is_climbed_on_its_logits():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(3, activation="softmax", name="probs")]
    )
    with pytest.warns(UserWarning, match="logits of 'probs' instead of its softmax"):
        vis = ga.visualize(model, ga.classes([2]), steps=4, size=8)
    kernel, bias = model.get_layer("probs").get_weights()
    image = ga.ascent.to_model_input(vis.images[:1], (0, 1))
    pre_softmax = image.reshape(1, -1) @ kernel + bias
    assert vis.final[0] == pytest.approx(pre_softmax[0, 2], rel=1e-4)
    assert any("softmax" in note for note in vis.notes)


def test_filter_that_never_activates_is_reported_not_drawn():
    model = keras.Sequential([keras.Input((16, 16, 1)), layers.Conv2D(2, 3, activation="relu", name="conv")])
    model.get_layer("conv").set_weights([np.zeros((3, 3, 1, 2), "float32"), np.array([1.0, -1.0], "float32")])
    vis = ga.visualize(model, ga.filters("conv", [0, 1]), steps=4, size=32)
    assert vis.inactive == [1]
    fig = ga.plot_visualization(vis, columns=2)
    assert "never activates" in fig.axes[1].get_title() and not fig.axes[1].images


@pytest.mark.parametrize(
    "objective, message",
    [
        (ga.filters("conv3", [0]), "no layer .conv3.; closest layer names: conv2, conv1"),
        (ga.filters("conv1", [8]), "valid indices are 0..7"),
        (ga.classes([4]), "valid indices are 0..3"),
    ],
)
def test_bad_targets_are_refused_with_the_valid_choices(objective, message):
    with pytest.raises(InvalidInputError, match=message):
        ga.visualize(small_convnet(), objective, steps=1)


def test_unknown_preset_and_wrong_start_image():
    with pytest.raises(InvalidInputError, match="choose one of"):
        ga.visualize(small_convnet(), ga.filters("conv1", [0]), preset="fancy")
    with pytest.raises(InvalidInputError, match="start image"):
        ga.visualize(small_convnet(), ga.filters("conv1", [0]), start=np.zeros((32, 32, 1)), steps=1)


def test_starting_from_an_image_keeps_it_when_no_steps_are_taken():
    start = np.random.default_rng(0).uniform(0.2, 0.8, (32, 32, 3)).astype("float32")
    for preset in ("lucid", "keras_io"):  # the Fourier parametrization is inverted exactly
        vis = ga.visualize(small_convnet(), ga.filters("conv1", [0]), start=start, steps=0, size=32, preset=preset)
        if preset == "lucid":
            np.testing.assert_allclose(vis.images[0], start, atol=2e-3)
        else:  # keras.io standardizes and crops what it shows
            assert vis.images.shape == (1, 32 - 2 * 4, 32 - 2 * 4, 3)


def test_fourier_images_are_smoother_than_pixel_noise():
    noise = np.random.default_rng(0).uniform(size=(2, 64, 64, 3))
    smooth = keras.ops.convert_to_numpy(ga.images.FourierImage((2, 64, 64, 3), seed=0, std=0.1).image())
    # White noise puts ~80 % of its power above half the Nyquist frequency; a 1/f spectrum (like photos) ~25 %.
    assert ga.high_frequency_fraction(noise).min() > 0.7
    assert ga.high_frequency_fraction(smooth).max() < 0.35


def test_regularizers_and_callbacks_see_every_step(capsys):
    class Hooks(ga.AscentCallback):
        needs_images = True

        def __init__(self):
            self.calls = []

        def on_begin(self, steps, scores):
            self.calls.append(("begin", steps, scores.shape))

        def on_step(self, step, scores, images):
            self.calls.append(("step", step, images.shape))

        def on_end(self, vis):
            self.calls.append(("end", len(vis.images)))

    hooks, snapshots = Hooks(), ga.Snapshots(every=2)
    vis = ga.visualize(
        small_convnet(),
        ga.filters("conv1", [0, 1]),
        steps=4,
        size=32,
        regularizers=[ga.total_variation(1e-4), ga.l2_norm(1e-3)],
        callbacks=[ga.PrintProgress(every=2), hooks, snapshots],
    )
    assert capsys.readouterr().out.count("mean objective") == 2 and np.isfinite(vis.final).all()
    assert hooks.calls == [("begin", 4, (2,)), *[("step", s, (2, 32, 32, 3)) for s in (1, 2, 3, 4)], ("end", 2)]
    assert len(snapshots.frames) == 2
    np.testing.assert_array_equal(snapshots.frames[-1], vis.images)  # the last frame is the result


def test_parts_compose_and_unknown_names_are_refused():
    import dataclasses

    with pytest.raises(
        InvalidInputError, match=r"unknown parametrization 'wavelet'; choose one of \['fourier', 'pixel'\]"
    ):
        dataclasses.replace(ga.PRESETS["lucid"], parametrization="wavelet")
    with pytest.raises(InvalidInputError, match="not an AscentCallback"):
        ga.visualize(small_convnet(), ga.filters("conv1", [0]), steps=1, callbacks=[print])
    images = np.random.default_rng(0).uniform(size=(2, 16, 16, 3)).astype("float32")
    # Neighbouring geometric modifiers are one resample: the same as the three at once.
    combined = ga.apply_input_modifiers([ga.Jitter(0.125), ga.Scale(0.1), ga.Rotate(10.0)], images, (3, 4))
    draws = ga.images.affine_draws(3, 4, groups=1, n=2)[0]
    at_once = ga.images.random_affine(images, draws, jitter=2.0, scale=0.1, degrees=10.0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(combined), keras.ops.convert_to_numpy(at_once))
    assert not np.allclose(keras.ops.convert_to_numpy(combined), images)
    # Any callable(images, seed) is a modifier; a Keras optimizer of one's choice replaces the preset's.
    flipped = ga.apply_input_modifiers([lambda x, seed: x[:, :, ::-1]], images, (3, 4))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(flipped), images[:, :, ::-1])
    objective = ga.filters("conv2", [1])
    still = ga.visualize(small_convnet(), objective, steps=5, size=32, optimizer=keras.optimizers.SGD(0.0))
    np.testing.assert_array_equal(still.final, still.initial)  # a zero learning rate moves nothing: it is the one used
    vis = ga.visualize(
        small_convnet(),
        objective,
        steps=20,
        size=32,
        input_modifiers=[ga.Jitter(0.05)],
        optimizer=keras.optimizers.Adam(0.1),
    )
    assert vis.final[0] > 1.5 * vis.initial[0] > 0


def test_mixed_precision_model():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = small_convnet()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.get_layer("conv2").compute_dtype == "float16"
    vis = ga.visualize(model, ga.filters("conv2", [1]), steps=16)
    assert vis.images.dtype == np.float32 and np.all(vis.final > vis.initial + 0.01), (vis.initial, vis.final)


# ------------------------------------------------------------------ artifacts


@pytest.fixture
def quick(quick_notebooks):
    """Notebook 03's quick run (conftest's ``quick_notebooks``, shared with tests/test_notebooks.py): the CLI runs
    the same cells, so its files are the CLI's too."""
    return quick_notebooks("gradient_ascent")


@quick_group("gradient_ascent")
@pytest.mark.fashion
def test_r003_f11_digit_classes_are_recognized(quick):
    out, saved = quick.out, quick("r003-F11")
    confidence = np.array(saved["metrics"]["target_confidence"])
    assert confidence.shape == (10,) and np.sum(confidence >= 0.9) >= 9, confidence
    assert (out / "r003-F11.png").read_bytes()[:8] == PNG


@quick_group("gradient_ascent")
@pytest.mark.fashion
@pytest.mark.parametrize("artifact_id", ["r003-F12", "r003-F8", "r003-F14"])
def test_quick_artifact_writes_png_and_objective(artifact_id, quick):
    out, saved = quick.out, quick(artifact_id)
    assert (out / f"{artifact_id}.png").read_bytes()[:8] == PNG
    assert len(saved["objective"]["final"]) == len(np.load(out / f"{artifact_id}.npz")["_images"])
    assert saved["settings"]["ascents"][0]["model"]  # what the ascent used, returned with its images and recorded
    initial, final = np.array(saved["objective"]["initial"]), np.array(saved["objective"]["final"])
    if artifact_id == "r003-F14":  # [maximized, minimized]
        assert final[0] > initial[0] and final[1] < initial[1], (initial, final)
    elif artifact_id == "r003-F8":
        # Quick mode climbs an untrained ResNet50V2 for 32 jittered steps: the images must pull the filter apart
        # (the maximized one far above the minimized one), though the untransformed start need not be passed.
        assert final[1] < initial[1] and final[0] - final[1] > 10 * abs(initial[0] - initial[1]), (initial, final)
    else:
        assert np.mean(final) > np.mean(initial)


AGREEMENT_SCRIPT = """
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from test_gradient_ascent import ga, small_convnet
arrays = {}
for preset in ("lucid", "keras_io"):
    vis = ga.visualize(small_convnet(), ga.filters("conv2", range(4)), preset=preset, steps=8, seed=1)
    arrays[preset], arrays[preset + "_final"] = vis.images, vis.final
np.savez(sys.argv[1], **arrays)
"""


def test_same_seed_gives_the_same_images_on_tensorflow_and_pytorch(torch, tmp_path):
    """One seed, two backends: the same start, the same random transforms, images equal to float tolerance."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    other = "torch" if keras.backend.backend() != "torch" else "tensorflow"
    script = tmp_path / "agree.py"
    script.write_text(AGREEMENT_SCRIPT)
    env = {**os.environ, "KERAS_BACKEND": other}
    subprocess.run([sys.executable, str(script), str(tmp_path / "other.npz"), str(Path(__file__).parent)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    theirs = np.load(tmp_path / "other.npz")
    for preset in ("lucid", "keras_io"):
        vis = ga.visualize(small_convnet(), ga.filters("conv2", range(4)), preset=preset, steps=8, seed=1)
        assert vis.final.max() > 0.05
        # PyTorch's antialiased resize (96 -> 32 px, lucid's view of this 32 px model) differs in the 3rd decimal.
        np.testing.assert_allclose(vis.images, theirs[preset], atol=1e-2 if preset == "lucid" else 1e-5)
        np.testing.assert_allclose(vis.final, theirs[preset + "_final"], rtol=1e-3, atol=1e-5)


def test_report_figures_use_the_blog_method_r003_names_and_lucid_is_one_argument_away():
    from practicas.gradient_ascent import artifacts

    assert artifacts.REPORT_PRESET == "keras_blog"
    blog = ga.PRESETS["keras_blog"]
    # blog.keras.io (2016): 128 + uniform(0, 20) grey levels, 20 steps of one grey level along grads / rms(grads).
    assert (blog.parametrization, blog.steps, blog.learning_rate, blog.size) == ("pixel", 20, 1 / 255, 128)
    assert [type(m).__name__ for m in blog.gradient_modifiers] == ["RMSNormalizeGradient"] and not blog.input_modifiers
    vis = ga.visualize(small_convnet(), ga.filters("conv2", range(3)), preset="keras_blog", steps=0, seed=0)
    start = vis.images  # shown standardized: the blog's deprocess (std 0.1 around 0.5)
    assert start.shape == (3, 32, 32, 3) and abs(float(start.std()) - 0.1) < 0.01
    climbed = ga.visualize(small_convnet(), ga.filters("conv2", range(3)), preset="keras_blog", seed=0)
    active = [i for i in range(3) if i not in climbed.inactive]  # a filter dead on grey noise stays at zero
    assert active and np.all(climbed.final[active] > 2 * climbed.initial[active]) and climbed.preset == "keras_blog"
    lucid = ga.visualize(small_convnet(), ga.filters("conv2", range(3)), preset="lucid", steps=8, size=32, seed=0)
    assert lucid.preset == "lucid"


def test_gradient_ascent_climbs_a_float32_copy_of_a_mixed_precision_network():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        half = small_convnet()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    full = small_convnet()
    full.set_weights(half.get_weights())
    assert half.layers[0].dtype_policy.name == "mixed_float16"
    runs = [ga.visualize(m, ga.filters("conv2", range(2)), preset="keras_blog", seed=0) for m in (half, full)]
    np.testing.assert_array_equal(runs[0].images, runs[1].images)
    np.testing.assert_array_equal(runs[0].final, runs[1].final)
