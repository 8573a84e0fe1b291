"""Where the course's data lives: one function, overridable by one environment variable."""
from __future__ import annotations

import os
from pathlib import Path

#: Set this to a folder laid out like the repository's ``data/`` to use other data.
ENV_VAR = "SEQUENCE_MODELS_DATA"

COURSE_ROOT = Path(__file__).resolve().parent.parent


def data_path(*parts: str, must_exist: bool = True) -> Path:
    """Path of ``parts`` inside the data folder (``$SEQUENCE_MODELS_DATA`` or ``<repo>/data``)."""
    root = Path(os.environ.get(ENV_VAR) or COURSE_ROOT / "data")
    path = root.joinpath(*parts)
    if must_exist and not path.exists():
        raise FileNotFoundError(
            f"Course data not found: {path}. The data folder is {root} "
            f"(set {ENV_VAR} to use another one); restore the file from the repository "
            f"(git checkout -- data) or rebuild it with the command in that folder's README.")
    return path
