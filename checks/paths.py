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


def build_differences(files: dict[str, str], folder: Path) -> list[str]:
    """Sentences naming every file of ``files`` (name -> text a data folder's build script makes) that is missing
    from ``folder`` or differs from what it holds, with the first line that differs: a build script's ``--check``."""
    problems = []
    for name, text in files.items():
        path = Path(folder) / name
        if not path.is_file():
            problems.append(f"{path} is missing")
            continue
        shipped = path.read_text(encoding="utf-8", errors="replace")
        if shipped != text:
            old, new = shipped.splitlines(), text.splitlines()
            line = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            problems.append(f"{path} differs from the build from line {line + 1} on "
                            f"(shipped {old[line] if line < len(old) else 'end of file'!r}, "
                            f"built {new[line] if line < len(new) else 'end of file'!r})")
    return problems
