"""`actlm eval RUN --dataset X` scores by class name, never by index (issue 41, item 4)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DatasetWriter, SkeletonSet
from actlm.engine.metrics import ClassMismatchError, class_mapping

SHIPPED = str(Path(__import__("actlm").__file__).parent / "checkpoints" / "nw-ucla-joint")


def _relabelled(tiny: Path, out: Path, classes: list[str], rename: dict[str, str] | None = None) -> Path:
    """The test samples of ``tiny`` whose class is in ``classes``, written with that class list
    (its order), class names changed by ``rename``."""
    source = SkeletonSet(tiny).split("test")
    rename = rename or {}
    names = [rename.get(c, c) for c in classes]
    ids = []
    with DatasetWriter(out, out.name, source.layout, source.channels, names, 1) as writer:
        for i in range(len(source)):
            sample = source[i]
            name = source.classes[sample.label]
            if name in classes:
                sample.label = classes.index(name)
                writer.add(sample)
                ids.append(sample.sample_id)
        writer.close({"test": ids})
    return out


def _eval(*args: str) -> tuple[int, str, dict | None]:
    result = CliRunner().invoke(main, ["eval", SHIPPED, "--json", *args])
    try:
        return result.exit_code, result.output, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output, None


def test_class_mapping_by_name():
    assert class_mapping(["a", "b", "c"], ["a", "b", "c"], "m", "d") is None
    assert class_mapping(["a", "b", "c"], ["c", "a"], "m", "d").tolist() == [2, 0]
    with pytest.raises(ClassMismatchError, match="no class in common"):
        class_mapping(["a", "b"], ["x", "y"], "m", "d")
    with pytest.raises(ClassMismatchError, match="not trained on: x"):
        class_mapping(["a", "b"], ["a", "x"], "m", "d")
    with pytest.raises(ClassMismatchError, match="listed twice: a"):
        class_mapping(["a", "b"], ["a", "a"], "m", "d")


def test_eval_on_another_class_list_maps_by_name_or_refuses(tiny_ucla, tmp_path):
    full = SkeletonSet(tiny_ucla)
    code, output, whole = _eval("--dataset", str(tiny_ucla))
    assert code == 0, output
    assert "classes_mapped_by_name" not in whole

    # a subset of the classes in another order: scored by name, the same per-class results
    picked = full.classes[::-3]
    code, output, part = _eval("--dataset", str(_relabelled(tiny_ucla, tmp_path / "subset", picked)))
    assert code == 0, output
    assert part["classes_mapped_by_name"] == len(picked) and part["classes"] == full.classes
    assert part["n"] == sum(2 for _ in picked)
    for name in full.classes:
        assert part["per_class"][name] == (whole["per_class"][name] if name in picked else None), name
    expected = np.mean([whole["per_class"][c] for c in picked])
    assert part["top1"] == pytest.approx(expected)

    # the same layout but other class names: an error, never an accuracy with mislabelled rows
    renamed = {c: f"other {k}" for k, c in enumerate(full.classes)}
    code, output, report = _eval("--dataset", str(_relabelled(tiny_ucla, tmp_path / "other", full.classes, renamed)))
    assert code != 0 and report is None and "no class in common" in output and "Traceback" not in output
    code, output, report = _eval("--dataset", str(_relabelled(tiny_ucla, tmp_path / "extra", full.classes[:3],
                                                             {full.classes[0]: "juggle"})))
    assert code != 0 and report is None and "juggle" in output and "not trained on" in output
