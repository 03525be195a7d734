"""The versions practicas needs, checked when it is imported: one clear message instead of a traceback from Keras.

A student's notebook runs on whatever stack Colab (or a course machine) has.
The combinations that break practicas are few and known: Keras 2 where
Keras 3 is needed (an old ``keras`` package, or ``TF_USE_LEGACY_KERAS=1``
making ``tf.keras`` the ``tf_keras`` package), packages older than
``pyproject.toml``'s lower bounds, and ``KERAS_BACKEND`` naming a backend
that is not installed. Each gets a message naming the package, the version
found and the one command that fixes it. The check reads package metadata
only: it imports none of them.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re

# The packages whose absence or age breaks the import itself; their lower bounds are pyproject.toml's, read from
# the installed package's metadata (declared once).
CHECKED = ("keras", "tensorflow", "numpy")
# The package that provides each Keras backend, as pip names it.
BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


class UnsupportedEnvironmentError(ImportError):
    """A package missing or too old for practicas, or a Keras setting it cannot run under; the message says the fix."""


def _version_tuple(version: str) -> tuple[int, ...]:
    """The leading numbers of a version string.

    Example:
        >>> _version_tuple("2.16.0rc1"), _version_tuple("3.13.2")
        ((2, 16, 0), (3, 13, 2))
    """
    numbers = []
    for part in version.split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match[0]))
        if match.end() < len(part):  # "0rc1": a pre-release of this number
            break
    return tuple(numbers)


def installed_version(package: str) -> str | None:
    """The installed version of ``package`` (its pip name), or None when it is not installed.

    Example:
        >>> installed_version("numpy") is not None
        True
    """
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def declared_minimums(requirements=None) -> dict[str, str]:
    """``{package: lowest version}`` of :data:`CHECKED`, from practicas's declared requirements (``pyproject.toml``).

    Example:
        >>> declared_minimums(["keras>=3.3", "numpy>=1.26", "jupyter>=1.0; extra == 'notebooks'"])
        {'keras': '3.3', 'numpy': '1.26'}
    """
    if requirements is None:
        try:
            requirements = importlib.metadata.requires("practicas") or []
        except importlib.metadata.PackageNotFoundError:  # imported from a folder that was never installed
            requirements = []
    minimums = {}
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)\s*(;.*)?", requirement)
        if match and match[1].lower() in CHECKED and not (match[3] or "").strip(" ;").startswith("extra"):
            minimums[match[1].lower()] = match[2]
    return minimums


def environment_problems(environ=None, version_of=installed_version, importable=None, minimums=None) -> list[str]:
    """Every known reason practicas cannot run here, each with its fix; empty when all is well.

    ``environ``, ``version_of``, ``importable`` and ``minimums`` default to
    this process's environment, installed packages, import path and
    :func:`declared_minimums` (tests pass others).

    Example:
        >>> environment_problems({"KERAS_BACKEND": "jax"}, lambda p: {"keras": "3.15.1", "numpy": "2.4.0"}.get(p),
        ...                      importable=lambda module: False, minimums={"keras": "3.3"})
        ['KERAS_BACKEND=jax, but jax is not installed: pip install -U jax (or unset KERAS_BACKEND to use TensorFlow)']
    """
    environ = os.environ if environ is None else environ
    importable = importable or (lambda module: importlib.util.find_spec(module) is not None)
    minimums = declared_minimums() if minimums is None else minimums
    problems = []
    backend = environ.get("KERAS_BACKEND", "tensorflow")
    if backend not in BACKEND_PACKAGES:
        problems.append(
            f"KERAS_BACKEND={backend} is not a backend practicas runs on: set it to one of "
            f"{', '.join(BACKEND_PACKAGES)} (or unset it for TensorFlow)"
        )
    elif version_of(BACKEND_PACKAGES[backend]) is None and not importable(backend):
        package = BACKEND_PACKAGES[backend]
        unset = " (or unset KERAS_BACKEND to use TensorFlow)" if backend != "tensorflow" else ""
        problems.append(
            f"KERAS_BACKEND={backend}, but {package} is not installed: pip install -U {package}{unset}"
            if "KERAS_BACKEND" in environ
            else "Keras's default backend is TensorFlow, which is not installed: pip install -U "
            f"'tensorflow>={minimums.get('tensorflow', '2.16')}' "
            "(or set KERAS_BACKEND=jax or torch)"
        )
    if environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes"):
        problems.append(
            "TF_USE_LEGACY_KERAS=1 makes tf.keras (where ImageDataGenerator lives) the Keras 2 package tf_keras, and "
            "practicas needs Keras 3 throughout: unset it "
            "before Python starts (in a notebook: %env TF_USE_LEGACY_KERAS=0, then restart the runtime)"
        )
    for package, minimum in minimums.items():
        if package == "tensorflow" and backend != "tensorflow":
            continue  # TensorFlow is needed only for its own backend and its own parts (tf.data, tfds)
        found = version_of(package)
        if found is None and package == BACKEND_PACKAGES.get(backend):
            continue  # said above, as the backend
        if found is None:
            problems.append(f"{package} is not installed: pip install -U '{package}>={minimum}'")
        elif _version_tuple(found) < _version_tuple(minimum):
            problems.append(
                f"{package} {found} is older than practicas needs ({package}>={minimum}): "
                f"pip install -U '{package}>={minimum}'"
                + (" (Keras 2 cannot run Keras 3 code)" if package == "keras" and found.startswith("2.") else "")
            )
    return problems


# tensorflow-metadata 1.21 (which tensorflow_datasets imports) was generated with protobuf 6.31.1 but accepts older
# protobuf runtimes, which then refuse to load it (tensorflow/metadata#68): Colab's published stack has exactly that.
_PROTOBUF_FOR_METADATA = {(1, 21): "6.31.1"}


def tfds_protobuf_problem(version_of=installed_version) -> str | None:
    """Why tensorflow_datasets cannot load its protobuf files here, with the fix; None when it can.

    Example:
        >>> tfds_protobuf_problem({"tensorflow-metadata": "1.21.0", "protobuf": "5.29.6"}.get)
        "tensorflow-metadata 1.21.0 needs protobuf>=6.31.1 but protobuf 5.29.6 is installed (tensorflow/metadata#68), so tensorflow_datasets cannot load: pip install 'tensorflow-metadata<1.21' (or, where TensorFlow allows it, pip install -U 'protobuf>=6.31.1'), then restart the runtime"
    """
    metadata, protobuf = version_of("tensorflow-metadata"), version_of("protobuf")
    if metadata is None or protobuf is None:
        return None
    needed = _PROTOBUF_FOR_METADATA.get(_version_tuple(metadata)[:2])
    if needed is None or _version_tuple(protobuf) >= _version_tuple(needed):
        return None
    return (
        f"tensorflow-metadata {metadata} needs protobuf>={needed} but protobuf {protobuf} is installed "
        f"(tensorflow/metadata#68), so tensorflow_datasets cannot load: pip install 'tensorflow-metadata<1.21' "
        f"(or, where TensorFlow allows it, pip install -U 'protobuf>={needed}'), then restart the runtime"
    )


def check_environment(environ=None, version_of=installed_version, importable=None, minimums=None) -> None:
    """Raise :class:`UnsupportedEnvironmentError` listing :func:`environment_problems`, if there are any.

    Example:
        >>> check_environment({"KERAS_BACKEND": "theano"}, lambda p: "9.9")
        Traceback (most recent call last):
        ...
        practicas.versions.UnsupportedEnvironmentError: practicas cannot run with this setup:
        - KERAS_BACKEND=theano is not a backend practicas runs on: set it to one of tensorflow, jax, torch (or unset it for TensorFlow)
    """
    problems = environment_problems(environ, version_of, importable, minimums)
    if problems:
        raise UnsupportedEnvironmentError(
            "practicas cannot run with this setup:\n" + "\n".join(f"- {problem}" for problem in problems)
        )
