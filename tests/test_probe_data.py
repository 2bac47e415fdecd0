"""The fast data cases of the reliability probe (issue 41) all end 'handled' (experiments/probe)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # experiments/ also under a bare `pytest`

from experiments.probe.__main__ import run_case
from experiments.probe.core import Outcome
from experiments.probe.data_cases import CASES

FAST = [case for case in CASES if case.fast]


def test_the_fast_set_covers_every_defect_of_the_data_area():
    assert {case.issue_item for case in FAST} == {"1", "2", "4", "7", "9"} and len(FAST) <= 16


@pytest.mark.parametrize("case", FAST, ids=[case.name for case in FAST])
def test_fast_data_case_is_handled(case):
    verdict = run_case(case)
    assert verdict.outcome is Outcome.HANDLED, f"{case.name}: {verdict.outcome.value} - {verdict.detail}"
