"""The fast cases of the fault suite (tests/faults, `make faults` runs them all): damaged
exports that must load as if they were not there, on a copy of a clean refresh."""

import shutil

import pytest

from tests.faults.suite import FAST, Suite


@pytest.fixture(scope="module")
def suite(refreshed, tmp_path_factory):
    """A suite whose clean state is the session's clean refresh."""
    base = tmp_path_factory.mktemp("faults")
    shutil.copytree(refreshed[0], base / "clean" / "data")
    return Suite(base, kills=0)


@pytest.mark.parametrize("case", sorted(FAST))
def test_a_damaged_input_loads_as_the_clean_exports(suite, case):
    verdict = suite.damaged_input(case)
    assert verdict.ok, verdict
    assert verdict.note == "raw tables equal the clean state"
