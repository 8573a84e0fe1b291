"""Loading GloVe 6B 50d: the memory-mapped loader of week2.glove against parsing the text file.

    python benchmarks/glove_load.py

Writes the equivalent of ``glove.6B.50d.txt`` (400,000 lines "word v1 ... v50") to a temporary folder from
the package's matrix, then times, each in a fresh Python process so that no cache helps:
  - ``load_glove()`` (imports included), and a second, cached call;
  - parsing the text file line by line into a dict of float64 arrays, as the reference edition's
    ``read_glove_vecs`` does.
For each it prints the wall time and the peak resident memory of that process (this parent process never
loads the vectors itself, so it stays small: a child inherits its parent's peak), and it checks that both
give the same vectors.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEMMAP = """
import json, resource, time
start = time.perf_counter()
from week2.glove import load_glove
words, word_to_index, index_to_word, word_to_vec_map = load_glove()
first = time.perf_counter() - start
start = time.perf_counter()
load_glove()
again = time.perf_counter() - start
print(json.dumps({"seconds": first, "cached_seconds": again, "words": len(word_to_vec_map),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "king": word_to_vec_map["king"].tolist()}))
"""

PARSE = """
import json, resource, sys, time
start = time.perf_counter()
import numpy as np
words, word_to_vec_map = set(), {}
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip().split()
        words.add(line[0])
        word_to_vec_map[line[0]] = np.array(line[1:], dtype=np.float64)
print(json.dumps({"seconds": time.perf_counter() - start, "words": len(word_to_vec_map),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "king": word_to_vec_map["king"].tolist()}))
"""

WRITE = """
import sys, time
from week2.glove import load_glove
start = time.perf_counter()
words, _, _, m = load_glove()
fmt = " ".join(["%.6g"] * m.matrix.shape[1])  # 6 significant digits, like the original file
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(0, len(words), 10_000):
        rows = m.matrix[i:i + 10_000].tolist()
        f.write("".join(f"{w} {fmt % tuple(r)}\\n" for w, r in zip(words[i:i + 10_000], rows)))
print(time.perf_counter() - start)
"""


def run(script: str, *args: str) -> dict:
    """Run ``script`` in a fresh interpreter (forked from this small process, so its peak memory is its own)."""
    out = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "glove.6B.50d.txt"
        took = run(WRITE, str(text))
        print(f"wrote {text.name}: {text.stat().st_size / 2**20:.0f} MiB in {took:.1f} s")
        memmap, parsed = run(MEMMAP), run(PARSE, str(text))
    diff = max(abs(a - b) for a, b in zip(memmap["king"], parsed["king"]))
    assert memmap["words"] == parsed["words"] == 400_000 and diff < 1e-5, (memmap["words"], parsed["words"], diff)
    print(f"{'method':<46} {'seconds':>8} {'peak MB':>8}")
    print(f"{'load_glove() (memory-mapped .npy + parquet)':<46} {memmap['seconds']:>8.2f} {memmap['peak_mb']:>8.0f}")
    print(f"{'load_glove() again (cached)':<46} {memmap['cached_seconds']:>8.6f} {'':>8}")
    print(f"{'parse the text file into a dict of arrays':<46} {parsed['seconds']:>8.2f} {parsed['peak_mb']:>8.0f}")
    print(f"memory-mapped loading is {parsed['seconds'] / memmap['seconds']:.0f}x faster; "
          f"both give the same vectors (largest difference {diff:.1g})")


if __name__ == "__main__":
    main()
