"""The fast cases of the reliability probe (issue 41: experiments/probe) all end 'handled', in
every area: prepare/import (data), train/eval/describe (run), explain/predict (explain)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # experiments/ also under a bare `pytest`

from experiments.probe import data_cases, explain_cases, run_cases
from experiments.probe.__main__ import run_case
from experiments.probe.core import Outcome

#: area -> (its cases, the issue items its fast cases must cover, at most how many run in CI)
AREAS = {"data": (data_cases.CASES, {"1", "2", "4", "7", "9"}, 16),
         "run": (run_cases.CASES, {"3", "4", "5", "6"}, 9),
         "explain": (explain_cases.CASES, {"41.8", "40.6", "40.7"}, 12)}
FAST = [case for cases, _, _ in AREAS.values() for case in cases if case.fast]


@pytest.mark.parametrize("area", AREAS)
def test_the_fast_set_covers_every_defect_of_its_area(area):
    cases, items, most = AREAS[area]
    fast = [case for case in cases if case.fast]
    assert {case.issue_item for case in fast} == items and len(fast) <= most


@pytest.mark.parametrize("case", FAST, ids=[f"{case.area}: {case.name}" for case in FAST])
def test_fast_probe_case_is_handled(case):
    verdict = run_case(case)
    assert verdict.outcome is Outcome.HANDLED, f"{case.name}: {verdict.outcome.value} - {verdict.detail}"
