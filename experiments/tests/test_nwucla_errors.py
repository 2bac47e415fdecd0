"""The error analysis's cross-view comparison, on the real NW-UCLA set."""
from __future__ import annotations


import pytest

from experiments.tests import fresh_import



@pytest.fixture(scope="module")
def errors():
    return fresh_import("nwucla_errors")


def test_each_test_sequence_is_paired_with_its_performance_in_the_training_views(errors, ucla_prepared):
    from actlm.data import SkeletonSet

    full = SkeletonSet(ucla_prepared)
    train, test = full.split("xview_train"), full.split("xview_test")
    behind = errors.hands_behind(test)
    c = errors.counterpart_rows(train, test, behind, errors.hands_behind(train))

    performance = lambda sid: sid.rsplit("_", 1)[0]  # noqa: E731  (aAA_sSS_eEE of aAA_sSS_eEE_vVV)
    train_ids = set(train.sample_ids)
    expected = {g: 0 for g in ("behind", "front")}
    for sid in test.sample_ids:
        n = sum(f"{performance(sid)}_v{v:02d}" in train_ids for v in (1, 2))
        expected["behind" if behind[sid] else "front"] += n
    both = {performance(s) for s in train_ids if s.endswith("_v01")} & {performance(s) for s in train_ids if s.endswith("_v02")}
    assert c["pairs"] == {**expected, "control": len(both)}

    # the finding the report rests on: the training views of the hands-behind test performances
    # mostly have the hands in front, and the test skeletons' hands are further back than theirs
    have, of = map(int, c["counterparts_with_hands_behind"].split("/"))
    assert of == expected["behind"] and have / of < 0.2
    for hand in ("left_hand", "right_hand"):
        assert c["joints"][hand]["behind"]["mean"][2] < -0.2
        assert abs(c["joints"][hand]["control"]["mean"][2]) < 0.15
