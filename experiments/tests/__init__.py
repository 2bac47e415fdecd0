"""Tests of the research scripts: ``python -m pytest experiments/tests`` (not part of the default run)."""
from __future__ import annotations

import importlib
import sys
from types import ModuleType


def fresh_import(name: str) -> ModuleType:
    """``experiments.<name>`` imported anew, so module-level settings a test changes start clean."""
    sys.modules.pop(f"experiments.{name}", None)
    return importlib.import_module(f"experiments.{name}")
