"""The explanation in words, written from the evidence alone (no language model): every clause is a
measurement of the sample or of the model."""
from __future__ import annotations

from .evidence import Evidence
from .facts import Fact
from .verify import join_words


def _span_words(span: tuple[float, float]) -> str:
    start, end = span
    if end - start > 0.7:
        return "over the whole sequence"
    middle = (start + end) / 2
    part = "early in" if middle < 0.34 else "in the middle of" if middle < 0.67 else "late in"
    return f"{part} the sequence ({start:.0%}-{end:.0%} of it)"


def _names(parts: list[str]) -> list[str]:
    return [p.replace("_", " ") for p in parts]


def measured_sentence(ev: Evidence) -> str:
    """The cited facts (or, if none, what the used parts did not do), as one sentence."""
    if ev.cited:
        return f"Measured there: {cited_facts_sentence(ev)}"
    moving = [f for f in ev.facts if f.motion != "still"]
    if any(p.blocking for p in ev.problems):
        return "No motion is stated."
    if not moving:
        still = [f.text for f in ev.facts if f.motion == "still"]
        return (f"Measured: the person {still[0]}." if still else
                "No motion the detector names (raising, reaching, bending, squatting, sitting, standing, walking, "
                "turning ...) passed its threshold; the decision rests on motion it does not name.")
    if not ev.used_parts:
        return f"Measured: the person {join_words([f.text for f in moving[:3]])}."
    return (f"No movement of the {join_words(_names(ev.used_parts))} passed the measurement thresholds; elsewhere "
            f"the person {join_words([f.text for f in moving[:2]])}.")


def problem_sentences(ev: Evidence) -> list[str]:
    """What the input cannot support, said before anything else: 'Tracking: 6 frames only: too
    short to read motion (at least 10 are needed).'"""
    return [f"Tracking: {p.text}." for p in ev.problems]


def _fact_words(f: Fact) -> str:
    return f.text if f.motion == "walk" else f"{f.text} {f.phase}"    # walks span the clip


def cited_facts_sentence(ev: Evidence) -> str:
    """'the person <cited fact> and <cited fact>.' (empty when nothing is cited): what the
    reasoner is taught to write, and what the template says after 'Measured there:'."""
    return f"the person {join_words([_fact_words(f) for f in ev.cited])}." if ev.cited else ""


def evidence_prompt(ev: Evidence) -> str:
    """The evidence as the reasoner reads it in its prompt: the model's ranking, the parts and
    span it used, every measured movement of the sample."""
    ranking = ", ".join(f"{c} {p:.0%}" for c, p in ev.ranking.items())
    used = ", ".join(f"{n} {ev.parts[p]:.0%}" for n, p in zip(_names(ev.used_parts), ev.used_parts)) or "no single part"
    moving = [f for f in ev.facts if f.motion != "still"]
    facts = "\n".join(f"- the person {_fact_words(f)}" for f in moving) or "- no movement above the thresholds"
    return (f"Encoder ranking: {ranking}\nBody parts used: {used}, {_span_words(ev.span)}\n"
            f"Measured movements:\n{facts}")


def template_explanation(ev: Evidence) -> str:
    """The explanation written from the evidence alone (no language model): every clause is a
    measurement of this sample or of the model."""
    if not ev.used_parts:
        used_words = "no single body part (freezing any one of them leaves its score as high)"
    else:
        used_words = "the " + join_words([f"{n} ({ev.parts[p]:.0%})" for n, p in zip(_names(ev.used_parts), ev.used_parts)])
    parts = [f"{ev.action} ({ev.confidence:.0%}): the model relied most on {used_words}, "
             f"{_span_words(ev.span)}.", measured_sentence(ev)]
    if ev.close_call:
        why = f"Not {ev.runner_up} ({ev.runner_up_confidence:.0%}): "
        if ev.cue:
            parts.append(why + ev.cue + ".")
        else:
            where = (f"the margin comes mostly from the {_names([next(iter(ev.contrast_parts))])[0]} "
                     f"({next(iter(ev.contrast_parts.values())):.0%}); " if ev.contrast_parts else "")
            parts.append(why + where + _no_cue_words(ev) + ".")
    return " ".join(problem_sentences(ev) + parts)


def _no_cue_words(ev: Evidence) -> str:
    """Why a close call has no contrastive cue: no class fact profile to compare the classes with,
    or no motion (measured or missing) whose training shares differ enough between them."""
    if ev.cue_fact is None:
        return "this model has no class fact profile (fact_profile.json) to compare the two classes' motions"
    return (f"no motion measured here, or missing here, is {ev.cue_fact['gap'] * 100:.0f} percentage points "
            f"more common in one class's training sequences than in the other's")


