"""The class-implied scoring of experiments/facts_real_benchmark.py on made-up rows (no data read)."""
from experiments import facts_real_benchmark as bench


def _row(cls: str, stated: list[str], energy: float = 0.0) -> dict:
    return {"id": f"{cls}-{len(stated)}-{energy}", "class": cls, "stated": stated, "problems": [], "blocked": False,
            "energy": {m: energy for m in bench.ENERGY_PART}}


def test_a_class_with_two_implied_rows_is_scored_on_each():
    rows = [_row("pick up with one hand", ["reach_down"]), _row("pick up with one hand", ["bend"]),
            _row("pick up with one hand", ["walk"]), _row("pick up with one hand", ["squat", "walk"])]
    recall = [r for r in bench.score("nw-ucla", rows)["recall"] if r["class"] == "pick up with one hand"]
    assert [(r["motion"], r["recall"]) for r in recall] == [("reach_down", 0.25), ("reach_down|bend|squat", 0.75)]


def test_a_group_of_excluded_motions_counts_a_sequence_stating_any_of_them():
    rows = [_row("walk around", ["walk"]), _row("carry", ["bend", "raise"]), _row("throw", ["raise"]),
            _row("walk around", ["walk", "squat"])]
    false = {r["motion"]: r for r in bench.score("nw-ucla", rows)["false"]}
    group = false["reach_down|bend|squat"]
    assert group["n"] == 4 and group["rate"] == 0.5
    assert false["reach_down"]["rate"] == 0.0     # the strict row reads only the reach
