"""Nothing one submission's grading changes in the grader's process reaches the next one graded there.

A Dask worker grades one submission after another in one process, and ``jobs=1`` grades them all in the
coordinator; the checks of every test cell run in that process. :func:`fresh_state` is put around each task
(:mod:`autograder.cluster`): on the way out it puts back what a task may have changed process-wide, so that the next
student is graded as if first:

- Keras and TensorFlow: the session (``keras.backend.clear_session``: layer names, the functional API's state), the
  settings of ``keras.config`` (floatx, epsilon, image data format, epochs), Keras's global state (the dtype policy,
  the global seed, safe mode ...) and TensorFlow's global seed;
- the random generators of Python and numpy (its global state);
- numpy's error handling and print options, the warnings filters, the recursion limit;
- the environment variables, the working directory, ``sys.path``, and the builtins that were replaced or removed
  (names added to the builtins stay: extension modules imported during a task keep their internals there);
- the modules of the course's packages in ``sys.modules``: one that was replaced is put back, and one that was added
  is dropped unless it is a course file imported from the course's folder (importing it again would give the same
  module, and costs the next task its caches).

Keras and TensorFlow are only put back when they were imported; one imported during the task gets the settings it
had when imported (those of its configuration file, as Keras reads it). It costs a few milliseconds.
"""
from __future__ import annotations

import builtins
import contextlib
import json
import os
import random
import sys
import warnings
from pathlib import Path

import numpy as np

from checks.paths import COURSE_ROOT

#: The course's top-level packages, whose modules are restored in ``sys.modules``.
COURSE_PACKAGES = ("autograder", "checks", "week1", "week2", "week3")
#: The settings of ``keras.config`` that live outside Keras's global state, each as (getter, setter, default).
_KERAS_CONFIG = (("floatx", "set_floatx", "float32"), ("epsilon", "set_epsilon", 1e-7),
                 ("image_data_format", "set_image_data_format", "channels_last"),
                 ("max_epochs", "set_max_epochs", None), ("max_steps_per_epoch", "set_max_steps_per_epoch", None))


@contextlib.contextmanager
def fresh_state():
    """Run the block, then undo what it changed of the process's global state (see the module doc). The warnings
    filters and numpy's error handling and print options are put back by their own context managers."""
    saved = _save()
    try:
        with warnings.catch_warnings(), np.errstate(), np.printoptions():
            yield
    finally:
        _restore(saved)


def _save() -> dict:
    return {"environ": dict(os.environ), "cwd": _cwd(), "path": list(sys.path), "builtins": dict(vars(builtins)),
            "recursion": sys.getrecursionlimit(), "random": random.getstate(), "np_random": np.random.get_state(),
            "modules": _course_modules(), "keras": _keras_state(), "tf_seed": _tf_seed()}


def _restore(saved: dict) -> None:
    _restore_keras(saved["keras"])
    _restore_tf_seed(saved["tf_seed"])
    random.setstate(saved["random"])
    np.random.set_state(saved["np_random"])
    sys.setrecursionlimit(saved["recursion"])
    _restore_mapping(os.environ, saved["environ"], _same)
    _restore_mapping(vars(builtins), saved["builtins"], lambda a, b: a is b, drop_added=False)
    if saved["cwd"] is not None and _cwd() != saved["cwd"]:
        os.chdir(saved["cwd"])
    if sys.path != saved["path"]:
        sys.path[:] = saved["path"]
    _restore_modules(saved["modules"])


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the folder was removed
        return None


def _same(a, b) -> bool:
    """Whether two settings are equal (a tensor set where a number was is not)."""
    return type(a) is type(b) and a == b


def _restore_mapping(mapping, saved: dict, same, drop_added: bool = True) -> None:
    for key in [k for k in mapping if k not in saved and drop_added]:
        del mapping[key]
    for key, value in saved.items():
        if key not in mapping or not same(mapping[key], value):
            mapping[key] = value

# ------------------------------------------------------------------ the course's modules


def _course_modules() -> dict:
    return {name: module for name, module in sys.modules.items() if name.partition(".")[0] in COURSE_PACKAGES}


def _course_file(name: str, module) -> bool:
    """Whether ``module`` is what importing ``name`` gives: the course's own file of that name, from its folder."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    if spec is None or spec.name != name or not isinstance(origin, str):
        return False
    path = Path(origin).resolve()
    parts = name.split(".")
    expected = COURSE_ROOT.joinpath(*parts).with_suffix(".py") if path.name != "__init__.py" else \
        COURSE_ROOT.joinpath(*parts, "__init__.py")
    return path == expected and path.is_file()


def _restore_modules(saved: dict) -> None:
    for name, module in _course_modules().items():
        if name not in saved:
            if not _course_file(name, module):
                del sys.modules[name]
        elif saved[name] is not module:
            sys.modules[name] = saved[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, saved[name])
    for name, module in saved.items():
        if name not in sys.modules:
            sys.modules[name] = module

# ------------------------------------------------------------------ Keras and TensorFlow


def _keras_state() -> dict | None:
    """Keras's settings and global state now (None when Keras is not imported)."""
    if "keras" not in sys.modules:
        return None
    import keras
    from keras.src.backend.common import global_state

    return {"config": {get: getattr(keras.config, get)() for get, _, _ in _KERAS_CONFIG},
            "state": _copies(vars(global_state.GLOBAL_STATE_TRACKER)),
            "settings": _copies(vars(global_state.GLOBAL_SETTINGS_TRACKER))}


def _copies(attributes: dict) -> dict:
    """The attributes, each container a copy (the name counters, the name scope stack ...)."""
    return {k: v.copy() if isinstance(v, (dict, list, set)) else v for k, v in attributes.items()}


def _keras_defaults() -> dict:
    """The settings Keras takes when it is imported: its configuration file's, or its own defaults."""
    from keras.src.backend.config import keras_home

    try:
        stored = json.loads((Path(keras_home()) / "keras.json").read_text())
    except (OSError, ValueError):
        stored = {}
    stored = stored if isinstance(stored, dict) else {}
    for name in ("max_epochs", "max_steps_per_epoch"):
        if f"KERAS_{name.upper()}" in os.environ:
            stored[name] = int(os.environ[f"KERAS_{name.upper()}"])
    return {"config": {get: stored.get(get, default) for get, _, default in _KERAS_CONFIG}, "state": {},
            "settings": {}}


def _restore_keras(saved: dict | None) -> None:
    if "keras" not in sys.modules:
        return
    import keras
    from keras.src.backend.common import global_state

    saved = saved or _keras_defaults()
    # A fresh global state, TensorFlow's graph and kernel caches; the garbage is left to Python's collector, which
    # frees it as the next task runs (collecting here costs about half a second with TensorFlow loaded).
    keras.backend.clear_session(free_memory=False)
    for name, value in _copies(saved["state"]).items():
        setattr(global_state.GLOBAL_STATE_TRACKER, name, value)
    for name, value in _copies(saved["settings"]).items():
        setattr(global_state.GLOBAL_SETTINGS_TRACKER, name, value)
    for get, set_, _ in _KERAS_CONFIG:
        if not _same(getattr(keras.config, get)(), saved["config"][get]):
            getattr(keras.config, set_)(saved["config"][get])


def _tf_seed():
    if "tensorflow" not in sys.modules:
        return None
    from tensorflow.python.eager import context

    return context.global_seed()


def _restore_tf_seed(saved) -> None:
    if "tensorflow" in sys.modules and _tf_seed() != saved:
        import tensorflow as tf

        tf.random.set_seed(saved)
