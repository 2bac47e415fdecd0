"""The ``kinematic`` describer: the measured facts of :mod:`actlm.explain.facts` in plain English."""
from __future__ import annotations

from .base import DescribeJob, Describer, register_describer


class KinematicDescriber(Describer):
    """The measured facts in plain English; no model, ~1000 sequences/s on one core."""

    backend = "kinematic"

    def describe_one(self, job: DescribeJob) -> str:
        return job.facts_text


register_describer("kinematic", lambda **_options: KinematicDescriber())   # no model, so no options
