"""The error every explanation step raises for a sample or model it cannot explain."""
from __future__ import annotations

from ..data.errors import DataError


class ExplainError(DataError):
    """A sample or model that cannot be explained; the message says why."""
