"""How far do two judges of the same hand-check round agree?

Reads two verdicts files (``results/STEM.verdicts.json``: sequence -> {fact key -> [verdict, reason]}),
pairs the facts both judged (same sequence, same key) and prints the 3x3 agreement table (first judge's
verdict in rows, second's in columns), the raw agreement, Cohen's kappa, the share that holds by each
judge, and every fact they judged differently with both reasons.

Usage: ``python -m experiments.handcheck_agreement FIRST.verdicts.json SECOND.verdicts.json``
(``--markdown`` prints the table as markdown).
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

VERDICTS = ("holds", "false", "ambiguous")


@dataclass(frozen=True)
class Pair:
    sequence: str
    fact: str
    first: str
    second: str
    first_reason: str
    second_reason: str


def load_verdicts(path: Path) -> dict[str, dict[str, list[str]]]:
    return json.loads(Path(path).read_text())


def paired_facts(first: dict, second: dict) -> tuple[list[Pair], list[tuple[str, str]]]:
    """The facts both files judge, and (sequence, key) of those only one of them judges."""
    pairs, unmatched = [], []
    for seq in sorted(set(first) | set(second)):
        a, b = first.get(seq, {}), second.get(seq, {})
        for key in sorted(set(a) | set(b)):
            if key in a and key in b:
                pairs.append(Pair(seq, key, a[key][0], b[key][0], a[key][1], b[key][1]))
            else:
                unmatched.append((seq, key))
    return pairs, unmatched


def agreement_table(pairs: list[Pair]) -> dict[str, dict[str, int]]:
    """table[first verdict][second verdict] = count."""
    for p in pairs:
        for v in (p.first, p.second):
            if v not in VERDICTS:
                raise ValueError(f"unknown verdict {v!r} for {p.sequence} {p.fact}")
    return {a: {b: sum(p.first == a and p.second == b for p in pairs) for b in VERDICTS} for a in VERDICTS}


def raw_agreement(table: dict[str, dict[str, int]]) -> float:
    n = sum(sum(row.values()) for row in table.values())
    return sum(table[v][v] for v in VERDICTS) / n if n else float("nan")


def cohens_kappa(table: dict[str, dict[str, int]]) -> float:
    """(observed - chance agreement) / (1 - chance), chance from the two judges' own verdict shares.
    Where chance agreement is already 1 (both judges gave one and the same verdict to every fact),
    kappa is undefined (nan), not 1: the judges were never tested on a fact where they could differ."""
    n = sum(sum(row.values()) for row in table.values())
    if n == 0:
        return float("nan")
    observed = raw_agreement(table)
    first_share = {v: sum(table[v].values()) / n for v in VERDICTS}
    second_share = {v: sum(table[a][v] for a in VERDICTS) / n for v in VERDICTS}
    chance = sum(first_share[v] * second_share[v] for v in VERDICTS)
    if chance >= 1.0:
        return float("nan")
    return (observed - chance) / (1.0 - chance)


def holds_share(pairs: list[Pair], judge: str) -> float:
    return sum(getattr(p, judge) == "holds" for p in pairs) / len(pairs) if pairs else float("nan")


def summary(pairs: list[Pair]) -> dict:
    table = agreement_table(pairs)
    return {"facts": len(pairs), "table": table, "raw_agreement": round(raw_agreement(table), 4),
            "kappa": round(cohens_kappa(table), 4), "holds_share_first": round(holds_share(pairs, "first"), 4),
            "holds_share_second": round(holds_share(pairs, "second"), 4),
            "disagreements": [p for p in pairs if p.first != p.second]}


def markdown_table(table: dict[str, dict[str, int]]) -> str:
    lines = ["| first \\ second | " + " | ".join(VERDICTS) + " | total |", "|---|" + "---|" * (len(VERDICTS) + 1)]
    for a in VERDICTS:
        lines.append(f"| {a} | " + " | ".join(str(table[a][b]) for b in VERDICTS) + f" | {sum(table[a].values())} |")
    lines.append("| total | " + " | ".join(str(sum(table[a][b] for a in VERDICTS)) for b in VERDICTS)
                 + f" | {sum(sum(r.values()) for r in table.values())} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path, help="the first judge's verdicts file")
    parser.add_argument("second", type=Path, help="the second judge's verdicts file")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    pairs, unmatched = paired_facts(load_verdicts(args.first), load_verdicts(args.second))
    s = summary(pairs)
    print(f"facts judged by both: {s['facts']}; judged by one only: {len(unmatched)}")
    if args.markdown:
        print(markdown_table(s["table"]))
    else:
        print("first \\ second " + " ".join(f"{v:>10}" for v in VERDICTS))
        for a in VERDICTS:
            print(f"{a:>14} " + " ".join(f"{s['table'][a][b]:>10}" for b in VERDICTS))
    print(f"raw agreement {s['raw_agreement']}, Cohen's kappa {s['kappa']}, share that holds: "
          f"first {s['holds_share_first']}, second {s['holds_share_second']}")
    for p in s["disagreements"]:
        print(f"- {p.sequence} '{p.fact.split('|')[-1]}': first {p.first} ({p.first_reason}); "
              f"second {p.second} ({p.second_reason})")
    for seq, key in unmatched:
        print(f"  only one judge: {seq} {key}")


if __name__ == "__main__":
    main()
