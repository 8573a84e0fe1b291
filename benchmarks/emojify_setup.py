"""What the Emojify benchmarks share: their command line, pinning to a laptop's cores, the notebook's solution."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(doc: str, extra=None) -> argparse.Namespace:
    """Seeds, epochs, batch size and cores (``extra(parser)`` adds more); pins the process to the cores before
    TensorFlow starts its thread pools, and makes the course and its test helpers importable."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cores", type=int, default=2, help="pin to this many cores (Linux), as on a laptop")
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    if args.cores:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
            os.environ[var] = str(args.cores)
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:args.cores]))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    return args


def solution():
    """The solution notebook's namespace (setup and solution cells: data, GloVe, the graded functions)."""
    from notebook_code import solution_namespace
    return solution_namespace("w2a2_emojify")
