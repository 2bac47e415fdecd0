"""experiments/facts_handcheck.py draws NW-UCLA from views v01 and v02 once v03 is used up, each view
on its own floor plane, and the recorded rounds still draw exactly what they drew (real data)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from actlm.paths import data_root
from experiments.facts_handcheck import ROUNDS, camera_of, camera_reference, choose

RESULTS = Path(__file__).resolve().parents[1] / "results"


@pytest.fixture(autouse=True)
def real_data():
    if not (data_root() / "nw-ucla" / "all_sqe").is_dir():
        pytest.skip(f"real data not found under {data_root()} (set ACTLM_DATA)")


def _recorded_file(seed: int) -> Path:
    return RESULTS / ("facts_handcheck.json" if seed == 40 else f"facts_handcheck_s{seed}.json")


def _recorded(seed: int) -> list[str]:
    return [seq["sequence"] for seq in json.loads(_recorded_file(seed).read_text())["sequences"]]


def _sample(seed: int) -> list[str]:
    """A round's sequences: as recorded, or as drawn where its results live on another branch (a round
    judged side by side with this one still takes its files out of later samples)."""
    if _recorded_file(seed).exists():
        return _recorded(seed)
    return [src.path.stem for src in choose(seed)]


@pytest.mark.parametrize("seed", [40, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91])
def test_a_recorded_round_draws_its_recorded_sample(seed):
    """61 and 62 are the rounds where v03 ran short (2 and 0 NW-UCLA files): they must not take v01;
    63 is the first round drawn from v01, 64 the second, 65 (judged beside 64) leaves out 64's sample, 66 those of 40-65, 67 those of 40-66, 68 those of 40-67, 69 those of 40-68, 70 those of 40-69, 71 those of 40-70, 72 those of 40-71, 73 those of 40-72, 74 those of 40-73, 75 those of 40-74, 76 those of 40-75, 77 those of 40-76, 78 those of 40-77, 79 those of 40-78, 80 those of 40-79, 81 those of 40-80, 82 those of 40-81, 83 those of 40-82, 84 those of 40-83, 85 those of 40-84, 86 those of 40-85, 87 those of 40-86, 88 those of 40-87, 89 those of 40-88, 90 those of 40-89, 91 those of 40-90 (UTD-MHAD is used up: 79 takes its last 3 files, 80-91 none: 44 sequences, 22 NW-UCLA and 22 Penn)
    (76 and 77, 86 and 87, 88 and 89, 90 and 91 were judged side by side on two branches: a round whose results this branch lacks is skipped)."""
    assert seed in ROUNDS
    if not _recorded_file(seed).exists():
        pytest.skip(f"round {seed} is recorded on another branch")
    assert [src.path.stem for src in choose(seed)] == _recorded(seed)


def test_a_fresh_seed_draws_nwucla_from_v01_and_v02_disjoint_from_every_round():
    fresh = 92
    assert fresh not in ROUNDS
    earlier = {stem for seed in ROUNDS for stem in _sample(seed)}
    ucla = [src for src in choose(fresh) if src.dataset == "nw-ucla"]
    assert len(ucla) == 22
    assert {camera_of(src) for src in ucla} <= {"v01", "v02"}
    assert not {src.path.stem for src in ucla} & earlier
    # v01 first while it lasts, then v02; classes in turn while each lasts: after round 46 (seed 85) only
    # 10 v01 files of 2 classes (walk around, doffing) were unused, so seed 86 took them all and 12 from v02;
    # seed 87 and later draw from what is left of v01 (if any) and v02
    def unused(view: str) -> list[str]:
        return [path.stem for path in (data_root() / "nw-ucla" / "all_sqe").glob(f"*_{view}.json")
                if path.stem not in earlier]
    left_in_v01 = unused("v01")
    assert sum(camera_of(src) == "v01" for src in ucla) == min(22, len(left_in_v01))
    left_classes = {stem[:3] for stem in left_in_v01 + unused("v02")}
    assert len({src.label for src in ucla}) == min(10, len(left_classes))


def test_each_view_has_its_own_floor_plane():
    refs = {view: camera_reference("nw-ucla", view) for view in ("v03", "v01", "v02")}
    residuals = {view: round(ref.residual_m, 3) for view, ref in refs.items()}
    assert residuals == {"v03": 0.047, "v01": 0.121, "v02": 0.045}
    for view in ("v01", "v02"):
        apart = np.degrees(np.arccos(np.clip(refs[view].up @ refs["v03"].up, -1, 1)))
        assert apart > 3.0, view        # another camera, another plane
        assert refs[view].sequences >= 60 and refs[view].ankle_points > 4000
        assert -10.0 < refs[view].standing_trunk_deg < -6.0     # Kinect v1's standing lean, as v03's -8.7
