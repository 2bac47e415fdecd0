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


#: Sets of body parts with a name of their own (keys sorted).
_SET_NAMES = {("left_arm", "right_arm"): "both arms", ("left_hand", "right_hand"): "both hands",
              ("left_leg", "right_leg"): "both legs",
              ("left_arm", "left_hand", "right_arm", "right_hand"): "both arms and hands",
              ("right_arm", "right_hand"): "the right arm and hand", ("left_arm", "left_hand"): "the left arm and hand"}


def set_words(parts: list[str]) -> str:
    """A cited set of body parts in words: 'both arms and hands', 'the torso and the right arm and
    hand', 'the torso'."""
    rest = sorted(parts)
    if tuple(rest) in _SET_NAMES:
        return _SET_NAMES[tuple(rest)]
    named = []
    for side in ("left", "right"):                 # a whole arm (arm and hand) is named as one
        whole = (f"{side}_arm", f"{side}_hand")
        if set(whole) <= set(rest):
            named.append(_SET_NAMES[whole])
            rest = [p for p in rest if p not in whole]
    return join_words([f"the {n}" for n in _names(rest)] + named)


def _pronoun(parts: list[str]) -> str:
    return "them" if len(parts) > 1 or parts[0] in ("feet",) else "it"


def _pct(p: float) -> str:
    return f"{max(p, 0.0):.0%}"


def _span_effect_words(ev: Evidence) -> str:
    """The span in words with what freezing it costs: 'early in the sequence (0%-25% of it;
    freezing that window drops it to 60%)'."""
    words = _span_words(ev.span)
    if ev.span_drop <= 0:
        return words
    effect = f"freezing that window drops it to {_pct(ev.confidence - ev.span_drop)}"
    return f"{words[:-1]}; {effect})" if words.endswith(")") else f"{words} ({effect})"


def attribution_words(ev: Evidence) -> str:
    """What the model relied on, with the measured effect of freezing exactly that set, and the
    span: 'the model relied most on both arms (freezing them drops throw from 93% to 21%), early
    in the sequence (...)'."""
    span = _span_effect_words(ev)
    if not ev.used_parts:
        largest = max([ev.used_drop, *ev.set_drops.values()])       # the cited set need not have the largest drop
        return (f"no one or two body parts carry it (freezing any of them drops it by at most "
                f"{max(largest, 0.0) * 100:.0f} points); the model relied most on the motion {span}")
    return (f"the model relied most on {set_words(ev.used_parts)} (freezing {_pronoun(ev.used_parts)} drops "
            f"{ev.action} from {_pct(ev.confidence)} to {_pct(ev.confidence - ev.used_drop)}), {span}")


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
                f"No motion the detector names passed its threshold{unread_words(ev, None)} (its vocabulary: raise, "
                "reach, bend, squat, sit, stand, walk, turn ...); the decision rests on motion it does not name.")
    if not ev.used_parts:
        return f"Measured: the person {join_words([f.text for f in moving[:3]])}."
    return (f"No movement of the {join_words(_names(ev.used_parts))} passed the measurement thresholds in that span"
            f"{unread_words(ev, ev.used_parts)}{unreadable_in_2d(ev)}; elsewhere the person "
            f"{join_words([f.text for f in moving[:2]])}.")


def unreadable_in_2d(ev: Evidence) -> str:
    """'' for 3D keypoints; for 2D ones, what the image cannot show of the cited parts, so that a
    'no movement' sentence does not deny it: a turn of the body (the shoulder line's yaw) is not read
    from an image (video hand-check: tai chi's 'no movement of the torso' while the body turns ~90 deg)."""
    if ev.dims != 2 or not set(ev.used_parts) & _WHOLE_BODY_PARTS:
        return ""
    return " (a turn of the body cannot be read from 2D keypoints)"


#: the body parts whose motions include the whole body's (squat, walk, bend ...: read in the image,
#: so not where the camera moves)
_WHOLE_BODY_PARTS = {"torso", "left_leg", "right_leg", "feet", "legs", "body"}
#: tracking problems in whose frames nothing at all is read
_NOTHING_READ = ("not_one_body", "dead_track", "track_lost")
#: words of a joint's name -> the body parts its motion is read for
_JOINT_PARTS = {"wrist": ("hand", "arm"), "hand": ("hand", "arm"), "thumb": ("hand",), "pinky": ("hand",),
                "index": ("hand",), "tip": ("hand",), "elbow": ("arm",), "shoulder": ("arm", "torso"),
                "hip": ("leg", "torso"), "knee": ("leg",), "ankle": ("leg", "feet"), "heel": ("feet",),
                "foot": ("feet", "leg"), "spine": ("torso",), "neck": ("torso", "head")}


def _joint_parts(joint: str) -> set[str]:
    """The body parts (``left_arm``, ``feet``, ``head`` ...) whose motion a joint's reading feeds."""
    side = next((s for s in ("left", "right") if joint.startswith(s)), None)
    for word, parts in _JOINT_PARTS.items():
        if word in joint:
            return {p if p in ("feet", "torso", "head") or side is None else f"{side}_{p}" for p in parts}
    return {"head"}


def unread_words(ev: Evidence, parts: list[str] | None) -> str:
    """'' when every motion a 'no movement' sentence denies (of ``parts``; None: of the whole body)
    was read; else where it was not (the camera moving: the whole body's; a tracking problem: its
    joints'), so that the sentence denies only what was measured: ' where it was read (not read: ...)'."""
    wanted = None if parts is None else set(parts)
    unread: list[str] = []
    camera = [p for p in ev.problems if p.kind == "camera_motion"]
    # the head too: the whole body's rise, sit-down, squat and walk carry it (evidence.HEAD_CARRYING_MOTIONS)
    if camera and (wanted is None or wanted & (_WHOLE_BODY_PARTS | {"head"})):
        unread.append(f"whole-body motion in frames {camera[0].frames[0]}-{camera[0].frames[1]}, where the camera moves")
    joints = list(dict.fromkeys(j for p in ev.problems if p.kind != "camera_motion" for j in p.joints
                                if wanted is None or _joint_parts(j) & wanted))
    if joints:
        unread.append(f"the {join_words([j.replace('_', ' ') for j in joints])} where the tracking problems above say")
    sided = wanted is None or any(p.startswith(("left", "right")) for p in wanted)
    if any(p.kind == "swapped_sides" for p in ev.problems) and sided:
        unread.append("either side where left and right are swapped")
    if any(p.kind in _NOTHING_READ for p in ev.problems):
        unread.append("anything where the tracking problems above say nothing is read")
    return f" where it was read (not read: {'; '.join(unread)})" if unread else ""


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
    used = (f"{' + '.join(_names(ev.used_parts))} (frozen together: {ev.action} {_pct(ev.confidence)} -> "
            f"{_pct(ev.confidence - ev.used_drop)})" if ev.used_parts else "no one or two parts")
    moving = [f for f in ev.facts if f.motion != "still"]
    facts = "\n".join(f"- the person {_fact_words(f)}" for f in moving) or "- no movement above the thresholds"
    return (f"Encoder ranking: {ranking}\nBody parts used: {used}, {_span_words(ev.span)}\n"
            f"Measured movements:\n{facts}")


def template_explanation(ev: Evidence) -> str:
    """The explanation written from the evidence alone (no language model): every clause is a
    measurement of this sample or of the model."""
    parts = [f"{ev.action} ({ev.confidence:.0%}): {attribution_words(ev)}.",
             measured_sentence(ev)]
    if ev.close_call:
        why = f"Not {ev.runner_up} ({ev.runner_up_confidence:.0%}): "
        if ev.cue:
            parts.append(why + ev.cue + ".")
        else:
            where = _contrast_part_words(ev)
            parts.append(why + where + _no_cue_words(ev) + ".")
    return " ".join(problem_sentences(ev) + parts)


def _contrast_part_words(ev: Evidence) -> str:
    """The part whose freezing narrows the margin over the runner-up most, and by how much; said
    as more than the whole margin where freezing it overturns the decision."""
    if not ev.contrast_parts:
        return ""
    part, drop = next(iter(ev.contrast_parts.items()))
    margin = ev.confidence - ev.runner_up_confidence
    words = f"freezing the {_names([part])[0]} narrows the margin most, by {_points(drop)}"
    if drop > margin:
        words += f", more than the whole {_points(margin, hyphen=True)} margin"
    return words + "; "


def _points(share: float, hyphen: bool = False) -> str:
    """A difference of probabilities in percentage points: whole points from 10 up, one decimal
    below (a 1.3-point drop against a 1.1-point margin must not read '1 points ... 1-point margin')."""
    value = share * 100
    number = f"{value:.0f}" if abs(value) >= 9.95 else f"{value:.1f}"
    if hyphen:
        return f"{number}-point"
    return f"{number} point" if number == "1.0" else f"{number} points"


def _no_cue_words(ev: Evidence) -> str:
    """Why a close call has no contrastive cue: no class fact profile to compare the classes with,
    or no motion (measured or missing) whose training shares differ enough between them."""
    if ev.cue_fact is None:
        return "this model has no class fact profile (fact_profile.json) to compare the two classes' motions"
    return (f"no motion measured here, or missing here, is {ev.cue_fact['gap'] * 100:.0f} percentage points "
            f"more common in one class's training sequences than in the other's")


