"""Verification: only clauses whose claims the sample's measurements support reach the user."""
from __future__ import annotations

import re
from typing import Iterable

from .claims import stated_claims, supported
from .facts import Fact


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def without_class_names(text: str, classes: Iterable[str]) -> str:
    """The text with class names (the decision and the runner-up, not claims about the motion)
    removed, so that 'Not sit down' is not read as a claim that the person sits down."""
    for name in sorted(classes, key=len, reverse=True):
        text = re.sub(rf"'?\b{re.escape(name)}\b'?", "the class", text, flags=re.IGNORECASE)
    return text


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def verify(text: str, facts: list[Fact]) -> tuple[str, list[str]]:
    """Keep the clauses whose claims are all supported by the measured ``facts`` (motion, side and
    time: :func:`~actlm.explain.claims.supported`) and whose numbers occur in them; return
    (verified text, removed clauses)."""
    allowed = {n for f in facts for n in _NUMBER.findall(f.text)}
    whole = {}                    # a fact's own wording ('..., then comes back up') is one clause
    for i, f in enumerate(sorted({f.text for f in facts}, key=len, reverse=True)):
        if f in text:
            text = text.replace(f, f"\x00{i}\x00")
            whole[f"\x00{i}\x00"] = f
    kept, removed = [], []
    for clause in re.split(r"(?<=[.;])\s+|,\s+(?:and |then )?|\s+and\s+", text.strip()):
        for key, fact_text in whole.items():
            clause = clause.replace(key, fact_text)
        clause = clause.strip(" .;,")
        if not clause:
            continue
        stated = stated_claims(clause)
        ok = all(supported(c, facts) for c in stated)
        numbers_ok = all(n in allowed for n in _NUMBER.findall(clause))
        (kept if ok and numbers_ok and stated else removed).append(clause)
    return (join_words(kept) + "." if kept else ""), removed


