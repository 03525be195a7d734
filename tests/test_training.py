import shutil

import keras
import numpy as np
import pytest

from practicas import evaluation, pipelines, training
from practicas.errors import InvalidInputError


def tiny_cnn(classes=10):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(0.25),
            keras.layers.Flatten(),
            keras.layers.Dense(classes, name="logits"),
        ]
    )


def scaled(x, y, **kwargs):
    return pipelines.array_pipeline(x, y, mean=np.zeros(1), std=np.full(1, 255.0), **kwargs)


@pytest.mark.fashion
def test_tiny_cnn_on_real_fashion_mnist_beats_chance(fashion):
    small = fashion.take(train=2000, test=500, seed=0)
    training.set_seed(0)
    model = tiny_cnn()
    training.compile_classifier(model, "adam")
    history = training.fit(
        model,
        scaled(small.x_train, small.y_train, batch_size=64),
        epochs=2,
        seed=0,
        validation_data=scaled(small.x_test, small.y_test, batch_size=256, shuffle=False),
    )
    assert history.history["loss"][1] < history.history["loss"][0]
    predictions = evaluation.predicted_classes(evaluation.predict_logits(model, small.x_test / 255.0))
    assert evaluation.classification_metrics(small.y_test, predictions)["accuracy"] > 0.6  # chance is 0.1


@pytest.fixture(scope="module")
def small(fashion):
    return fashion.take(train=256, test=64, seed=1)


def _fit(data, workdir=None, epochs=4, callbacks=(), initial_epoch=0, previous=None, model=None):
    if model is None:
        training.set_seed(3)
        model = tiny_cnn()
        training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    history = training.fit(
        model,
        scaled(data.x_train, data.y_train, batch_size=32, seed=3),
        epochs=epochs,
        seed=3,
        workdir=workdir,
        callbacks=callbacks,
        initial_epoch=initial_epoch,
        previous_history=previous,
        validation_data=scaled(data.x_test, data.y_test, batch_size=64, shuffle=False),
    )
    return model, history


@pytest.mark.fashion
def test_continuing_training_numbers_epochs_11_to_20(small):
    model, first = _fit(small, epochs=10)
    model, full = _fit(small, epochs=20, initial_epoch=10, previous=first, model=model)
    assert len(full.history["loss"]) == 20
    assert full.history["loss"][:10] == first.history["loss"]
    assert full.epoch == list(range(20))  # Keras numbering; plots show 1..20


class Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


@pytest.mark.fashion
def test_a_fit_after_a_resumed_one_starts_at_its_own_initial_epoch(small, tmp_path):
    # Keras's BackupAndRestore leaves the epoch it resumed at on the model; the next phase must not inherit it.
    with pytest.raises(KeyboardInterrupt):
        _fit(small, workdir=tmp_path / "head", callbacks=[Interrupt()])
    model, head = _fit(small, workdir=tmp_path / "head")  # resumed at epoch 3 of 4
    model, both = _fit(small, workdir=tmp_path / "finetune", epochs=6, initial_epoch=4, previous=head, model=model)
    assert len(both.history["loss"]) == 6
    assert both.history["loss"][:4] == head.history["loss"]
    assert training.load_history(tmp_path / "finetune")["loss"] == both.history["loss"]


@pytest.mark.fashion
def test_killed_fit_resumes_at_epoch_3_with_identical_weights(small, tmp_path):
    reference, ref_history = _fit(small, epochs=4)
    with pytest.raises(KeyboardInterrupt):
        _fit(small, workdir=tmp_path, callbacks=[Interrupt()])
    assert len(training.load_history(tmp_path)["loss"]) == 2

    started = []

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            started.append(epoch)

    resumed, history = _fit(small, workdir=tmp_path, callbacks=[Record()])
    assert started == [2, 3]  # zero-based: the resumed run starts at epoch 3
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.history["loss"] == pytest.approx(ref_history.history["loss"])


def test_a_rerun_with_another_learning_rate_trains_anew_and_keeps_the_old_state(small, tmp_path, capsys):
    _, first = _fit(small, workdir=tmp_path, epochs=2)
    again, same = _fit(small, workdir=tmp_path, epochs=2)  # the same fit: resumed, finished, nothing trains
    assert same.history["loss"] == first.history["loss"]
    training.set_seed(3)
    model = tiny_cnn()
    training.compile_classifier(model, keras.optimizers.Adam(1e-2))  # a student changed the learning rate
    _, other = _fit(small, workdir=tmp_path, epochs=2, model=model)
    assert "learning_rate" in capsys.readouterr().out
    assert other.history["loss"] != first.history["loss"] and len(other.history["loss"]) == 2
    assert training.load_history(tmp_path / "replaced-1") == first.history  # the earlier run is kept


@pytest.mark.fashion
def test_a_rerun_with_augmentation_or_another_dropout_trains_anew(small, tmp_path, capsys):
    # Knobs that leave the parameter count as it was still make another fit, not a resume of the old one.
    _, first = _fit(small, workdir=tmp_path, epochs=2)
    training.set_seed(3)
    model = tiny_cnn()
    model.get_layer(index=2).rate = 0.5  # the Dropout: 0.25 -> 0.5
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    _fit(small, workdir=tmp_path, epochs=2, model=model)
    assert "dropout [0.25] -> [0.5]" in capsys.readouterr().out and (tmp_path / "replaced-1").is_dir()
    training.set_seed(3)
    model = tiny_cnn()
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    augmented = pipelines.array_pipeline(
        small.x_train, small.y_train, batch_size=32, seed=3, mean=np.zeros(1), std=np.full(1, 255.0),
        augmentation=pipelines.Augmentation(rotation_range=10.0),
    )  # fmt: skip
    training.fit(model, augmented, epochs=2, seed=3, workdir=tmp_path)
    assert "augmentation None -> Augmentation(" in capsys.readouterr().out and (tmp_path / "replaced-2").is_dir()


def _fit_image_data_generator(data, workdir=None, callbacks=()):
    training.set_seed(3)
    model = tiny_cnn()
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    p = pipelines.image_data_generator_pipelines(
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        batch_size=32,
        validation_fraction=0.25,
        augmentation=pipelines.Augmentation.r001(),
        seed=3,
    )
    training.fit(model, p.train, validation_data=p.validation, epochs=4, seed=3, workdir=workdir, callbacks=callbacks)
    return model


@pytest.mark.fashion
@pytest.mark.tensorflow_only
def test_killed_image_data_generator_fit_resumes_with_identical_weights(small, tmp_path):
    reference = _fit_image_data_generator(small)
    with pytest.raises(KeyboardInterrupt):
        _fit_image_data_generator(small, workdir=tmp_path, callbacks=[Interrupt()])
    resumed = _fit_image_data_generator(small, workdir=tmp_path)
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.fashion
def test_same_seed_same_weights(small):
    a, _ = _fit(small, epochs=1)
    b, _ = _fit(small, epochs=1)
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)


def test_sgd_decay_is_keras2_inverse_time():
    opt = training.sgd_with_decay(0.01, decay=1e-6, momentum=0.9)
    schedule = opt._learning_rate
    for step in (0, 1000, 10**6):
        assert float(schedule(step)) == pytest.approx(0.01 / (1 + 1e-6 * step))
    assert opt.momentum == 0.9


@pytest.mark.fashion
def test_early_stopping_restores_best_weights(small):
    training.set_seed(0)
    model = tiny_cnn()
    # A huge learning rate makes validation loss worse after the first epoch.
    training.compile_classifier(model, keras.optimizers.SGD(5.0))
    history = training.fit(
        model,
        scaled(small.x_train, small.y_train, batch_size=32),
        epochs=30,
        seed=0,
        validation_data=scaled(small.x_test, small.y_test, batch_size=64, shuffle=False),
        early_stopping_patience=2,
    )
    assert len(history.history["loss"]) < 30
    best = int(np.argmin(history.history["val_loss"]))
    restored = model.evaluate(scaled(small.x_test, small.y_test, batch_size=64, shuffle=False), verbose=0)[0]
    assert restored == pytest.approx(history.history["val_loss"][best], rel=1e-4)


def test_fit_refuses_raw_arrays():
    with pytest.raises(InvalidInputError, match="array_pipeline"):
        training.fit(tiny_cnn(), (np.zeros((2, 28, 28, 1)), np.zeros(2)), epochs=1)


def _fit_until_stopped(data, workdir=None, callbacks=()):
    training.set_seed(0)
    model = tiny_cnn()
    # A huge learning rate makes validation loss worse after the first epochs, so patience runs out.
    training.compile_classifier(model, keras.optimizers.SGD(5.0))
    history = training.fit(
        model,
        scaled(data.x_train, data.y_train, batch_size=32, seed=0),
        epochs=30,
        seed=0,
        validation_data=scaled(data.x_test, data.y_test, batch_size=64, shuffle=False),
        early_stopping_patience=2,
        workdir=workdir,
        callbacks=callbacks,
    )
    return model, history


@pytest.mark.fashion
def test_interrupted_early_stopping_stops_where_an_uninterrupted_run_does(small, tmp_path):
    reference, ref_history = _fit_until_stopped(small)
    assert 2 < len(ref_history.history["loss"]) < 30  # the interruption below lands before the stop
    with pytest.raises(KeyboardInterrupt):
        _fit_until_stopped(small, workdir=tmp_path, callbacks=[Interrupt()])
    resumed, history = _fit_until_stopped(small, workdir=tmp_path)
    assert history.stopped_epoch == ref_history.stopped_epoch
    assert history.history["val_loss"] == pytest.approx(ref_history.history["val_loss"], nan_ok=True)
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)  # the best epoch's weights, restored across the interruption

    again, history_again = _fit_until_stopped(small, workdir=tmp_path)  # a finished run trains no further
    assert history_again.history == history.history
    for a, b in zip(reference.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


class KillBeforeCheckpoint(keras.callbacks.Callback):
    """Leave the workdir as a kill after epoch 2's history and stopping state, before its checkpoint, would."""

    def __init__(self, workdir):
        super().__init__()
        self.backup, self.copy = workdir / "backup", workdir.parent / "backup_after_epoch_1"

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            shutil.copytree(self.backup, self.copy)
        if epoch == 2:
            shutil.rmtree(self.backup)
            self.copy.rename(self.backup)
            raise KeyboardInterrupt


@pytest.mark.fashion
def test_kill_between_stopping_state_and_checkpoint_changes_nothing(small, tmp_path):
    reference, ref_history = _fit_until_stopped(small)
    assert len(ref_history.history["loss"]) > 3  # the kill below lands before the stop
    workdir = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        _fit_until_stopped(small, workdir=workdir, callbacks=[KillBeforeCheckpoint(workdir)])
    assert max(training.ResumableEarlyStopping(workdir).saved_states()) == 2  # ahead of the checkpoint
    resumed, history = _fit_until_stopped(small, workdir=workdir)
    assert history.stopped_epoch == ref_history.stopped_epoch
    assert history.history["val_loss"] == pytest.approx(ref_history.history["val_loss"], nan_ok=True)
    for a, b in zip(reference.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_mixed_precision_only_where_it_pays_and_the_policy_comes_back(monkeypatch):
    from practicas.basenet import models

    with training.mixed_precision_where_it_pays() as policy:  # this CPU: no tensor cores, nothing changes
        assert policy == "float32" and models.vanilla_cnn().get_layer("logits").compute_dtype == "float32"
    monkeypatch.setattr(training, "mixed_precision_pays", lambda: True)  # as on a T4, A100 or H100
    with training.mixed_precision_where_it_pays() as policy:
        model = models.vanilla_cnn()
    assert policy == "mixed_float16" and keras.config.dtype_policy().name == "float32"
    assert model.layers[1].compute_dtype == "float16" and model.get_layer("logits").dtype_policy.name == "float32"
    training.compile_classifier(model, "adam")  # Keras adds loss scaling under mixed_float16
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


@pytest.mark.fashion
def test_more_steps_per_execution_trains_the_same_steps(small, monkeypatch):
    from practicas.experiments import train_classifier

    if keras.backend.backend() == "torch":
        pytest.skip("Keras's PyTorch backend runs one step per call (steps_per_execution_for gives 1 there)")
    data = small.take(train=60, test=20, seed=0)
    runs = []
    for steps in (1, 6):  # r002's batch of 5, one batch per call and six per call
        monkeypatch.setattr(training, "steps_per_execution_for", lambda batch_size, steps=steps: steps)
        runs.append(train_classifier(tiny_cnn, data, epochs=2, batch_size=5, seed=0, validation="test"))
    assert [run["model"].steps_per_execution for run in runs] == [1, 6]
    for a, b in zip(runs[0]["model"].get_weights(), runs[1]["model"].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert runs[0]["history"].history["loss"] == pytest.approx(runs[1]["history"].history["loss"], rel=1e-5)


@pytest.mark.fashion
def test_fit_callbacks_cap_a_smoke_fit_and_record_the_planned_settings(small):
    from practicas import runmode

    run = runmode.RunContext(smoke=True, progress=False)
    training.set_seed(3)
    model = tiny_cnn()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    train = scaled(small.x_train, small.y_train, batch_size=32, seed=3)
    tracking = training.FitCallbacks(train, seed=3, run=run)
    model.fit(train, epochs=10, callbacks=[tracking], verbose=0)  # what a notebook cell writes
    assert len(tracking.history.history["loss"]) == 1  # one epoch of SMOKE_STEPS steps
    fit = run.settings["fits"][0]
    assert (fit["epochs"], fit["batch_size"], fit["optimizer"]) == (10, 32, {"name": "Adam", "learning_rate": 0.001})
    assert len(run.step_seconds[0]["seconds"]) == runmode.SMOKE_STEPS - 1  # the first step traces: not timed
    one_batch = scaled(small.x_train[:20], small.y_train[:20], batch_size=32, seed=3)  # a smoke split, capped
    tracking = training.FitCallbacks(one_batch, seed=3, run=run)
    model.fit(one_batch, epochs=10, callbacks=[tracking], verbose=0)
    assert len(tracking.history.history["loss"]) == 1  # one epoch, however few its steps
