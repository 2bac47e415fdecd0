"""The fast run-command cases of the reliability probe (issue 41: train, eval, describe) all end
'handled' (experiments/probe/run_cases.py)."""
from __future__ import annotations

import pytest

from experiments.probe.__main__ import run_case
from experiments.probe.core import Outcome
from experiments.probe.run_cases import CASES

FAST = [case for case in CASES if case.fast]


def test_the_fast_set_covers_every_defect_of_the_run_area():
    assert {case.issue_item for case in FAST} == {"3", "4", "5", "6"} and len(FAST) <= 9


@pytest.mark.parametrize("case", FAST, ids=[case.name for case in FAST])
def test_fast_run_case_is_handled(case):
    verdict = run_case(case)
    assert verdict.outcome is Outcome.HANDLED, f"{case.name}: {verdict.outcome.value} - {verdict.detail}"
