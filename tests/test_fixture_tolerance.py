"""Stored expected values are computed on the instructor's machine: another machine's last-bit differences must not
make them stale (or fail a correct solution), and a change of the reference must."""
import numpy as np

from autograder.reference import SCALE_SHARE, _same


def test_another_machines_rounding_is_the_same_fixture():
    rng = np.random.default_rng(0)
    params = rng.normal(size=(10, 27))
    drifted = params + rng.uniform(-1.1e-3, 1.1e-3, params.shape)   # w1a2's model case on two x86 machines
    assert _same({"Wax": params}, {"Wax": drifted})
    out32 = rng.random((4, 5)).astype(np.float32)
    assert _same(out32, out32 * np.float32(1 + 9e-5))                # float32 model outputs
    assert _same([37.90706773, 19.56024727], [37.90732, 19.5605])   # printed losses


def test_a_change_of_the_reference_is_stale():
    rng = np.random.default_rng(1)
    params = rng.normal(size=(10, 27))
    changed = params.copy()
    changed[3, 4] += 3 * SCALE_SHARE * np.abs(params).max()
    assert not _same(params, changed)
    assert not _same(params, params * 1.01)
    assert not _same([37.9, 19.5], [37.9, 19.9]) and not _same(np.arange(3), np.arange(3) + 1)
    assert not _same(params, params.astype(np.float32))
