"""A stack practicas cannot run on is named at import, with the package, the version and the one command that fixes it."""

import subprocess
import sys

import pytest

from practicas import versions

GOOD = {"keras": "3.15.1", "tensorflow": "2.21.0", "numpy": "2.4.0", "jax": "0.7.2", "torch": "2.13.0"}
BOUNDS = {"keras": "3.3", "tensorflow": "2.16", "numpy": "1.26"}


def _problems(environ, **versions_found):
    found = {**GOOD, **versions_found}
    return versions.environment_problems(
        environ,
        lambda package: found.get(package),
        importable=lambda module: found.get(module) is not None,
        minimums=BOUNDS,
    )


def test_a_supported_stack_has_no_problems():
    assert _problems({}) == [] and _problems({"KERAS_BACKEND": "jax"}) == []


@pytest.mark.parametrize(
    "environ, found, expected",
    [
        (
            {},
            {"keras": "2.15.0"},
            "keras 2.15.0 is older than practicas needs (keras>=3.3): pip install -U 'keras>=3.3'",
        ),
        ({}, {"tensorflow": "2.15.1"}, "tensorflow 2.15.1 is older than practicas needs (tensorflow>=2.16)"),
        (
            {"TF_USE_LEGACY_KERAS": "1"},
            {},
            "TF_USE_LEGACY_KERAS=1 makes tf.keras (where ImageDataGenerator lives) the Keras 2",
        ),
        ({"KERAS_BACKEND": "jax"}, {"jax": None}, "KERAS_BACKEND=jax, but jax is not installed: pip install -U jax"),
        ({"KERAS_BACKEND": "torch"}, {"torch": None}, "KERAS_BACKEND=torch, but torch is not installed"),
        ({"KERAS_BACKEND": "theano"}, {}, "KERAS_BACKEND=theano is not a backend practicas runs on"),
        ({}, {"tensorflow": None}, "Keras's default backend is TensorFlow, which is not installed"),
    ],
)
def test_each_unsupported_combination_names_the_package_and_the_fix(environ, found, expected):
    problems = _problems(environ, **found)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_tensorflow_version_is_not_required_under_another_backend():
    assert _problems({"KERAS_BACKEND": "torch"}, tensorflow="2.10.0") == []


def test_the_bounds_checked_are_the_ones_pyproject_declares():
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    minimums = versions.declared_minimums()
    assert minimums and all(f'"{package}>={bound}"' in pyproject for package, bound in minimums.items()), minimums


def test_import_practicas_under_legacy_keras_fails_with_the_message_not_a_traceback():
    done = subprocess.run(
        [sys.executable, "-c", "import practicas"],
        env={"PATH": "/usr/bin:/bin", "TF_USE_LEGACY_KERAS": "1"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "UnsupportedEnvironmentError: practicas cannot run with this setup" in done.stderr
    assert "unset it before Python starts" in done.stderr and "keras/src" not in done.stderr


def test_tensorflow_metadata_built_for_a_newer_protobuf_is_named_with_its_fix():
    found = {"tensorflow-metadata": "1.21.0", "protobuf": "5.29.6"}
    message = versions.tfds_protobuf_problem(found.get)
    assert "pip install 'tensorflow-metadata<1.21'" in message and "pip install -U 'protobuf>=6.31.1'" in message
    assert versions.tfds_protobuf_problem({**found, "protobuf": "6.31.1"}.get) is None
    assert versions.tfds_protobuf_problem({**found, "tensorflow-metadata": "1.17.3"}.get) is None
