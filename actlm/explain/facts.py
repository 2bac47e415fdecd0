"""Measured kinematic facts: what the body parts of a skeleton sequence do, in words.

This is the model-free reading of a sequence that the ``kinematic`` describer turns into a
description, that the semantic tokenizer uses to name its codes, and that explanations cite.

:func:`read_motion` reads in three steps:

1. **Tracking quality first** (:mod:`.quality`): NaN/inf values, a single frame, too few frames,
   a dead track, frozen or jumping joints, joints a video's pose estimator could not see; then,
   once the world frame is known, a shoulder line collapsed edge-on and hands hidden behind the
   body. Each is a :class:`~actlm.explain.quality.Problem` the explanation states first, and no
   fact is read from the joint-frames it names.
2. **The world frame** (:mod:`.world`): up from gravity over the whole sequence (feet to head
   when standing tallest, corrected by the floor the feet walk on; the image vertical for 2D
   data), heights above the floor, distances in statures (shown in metres when the data has
   metric scale), facing from the shoulder line only where that line is readable.
3. **The facts**: thresholds in statures (degrees for angles) on the readable joint-frames, each
   with the time of its peak and the time extent over which it happens (``start``/``end``).

Durations (smoothing windows, holds, gaps, a wave's half swing) are set in seconds and speeds per
second, and read at the clip's frame rate (``fps``; 30 frames/s when not given, the rate they were
tuned at on NW-UCLA and UTD-MHAD): the same motion at 15 or 60 frames/s gives the same facts.
Counts that are evidence rather than time (at least 5 readable frames, 3 frames for a level, the
tracking check's frozen runs of exactly repeated values) stay frame counts.

Works for every layout that defines the body-part groups (kinect-v1/v2, COCO-17, BlazePose-33,
Penn-13, SBU-15, layout files); parts a layout lacks (COCO has no hand joints) fall back to the
nearest joint group (the wrist end of the arm).
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property

import numpy as np

from ..data.layouts import Layout, get_layout
from .quality import (END_STUB, FROZEN_RUN, RUNS_NAMED, Problem, Tracking, true_runs, body_size, check_tracking, exact_repeats, frames,
                      collapsed_skeleton, view_problems)
from .world import World, end_joints, head_joints, knee_angles, nanmean_joints, world_frame

#: The motion vocabulary; explanations are scored against these (see ``faithfulness``).
MOTIONS = (
    "raise", "lower", "wave", "reach_forward", "reach_down", "touch_head", "hands_together",
    "swing", "bend", "lean_back", "squat", "sit_down", "stand_up", "walk", "turn", "approach",
    "depart", "still",
)
PHASES = ("at the start", "in the middle", "at the end", "throughout")

#: Magnitude at which a motion counts: statures (the standing head height above the floor) for
#: distances, statures per second for swing, degrees for bend/lean/turn, reversals for wave.
THRESHOLDS = {
    "raise": 0.15,          # the hand rises ~0.25 m above where it started, to shoulder height or above
    "lower": 0.15,
    "reach_forward": 0.2,   # the hand ~0.3 m in front of its shoulder (arms hanging: ~0.05)
    "reach_down": 0.12,     # the hand drops ~0.2 m against the pelvis, to below the knee (or below LOW_HAND)
    "touch_head": 0.115,    # hand within ~0.2 m of the head joint (having started ~0.35 m away)
    "wave": 2,              # side-to-side reversals of a raised hand (out, back and out again: one to-and-fro)
    "swing": 3.0,           # statures per second: ~5 m/s (0.16 m a frame at 30 fps), a throw or a punch; an
                            # arm swinging in a walk, or a brisk raise, moves at 1-3 m/s
    "hands_together": 0.076,  # hands within ~0.13 m, their gap smoothed over QUICK_SMOOTHING (metric data: HANDS_METRES;
                              # the hand-check's rule is 0.15 m; a boxing guard 0.28 m apart, crossed arms 0.23 m,
                              # hands 0.16-0.17 m apart: not together)
    "bend": 25,
    "lean_back": 15,        # a standing body leans back 20-30 degrees at most
    "squat": 0.12,          # the hips drop ~0.2 m with bent knees and come back up
    "sit_down": 0.1, "stand_up": 0.1,     # the hips end ~0.16 m lower (higher) than they started
    "walk": 0.22,           # both feet end ~0.35 m from where they started
    "turn": 60,
    "approach": 0.35, "depart": 0.35,
}
#: nothing (no body part) moving further than this from its usual place is standing still
STILL = 0.06
#: ... in STILL_SHARE percent of the frames, and never further than STILL_MOST
STILL_SHARE, STILL_MOST = 90, 0.1
#: in metric data the same bounds in metres (STILL and STILL_MOST of an adult whose head stands
#: ~1.65 m high): a standing body's sway (a few cm) and the sensor's jitter are the same in metres
#: whatever the person's size, so a child standing still moves more *statures* than an adult does
STILL_METRES, STILL_MOST_METRES = 0.10, 0.16
#: in 2D, an arm whose image length changes by this share moved along the line of sight
ARM_FORESHORTEN = 0.25
#: in 2D, a trunk whose image length (hips to neck, smoothed) changes by this share leaned or bent
#: along the line of sight (a lean back seen from the front barely moves any joint in the image)
TRUNK_FORESHORTEN = 0.08
#: a track missing at the end (or start) of the clip for this share of its frames is lost there,
#: and the motions that say how the clip ends (or starts) are not stated
LOST_SHARE = 0.1
END_STATE = ("sit_down", "stand_up", "still")
#: a raise or forward reach (:data:`HELD`) read only between jumps of its hand (unread and flagged
#: by the jump check in each of this many frames right before and right after the frames read around
#: its peak) was placed there between jumps (:func:`without_jump_islands`). A fast real raise or
#: throw breaks the bones' lengths for one frame as it goes up or down (UTD-MHAD, Penn Action); a
#: joint placed off the body stays off for longer (hand-check round 13, NW-UCLA a01_s03_e06: 2 frames
#: each side; the skateboarding clip: 3 and 7)
JUMPED_AROUND = 3
#: ... or, between at least ISLAND_FLAGGED flagged frames on each side, when the hand's position
#: changes across each of the two gaps by at least ISLAND_JUMP (statures, ~0.5 m): it entered the
#: island by a jump and left it by one, so what it does inside (even a rise seen there) is the
#: tracker's, not the hand's (hand-check rounds 52, 55 and 60, NW-UCLA a01_s03_e06, a01_s08_e00 and
#: a01_s08_e01: 0.3-0.45 statures up over 2 flagged frames, as much down over 2). One flagged frame
#: is not enough: a fast real raise breaks a bone's length for a frame each way (hand-check rounds
#: 41-56: UTD-MHAD a14-a16, NW-UCLA a08 and a11 raises that hold, 0.24-0.67 statures across a
#: one-frame gap on one side)
ISLAND_FLAGGED = 2
ISLAND_JUMP = 0.3
HELD = ("raise", "reach_forward", "touch_head")
#: a body whose head, hips and feet stay within this (statures) and hands within STILL_HANDS
#: does not move at all: a still person or a dead track (said as a problem)
STATIC_CORE = 0.03
STILL_HANDS = 0.1
#: time-signal onsets: a motion's extent is where it is at least this share of its peak
EXTENT_SHARE = 0.5
#: the share of frames at each end that gives a starting / ending level
END_SHARE = 0.15
#: a hand is above the head when it is this much (statures, ~8 cm) above the head joint (a hand
#: at the mouth or on the crown is not; the hand-check's rule is 5 cm, and 'up' may be off a few degrees)
ABOVE_HEAD = 0.05
#: heights against the head and shoulder are said only while the trunk is within this many degrees of upright
UPRIGHT_RAISE = 45
#: a hand raised "to shoulder height" peaks at most this much (statures, ~3 cm) above the head
#: joint, its less smoothed track included (a peak between this and ABOVE_HEAD: the height is not said)
HEAD_LEVEL = 0.02
#: the head's height at a raised hand's top is read from the nearest frame within this many
#: seconds where the head is seen; hidden longer, the hand's height is not compared with it
SEEN_NEAR = 0.2
#: a raised hand's top is also read on its less smoothed track within this many seconds of it
RAISE_TOP_NEAR = 0.1
#: a swing is read from a hand seen in this share of the frames, with no single frame's step
#: larger than SWING_JUMP of the hand's path over SWING_AROUND seconds each side of its fastest step
#: (2 frames each side at 30 fps)
SWING_SEEN, SWING_JUMP, SWING_AROUND = 0.7, 0.6, 2 / 30
#: a swing's fastest step is at least this many times the arm's median speed (plus SWING_RESTING,
#: statures per second: an arm at rest)
SWING_ABOVE_USUAL, SWING_RESTING = 4, 0.03
#: a fast hand moving this share of its path straight up or down (over SWING_VERTICAL_AROUND seconds
#: each side of its fastest step) is raised or lowered, not swung
SWING_VERTICAL, SWING_VERTICAL_AROUND = 0.9, 1 / 30
#: a fast hand that sat above its shoulder within SWING_PARKED_RANGE (statures, ~5 cm, against the
#: shoulder) over the SWING_PARKED seconds before its fast frames (and SWING_AROUND before them: a
#: swing winds up) was not tracked there (a Kinect
#: hand lost at the start is left where it was): its fall is the tracker finding it again, no swing
#: (hand-check round 27, NW-UCLA a04_s05_e02_v01: a walker's hand unmoving over the shoulder in
#: frames 0-8, then 'swings the left arm quickly' falling 1.47 -> 0.67 m)
SWING_PARKED, SWING_PARKED_RANGE = 0.3, 0.03
#: a fast arm within this share of the clip of a raise, lowering, reach or clap (of either arm:
#: both arms go up together) is that motion, not a swing
SWING_NEAR = 0.1
#: a hand that goes on this much higher (statures) after being stretched forward was raised
PASS_ABOVE = 0.1
#: an arm is stretched forward when its hand is ahead of the shoulder by this share of the arm's
#: length (its 95th-percentile shoulder-to-hand distance)
STRETCHED = 0.8
#: a seated body's (hips below SEATED_HIPS statures) hand stretched forward is at least this share
#: of the way from the hips up to the shoulder: a hand resting on the lap is ahead of the shoulder
#: too, but far below it, at the hips
SEATED_HIPS, LAP_HAND = 0.45, 0.5
#: the facing is averaged over this many seconds (7 frames at 30 fps) before a hand's reach ahead is read along it
REACH_FACING_SMOOTHING = 7 / 30
#: in one image a reach is read only in profile: the shoulder line's image width under this share of
#: the arm's length (seen from the front ~0.6, from 30 degrees off the side ~0.3) ...
PROFILE_WIDTH = 0.4
#: ... and where the person's front is unknown, the view must be a side view in one frame of the reach
#: at least: the shoulder line's image width under this share of the trunk's image length (a turn
#: about the vertical leaves the trunk's length; the clip medians of 582 Penn Action clips, every
#: 4th: 30 under 0.05, seen from the side, most at 0.35-0.7, from the front or three quarters;
#: hand-check round 36: Penn 0954's golfer at the top of the backswing, 0.43 in every frame of its
#: 'forward' reach, was seen from the front)
PROFILE_TORSO = 0.3
#: ... the arm at least this share of its full image length (straight, not shortened towards the
#: camera) and at least REACH_ANGLE degrees from hanging straight down (a reach is 70-100)
STRAIGHT_ARM, REACH_ANGLE = 0.7, 50
#: in one image, stretched forward is ahead of the shoulder by this share of the arm's image length
#: (a straight arm held out seen from up to 35 degrees off its side: cos 35 = 0.82, times a
#: reach's own 20 degrees out from straight ahead)
STRETCHED_2D = 0.65
#: in one image a reach is read only from frames that show it (hand-check rounds 4-17: of 23 Penn
#: Action 'stretches forward' judged, 1 held, 3 were false and 19 could not be told, from wrists
#: bent back, hanging forward-down or guessed by the annotator): the elbow at least REACH_2D_ELBOW
#: degrees in the image (the one reach judged to hold: 166-176; the set position's and ready
#: stance's 93-130 are not straight) and the hand at most REACH_2D_DOWN degrees below its
#: shoulder's level in the image (arms pointing 30-45 degrees down hang forward: Penn 2002, 2058,
#: 2198). The price, on the generated suite: its reaching arms are bent to 152 degrees and look
#: 120-150 from an oblique camera, so 4 of its 2D reaches are no longer read (145 and 25 degrees
#: of a view-independent drop keep 3 of them but state Penn 0843's golf swing and 2002 again)
REACH_2D_ELBOW, REACH_2D_DOWN = 150, 30
#: in metric data hands are together within this many metres (their gap smoothed over QUICK_SMOOTHING)
HANDS_METRES = 0.13
#: ... and held near: the hands' per-frame gap, its median over MEDIAN_WINDOW (~0.17 s), within this many
#: times the limit (~0.17 m: a clap's contact is brief, but its hands are near over 5 frames; hands
#: passing 0.22-0.35 m apart with one raw frame at 0.14 m are not: 1.5 times)
HANDS_HELD = 1.3
#: hands are said to come 'together' where their held gap (the moving median a reader's per-frame
#: check sees) gets within this (metres: the hand-check's 0.15 m rule; in images statures, ~0.15 m),
#: else how close they came is said (see :func:`_hands_together_words`)
HANDS_SAID_METRES, HANDS_SAID = 0.15, 0.09
#: a touch of the head is read on the smoothed tracks (THRESHOLDS["touch_head"]) and must be held on
#: the unsmoothed ones: the hand within TOUCH_METRES of the head joint (metric data; else the threshold
#: itself, in statures) in at least TOUCH_HELD seconds of consecutive frames (or in a run the clip's first
#: or last frame cuts off), or within TOUCH_DEEP of that limit in a single frame. A hand passing the
#: head, near it only in single frames, does not touch it (hand-check round 36, NW-UCLA
#: a08_s01_e02_v01: 0.167, 0.197 and 0.188 m in three single frames, 0.25-0.33 m around each; round 44,
#: UTD-MHAD a21_s6_t1 and round 47, NW-UCLA a08_s10_e02_v03: never within 0.20 m unsmoothed; round 66,
#: a01_s09_e02_v01: 0.156 m in one frame). Touches judged to hold reach the limit over two frames
#: (round 74, UTD-MHAD a17_s3_t1: 0.174 and 0.139 m), or once by far (round 64, NW-UCLA
#: a08_s07_e01_v01: 0.114 m; round 70, a08_s07_e00_v01: 0.144 m)
TOUCH_METRES, TOUCH_HELD, TOUCH_DEEP = 0.2, 2 / 30, 0.75
#: a head joint this far (metres) above its clip's median height right before or after the jump
#: check drops it was carried up by the tracker: no touch is read there (see :func:`_risen_before_drop`)
TOUCH_HEAD_RISEN = 0.12
#: hands brought together meet at least this far (statures, ~15 cm) above the hips
WAIST = 0.1
#: a wave's side-to-side swing must cover this much (statures, ~3 cm; above sensor jitter) each way
WAVE_SWING = 0.02
#: ... and at least this share of the hand's side-to-side range
WAVE_SHARE = 0.45
#: ... or, in 3D, this smaller share when the hand turns back once more (three reversals: out, back, out
#: and back again) and goes to and fro in depth at most WAVE_DEPTH_SMALL times its side-to-side range: a
#: hand raised from its side sweeps across on the way up, and that sweep, no part of the wave, sets
#: the range (UTD-MHAD a3_s8_t3: up 30 cm across, then 5-10 cm swings, four turns; a3_s7_t2: 4-5 cm
#: swings with the forearm held still, three turns)
WAVE_SHARE_SMALL = 0.3
#: a wave whose swings only WAVE_SHARE_SMALL of its range qualify must be clearly across: its hand goes
#: to and fro in depth at most this many times its side-to-side range (5th to 95th percentile each;
#: UTD-MHAD's 32 waves 0.09-0.62, its 32 knocks 0.68-6.85, see WAVE_DEPTH; a knock of subject 4, a19_s4_t3,
#: swings 7-9 cm across and 0.93 times that in depth)
WAVE_DEPTH_SMALL = 2 / 3
#: ... and the hand itself covers this share of that range in the scene (drift removed)
WAVE_SCENE = 0.5
#: ... and by this many times the hand's sensor jitter (see :func:`_jitter`; Kinect v1 hands jitter
#: by 2-7 cm, a held hand's jitter turns back by 2-3 of that now and then)
WAVE_JITTER = 3
#: ... and its steps go on smoothly (see :func:`_smooth_swings`)
WAVE_SMOOTH = 0.2
#: a body whose shoulder line turns by this many degrees (5th to 95th percentile) while it waves
#: has its hand's side to side read against the shoulder line
WAVE_TURN = 30
#: a wave covers at least this side-to-side range (statures, ~15 cm; 5th to 95th percentile)
WAVE_RANGE = 0.06
#: in 3D a waving hand moves in depth (across the side-to-side line, horizontally) at most this many
#: times its side-to-side range (5th to 95th percentile each): a knock or a punch goes to and fro
#: towards the door or the target and sways a little sideways with it (UTD-MHAD's 32 waves (a3):
#: 0.09-0.62, those read as waves at most 0.45; its 32 knocks (a19): 0.68-6.85, the five read as
#: waves 1.12-3.81: hand-check round 21, a19_s1_t1 'waves the right hand' at 2.44). Not 1.0: a
#: throw's forearm swung across about the elbow, judged a wave by the rule (round 18, NW-UCLA
#: a11_s03_e00: 1.32), goes forward with the throw too
WAVE_DEPTH = 1.5
#: in one image (no depth to read) a waving hand moves up and down at most this many times its side
#: to side, each read as the middle half of its range over the raised frames (25th to 75th
#: percentile: the hand's rise to the wave and its fall after it are no part of the swing; the
#: generated 2D waves the full range missed 0.24-0.83, a short one whose rise fills more of its
#: raised frames 1.58): UTD-MHAD's 26 waves read in 3D go 0.13-0.82 times as far up and down as
#: across; a hand holding a bar at the shoulders through a clean and jerk 6.5 times (hand-check
#: round 31, Penn 0724: 'waves the left hand', read against a side view's shoulder midpoint shifting
#: under it as the body turns), a sit-up's hand 2.9 (round 22, Penn 1570)
WAVE_UP_DOWN = 2.0
#: a wave's half swing (from leaving one extreme by half the swing's hysteresis to the next extreme)
#: takes at most this many seconds (30 frames at 30 frames/s: people wave at 1-3 Hz, a half swing 0.2-0.5 s;
#: the generated waves 1.5-2.5 Hz): a hand drifting a few pixels one way over 1-2 s and back (a bar
#: held overhead against a shoulder the annotator guessed, Penn 0729: turns 36 and 54 frames apart)
#: waves nothing
ARM_HALF_SWING = 1.0
#: a wave is read from a hand raised above the shoulder for at least this many seconds (8 frames at 30 fps)
WAVE_RAISED = 8 / 30
#: a neck track further than this (statures) from the shoulders' midpoint in most frames is a
#: joint of its own (Kinect's shoulder centre sits ~5 cm above that midpoint), not made of them ...
ARM_OWN_NECK = 1e-3
#: ... compared in frames whose whole smoothing window (SMOOTHING, 5 frames at 30 fps) sees both shoulders
#: a waving hand's gap to the other hand is read where the other is seen in this share of its frames
ARM_OTHER_SEEN = 0.5
#: a waving hand's gap to the other hand changes by at least this share of its own side-to-side
#: range (a hand waved alone: all of it; two waved mirrored: twice it; one bar held in both: ~0)
#: ... and that gap turns back as often as a wave's hand does (THRESHOLDS["wave"] times, by
#: WAVE_SHARE of the hand's range): a hand waved on its own goes to and fro against the other hand too, while
#: two hands holding one thing (a bar at the shoulders, a golf club) keep their gap but for the
#: drift of its foreshortening in one image (Penn 0775, 0857)
ARM_TOGETHER = 0.5
#: a hand that stays within this (statures, ~0.34 m: closer than the shoulders' width) of the other
#: hand over a wave's frames (95th percentile) holds something with it: the pair carried side to side
#: is no wave of one hand (hand-check round 27, NW-UCLA a12_s04_e02_v01: both hands held together
#: over the left shoulder, 0.17-0.26 m apart, 'waves the left hand')
WAVE_HANDS_JOINED = 0.2
#: a hand's raised frames split into separate stretches where it is not readable above the
#: shoulder for more than this many seconds (7 frames at 30 fps; a half swing of a 2 Hz wave, 0.25 s):
#: a whole turn can be missed or made up in such a hole, and two stretches joined end to end make
#: a turn no one saw (a golf swing's hand up on one side before a 10-frame hole and on the other
#: after it, Penn 0857); a shorter hole (a triangle's lower stroke, UTD a11_s3_t1: 6 frames) hides
#: no turn of its own
ARM_RUN_GAP = 7 / 30
#: a hand this low (statures above the floor, ~0.5 m; a standing knee is ~0.28) reaches down even
#: when the knees bend with it (picking something up from a crouch)
LOW_HAND = 0.3
#: ... and drops at least this much (statures, ~7 cm) against the pelvis: hands hanging from a
#: body that lunges or sits go down with it, a hand picking something up goes further
BELOW_BODY = 0.04
#: a hand reaching down gets at least this far (statures, ~0.2 m) below the hips
BELOW_HIPS = 0.12
#: ... and clearly below the knees (by this much, statures, ~2 cm), or near the floor, or it drops at least REACH_SHOULDER
#: (statures, ~0.15 m) against its shoulder: a hand that only goes down with a crouching body, its
#: arm hanging, stays level with the knees and does not reach
KNEE_MARGIN, REACH_SHOULDER = 0.01, 0.09
#: ... or, low (below LOW_HAND), it drops at least this much (statures, ~0.1 m) against the pelvis
#: and gets down to the knees (KNEE_LEVEL), or at least REACH_PELVIS_FAR (~0.12 m) with the knees read
#: above it (a crouch's knee joints are guessed: NW-UCLA a01_s02_e00's read 0.06 statures over a hand
#: judged below them). Hands that only went down with a bowler's or a crouching body's lean drop
#: 0.062-0.063 (hand-check rounds 4, 9, 12), hands reaching to the floor 0.10-0.16.
REACH_PELVIS, REACH_PELVIS_FAR = 0.06, 0.08
#: a hand seen again for at most this many seconds (15 frames at 30 fps) between frames where the view
#: check drops it (behind the body) is the sensor's guess: no forward reach is read from it (see :func:`_hand_lost`)
HIDDEN_BRIDGE = 0.5
#: a hand read for less than this many seconds in a row (3 frames at 30 fps) between frames where it
#: is not read (hidden behind the body, a jumping joint) is not read there either: see :func:`_body_hand_seen`
HAND_SEEN_RUN = 0.1
#: a hand that keeps its place against both its shoulder (within this, statures, ~5 cm: Kinect v1
#: hand jitter) and the pelvis (within BELOW_BODY), the trunk upright (below PICKUP_BEND) and the
#: hand not ahead of the shoulder (by more than REACH_CARRIED_AHEAD, ~8 cm), is carried down by a
#: lowering body, its arm hanging: near the floor in a deep lunge (UTD-MHAD a26_s7: 0.15 statures),
#: it reaches nothing unless it is clearly below the knees ...
REACH_CARRIED, REACH_CARRIED_AHEAD = 0.03, 0.05
#: ... where the body lowered into a stride: one knee at least this much (statures, ~7 cm) lower than
#: the other (a lunge's trailing knee goes towards the floor: 0.06-0.10 in UTD-MHAD's lunges; NW-UCLA's
#: squatting pick-ups keep the knees level within 0.02, and their hands, picking something up, reach)
REACH_STRIDE_KNEES = 0.04
#: hips within this (statures, ~0.17 m) of the knees' height sit on a seat (thighs level; a crouch or a
#: stand keeps them higher): hands hanging beside the seat are below the knees without reaching
SEATED_THIGH = 0.1
#: a hand this close to the floor (statures, ~0.25 m) reached down however the body got there: a
#: pick-up from a crouch lowers the hands with the hips (BELOW_BODY fails), but hands hanging from
#: a lunge or resting on a seated body's knees stay higher (~0.35 m)
NEAR_FLOOR = 0.15
#: a pick-up from a crouch (see :func:`_crouched_pickup`): the trunk bends at least this many
#: degrees forward of its own upright (a lunge or squat keeps it within ~10-20) ...
PICKUP_BEND = 20
#: ... the hand gets down to the knees: at most this much (statures, ~3 cm: Kinect v1 hand jitter)
#: above them (a hand that stays higher only went down with the body: hand-check seed 43) ...
KNEE_LEVEL = 0.02
#: a reach's lowest point within this much (statures, ~2 cm) of the knees' mean height is said to
#: come to knee height, only one further below them 'towards the floor': the hand-check reads a hand
#: 0.01 m under the knees (NW-UCLA a01_s07_e02) or 0.01 statures over them (Penn 0622) as level with
#: them, 0.02 m or more under them (a01_s01_e03, a01_s08_e00) as below them
KNEE_BAND = 0.01
#: ... and up to this much (statures, ~5 cm) above them: this detector's knees and floor read a few
#: centimetres off a reader's (NW-UCLA a01_s02_e00: 0.05 m over the knees here, 0.06 under them by the
#: hand-check's read), and 'to knee height' of a hand that went further down is still true
KNEE_ABOVE = 0.03
#: the frames a reaching hand is lowest in: within this much (statures, ~5 cm: Kinect v1 hand jitter)
#: of its lowest height; the knees read there are what 'to knee height' and 'stopping above the
#: knees' compare the hand with (see :func:`_knees_against_hand`) ...
REACH_LOW_BAND = 0.03
#: ... and a knee read more than this (statures, ~3 cm: the floor's fit) under the floor there is no
#: height to compare with: a deep crouch's knee tracked into the floor (hand-check round 48, NW-UCLA
#: a02_s07_e02_v02: the left knee -0.02..-0.11 m, the hand at the floor 0.14 m under the right knee,
#: said 'to knee height' against the knees' mean); the other knee is the reference there
KNEE_UNDER_FLOOR = 0.02
#: knees this close to the floor (statures, ~0.12 m; their mean) kneel, and a hand this close to it
#: (AT_FLOOR) beside them reaches the floor, not below the knees (NW-UCLA a02_s04_e03: hand 0.06 m,
#: knees 0.07-0.11; a02_s01_e04: hand 0.11, knees 0.09-0.10)
KNEELING, AT_FLOOR = 0.07, 0.07
#: ... and the hips come back up by at least this much (statures, ~0.15 m) after the hand's lowest
#: point: the body stands up again (sitting down ends seated)
PICKUP_RISE = 0.1
#: a walk that ends this close to its start (statures) but covered this much path goes "around"
WALK_AROUND_PATH = 0.8
#: ... and ends near where it started: its hips' place over their last WINDOW_LEAST readable frames
#: lies within this share of the farthest the hips went from their place over their first ones (NW-UCLA
#: a03_s01_e01_v01 shuffles for 116 frames, then walks 1.0 m away in the last 14 and ends at its
#: farthest point: no walk around) ...
WALK_AROUND_BACK = 0.5
#: ... and within this much (statures, ~0.5 m) of it. Both ends are read over a few frames, not the
#: clip's first and last 15 % (a walk that sets off at once is 0.3-0.4 m along its way by the median of
#: those): the walks around judged to end near their start end 0.07-0.23 statures (0.12-0.40 m) from
#: it, those judged not to (hand-check rounds 27, 36, 38) 0.36-0.67 (0.61-1.04 m; NW-UCLA
#: a04_s09_e00_v01: out 1.4 m, back to 0.8 m, 58 % of its farthest, said 'near' when read from the
#: 15-% levels: 0.49 m of 1.09)
WALK_AROUND_NEAR = 0.3
#: ... and takes the hips at least this far (statures, ~0.55 m) from their start level, read where no
#: joint is flagged as jumping (nor within the smoothing's reach of one): a body stepping about one
#: spot covers a path without going anywhere (hand-check round 31, NW-UCLA a02_s03_e00_v01, a pick-up:
#: 0.29 from its start, the rest a tracker's drift into a whole-body jump, 'walks around, covering
#: about 2.8 m'); the walks around judged in rounds 4-31 reach 0.37-1.10 (a03_s06_e00_v03, holds: 0.40)
WALK_AROUND_REACH = 0.33
#: a walk read from the clip's last frames (the clip's end level half standing, half walking) is
#: said instead of a walk around where the hips' path before it stays within this (statures): the
#: body stood or shuffled, then walked (a03_s01_e01_v01: 0.37 before its 1.0-m walk in the last 14
#: frames; a08_s10_e00_v01, out 1.0 m and part-way back, 0.68)
LATE_WALK_STOOD = 0.5
#: a stand-up read from the clip's first frames (see :func:`_early_rise`) rises without a jump: no
#: frame's step is more than this share of the rise (clean_and_jerk.mp4's largest: ~0.1)
EARLY_RISE_STEP = 0.4
#: ... and, in 2D, its legs' unfolding is read at one scale only while the feet stay within this
#: (statures, ~8 cm) of their place in the first frames (see :func:`_early_legs_fold`)
EARLY_FEET_PLACE = 0.05
#: a walk's direction is named only when the facing stays within WALK_FACING degrees of the start's
#: over the walk and the way gone is within WALK_SECTOR degrees of forward, backward, left or right
WALK_FACING, WALK_SECTOR = 45, 20
#: no bend is read (3D) from frames whose trunk line is shorter than this share of the clip's median
#: while the hips are this much (statures, ~5 cm) above their starting height: a hip centre tracked
#: upwards, not a bend (at the peaks of 234 judged 3D bends, none held has both; 0.7-0.85 and
#: 0.02-0.04 give the same)
BEND_TRUNK_SHORT, BEND_HIPS_RISEN = 0.75, 0.03
#: 'lowers both hands again' only where each hand comes back down at least this share of its raise
#: (else the hand that does is named: see :func:`_one_hand_barely_lowers`). Judged 'both' lowers:
#: ambiguous a11_s08_e03_v01's right hand 0.32; the held ones' weaker hand 0.41 (Penn 2318) and up
LOWER_BOTH_SHARE = 0.35
#: the tilt must rise this much (degrees) above the clip's own upright level (10th percentile)
BEND_RISE, LEAN_RISE = 15, 10
#: a trunk tilted beyond LYING_TILT degrees with the hips below LYING_HIPS statures lies (a
#: push-up, a sit-up): no bend or lean is read from it
LYING_TILT, LYING_HIPS = 70, 0.3
#: hips below this many statures are down from standing (a standing body's are ~0.5 up), as a seated
#: body's, or a sit-up's read by a camera looking down (Penn 1585: 0.34-0.36); see
#: :func:`_trunk_behind_seated_thighs`
SEATED_HIPS = 0.45
#: a bend's peak is the least tilt over this many seconds in a row (3 frames at 30 fps; one frame's
#: spike is no bend)
BEND_HELD = 0.1
#: a trunk whose two sides' own shoulder-to-hip lines each stay within this many degrees of their
#: lower frames' tilt did not bend, whatever its mid-line read (:func:`_own_sides_never_rise`; the
#: sides of Penn 0367's and 0348's bench presses, lying all clip: 2 degrees)
OWN_SIDES_KEPT = 5
#: a lean back lasts at least this many seconds at half its angle or more (going back and coming up
#: or staying there take ~0.5 s at least: a tracker's jolt in the last frames before it loses the body does not)
LEAN_FRAMES = 2 * BEND_HELD
#: a body whose hips start within this (statures, ~8 cm) of their highest starts standing
START_STANDING = 0.05
#: ... and leans back in place: its feet (or hips) move less than this (statures, ~17 cm; a lean
#: moves them 1-3 cm) from where the lean sets in to its peak
LEAN_PLACE = 0.1
#: the facing tells a bend's direction (forward / back) only where the shoulder line is at least
#: this wide (statures, ~0.16 m) over the peak's frames: an edge-on, collapsed shoulder line's
#: facing swings or flips (the bent knees may tell the front instead: see :func:`_knee_forward`)
BEND_FACING_WIDTH = 0.1
#: a foot's reading counts for a walk only while it is on the ground: within this much (statures,
#: ~8 cm) of the lower foot and below its own knee by KNEE_ABOVE_FOOT (a tracker guessing a hidden
#: foot puts it in the air, above its knee)
FOOT_GROUND, KNEE_ABOVE_FOOT = 0.05, 0.05
#: a stand-up's size takes off the hips' rise only as much of the feet's rise as an 'up' this many
#: degrees off explains over the feet's travel on the floor (see :func:`_feet_drift`; of NW-UCLA and
#: UTD-MHAD clips without a straight standing frame, up lies 7.4 degrees off the floor's normal at
#: the median, beyond 10 in a third of them: see actlm.explain.world.LEGS_DISAGREE)
UP_DRIFT = 20.0
#: in a 2D image (no depth; a camera that may follow the person) a walk is told by its steps: both
#: feet end at least IMAGE_WALK statures (the body's image height) from where they started, the same
#: way (the cosine between their ways at least IMAGE_WALK_AGREE: a turn on the spot moves them apart),
#: the hips go along, and the feet take at least IMAGE_STEPS alternating steps (see :func:`_image_steps`)
IMAGE_WALK, IMAGE_WALK_AGREE, IMAGE_STEPS = 0.3, 0.7, 3
#: a foot steps while it moves forward STEP_ALONE times faster than the other foot moves (that one
#: stands), and a step carries it at least STEP_LENGTH statures along the way gone
STEP_ALONE, STEP_LENGTH = 4.0, 0.08
#: 'as when sitting down' only where the hips stay down over this share of the clip's end (within
#: SEATED_STAY of the drop, or 0.03 statures) with the knees bent (below BENT_KNEE degrees)
SEATED_END, SEATED_STAY = 0.2, 0.2
#: a standing start's trunk direction is read from its first frames within this many degrees of
#: their median direction (a child's short Kinect v1 spine line jitters by up to ~10 degrees; a bend
#: that sets in within the first END_SHARE of the clip, UTD-MHAD's pick-ups, tilts it further)
TRUNK_START_STEADY = 10
#: a bend's tilt from up and from the clip's own upright agree when within this many degrees (the
#: words round to 10: 'about 50' covers 45-55)
TRUNK_REFERENCES_AGREE = 5
#: the most a standing body's spine line is taken to lean back (see :func:`_upright_lean`)
UPRIGHT_LEAN = 12
#: a standing start whose trunk is bent forward of its legs' line by more than this many degrees is
#: a ready stance, not upright: a lean back is then read from the legs' line (see :func:`_lean_reference`)
START_BENT = 10
#: a 3D clip's facing tells a lean's front where the shoulder line at the peak does not, when its
#: readable frames agree (the mean of their unit facings at least this long: within ~25 degrees)
STEADY_FACING = 0.9
#: a front read at a bend's peak (the shoulder line's facing, or the bent knees') more than this many
#: degrees from the facing the body had while it stood upright before it is in doubt: the shoulder
#: line of a body bending down sideways to the camera turns round or collapses edge-on (see
#: :func:`_front_turned`)
TURNED_FRONT = 45
#: a bent knee this far (statures, ~8 cm) behind its hip-ankle line along a bend's front, on average
#: over the bend's peak, says the front is reversed (see :func:`_knees_against`)
KNEE_AGAINST = 0.05
#: in a 2D image seen in profile the front is told by the nose ahead of the ears (by at least
#: FACE_FRONT statures, ~4 cm; the nose is ~9 cm ahead of the ears' midpoint) or by the knees ahead
#: of their hip-ankle lines (by KNEE_FRONT statures, ~1.7 cm: a standing knee bends a few degrees,
#: and only forward), averaged over the clip, with FRONT_AGREE of the readable frames agreeing
FACE_FRONT, KNEE_FRONT, FRONT_AGREE = 0.025, 0.01, 0.7
#: ... but a reach's front is first the side the trunk bends to beyond FORWARD_BEYOND degrees from
#: image up while the hips stay this many statures above the knees (standing or crouching, not
#: lying): no standing body leans back that far (hand-check round 14, Penn 0095: the pitch's
#: follow-through bends 80 degrees towards -h1, and the arm cocked back to +h1 before it was
#: 'stretched forward'; round 19, Penn 0130: the same with knees pointing the other way by 1-4 cm)
BEND_FRONT_HIPS = 0.1
#: a bend beyond this many degrees is forward whatever the shoulder line says: a standing person
#: cannot lean back that far, and a Kinect seeing someone from behind mirrors their front
FORWARD_BEYOND = 45
#: in an image, hips further apart than this many times the trunk's usual image length (a side's
#: shoulder to its hip) are no body's: one hip is misplaced (hand-check round 35, Penn 1776)
HIP_GAP_IMPLAUSIBLE = 1.5
#: in one image a trunk whose image length at a bend's peak is below this share of its clip's usual
#: (90th percentile) length bends largely towards or away from the camera ...
BEND_FORESHORTENED = 0.8
#: in an image, a trunk never longer than this share of the shoulders' width is seen end-on all clip
END_ON_TRUNK = 0.6
#: in an image, a trunk tilted at a bend's peak while its thighs continue its line within this many
#: degrees (the hip angle, trunk against the thighs, held over BEND_HELD) does not bend at the hips:
#: the whole body tilts (hand-check round 36, Penn 1306: a pull-up's hanging body swinging 25-29
#: degrees off the image's vertical, the hip angle 2; the least of the bends judged to hold, 12)
HIPS_IN_LINE = 6
#: ... read only where the thighs' image length there is at least this share of their clip's usual
#: (90th percentile) length: a thigh pointing at the camera has no direction to read
THIGH_READABLE = 0.5
#: ... and where it tilts in the image against the way its hips and feet both travelled since the
#: clip's start (each by this many statures or more), front and back are not read: a pitcher
#: strides one way and folds forward at the end, yet a foreshortened trunk's image tilt can point
#: the other way (hand-check round 33, Penn 0134 and 0018: the same picture, trunk 95 -> 43 px and
#: 44 -> 32 px, read 'forward' and 'leans back'; of the judged 2D bends with this conflict 7 were
#: non-holds, 5 forward bends holding)
TRAVEL_SIDE = 0.15
#: in 2D, sitting down (standing up) also lowers (raises) the hips above the feet by this many
#: torso lengths (standing ~1.6, seated on a chair ~0.9 seen from the front or side)
LEG_FOLD = 0.25
#: a body that ends lowered with its trunk tilted more than this (degrees) is not "as when sitting down"
SEATED_TILT = 35
#: the knee angle (hip-knee-ankle, degrees) below which the knees count as bent (squat)
BENT_KNEE = 150
#: a squat's hips travel along the floor by less than this share of their drop while they are down
#: (see :func:`_on_the_spot`)
SQUAT_SPOT = 0.5
#: a sit-down or stand-up is done on the spot: while the hips go down (up), the feet (or the hips)
#: travel along the floor by at most this many times the height said. A body walking through the change
#: travels 2.6-11 times it (NW-UCLA v01 walks, hand-check rounds 25-26: far-range tracking reads the
#: hips low, a per-clip up tilts a walk); NW-UCLA's sit-downs and stand-ups travel at most 1.83 times it
#: (a05_s04_e03_v01: hips sliding back onto a chair), 0.98 at the 99th percentile (see :func:`_walks_through`)
WALK_THROUGH = 2.0
#: a body whose hips, in the clip's last frames, are back up more than this share of the way from
#: their lowest to their starting level has risen again (a pick-up cut by the clip's end), not
#: sat down and stayed there: NW-UCLA's sit-downs end at most 0.46 of the way back (a05_s07_e01_v02),
#: hand-check round 26's pick-ups 0.61-0.66 (see :func:`_back_up_at_end`)
BACK_UP_AT_END = 0.5
#: in an image, the figure's size (:func:`_image_scale`) changes by more than this share between the
#: clip's start and end (a walk away from or towards the camera, a zoom): the hips' height in one
#: stature for the whole clip mixes the size's change into the height's (hand-check round 37, Penn
#: 0644: a bowler walking away, figure 182 -> 138 px, read as a 0.16-stature sit-down; round 38, Penn
#: 0608: a zoom out, shoulder-to-hip 78 -> 55 px, its 0.25-0.35 lowering said as 0.13)
SCALE_CHANGE = 0.12
#: ... and its feet move up (down) the image by more than this many statures as it shrinks (grows): a
#: body walking away climbs towards the horizon (Penn 0644: 0.24), a zoom pulls it to the image's
#: centre (0608: 0.25). Segments that all shorten together with the feet in place are a posture seen
#: end-on, not a size change (0142, a pitcher's follow-through towards the outfield: trunk, thighs and
#: shanks x0.67, the plant foot 0.12; 0704, a squat's thighs unfolding: x1.85, the feet 0.03)
FLOOR_SHIFT = 0.2
#: ... the figure's size is the median over this many seconds of each frame's reading
SCALE_SMOOTHING = 0.5
#: a squat read from the knees: from at least STRAIGHT_KNEE degrees down below DEEP_KNEE and back,
#: with the hips lower at the deepest point by at least KNEE_CYCLE_DROP leg lengths (hip to knee to
#: ankle, ~0.05 statures: a scale of the legs themselves, kept when a 2D clip's stature is misread)
STRAIGHT_KNEE, DEEP_KNEE, KNEE_CYCLE_DROP = 140, 100, 0.1
#: a depth sensor fits the lower body as one: while a leg joint jumps (the tracking check drops it),
#: the pelvis it hangs from is dragged too (NW-UCLA a08_s03_e04: the pelvis reads 0.13 m high over
#: the frames of a jumping leg, the head dropping). Leg drop-outs this far apart or closer
#: are one glitch (seconds: 5 frames at 30 fps), and the pelvis is not read over it nor within
#: LEG_GLITCH_EDGE seconds (2 frames) of it (the pelvis track is smoothed over SMOOTHING and drifts
#: before the flag trips)
LEG_GLITCH_BRIDGE, LEG_GLITCH_EDGE = 5 / 30, 2 / 30
#: ... unless that leaves less than this share of the frames (a leg lost all along: read as it is)
LEG_GLITCH_KEEP = 0.5
#: in an image, hips this far apart (a share of the trunk's image length) are seen from the front or
#: the back, not in profile (0.5-0.8 front-on, ~0.1 in profile in Penn Action): see :func:`_one_shoulder_front_on`
HIPS_APART = 0.3
#: a squat whose hips read this much (statures, ~3.5 cm) lower in the glitch frames right next to
#: its lowest trusted frame has its bottom unread: its size is said as 'at least' (see
#: :func:`_bottom_unread`)
GLITCH_BOTTOM = 0.02
#: a change of facing faster than this (degrees per second: 45 between neighbouring readable frames
#: at 30 fps) is a tracking flip, not a turn (a person turns ~180 degrees a second, a fast spin
#: ~450; measured on the smoothed facing)
FACING_FLIP = 1350
#: a turn is only followed across gaps of at most this many seconds unreadable (2 frames at 30 fps)
TURN_GAP = 2 / 30
#: ... and read over at least this many seconds readable (8 frames at 30 fps)
TURN_FRAMES = 8 / 30
#: a turn is read only where the shoulder line is at least this wide (statures, ~0.19 m; ~0.33 m
#: facing the sensor) at its start and end ...
TURN_WIDTH = 0.12
#: ... and the hips turn the same way by at least this share of the shoulders' lasting turn
TURN_HIPS = 0.5
#: ... and no step between neighbouring readable frames makes more than this share of the turn per
#: 1/30 second (a turn made in one frame is the shoulder line flipping: hand-check rounds 57 and 60,
#: NW-UCLA a03_s01_e04 80 deg across one edge-on frame (0.70 a frame), a02_s10_e01 49 of 63 deg
#: in one frame at the deepest bend (0.79); the fastest real turns judged, a09_s10_e04 and
#: a08_s04_e00, make 0.46 and 0.58 in their largest frame; measured on the unsmoothed facing)
TURN_STEP_SHARE = 0.65
#: the facing is smoothed over this many seconds (7 frames at 30 fps) before its yaw is read
#: (shoulder jitter of a centimetre or two swings a 0.35 m shoulder line by several degrees a frame)
TURN_SMOOTHING = 7 / 30
#: the frame rate the durations above were tuned at (NW-UCLA, UTD-MHAD: Kinect at 30 frames/s); a
#: clip whose rate is not given is read at it
TUNED_FPS = 30.0
#: tracks are averaged over this many seconds (5 frames at 30 fps: Kinect v1 joints jitter by centimetres) ...
SMOOTHING = 5 / 30
#: ... a hand's quick track (waves, a raise's top, the hands' gap) over this many (3 frames at 30 fps)
QUICK_SMOOTHING = 3 / 30
#: moving medians (the hands' gap held near, a part's span) are taken over this many seconds (5 frames
#: at 30 fps): a single frame's spike goes, a quick stroke stays
MEDIAN_WINDOW = 5 / 30
#: a walk's extent: the frames in which the feet's midpoint moves faster than this (statures per second)
WALK_MOVING = 0.12
#: a moving average or median spans at least this many frames whatever the rate: a sensor jitters
#: per frame, and fewer frames average none of it away (at 15 frames/s the 3-frame quick track would
#: be no average at all: generated waves at 15 frames/s were then found in 16 of 32, with 3 in 30)
WINDOW_LEAST = 3
#: a stretch of a clip between track breaks shorter than this many frames reads no walk of its own
WALK_STRETCH_LEAST = 5
#: a track break whose whole-body step is larger than this (body sizes) splits a 3D walk's reading into
#: the stretches around it (see :func:`_walk_fact`): hand-check round 32's NW-UCLA a04_s05_e00_v01
#: jumps 2.51; splitting at every break changed the walks of 11 other hand-checked clips (5 judged to
#: hold lost), whose breaks step 0.27-0.94: small shifts a walk reads through
WALK_BREAK_STEP = 1.5
#: a track break whose whole-body step is larger than this (body sizes: the skeleton moved farther
#: than its own size in one frame) is left out of a 3D walk's path (see :func:`_path`): no way walked.
#: Hand-check round 40, NW-UCLA a01_s06_e04_v01 (a pick-up): the skeleton drifts 1.27 m and jumps back
#: 1.05 sizes in one frame, read as 'walks around, covering about 2.3 m and ending near where it
#: started'. The walks around judged to hold across a break step 0.56-0.90 (a03_s06_e00_v03: 0.68,
#: which leaving its jump out of the path would lose), so smaller breaks stay in the path
WALK_SHIFT_STEP = 1.0
#: a smaller track break is left out of a 3D walk's path too where the one-frame shift carries the hips
#: more than this share of the way back to their start (their distance from it after the shift below
#: this share of the distance before): the 'back' of a walk around must be walked, not jumped (see
#: :func:`_returning_shifts`). Hand-check round 44, NW-UCLA a02_s02_e00_v01 (a pick-up): 0.75 m walked
#: away, then a 0.70-size jump from 0.44 to 0.17 statures of the start (0.39) read as 'walks around,
#: covering about 1.5 m and ending near where it started'; round 40's a01_s06_e04_v01 jumps 0.55 ->
#: 0.27 (0.49); the walks around judged to hold across a break go 0.18 -> 0.38, 0.39 -> 1.03,
#: 0.33 -> 0.47 and 0.52 -> 0.36 (0.69) of a stature from their start
WALK_SHIFT_BACK = 0.5


def odd_frames(seconds: float, fps: float, least: int = 1) -> int:
    """A centred window's width in frames at ``fps``: the odd number of frames nearest ``seconds``
    (a tie goes to the wider one), so that the window stays centred on its frame; at least ``least``."""
    return max(2 * int(np.floor(seconds * fps / 2)) + 1, least)


@dataclass(frozen=True)
class _Rate:
    """A clip's frame rate, turning the durations (seconds) and speeds (per second) above into frames."""

    fps: float = TUNED_FPS

    def frames(self, seconds: float, least: int = 1) -> int:
        return frames(seconds, self.fps, least)

    def window(self, seconds: float) -> int:
        """A smoothing window: odd, at least WINDOW_LEAST frames."""
        return odd_frames(seconds, self.fps, WINDOW_LEAST)

    def per_frame(self, per_second: float) -> float:
        return per_second / self.fps


def known_fps(fps: float | None) -> float | None:
    """``fps`` as a frame rate to read a clip at, or None where it says nothing (0, NaN, negative:
    a video container or camera that does not tell its rate)."""
    try:
        rate = float(fps) if fps is not None else float("nan")
    except (TypeError, ValueError):
        return None
    return rate if np.isfinite(rate) and rate > 0 else None


def _rate(fps: float | None) -> _Rate:
    """The rate to read a clip at: ``fps`` (frames/s), or TUNED_FPS when it is not known."""
    if fps is None:
        return _Rate()
    if not (isinstance(fps, (int, float, np.floating, np.integer)) and np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number of frames per second; got {fps!r}")
    return _Rate(float(fps))


@dataclass(frozen=True)
class Fact:
    """One measured statement. ``part`` is a body-part group (or ``body``/``people``), ``motion``
    one of :data:`MOTIONS`, ``time`` the normalised time (0..1) of its peak, ``strength`` the
    measured magnitude (statures; degrees for angles), ``start``/``end`` the normalised time
    extent over which the motion happens (the peak lies inside it)."""

    part: str
    motion: str
    time: float
    strength: float
    text: str
    start: float | None = None
    end: float | None = None

    def __post_init__(self) -> None:
        if self.start is None:
            object.__setattr__(self, "start", self.time)
        if self.end is None:
            object.__setattr__(self, "end", self.time)

    @property
    def phase(self) -> str:
        return PHASES[0] if self.time < 0.34 else PHASES[1] if self.time < 0.67 else PHASES[2]

    def as_dict(self) -> dict:
        return {**asdict(self), "phase": self.phase}


@dataclass
class Reading:
    """What a sequence supports: the problems of its tracking (said first), the facts measured
    on what could be read, and the unit distances are given in (``m`` or ``stature``)."""

    facts: list[Fact]
    problems: list[Problem]
    unit: str = "stature"
    stature: float = 1.0                       # standing head height, in the data's units
    moved: dict[str, float] = field(default_factory=dict)   # each part's largest excursion, statures

    @property
    def blocked(self) -> bool:
        """Nothing could be read at all (too short, dead, NaN everywhere ...)."""
        return any(p.blocking for p in self.problems)

    def distance_words(self, statures: float) -> str:
        """'about 1.5 m' / 'about 0.35 m' (metric data), else 'about 0.9 statures'."""
        value, unit = (statures * self.stature, "m") if self.unit == "m" else (statures, "statures")
        return f"about {value:.1f} {unit}" if value >= 0.95 else f"about {value:.2f} {unit}"

    def as_dict(self) -> dict:
        return {"facts": [f.as_dict() for f in self.facts], "problems": [p.as_dict() for p in self.problems],
                "unit": self.unit, "stature": self.stature, "moved": self.moved}


# --- time signals ---------------------------------------------------------------------------
def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Moving average over time (axis 0) that skips NaN; Kinect v1 joints jitter by centimetres."""
    if len(x) < width:
        return x
    ok = np.isfinite(x)
    kernel = np.ones(width)
    filled = np.where(ok, x, 0.0)

    def conv(a: np.ndarray) -> np.ndarray:
        return np.apply_along_axis(lambda s: np.convolve(s, kernel, mode="same"), 0, a)

    count = conv(ok.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = conv(filled) / count
    return np.where(ok, out, np.nan)


def _level(x: np.ndarray, at_end: bool = False) -> float:
    """The starting (or ending) level of a signal: the median of its first (last) readable frames."""
    idx = np.flatnonzero(np.isfinite(x))
    if len(idx) == 0:
        return float("nan")
    k = max(int(round(END_SHARE * len(x))), 3)
    part = idx[-k:] if at_end else idx[:k]
    return float(np.median(x[part]))


def _argmax(x: np.ndarray) -> int:
    return int(np.nanargmax(x))


def _extent(signal: np.ndarray, peak: int, level: float) -> tuple[int, int]:
    """The frames around ``peak`` where ``signal`` stays at or above ``level`` (NaN ends it)."""
    a = b = peak
    while a > 0 and np.isfinite(signal[a - 1]) and signal[a - 1] >= level:
        a -= 1
    while b < len(signal) - 1 and np.isfinite(signal[b + 1]) and signal[b + 1] >= level:
        b += 1
    return a, b


def _readable(x: np.ndarray, least: int = 5) -> bool:
    return int(np.isfinite(x).sum()) >= least


class _Clock:
    """Frame index -> normalised time over the person's frames."""

    def __init__(self, n: int):
        self.n = n

    def __call__(self, i: int) -> float:
        return round(float(i) / max(self.n - 1, 1), 3)

    def fact(self, part: str, motion: str, peak: int, strength: float, text: str, span: tuple[int, int]) -> Fact:
        return Fact(part, motion, self(peak), float(strength), text, self(min(span[0], peak)), self(max(span[1], peak)))


# --- the body in the world frame --------------------------------------------------------------
@dataclass
class _Body:
    """Per-frame trajectories of one person in the world frame, statures, NaN where unreadable."""

    hand: dict[str, np.ndarray]          # (T, 3) each
    raw_hand: dict[str, np.ndarray]      # smoothed over QUICK_SMOOTHING only (waves)
    step_hand: dict[str, np.ndarray]     # not smoothed (a single frame's jump stays one step)
    step_ankle: dict[str, np.ndarray]    # ... and the feet, head and hips not smoothed either
    step_head: np.ndarray
    step_hip: np.ndarray
    step_knee: dict[str, np.ndarray]     # ... and the knees (a reach's height against them, as a reader reads it)
    shoulder: dict[str, np.ndarray]
    ankle: dict[str, np.ndarray]
    knee: dict[str, np.ndarray]
    hip_joint: dict[str, np.ndarray]
    head: np.ndarray
    hip: np.ndarray                      # spine bottom (T, 3)
    neck: np.ndarray                     # spine top (T, 3)
    center: np.ndarray
    rate: _Rate = field(default_factory=_Rate)   # the clip's frame rate
    elbow: dict[str, np.ndarray] = field(default_factory=dict)   # (T, 3) each; empty: the layout has none
    #: per side (T,) bool: the source annotates the shoulder, elbow and wrist all seen in the frame (not a
    #: guessed position); None when the source gives no per-frame flags (or the data is 3D)
    arm_seen: dict[str, np.ndarray] | None = None
    #: per side (T, 2) bool: the shoulder and the hip annotated seen; None as ``arm_seen``, or when
    #: the layout has no hip joints
    trunk_seen: dict[str, np.ndarray] | None = None
    #: the data's left and right labels are the person's right and left (the sided tracks above are
    #: the person's own already; a reader of per-joint data such as the jump flags swaps them)
    mirrored: bool = False
    #: per side (T,) bool: the hand's end joint (a wrist) annotated seen; None as ``arm_seen``
    hand_seen: dict[str, np.ndarray] | None = None
    #: per side (T,) bool: the frames the hand is lost behind the body, and the short stretches between
    #: them (see :func:`_hand_lost`); None: not checked
    hand_hidden: dict[str, np.ndarray] | None = None

    @cached_property
    def leg_glitch(self) -> np.ndarray:
        """Frames (T,) bool where a leg joint (hip, knee, ankle) that is read in most of the clip is
        missing (dropped by the tracking check: a jumping joint), bridged over LEG_GLITCH_BRIDGE seconds
        and widened by LEG_GLITCH_EDGE on each side. Computed once per body: its tracks are not
        changed once :func:`_body` has built it."""
        n = len(self.hip)
        lost = np.zeros(n, bool)
        for track in (self.hip_joint, self.knee, self.ankle):
            for side in ("left", "right"):
                seen = np.isfinite(track[side][:, 1])
                if seen.sum() >= LEG_GLITCH_KEEP * n:
                    lost |= ~seen
        idx = np.flatnonzero(lost)
        bridge = self.rate.frames(LEG_GLITCH_BRIDGE)
        for a, b in zip(idx[:-1], idx[1:]):
            if b - a <= bridge:
                lost[a:b] = True
        wide = lost.copy()
        for k in range(1, self.rate.frames(LEG_GLITCH_EDGE) + 1):
            wide[k:] |= lost[:-k]
            wide[:-k] |= lost[k:]
        wide.setflags(write=False)       # shared by every reader of this body
        return wide


def _leg_joint(layout: Layout, side: str, k: int) -> tuple[int, ...]:
    leg = layout.parts.get(f"{side}_leg", ())
    return (leg[k],) if len(leg) > abs(k) else ()


def _body(w: np.ndarray, layout: Layout, mirrored: bool = False, fps: float | None = None,
          seen: np.ndarray | None = None) -> _Body:
    """The trajectories (smoothed over SMOOTHING seconds at ``fps``, see :func:`_rate`); with
    ``mirrored`` labels (a Kinect seeing the person from behind) the joints labelled left are the
    person's right and the other way round (the per-frame flags too). ``seen`` (T, V) bool: the
    joint-frames the source annotates seen (see :func:`read_motion`), or None."""
    rate = _rate(fps)
    width, quick = rate.window(SMOOTHING), rate.window(QUICK_SMOOTHING)

    def track(joints: tuple[int, ...]) -> np.ndarray:
        return _smooth(nanmean_joints(w, joints), width) if joints else np.full((len(w), 3), np.nan)

    def sided(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"right": d["left"], "left": d["right"]} if mirrored else d

    sides = ("right", "left")
    body = _Body(
        hand={s: track(end_joints(layout, f"{s}_hand")) for s in sides},
        raw_hand={s: _smooth(nanmean_joints(w, end_joints(layout, f"{s}_hand")), quick) for s in sides},
        step_hand={s: nanmean_joints(w, end_joints(layout, f"{s}_hand")) for s in sides},
        step_ankle={s: nanmean_joints(w, _leg_joint(layout, s, -1)) if _leg_joint(layout, s, -1)
                    else np.full((len(w), 3), np.nan) for s in sides},
        step_head=nanmean_joints(w, head_joints(layout)),
        step_knee={s: nanmean_joints(w, _leg_joint(layout, s, 1)) if _leg_joint(layout, s, 1)
                   else np.full((len(w), 3), np.nan) for s in sides},
        step_hip=nanmean_joints(w, layout.spine_bottom),
        shoulder={"right": track((layout.right_shoulder,)), "left": track((layout.left_shoulder,))},
        ankle={s: track(_leg_joint(layout, s, -1)) for s in sides},
        knee={s: track(_leg_joint(layout, s, 1)) for s in sides},
        hip_joint={s: track(_leg_joint(layout, s, 0)) for s in sides},
        head=track(head_joints(layout)),
        hip=track(layout.spine_bottom),
        neck=track(layout.spine_top),
        center=track(layout.center),
        rate=rate,
        elbow={s: track(_named(layout, f"{s}_elbow")) for s in sides if _named(layout, f"{s}_elbow")},
        arm_seen=None if seen is None else {s: _annotated(seen, layout, s, ("elbow", "hand")).all(axis=1) for s in sides},
        trunk_seen=(None if seen is None or not all(_leg_joint(layout, s, 0) for s in sides)
                    else {s: _annotated(seen, layout, s, ("hip",)) for s in sides}),
        mirrored=mirrored,
        hand_seen=None if seen is None else {s: _annotated(seen, layout, s, ("hand",))[:, 1:].all(axis=1) for s in sides},
    )
    names = ("hand", "raw_hand", "step_hand", "step_ankle", "step_knee", "shoulder", "ankle", "knee", "hip_joint")
    for name in names + (("elbow",) if len(body.elbow) == 2 else ()) + (("arm_seen", "hand_seen") if seen is not None else ()) \
            + (("trunk_seen",) if body.trunk_seen is not None else ()):
        setattr(body, name, sided(getattr(body, name)))
    return body


def _named(layout: Layout, name: str) -> tuple[int, ...]:
    """The joint called ``name`` in ``layout`` as a one-joint tuple, () if it has none."""
    return (layout.joints.index(name),) if name in layout.joints else ()


def _annotated(seen: np.ndarray, layout: Layout, side: str, parts: tuple[str, ...]) -> np.ndarray:
    """(T, 1 + len(parts)) bool: the side's shoulder, then each of ``parts`` ('elbow', 'hand': its
    end joint, 'hip'), annotated seen in the frame (a part the layout lacks is left out)."""
    joints = {"elbow": _named(layout, f"{side}_elbow"), "hand": end_joints(layout, f"{side}_hand"),
              "hip": _leg_joint(layout, side, 0)}
    shoulder = layout.right_shoulder if side == "right" else layout.left_shoulder
    return np.asarray(seen, bool)[:, [shoulder, *(j for part in parts for j in joints[part])]]


# --- hand facts -----------------------------------------------------------------------------
def _seen_near(x: np.ndarray, t: int, frames: int) -> float:
    """x at frame t, or where it was seen nearest to t within ``frames`` frames; NaN if nowhere.
    A clip's median is no stand-in: a head hidden while the hand is up is often a head that moved."""
    lo, hi = max(t - frames, 0), min(t + frames + 1, len(x))
    seen = np.flatnonzero(np.isfinite(x[lo:hi]))
    return float(x[lo + seen[np.argmin(np.abs(lo + seen - t))]]) if len(seen) else float("nan")


def _raise_start(height: np.ndarray, top: int) -> float:
    """The level a raise peaking at frame ``top`` rose from: the hand's starting level (:func:`_level`),
    but never below its lowest seen frame up to the top. The first frames' median can hold the
    hand's fall from a top it already had when the clip began (hand-check round 45, NW-UCLA
    a04_s01_e04_v01: the hand at the head from the first seen frame, 1.44 -> 0.86 m within the
    first 15 % of the frames): a hand never seen low before its top was not seen going up."""
    return max(_level(height), float(np.nanmin(height[:top + 1])))


def _raise_facts(body: _Body, side: str, clock: _Clock) -> list[Fact]:
    """A hand's raise (from its start to its highest frame) and its lowering after the top; a hand
    already up when the clip begins gets only its lowering (see :func:`_raise_start`)."""
    hand = body.hand[side]
    height, shoulder, head = hand[:, 1], body.shoulder[side][:, 1], body.head[:, 1]
    if not _readable(height):
        return []
    top = _argmax(height)
    shoulder_top = shoulder[top] if np.isfinite(shoulder[top]) else np.nanmedian(shoulder)
    if height[top] - _level(height) <= THRESHOLDS["raise"] or not height[top] > shoulder_top - 0.03:
        return []
    lowered = _lower_facts(height, top, side, clock)
    base = _raise_start(height, top)
    rise = height[top] - base
    if rise <= THRESHOLDS["raise"]:
        return lowered
    head_top = _seen_near(head, top, body.rate.frames(SEEN_NEAR))
    around = body.rate.frames(RAISE_TOP_NEAR)
    near = slice(max(top - around, 0), top + around + 1)
    quick_top = float(np.nanmax(body.raw_hand[side][near, 1])) if _readable(body.raw_hand[side][near, 1], 1) else height[top]
    upright = bool(_trunk_tilt(body)[top] < UPRIGHT_RAISE)     # a lying body's head and shoulders are no scale
    if not np.isfinite(head_top):
        where = ""                               # the head is hidden at the top: no comparison with it
    elif height[top] > head_top + ABOVE_HEAD and upright:
        where = " above the head"
    elif max(quick_top, height[top]) <= head_top + HEAD_LEVEL and np.isfinite(shoulder[near]).all() and upright:
        where = " to shoulder height"            # said only where the shoulder itself is seen
    else:
        where = ""
    return [clock.fact(f"{side}_hand", "raise", top, rise, f"raises the {side} hand{where}",
                       _extent_across_gaps(height - base, top, EXTENT_SHARE * rise))] + lowered


def _lower_facts(height: np.ndarray, top: int, side: str, clock: _Clock) -> list[Fact]:
    """The hand's fall from its highest frame ``top`` to its lowest after it, where larger than
    THRESHOLDS['lower']."""
    after = height[top:]
    if not _readable(after, 2):
        return []
    low = top + int(np.nanargmin(after))
    drop = height[top] - height[low]
    if drop <= THRESHOLDS["lower"]:
        return []
    mid = top + int(np.flatnonzero(np.nan_to_num(after, nan=np.inf) <= height[top] - drop / 2)[0])
    return [clock.fact(f"{side}_hand", "lower", mid, drop, f"lowers the {side} hand again", (top, low))]


def _extent_across_gaps(signal: np.ndarray, peak: int, level: float) -> tuple[int, int]:
    """As :func:`_extent`, but a run of unread (NaN) frames does not end it when the signal is still
    at or above ``level`` after it: a hand up before and after a stretch the tracker lost stayed up
    (a raise whose top was frozen is still one raise, with its way down in it)."""
    a, b = _extent(signal, peak, level)
    while True:
        after = b + 1 + int(np.argmax(np.isfinite(signal[b + 1:]))) if np.isfinite(signal[b + 1:]).any() else len(signal)
        if after >= len(signal) or after == b + 1 or signal[after] < level:
            break
        b = _extent(signal, after, level)[1]
    while True:
        seen = np.flatnonzero(np.isfinite(signal[:a]))
        if not len(seen) or seen[-1] == a - 1 or signal[seen[-1]] < level:
            break
        a = _extent(signal, int(seen[-1]), level)[0]
    return a, b


def _smoothed_facing(facing: np.ndarray, rate: _Rate) -> np.ndarray:
    """The facing averaged over REACH_FACING_SMOOTHING seconds: a Kinect v1 shoulder line's jitter
    swings the per-frame facing by 10-20 degrees, and the frame whose facing happens to swing
    towards a sideways hand would make it 'forward'."""
    width = rate.window(REACH_FACING_SMOOTHING)
    if len(facing) < width:
        return facing
    mean = _smooth(facing, width)
    norm = np.linalg.norm(mean, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return mean / np.where(norm > 0, norm, np.nan)


def _ahead_3d(body: _Body, side: str, world: World) -> np.ndarray:
    """How far (statures) the hand is in front of its shoulder along the body's facing, per frame."""
    return np.einsum("tc,tc->t", (body.hand[side] - body.shoulder[side])[:, [0, 2]], _smoothed_facing(world.facing, body.rate))


def _arm_out_2d(body: _Body, side: str, arm: float) -> np.ndarray:
    """In one image, the hand's offset (statures, signed along h1) from its shoulder across the image,
    per frame; NaN where it cannot be a reach seen in profile. A straight arm held forward
    keeps its image length only when the camera sees it from the side: then the shoulder line is
    seen nearly end-on (narrower than PROFILE_WIDTH of the arm's length), the arm nearly its full
    length (STRAIGHT_ARM), and it points out to the side of the image (REACH_ANGLE degrees from hanging
    at least, or as much above the horizontal; a bent body's hanging arms hang down). An arm raised sideways seen from the front looks the same,
    but across a wide shoulder line; one held towards the camera shortens. Only while the trunk is
    within UPRIGHT_RAISE of upright: a sit-up's arms cross the image too."""
    rel = (body.hand[side] - body.shoulder[side])[:, :2]
    length = np.linalg.norm(rel, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        angle = np.degrees(np.arccos(np.clip(-rel[:, 1] / length, -1, 1)))     # 0: hanging straight down
    width = np.abs(body.shoulder["left"][:, 0] - body.shoulder["right"][:, 0])
    profile = (width < PROFILE_WIDTH * arm) & (length >= STRAIGHT_ARM * arm)
    across = (angle >= REACH_ANGLE) & (angle <= 180 - REACH_ANGLE)
    with np.errstate(invalid="ignore"):
        upright = _trunk_tilt(body) < UPRIGHT_RAISE      # a lying body's arm across the image points up
    return np.where(profile & across & upright, rel[:, 0], np.nan)


def _arm_length(body: _Body, side: str) -> float:
    """The arm's length (statures): its 95th-percentile shoulder-to-hand distance; NaN if unread."""
    reach = np.linalg.norm(body.hand[side] - body.shoulder[side], axis=1)
    return float(np.nanpercentile(reach, 95)) if _readable(reach) else float("nan")


def _ahead_2d(body: _Body, side: str, arm: float, front: float = 0.0) -> np.ndarray:
    """In one image, how far (statures) the hand is stretched out from its shoulder in profile (see
    :func:`_arm_out_2d`), per frame; NaN elsewhere. With the person's front known (``front``: +1 or -1
    along h1, see :func:`_image_front`) only a hand out towards it is ahead: the extent alone does
    not tell forward from back (hand-check round 12: Penn 2244's serve, the racket arm drawn back,
    was 'stretched forward')."""
    out = np.where(_arm_shown_2d(body, side), _arm_out_2d(body, side, arm), np.nan)
    if front:
        out = np.where(out * front > 0, out, np.nan)
    return np.abs(out)


def _arm_shown_2d(body: _Body, side: str) -> np.ndarray:
    """Frames (T,) where one image shows an arm as a reach can be read from it: the shoulder, elbow
    and hand annotated seen where the source flags them per frame (Penn Action's annotator marks a
    hidden joint and guesses its place: hand-check rounds 11-17, 0078, 2135, 0012), the elbow
    straight (REACH_2D_ELBOW; not read where the layout has no elbow) and the hand near its
    shoulder's level (REACH_2D_DOWN below it at most)."""
    rel = (body.hand[side] - body.shoulder[side])[:, :2]
    with np.errstate(invalid="ignore", divide="ignore"):
        down = np.degrees(np.arctan2(-rel[:, 1], np.abs(rel[:, 0])))      # world y is up
        shown = down <= REACH_2D_DOWN
        if side in body.elbow:
            shown &= knee_angles(body.shoulder[side], body.elbow[side], body.hand[side]) >= REACH_2D_ELBOW
    if body.arm_seen is not None:
        shown &= body.arm_seen[side]
    return shown


def _arms_opposite_2d(body: _Body) -> np.ndarray:
    """Frames (T,) where both arms are out in profile (:func:`_arm_out_2d`) to opposite sides of the
    image: one of them points back, whichever side the front is (hand-check round 12: Penn 2043's
    forehand, 'both arms forward' with the wrists 0.4 statures out on either side). The one 2D
    check of arms pointing opposite ways: a second one on the stated reaches (a right and a left
    reach at the same time pointing opposite ways at their peaks, the one towards the knees kept)
    changed no fact on any of the 2326 Penn Action clips nor the hand-checked ones and was removed;
    this one also drops a lone reach whose other arm is out the other way (Penn 0082, 1264, 2218)."""
    out = {s: _arm_out_2d(body, s, _arm_length(body, s)) for s in ("left", "right")}
    with np.errstate(invalid="ignore"):
        return out["left"] * out["right"] < 0


def _hand_lost(drop: np.ndarray, hands: dict[str, tuple[int, ...]], mirrored: bool, bridge: int) -> dict[str, np.ndarray]:
    """Per side (the person's own), the frames (T,) the view check drops the hand in (``drop``:
    (T, V), see :func:`view_problems`) and the stretches of at most ``bridge`` frames between two
    of them: a sensor that lost a hand behind the body guesses it in between too (hand-check round
    41, NW-UCLA a01_s05_e01_v01: a right hand hidden in frames 20-22 and 36-38, jumping in 25 and
    34-35, read 0.26-0.43 statures ahead of its shoulder in 26-33). A hand seen longer in between
    is read (UTD-MHAD a12_s2_t2: a bowler's swing forward in 28 frames between two hidden stretches)."""
    out = {}
    for side, joints in hands.items():
        lost = drop[:, list(joints)].any(axis=1) if joints else np.zeros(len(drop), bool)
        for a, b in true_runs(~lost):
            if 0 < a and b < len(lost) and b - a <= bridge:
                lost[a:b] = True
        out[side] = lost
    return {"right": out["left"], "left": out["right"]} if mirrored else out


def _forward_reach(body: _Body, side: str, clock: _Clock, world: World) -> list[Fact]:
    """An arm stretched forward: the hand ahead of the shoulder by most of the arm's length, held
    over BEND_HELD seconds (one frame's jitter is no reach), having come there from closer in."""
    hand, shoulder = body.hand[side], body.shoulder[side]
    arm = _arm_length(body, side)
    if not arm > 0:
        return []
    # in one image a reach is ahead towards the person's front: a deep bend tells it where there is one
    # (no standing body leans back that far), else the knees in profile (a few centimetres off their
    # hip-ankle lines: a pitcher's legs in the wind-up, seen from the side, point them the wrong way;
    # hand-check round 19, Penn 0130)
    front = (_bent_front(body) or _image_front(body, world, None)) if world.dims == 2 else 0.0
    ahead = _ahead_3d(body, side, world) if world.dims == 3 else _ahead_2d(body, side, arm, front)
    if body.hand_hidden is not None:
        ahead = np.where(body.hand_hidden[side], np.nan, ahead)      # a guessed hand reaches nowhere
    width = body.rate.frames(BEND_HELD)
    # a tracker may drop a frame at a punch's fast end; an image's reach is shown in each of them
    held = _held(ahead, width, readable=width if world.dims == 2 else max(width - 1, 1))
    if not _readable(held, 1):
        return []
    first = _argmax(held)
    far = first + int(np.nanargmax(ahead[first:first + width]))
    level = _level(ahead) if world.dims == 3 else _level(np.nan_to_num(ahead))   # 2D: not across at the start
    gain = held[first] - level
    # stretched: the hand ahead of the shoulder by most of the arm's length (hands held
    # together in front of the chest are not)
    hips = body.hip[far, 1]
    on_lap = hips < SEATED_HIPS and hand[far, 1] < hips + LAP_HAND * (shoulder[far, 1] - hips)
    stretched = STRETCHED if world.dims == 3 else STRETCHED_2D
    if not (held[first] > max(stretched * arm, THRESHOLDS["reach_forward"]) and gain > stretched * arm / 2 and not on_lap):
        return []
    span = _extent(ahead, far, held[first] - gain / 2)
    if world.dims == 2 and not front and _arms_opposite_2d(body)[span[0]:span[1] + 1].any():
        return []                        # the front unknown, the arms out to either side: one points back
    if world.dims == 2 and not front and not _side_view_2d(body, ahead, span):
        return []                        # the front unknown, an offset across a wide shoulder line is sideways
    return [clock.fact(f"{side}_arm", "reach_forward", far, held[first], f"stretches the {side} arm forward", span)]


def _side_view_2d(body: _Body, ahead: np.ndarray, span: tuple[int, int]) -> bool:
    """Whether one image sees the body from the side in a frame of a reach (``ahead`` read there,
    within ``span``): the shoulder line narrower than PROFILE_TORSO of the trunk's image length. The
    arm's own length (:func:`_arm_out_2d`) lets a three-quarter view through, where an arm raised
    sideways or across the body looks like one stretched forward."""
    rows = slice(span[0], span[1] + 1)
    width = np.abs(body.shoulder["left"][rows, 0] - body.shoulder["right"][rows, 0])
    trunk = np.linalg.norm((body.neck - body.hip)[rows, :2], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        narrow = (width < PROFILE_TORSO * trunk) & np.isfinite(ahead[rows])
    return bool(narrow.any())


def _bent_front(body: _Body) -> float:
    """The image side (+1 / -1 along h1) a standing body's trunk bends to in the frames it tilts
    beyond FORWARD_BEYOND degrees (at least BEND_HELD seconds of them, FRONT_AGREE agreeing); else 0."""
    knees = np.nanmean([body.knee["left"][:, 1], body.knee["right"][:, 1]], axis=0) \
        if _readable(body.knee["left"][:, 1]) or _readable(body.knee["right"][:, 1]) else np.full(len(body.hip), np.nan)
    with np.errstate(invalid="ignore"):
        deep = (_trunk_tilt(body) > FORWARD_BEYOND) & (body.hip[:, 1] - knees > BEND_FRONT_HIPS)
    side = np.sign((body.neck - body.hip)[deep, 0])
    side = side[np.isfinite(side) & (side != 0)]
    if len(side) < max(body.rate.frames(BEND_HELD), 3):
        return 0.0
    front = float(np.sign(side.mean()))
    return front if np.mean(side == front) >= FRONT_AGREE else 0.0


def _reach_facts(body: _Body, side: str, clock: _Clock, world: World) -> list[Fact]:
    hand, shoulder = body.hand[side], body.shoulder[side]
    facts = _forward_reach(body, side, clock, world)
    facts += _down_reach(body, side, clock, world)
    near = np.linalg.norm(hand - body.head, axis=1)
    if _readable(near) and world.dims == 3:      # in one image a hand before or behind the face looks the same
        close = int(np.nanargmin(near))
        if near[close] < THRESHOLDS["touch_head"] and _level(near) > 0.22 and _touch_held(body, side, world):
            facts.append(clock.fact(f"{side}_hand", "touch_head", close, near[close],
                                    f"brings the {side} hand up to the head", _extent(-near, close, -0.2)))
    return facts


def _touch_held(body: _Body, side: str, world: World) -> bool:
    """Whether the unsmoothed hand gets within the touch's limit of the unsmoothed head
    (TOUCH_METRES in metric data) in a held run of frames, or far within it once (see TOUCH_DEEP)."""
    limit = TOUCH_METRES / world.stature if world.unit == "m" else THRESHOLDS["touch_head"]
    near = np.linalg.norm(body.step_hand[side] - body.step_head, axis=1)
    near[_risen_before_drop(body.step_head, TOUCH_HEAD_RISEN / world.stature if world.unit == "m" else np.inf)] = np.nan
    if not _readable(near, 1):
        return False
    if np.nanmin(near) < TOUCH_DEEP * limit:
        return True
    within = np.isfinite(near) & (near < limit)
    return any(b - a >= body.rate.frames(TOUCH_HELD) or a == 0 or b == len(near)
               for a, b in true_runs(within))


def _risen_before_drop(head: np.ndarray, risen: float) -> np.ndarray:
    """Frames (T,) where the unsmoothed ``head`` (T, 3) stands more than ``risen`` above its median
    height next to a frame it is unread in (inside the clip): the head joint jumped up and the jump
    check dropped it next, so a hand's distance to it there measures the tracker's error, not a
    touch (hand-check round 77, NW-UCLA a08_s03_e04_v01: the left hand 0.12 m from the head only in
    frame 8, the head joint 0.15-0.20 m too high in frames 5-8 and dropped in frame 9; 0.24-0.26 m
    before). A head dropped next to a real touch (a hand over the face; round 57, a08_s10_e03_v03,
    the hand 0.13 m away in frame 11) stands at its usual height there (0.01 m above the median)."""
    unread = ~np.isfinite(head).all(axis=1)
    edge = np.zeros(len(head), bool)
    edge[1:] |= unread[:-1]
    edge[:-1] |= unread[1:]
    if unread.all():
        return edge
    with np.errstate(invalid="ignore"):
        high = head[:, 1] - np.nanmedian(head[:, 1]) > risen
    return edge & high


def _down_reach(body: _Body, side: str, clock: _Clock, world: World) -> list[Fact]:
    """A hand reaching down towards the floor: by itself (the arm stretching down, the hand below
    the knees or near the floor), or with the whole body (see :func:`_crouched_pickup`)."""
    hand, shoulder = body.hand[side], body.shoulder[side]
    height = hand[:, 1]
    knee = np.nanmean([body.knee["left"][:, 1], body.knee["right"][:, 1]], axis=0) \
        if _readable(body.knee["left"][:, 1]) or _readable(body.knee["right"][:, 1]) else np.full(len(hand), 0.28)
    seen = _body_hand_seen(height, body.rate.frames(HAND_SEEN_RUN))
    if not _readable(seen):
        return []
    # the lowest point is one the hand is read around, not one frame inside a hidden stretch
    low = int(np.nanargmin(seen))
    start = _start_level_seen(seen)
    # the hand goes down against the pelvis too, not only with it (a lunge or sitting down
    # lowers hanging hands with the body)
    below = height - body.hip[:, 1]
    relative = start(below) - below[low] if np.isfinite(below[low]) else float("nan")
    drop = _descent_start(seen, start(height), low, _lying(body, low, body.hip[:, 1])) - height[low]
    knee_low = knee[low] if np.isfinite(knee[low]) else np.nanmedian(knee)
    hip_low = body.hip[low, 1] if np.isfinite(body.hip[low, 1]) else np.nanmedian(body.hip[:, 1])
    # low near the floor, and well below the hips (hands resting in the lap of a seated body
    # are low too, but at the hips)
    # a reach: the hand clearly below the knees, or low and dropping against its shoulder (not
    # only going down with a crouching body, the arm hanging)
    own = height - shoulder[:, 1]
    by_arm = start(own) - own[low] if np.isfinite(own[low]) else float("nan")
    # a low hand dropping against the pelvis only a little (REACH_PELVIS) reaches only when it also gets
    # down to the knees (KNEE_LEVEL): one that stays clearly above them went down with a crouching,
    # bending body (hand-check round 12: UTD-MHAD a12_s4_t1's bowler, the hand 0.06-0.10 m above the knees)
    # ... and a hand that stays above the knees while keeping its place against its shoulder (within
    # REACH_CARRIED) dropped against the pelvis only because the trunk bent, carrying the hanging arm
    # down with the shoulder (hand-check round 15, NW-UCLA a03_s04_e01_v03: 0.10 statures against the
    # pelvis, 0.01 against the shoulder, the hand ending 0.075 m above the knees): it did not reach
    arm_carried = height[low] >= knee_low and np.isfinite(by_arm) and by_arm < REACH_CARRIED
    low_by_pelvis = height[low] < LOW_HAND and not arm_carried and (
        relative > REACH_PELVIS_FAR or (relative > REACH_PELVIS and height[low] < knee_low + KNEE_LEVEL))
    reaches = (height[low] < knee_low - KNEE_MARGIN or height[low] < NEAR_FLOOR
               or (height[low] < LOW_HAND and by_arm > REACH_SHOULDER) or low_by_pelvis)
    # hands hanging beside the seat of a body seated on a chair (its hips level with its knees)
    # are below the knees, and in an image a seated body's thighs pointing at the camera shorten,
    # so hands resting on them look far below the hips: there the arm itself must stretch down
    # from the shoulder, or the hand get near the floor
    stretched = height[low] < NEAR_FLOOR or by_arm > REACH_SHOULDER
    span = _extent(-height, low, -(height[low] + drop / 2))
    unseated = (world.dims == 3 and _unseated_while_low(body, span, hip_low - knee_low)
                and not _sat_down_above_knees(body, height[low], knee_low, hip_low))
    reached = (drop > THRESHOLDS["reach_down"] and (relative > BELOW_BODY or height[low] < NEAR_FLOOR)
               and reaches and height[low] < hip_low - BELOW_HIPS and (stretched or unseated))
    if reached and not height[low] < knee_low - KNEE_MARGIN and not low_by_pelvis:
        reached = not _body_carries_hand(body, side, world, low, by_arm, relative)
    if not (reached or _crouched_pickup(body, height, low, drop, hip_low, knee_low, world)):
        return []
    lowest, against_knees, knees = _reach_down_reading(body, side, (height[low], height[low] - knee_low, knee_low))
    words = _reach_down_words(side, lowest, against_knees, knees, *(_knees_against_hand(body, side) or (None, None)))
    return [clock.fact(f"{side}_hand", "reach_down", low, drop, words, span)]


def _descent_start(seen: np.ndarray, level: float, low: int, lying: bool) -> float:
    """The level a reach down to frame ``low`` came from: the hand's start ``level`` (the first
    frames' median), but for a body ``lying`` at the low point never above the hand's highest seen
    frame up to it (``seen``: :func:`_body_hand_seen`); the mirror of :func:`_raise_start`. The first
    frames' median can hold the hand's rise from a low point it already had when the clip began
    (hand-check round 46, Penn 1633, a sit-up: the left wrist on the floor beside the lying head
    from its first seen frame, -0.11 statures, rising to 0.16 within the first 15 % of the frames):
    a lying body's hand never seen higher before its low point is low because the body lies. A bent
    body's hands at the floor from the first frame (a clean and jerk's grip on the bar, its trunk
    58-81 degrees from up but its hips 0.42-0.47 statures high) were judged to reach down (rounds
    51-83: 28 such facts hold), so only a lying body is held to a seen descent."""
    return min(level, float(np.nanmax(seen[:low + 1]))) if lying else level


def _start_level_seen(seen: np.ndarray) -> Callable[[np.ndarray], float]:
    """The start level (:func:`_level`) of a signal read where the hand is seen in runs
    (``seen``: :func:`_body_hand_seen`): a single frame read between frames the jump check
    dropped is no start of a reach (hand-check round 31, NW-UCLA a05_s08_e02_v01: the left hand
    read 0.94 m only in frames 0 and 2, frames 1 and 3-4 flagged as jumps, then 0.44-0.48 m from
    frame 5 as the body sat back: a drop of 0.5 m read from the spike). Every frame read counts where
    the runs leave the start unread."""
    runs = np.isfinite(seen)

    def start(x: np.ndarray) -> float:
        level = _level(np.where(runs, x, np.nan))
        return level if np.isfinite(level) else _level(x)
    return start


def _reach_down_reading(body: _Body, side: str, fallback: tuple[float, float, float]) -> tuple[float, float, float]:
    """(the hand's lowest height, its least height against the knees' mean, the knees' mean where the
    hand is lowest), statures, over the clip's unsmoothed tracks (their moving median over
    MEDIAN_WINDOW: a single frame's spike goes), as a reader's per-frame check reads them: the
    smoothed tracks a reach is found on flatten its bottom (hand-check round 7, NW-UCLA a02_s03_e04:
    0.14 m under the knees per frame, 0.03 smoothed). ``fallback`` where hand or knees are not read."""
    hand = _moving_median(body.step_hand[side][:, 1], body.rate)
    knees = _moving_median(np.nanmean([body.step_knee["left"][:, 1], body.step_knee["right"][:, 1]], axis=0), body.rate)
    against = hand - knees
    if not (_readable(hand, 1) and _readable(against, 1)):
        return fallback
    low = int(np.nanargmin(hand))
    return float(hand[low]), float(np.nanmin(against)), float(knees[low]) if np.isfinite(knees[low]) else fallback[2]


def _knees_against_hand(body: _Body, side: str) -> tuple[tuple[float, bool], tuple[float, bool]] | None:
    """Two readings, each (the hand's least height against the knees, statures, read as
    :func:`_reach_down_reading` reads it but without the knees that are no height reference in the
    frames the hand is lowest (REACH_LOW_BAND); whether a knee is a reference in those frames): first
    without the knees read more than KNEE_UNDER_FLOOR under the floor there, then also without those
    not above their own ankle on the ground (within FOOT_GROUND of the lower ankle): a knee at the
    floor, kneeling or tracked into it. None where the hand or the knees are not read (the words
    then read the smoothed tracks)."""
    hand = _moving_median(body.step_hand[side][:, 1], body.rate)
    mean_knee = _moving_median(np.nanmean([body.step_knee["left"][:, 1], body.step_knee["right"][:, 1]], axis=0), body.rate)
    if not (_readable(hand, 1) and _readable(hand - mean_knee, 1)):
        return None
    lowest = hand <= np.nanmin(hand) + REACH_LOW_BAND
    knee = {s: _moving_median(body.step_knee[s][:, 1], body.rate) for s in ("left", "right")}
    ankle = {s: _moving_median(body.step_ankle[s][:, 1], body.rate) for s in ("left", "right")}
    lower_ankle = np.fmin(ankle["left"], ankle["right"])
    with np.errstate(invalid="ignore"):
        under_floor = {s: knee[s] < -KNEE_UNDER_FLOOR for s in knee}
        at_floor = {s: under_floor[s] | ((knee[s] < ankle[s]) & (ankle[s] <= lower_ankle + FOOT_GROUND)) for s in knee}

    def reading(unread: dict[str, np.ndarray]) -> tuple[float, bool]:
        kept = [s for s in ("left", "right") if not np.any(unread[s] & lowest)]
        reference = mean_knee.copy()
        if len(kept) < 2:
            reference[lowest] = knee[kept[0]][lowest] if kept else np.nan
        against = hand - reference
        return (float(np.nanmin(against)) if _readable(against, 1) else float("nan"),
                bool(np.isfinite(reference[lowest]).any()))

    return reading(under_floor), reading(at_floor)


def _reach_down_words(side: str, lowest: float, against_knees: float, knees: float,
                      under_floor_read: tuple[float, bool] | None = None,
                      at_floor_read: tuple[float, bool] | None = None) -> str:
    """What a reach down measured, in words (heights in statures: the hand's ``lowest``, its least
    ``against_knees``, the ``knees`` where it is lowest): 'to the floor' for a hand within AT_FLOOR
    of the floor with the knees there too (KNEELING: kneeling), 'towards the floor' for one clearly
    below the knees (KNEE_BAND), 'to knee height' for one level with them (KNEE_ABOVE), else that it
    stops above them. The hand-check judged 'towards the floor' ambiguous where the hand came only level
    with the knees (rounds 18-22: NW-UCLA a02_s09_e03, a02_s01_e00, a01_s07_e02, Penn 0622) or to
    the floor beside kneeling knees (a02_s04_e03, a02_s01_e04).

    A knee word needs knees to compare with where the hand is lowest (:func:`_knees_against_hand`'s
    readings, each (least height against the knees, a knee read there)): 'to knee height' only against
    knees not read under the floor (``under_floor_read``: a kneeling knee is a height, round 43's
    a02_s01_e03_v01 'to knee height' with the knees at 0.03 / -0.06 m holds), 'stopping above the knees'
    only above a knee read above the floor, higher than its ankle (``at_floor_read``): the hand-check
    found the hand at the floor above knees tracked into it (rounds 41 and 46, NW-UCLA a02_s04_e03_v01,
    a02_s06_e02_v01: the knees -0.10..-0.03 m, the hand 0.05-0.12 m) or level with them only against
    the knees' mean pulled down by one (round 48, a02_s07_e02_v02). Where they fail: 'towards the floor'."""
    if knees < KNEELING and lowest < AT_FLOOR:
        return f"reaches down to the floor with the {side} hand"
    if against_knees < -KNEE_BAND:
        return f"reaches down towards the floor with the {side} hand"
    if lowest < AT_FLOOR:
        return f"reaches down to the floor with the {side} hand"
    towards = f"reaches down towards the floor with the {side} hand"
    level = against_knees if under_floor_read is None else under_floor_read[0]
    if not level >= -KNEE_BAND:                 # below the knees read, or none read
        return towards
    if level <= KNEE_ABOVE:
        return f"reaches down to knee height with the {side} hand"
    above, seen = (against_knees, True) if at_floor_read is None else at_floor_read
    if not (seen and above >= -KNEE_BAND):
        return towards
    if above <= KNEE_ABOVE:
        return f"reaches down to knee height with the {side} hand"
    return f"reaches down with the {side} hand, stopping above the knees"


def _sat_down_above_knees(body: _Body, at_low: float, knee_low: float, hip_low: float) -> bool:
    """Whether a hand whose lowest height ``at_low`` stays above the knees (``knee_low``) went down
    with a body that sat down: the hips came down by PICKUP_RISE from the start to ``hip_low`` and
    stay there to the end. A seat high above the knees keeps the hips over them (no longer
    'unseated' then), and the hanging hand sinks with the pelvis (hand-check round 21, NW-UCLA
    a05_s08_e02: the left hand's lowest 0.05 m above the knees, 0.05 m more below the shoulder)."""
    if not at_low >= knee_low:
        return False
    hip = body.hip[:, 1]
    came_down = _level(hip) - hip_low > PICKUP_RISE
    stays_down = _level(hip, at_end=True) - hip_low < PICKUP_RISE
    return bool(came_down and stays_down)


def _unseated_while_low(body: _Body, span: tuple[int, int], at_low: float) -> bool:
    """Whether the hips stay SEATED_THIGH above the knees over the frames ``span`` the hand stays
    low (``at_low``: their gap at the hand's lowest frame, used where neither is read in it). A
    hand that goes down with a body sitting down reaches the seat, not the floor: at its lowest
    frame the knees may still read low (hand-check round 13, NW-UCLA a05_s08_e05: hips 0.23 statures
    over the knees at the hand's lowest frame, level with them four frames later with the hand
    resting beside the seat)."""
    rows = slice(span[0], span[1] + 1)
    knees = np.nanmean([body.knee["left"][rows, 1], body.knee["right"][rows, 1]], axis=0)
    gap = body.hip[rows, 1] - knees
    if not _readable(gap, 1):
        return at_low > SEATED_THIGH
    return bool(np.nanmin(gap) > SEATED_THIGH and at_low > SEATED_THIGH)


def _body_hand_seen(height: np.ndarray, least: int) -> np.ndarray:
    """A hand's height, NaN over readable stretches shorter than ``least`` frames (HAND_SEEN_RUN) between
    unread ones: a hand hidden behind the body (its frames dropped by the view check) may pass one
    frame's test in the middle of the hidden stretch, and that frame is no reading of it (NW-UCLA
    a03_s09_e02: frame 9 of a right hand hidden over frames 5-12 was its 'lowest point'). Used to
    find a reach's lowest point and the level it starts from (:func:`_start_level_seen`); the other
    levels keep every frame read (a jumping hand dropped every few frames is read between the drops)."""
    seen = np.isfinite(height)
    if seen.all() or not seen.any():
        return height
    out = height.copy()
    for a, b in true_runs(seen):
        if b - a < least:
            out[a:b] = np.nan
    return out


def _body_carries_hand(body: _Body, side: str, world: World, low: int, by_arm: float, relative: float) -> bool:
    """The hand only went down with the body at its lowest frame ``low``: it kept its place against
    its shoulder (``by_arm``) and the pelvis (``relative``) within REACH_CARRIED / BELOW_BODY, the
    body lowered into a stride (REACH_STRIDE_KNEES), the trunk stayed upright (below PICKUP_BEND over
    its clip's upright) and the hand is not ahead of the shoulder by REACH_CARRIED_AHEAD (a hand
    going forward to the floor reaches). Unreadable measures carry nothing."""
    if world.dims != 3 or not (abs(by_arm) < REACH_CARRIED and abs(relative) < BELOW_BODY):
        return False
    if not abs(body.knee["left"][low, 1] - body.knee["right"][low, 1]) >= REACH_STRIDE_KNEES:
        return False
    tilt = _trunk_tilt(body)
    if not (_readable(tilt) and np.isfinite(tilt[low])) or tilt[low] - np.nanpercentile(tilt, 10) >= PICKUP_BEND:
        return False
    ahead = _ahead_3d(body, side, world)[low]
    return bool(np.isfinite(ahead) and ahead <= REACH_CARRIED_AHEAD)


def _crouched_pickup(body: _Body, height: np.ndarray, low: int, drop: float, hip_low: float, knee_low: float,
                     world: World) -> bool:
    """Picking something up from a crouch: the hand comes down to the knees (KNEE_LEVEL) and below
    LOW_HAND above the floor, well below the hips, while the trunk bends forward by PICKUP_BEND
    degrees and the body goes down and comes back up (the hips rise again by PICKUP_RISE, the hand
    by the reach's own drop). The hand goes down with the body there, its arm hanging, so it need
    not drop against the pelvis or the shoulder; the body's motion tells it from the rest: sitting
    down ends seated (the hips stay down), a lunge or a squat keeps the trunk upright, hands
    resting on the hips stay at the hips."""
    if world.dims != 3 or not (height[low] < min(LOW_HAND, knee_low + KNEE_LEVEL) and height[low] < hip_low - BELOW_HIPS):
        return False
    tilt = _trunk_tilt(body)
    if not (_readable(tilt) and np.isfinite(tilt[low])):
        return False
    bends = tilt[low] - np.nanpercentile(tilt, 10) >= PICKUP_BEND
    hand_back = _level(height, at_end=True) - height[low] > THRESHOLDS["reach_down"]
    hips_back = _level(body.hip[:, 1], at_end=True) - hip_low > PICKUP_RISE
    return bool(drop > THRESHOLDS["reach_down"] and bends and hand_back and hips_back)


def _reversals(x: np.ndarray, hysteresis: float, rows: np.ndarray | None = None,
               max_half_swing: float | None = None) -> int:
    """How often a signal turns back after moving at least ``hysteresis`` one way (and then moves
    at least ``hysteresis`` back): the first direction is set once the signal has left its range
    so far by ``hysteresis``, not by one frame's step. The first turn counts too when the signal
    had come at least half of ``hysteresis`` towards it (a hand that starts waving mid-swing
    turns back at the end of that first half swing).

    With ``max_half_swing`` (frames; ``x`` read at frames ``rows``, default every frame), a turn
    counts only where the half swing into it took at most that long: from the last frame the
    signal was within half of ``hysteresis`` of the extreme it set out from (the previous turn's,
    or before the first turn the lowest or highest so far: a hand held still before it waves
    starts its first half swing where it leaves its rest). A hand drifting a few pixels to and
    fro over seconds turns back by the hysteresis too, but no one waves that slowly."""
    seen = np.isfinite(x)
    rows = (np.arange(len(x)) if rows is None else np.asarray(rows))[seen]
    x = x[seen]
    if len(x) < 3:
        return 0

    def set_out(k: int, level: float, sign: int) -> int:
        """The last frame before index ``k`` with the signal within half the hysteresis of
        ``level`` (sign +1: a low it rises from; -1: a high it falls from)."""
        near = np.flatnonzero(sign * (x[:k] - level) <= hysteresis / 2)
        return int(rows[near[-1]]) if len(near) else int(rows[0])

    def first_in_time(k: int, sign: int) -> bool:
        """The first half swing, ending at the extreme before index ``k`` (sign +1: a high), was quick enough."""
        if max_half_swing is None:
            return True
        turn = int(np.argmax(sign * x[: k + 1]))
        start = float(np.min(sign * x[: turn + 1])) * sign
        return int(rows[turn]) - set_out(turn, start, sign) <= max_half_swing

    count, direction = 0, 0
    low = high = extreme = x[0]
    t_extreme = last = int(rows[0])
    for k in range(1, len(x)):
        v, t = x[k], int(rows[k])
        if direction == 0:
            low, high = min(low, v), max(high, v)
            if high - v > hysteresis:
                count += bool(high - x[0] >= hysteresis / 2 and first_in_time(k, 1))
                direction, extreme, t_extreme = -1, v, t
                last = set_out(k, high, -1) if max_half_swing is not None else last
            elif v - low > hysteresis:
                count += bool(x[0] - low >= hysteresis / 2 and first_in_time(k, -1))
                direction, extreme, t_extreme = 1, v, t
                last = set_out(k, low, 1) if max_half_swing is not None else last
        elif direction * (v - extreme) > 0:
            extreme, t_extreme = v, t
        elif abs(v - extreme) > hysteresis:
            count += bool(max_half_swing is None or t_extreme - last <= max_half_swing)
            if max_half_swing is not None:
                last = set_out(k, extreme, -direction)     # the next half swing sets out from this turn
            direction, extreme, t_extreme = -direction, v, t
    return count


def _jitter(x: np.ndarray) -> float:
    """A track's frame-to-frame sensor jitter (the standard deviation of white noise that would
    give it): from each frame's offset from the midpoint of its neighbours, a robust spread over
    the whole clip (a smooth motion barely leaves that midpoint; a hand at rest is all jitter).
    Only frames seen with both neighbours count: across a hole (a frame the tracking check
    dropped) the 'neighbours' are frames apart, and a moving hand's offset from their midpoint
    is its motion, not jitter."""
    off = x[1:-1] - (x[:-2] + x[2:]) / 2
    off = off[np.isfinite(off)]
    if len(off) < 5:
        return 0.0
    return float(1.4826 * np.median(np.abs(off - np.median(off))) / np.sqrt(1.5))


def _body_turn(body: _Body) -> np.ndarray | None:
    """The body's yaw (radians, unwrapped, smoothed) per frame from its shoulder line, or None
    where the body does not turn by WAVE_TURN (or its shoulder line is seldom readable)."""
    line = (body.shoulder["left"] - body.shoulder["right"])[:, [0, 2]]
    width = np.linalg.norm(line, axis=1)
    seen = np.isfinite(width) & (width > TURN_WIDTH * 2 / 3)
    if seen.sum() < 5:
        return None
    frames = np.arange(len(line))
    yaw = np.interp(frames, frames[seen], np.unwrap(np.arctan2(line[seen, 1], line[seen, 0])))
    width = body.rate.window(TURN_SMOOTHING)
    yaw = _smooth(yaw, width) if len(yaw) >= width else yaw
    return yaw if np.subtract(*np.percentile(yaw, [95, 5])) >= np.radians(WAVE_TURN) else None


def _turned_back(x: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """Horizontal offsets (T, 3) turned by each frame's yaw back to the body's median facing."""
    a = np.nanmedian(yaw) - yaw
    c, s = np.cos(a), np.sin(a)
    out = x.copy()
    out[:, 0], out[:, 2] = c * x[:, 0] - s * x[:, 2], s * x[:, 0] + c * x[:, 2]
    return out


def _smooth_swings(x: np.ndarray, rows: np.ndarray) -> bool:
    """A hand swung to and fro moves smoothly (each frame's step like the last: the steps'
    lag-1 correlation is high, ~0.5 for a 2.5 Hz wave at 15 frames/s, ~0.9 at 30); a held hand's
    jitter turns back at random (steps uncorrelated or alternating). ``x`` is read at frames
    ``rows``: a step is between neighbouring frames only (across a dropped frame the hand moved
    two frames' way, one 'step' as large as two, which a 15 frames/s wave's next step does not
    follow)."""
    one = np.diff(rows) == 1
    steps = np.diff(x)
    pair = one[:-1] & one[1:]
    first, second = steps[:-1][pair], steps[1:][pair]
    if len(first) < 3 or np.std(first) == 0 or np.std(second) == 0:
        return False
    return float(np.corrcoef(first, second)[0, 1]) >= WAVE_SMOOTH


def _side_to_side(body: _Body, ok: np.ndarray, pts: np.ndarray, turn: np.ndarray | None, dims: int) -> np.ndarray:
    """The direction (h1, h2) a wave swings along: across the body, along its mean shoulder line
    over the raised frames (turned back with the hand when the body turns), in 3D; a knock or a
    punch goes to and fro in depth, the main direction of its path, and is no wave. In one image
    the image's horizontal (the path's main direction there)."""
    line = body.shoulder["left"] - body.shoulder["right"]
    if turn is not None:
        line = _turned_back(line, turn)
    line = line[ok][:, [0, 2]]
    line = line[np.isfinite(line).all(axis=1)]
    across = line.mean(axis=0) if dims == 3 and len(line) else np.zeros(2)
    if np.linalg.norm(across) < 1e-9:
        return np.linalg.svd(pts, full_matrices=False)[2][0]
    return across / np.linalg.norm(across)


def _arm_side_reference(body: _Body) -> np.ndarray:
    """The point (T, 3) a hand's side to side is read against: the neck, or where the neck is the
    shoulders' midpoint (2D layouts, BlazePose), that midpoint of the two shoulder tracks only in
    the frames where both are seen. With one shoulder hidden the neck is the other shoulder, half
    a shoulder width aside, and its smoothing spreads that jump over the frames around: a hand
    held still beside the head then swings side to side against it as the shoulder flickers in
    and out of view (Penn 0715, 1618: 'waves the left hand')."""
    midpoint = (body.shoulder["left"] + body.shoulder["right"]) / 2
    both = np.isfinite(midpoint).all(axis=1) & np.isfinite(body.neck).all(axis=1)
    # compared where both shoulders are seen over the whole smoothing window (no jump spread in)
    clean = both & (np.convolve((~both).astype(float), np.ones(body.rate.window(SMOOTHING)), mode="same") == 0)
    if clean.any() and np.median(np.linalg.norm(body.neck[clean] - midpoint[clean], axis=1)) > ARM_OWN_NECK:
        return body.neck                         # a neck joint of its own (Kinect): it does not jump
    return midpoint


def _hands_joined(body: _Body, side: str, ok: np.ndarray) -> bool:
    """Whether the hand stays within WAVE_HANDS_JOINED of the other hand (95th percentile of their
    gap over the frames ``ok``, where both are read in at least ARM_OTHER_SEEN of them)."""
    other = "left" if side == "right" else "right"
    gap = np.linalg.norm(body.raw_hand[side] - body.raw_hand[other], axis=1)[ok]
    seen = np.isfinite(gap)
    return bool(seen.sum() >= ARM_OTHER_SEEN * max(ok.sum(), 1) and np.percentile(gap[seen], 95) <= WAVE_HANDS_JOINED)


def _arm_not_with_other_hand(body: _Body, side: str, ok: np.ndarray, axis: np.ndarray, turn: np.ndarray | None,
                             amplitude: float, share: float = WAVE_SHARE, turns: int = THRESHOLDS["wave"]) -> bool:
    """Whether the hand sweeps side to side against the other hand too (their gap along ``axis``
    covers ARM_TOGETHER of the hand's own ``amplitude``), or the other hand is seldom seen: two
    hands moving together, their gap held, carry one thing (a bar held overhead drifting with the
    lift, Penn 0715) and wave nothing; hands waved together swing out and in, mirrored, and their
    gap changes twice as much as either hand. The gap must also turn back as often as a wave
    does (``turns`` times), by a wave's ``share`` of the hand's ``amplitude`` (the hand's swing above its own jitter is
    checked by the caller; the gap carries the other hand's jitter too): a hand waved alone or
    mirrored goes to and fro against the other hand as much as in the scene; a held pair's gap
    only drifts."""
    other = "left" if side == "right" else "right"
    gap = body.raw_hand[side] - body.raw_hand[other]
    if turn is not None:
        gap = _turned_back(gap, turn)
    gap = gap[ok][:, [0, 2]] @ axis
    seen = np.isfinite(gap)
    if seen.sum() < ARM_OTHER_SEEN * ok.sum():
        return True
    rows = np.flatnonzero(ok)[seen]
    return bool(np.subtract(*np.percentile(gap[seen], [95, 5])) >= ARM_TOGETHER * amplitude
                and _arm_run_reversals(gap[seen], rows, max(WAVE_SWING, share * amplitude), rate=body.rate) >= turns)


def _arm_run_reversals(x: np.ndarray, rows: np.ndarray, hysteresis: float, lowered: np.ndarray | None = None,
                       *, rate: _Rate) -> int:
    """:func:`_reversals` of ``x`` (read at frames ``rows``) counted within each stretch of frames
    with no hole longer than ARM_RUN_GAP, each half swing within ARM_HALF_SWING (seconds at
    ``rate``): across a longer hole the signal's turn is not seen. Where
    ``lowered`` (per frame) marks frames in which the hand is seen below the shoulder, a stretch
    also ends at any of them: a swing made down there is no swing of a raised hand (a circle drawn
    in front goes over the top, down and round: its turn below the shoulder, UTD a10_s2_t1; a bat
    swung down through and up on the other side, a14_s2_t1)."""
    if len(rows) == 0:
        return 0
    cut = np.diff(rows) > rate.frames(ARM_RUN_GAP) + 1
    if lowered is not None:
        seen_low = np.concatenate([[0], np.cumsum(lowered)])       # lowered frames before each frame
        cut |= seen_low[rows[1:]] > seen_low[rows[:-1] + 1]
    cuts = np.flatnonzero(cut) + 1
    # (a caller's ``rows`` may run past ``x``: only the first len(x) are its frames)
    half_swing = rate.frames(ARM_HALF_SWING)
    return sum(_reversals(part, hysteresis, at[: len(part)], half_swing)
               for part, at in zip(np.split(x, cuts), np.split(rows, cuts)))


def _depth_range(pts: np.ndarray, axis: np.ndarray) -> float:
    """The range (5th to 95th percentile) of horizontal points ``pts`` (N, 2) across the unit
    direction ``axis``: how far a hand goes to and fro in depth while read side to side."""
    return float(np.subtract(*np.percentile(pts @ np.array([-axis[1], axis[0]]), [95, 5])))


def _middle_range(x: np.ndarray) -> float:
    """The middle half of ``x``'s range (25th to 75th percentile; see WAVE_UP_DOWN)."""
    return float(np.subtract(*np.percentile(x, [75, 25])))


def _wave_arm_seen(body: _Body, side: str) -> np.ndarray:
    """Frames (T,) a wave may be read in: where the source flags guessed positions (Penn Action's
    images), only those with the arm annotated seen; every frame without flags. A hidden wrist's
    guess sits still (or frozen at one place) while the shoulders the swing is read against move
    on, and the step from the guesses into the seen swing turns back like a wave (hand-check rounds
    21-22: Penn 0601's bowl, its wrist guessed still until frame 35 then one follow-through; 1570's
    sit-up, the wrist frozen in frames 15-87 as the lying body's shoulders pass it)."""
    return np.ones(len(body.hand[side]), bool) if body.arm_seen is None else body.arm_seen[side]


def _wave_swing_facts(body: _Body, side: str, clock: _Clock, dims: int = 3) -> list[Fact]:
    hand, shoulder = body.hand[side], body.shoulder[side]
    facts = []
    # side to side against the neck: one shoulder joint slides ~7 cm across when the arm lifts
    # (a basketball shot's shoulder line shrinks 0.30 -> 0.25 m), which turns back like a wave;
    # height against the shoulder, as a wave is waved above it
    anchor = _arm_side_reference(body).copy()
    anchor[:, 1] = shoulder[:, 1]
    rel = body.raw_hand[side] - anchor            # a fast wave is smoothed away by the usual SMOOTHING
    jittery = body.step_hand[side] - anchor
    turn = _body_turn(body) if dims == 3 else None
    if turn is not None:
        # a body turning while it waves carries the hand round with it: read the hand's side to
        # side against the body (its shoulder line), not in the room
        rel, jittery = _turned_back(rel, turn), _turned_back(jittery, turn)
    raised = rel[:, 1] > 0.0                      # waved above the shoulder (a clap at the chest is not a wave)
    ok = np.isfinite(rel).all(axis=1) & raised & _wave_arm_seen(body, side)
    lowered = np.isfinite(rel).all(axis=1) & ~raised
    if ok.sum() >= body.rate.frames(WAVE_RAISED) and raised[np.isfinite(rel[:, 1])].mean() > 0.3:
        pts = rel[ok][:, [0, 2]] - rel[ok][:, [0, 2]].mean(axis=0)
        axis = _side_to_side(body, ok, pts, turn, dims)
        along = pts @ axis
        amplitude = float(np.subtract(*np.percentile(along, [95, 5])))
        in_depth = dims == 3 and _depth_range(pts, axis) > WAVE_DEPTH * amplitude
        up_down = dims == 2 and _middle_range(rel[ok][:, 1]) > WAVE_UP_DOWN * _middle_range(along)
        # a swing must cover a good part of the hand's range each way, and be well above the
        # sensor's jitter along that line: jitter of a held hand, or the drift of a raise, turns
        # back too but only by a little
        jitter = WAVE_JITTER * _jitter(jittery[:, [0, 2]] @ axis)
        share, turns = WAVE_SHARE, THRESHOLDS["wave"]
        swing = max(WAVE_SWING, share * amplitude, jitter)
        flips = _arm_run_reversals(along, np.flatnonzero(ok), swing, lowered, rate=body.rate)
        if flips < turns and dims == 3 and _depth_range(pts, axis) <= WAVE_DEPTH_SMALL * amplitude:
            # smaller swings, one turn more (see WAVE_SHARE_SMALL); the share sets the gap's swing too
            share, turns = WAVE_SHARE_SMALL, THRESHOLDS["wave"] + 1
            swing = max(WAVE_SWING, share * amplitude, jitter)
            flips = _arm_run_reversals(along, np.flatnonzero(ok), swing, lowered, rate=body.rate)
        # the hand itself swings in the scene, not only against a body moving past it (a hand
        # holding a bar while the body pulls up), and turns back there as often as a wave, by the
        # same swing: a bar held in a wide grip drifts slowly in the image while the neck's or the
        # shoulders' midpoint wobbles under it, and that wobble turns the hand's offset back
        # (hand-check round 33, Penn 0755: x within 0.07 statures over 300 frames, 7 'reversals').
        # In an image only: there the reference is an annotator's shoulders (in 3D a sensor's neck
        # joint of its own), and a 3D body turning or walking carries the hand round in the room
        # (generated 3D waves: utd-mhad recall 0.946 -> 0.892 when read in 3D too)
        scene = body.raw_hand[side][ok][:, [0, 2]] @ axis
        scene = scene - np.polyval(np.polyfit(np.arange(len(scene)), scene, 1), np.arange(len(scene)))   # a walk's drift
        own = float(np.subtract(*np.percentile(scene, [95, 5])))
        moves = (own >= WAVE_SCENE * amplitude
                 and (dims == 3 or _arm_run_reversals(scene, np.flatnonzero(ok), swing, lowered,
                                                      rate=body.rate) >= THRESHOLDS["wave"])
                 and _arm_not_with_other_hand(body, side, ok, axis, turn, amplitude, share, turns)
                 and not _hands_joined(body, side, ok))
        if (flips >= turns and amplitude >= WAVE_RANGE and not in_depth and not up_down
                and _smooth_swings(along, np.flatnonzero(ok)) and moves):
            rows = np.flatnonzero(ok)
            facts.append(clock.fact(f"{side}_hand", "wave", int(rows[len(rows) // 2]), flips,
                                    f"waves the {side} hand from side to side", (int(rows[0]), int(rows[-1]))))
    # the arm's own speed (not the walk's), statures per frame
    speed = np.linalg.norm(np.diff(hand - shoulder, axis=0), axis=1)
    rate = body.rate
    if _readable(speed):
        peak = _argmax(speed)
        if (speed[peak] > rate.per_frame(THRESHOLDS["swing"])
                and speed[peak] > SWING_ABOVE_USUAL * (np.nanmedian(speed) + rate.per_frame(SWING_RESTING))
                and _plausible_swing(body.step_hand[side] - shoulder, peak, rate.frames(SWING_AROUND))
                and not _parked_above_shoulder(body.step_hand[side] - body.shoulder[side],
                                               _extent(speed, peak, speed[peak] / 2)[0] - rate.frames(SWING_AROUND),
                                               rate.frames(SWING_PARKED))
                and not _straight_up_or_down(hand - shoulder, peak, rate.frames(SWING_VERTICAL_AROUND))):
            facts.append(clock.fact(f"{side}_arm", "swing", peak + 1, speed[peak] * rate.fps,
                                    f"swings the {side} arm quickly", _extent(speed, peak, speed[peak] / 2)))
    return facts


def _straight_up_or_down(rel: np.ndarray, peak: int, around: int = 1) -> bool:
    """The hand's path over the fastest frames (``around`` frames each side of the fastest step
    peak to peak+1: peak-1 to peak+2 at 30 fps) goes straight up or down
    (SWING_VERTICAL of it vertical): an arm brought up or down briskly, which the raise and
    lowering facts say (at 15 frames/s a brisk raise covers a swing's distance in one frame); a
    throw, punch or bat swing is fastest going forward or across."""
    path = rel[min(peak + 1 + around, len(rel) - 1)] - rel[max(peak - around, 0)]
    length = float(np.linalg.norm(path))
    return bool(np.isfinite(length) and length > 0 and abs(path[1]) >= SWING_VERTICAL * length)


def _parked_above_shoulder(rel: np.ndarray, start: int, frames: int) -> bool:
    """Whether the hand (``rel`` (T, 3) against its shoulder, statures) sat still above the shoulder
    (within SWING_PARKED_RANGE, read in two thirds of them) over the ``frames`` frames before ``start``."""
    before = rel[max(start - frames, 0):max(start, 0)]
    read = np.isfinite(before).all(axis=1)
    if len(before) < frames or read.sum() < 2 * frames / 3:
        return False
    before = before[read]
    spread = float(np.max(np.linalg.norm(before - np.median(before, axis=0), axis=1)))
    return bool(spread <= SWING_PARKED_RANGE and (before[:, 1] > 0).all())


def _plausible_swing(rel: np.ndarray, peak: int, around: int = 2) -> bool:
    """A fast arm read from a hand seen in SWING_SEEN of the frames, in every frame around the
    peak (``around`` frames each side of the fastest step, peak to peak+1), whose speed builds up
    over several frames: a hand jumping in one frame (a tracker switching to a guess, a hand
    coming out from behind the body) is not a swing."""
    seen = np.isfinite(rel).all(axis=1)
    around = slice(max(peak - around, 0), min(peak + around + 2, len(rel)))
    if seen.mean() < SWING_SEEN or not seen[around].all():
        return False
    steps = np.linalg.norm(np.diff(rel[around], axis=0), axis=1)
    return bool(steps.sum() > 0 and steps.max() <= SWING_JUMP * steps.sum())


def _overlap(a: Fact, b: Fact) -> bool:
    """Whether two facts happen at the same time (their extents overlap): a hand raised above the
    head in front passes through 'stretched forward' on its way up; that is the raise, not a reach."""
    return a.start <= b.end and b.start <= a.end


def _passes_through(reach: Fact, raise_: Fact, height: np.ndarray, clock: _Clock) -> bool:
    """A hand raised in front passes through 'stretched forward' on its way up: a reach during a
    raise whose hand goes on PASS_ABOVE higher than at the reach's peak (or above the head) is
    that raise, not a reach."""
    if raise_.motion != "raise":
        return False
    if "above the head" in raise_.text and _overlap(reach, raise_):
        return True
    at = int(round(reach.time * (clock.n - 1)))
    top = int(round(raise_.time * (clock.n - 1)))
    if at > top or not (np.isfinite(height[at]) and np.isfinite(height[top])):
        return False
    # the hand climbs on from the reach to the raise's top without coming down in between
    return bool(height[top] - height[at] > PASS_ABOVE and np.nanmin(height[at:top + 1]) > height[at] - PASS_ABOVE / 2)


def _seen_heights(body: _Body) -> dict[str, np.ndarray]:
    """Per side, the hand's height (T,) smoothed over SMOOTHING from the frames its joint is annotated
    seen only (no guess leaks into a seen frame's average), NaN elsewhere. An annotator's guess of
    a hidden wrist is often frozen or drawn in a straight line (hand-check rounds 18-23: Penn 0622's
    and 0718's wrists first seen at their highest, 0601's and 2211's falls, 0241's swing and 0060's
    lowest point only in the guesses)."""
    width = body.rate.window(SMOOTHING)
    return {s: _smooth(np.where(body.hand_seen[s], body.step_hand[s][:, 1], np.nan), width) for s in body.step_hand}


def _seen_to_happen(facts: list[Fact], body: _Body, clock: _Clock) -> list[Fact]:
    """The hand ``facts`` that the seen frames show, where the source flags guessed joints (else all
    of them). Each is read from the body with the guesses (its words and times stay), then checked
    against the hands' heights where annotated seen (:func:`_seen_heights`):

    - a raise: the hand seen rising by THRESHOLDS['raise'] (seen low no later than its top, then
      seen higher): a wrist first seen at its highest was not seen going up;
    - a lowering: the hand seen falling by THRESHOLDS['lower'] within the fall's frames (RAISE_TOP_NEAR
      before its top to RAISE_TOP_NEAR after its lowest);
    - a swing: the hand seen in every frame around its fastest step (SWING_AROUND);
    - a reach down: the hand seen at its lowest point (a frame either side).

    Waves and forward reaches read seen frames only already (:func:`_wave_arm_seen`,
    :func:`_arm_shown_2d`) and hands together needs a meeting seen with both wrists
    (:func:`_meeting_seen`), not necessarily at the frame stated."""
    if body.hand_seen is None:
        return facts
    seen = _seen_heights(body)
    return [f for f in facts if _seen_fact(f, seen, body.rate, clock)]


def _seen_fact(f: Fact, seen: dict[str, np.ndarray], rate: _Rate, clock: _Clock) -> bool:
    """Whether the hands' seen heights (``seen``, per side) show the hand fact ``f`` (see
    :func:`_seen_to_happen`)."""
    peak, start, end = (int(round(t * max(clock.n - 1, 1))) for t in (f.time, f.start, f.end))
    near = rate.frames(RAISE_TOP_NEAR)
    hands = {side: seen[side] for side in _sides(f.part) if side in seen}
    if f.motion == "raise":
        return all(_seen_rise(height, peak) > THRESHOLDS["raise"] for height in hands.values())
    if f.motion == "lower":
        return all(_seen_fall(height, max(start - near, 0), end + near) > THRESHOLDS["lower"]
                   for height in hands.values())
    if f.motion == "swing":
        width = rate.frames(SWING_AROUND)
        rows = slice(max(peak - 1 - width, 0), peak + width + 1)
        return all(np.isfinite(height[rows]).all() for height in hands.values())
    if f.motion == "reach_down":
        return all(np.isfinite(height[max(peak - 1, 0):peak + 2]).any() for height in hands.values())
    return True


def _seen_rise(height: np.ndarray, top: int) -> float:
    """How far ``height`` (NaN where unseen) is seen to rise: from its lowest seen frame no later
    than ``top`` to a later seen frame; NaN if never."""
    low = np.fmin.accumulate(np.where(np.isfinite(height), height, np.inf))     # lowest up to each frame
    rises = [height[b] - low[min(b - 1, top)] for b in range(1, len(height)) if np.isfinite(height[b])]
    finite = [r for r in rises if np.isfinite(r)]
    return float(max(finite)) if finite else float("nan")


def _seen_fall(height: np.ndarray, first: int, last: int) -> float:
    """How far ``height`` (NaN where unseen) is seen to fall within frames ``first``-``last``: from a
    seen frame to a later seen one; NaN if never."""
    part = height[first:last + 1]
    high = np.fmax.accumulate(np.where(np.isfinite(part), part, -np.inf))
    falls = high - part
    return float(np.nanmax(falls)) if np.isfinite(falls).any() else float("nan")


def _hand_facts(body: _Body, clock: _Clock, world: World) -> list[Fact]:
    """The hands' facts (raise, lower, reaches, wave, swing, hands together); where the source
    flags guessed joints, only those seen to happen (:func:`_seen_to_happen`)."""
    facts: list[Fact] = []
    for side in ("right", "left"):
        raised = _raise_facts(body, side, clock)
        height = body.hand[side][:, 1]
        reached = [f for f in _reach_facts(body, side, clock, world)
                   if f.motion != "reach_forward" or not any(_passes_through(f, r, height, clock) for r in raised)]
        facts += raised + reached + _wave_swing_facts(body, side, clock, world.dims)
    gap = np.linalg.norm(body.hand["right"] - body.hand["left"], axis=1)
    limit = HANDS_METRES / world.stature if world.unit == "m" else THRESHOLDS["hands_together"]
    said = HANDS_SAID_METRES / world.stature if world.unit == "m" else HANDS_SAID
    together = _hands_together(body, _smooth(gap, body.rate.window(QUICK_SMOOTHING)), clock, limit, said,
                               world.distance_words, lambda statures: _round_up(statures, world))
    if together:
        # hands moving to and fro to meet each other are clapping, not waving
        facts = [f for f in facts if f.motion != "wave" or not _overlap(f, together[0])] + together
    named = [f for f in facts if f.motion in ("raise", "lower", "reach_forward", "hands_together")]
    facts = [f for f in facts if f.motion != "swing" or not any(_near(f, g, SWING_NEAR) for g in named)]
    return _seen_to_happen(facts, body, clock)


def _near(a: Fact, b: Fact, margin: float) -> bool:
    """Whether two facts happen within ``margin`` (normalised time) of each other."""
    return a.start <= b.end + margin and b.start <= a.end + margin


def _hands_together(body: _Body, gap: np.ndarray, clock: _Clock, limit: float = THRESHOLDS["hands_together"],
                    said: float = np.inf, words: Callable[[float], str] = str,
                    round_up: Callable[[float], float] = float) -> list[Fact]:
    """Both hands brought together (from apart at the start, and seen apart before they meet) in
    front of the body, above the waist (hands resting together in the lap are not brought together).
    ``words`` says a distance (statures) that ``round_up`` has rounded as the words show it."""
    above_waist = (body.hand["right"][:, 1] + body.hand["left"][:, 1]) / 2 > body.hip[:, 1] + WAIST
    # held, not one frame's reading: the smoothed positions' gap shrinks where the hands pass each
    # other's height (NW-UCLA a12_s04_e01: 0.22-0.35 m apart, one raw frame at 0.14, smoothed 0.10)
    held = ~(_body_held_gap(body) >= HANDS_HELD * limit)
    meeting = np.where(above_waist & held, gap, np.nan)      # where a meeting may be read; ``gap``: every frame
    if not _readable(meeting, 1):
        return []
    together = int(np.nanargmin(meeting))
    if meeting[together] >= limit or not _level(gap) > 0.2 or not _apart_before(gap[:together], 0.2):
        return []
    closest = _closest_held_gap(body)
    stated = round_up(closest) if closest > said else None       # None: 'together'; else 'close, about ... apart'
    # each statement is seen on the gap its own reading comes from: 'together' on ``gap`` (smoothed),
    # 'about D apart' on the held gap (unsmoothed wrists); both on the wrists as annotated
    if not (_meeting_seen(body, limit, gap) if stated is None else _meeting_seen(body, stated)):
        return []
    span = _extent(-meeting, together, -0.15)
    return [clock.fact("both_hands", "hands_together", together, meeting[together],
                       _hands_together_words(stated, words), span)]


def _meeting_seen(body: _Body, within: float, smoothed: np.ndarray | None = None) -> bool:
    """Whether the wrists are seen within ``within`` statures of each other (the 'together' limit, or
    the distance a 'close' statement says) in some frame where the source annotates both seen, read
    on the wrists as annotated or, where given, on ``smoothed`` (their smoothed gap per frame); True
    where the source flags no guessed joints.

    A meeting read only on estimated wrists is not seen (hand-check round 42: Penn 0892, a golf
    swing whose wrists are never both seen in one frame; Penn 1603, a sit-up whose seen wrists stay
    0.15-0.22 statures apart, their guesses meeting). Meetings judged to hold are seen in a frame or
    more, if not at the frame stated (round 20, Penn 0491: 0.07 statures at frame 32, stated at 19
    where the right wrist is hidden; round 27, Penn 0257: 0.07 smoothed, 0.081 as annotated, in its
    only two frames with both wrists seen, judged together at the edge). The annotated gap finds what
    smoothing hides: a lone seen frame mixed with its neighbours' estimates, or a fast hand's seen
    approach (Penn 0159, a pitch's set position: seen 0.045 apart at frame 42, smoothed 0.087; Penn
    2178, a serve: 0.073, smoothed 0.088; both judged to hold, facts_handcheck_meeting_seen.md). A
    'close, about D apart' statement is seen at D (Penn 2190, 'about 0.10': seen 0.092 apart at
    frame 40, holds), its annotated wrists only: smoothed, a hidden hand's estimate sweeping past
    pulls a seen frame in (Penn 2082, 'about 0.14': seen 0.176 apart at frame 38 as annotated, 0.136
    smoothed; ambiguous)."""
    if body.hand_seen is None:
        return True
    both = body.hand_seen["right"] & body.hand_seen["left"]
    near = np.linalg.norm(body.step_hand["right"] - body.step_hand["left"], axis=1) <= within
    if smoothed is not None:
        near |= smoothed <= within
    return bool(np.any(both & near))


def _apart_before(gap: np.ndarray, apart: float) -> bool:
    """Whether the hands' gap is read wider than ``apart`` in some frame before they meet (``gap``:
    its frames up to the meeting): hands together from the first frame read are not brought
    together, however far apart they go later (hand-check round 41, Penn 0740: a barbell gripped
    with the wrists 0.01-0.04 statures apart in the image in every frame read before the meeting,
    apart only in the jerk at the clip's end)."""
    return _readable(gap, 1) and bool(np.nanmax(gap) > apart)


def _closest_held_gap(body: _Body) -> float:
    """The hands' closest held gap (statures): the unsmoothed gap's moving median over MEDIAN_WINDOW,
    as a reader's per-frame check reads it, at its smallest; NaN where never read."""
    held = _moving_median(np.linalg.norm(body.step_hand["right"] - body.step_hand["left"], axis=1), body.rate)
    return float(np.nanmin(held)) if _readable(held, 1) else float("nan")


def _hands_together_words(stated: float | None, words: Callable[[float], str]) -> str:
    """'brings both hands together' where the hands' closest held gap (:func:`_closest_held_gap`) gets
    within the said limit in the clip (``stated`` None); where it stays wider (the detector's smoothed
    gap passes a quick meeting the median does not hold) the ``stated`` distance is said instead of
    'together' (hand-check round 23: a jog's arms swinging past each other, UTD-MHAD a22_s7_t3, held
    0.176 m apart against the 0.15 m rule)."""
    if stated is None:
        return "brings both hands together in front of the body"
    return f"brings both hands close to each other in front of the body, {words(stated)} apart"


def _body_held_gap(body: _Body) -> np.ndarray:
    """The hands' per-frame distance (positions smoothed over QUICK_SMOOTHING only), its moving
    median over MEDIAN_WINDOW: within a limit only where the hands stay within it for most of
    those frames."""
    return _median5(np.linalg.norm(body.raw_hand["right"] - body.raw_hand["left"], axis=1),
                    body.rate.window(MEDIAN_WINDOW))


# --- torso, legs and the whole body ----------------------------------------------------------
def _trunk_tilt(body: _Body) -> np.ndarray:
    """The spine line's angle to up per frame (degrees, 0 = upright), NaN where unreadable."""
    return _spine_tilt(body.neck - body.hip)


def _spine_tilt(spine: np.ndarray) -> np.ndarray:
    """A spine line's angle to up per frame (degrees, 0 = upright), NaN where unreadable."""
    length = np.linalg.norm(spine, axis=1)
    return np.degrees(np.arccos(np.clip(spine[:, 1] / np.where(length > 0, length, np.nan), -1, 1)))


def _shown_joints(guessed: np.ndarray | None, main: int, frames: np.ndarray, dims: int) -> np.ndarray | None:
    """(T, V) True where the source does not flag a joint's position as guessed, over the person's
    ``frames`` (those :func:`check_tracking` kept); None without flags, and in 3D, where no fact
    reads them (they are an image annotator's)."""
    if guessed is None or dims == 3:
        return None
    flags = np.asarray(guessed, bool)
    return ~(flags[main] if flags.ndim == 3 else flags)[frames]


def _seen_trunk_2d(body: _Body) -> np.ndarray:
    """In an image, the trunk line (T, 3) per frame read only where the annotation shows the trunk
    (``body.trunk_seen``: the shoulders and hips not flagged as guessed), NaN elsewhere:

    - a frame with both shoulders or both hips guessed shows no trunk (its line would be the
      annotator's guess; hand-check round 11, Penn 0700: a bowler entering the frame, both shoulders
      and hips hidden at the stated peak, 'about 70' against 29-55 where seen);
    - where one side's shoulder and hip are both seen and the other side's both guessed (the body in
      profile, its far side behind it), the seen side's shoulder-to-hip line: the far side's guessed
      joints would move the mid-points off the trunk (round 9, Penn 0857: the mid of both shoulders
      against the one seen hip read 55 degrees, the seen side's own line 38-46);
    - a frame whose only readable shoulder and only readable hip are on opposite sides shows no
      trunk line: the diagonal across the body leans by the shoulders' and hips' half-widths
      (round 26, Penn 1913: a seated guitarist whose right shoulder, held still, is dropped as a
      frozen joint from frame 24 and whose left hip is never seen: the left shoulder to the right
      hip read 38 degrees, the right side's own line 11);
    - a frame with a hip misplaced off the body (:func:`_hip_astray`, flagged seen or not) shows
      the other side's own shoulder-to-hip line, or no trunk where that side is not seen;
    - else the line from mid-shoulders to mid-hips, as the other facts read it."""
    flags = body.trunk_seen
    sides = ("right", "left")

    def seen(track: np.ndarray, flag: np.ndarray) -> np.ndarray:
        return np.isfinite(track[:, :2]).all(axis=1) & flag

    shoulder = {s: seen(body.shoulder[s], flags[s][:, 0]) for s in sides}
    hip = {s: seen(body.hip_joint[s], flags[s][:, 1]) for s in sides}
    out = np.where(((shoulder["right"] | shoulder["left"]) & (hip["right"] | hip["left"]))[:, None],
                   body.neck - body.hip, np.nan)
    for near, far in (("right", "left"), ("left", "right")):
        profile = shoulder[near] & hip[near] & ~flags[far].any(axis=1)
        out[profile] = (body.shoulder[near] - body.hip_joint[near])[profile]
        out[shoulder[near] & ~shoulder[far] & hip[far] & ~hip[near]] = np.nan
    for near, far in (("right", "left"), ("left", "right")):
        astray = _hip_astray(body, far, near)
        out[astray] = np.where((shoulder[near] & hip[near])[:, None],
                               body.shoulder[near] - body.hip_joint[near], np.nan)[astray]
    return out


def _hip_astray(body: _Body, side: str, other: str) -> np.ndarray:
    """In an image, frames (T,) where the ``side`` hip is misplaced: the hips lie further apart than
    HIP_GAP_IMPLAUSIBLE times the trunk's usual image length (the 90th percentile over the clip of
    the longer own-side line, a side's shoulder to its hip), and this hip is the one further from
    the mid-shoulders. Such a hip moves the hips' midpoint off the body whether flagged or not
    (hand-check round 35, Penn 1776: a squatter's left hip marked seen ~220 px from the body in every
    frame, 2.2-2.6 usual trunks from the right hip, 'bends forward by about 140 degrees' where the
    right side's own line reads 9-39). The clip's usual length, not the frame's: a trunk bent
    towards the camera is short in its frames while the hips keep their width (Penn 0754, a lifter
    set up over the bar: 1.6 of that frame's trunk, 0.8 of the usual one)."""
    gap = np.linalg.norm((body.hip_joint[side] - body.hip_joint[other])[:, :2], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        trunk = np.nanmax([np.linalg.norm((body.shoulder[s] - body.hip_joint[s])[:, :2], axis=1)
                           for s in (side, other)], axis=0)
    if not _readable(trunk, 1):
        return np.zeros(len(gap), bool)
    usual = float(np.nanpercentile(trunk, 90))
    away = {s: np.linalg.norm((body.hip_joint[s] - body.neck)[:, :2], axis=1) for s in (side, other)}
    with np.errstate(invalid="ignore"):
        return (gap > HIP_GAP_IMPLAUSIBLE * usual) & (away[side] > away[other])


def _bend_trunk(body: _Body) -> np.ndarray:
    """The trunk line (T, 3) that bend and lean facts read: in an image whose source flags guessed
    joints only the frames that show the trunk (:func:`_seen_trunk_2d`), else mid-shoulders to
    mid-hips. One rule for both: a lean read from guessed shoulders is the annotator's guess
    (hand-check round 24, Penn 0706: both shoulders hidden, the left one's guess 66 px behind the seen
    right one, 'leans back by about 40' against 11-15 where the trunk is seen)."""
    return _seen_trunk_2d(body) if body.trunk_seen is not None else body.neck - body.hip


def _held(x: np.ndarray, width: int, readable: int | None = None) -> np.ndarray:
    """The least value over each ``width`` frames starting at a frame: a peak held that long, not
    one frame's spike (a 2D clip's last annotated frame). NaN where fewer than ``readable`` of the
    frames are readable (default: all of them); the least of the readable ones otherwise."""
    if len(x) < width:
        return np.full(len(x), np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(x, width)
    enough = np.isfinite(windows).sum(axis=1) >= (width if readable is None else readable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        least = np.where(enough, np.nanmin(np.where(enough[:, None], windows, 0.0), axis=1), np.nan)
    return np.concatenate([least, np.full(width - 1, np.nan)])


def _upright_direction(spine: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """The spine's own upright direction in this clip (unit): the median direction of its least
    tilted frames."""
    unit = spine / np.linalg.norm(spine, axis=1, keepdims=True)
    least = np.isfinite(tilt) & (tilt <= np.nanpercentile(tilt, 10))
    ref = np.median(unit[least], axis=0)
    return ref / np.linalg.norm(ref)


def _from_upright(spine: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """The spine's angle (degrees) to its own upright direction in this clip (the median direction
    of its least tilted frames): a sensor's spine line that leans back when people stand, or an
    'up' read a few degrees off, must not shrink a bend."""
    unit = spine / np.linalg.norm(spine, axis=1, keepdims=True)
    return _degrees_from(unit, _upright_direction(spine, tilt))


def _forward_pitch(spine: np.ndarray, ref: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Per frame, the spine's angle (degrees) from its own upright ``ref`` towards ``front`` (a 3D
    direction in world coordinates): > 0 bent forward, < 0 leaned back. Measured from the clip's
    own upright, not from 'up': an 'up' read 10 degrees off (a camera's pitch, a held lean that
    tilts the feet-to-head line) would shrink a lean of 20-35 degrees below its threshold."""
    ahead = front - (front @ ref) * ref
    if not np.linalg.norm(ahead) > 0:
        return np.full(len(spine), np.nan)
    ahead = ahead / np.linalg.norm(ahead)
    unit = spine / np.linalg.norm(spine, axis=1, keepdims=True)
    return np.degrees(np.arctan2(unit @ ahead, unit @ ref))


def _bend_fact(body: _Body, clock: _Clock, world: World, layout: Layout | None = None) -> list[Fact]:
    """Bending forward or leaning back (see :func:`_lean_back_fact`, read first); in an image whose
    source flags guessed joints, from the frames that show the trunk (:func:`_seen_trunk_2d`)."""
    held = body.rate.frames(BEND_HELD)
    tilt = _held(_trunk_tilt(body), held)
    if not _readable(tilt, 1):
        return []
    lean_front = _lean_front(body, world, layout)
    lean = _lean_back_fact(body, clock, lean_front, image=world.dims == 2)
    if lean is not None:
        return lean
    spine = _bend_trunk(body)            # in an image, only frames that show the trunk
    raw = _spine_tilt(spine)
    if world.dims == 3:
        raw = np.where(_trunk_pulled_short(body, spine), np.nan, raw)
    tilt = _held(raw, held)
    if not _readable(tilt, 1):
        return []
    peak = _argmax(tilt)
    base = float(np.nanpercentile(tilt, 10))
    if not (tilt[peak] > THRESHOLDS["lean_back"] and tilt[peak] - base > LEAN_RISE):
        return []
    span = _extent(tilt, peak, (tilt[peak] + base) / 2)
    if tilt[peak] > LYING_TILT and body.hip[peak, 1] < LYING_HIPS:
        return []                        # a lying body (push-up, sit-up) neither bends nor leans
    if world.dims == 2 and _never_near_upright(tilt[peak], float(np.nanmin(tilt))):
        return []                        # lying all clip on a bench (its hips raised off the floor by it)
    if world.dims == 2 and _own_sides_never_rise(body, tilt, peak, base, held):
        return []                        # the rise is the trunk line changing joints, not the body bending
    if world.dims == 2 and _trunk_end_on_all_clip(body):
        return []                        # lying along the line of sight: its image angle is no bend
    if world.dims == 2 and (_trunk_behind_lying_legs(body, peak) or _trunk_behind_seated_thighs(body, peak)):
        return []                        # sitting or lying back (a sit-up going down), not bending forward
    if world.dims == 2 and _tilts_with_the_thighs(body, spine, peak, held):
        return []                        # the whole body tilts (a hanging swing): no bend at the hips
    deepest = peak                       # the size is read here; only the direction moves to a readable frame
    front = _bend_front(body, world, peak)
    if world.readable_facing[peak] and not np.isfinite(front).all():
        peak = _peak_with_a_front(body, world, tilt, span, peak)
        front = _bend_front(body, world, peak)
    turned = _front_turned(body, world, peak, front)
    if world.readable_facing[peak] and not np.isfinite(front).all():
        return []                        # a facing read through a collapsed shoulder line: forward or back is in doubt
    ahead = float(spine[peak, [0, 2]] @ front) if not turned else float("nan")
    unread = world.dims == 2 and _tilt_against_travel(body, spine, peak)
    if unread:
        ahead = float("nan")             # foreshortened against the travel: forward or back is not told
    if world.dims == 3 and ahead < 0 and _knees_against(body, peak, front):
        ahead = float("nan")             # 'back' read against a facing the bent knees contradict
    backward = np.isfinite(ahead) and ahead < 0 and tilt[peak] <= FORWARD_BEYOND
    if tilt[peak] <= FORWARD_BEYOND and _leans_back_at(body, lean_front, peak):
        return []                        # a backward tilt too small for a lean is no bend either
    if not backward and not (tilt[peak] > THRESHOLDS["bend"] and tilt[peak] - base > BEND_RISE):
        return []                        # a forward tilt of 15-25 degrees is a slouch, not a bend
    # the angle said: the trunk's peak from its own upright (held over BEND_HELD), at least its tilt
    # from up, read in the peak's neighbourhood and held through a single unread frame
    deepest = _bend_size_frame(raw, tilt, deepest, base, held)
    sized = _held(_bridge_unread(raw), held)
    sized_own = _held(_bridge_unread(_from_upright(spine, raw)), held)
    amount = _trunk_bend_words(sized[deepest], sized_own[deepest])
    if _peak_at_unread_edge(raw, deepest, held):
        amount = amount.replace("about", "at least", 1)
    if not np.isfinite(ahead) and (tilt[peak] <= FORWARD_BEYOND or unread):
        return [clock.fact("torso", "bend", peak, tilt[peak], f"bends the upper body {amount}", span)]
    if backward:
        # back from the body's own upright: a sensor whose spine line leans back when people
        # stand (Kinect v1's hip-centre to shoulder-centre, ~8 degrees) must not add that lean
        lean = tilt[peak] - _upright_lean(spine, world)
        if lean <= THRESHOLDS["lean_back"] or _hips_below_standing(body, peak):
            return []
        return [clock.fact("torso", "lean_back", peak, lean,
                           f"leans the upper body back by about {int(round(lean, -1))} degrees", span)]
    return [clock.fact("torso", "bend", peak, tilt[peak], f"bends the upper body forward {amount}", span)]


def _bridge_unread(x: np.ndarray) -> np.ndarray:
    """``x`` with each single unread frame between two read ones read as the lesser of them: a
    held peak interrupted by one lost frame is still held (see :func:`_bend_size_frame`)."""
    out = x.copy()
    gap = np.flatnonzero(~np.isfinite(x[1:-1]) & np.isfinite(x[:-2]) & np.isfinite(x[2:])) + 1
    out[gap] = np.minimum(x[gap - 1], x[gap + 1])
    return out


def _bend_size_frame(raw: np.ndarray, tilt: np.ndarray, deepest: int, base: float, held: int) -> int:
    """The frame whose held tilt gives a bend's size: the most tilted of the held peak's
    neighbourhood (the frames around ``deepest`` held above half-way from ``base``) read with single
    unread frames bridged (:func:`_bridge_unread`). The plain hold (``tilt``: every frame of a window
    read) loses every window that holds an unread frame, and a peak with one lost frame falls to its
    flank (hand-check round 49, NW-UCLA a01_s08_e04_v02: the hips unread at frame 8 inside a 54-57
    degree peak, the size read from frames 9-11, 43.7, 'about 40' for a trunk 59-69 from its upright).
    A window starting on an unread frame is not taken (its position is a guess)."""
    bridged = _held(_bridge_unread(raw), held)
    a, b = _extent(bridged, deepest, (tilt[deepest] + base) / 2)
    frames = [t for t in range(a, b + 1) if np.isfinite(raw[t])]
    return max(frames, key=lambda t: bridged[t])


def _peak_with_a_front(body: _Body, world: World, tilt: np.ndarray, span: tuple[int, int], peak: int) -> int:
    """The most tilted frame of a bend's ``span`` whose front can be read (:func:`_bend_front`: a
    shoulder line wide enough, or bent knees), where the peak's own front cannot (its facing read
    through a collapsed shoulder line); ``peak`` itself where none can (then no bend is said).
    The direction is then read where it is seen, never through the collapsed line; the size stays the
    deepest frame's (the trunk line needs no shoulder line: sizes read at the moved frame fell 15-35
    degrees short, judged later: a02_s09_e01_v03 'about 30' for a 48-58-degree peak) (hand-check round
    47, NW-UCLA a01_s04_e01_v03, a pick-up seen from behind: the trunk 47-51 degrees from the clip's
    upright at frames 7-10, judged to hold; with up read from the legs its peak fell on frame 7,
    whose shoulder line is 0.098 statures wide, and the bend went unsaid; frame 8's bent knees tell it)."""
    frames = [t for t in range(span[0], span[1] + 1)
              if np.isfinite(tilt[t]) and np.isfinite(_bend_front(body, world, t)).all()]
    return max(frames, key=lambda t: tilt[t]) if frames else peak


def _tilts_with_the_thighs(body: _Body, spine: np.ndarray, peak: int, held: int) -> bool:
    """In an image, whether over a bend's ``held`` frames from ``peak`` the thighs (the mid-hips to
    the mid-knees, each side's hip to its knee averaged) continue the trunk line within
    HIPS_IN_LINE degrees: the body tilts as one piece, its hips not flexed, so the trunk's angle
    from vertical is no bend (hand-check round 36, Penn 1306: a pull-up, 'bends the upper body to
    about 30 degrees from vertical', the trunk 25-29 degrees off the image's vertical at the top of
    the pull, the thighs in its line). Both thighs must be read there, each at least THIGH_READABLE
    of its usual image length (a thigh pointing at the camera has no direction): a bowler's back
    thigh alone, stretched behind in the trunk's line, says nothing of the hip over the front leg
    (round 6, Penn 0680: the front thigh unread, the bend judged to hold)."""
    rows = slice(peak, peak + held)
    thighs = [body.knee[s][:, :2] - body.hip_joint[s][:, :2] for s in ("left", "right")]
    trunk = spine[:, :2]
    for one in thighs:
        length = np.linalg.norm(one, axis=1)
        if not (np.isfinite(length[rows]).all() and np.isfinite(trunk[rows]).all()):
            return False
        if not (length[rows] >= THIGH_READABLE * np.nanpercentile(length, 90)).all():
            return False
    thigh = (thighs[0] + thighs[1]) / 2
    length = np.linalg.norm(thigh, axis=1)
    cosine = np.sum(trunk[rows] * -thigh[rows], axis=1) / (np.linalg.norm(trunk[rows], axis=1) * length[rows])
    return bool(np.degrees(np.arccos(np.clip(np.median(cosine), -1, 1))) < HIPS_IN_LINE)


def _tilt_against_travel(body: _Body, spine: np.ndarray, peak: int) -> bool:
    """In an image, whether the trunk at a bend's (lean's) ``peak`` (held over BEND_HELD) is
    foreshortened below BEND_FORESHORTENED of its usual image length and tilts to the image side
    opposite to where the hips and the feet both travelled (TRAVEL_SIDE statures or more) from the
    clip's first readable frames: the image tilt and the travel disagree on the front, and most of
    the bend lies out of the image plane, so forward or back is not told."""
    rows = slice(peak, peak + body.rate.frames(BEND_HELD))
    length = np.linalg.norm(spine[:, :2], axis=1)
    if not (_readable(length, 1) and np.isfinite(length[rows]).any()):
        return False
    if not np.nanmedian(length[rows]) < BEND_FORESHORTENED * np.nanpercentile(length, 90):
        return False
    tilt = float(np.nanmedian(spine[rows, 0]))
    with np.errstate(invalid="ignore"):
        feet = _mid_ankles(body)[:, 0]
    moved = []
    for x in (body.hip[:, 0], feet):
        start = np.flatnonzero(np.isfinite(x))[:5]
        if not len(start) or not np.isfinite(x[rows]).any():
            return False
        moved.append(float(np.nanmedian(x[rows]) - np.median(x[start])))
    travel = np.sign(moved[0])
    return bool(travel != 0 and np.sign(moved[1]) == travel and min(abs(m) for m in moved) >= TRAVEL_SIDE
                and np.sign(tilt) == -travel)


def _trunk_pulled_short(body: _Body, spine: np.ndarray) -> np.ndarray:
    """Frames (T,) where a 3D trunk line is shorter than BEND_TRUNK_SHORT of its clip's median while
    the hips are above their starting height by BEND_HIPS_RISEN: the hip centre pulled up (with a
    lifted knee), not a trunk bending (a bend lowers the shoulders; its hips stay or sink).
    Hand-check round 28, NW-UCLA a08_s02_e04_v01: 0.23-0.27 m of a 0.39-m trunk, the pelvis up
    0.12-0.17 m, read as a 40-degree bend."""
    length = np.linalg.norm(spine, axis=1)
    hips = body.hip[:, 1]
    with np.errstate(invalid="ignore"):
        return (length < BEND_TRUNK_SHORT * np.nanmedian(length)) & (hips > _level(hips) + BEND_HIPS_RISEN)


def _trunk_end_on_all_clip(body: _Body) -> bool:
    """In an image, whether the trunk (mid-shoulders to mid-hips) is never longer than END_ON_TRUNK
    of the shoulders' width (its 90th percentile against the width's median): a body seen end-on
    all clip, lying along the line of sight (or seen from above), whose short trunk's image angle
    swings with a few pixels and says nothing of a bend (hand-check round 40, Penn 0411: a bench
    press seen from the feet, 24-38 px of trunk under shoulders 99-110 px apart, its left hip
    dropped as frozen mid-clip: 'bends the upper body forward by about 80 degrees')."""
    width = np.linalg.norm(body.shoulder["left"][:, :2] - body.shoulder["right"][:, :2], axis=1)
    length = np.linalg.norm((body.neck - body.hip)[:, :2], axis=1)
    if not (_readable(width, 1) and _readable(length, 1)):
        return False
    return bool(np.nanpercentile(length, 90) < END_ON_TRUNK * np.nanmedian(width))


def _never_near_upright(peak: float, least: float) -> bool:
    """In an image, whether a trunk whose peak tilt is beyond LYING_TILT was never within
    FORWARD_BEYOND degrees of upright (its ``least`` tilt held over BEND_HELD): a body lying all clip
    on a bench, its hips raised off the floor by it (above LYING_HIPS) and its trunk seen from the
    feet's end, whose image angle only wanders with the foreshortening (hand-check round 26, Penn
    0390: a bench press, 62-89 degrees from image up, 'bends forward to about 90'). The least, not
    a percentile: a bowler upright for the first few frames of the approach and bent 65-100 degrees
    after (Penn 0591, 6 of 54 frames near upright) does bend."""
    return bool(peak > LYING_TILT and least > FORWARD_BEYOND)


def _own_sides_never_rise(body: _Body, tilt: np.ndarray, peak: int, base: float, held: int) -> bool:
    """In an image, whether the trunk's rise from its lower frames to its ``peak`` (``tilt``: the
    trunk line's tilt held over ``held`` frames, ``base`` its 10th percentile) is no change of the
    body: both sides' own shoulder-to-hip lines are read over the peak's held frames and in frames
    where ``tilt`` is below halfway from ``base`` to the peak, and each tilts from up at the peak by
    less than OWN_SIDES_KEPT degrees more than in the least tilted of those frames. A bend is a
    change; the trunk line's mid-shoulders move onto one shoulder where the other is dropped (a
    frozen joint) and its angle jumps with the switch (hand-check round 50, Penn 0367: a bench press
    lying all clip, the hips fixed to the pixel and the shoulders within 16 px, the right shoulder
    dropped as frozen in frames 7-26: the line read 42 degrees there, 61-67 elsewhere, 'bends the
    upper body forward to about 70 degrees from vertical'; the sides' own lines held 53-58 (left)
    and 71-78 (right) degrees). Both sides: one side's own line in an image turns with the shoulders
    as well as with the bend and falls short of it (judged bends, each with one side read at the
    peak: Penn 0928, 2097 and 0695 rose 2-8 degrees on that side's line, 20-30 on the trunk's)."""
    low = np.flatnonzero(np.nan_to_num(tilt, nan=np.inf) < (tilt[peak] + base) / 2)
    rows = slice(peak, peak + held)
    for side in ("left", "right"):
        line = body.shoulder[side] - body.hip_joint[side]
        if body.trunk_seen is not None:
            line = np.where(body.trunk_seen[side].all(axis=1)[:, None], line, np.nan)
        own = _spine_tilt(line)
        at_peak, before = own[rows], own[low]
        if not (np.isfinite(at_peak).any() and np.isfinite(before).any()):
            return False
        if float(np.nanmedian(at_peak)) - float(np.nanmin(before)) >= OWN_SIDES_KEPT:
            return False
    return True


def _peak_at_unread_edge(tilt: np.ndarray, peak: int, held: int) -> bool:
    """Whether a bend's held peak (the ``held`` frames from ``peak``) is the first (last) trunk
    reading of the clip, the frames before (after) it unread, and still rises towards them: the
    clip starts (ends) in a part of the bend not read, which may be deeper, and its size read from
    the frames seen is only a lower bound (hand-check round 15, Penn 0747: a lifter starts bowed over
    the bar, -59..-65 degrees from image up; its foreshortened trunk is not read in frames 0-8 and
    the bend's peak, 37 degrees at frame 9 coming up out of the bow, was said as 'about 40')."""
    last = peak + held - 1
    before = (peak > 0 and not np.isfinite(tilt[:peak]).any() and peak + 1 < len(tilt)
              and tilt[peak] >= tilt[peak + 1])
    after = (last + 1 < len(tilt) and not np.isfinite(tilt[last + 1:]).any() and last >= 1
             and tilt[last] >= tilt[last - 1])
    return bool(before or after)


def _trunk_behind_lying_legs(body: _Body, peak: int) -> bool:
    """In an image, whether at ``peak`` the hips are down (below LYING_HIPS) with the legs seen along
    the floor (each readable foot further from the hips across the image than below them, on the same
    side), and the trunk on the side away from the feet: a seated or lying body's front is where its
    legs point, so its trunk lies back there (Penn 1618: a sit-up going down, 50-68 degrees from up,
    was 'bends forward'; a push-up's trunk in line with its legs is no bend either). A leg is
    readable with its knee and ankle seen; one is enough (Penn 1572: a sit-up whose right ankle is
    frozen all clip, read as 'bends forward by 60'), and every readable one must lie along the floor:
    a pitcher's back foot kicked up is no leg along the floor."""
    sides = [s for s in ("left", "right")
             if np.isfinite(body.ankle[s][peak]).all() and np.isfinite(body.knee[s][peak]).all()]
    spine = body.neck[peak] - body.hip[peak]
    if not (sides and np.isfinite(spine).all() and body.hip[peak, 1] < LYING_HIPS):
        return False
    legs = np.array([body.ankle[s][peak] - body.hip[peak] for s in sides])
    along = (np.abs(legs[:, 0]) > np.abs(legs[:, 1])).all() and len(set(np.sign(legs[:, 0]))) == 1
    return bool(along and legs[0, 0] * spine[0] < 0)


def _trunk_behind_seated_thighs(body: _Body, peak: int) -> bool:
    """In an image, whether at ``peak`` the hips are down (below SEATED_HIPS), both thighs (hip to
    knee) are readable and point across the image at least as much as down, to one side, and the
    trunk leans to the other: a seated or lying body's thighs lie flat or rise to raised knees, and a
    trunk away from them reclines (a sit-up lying back down), while a standing bend's thighs hang
    down under the hips and a squat's bend leans towards its knees. Hand-check round 24, Penn 1585: a
    sit-up reclining 59 degrees from up, the hips 0.34-0.36 statures above the feet and one knee
    raised, so no leg lay along the floor for :func:`_trunk_behind_lying_legs`: 'bends forward to
    about 60' was said. Both thighs, because one flat thigh alone is also a leg kicked up behind a
    standing bend (round 14, Penn 0095: a pitcher's follow-through, the other knee unread)."""
    sides = ("left", "right")
    thighs = np.array([body.knee[s][peak, :2] - body.hip_joint[s][peak, :2] for s in sides])
    spine = body.neck[peak] - body.hip[peak]
    if not (np.isfinite(thighs).all() and np.isfinite(spine[:2]).all() and body.hip[peak, 1] < SEATED_HIPS):
        return False
    flat = bool((thighs[:, 1] >= -np.abs(thighs[:, 0])).all())
    one_side = len(set(np.sign(thighs[:, 0]))) == 1
    return bool(flat and one_side and thighs[0, 0] * spine[0] < 0)


def _trunk_bend_words(from_up: float, from_own: float) -> str:
    """A bend's amount in words: 'by about N degrees', N the larger of the tilt from up and from the
    clip's own upright (a Kinect v1 spine line leaning back when people stand must not shrink a bend);
    where the own upright is itself tilted towards the bend by more than the rounding (a bowler or a
    golfer who never stands straight), the bend from it is smaller than the tilt said: then the words
    name their reference, 'to about N degrees from vertical'."""
    if np.isfinite(from_own) and from_up - from_own > TRUNK_REFERENCES_AGREE:
        return f"to about {int(round(from_up, -1))} degrees from vertical"
    return f"by about {int(round(max(from_up, from_own) if np.isfinite(from_own) else from_up, -1))} degrees"


def _bend_front(body: _Body, world: World, peak: int) -> np.ndarray:
    """The person's front (h1, h2) at a bend's peak: the facing where the shoulder line is readable
    and at least BEND_FACING_WIDTH wide over the peak's BEND_HELD; else the bent knees' front
    (:func:`_knee_forward`); NaN where neither tells it."""
    rows = slice(peak, min(peak + body.rate.frames(BEND_HELD), len(world.facing)))
    width = np.asarray(world.shoulder_width)[rows]
    if world.readable_facing[rows].all() and (np.nan_to_num(width) >= BEND_FACING_WIDTH).all():
        return world.facing[peak]
    # in one image the knees' offset from the hip-ankle line does not tell front from back
    return _knee_forward(body, rows) if world.dims == 3 else np.full(2, np.nan)


def _lean_back_fact(body: _Body, clock: _Clock, front: np.ndarray, image: bool = False) -> list[Fact] | None:
    """Leaning back: the spine's backward angle from its standing direction (see
    :func:`_standing_direction`), towards the person's back (``front``: see :func:`_lean_front`),
    held over BEND_HELD, beyond the lean_back threshold, LEAN_RISE above its usual level and
    above where it was before, for LEAN_FRAMES at half of it or more, in place (LEAN_PLACE). None
    where no lean back is read (the bend reading goes on); a lying body (a sit-up) does not lean.
    In an ``image``, a lean read from one shoulder of a body facing along the camera axis is a
    sideways tilt (see :func:`_one_shoulder_front_on`): no trunk fact at all ([])."""
    if not np.isfinite(front).all():
        return None
    spine = _bend_trunk(body)
    tilt = _spine_tilt(spine)
    held = body.rate.frames(BEND_HELD)
    back = _held(-_forward_pitch(spine, _lean_reference(body, spine, tilt, front), front), held)
    if not _readable(back, 1):
        return None
    peak = _argmax(back)
    lean, base = float(back[peak]), float(np.nanpercentile(back, 10))
    if not (THRESHOLDS["lean_back"] < lean <= FORWARD_BEYOND and lean - base > LEAN_RISE):
        return None                      # beyond FORWARD_BEYOND no standing body leans back: the front is wrong
    if tilt[peak] > LYING_TILT and body.hip[peak, 1] < LYING_HIPS:
        return None
    if not np.nanmin(back[: peak + 1]) < lean - LEAN_RISE:
        return None                      # not seen going back from upright (the clip starts there)
    if _held(_trunk_back_of_legs(body, spine, front), held)[peak] <= 0:
        return None                      # not back of the legs' line either: a golfer straightening up from the
        #                                  address (the standing start, bent forward), a seated body sitting back
    span = _extent(back, peak, (lean + base) / 2)
    if span[1] - span[0] + 1 < body.rate.frames(LEAN_FRAMES):
        return None                      # a few frames' jolt at the end of a track is no lean
    if image and _one_shoulder_front_on(body, (peak - held // 2, peak + held // 2)):
        return []                        # the tilt read is sideways: neither a lean nor a bend
    if image and _tilt_against_travel(body, spine, peak):
        return None                      # back is not told (the bend reading says a bend without a direction)
    feet = _mid_ankles(body)
    if np.nanmin([np.linalg.norm(x[peak] - x[span[0]]) for x in (feet, body.hip)]) >= LEAN_PLACE:
        return None                      # leaning back is done standing in place, not walking (away in an image)
    if _hips_below_standing(body, peak):
        return None                      # ... and standing up: not crouched, seated or hanging (see the function)
    return [clock.fact("torso", "lean_back", peak, lean, f"leans the upper body back by about {int(round(lean, -1))} degrees",
                       span)]


def _hips_below_standing(body: _Body, peak: int) -> bool:
    """Whether at a lean's ``peak`` the hips are more than START_STANDING (statures, ~8 cm) below their
    highest in the clip (95th percentile): the body does not stand there but crouches, sits, hangs
    or is tracked with its hips off. A standing body leans back from the hips at standing height (a
    lean lowers them 1-3 cm); a trunk read 'back' in a crouch is, in the hand-checks, a forward bend
    read against a wrong front or a crouch's trunk tracked erratically (hand-check round 13, NW-UCLA
    a02_s02_e02_v03: a two-hand pick-up whose trunk jumps 60 degrees a frame, hips 0.27 below their
    highest), and a body hanging from a bar has no standing upright to lean back from (round 14, Penn
    1250: a pull-up, hips 0.14 below the top of the pull). The 8 leans judged to hold in rounds 9-17
    peak with their hips within 0.03 of their highest. A lean from bent knees (a tennis serve's
    trophy position, hips 0.15 down) is given up with them."""
    hips = body.hip[:, 1]
    if not np.isfinite(hips[peak]) or not _readable(hips):
        return False
    return bool(hips[peak] < np.nanpercentile(hips, 95) - START_STANDING)


def _one_shoulder_front_on(body: _Body, span: tuple[int, int]) -> bool:
    """In an image, whether the trunk over most of ``span`` (the frames a lean's peak is held over) is read from one shoulder while the hips
    are seen apart (HIPS_APART of the trunk's image length or more: a body facing the camera, or
    away from it; seen in profile they overlap). That shoulder sits half the shoulders' width off
    the body's midline, so the line from it to the mid-hips tilts sideways in the image, and a body
    facing along the camera axis has no image front to call that tilt back or forward (hand-check
    round 13, Penn 0716: a lifter facing the camera, hips 0.56 of the trunk apart, the right
    shoulder hidden: -13..-17 degrees read as 'leans back'; leans seen with both shoulders, or in
    profile (hips 0.10 of the trunk apart), are read)."""
    rows = slice(max(span[0], 0), span[1] + 1)
    one = np.isfinite(body.shoulder["left"][rows, 0]) != np.isfinite(body.shoulder["right"][rows, 0])
    hips = np.abs(body.hip_joint["left"][rows, 0] - body.hip_joint["right"][rows, 0])
    trunk = np.linalg.norm((body.neck - body.hip)[rows, :2], axis=1)
    with np.errstate(invalid="ignore"):
        apart = hips >= HIPS_APART * trunk
    return bool(np.mean(one & apart) >= 0.5)


def _lean_reference(body: _Body, spine: np.ndarray, tilt: np.ndarray, front: np.ndarray) -> np.ndarray:
    """The direction a lean back is measured from: the body's standing direction (see
    :func:`_standing_direction`), or the legs' line (feet to hips) over the clip's first frames where
    the trunk there is bent forward of it by more than START_BENT degrees: a ready stance (a server's,
    a batter's, a golfer's address) starts bent forward, and coming up from it leans back only as far
    as past the legs' upright (hand-check round 12: Penn 2244's serve starts 21 degrees forward of its
    legs and leans 5-8 past vertical; read from its start: 'about 30'). The legs, not image up: a
    camera's roll tilts a standing body's legs and trunk alike."""
    ref = _standing_direction(body, spine, tilt)
    legs = body.hip - _mid_ankles(body)
    with np.errstate(invalid="ignore", divide="ignore"):
        along = legs / np.linalg.norm(legs, axis=1, keepdims=True)
    ok = np.flatnonzero(np.isfinite(along).all(axis=1) & np.isfinite(spine).all(axis=1))
    first = ok[ok < max(int(round(END_SHARE * len(spine))), 3)]
    if len(first) < 3:
        return ref
    start = np.median(along[first], axis=0)
    start = start / np.linalg.norm(start)
    forward = _forward_pitch(ref[None, :], start, front)[0]
    return start if np.isfinite(forward) and forward > START_BENT else ref


def _trunk_back_of_legs(body: _Body, spine: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Per frame, the spine's angle (degrees) back of the legs' line (the feet's midpoint to the
    hips), towards the person's back (``front``: a 3D direction): a standing body's vertical read
    from the body itself, which a camera's roll or pitch does not tilt (a standing trunk is within
    ~12 degrees of it: the foot joints' and the sensors' hip conventions). NaN where the legs are
    unreadable (then :func:`_lean_back_fact` reads the standing direction alone)."""
    legs = body.hip - _mid_ankles(body)
    legs = legs / np.linalg.norm(legs, axis=1, keepdims=True)
    ahead = front[None, :] - (legs @ front)[:, None] * legs
    ahead = ahead / np.linalg.norm(ahead, axis=1, keepdims=True)
    unit = spine / np.linalg.norm(spine, axis=1, keepdims=True)
    return -np.degrees(np.arctan2(np.einsum("tc,tc->t", unit, ahead), np.einsum("tc,tc->t", unit, legs)))


def _leans_back_at(body: _Body, front: np.ndarray, peak: int) -> bool:
    """Whether the spine at ``peak`` is tilted back (from its standing direction, towards ``front``'s back)."""
    if not np.isfinite(front).all():
        return False
    spine = _bend_trunk(body)
    pitch = _forward_pitch(spine[peak: peak + 1], _standing_direction(body, spine, _spine_tilt(spine)), front)[0]
    return bool(np.isfinite(pitch) and pitch < 0)


def _standing_direction(body: _Body, spine: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """The spine's direction (unit) when this body stands, read from the body alone: 'up' is read
    from the feet-to-head line, which a lean held for most of the clip tilts back by up to ~15
    degrees (then the least tilted frames are part-way into the lean). A body that starts standing
    (its hips within START_STANDING of their highest) gives its starting direction (the median of
    its first END_SHARE frames); else the direction in the frames where the trunk lines up best
    with the legs (feet to hips; 10th percentile of their angle: a standing body's legs stay upright
    while it leans, though a foot joint ahead of the ankle tilts that line a few degrees); without
    readable legs, the least tilted frames' (:func:`_upright_direction`)."""
    unit = spine / np.linalg.norm(spine, axis=1, keepdims=True)
    ok = np.flatnonzero(np.isfinite(unit).all(axis=1))
    if len(ok) >= 3 and _starts_standing(body):
        return _trunk_start_direction(unit, ok[: max(int(round(END_SHARE * len(unit))), 3)])
    legs = body.hip - _mid_ankles(body)
    along = legs / np.linalg.norm(legs, axis=1, keepdims=True)
    angle = np.degrees(np.arccos(np.clip(np.einsum("tc,tc->t", unit, along), -1, 1)))
    if not _readable(angle):
        return _upright_direction(spine, tilt)
    straight = np.isfinite(angle) & (angle <= np.nanpercentile(angle, 10))
    ref = np.median(unit[straight], axis=0)
    return ref / np.linalg.norm(ref)


def _starts_standing(body: _Body) -> bool:
    """Whether the body stands at the clip's start: its hips within START_STANDING of their highest
    (95th percentile), or, in 3D, both legs straight there (the median knee angle over the first
    END_SHARE frames at least BENT_KNEE degrees). Hips that rise later without the legs straightening
    (a Kinect hip centre pulled up 5 cm while the arms are raised over the head) do not make a
    straight-legged start a crouch (hand-check round 31, NW-UCLA a09_s08_e03_v01: hips 0.051 below
    their highest at a start with knees at 161-176 degrees; the standing direction then came from
    the frames whose trunk lines up best with the legs, a forward bend 9 degrees ahead of the start,
    and a trunk 13 degrees back of its upright read 'leans back by about 20'). In an image a
    front-on crouch can show straight-looking legs: there the hips alone decide."""
    hips = body.hip[:, 1]
    if not _readable(hips):
        return False
    if _level(hips) >= np.nanpercentile(hips, 95) - START_STANDING:
        return True
    if not np.nanmax(np.abs(body.hip[:, 2])) > 0:
        return False                     # no depth: an image
    return all(_level(knee_angles(body.hip_joint[s], body.knee[s], body.ankle[s])) >= BENT_KNEE
               for s in ("left", "right"))


def _trunk_start_direction(unit: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The spine's starting direction (unit) over the ``first`` readable frames: :func:`_steady_direction`
    over all of them, or over those before the spine first turns more than TRUNK_START_STEADY from
    the first three frames' median where the frames after those keep turning (no steady posture of
    their own, their spread about their median beyond TRUNK_START_STEADY): a bend that sets in
    within the window (hand-check round 30, UTD-MHAD a21_s2_t4: at frame 4 of 10) pulls the whole
    window's median ~10 degrees forward, and a trunk 10 degrees back of upright read 'leans back by
    about 20'. A window whose first frames alone differ from a steady rest (NW-UCLA a08_s06_e03_v03:
    frames 0-2, then 15 frames within 5 degrees) keeps the whole window's reading."""
    whole = _steady_direction(unit, first, np.median(unit[first], axis=0))
    early = np.median(unit[first[:3]], axis=0)
    early = early / np.linalg.norm(early)
    moved = np.flatnonzero(_degrees_from(unit[first], early) > TRUNK_START_STEADY)
    if len(moved) == 0 or moved[0] < 3:
        return whole
    rest = unit[first[moved[0]:]]
    middle = np.median(rest, axis=0)
    if not _degrees_from(rest, middle / np.linalg.norm(middle)).max() > TRUNK_START_STEADY:
        return whole
    return _steady_direction(unit, first[: moved[0]], early)


def _degrees_from(unit: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """The angle (degrees) of each unit direction in ``unit`` (N, C) from the unit ``ref``."""
    return np.degrees(np.arccos(np.clip(unit @ ref, -1, 1)))


def _steady_direction(unit: np.ndarray, rows: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """The median direction (unit) of ``rows`` within TRUNK_START_STEADY degrees of ``ref``, or of
    all of ``rows`` where fewer than 3 are (a bend or lean that sets in early in the clip, tilting
    the spine far from the rest, is no part of the standing start)."""
    ref = ref / np.linalg.norm(ref)
    steady = rows[_degrees_from(unit[rows], ref) <= TRUNK_START_STEADY]
    if len(steady) >= 3:
        ref = np.median(unit[steady], axis=0)
    return ref / np.linalg.norm(ref)


def _front_turned(body: _Body, world: World, peak: int, front: np.ndarray) -> bool:
    """In 3D, whether ``front`` (h1, h2), read at a bend's ``peak``, points more than TURNED_FRONT
    degrees away from the facing the body had before the peak while its trunk was upright (below the
    lean_back threshold from up) and its shoulder line read and wide (BEND_FACING_WIDTH): their mean
    unit facing, over at least 3 such frames. A body bending down sideways to the camera turns its
    shoulder line round or edge-on (hand-check round 15, NW-UCLA a03_s04_e01_v03: the facing turns
    round at frame 29 while the trunk bends forward, towards where the body faced, 40 degrees, read
    as 'leans back'): the direction of the bend is then not told. False where no such frames are."""
    if world.dims != 3 or not np.isfinite(front).all():
        return False
    tilt = _trunk_tilt(body)[:peak]
    width = np.nan_to_num(np.asarray(world.shoulder_width, float)[:peak])
    with np.errstate(invalid="ignore"):
        rows = world.readable_facing[:peak] & (width >= BEND_FACING_WIDTH) & (tilt < THRESHOLDS["lean_back"])
    if rows.sum() < 3:
        return False
    facing = world.facing[:peak][rows]
    mean = (facing / np.linalg.norm(facing, axis=1, keepdims=True)).mean(axis=0)
    if not np.linalg.norm(mean) > 0:
        return False
    cos = float(mean @ front) / (np.linalg.norm(mean) * np.linalg.norm(front))
    return cos < np.cos(np.radians(TURNED_FRONT))


def _lean_front(body: _Body, world: World, layout: Layout | None) -> np.ndarray:
    """The person's front as a 3D direction in world coordinates, for a lean: in 3D the front
    :func:`_bend_front` reads at the trunk's most tilted frame, else the clip's steady facing
    (:func:`_steady_facing`); in a 2D image the side of the image the face or the knees point to
    (:func:`_image_front`). NaN where none tells it."""
    if world.dims == 2:
        side = _image_front(body, world, layout)
        if side and _knees_turned_at_peak(body, side):
            return np.full(3, np.nan)
        return np.array([side, 0.0, 0.0]) if side else np.full(3, np.nan)
    tilt = _held(_trunk_tilt(body), body.rate.frames(BEND_HELD))
    if not _readable(tilt, 1):
        return np.full(3, np.nan)
    peak = _argmax(tilt)
    front = _bend_front(body, world, peak)
    if not np.isfinite(front).all():
        # a shoulder line narrow or unread at the peak: the facing of a body that does not turn
        # (an edge-on line whose sides swap now and then gives no steady facing)
        front = _steady_facing(world)
    elif _front_turned(body, world, peak, front):
        return np.full(3, np.nan)
    elif _knees_against(body, peak, front):
        # only a lean back reads this front's sign as 'back' (a forward bend says 'forward' against
        # the facing of _bend_fact, which keeps its own check): knees that contradict it leave no lean
        return np.full(3, np.nan)
    return np.array([front[0], 0.0, front[1]])


def _knees_against(body: _Body, peak: int, front: np.ndarray) -> bool:
    """In 3D, whether a knee bent (below BENT_KNEE) over the trunk's most tilted frames (LEAN_FRAMES
    either side of ``peak``, at least 3 bent frames) lies on average more than KNEE_AGAINST behind its
    hip-ankle line along ``front`` (h1, h2): a bent knee points to the front, so the facing is
    reversed (hand-check round 17, NW-UCLA a02_s07_e02_v03: a narrow, collapsing shoulder line faced
    backwards while the right knee bent 0.06-0.11 m towards it, and a forward bend read 'leans the
    upper body back by about 40 degrees'). The bend's direction is then not told."""
    around = body.rate.frames(LEAN_FRAMES)
    rows = slice(max(peak - around, 0), peak + around + 1)
    unit = front / np.linalg.norm(front)
    for side in ("left", "right"):
        along = _bent_knee_offsets(body, side, rows) @ unit
        along = along[np.isfinite(along)]
        if len(along) >= 3 and float(np.mean(along)) < -KNEE_AGAINST:
            return True
    return False


def _knees_turned_at_peak(body: _Body, side: float) -> bool:
    """In an image, whether the knees over the trunk's most tilted frames (LEAN_FRAMES either side of
    its held peak) point to the other image side than ``side``, the clip's front: a body that turns
    in the motion (a serve, a throw: side-on at the start, towards the court in the follow-through)
    changes which image side is its front, and the clip's front does not tell a lean's direction at
    its peak (hand-check round 15, Penn 2185: the knees point to -h1 over most of the serve, to +h1
    as the server folds forward after the hit: 'leans the upper body back by about 30 degrees')."""
    tilt = _held(_trunk_tilt(body), body.rate.frames(BEND_HELD))
    if not _readable(tilt, 1):
        return False
    peak, around = _argmax(tilt), body.rate.frames(LEAN_FRAMES)
    return _knees_front(body, slice(max(peak - around, 0), peak + around + 1)) == -side


def _steady_facing(world: World) -> np.ndarray:
    """The mean facing (h1, h2) over the clip's readable frames when they agree (their unit
    facings' mean at least STEADY_FACING long: a body that does not turn); else NaN."""
    rows = world.readable_facing
    if rows.sum() < 3:
        return np.full(2, np.nan)
    mean = world.facing[rows].mean(axis=0)
    if np.linalg.norm(mean) < STEADY_FACING:
        return np.full(2, np.nan)
    return mean / np.linalg.norm(mean)


def _image_front(body: _Body, world: World, layout: Layout | None) -> float:
    """In a 2D image, the image side (+1: along h1, -1: against it) the person's front points to
    when seen in profile: the nose ahead of the ears, else the knees ahead of their hip-ankle
    lines (averaged over the clip, FRONT_AGREE of the frames agreeing); 0 where neither tells it
    (a body seen from the front or back: nose between the ears, knees on their lines), or the two
    disagree."""
    by_knees = _knees_front(body, slice(None))
    by_face = 0.0
    names = layout.joints if layout is not None else ()
    if "nose" in names and ("left_ear" in names or "right_ear" in names):
        ears = tuple(names.index(e) for e in ("left_ear", "right_ear") if e in names)
        nose = world.coords[:, names.index("nose"), 0] - nanmean_joints(world.coords, ears)[:, 0]
        by_face = _front_vote(nose, FACE_FRONT)
    if by_face and by_knees and by_face != by_knees:
        return 0.0
    return by_face or by_knees


def _front_vote(offset: np.ndarray, least: float) -> float:
    """The image side (+1 / -1 along h1) that per-frame offsets along h1 point to: their mean at
    least ``least`` from 0 over 5 readable values or more, FRONT_AGREE of them on its side; else 0."""
    offset = offset[np.isfinite(offset)]
    if len(offset) < 5 or abs(float(np.mean(offset))) < least:
        return 0.0
    side = float(np.sign(np.mean(offset)))
    return side if np.mean(np.sign(offset) == side) >= FRONT_AGREE else 0.0


def _knees_front(body: _Body, rows: slice) -> float:
    """The image side (+1 / -1 along h1) the knees point to over ``rows`` (ahead of their hip-ankle
    lines by KNEE_FRONT on average, FRONT_AGREE of the readable leg-frames agreeing), 0 when they
    do not tell it. Over the whole clip it is :func:`_image_front`'s knee vote."""
    offset = np.concatenate([(body.knee[s] - (body.hip_joint[s] + body.ankle[s]) / 2)[rows, 0] for s in ("left", "right")])
    return _front_vote(offset, KNEE_FRONT)


def _bent_knee_offsets(body: _Body, side: str, rows: slice) -> np.ndarray:
    """(N, 2): the horizontal offset of the side's knee from its hip-ankle line in the frames of
    ``rows`` where it bends below BENT_KNEE (a knee bends forward, so these point to the front)."""
    hip, knee, ankle = body.hip_joint[side][rows], body.knee[side][rows], body.ankle[side][rows]
    with np.errstate(invalid="ignore"):
        bent = knee_angles(hip, knee, ankle) < BENT_KNEE
    return (knee - (hip + ankle) / 2)[bent][:, [0, 2]]


def _knee_forward(body: _Body, rows: slice) -> np.ndarray:
    """The front told by bent knees (a knee bends forward, ahead of the line from its hip to its
    ankle) over ``rows``: the mean of the legs' knee offsets where they bend below BENT_KNEE, if at
    least 3 leg-frames bend and all of them agree within 60 degrees; else NaN."""
    offsets = np.concatenate([_bent_knee_offsets(body, side, rows) for side in ("left", "right")])
    if len(offsets) < 3:
        return np.full(2, np.nan)
    mean = offsets.mean(axis=0)
    if np.linalg.norm(mean) == 0:
        return np.full(2, np.nan)
    front = mean / np.linalg.norm(mean)
    units = offsets / np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-9)
    return front if bool((units @ front > 0.5).all()) else np.full(2, np.nan)


def _upright_lean(spine: np.ndarray, world: World) -> float:
    """How far back (degrees, >= 0) the spine line leans when this body stands: its backward tilt
    at the start of the clip, at most UPRIGHT_LEAN (a clip that starts leaning far back has no
    upright reference; Kinect v1's spine line leans ~8 degrees back in a standing person)."""
    ahead = np.einsum("tc,tc->t", spine[:, [0, 2]], world.facing)
    signed = np.degrees(np.arctan2(ahead, spine[:, 1]))          # > 0 forward, NaN where facing unreadable
    start = _level(signed)
    return float(np.clip(-start, 0.0, UPRIGHT_LEAN)) if np.isfinite(start) else 0.0


def _knee_angle(body: _Body, t: int) -> float:
    """The smaller hip-knee-ankle angle of the two legs at frame t (degrees; 180 = straight)."""
    angles = [float(knee_angles(body.hip_joint[s][t], body.knee[s][t], body.ankle[s][t])) for s in ("left", "right")]
    angles = [a for a in angles if np.isfinite(a)]
    return min(angles) if angles else float("nan")


def _legs_fold(body: _Body, first: Callable[[np.ndarray], float] | None = None) -> float:
    """The change (end level minus start level) of the hips' height above the feet in torso
    lengths: a scale-free reading for 2D images, where a body walking away from the camera shrinks
    and climbs the image (its hips 'drop') while its legs stay as long as its torso."""
    feet = _mid_ankles(body)[:, 1]
    torso = np.linalg.norm(body.neck - body.hip, axis=1)
    ratio = (body.hip[:, 1] - feet) / np.where(torso > 0, torso, np.nan)
    if not _readable(ratio):
        return float("nan")
    return _level(ratio, at_end=True) - (first or _level)(ratio)


def _rose_back(height: np.ndarray, start: float, end: float, held: int) -> bool:
    """Whether the hips, after their lowest point, came back up above half-way between their
    ``start`` and ``end`` levels for ``held`` frames: a body that ends lower than it started but
    stood up again in between (hand-check round 17, Penn 0771's clean and jerk: down into the catch,
    back up to standing, a dip in the jerk, ending a bit lower) did not sit down and stay down."""
    if not _readable(height, 1):
        return False
    after = _held(height[int(np.nanargmin(height)):], held)
    return bool(_readable(after, 1) and np.nanmax(after) > (start + end) / 2)


def _back_up_at_end(height: np.ndarray, start: float) -> bool:
    """Whether the hips' last readable frames (the median of 3) are back up more than BACK_UP_AT_END
    of the way from their lowest to their ``start`` level: a rise the clip's end cuts short, which
    :func:`_rose_back` (a rise held, above half-way to an end level that still holds the crouch)
    misses (hand-check round 26, NW-UCLA a01_s10_e04_v01: hips 0.63 -> 0.40 -> 0.57 statures, the
    head back up in the last 6 frames)."""
    seen = np.flatnonzero(np.isfinite(height))
    if len(seen) < 3:
        return False
    lowest = float(np.nanmin(height))
    last = float(np.median(height[seen[-3:]]))
    return bool(start > lowest and last - lowest > BACK_UP_AT_END * (start - lowest))


def _walks_through(body: _Body, first: int, last: int, size: float) -> bool:
    """Whether the body travels along the floor between frames ``first`` and ``last`` (a sit-down's
    or stand-up's span) by more than WALK_THROUGH times the height change ``size``: the feet and the
    hips both (the less of the two counts: hips slide back onto a seat over planted feet, and feet go
    unseen). A body walking away while its hips read lower or higher is no sit-down or stand-up."""
    feet = _mid_ankles(body)
    travel = np.nanmin([np.linalg.norm((x[last] - x[first])[[0, 2]]) for x in (feet, body.hip)])
    return bool(travel > WALK_THROUGH * size)


def _image_scale(body: _Body) -> np.ndarray:
    """The figure's size in each image frame (T,) against its size at the clip's start: per frame the
    largest of the trunk's, thighs' and shanks' lengths, each against its own starting level. A
    segment seen end-on is shorter in the image (a thigh in a squat facing the camera, a trunk bent
    towards it), never longer, so the largest ratio is the one least foreshortened; a walk away from
    the camera or a zoom shrinks them all alike. NaN where no segment is read."""
    segments = [np.linalg.norm(body.neck - body.hip, axis=1)]
    for side in ("left", "right"):
        segments += [np.linalg.norm(body.hip_joint[side] - body.knee[side], axis=1),
                     np.linalg.norm(body.knee[side] - body.ankle[side], axis=1)]
    ratios = [x / _level(x) for x in segments if _readable(x) and _level(x) > 0]
    if not ratios:
        return np.full(len(body.hip), np.nan)
    width = body.rate.window(SCALE_SMOOTHING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        largest = np.nanmax(ratios, axis=0)
        # the size changes slowly (a walk, a zoom): one frame's segment read long or short is noise
        return _median5(largest, width, pad_with_ends=False)


def _scaled_above_feet(body: _Body) -> np.ndarray | None:
    """In an image whose figure changes size (:func:`_image_scale` at the end differs from the start
    by more than SCALE_CHANGE, its feet moving by FLOOR_SHIFT the same way), the hips' height above the ankles (T,) in the figure's own size in
    each frame, above the lower ankle (the foot on the floor: a stride's trailing foot is lifted);
    None where the size holds (the clip's one stature reads the heights) or is unread."""
    scale = _image_scale(body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        floor = np.nanmin([body.ankle["left"][:, 1], body.ankle["right"][:, 1]], axis=0)
    if not (_readable(scale) and _readable(floor)):
        return None
    change = _level(scale, at_end=True) / _level(scale)
    shift = _level(floor, at_end=True) - _level(floor)
    if not (change < 1.0 - SCALE_CHANGE and shift > FLOOR_SHIFT or change > 1.0 + SCALE_CHANGE and shift < -FLOOR_SHIFT):
        return None
    return (body.hip[:, 1] - floor) / scale


def _height_facts(body: _Body, clock: _Clock, reading: "_Context", dims: int = 3) -> list[Fact]:
    """Sitting down, standing up and squatting: the hips' height above the floor (in 2D images
    also the legs folding against the torso: see :func:`_legs_fold`). In an image whose source
    flags guessed joints, a sit-down must also stay down in the hips the annotation shows
    (:func:`_seen_hips_back_up`)."""
    height = body.hip[:, 1]
    if not _readable(height):
        return []
    start, end = _level(height), _level(height, at_end=True)
    # the squat's depth is read without a leg's tracking glitch (3D: see _body_pelvis_height)
    depth = _body_pelvis_height(body) if dims == 3 else height
    low = int(np.nanargmin(depth))
    words = reading.distance_words
    folds = _legs_fold(body) if dims == 2 else None
    # in 3D the hips must also go down (up) against the feet: a walk under an 'up' tilted by a few
    # degrees lifts hips and feet alike (a body walking 1 m under 10 degrees: 0.17 m)
    above = body.hip[:, 1] - _mid_ankles(body)[:, 1]
    if dims == 3 and _readable(above, max(5, len(above) // 2)):
        fall, lift = _level(above) - _level(above, at_end=True), _level(above, at_end=True) - _level(above)
    else:
        fall = lift = np.inf
    # how far (the size said): the hips' fall against the ankles' mean or against the grounded feet
    # (see :func:`_body_above_feet`), whichever is larger. Both take off the drift of a tilted up,
    # which moves feet and hips alike, but a foot guessed in the air while hidden drags the mean
    # (NW-UCLA a05_s06_e03: a left ankle 0.4-0.85 m high, above its knee: 0.18 m said for 0.37),
    # and a seated body's foot lifted off the floor leaves only the other, which may sink
    # (a05_s04_e03_v01). Whether the body sat down (stood up) at all is read against the mean.
    grounded = _body_above_feet(body) if dims == 3 else above
    # ... and a rise lifts the head with them, by at least half as much: a pelvis reading that shifts
    # while the head stays (a carry whose hip joint rises 0.14 with the head 0.05) is no standing up
    head = body.head[:, 1]
    head_lift = np.inf
    if _readable(head, max(5, len(head) // 2)):
        head_lift = _level(head, at_end=True) - _level(head)
    # sitting down and standing up compare how the clip starts and ends: with the hips unread at
    # either end (a tracker's left/right swap or a lost track drops them), the level read there
    # comes from frames before the end and says nothing of it
    ends = _ends_read(height)
    if (ends and start - end > THRESHOLDS["sit_down"] and fall > THRESHOLDS["sit_down"] and (folds is None or folds < -LEG_FOLD)
            and not _rose_back(height, start, end, body.rate.frames(BEND_HELD)) and not _back_up_at_end(height, start)
            and not (dims == 2 and _seen_hips_back_up(body))):
        mid = _crossing(height, (start + end) / 2, falling=True)
        span = (_crossing(height, start - 0.1 * (start - end), falling=True), _crossing(height, end + 0.1 * (start - end), falling=True))
        # the simile only where it fits: a body that stays low bent far forward (a bowler's
        # follow-through, a pitcher's stride) is not seated
        tilt = _level(_trunk_tilt(body), at_end=True)
        simile = ", as when sitting down" if tilt <= SEATED_TILT and _stays_seated(body, height, start - end) else ""
        drop = min(start - end, max(fall, _level(grounded) - _level(grounded, at_end=True)))
        if dims == 2 and (scaled := _scaled_above_feet(body)) is not None:
            # the figure changes size: the lowering is read against its size in each frame, and a
            # body back up there (a bowler's slide, then walking on away) did not stay down
            first, last = _level(scaled), _level(scaled, at_end=True)
            if (not first - last > THRESHOLDS["sit_down"] or _back_up_at_end(scaled, first)
                    or _rose_back(scaled, first, last, body.rate.frames(BEND_HELD))):
                return []
            drop = first - last
        if dims == 3 and _walks_through(body, min(span[0], mid), max(span[1], mid), drop):
            return []
        return [clock.fact("body", "sit_down", mid, drop, f"lowers the body by {words(drop)} and stays down{simile}", span)]
    # a rise starts from the lowest the hips get (a rise ends the clip higher than it started, so the
    # lowest comes before it): a clip that first comes down from higher than that by more than a
    # stand-up's threshold (NW-UCLA a02_s07_e05: it starts part-way down a pick-up, 1.01 -> 0.33 m,
    # then rises 0.75 m) is a lowering and a rise, read as a squat below, not a stand-up from its
    # first frames
    came_down = _body_came_down(depth, low)
    stands_up = (ends and end - start > THRESHOLDS["stand_up"] and not came_down > THRESHOLDS["stand_up"] and lift > THRESHOLDS["stand_up"]
                 and head_lift > max(THRESHOLDS["stand_up"], end - start) / 2 and (folds is None or folds > LEG_FOLD)
                 and not (dims == 2 and _seen_hips_stay(body, _level)))
    early = None if stands_up or not ends else _early_rise(body, height, end, dims)
    if early is not None and dims == 2 and _seen_hips_stay(body, _first_level):
        early = None
    # a rise done in the clip's first frames is measured from them (see :func:`_early_rise`); a squat
    # after it (a clean and jerk's catch, Penn 0729) is still read below
    risen: list[Fact] = []
    if stands_up:
        return _stand_up_fact(body, clock, words, height, (start, end), low, lift, (above, grounded), dims)
    if early is not None:
        first, rise_low, early_lift = early[:3]
        risen = _stand_up_fact(body, clock, words, height, (first, end), rise_low, early_lift, None, dims)
    # a squat goes down from standing and comes back up; the clip may start or end part-way
    # down, or hold several squats: the standing level is the highest the hips get before the
    # lowest point, and they must come back at least half-way after it
    before, after = depth[: low + 1], depth[low:]
    dip = float(np.nanmax(before)) - height[low] if _readable(before, 1) else 0.0
    back = float(np.nanmax(after)) - height[low] if _readable(after, 1) else 0.0
    knee = _knee_angle(body, low)
    if _lying(body, low, height):
        return risen                     # a body lying (a push-up) goes down by the arms, not the knees
    by_hips = dip > THRESHOLDS["squat"] and back > dip / 2 and not knee >= BENT_KNEE and _on_the_spot(body, height, low)
    if by_hips or _knee_cycle(body, height, hips_back=back > dip / 2):
        dip = _squat_size(body, depth, dip)
        # the knee cycle finds a squat whose hips' drop is hard to read, but what is said is that drop:
        # below a squat's own threshold it is no lowering of the body (hand-check round 14, Penn 2181: a
        # tennis serve's hips wobbling 0.02-0.05 statures with the knees unmoved, said as 0.01), unless
        # the bottom is unread and the size only a lower bound ('at least')
        unread = _bottom_unread(height, depth, low)
        if dip <= THRESHOLDS["squat"] and not unread:
            return risen
        size = words(dip)
        if unread:
            size = size.replace("about", "at least", 1)
        return risen + [clock.fact("legs", "squat", low, dip,
                           f"bends the knees and lowers the body by {size}, then comes back up",
                           _extent(-height, low, -(height[low] + dip / 2)))]
    return risen


def _stand_up_fact(body: _Body, clock: _Clock, words: Callable[[float], str], height: np.ndarray,
                   levels: tuple[float, float], low: int, lift: float,
                   against: tuple[np.ndarray, np.ndarray] | None, dims: int) -> list[Fact]:
    """The stand-up fact of :func:`_height_facts`: the hips ``height`` rise from ``levels`` (start,
    end) after frame ``low``, by the rise from the lowest they get, no more than the hips' rise above
    the feet (``against``: the hips above the ankles' mean and above the grounded feet, read from the
    lowest before the rise's middle; None: ``lift``, already read so) where that is read; none where
    the body walks through it (3D). A body that goes down again after standing (by more than a
    stand-up's threshold from the highest level it holds for BEND_HELD, to its end level) is measured
    to that held level, the hips above the feet too (hand-check round 32, NW-UCLA a01_s08_e04_v01:
    the pelvis 0.46-0.50 -> 0.89 m, then down to 0.61 for a second reach; said 0.18 m for 0.39-0.42).
    The feet's rise is taken off the hips' only as far as their travel on the floor under a tilted
    'up' explains it (:func:`_feet_drift`): ankles that read higher where they stand are no drift."""
    start, end = levels
    bottom = min(start, float(height[low])) if np.isfinite(height[low]) else start
    # a body that stands and then goes down again (a second reach in a pick-up) is measured to the
    # standing level it held, not to its lowered end
    held = body.rate.frames(BEND_HELD)
    top = _held_top(height, low, held)
    lowered = top - end > THRESHOLDS["stand_up"]
    if lowered:
        end = top
    mid = _crossing(height, (bottom + end) / 2, falling=False, after=low)
    span = (_crossing(height, bottom + 0.1 * (end - bottom), falling=False, after=low),
            _crossing(height, end - 0.1 * (end - bottom), falling=False, after=low))
    # by how much: from the lowest the hips get before rising, not from the clip's first frames
    rise = end - bottom
    if np.isfinite(lift) and not (lowered and against is None):
        feet_kept = lift if against is None else max(_body_rise_above(x, mid, held if lowered else None) for x in against)
        if np.isfinite(feet_kept):
            rise = min(rise, max(feet_kept, rise - _feet_drift(body, low)))
    if dims == 2 and (scaled := _scaled_above_feet(body)) is not None:
        # the figure changes size (a walk towards the camera grows it): the rise in its own size
        rise = _body_rise_above(scaled, mid, held if lowered else None)
        if not rise > THRESHOLDS["stand_up"]:
            return []
    if dims == 3 and _walks_through(body, min(span[0], mid), max(span[1], mid), rise):
        return []
    return [clock.fact("body", "stand_up", mid, rise, f"rises from a low position to standing, by {words(rise)}", span)]


def _feet_drift(body: _Body, low: int) -> float:
    """How far (statures) an 'up' read UP_DRIFT degrees off lifts the feet as they travel on the floor
    from frame ``low`` on (their ground track's furthest from its place there): the most of the feet's
    rise that the stand-up's size may take off the hips' rise (:func:`_stand_up_fact`). Feet that rise
    where they stand are a tracker's error (the ankles read higher on a standing body than on a seated
    one), not a drift: hand-check round 49, NW-UCLA a06_s05_e03_v02, both ankles up 0.07-0.11 statures
    as the person stands, within 0.03 of where they were, the size said 0.24 m for a 0.38-m rise.
    Infinite where the feet are not read there (the feet's rise is then taken off whole)."""
    ground = _mid_ankles(body)[low:][:, [0, 2]]
    read = np.flatnonzero(np.isfinite(ground).all(axis=1))
    if not len(read):
        return float("inf")
    travel = np.linalg.norm(ground[read] - ground[read[0]], axis=1)
    return float(np.tan(np.radians(UP_DRIFT)) * travel.max())


def _first_level(x: np.ndarray) -> float:
    """The level of a signal over its first WINDOW_LEAST readable frames (their median)."""
    idx = np.flatnonzero(np.isfinite(x))[:WINDOW_LEAST]
    return float(np.median(x[idx])) if len(idx) else float("nan")


def _early_rise(body: _Body, height: np.ndarray, end: float, dims: int
                ) -> tuple[float, int, float, float, float | None] | None:
    """A stand-up done within the clip's first frames, which the start level (the median of its
    first END_SHARE, mostly standing already) does not see (video hand-check, clean_and_jerk.mp4:
    the lifter stands up out of the clean in frames 0-16 of 300, hips 0.40 -> 0.53 statures). Where
    the hips' first WINDOW_LEAST frames all lie a stand-up's threshold below the standing level
    they reach within the start window, they rise there without a jump (no frame's step of the
    unsmoothed hips more than EARLY_RISE_STEP of the rise: a first-frame tracking glitch jumps) and stay up (within half
    a stand-up's threshold of that level) to the window's end, returns (their first
    level, the lowest frame, the hips' rise above the feet, the head's, the legs' fold in 2D
    (None in 3D)), all read from the first frames to the end level as the normal path reads them
    from the start level; else None."""
    k = _end_frames(len(height))
    window = max(int(round(END_SHARE * len(height))), 3)
    first = np.flatnonzero(np.isfinite(height))[:WINDOW_LEAST]
    if len(first) < WINDOW_LEAST or first[-1] >= k:
        return None
    start = _first_level(height)
    standing = float(np.nanmedian(height[first[-1] + 1: window])) if _readable(height[first[-1] + 1: window], 3) else np.nan
    if not (standing - THRESHOLDS["stand_up"] > float(np.nanmax(height[first])) and end - start > THRESHOLDS["stand_up"]):
        return None
    low = int(first[np.argmin(height[first])])
    top = _crossing(height, standing, falling=False, after=low)
    steps = np.abs(np.diff(body.step_hip[low: top + 1, 1]))     # unsmoothed: smoothing spreads a jump
    if top <= low or top + WINDOW_LEAST > window or not (np.nanmax(steps) <= EARLY_RISE_STEP * (standing - start)):
        return None
    if not np.nanmin(height[top:window]) > standing - THRESHOLDS["stand_up"] / 2:
        return None                      # the body does not stand after the rise: it goes down again
    above = body.hip[:, 1] - _mid_ankles(body)[:, 1]
    lift = _level(above, at_end=True) - _first_level(above) if dims == 3 else np.inf
    head = body.head[:, 1]
    head_lift = _level(head, at_end=True) - _first_level(head) if _readable(head, max(5, len(head) // 2)) else np.inf
    folds = max(_legs_fold(body, _first_level), _early_legs_fold(body, top, window)) if dims == 2 else None
    ok = (lift > THRESHOLDS["stand_up"] and head_lift > max(THRESHOLDS["stand_up"], end - start) / 2
          and (folds is None or folds > LEG_FOLD))
    return (start, low, lift, head_lift, folds) if ok else None


def _early_legs_fold(body: _Body, top: int, window: int) -> float:
    """:func:`_legs_fold` of an early rise (see :func:`_early_rise`) in 2D, in the torso length of
    the standing frames after it (from ``top``, where the rise ends, to ``window``) at both ends: a
    trunk bent forward towards the camera at the bottom is shorter in the image (clean_and_jerk.mp4:
    0.28 statures in frame 0, 0.34 standing), so the per-frame ratio undersells the legs' unfolding.
    One scale does not cancel a walk away's shrinking as the ratio does, so it counts only where the
    feet stay within EARLY_FEET_PLACE (statures) of where they were in the first frames; NaN else."""
    feet = _mid_ankles(body)[:, :2]
    first = np.array([_first_level(feet[:, 0]), _first_level(feet[:, 1])])
    if not np.nanmax(np.linalg.norm(feet[: top + 1] - first, axis=1)) <= EARLY_FEET_PLACE:
        return float("nan")
    torso = np.linalg.norm(body.neck - body.hip, axis=1)[top:window]
    above = body.hip[:, 1] - feet[:, 1]
    if not (_readable(torso, 3) and _readable(above[top:window], 3)):
        return float("nan")
    return float((np.nanmedian(above[top:window]) - _first_level(above)) / np.nanmedian(torso))


def _mid_ankles(body: _Body) -> np.ndarray:
    """The point between the ankles (T, C): their mean where both are read, the one read where the
    other is not, NaN where neither is."""
    return np.nanmean([body.ankle["left"], body.ankle["right"]], axis=0)


def _seen_hips_height(body: _Body) -> np.ndarray:
    """In an image, the hips' height (T,) from the hip joints the annotation shows (``body.trunk_seen``):
    their mean where both are seen, the one seen where the other is guessed, NaN where neither is
    (``body.trunk_seen`` must be given). A guessed hip is the annotator's guess, often left where it
    was last seen (hand-check round 29, Penn 0106: a pitcher's right hip marked hidden from frame 57,
    frozen at 157-160 px, held the hips' last frames 0.41 of the way back up from the stride's low
    point; the seen hips were 0.88 of the way back, and the fact said the body 'stays down')."""
    seen = np.stack([np.where(body.trunk_seen[s][:, 1], body.hip_joint[s][:, 1], np.nan) for s in ("right", "left")])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(seen, axis=0)


def _seen_hips_back_up(body: _Body) -> bool:
    """Whether the hips the annotation shows (:func:`_seen_hips_height`) are back up at the clip's end
    by :func:`_back_up_at_end`'s rule, from their own start level; False where the source flags no
    guessed joints."""
    if body.trunk_seen is None:
        return False
    seen = _seen_hips_height(body)
    return _readable(seen, 3) and _back_up_at_end(seen, _level(seen))


def _seen_hips_stay(body: _Body, first: Callable[[np.ndarray], float]) -> bool:
    """Whether the hips the annotation shows (:func:`_seen_hips_height`) rise no more than a stand-up's
    threshold from their start level (``first``: :func:`_level`, or :func:`_first_level` for an early
    rise) to their end level: a 2D stand-up must be seen in the hips, not only in a guessed one
    (hand-check round 32, Penn 0889: a golfer's right hip marked hidden in frames 0-30 and guessed
    low held the hips 0.12 statures under their end level; the seen hips rose 0.045). False where
    the source flags no guessed joints or the seen hips are not read at both ends."""
    if body.trunk_seen is None:
        return False
    seen = _seen_hips_height(body)
    if not (_readable(seen, 3) and _ends_read(seen)):
        return False
    return bool(_level(seen, at_end=True) - first(seen) <= THRESHOLDS["stand_up"])


def _squat_size(body: _Body, depth: np.ndarray, dip: float) -> float:
    """How far a squat goes down (statures), to say: the drop from the highest the hips get before
    their lowest point to that point, on the hips smoothed over QUICK_SMOOTHING only (and not read
    where ``depth`` is not: a leg's tracking glitch). The SMOOTHING mean that finds the squat flattens
    a quick squat's bottom and its starting frames (hand-check round 12: NW-UCLA a02_s06_e04's pick-up,
    down 0.46 m in 6 frames, read as 0.28). ``dip`` (the smoother reading) where that is unread."""
    quick = np.where(np.isfinite(depth), _smooth(body.step_hip[:, 1], body.rate.window(QUICK_SMOOTHING)), np.nan)
    if not _readable(quick, 1):
        return dip
    low = int(np.nanargmin(quick))
    return max(dip, float(np.nanmax(quick[: low + 1]) - quick[low]))


def _bottom_unread(height: np.ndarray, depth: np.ndarray, low: int) -> bool:
    """Whether a squat's bottom lies in the frames a leg's tracking glitch leaves unread (``depth``
    NaN where ``height``, the hips' plain height, is read): the glitch frames right next to its lowest
    trusted frame ``low`` read the hips GLITCH_BOTTOM lower still. Its size read from the trusted
    frames is then only a lower bound (hand-check round 13, NW-UCLA a02_s02_e00: the pelvis 1.06 ->
    0.60 -> 1.11 m with the bottom under a leg glitch: 0.24 m read from the trusted frames). The hips
    read there are not the size either: a jumping leg drags the pelvis (see LEG_GLITCH_BRIDGE)."""
    if not np.isfinite(depth[low]):
        return False
    glitch = np.isfinite(height) & ~np.isfinite(depth)
    for step in (-1, 1):
        run, t = [], low + step
        while 0 <= t < len(height) and glitch[t]:
            run.append(t)
            t += step
        if run and float(np.min(height[run])) < depth[low] - GLITCH_BOTTOM:
            return True
    return False


def _end_frames(n: int) -> int:
    """How many frames of an ``n``-frame clip make its start or its end: LOST_SHARE of them, 3 at least."""
    return max(3, int(round(LOST_SHARE * n)))


def _ends_read(x: np.ndarray) -> bool:
    """Whether ``x`` is read in the first and in the last LOST_SHARE of the frames (3 at least)."""
    k = _end_frames(len(x))
    return bool(np.isfinite(x[:k]).any() and np.isfinite(x[-k:]).any())


def _body_pelvis_height(body: _Body) -> np.ndarray:
    """The hips' height, NaN over a leg's tracking glitch (see :attr:`_Body.leg_glitch`) unless that
    leaves fewer than LEG_GLITCH_KEEP of the readable frames."""
    height = body.hip[:, 1]
    masked = np.where(body.leg_glitch, np.nan, height)
    return masked if np.isfinite(masked).sum() >= LEG_GLITCH_KEEP * np.isfinite(height).sum() else height


def _body_feet_height(body: _Body) -> np.ndarray:
    """The feet's height (T,), the mean of the ankles read on the ground: not over a leg's tracking
    glitch (see :attr:`_Body.leg_glitch`), within FOOT_GROUND of the lower ankle and KNEE_ABOVE_FOOT
    below their own knee (a tracker guessing a hidden foot puts it in the air: NW-UCLA a05_s06_e03's
    left ankle reads 0.4-0.85 m high, above its knee, while the body sits down)."""
    glitch = body.leg_glitch
    ankles = {s: np.where(glitch, np.nan, body.ankle[s][:, 1]) for s in ("left", "right")}
    lower = np.nanmin([ankles["left"], ankles["right"]], axis=0)
    feet = []
    for side, ankle in ankles.items():
        knee = body.knee[side][:, 1]
        grounded = (ankle <= lower + FOOT_GROUND) & ~(knee - ankle < KNEE_ABOVE_FOOT)    # an unread knee does not count against it
        feet.append(np.where(grounded, ankle, np.nan))
    return np.nanmean(feet, axis=0)


def _body_above_feet(body: _Body) -> np.ndarray:
    """The hips' height above the feet on the ground (T,), both read without a leg's tracking glitch
    (see :func:`_body_pelvis_height`, :func:`_body_feet_height`); the plain hips-above-ankles where
    that leaves fewer than LEG_GLITCH_KEEP of its readable frames."""
    plain = body.hip[:, 1] - _mid_ankles(body)[:, 1]
    above = _body_pelvis_height(body) - _body_feet_height(body)
    return above if np.isfinite(above).sum() >= LEG_GLITCH_KEEP * np.isfinite(plain).sum() else plain


def _body_rise_above(above: np.ndarray, mid: int, held: int | None = None) -> float:
    """A rise of the hips above the feet: from the lowest before frame ``mid`` (or the start) to the
    end, or (``held`` given) to the highest level held for ``held`` frames after that lowest."""
    if not _readable(above[: mid + 1], 1):
        return float("nan")
    lowest = min(_level(above), float(np.nanmin(above[: mid + 1])))
    if held is None:
        return _level(above, at_end=True) - lowest
    return _held_top(above, int(np.nanargmin(above[: mid + 1])), held) - lowest


def _held_top(x: np.ndarray, after: int, held: int) -> float:
    """The highest level ``x`` holds for ``held`` frames from frame ``after`` on (NaN where none is read)."""
    tops = _held(x[after:], held)
    return float(np.nanmax(tops)) if _readable(tops, 1) else float("nan")


def _body_came_down(depth: np.ndarray, lowest: int) -> float:
    """How far the hips came down before frame ``lowest``: from the highest they get before it
    (statures; 0 where nothing before it is read)."""
    before = depth[: lowest + 1]
    if not (_readable(before, 1) and np.isfinite(depth[lowest])):
        return 0.0
    return float(np.nanmax(before) - depth[lowest])


def _lying(body: _Body, t: int, height: np.ndarray) -> bool:
    """The body lies at frame t (a push-up, a sit-up): its trunk beyond LYING_TILT degrees from up,
    with the hips below LYING_HIPS statures or the legs beyond LYING_TILT too (a plank's legs lie
    along the floor; a crouching body's legs stand, however far its trunk bends). The legs count
    in 2D images above all, where a lying body's hips-above-floor in statures means little. A trunk
    unreadable at t (a sit-up's head hidden at its lowest) is read at the nearest frame it is seen;
    unseen there too (Penn's sit-ups hide the shoulders), the legs alone decide."""
    tilt = _seen_near(_trunk_tilt(body), t, body.rate.frames(SEEN_NEAR))
    if np.isfinite(tilt):
        if not tilt > LYING_TILT:
            return False
        if height[t] < LYING_HIPS:
            return True
    legs = body.hip[t] - np.nanmean([body.ankle["left"][t], body.ankle["right"][t]], axis=0)
    length = float(np.linalg.norm(legs))
    return bool(length > 0 and np.degrees(np.arccos(np.clip(legs[1] / length, -1, 1))) > LYING_TILT)


def _on_the_spot(body: _Body, height: np.ndarray, low: int) -> bool:
    """A squat lowers the body on the spot: between the frames where the hips pass half-way down and
    half-way up again, the feet (or the hips) travel along the floor less than SQUAT_SPOT of the
    hips' drop (a squat's hips go back and come forward again over planted feet). Hips dipping in a
    long stride travel with the walk (0.8-5 times the dip), and are no squat."""
    before = height[: low + 1]
    if not _readable(before, 1) or not np.isfinite(height[low]):
        return True
    dip = float(np.nanmax(before)) - height[low]
    a, b = _extent(-height, low, -(height[low] + dip / 2))
    feet = _mid_ankles(body)
    # the feet or the hips staying put will do (hips may shift sideways over planted feet, and feet go unseen)
    travel = np.nanmin([np.linalg.norm((x[b] - x[a])[[0, 2]]) for x in (feet, body.hip)])
    return not travel >= SQUAT_SPOT * dip


def _stays_seated(body: _Body, height: np.ndarray, drop: float) -> bool:
    """The hips stay down over the clip's last SEATED_END share (within SEATED_STAY of the drop, or
    0.03 statures) with the knees bent there: a seat, not a body still going down as the clip ends
    (a batter's follow-through)."""
    n = len(height)
    last = np.arange(n - max(3, int(round(SEATED_END * n))), n)
    hips = height[last]
    if not _readable(hips, 3) or np.nanmax(hips) - np.nanmin(hips) > max(SEATED_STAY * drop, 0.03):
        return False
    knees = np.array([_knee_angle(body, int(t)) for t in last])
    return _readable(knees, 2) and float(np.nanmedian(knees)) < BENT_KNEE


def _knee_cycle(body: _Body, height: np.ndarray, hips_back: bool) -> bool:
    """The knees bend deeply (below DEEP_KNEE degrees) from nearly straight and straighten again,
    while the hips go down a little at least: a squat even where the hips' drop is hard to read
    (2D clips that follow the person, or that start part-way down). The cycle is read on the two
    legs' smaller angle; where no one leg completes it on its own, the fold and the straightening
    come from different legs (the other leg stands in where the folded one goes unread), and the
    hips must then come back up after their lowest (``hips_back``): hand-check round 39, Penn 2239, a
    server's left knee folds to 78 degrees after the jump's landing and stays folded to the clip's
    last frame, the hips going down with it; unread in three frames, the straight right knee's 169
    read as the straightening ('then comes back up' said of a body that does not)."""
    either = np.array([_knee_angle(body, t) for t in range(len(height))])
    if not _knee_cycle_in(body, height, either):
        return False
    return hips_back or any(_knee_cycle_in(body, height, knee_angles(body.hip_joint[s], body.knee[s], body.ankle[s]))
                            for s in ("left", "right"))


def _knee_cycle_in(body: _Body, height: np.ndarray, angles: np.ndarray) -> bool:
    """The knee cycle of :func:`_knee_cycle` in the knee ``angles`` (T,): from at least STRAIGHT_KNEE
    degrees down below DEEP_KNEE at their least and back, with the hips down there by more than
    KNEE_CYCLE_DROP leg lengths from the highest they get before, on the spot."""
    if not _readable(angles):
        return False
    deep = int(np.nanargmin(angles))
    straight_before = np.nanmax(angles[: deep + 1]) >= STRAIGHT_KNEE
    straight_after = np.nanmax(angles[deep:]) >= STRAIGHT_KNEE
    drop = np.nanmax(height[: deep + 1]) - height[deep] if np.isfinite(height[deep]) else 0.0
    return bool(angles[deep] < DEEP_KNEE and straight_before and straight_after
                and drop > KNEE_CYCLE_DROP * _leg_length(body) and _on_the_spot(body, height, deep))


def _leg_length(body: _Body) -> float:
    """The shorter leg's length (hip to knee plus knee to ankle, 90th percentile over the clip: a leg
    pointing at a 2D camera shortens), in the body's units; NaN where no leg is read. The shorter:
    a leg with a joint misplaced (an annotation's unplaced joint at the image corner) is far longer."""
    lengths = [np.nanpercentile(np.linalg.norm(body.knee[s] - body.hip_joint[s], axis=1)
                                + np.linalg.norm(body.ankle[s] - body.knee[s], axis=1), 90)
               for s in ("left", "right")]
    return float(np.nanmin(lengths)) if np.isfinite(lengths).any() else float("nan")


def _crossing(x: np.ndarray, level: float, falling: bool, after: int = 0) -> int:
    """The first frame (from frame ``after`` on) at which ``x`` has passed ``level`` (downwards when
    ``falling``)."""
    passed = (x <= level) if falling else (x >= level)
    rows = np.flatnonzero(np.nan_to_num(passed, nan=False))
    rows = rows[rows >= after]
    return int(rows[0]) if len(rows) else len(x) - 1


def _walk_fact(body: _Body, clock: _Clock, world: World, reading: "_Context",
               jumped: np.ndarray | None = None, breaks: np.ndarray | None = None,
               shifts: np.ndarray | None = None, jumps: np.ndarray | None = None) -> list[Fact]:
    """Walking: both feet travel (the hips alone moving is sitting back or leaning, not a walk).
    ``jumped`` (T, V): the joint-frames the tracking check flagged as jumping (see
    :func:`_hips_reach`), or None. ``breaks``: the rows after which the whole skeleton jumps (see
    :func:`_break_rows`); in 3D the walk is read within each unbroken stretch and the one that
    travels farthest is said: a walk read across the jump adds the tracker's shift to the feet's
    travel (hand-check round 32, NW-UCLA a04_s05_e00_v01: two stretches walking forward 1.96 and
    1.47 m, a 2.5-m jump back between them, said 'walks backward, covering about 0.66 m').
    ``shifts``: the rows after which the track breaks with a whole-body step of more than
    WALK_SHIFT_STEP: the walk's paths leave the way across them out (see :func:`_path`). ``jumps``:
    the rows after which the track breaks at all; the paths leave out those of them that carry the
    hips most of the way back to their start too (see :func:`_returning_shifts`)."""
    if world.dims == 2:
        return _image_walk(body, clock, reading)
    stretches = _unbroken_stretches(clock.n, breaks)

    def within(rows: np.ndarray | None, a: int, b: int) -> np.ndarray | None:
        return None if rows is None else rows[(rows >= a) & (rows < b - 1)] - a

    if len(stretches) == 1:
        return _walk_stretch(body, clock, world.facing, reading, jumped, shifts, jumps)
    walks = [f for a, b in stretches if b - a >= WALK_STRETCH_LEAST
             for f in _walk_stretch(_body_within(body, a, b), _StretchClock(b - a, a, clock.n), world.facing[a:b], reading,
                                    None if jumped is None else jumped[a:b], within(shifts, a, b), within(jumps, a, b))]
    return [max(walks, key=lambda f: f.strength)] if walks else []


def _unbroken_stretches(n: int, breaks: np.ndarray | None) -> list[tuple[int, int]]:
    """The (first, last + 1) rows of the stretches of an ``n``-row clip between its track ``breaks``
    (the rows after which the skeleton jumps)."""
    edges = [0] + sorted(int(r) + 1 for r in (breaks if breaks is not None else []) if 0 <= r < n - 1) + [n]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _body_within(body: _Body, first: int, last: int) -> _Body:
    """``body``'s rows ``first`` to ``last`` - 1, as a body of its own (its levels read over them)."""
    def cut(value):
        if isinstance(value, np.ndarray):
            return value[first:last]
        if isinstance(value, dict):
            return {k: v[first:last] for k, v in value.items()}
        return value

    return replace(body, **{f.name: cut(getattr(body, f.name)) for f in fields(body)})


class _StretchClock(_Clock):
    """The clock of rows ``first`` to ``first + n`` - 1 of a clip read on its own: its frame i is
    the whole clip's (``whole`` frames) frame ``first + i``."""

    def __init__(self, n: int, first: int, whole: int):
        super().__init__(n)
        self.first, self.whole = first, _Clock(whole)

    def __call__(self, i: int) -> float:
        return self.whole(i + self.first)


def _walk_stretch(body: _Body, clock: _Clock, facing: np.ndarray, reading: "_Context",
                  jumped: np.ndarray | None, shifts: np.ndarray | None = None,
                  jumps: np.ndarray | None = None) -> list[Fact]:
    """The 3D walk of :func:`_walk_fact` read over the frames where ``body``'s legs and hips are read;
    the paths leave out the way across the ``shifts`` (rows after which the tracker moved the whole
    skeleton more than WALK_SHIFT_STEP in one frame) and across those of the ``jumps`` (rows after
    which the track breaks) that carry the hips most of the way back to their start."""
    feet = [body.ankle[s][:, [0, 2]] for s in ("left", "right")]
    if not all(_readable(f[:, 0]) for f in feet):
        return []
    back = _returning_shifts(body.hip[:, [0, 2]], jumps)
    if len(back):
        shifts = np.union1d(back, [] if shifts is None else shifts).astype(int)
    # a walk around (back near its start) needs each foot to travel on the ground: a hidden foot's
    # guessed reading jumping into the air is no step (a lunge's back foot)
    ground = [_ground_foot(body, s) for s in ("left", "right")]
    mid = np.nanmean(feet, axis=0)
    path = _path(mid, shifts=shifts)
    hips = body.hip[:, [0, 2]]
    net_vec, travelled = _walk_travel(feet, mid, hips)
    walk_from = 0
    if not travelled:
        net_vec, walk_from = _late_walk(feet, mid, hips)
    # a walk around is one unless the body stood (shuffled) before a walk in the clip's last frames
    stood = walk_from > 0 and _path(hips[:walk_from + 1], shifts=shifts) <= LATE_WALK_STOOD
    around = (all(_readable(g[:, 0]) for g in ground) and not travelled and not stood
              and min(_path(f, shifts=shifts) for f in ground + [hips]) > WALK_AROUND_PATH
              and _hips_reach(body, jumped) >= WALK_AROUND_REACH)
    travelled = travelled or (walk_from > 0 and not around)
    if not (travelled or around):
        return []
    moving = np.linalg.norm(np.diff(mid, axis=0), axis=1) > body.rate.per_frame(WALK_MOVING)
    moving[:walk_from] = False
    rows = np.flatnonzero(np.nan_to_num(moving, nan=False))
    span = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, clock.n - 1)
    peak = (span[0] + span[1]) // 2
    if around:
        back = " and ending near where it started" if _back_near_start(hips) else ""
        return [clock.fact("legs", "walk", peak, path, f"walks around, covering {reading.distance_words(path)}{back}", span)]
    direction = _walk_direction(net_vec, facing, span)
    return [clock.fact("legs", "walk", peak, float(np.linalg.norm(net_vec)),
                       f"walks{direction}, covering {reading.distance_words(float(np.linalg.norm(net_vec)))}", span)]


def _returning_shifts(hips: np.ndarray, jumps: np.ndarray | None) -> np.ndarray:
    """The rows of ``jumps`` (after which the track breaks) across which the hips (T, 2, on the floor)
    get more than WALK_SHIFT_BACK of the way back to their start (their place over the first
    WINDOW_LEAST readable frames), read from the last readable row before the break to the first after
    it: a return the tracker's one-frame shift makes is no way walked back (see WALK_SHIFT_BACK)."""
    ok = np.flatnonzero(np.isfinite(hips).all(axis=1))
    if jumps is None or not len(jumps) or len(ok) < 2:
        return np.zeros(0, int)
    start = _start_place(hips, WINDOW_LEAST)
    back = []
    for row in np.asarray(jumps, int):
        before, after = ok[ok <= row], ok[ok > row]
        if not len(before) or not len(after):
            continue
        away, then = (float(np.linalg.norm(hips[r] - start)) for r in (before[-1], after[0]))
        if then < WALK_SHIFT_BACK * away:
            back.append(int(row))
    return np.array(back, int)


def _hips_reach(body: _Body, jumped: np.ndarray | None) -> float:
    """The farthest the hips get on the floor from their start level (statures), read over the frames
    with no joint flagged as jumping in ``jumped`` (T, V) within half the smoothing window (the
    smoothed hips carry a jump into the frames around it); NaN where none is read."""
    hips = body.hip[:, [0, 2]].copy()
    if jumped is not None and len(jumped) == len(hips):
        reach = body.rate.window(SMOOTHING) // 2
        flagged = np.convolve(jumped.any(axis=1).astype(float), np.ones(2 * reach + 1), mode="same") > 0
        hips[flagged] = np.nan
    if not _readable(hips[:, 0], 1):
        return float("nan")
    return float(np.nanmax(np.linalg.norm(hips - _levels2(hips, False), axis=1)))


def _walk_travel(feet: list[np.ndarray], mid: np.ndarray, hips: np.ndarray,
                 end_frames: int | None = None) -> tuple[np.ndarray, bool]:
    """(the feet's midpoint's net travel on the floor, whether it is a walk): both feet travel more
    than THRESHOLDS['walk'] and the hips go along with them (feet shuffling under a sitting body are
    not a walk). Travel runs from the start level (:func:`_level`) to the end level, or, with
    ``end_frames``, to the place over the last ``end_frames`` readable frames."""
    def net(x: np.ndarray) -> np.ndarray:
        end = _levels2(x, True) if end_frames is None else _end_place(x, end_frames)
        return end - _levels2(x, False)

    net_vec = net(mid)
    along = float(net(hips) @ net_vec) / (np.linalg.norm(net_vec) + 1e-9)
    travelled = min(float(np.linalg.norm(net(f))) for f in feet) > THRESHOLDS["walk"] and along > THRESHOLDS["walk"]
    return net_vec, travelled


def _end_place(x: np.ndarray, frames: int) -> np.ndarray:
    """The median place (per column) of ``x`` (T, 2) over its last ``frames`` readable frames."""
    ok = np.flatnonzero(np.isfinite(x).all(axis=1))
    return np.median(x[ok[-frames:]], axis=0) if len(ok) else np.full(x.shape[1], np.nan)


def _start_place(x: np.ndarray, frames: int) -> np.ndarray:
    """The median place (per column) of ``x`` (T, 2) over its first ``frames`` readable frames."""
    return _end_place(x[::-1], frames)


def _late_walk(feet: list[np.ndarray], mid: np.ndarray, hips: np.ndarray) -> tuple[np.ndarray, int]:
    """(net travel, the frame it sets off from) of a walk in the clip's last frames, or (_, 0) if
    there is none: the clip's end level (its last END_SHARE) is half standing, half walking, so the
    place it walks to is read from its last WINDOW_LEAST frames and the walk from the frames where it
    happens."""
    net_vec, travelled = _walk_travel(feet, mid, hips, WINDOW_LEAST)
    return net_vec, _late_walk_start(mid, net_vec, WINDOW_LEAST) if travelled else 0


def _late_walk_start(mid: np.ndarray, net: np.ndarray, end_frames: int) -> int:
    """The frame a walk into the clip's last frames sets off from: the last frame at which the feet's
    midpoint ``mid`` (T, 2) is as far from where it ends (over the last ``end_frames`` readable frames)
    as its start level is (``net``: start level to end)."""
    away = np.linalg.norm(mid - _end_place(mid, end_frames), axis=1)
    rows = np.flatnonzero(np.nan_to_num(away >= np.linalg.norm(net), nan=False))
    return int(rows[-1]) if len(rows) else 0


def _back_near_start(hips: np.ndarray) -> bool:
    """Whether the hips (T, 2, statures) end near where they started: their place over the last
    WINDOW_LEAST readable frames lies within WALK_AROUND_NEAR of their place over the first ones, and
    within WALK_AROUND_BACK of the farthest they went from there."""
    start = _start_place(hips, WINDOW_LEAST)
    farthest = np.nanmax(np.linalg.norm(hips - start, axis=1))
    back = float(np.linalg.norm(_end_place(hips, WINDOW_LEAST) - start))
    return back <= WALK_AROUND_NEAR and back <= WALK_AROUND_BACK * farthest


def _image_walk(body: _Body, clock: _Clock, reading: "_Context") -> list[Fact]:
    """Walking in a 2D image: the feet travel in the image (across it, or up or down it as the body
    walks away or towards the camera), the same way, with the hips, in alternating steps. No
    direction is said: one view cannot tell forward from backward (nor across from sideways)."""
    feet = [body.ankle[s][:, :2] for s in ("left", "right")]
    if not all(_readable(f[:, 0]) for f in feet):
        return []
    nets = [_levels2(f, True) - _levels2(f, False) for f in feet]
    lengths = [float(np.linalg.norm(n)) for n in nets]
    if min(lengths) <= IMAGE_WALK or nets[0] @ nets[1] < IMAGE_WALK_AGREE * lengths[0] * lengths[1]:
        return []
    net = (nets[0] + nets[1]) / 2
    way = net / np.linalg.norm(net)
    hips = _levels2(body.hip[:, :2], True) - _levels2(body.hip[:, :2], False)
    if not float(hips @ way) > IMAGE_WALK:
        return []                        # feet shuffling under a body that stays
    steps = _image_steps(body, way)
    if len(steps) < IMAGE_STEPS:
        return []
    span = (steps[0][0], steps[-1][1])
    distance = float(np.linalg.norm(net))
    return [clock.fact("legs", "walk", (span[0] + span[1]) // 2, distance,
                       f"walks, covering {reading.distance_words(distance)} in the image", span)]


def _image_steps(body: _Body, way: np.ndarray) -> list[tuple[int, int, str]]:
    """The alternating steps of the feet along ``way`` in an image, (start, end, side) in time
    order. A foot steps while it moves forward along ``way`` more than STEP_ALONE times faster than
    the other foot moves at all (the other one stands); its frames in a row, across frames where
    neither foot steps, make one step if it carries the foot at least STEP_LENGTH along ``way``.
    A jump or a camera pan moves both feet at once: no step."""
    moves = {s: np.diff(body.ankle[s][:, :2], axis=0) for s in ("left", "right")}
    speed = {s: m @ way for s, m in moves.items()}                       # forward along the way
    size = {s: np.nan_to_num(np.linalg.norm(m, axis=1), nan=np.inf) for s, m in moves.items()}
    left, right = np.nan_to_num(speed["left"]), np.nan_to_num(speed["right"])
    label = np.where((left > STEP_ALONE * size["right"]) & (left > 0), 1,
                     np.where((right > STEP_ALONE * size["left"]) & (right > 0), -1, 0))
    frames = np.flatnonzero(label)
    runs = np.split(frames, np.flatnonzero(np.diff(label[frames]) != 0) + 1) if len(frames) else []
    steps = []
    for run in runs:
        side = "left" if label[run[0]] > 0 else "right"
        if float(speed[side][run].sum()) >= STEP_LENGTH:
            if steps and steps[-1][2] == side:
                steps[-1] = (steps[-1][0], int(run[-1]) + 1, side)      # a stride that paused
            else:
                steps.append((int(run[0]), int(run[-1]) + 1, side))
    return steps


def _ground_foot(body: _Body, side: str) -> np.ndarray:
    """A foot's place on the floor (T, 2), NaN while it is not on the ground: more than FOOT_GROUND
    above the lower foot, or not KNEE_ABOVE_FOOT below its own knee (a tracker's guess of a hidden
    foot jumps up into the air; a lunge's back foot read that way 'travels' without stepping)."""
    ankle, knee = body.ankle[side], body.knee[side]
    lower = np.nanmin([body.ankle["left"][:, 1], body.ankle["right"][:, 1]], axis=0)
    grounded = ankle[:, 1] <= lower + FOOT_GROUND
    grounded &= ~(knee[:, 1] - ankle[:, 1] < KNEE_ABOVE_FOOT)          # an unread knee does not count against it
    return np.where(grounded[:, None], ankle[:, [0, 2]], np.nan)


def _levels2(x: np.ndarray, at_end: bool) -> np.ndarray:
    return np.array([_level(x[:, 0], at_end), _level(x[:, 1], at_end)])


def _path(x: np.ndarray, samples: int = 8, shifts: np.ndarray | None = None) -> float:
    """Path length over a few coarse steps (joint jitter must not add up). ``shifts``: the rows after
    which the tracker moved the whole skeleton in one frame (track breaks, see :func:`_path_picks`):
    the way across such a shift is no way walked, so it is left out of the path."""
    ok = np.flatnonzero(np.isfinite(x).all(axis=1))
    if len(ok) < 2:
        return 0.0
    picks = _path_picks(ok, samples, shifts)
    legs = np.linalg.norm(np.diff(x[picks], axis=0), axis=1)
    walked = ~_across_shifts(picks, shifts)
    return float(legs[walked].sum())


def _path_picks(ok: np.ndarray, samples: int, shifts: np.ndarray | None) -> np.ndarray:
    """The rows a coarse path is read at: ``samples`` + 1 of the readable rows ``ok``, evenly spread,
    plus the last readable row before and the first after each shift (so that only the leg between
    those two crosses it: the walking on either side of a shift stays in the path)."""
    picks = ok[np.linspace(0, len(ok) - 1, min(samples + 1, len(ok))).round().astype(int)]
    if shifts is None or not len(shifts):
        return picks
    around = [r for s in shifts for r in (ok[ok <= s][-1:], ok[ok > s][:1])]
    return np.unique(np.concatenate([picks, *around]))


def _across_shifts(picks: np.ndarray, shifts: np.ndarray | None) -> np.ndarray:
    """(len(picks) - 1,) whether the leg from each pick to the next crosses one of the ``shifts``
    (the rows after which the track breaks)."""
    if shifts is None or not len(shifts):
        return np.zeros(max(len(picks) - 1, 0), bool)
    return np.array([bool(np.any((shifts >= a) & (shifts < b))) for a, b in zip(picks[:-1], picks[1:])], bool)


def _walk_direction(net: np.ndarray, facing: np.ndarray, span: tuple[int, int]) -> str:
    """' forward' / ' backward' / ' sideways to the left' ... relative to the facing at the walk's
    start (the person's own sides: a mirrored skeleton's facing is turned round already); '' unless
    that facing is readable, stays within WALK_FACING degrees of it over the walk (no turn on the
    way) and the way gone lies within WALK_SECTOR degrees of one of the four directions."""
    rows = np.arange(span[0], min(span[1], len(facing) - 1) + 1)
    ok = np.isfinite(facing[rows]).all(axis=1)
    k = max(3, len(rows) // 7)
    if len(rows) < 2 * k or ok[:k].sum() < 2 or ok.mean() < 0.5:
        return ""
    f = facing[rows[:k][ok[:k]]].mean(axis=0)
    if np.linalg.norm(f) < 0.9:                     # the facing at the start is not steady enough to say
        return ""
    f = f / np.linalg.norm(f)
    if np.degrees(np.arccos(np.clip(facing[rows[ok]] @ f, -1, 1))).max() > WALK_FACING:
        return ""                                   # turned on the way: no one direction of its own
    left = np.array([f[1], -f[0]])
    angle = float(np.degrees(np.arctan2(net @ left, net @ f)))      # 0 forward, 90 to the left
    for centre, word in ((0, " forward"), (90, " sideways to the left"), (-90, " sideways to the right"),
                         (180, " backward"), (-180, " backward")):
        if abs(angle - centre) <= WALK_SECTOR:
            return word
    return ""


def _hip_yaw(body: _Body) -> np.ndarray:
    """The hip line's yaw (radians, unwrapped over its readable frames) per frame, NaN where unreadable."""
    across = (body.hip_joint["left"] - body.hip_joint["right"])[:, [0, 2]]
    yaw = np.full(len(across), np.nan)
    ok = np.isfinite(across).all(axis=1) & (np.linalg.norm(across, axis=1) > 0)
    if ok.sum() >= 2:
        yaw[ok] = np.unwrap(np.arctan2(across[ok, 1], across[ok, 0]))
    return yaw


def _lasting_turn(rows: np.ndarray, unwrapped: np.ndarray, world: World, body: _Body) -> float:
    """The turn that lasts over a stretch (degrees, its end level against its start level), or 0
    when it cannot be trusted: the shoulder line must be wide (not edge-on) at the stretch's start
    and end, and the hips must turn the same way by at least TURN_HIPS of it (a shoulder line that
    swings while the hips stay is a jacket going on, or the tracker)."""
    k = max(len(rows) // 7, 3)
    net = float(np.degrees(np.median(unwrapped[-k:]) - np.median(unwrapped[:k])))
    width = world.shoulder_width
    if not (np.nanmedian(width[rows[:k]]) >= TURN_WIDTH and np.nanmedian(width[rows[-k:]]) >= TURN_WIDTH):
        return 0.0
    hips = _hip_yaw(body)[rows]
    start, end = hips[:k][np.isfinite(hips[:k])], hips[-k:][np.isfinite(hips[-k:])]
    if not (len(start) and len(end)):
        return 0.0
    turned = float(np.degrees(np.median(end) - np.median(start)))
    if not (np.sign(turned) == np.sign(net) and abs(turned) >= TURN_HIPS * abs(net)):
        return 0.0
    # and it lasts: the facing read at the clip's end (after the stretch, across any edge-on gap)
    # is still turned from the stretch's start
    later = np.flatnonzero(world.readable_facing)
    later = later[later > rows[-1]]
    if len(later) >= k:
        yaw = np.arctan2(world.facing[:, 1], world.facing[:, 0])
        first = np.median(np.unwrap(yaw[rows[:k]]))
        last = np.angle(np.mean(np.exp(1j * yaw[later[-k:]])))
        if np.degrees(abs(np.angle(np.exp(1j * (last - first))))) <= THRESHOLDS["turn"]:
            return 0.0
    return abs(net)


def _turn_fact(clock: _Clock, world: World, body: _Body) -> list[Fact]:
    """Turning: the change of facing within a stretch of frames whose shoulder line stays readable
    (gaps of at most TURN_GAP), the facing smoothed over TURN_SMOOTHING, and never
    across a flip (a tracker swapping left and right): a turn read across an edge-on gap could
    be any angle."""
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    rate = body.rate
    width = rate.window(TURN_SMOOTHING)
    facing = np.stack([_smooth(world.facing[:, 0], width), _smooth(world.facing[:, 1], width)], 1)
    for stretch in _readable_stretches(world.readable_facing, rate.frames(TURN_GAP)):
        yaw = np.arctan2(facing[stretch, 1], facing[stretch, 0])
        flips = np.flatnonzero(np.degrees(np.abs(np.angle(np.exp(1j * np.diff(yaw))))) > rate.per_frame(FACING_FLIP)) + 1
        for rows, part in zip(np.split(stretch, flips), np.split(yaw, flips)):
            if len(rows) < rate.frames(TURN_FRAMES):
                continue
            unwrapped = np.unwrap(part)
            start = np.median(unwrapped[: max(len(rows) // 7, 3)])
            turned = np.degrees(np.abs(unwrapped - start))
            top = int(np.argmax(turned))
            lasting = _lasting_turn(rows, unwrapped, world, body)      # a brief swing and back is no turn
            if best is None or lasting > best[0]:
                best = (lasting, top, rows, turned)
    if best is None or best[0] <= THRESHOLDS["turn"]:
        return []
    angle, top, rows, turned = best
    signal = np.full(clock.n, np.nan)
    signal[rows] = turned
    span = _extent(signal, int(rows[top]), angle / 2)
    if _largest_turn_step(world, rows, span, rate) > TURN_STEP_SHARE * angle:
        return []
    return [clock.fact("body", "turn", int(rows[top]), angle, f"turns the body by about {int(round(angle, -1))} degrees",
                       span)]


def _largest_turn_step(world: World, rows: np.ndarray, span: tuple[int, int], rate: _Rate) -> float:
    """The largest change of the unsmoothed facing (degrees per 1/30 second) between neighbouring
    readable frames ``rows`` over a turn's ``span``, from the last readable frame before it."""
    first = max(int(np.searchsorted(rows, span[0])) - 1, 0)
    last = int(np.searchsorted(rows, span[1], side="right"))
    inside = rows[first:last]
    if len(inside) < 2:
        return 0.0
    yaw = np.degrees(np.unwrap(np.arctan2(world.facing[inside, 1], world.facing[inside, 0])))
    return float(np.max(np.abs(np.diff(yaw)) / np.diff(inside)) * rate.fps / TUNED_FPS)


def _readable_stretches(readable: np.ndarray, gap: int) -> list[np.ndarray]:
    """Indices of the readable frames, split where more than ``gap`` frames (TURN_GAP) in a row are not."""
    rows = np.flatnonzero(readable)
    if len(rows) == 0:
        return []
    cuts = np.flatnonzero(np.diff(rows) > gap + 1) + 1
    return np.split(rows, cuts)


def _pair_facts(a: np.ndarray, b: np.ndarray, clock: _Clock) -> list[Fact]:
    dist = np.linalg.norm(a[:, [0, 2]] - b[:, [0, 2]], axis=1)
    if not _readable(dist):
        return []
    start, end = _level(dist), _level(dist, at_end=True)
    if start - end > THRESHOLDS["approach"]:
        close = int(np.nanargmin(dist))
        return [clock.fact("people", "approach", close, start - end, "the two people move towards each other", (0, close))]
    if end - start > THRESHOLDS["depart"]:
        return [clock.fact("people", "depart", clock.n - 1, end - start, "the two people move apart",
                           (_crossing(-dist, -(start + 0.1 * (end - start)), falling=True), clock.n - 1))]
    return []


# --- reading a sequence -----------------------------------------------------------------------
@dataclass
class _Context:
    unit: str
    stature: float

    def distance_words(self, statures: float) -> str:
        return Reading([], [], self.unit, self.stature).distance_words(statures)


def _main_person(data: np.ndarray) -> list[int]:
    """Persons in order of appearance that hold at least one frame (NaN counts as there)."""
    filled = np.nan_to_num(data, nan=1.0, posinf=1.0, neginf=1.0)
    return [m for m in range(data.shape[0]) if (np.abs(filled[m]) > 0).any()]


def _parts(body: _Body, smoothed: bool = True) -> dict[str, np.ndarray]:
    """The parts a 'no movement' statement speaks of (hands, head, hips, feet), their smoothed
    tracks or the unsmoothed ones."""
    if smoothed:
        return {"right hand": body.hand["right"], "left hand": body.hand["left"], "head": body.head,
                "hips": body.hip, "right foot": body.ankle["right"], "left foot": body.ankle["left"]}
    return {"right hand": body.step_hand["right"], "left hand": body.step_hand["left"], "head": body.step_head,
            "hips": body.step_hip, "right foot": body.step_ankle["right"], "left foot": body.step_ankle["left"]}


def _excursions(body: _Body, share: float = 100) -> dict[str, float]:
    """How far each part moves from its usual (median) place at most (``share``: that percentile
    of its frames instead of the largest), statures."""
    out = {}
    for name, x in _parts(body).items():
        if _readable(x[:, 0]):
            out[name] = round(float(np.nanpercentile(np.linalg.norm(x - np.nanmedian(x, axis=0), axis=1), share)), 3)
    return out


#: a 'no movement' bound is said this much above the largest span any part covers (its two
#: furthest-apart places, over a moving median), so it never understates a part's movement; in 2D
#: images more (a stature read from a seated or half-seen body is uncertain)
STILL_MARGIN, STILL_MARGIN_2D = 1.25, 1.5
#: ... and a bound above this (statures) is no longer 'staying in place'
STILL_BOUND = 0.3


def _moving_median(x: np.ndarray, rate: _Rate, seconds: float = MEDIAN_WINDOW) -> np.ndarray:
    """``x``'s moving median over ``seconds`` at ``rate`` (MEDIAN_WINDOW: a single frame's spike goes,
    as a reader's per-frame check discounts it); a clip shorter than the window as it is."""
    width = rate.window(seconds)
    return _median5(x, width) if len(x) >= width else x


def _median5(x: np.ndarray, width: int = 5, pad_with_ends: bool = True) -> np.ndarray:
    """Centred moving median over ``width`` (odd) frames, 5 at 30 fps (NaN skipped): single-frame
    sensor spikes go, a quick stroke of the hand stays (a moving average halves it). The clip's first
    and last frames are repeated past its ends, or (``pad_with_ends=False``) the window just shrinks."""
    half = width // 2
    if pad_with_ends:
        padded = np.concatenate([x[:1]] * half + [x] + [x[-1:]] * half)
    else:
        gap = np.full((half,) + x.shape[1:], np.nan)
        padded = np.concatenate([gap, x, gap])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width, axis=0)
    return np.nanmedian(windows, axis=-1)


def _spans(body: _Body) -> dict[str, float]:
    """How far apart (statures) the two furthest places of each part are, read over a moving
    median (a strumming hand's quick strokes are smoothed away by a moving average). The two
    places themselves, not the diagonal of the box the track lies in: a still part's jitter fills
    its box in every direction, and the box's diagonal overstates it by up to 1.7 times."""
    out = {}
    for name, x in _parts(body, smoothed=False).items():
        x = _moving_median(x, body.rate)
        x = x[np.isfinite(x).all(axis=1)]
        if len(x):
            out[name] = _diameter(x)
    return out


def _diameter(x: np.ndarray) -> float:
    """The largest distance between two of the points ``x`` (N, D). The two furthest points are
    corners of the points' convex hull, so only those are compared (a long clip's thousands of
    frames would cost seconds pair by pair); flat dimensions (a 2D image's depth) are left out."""
    from scipy.spatial import ConvexHull, QhullError

    x = x[:, np.ptp(x, axis=0) > 0] if len(x) else x
    if len(x) < 2 or x.shape[1] == 0:
        return 0.0
    if len(x) > x.shape[1] + 1 and x.shape[1] >= 2:
        try:
            x = x[ConvexHull(x).vertices]
        except QhullError:                # points on a line or a plane inside the space: compare all
            pass
    return max(float(np.linalg.norm(x[i:i + 256, None, :] - x[None, :, :], axis=-1).max())
               for i in range(0, len(x), 256))


#: in 2D an image shoulder line changing its length by this much (statures, ~8 cm; 2D keypoints
#: jitter by 1-2.5 cm) turned: no 'stays in place'
STILL_SHOULDERS_2D = 0.05
#: in 2D a trunk leaning or bending along the line of sight shifts the head against the hips in the
#: image, and holds it there: the head-to-hips vector, averaged over HEAD_ON_HIPS_MEAN seconds, spans
#: more than HEAD_ON_HIPS_2D statures (~5 cm; a standing body's sway moves it ~2 cm) and more than
#: HEAD_ON_HIPS_NOISE times what the keypoints' jitter leaves in such a mean, the hips staying within
#: STILL (the trunk pivots on them): no 'stays in place' (generated truth, seeds 41-43, not the
#: benchmark's 40: 16 of 28 lean-backs seen from the front or back that were read as standing still,
#: 0 of 172 bodies standing still)
HEAD_ON_HIPS_MEAN = 0.5
HEAD_ON_HIPS_2D = 0.03
HEAD_ON_HIPS_NOISE = 8.0
#: "stays in place" speaks of every body part: each must be readable in this share of the frames
STILL_READABLE = 0.8
#: a 'no motion' statement bounds the parts read in at least this share of the frames (over those
#: frames) and says the others are not read
STILL_SEEN = 0.5


def _still_bounds(world: World) -> tuple[float, float]:
    """(STILL, STILL_MOST) in statures: from metres in metric data (sway and jitter do not scale
    with the body), as they are in images (no metric scale there)."""
    if world.unit == "m" and np.isfinite(world.stature) and world.stature > 0:
        return STILL_METRES / world.stature, STILL_MOST_METRES / world.stature
    return STILL, STILL_MOST


def _still_frozen(x: np.ndarray) -> bool:
    """Whether some joint of ``x`` (T, V, C, as the tracking check leaves it) repeats its value
    exactly (steps below FROZEN_STEP of the body's size) for FROZEN_RUN frames or more: a sensor's
    joint always jitters, so a joint that does not was not measured there (a frozen limb whose
    bones keep their length passes the tracking check), and says nothing about staying in place."""
    if len(x) <= FROZEN_RUN:
        return False
    windows = np.lib.stride_tricks.sliding_window_view(exact_repeats(x, body_size(x)), FROZEN_RUN, axis=0)
    return bool(windows.all(axis=-1).any())


def _all_parts_seen(body: _Body) -> bool:
    """Whether the hands, head, hips and feet are each readable in STILL_READABLE of the frames (a
    close-up without legs, or a hand the tracking check dropped, cannot support 'no part moves')."""
    parts = (body.hand["right"], body.hand["left"], body.head, body.hip, body.ankle["right"], body.ankle["left"])
    return all(np.isfinite(x[:, 0]).mean() >= STILL_READABLE for x in parts)


_SIDE_WORD = re.compile(r"\b(left|right)\b")


def _names_a_side(fact: Fact) -> bool:
    """Whether ``fact`` says left or right: by its part (a hand, an arm) or in its words (a step
    sideways to the left, a turn to the right), so a mirror decision shapes it."""
    return fact.part.startswith(("left", "right")) or bool(_SIDE_WORD.search(fact.text))


def read_motion(data: np.ndarray, layout: str | Layout, *, visibility: np.ndarray | None = None,
                max_facts: int = 8, fps: float | None = None, guessed: np.ndarray | None = None) -> Reading:
    """See :func:`_read_motion`; NumPy's warnings about all-NaN slices (joint-frames the tracking
    check removed) are expected there and not shown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _read_motion(data, layout, visibility=visibility, max_facts=max_facts, fps=fps, guessed=guessed)


def _read_motion(data: np.ndarray, layout: str | Layout, *, visibility: np.ndarray | None = None,
                 max_facts: int = 8, fps: float | None = None, guessed: np.ndarray | None = None) -> Reading:
    """The tracking problems and measured facts of a sequence ``data`` (M, T, V, C).

    ``visibility`` (M, T, V) or (T, V), when the pose source gives it: joints below 0.5 are not
    read. ``guessed`` (M, T, V) or (T, V) bool, when the source flags joint positions that are an
    estimate in a frame (Penn Action's annotator marks hidden joints and guesses them; the product
    passes :meth:`Sample.guessed`): the guessed positions are still read (see ``Sample.visibility``
    for why), except where a fact hangs on exactly where a joint is in one image: a 2D bend reads
    its trunk only from frames that show it (:func:`_seen_trunk_2d`), a 2D forward reach only from
    frames whose shoulder, elbow and wrist are annotated seen (:func:`_arm_shown_2d`).

    ``fps``: the clip's frame rate (frames/s). None reads it at TUNED_FPS (30), the rate the
    durations were tuned at: a clip at another rate read as 30 fps misses fast motions (at 60 fps
    a throw moves half as far a frame) or finds false ones (at 15 fps a walk's arm moves twice as
    far), so callers that know the rate pass it. Facts are ordered by time; a still person gets
    one ``still`` fact; a blocked reading (see :attr:`Reading.blocked`) has none. Raises
    ``ValueError`` only for data of the wrong shape or a rate that is not a positive number.
    """
    rate = _rate(fps)
    layout = get_layout(layout)
    if data.ndim != 4 or data.shape[2] != layout.num_joints:
        raise ValueError(f"expected (M, T, {layout.num_joints}, C) for layout {layout.name}; got {data.shape}")
    persons = _main_person(data)
    if not persons:
        return Reading([], Tracking().block("no_person", "no person in any frame: no motion can be read").problems)
    main = persons[0]
    vis = None if visibility is None else np.asarray(visibility)
    if vis is not None and vis.ndim == 3:
        vis = vis[main]
    x, tracking = check_tracking(data[main], layout, vis, fps=rate.fps)
    if tracking.blocked:
        return Reading([], tracking.problems)
    world = world_frame(x, layout)
    if not np.isfinite(world.stature):
        return Reading([], tracking.problems + [Problem(
            "no_scale", (), (int(tracking.frames[0]), int(tracking.frames[-1])),
            "neither the head nor the trunk is seen in any frame: the body's size is unknown, so no motion is read",
            blocking=True)])
    collapse, collapsed = collapsed_skeleton(world.coords, world.dims, layout, tracking.frames, rate.fps)
    world.coords = np.where(collapsed[:, None, None], np.nan, world.coords)
    world.facing = np.where(collapsed[:, None], np.nan, world.facing)
    world.shoulder_width = np.where(collapsed, np.nan, world.shoulder_width)
    hands = {s: end_joints(layout, f"{s}_hand") for s in ("right", "left")}
    problems, drop = view_problems(world.coords, world.facing, world.dims, layout, tracking.frames, hands,
                                   world.camera())
    undropped = world.coords             # an annotated-seen hand the view check drops still vetoes 'no motion'
    world.coords = np.where(drop[..., None], np.nan, world.coords)
    clock = _Clock(len(x))
    context = _Context(world.unit, world.stature)
    shown = _shown_joints(guessed, main, tracking.frames, world.dims)
    body = _body(world.coords, layout, world.mirrored, rate.fps, shown)
    body.hand_hidden = _hand_lost(drop, hands, world.mirrored, rate.frames(HIDDEN_BRIDGE))
    facts = _hand_facts(body, clock, world) + _bend_fact(body, clock, world, layout) + _height_facts(body, clock, context, world.dims)
    facts += _walk_fact(body, clock, world, context, tracking.jumped, _break_rows(tracking, clock.n, WALK_BREAK_STEP),
                        _shift_rows(tracking, WALK_SHIFT_STEP), _shift_rows(tracking, 0.0)) + _turn_fact(clock, world, body)
    facts = without_jump_islands(facts, body, clock.n, tracking.jumped, hands)
    facts, broken = without_heights_across_breaks(facts, tracking, clock.n)
    facts, stepped = without_raises_left_by_steps(facts, tracking, body, world.mirrored)
    facts, lifted = without_bends_on_lifted_hips(facts, tracking, clock.n)
    broken += stepped + lifted
    if len(persons) > 1:
        facts += _other_person_facts(data[persons[1]][tracking.frames], layout, world, body, clock)
    moved = _excursions(body)
    facts = _again_only_after_going_up(_most_salient(_merge_sides(facts), max_facts))
    problems = tracking.problems + collapse + problems + broken
    if world.mirrored and any(_names_a_side(f) for f in facts):
        # said, not silently applied: a reader comparing with the file's joint names would otherwise
        # find "left" where the skeleton says right
        problems.append(Problem("mirrored_sides", (), (int(tracking.frames[0]), int(tracking.frames[-1])),
                                "the sensor seems to see the person from behind (the knees bend towards the "
                                "skeleton's back): its left and right joint labels are swapped, and the sides "
                                "named here are the person's own"))
    lost = _lost_problem(tracking.frames, data.shape[1])
    if lost is not None:
        # how the clip ends is not seen: no 'stays down' / 'ends standing'
        problems.append(lost)
    if lost is not None or _still_dead_end(tracking.problems, data.shape[1]):
        facts = [f for f in facts if f.motion not in END_STATE]
    unsure = lost is not None or any(p.kind in ("dead_track", "frozen_joint") for p in problems)
    usual = _excursions(body, STILL_SHARE)
    spans = _spans(body)
    # what a 'no movement' statement may bound: every part's span, with a margin
    margin = STILL_MARGIN if world.dims == 3 else STILL_MARGIN_2D
    bound = margin * max(spans.values(), default=np.inf)
    # still: every part stays within STILL in most frames (sensor noise spikes now and then) and
    # within STILL_MOST in all
    still, most = _still_bounds(world)
    if (not facts and moved and not unsure and max(usual.values()) < still and max(moved.values()) < most
            and bound < STILL_BOUND and _all_parts_seen(body) and not _still_frozen(x)
            and not (world.dims == 2 and (_arms_foreshorten(body) or _trunk_foreshortens(body) or _shoulders_turn(body)
                                          or _head_shifts_on_hips(body)))):
        # the bound said is the largest span measured, with a margin, rounded up (a hand moving
        # 0.05 is not 'at most 0.04')
        facts = [Fact("body", "still", 0.5, 0.0, f"stays in place: no body part moves more than "
                      f"{context.distance_words(_round_up(bound, context))}", 0.0, 1.0)]
    hands = max((v for k, v in spans.items() if "hand" in k), default=0.0)
    if (all(f.motion == "still" for f in facts) and _static(moved) and margin * hands <= 2 * STILL_HANDS
            and not _a_seen_joint_moves(world.coords if shown is None else undropped, layout, shown, body.rate, margin)):
        problems.append(_still_problem(len(x), tracking, context, body, margin))
    return Reading(sorted(facts, key=lambda f: f.time), problems, world.unit, world.stature, moved)


def without_jump_islands(facts: list[Fact], body: _Body, frames: int, jumped: np.ndarray | None = None,
                hands: dict[str, tuple[int, ...]] | None = None) -> list[Fact]:
    """``facts`` without the raises, forward reaches and touches of the head (:data:`HELD`) that lie
    on an island between two jumps of their hand, and without the 'lowers ... again' of such a raise.
    The island is the read core around the motion's peak (the run of frames where the hand is read).
    It lies between jumps when, on each side, the frames right next to it are unread and flagged by
    the jump check (``jumped`` (T, V), the ``hands`` joints per side, as labelled in the data: with
    mirrored labels the person's left hand is the data's right) and either

    - JUMPED_AROUND such frames on each side and the whole core inside the motion's span (of
      ``frames`` in all), so the hand was neither seen going up nor coming down: the tracker placed
      it there between jumps (a wrist in the sky for 8 frames; hand-check round 13: a hand 0.3 m
      higher for the 12 frames between two jumps). The span is no test by itself: it may reach
      across unread frames (:func:`_extent_across_gaps`) and so past the jumps. A fast real raise
      may be flagged as it starts, but the hand stays up or comes down seen; or
    - ISLAND_FLAGGED such frames or more on each side, across which the hand's position changes by
      ISLAND_JUMP or more on both sides: it jumped into the island and out of it, so what it does
      inside is no motion of the hand either."""
    if jumped is None or hands is None:
        return facts
    if body.mirrored:
        hands = {"right": hands["left"], "left": hands["right"]}

    def flagged_run(side: str, core_edge: int, step: int) -> int:
        """How many frames next to the core (going ``step`` from ``core_edge``) are unread and flagged."""
        track, k = body.step_hand[side], 0
        while 0 <= core_edge + step * (k + 1) < frames:
            t = core_edge + step * (k + 1)
            if np.isfinite(track[t]).all() or not jumped[t, list(hands[side])].any():
                break
            k += 1
        return k

    def jump_across(side: str, core_edge: int, step: int, gap: int) -> float:
        """How far the hand moves between the core's edge and the first frame read past the flagged
        ``gap`` (and past unread frames beyond it, up to SEEN_NEAR seconds); 0 when none is read."""
        track = body.step_hand[side]
        for k in range(gap + 1, gap + 2 + body.rate.frames(SEEN_NEAR)):
            t = core_edge + step * k
            if not 0 <= t < frames:
                break
            if np.isfinite(track[t]).all():
                return float(np.linalg.norm(track[t] - track[core_edge]))
        return 0.0

    def between_jumps(f: Fact) -> bool:
        start, end, peak = (int(round(t * max(frames - 1, 1))) for t in (f.start, f.end, f.time))
        for side in _sides(f.part):
            core = _read_core(body.step_hand[side], peak)
            if core is None:
                continue
            gaps = flagged_run(side, core[0], -1), flagged_run(side, core[1], 1)
            if min(gaps) >= JUMPED_AROUND and start <= core[0] and core[1] <= end:
                return True
            if min(gaps) >= ISLAND_FLAGGED and min(jump_across(side, core[0], -1, gaps[0]),
                                      jump_across(side, core[1], 1, gaps[1])) >= ISLAND_JUMP:
                return True
        return False

    return without_orphan_lowers([f for f in facts if f.motion not in HELD or not between_jumps(f)], facts)


#: facts that report a change of the hips' height over their span: not said where the track breaks
#: inside that span (:func:`without_heights_across_breaks`)
HEIGHT_FACTS = {"sit_down": "sitting down", "stand_up": "standing up", "squat": "squat"}


def _shift_rows(tracking: Tracking, least: float) -> np.ndarray:
    """The rows (of the read frames ``tracking.frames``, one per input frame from the first read on)
    after which the track breaks (``tracking.breaks``) with a whole-body step of more than ``least``
    body sizes."""
    return (tracking.breaks - int(tracking.frames[0]))[tracking.break_steps > least]


def _break_rows(tracking: Tracking, n: int, least: float = 0.0) -> np.ndarray:
    """:func:`_shift_rows` of the ``n`` read frames, less those that cut off at most END_STUB frames
    at the clip's start or end."""
    rows = _shift_rows(tracking, least)
    return rows[(rows + 1 > END_STUB) & (n - (rows + 1) > END_STUB)]


def without_heights_across_breaks(facts: list[Fact], tracking: Tracking, n: int) -> tuple[list[Fact], list[Problem]]:
    """``facts`` less the height changes (HEIGHT_FACTS) whose span, the frames over which the hips
    change height, holds a broken track (``tracking.breaks``: the input frames after which the whole
    skeleton jumps; ``n`` frames in the clip), and the ``track_break`` problem that says so, only
    where a fact went. The pose often carries on across such a shift (NW-UCLA's tracker moves the
    whole skeleton in one frame mid-motion), so every other fact is read across it; but a height
    change that happens across the jump cannot be told from it (hand-check round 30, NW-UCLA
    a06_s06_e00_v01: the hips 'lowered by 0.24 m' were a 0.44 m drop in one frame onto another,
    frozen skeleton). A break that cuts off at most END_STUB frames at the clip's start or end is
    not counted: the levels compared are read over several frames (NW-UCLA a05_s08_e05_v03: frame 0
    stands 0.5 m from frames 1-20, which sit down; hand-check round 52 judged it to hold)."""
    steps = dict(zip((tracking.breaks - int(tracking.frames[0])).tolist(), tracking.break_steps.tolist()))
    rows = _break_rows(tracking, n)

    def crossed(f: Fact) -> np.ndarray:
        if f.motion not in HEIGHT_FACTS or f.start is None or f.end is None:
            return rows[:0]
        first, last = int(round(f.start * (n - 1))), int(round(f.end * (n - 1)))
        return rows[(rows >= first) & (rows < last)]

    gone = [f for f in facts if len(crossed(f))]
    if not gone:
        return facts, []
    at = sorted({int(r) for f in gone for r in crossed(f)})
    first = int(tracking.frames[0])
    where = " and ".join(f"{r + first}-{r + first + 1}" for r in at[:RUNS_NAMED])
    said = " or ".join(sorted({HEIGHT_FACTS[f.motion] for f in gone}))
    problem = Problem("track_break", (), (at[0] + first, at[-1] + first + 1),
                      f"the track breaks between frames {where} (the whole body moves {max(steps[r] for r in at):.2f} of "
                      f"its size in one frame, farther than a person can: the tracker shifted the skeleton or switched "
                      f"to another): the hips' change of height happens across it, so no {said} is read")
    return [f for f in facts if not any(f is g for g in gone)], [problem]


#: a raise whose hand is at its top only until, within STEP_NEAR seconds, a step of its arm
#: (``tracking.steps``) takes it down by at least STEP_SHARE of the rise was placed up there by the
#: tracker (:func:`without_raises_left_by_steps`)
STEP_NEAR = 0.1
STEP_SHARE = 0.5


def _drop_across(height: np.ndarray, row: int, near: int) -> float:
    """How far ``height`` falls across the step after ``row`` (negative: it rises), each side read in
    its frame or, where unread there (a hand masked as hidden), in its nearest read frame within
    ``near``; NaN if none."""
    before = [t for t in range(row, max(row - near, -1), -1) if np.isfinite(height[t])]
    after = [t for t in range(row + 1, min(row + 1 + near, len(height))) if np.isfinite(height[t])]
    return float(height[before[0]] - height[after[0]]) if before and after else float("nan")


def _person_side(chain: str, mirrored: bool) -> str:
    """The person's side of a skeleton's arm chain ('left_arm' -> 'left', the other side when mirrored)."""
    side = chain.split("_")[0]
    return {"left": "right", "right": "left"}.get(side, side) if mirrored else side


def without_raises_left_by_steps(facts: list[Fact], tracking: Tracking, body: _Body,
                                 mirrored: bool) -> tuple[list[Fact], list[Problem]]:
    """``facts`` less each raise whose top its arm's one-frame step (``tracking.steps``, see
    ``quality.chain_steps``) ends: the step comes within STEP_NEAR seconds after the top and takes
    the hand down by at least STEP_SHARE of the rise, so the hand was high only until the tracker
    moved the whole arm (which side of the step holds the true arm is unknown); with it goes its
    lowering (:func:`without_orphan_lowers`), and a ``limb_step`` problem says so, only where a fact
    went. Hand-check round 43, NW-UCLA a03_s02_e03_v01: the left hand is over the head only at
    frames 38-40, then the left shoulder, elbow and hand drop 0.24 / 0.40 / 0.48 m to frame 41 and
    stay, read as 'raises the left hand above the head' and 'lowers the left hand again'. A step that
    brings a hand up to a top it then holds, or one well after the top, leaves the raise alone
    (real raises of rounds 42-56 have both)."""
    first = int(tracking.frames[0])
    n, near = len(body.head), body.rate.frames(STEP_NEAR)
    steps = [(int(r) - first, _person_side(c, mirrored)) for r, c in zip(tracking.steps, tracking.step_chains)
             if c.endswith("_arm")]

    def ending(f: Fact) -> list[tuple[int, str, float]]:
        if f.motion != "raise":
            return []
        top = int(round(f.time * (n - 1)))
        out = []
        for r, side in steps:
            if side in _sides(f.part) and top - 1 <= r <= top + near - 1 and 0 <= r < n - 1:
                drop = _drop_across(body.step_hand[side][:, 1], r, near)
                if np.isfinite(drop) and drop >= STEP_SHARE * f.strength:
                    out.append((r, side, drop))
        return out

    gone = [f for f in facts if ending(f)]
    if not gone:
        return facts, []
    at = sorted({step for f in gone for step in ending(f)})
    where = " and ".join(f"{r + first}-{r + first + 1}" for r, _, _ in at[:RUNS_NAMED])
    sides = sorted({side for _, side, _ in at})
    arm = f"the {sides[0]} arm" if len(sides) == 1 else "both arms"
    problem = Problem("limb_step", (), (at[0][0] + first, at[-1][0] + first + 1),
                      f"{arm} steps down between frames {where} (shoulder and elbow move together in one frame, "
                      f"farther than an arm moves, and stay; the hand drops {max(d for _, _, d in at):.2f} statures): "
                      f"the hand was high only until the tracker moved the arm, so no raise or lowering is read there")
    kept = [f for f in facts if not any(f is g for g in gone)]
    return without_orphan_lowers(kept, facts), [problem]


def without_bends_on_lifted_hips(facts: list[Fact], tracking: Tracking, n: int) -> tuple[list[Fact], list[Problem]]:
    """``facts`` less the bends and lean backs read only in frames whose hips are lifted
    (``tracking.lifted``: the legs longer than standing and the hips risen more than the head on
    every leg read there, see ``quality._risen_hips``), and a ``lifted_hips`` problem that says so,
    only where a fact went: the trunk's tilt there is the pelvis's jump (hand-check round 43, NW-UCLA
    a08_s03_e01_v01: the trunk 20-36 degrees only at frames 22-26, right after -18.5, while the
    pelvis rises 0.26 m and comes back over a frozen ankle, read as 'bends the upper body by about
    30 degrees')."""
    if tracking.lifted is None or not tracking.lifted.any():
        return facts, []
    lifted = tracking.lifted

    def on_lifted(f: Fact) -> bool:
        a, b = int(round(f.start * (n - 1))), int(round(f.end * (n - 1)))
        return f.motion in ("bend", "lean_back") and b < len(lifted) and bool(lifted[a : b + 1].all())

    gone = [f for f in facts if on_lifted(f)]
    if not gone:
        return facts, []
    first = int(tracking.frames[0])
    a, b = (int(round(f * (n - 1))) for f in (min(g.start for g in gone), max(g.end for g in gone)))
    runs = [(s, e - 1) for s, e in true_runs(lifted) if s <= b and e - 1 >= a]
    where = ", ".join(f"{s + first}-{e + first}" for s, e in runs[:RUNS_NAMED])
    problem = Problem("lifted_hips", (), (int(runs[0][0]) + first, int(runs[-1][1]) + first),
                      f"the hips are tracked too high in frames {where} (every leg read there longer than when "
                      f"standing while the head stays): the trunk's tilt there is the pelvis's, so no bend or "
                      f"lean is read")
    return [f for f in facts if not any(f is g for g in gone)], [problem]


def _read_core(track: np.ndarray, peak: int) -> tuple[int, int] | None:
    """The first and last frame of the run of read (finite) frames of ``track`` (T, C) around
    ``peak`` (or a frame next to it: a fact's time is rounded); None when none is read there."""
    read = np.isfinite(track).all(axis=-1)
    near = [t for t in (peak, peak - 1, peak + 1) if 0 <= t < len(read) and read[t]]
    if not near:
        return None
    a = b = near[0]
    while a > 0 and read[a - 1]:
        a -= 1
    while b < len(read) - 1 and read[b + 1]:
        b += 1
    return a, b


def _sides(part: str) -> set[str]:
    return {"left", "right"} if part.startswith("both") else {part.split("_")[0]}


def without_orphan_lowers(kept: list[Fact], read: list[Fact]) -> list[Fact]:
    """``kept`` (a subset of the facts ``read``) without a 'lowers ... again' whose raise (of a
    side it lowers, starting no later) was read but not kept: it would say the end of a raise no
    longer stated."""
    dropped = [f for f in read if f.motion == "raise" and f not in kept]
    return [f for f in kept if not (f.motion == "lower" and any(
        _sides(r.part) & _sides(f.part) and r.start <= f.start for r in dropped))]


def _again_only_after_going_up(facts: list[Fact]) -> list[Fact]:
    """'lowers the right hand again' says 'lowers the right hand' where no raise or touch of the head
    by that hand is stated before it: a hand already up when the clip begins (no raise is read, see
    :func:`_raise_start`) or whose raise the most salient facts left out was never said to go up."""
    went_up = [f for f in facts if f.motion in ("raise", "touch_head")]
    def worded(f: Fact) -> Fact:
        if f.motion != "lower" or any(_sides(g.part) & _sides(f.part) and g.start <= f.start for g in went_up):
            return f
        return replace(f, text=f.text.replace(" again", ""))
    return [worded(f) for f in facts]


def _round_up(statures: float, context: _Context) -> float:
    """``statures`` raised so that its words (two decimals, in the shown unit) do not round it down."""
    scale = context.stature if context.unit == "m" else 1.0
    return float(np.ceil(statures * scale * 100 - 1e-9) / 100 / scale)


def _still_dead_end(problems: list[Problem], total: int) -> bool:
    """A dead track (every joint frozen) from some frame to the clip's end, over LOST_SHARE of it
    or more: the last pose seen is a frozen copy, so how the clip ends (stays down, ends standing,
    stays in place) is not read, as when the track is lost."""
    least = _end_frames(total)
    return any(p.kind == "dead_track" and p.frames[1] >= total - 1 and p.frames[1] - p.frames[0] + 1 >= least
               for p in problems)


def _lost_problem(frames: np.ndarray, total: int) -> Problem | None:
    """The person's track ends (or starts) with LOST_SHARE of the clip or more missing (every
    joint zero or absent): a tracker that lost them, said, since what the body did there is
    unknown (a squat cut off at its lowest point looks like sitting down)."""
    if frames is None or not len(frames):
        return None
    tail, head = total - 1 - int(frames[-1]), int(frames[0])
    least = _end_frames(total)
    if tail >= least:
        return Problem("track_lost", (), (int(frames[-1]) + 1, total - 1),
                       f"the person is not tracked from frame {int(frames[-1]) + 1} on (no joints): how the clip "
                       f"ends is not read")
    if head >= least:
        return Problem("track_lost", (), (0, head - 1),
                       f"the person is not tracked before frame {head} (no joints): how the clip starts is not read")
    return None


def _length_varies(length: np.ndarray, share: float) -> bool:
    """A length read from 2D keypoints changes (5th to 95th percentile) by more than ``share`` of
    its median: the limb or trunk turned along the line of sight."""
    if not _readable(length):
        return False
    low, high = np.nanpercentile(length, [5, 95])
    return bool(high - low > share * np.nanmedian(length))


def _arms_foreshorten(body: _Body) -> bool:
    """In a 2D image an arm moved along the line of sight (raised or stretched towards or away
    from the camera) barely moves its hand in the image but shortens the arm: its shoulder-to-hand
    length changes by more than ARM_FORESHORTEN of its median (a still arm's changes by noise)."""
    return any(_length_varies(np.linalg.norm(body.hand[side] - body.shoulder[side], axis=1), ARM_FORESHORTEN)
               for side in ("right", "left"))


def _trunk_foreshortens(body: _Body) -> bool:
    """In a 2D image a trunk leaning or bending towards or away from the camera barely moves a
    joint but shortens the trunk: its hips-to-neck length (smoothed) changes by more than
    TRUNK_FORESHORTEN of its median."""
    return _length_varies(_smooth(np.linalg.norm(body.neck - body.hip, axis=1), body.rate.window(SMOOTHING)),
                          TRUNK_FORESHORTEN)


def _shoulders_turn(body: _Body) -> bool:
    """In a 2D image a body turning on the spot barely moves a joint up, down or across, but its
    shoulder line's image length changes (by the cosine of the turn): by more than
    STILL_SHOULDERS_2D (statures, smoothed, 5th to 95th percentile) it turned."""
    width = _smooth(np.linalg.norm(body.shoulder["left"] - body.shoulder["right"], axis=1), body.rate.window(SMOOTHING))
    return _readable(width) and bool(np.subtract(*np.nanpercentile(width, [95, 5])) > STILL_SHOULDERS_2D)


def _head_shifts_on_hips(body: _Body) -> bool:
    """In a 2D image a trunk leaning back (or bending) towards or away from the camera moves no
    joint far and barely shortens the trunk (20 degrees: 6 %), but it shifts the head against the
    hips and holds it there: the head-to-hips image vector, averaged over HEAD_ON_HIPS_MEAN seconds,
    spans more than HEAD_ON_HIPS_2D statures and more than HEAD_ON_HIPS_NOISE times the jitter such
    a mean keeps (the jitter read from the frame-to-frame steps, which a slow lean barely moves).
    The trunk pivots on hips that stay within STILL (a lean back moves them ~0.02 statures): a body
    hopping in place flexes with each hop, its hips going up and down with it (hand-check round 59,
    Penn 1002, rope jumping: hips 0.09 statures, the head 0.04 against them; 'stays in place' holds
    in the image)."""
    hips = _moving_median(body.step_hip, body.rate)
    hips = hips[np.isfinite(hips).all(axis=1)]
    if not len(hips) or _diameter(hips) >= STILL:
        return False
    rel = (body.step_head - body.step_hip)[:, :2]
    seen = np.isfinite(rel).all(axis=1)
    width = body.rate.window(HEAD_ON_HIPS_MEAN)
    if seen.sum() < 2 * width:
        return False
    mean = _smooth(rel, width)[seen]
    shift = _diameter(mean)
    steps = np.diff(rel[seen], axis=0)
    jitter = float(np.linalg.norm(1.4826 * np.median(np.abs(steps - np.median(steps, axis=0)), axis=0))) / np.sqrt(2)
    return bool(shift > HEAD_ON_HIPS_2D and shift > HEAD_ON_HIPS_NOISE * jitter / np.sqrt(width))


def _static(moved: dict[str, float]) -> bool:
    """The body does not move at all: head, hips and feet stay within STATIC_CORE, the hands
    within STILL_HANDS (jitter); a clip of an action like that is worth a word."""
    core = [v for k, v in moved.items() if "hand" not in k]
    hands = [v for k, v in moved.items() if "hand" in k]
    # hands that were never readable bound nothing: no 'does not move' from the head and hips alone
    return bool(core) and bool(hands) and max(core) < STATIC_CORE and max(hands) < STILL_HANDS


#: a limb joint that vetoes a 'no motion' statement (:func:`_a_seen_joint_moves`) is read over a moving
#: median of this many seconds: a tracker's joint placed off the body for a few frames (generated
#: truth, seed 40: an SBU shoulder 0.4-0.5 m off in 3 frames of a still body) goes, a press (a second
#: or more) stays
STILL_VETO_WINDOW = 0.5


def _a_seen_joint_moves(coords: np.ndarray, layout: Layout, shown: np.ndarray | None, rate: _Rate,
                        margin: float) -> bool:
    """Whether some joint of the arms or legs of ``coords`` (T, V, 3, statures), read (and, where
    ``shown`` (T, V) gives the source's flags, not guessed) in at least STILL_SEEN of the frames,
    spans (over a moving median of STILL_VETO_WINDOW) more than the hands may in a 'no motion'
    statement (``margin`` times its span above 2 * STILL_HANDS). The statement speaks of the hands,
    head, hips and feet, but an elbow, knee or shoulder seen moving that far says the body moves:
    hand-check round 39, Penn 0476 (bench press): the right wrist never seen, the right elbow (seen
    in every frame) pressing 112 -> 173 -> 116 px (0.21 statures) was stated 'the body does not
    move'. The limbs' joints only: a Kinect v2's hand tips and thumbs jitter more than the hands.
    Where the source flags guessed joints (``shown``), ``coords`` are read before the view check
    drops a hand beyond its forearm's reach (:func:`view_problems`): a hand the annotation shows is
    seen wherever its elbow was placed (hand-check round 50, Penn 1965: a strumming left wrist seen in
    every frame, up to 75 px (0.16 statures) from its median, dropped as guessed 150-170 px from an
    elbow annotated at the image's edge, was stated 'the body does not move')."""
    limbs = sorted({j for part in ("left_arm", "right_arm", "left_leg", "right_leg") for j in layout.parts.get(part, ())})
    for joint in limbs:
        track = coords[:, joint].copy()
        if shown is not None:
            track[~shown[:, joint]] = np.nan
        if np.isfinite(track).all(axis=1).mean() < STILL_SEEN:
            continue
        held = _moving_median(track, rate, STILL_VETO_WINDOW)
        if margin * _diameter(held[np.isfinite(held).all(axis=1)]) > 2 * STILL_HANDS:
            return True
    return False


def _raw_spans(body: _Body, least: float = STILL_SEEN) -> dict[str, float]:
    """How far apart (statures) the two furthest places of each part are over its unsmoothed
    track, the parts read in STILL_SEEN of the frames (the others are not read: never seen, or
    dropped by the tracking and view checks). The bounds a
    'no motion' statement says hold on the coordinates a reader checks: a moving median
    (:func:`_spans`) cuts a strumming wrist's strokes (hand-check rounds 17-23, Penn 1945: 0.075
    statures over the median, 0.087 raw)."""
    out = {}
    for name, x in _parts(body, smoothed=False).items():
        seen = np.isfinite(x).all(axis=1)
        if seen.any() and seen.mean() >= least:
            out[name] = _diameter(x[seen])
    return out


def _part_names(names: list[str]) -> str:
    """'head, hips and feet', 'the right hand', 'the hands': the parts ``names`` (as :func:`_parts`
    names them), a pair of sides as one plural."""
    words = list(names)
    for limb in ("hand", "foot"):
        if f"right {limb}" in words and f"left {limb}" in words:
            at = words.index(f"right {limb}")
            words = [w for w in words if w not in (f"right {limb}", f"left {limb}")]
            words.insert(at, "hands" if limb == "hand" else "feet")
    if len(words) == 1 and words[0] in ("hands", "feet", "right hand", "left hand", "right foot", "left foot"):
        return f"the {words[0]}"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _still_problem(n: int, tracking: Tracking, context: _Context, body: _Body, margin: float) -> Problem:
    """A clip in which the body does not move: said, since a tracker that lost the person (a dead
    track) and a person standing still look the same. The bounds cover every seen part's raw span
    with ``margin`` (:func:`_raw_spans`; a strumming hand's 0.115 statures is not 'within 0.10'),
    the parts not read are named as such, not bounded, and in an image the stature is said in pixels
    (the unit a reader measures; estimated where the feet are not seen: hand-check rounds 17-23, Penn
    1945, 1938, 1898, 1947, whose legs are hidden all clip, were read in the head to the lowest seen
    joint, about half a stature)."""
    frames = tracking.frames
    # a track read in under STILL_SEEN of its frames everywhere (a dead track's frames dropped) is
    # bounded over the frames it is read in, rather than not at all
    spans = _raw_spans(body) or _raw_spans(body, 0.0)
    every = list(_parts(body, smoothed=False))
    core_names = [k for k in every if "hand" not in k and k in spans]
    hand_names = [k for k in every if "hand" in k and k in spans]
    unseen = [k for k in every if k not in spans]
    core = max(STATIC_CORE, _round_up(margin * max((spans[k] for k in core_names), default=0.0), context))
    hands = max(STILL_HANDS, _round_up(margin * max((spans[k] for k in hand_names), default=0.0), context))
    stay = "stays" if core_names == ["head"] else "stay"
    bounds = [f"{_part_names(core_names)} {stay} within {context.distance_words(core)}"] if core_names else []
    bounds += [f"{_part_names(hand_names)} within {context.distance_words(hands)}"] if hand_names else []
    clauses = [", ".join(bounds)] if bounds else []
    if unseen:
        plural = len(unseen) > 1 or unseen[0] == "hips"
        names = _part_names(unseen)
        clauses.append(f"{names if names.startswith('the ') else 'the ' + names} {'are' if plural else 'is'} not read")
    if context.unit == "stature":
        estimated = any("foot" in k for k in unseen)
        clauses.append(f"a stature here is about {context.stature:.0f} px" + (", estimated without the feet" if estimated else ""))
    said = "; ".join(clauses)
    return Problem("no_motion", (), (int(frames[0]), int(frames[-1])),
                   f"the body does not move in {n} frames ({said}): the person stands still or the tracker "
                   f"lost them (a dead track)")


def _other_person_facts(other: np.ndarray, layout: Layout, world: World, body: _Body, clock: _Clock) -> list[Fact]:
    """Approach/depart of a second person, placed in the main person's world frame."""
    present = (np.abs(np.nan_to_num(other)).reshape(len(other), -1).sum(axis=1) > 0) & np.isfinite(other).all(axis=(1, 2))
    if present.mean() < 0.8:
        return []
    centre = nanmean_joints(world.place(np.where(present[:, None, None], other, np.nan)), layout.center)
    return _pair_facts(body.center, _smooth(centre, body.rate.window(SMOOTHING)), clock)


def kinematic_facts(data: np.ndarray, layout: str | Layout, max_facts: int = 6, fps: float | None = None) -> list[Fact]:
    """The facts of :func:`read_motion` (``fps``: the clip's frame rate, None for 30), ordered by time.

    Raises ``ValueError`` when nothing can be read (no person, a single frame, too few frames, a
    dead track, NaN everywhere: the message says which) or the data has the wrong shape. The list
    is empty when the person moved but no listed motion passed its threshold."""
    reading = read_motion(data, layout, max_facts=max_facts, fps=fps)
    if reading.blocked:
        raise ValueError("; ".join(p.text for p in reading.problems if p.blocking))
    return reading.facts


def _merge_sides(facts: list[Fact]) -> list[Fact]:
    """'raises the right hand above the head' + 'raises the left hand above the head' at about the
    same time -> 'raises both hands above the head'. Only when both sides did the same thing the
    same way (one hand above the head and one to the shoulder stay two facts)."""
    out, used = [], set()
    for i, f in enumerate(facts):
        if i in used:
            continue
        if f.part.startswith("right_"):
            limb = f.part[6:]
            twin = next((j for j, g in enumerate(facts) if j not in used and j != i and g.motion == f.motion
                         and g.part == "left_" + limb and abs(g.time - f.time) < 0.2
                         and g.text.replace("left", "right") == f.text), None)
            if twin is not None and f.motion == "lower" and _one_hand_barely_lowers(facts, f, facts[twin]):
                used.add(twin)
                f = max((f, facts[twin]), key=lambda h: _lowered_share(facts, h))
                twin = None
            if twin is not None:
                used.add(twin)
                g = facts[twin]
                text = f.text.replace(f"with the right {limb}", f"with both {limb}s").replace(f"the right {limb}", f"both {limb}s")
                f = Fact(f"both_{limb}s", f.motion, round((f.time + g.time) / 2, 3), max(f.strength, g.strength), text,
                         min(f.start, g.start), max(f.end, g.end))
        out.append(f)
    return out


def _lowered_share(facts: list[Fact], lower: Fact) -> float:
    """How much of its raise a 'lowers ... again' brings the hand back down (its drop over the rise
    of the same hand's raise among ``facts``); inf where no raise of that hand is found."""
    rise = next((g.strength for g in facts if g.motion == "raise" and g.part == lower.part), 0.0)
    return lower.strength / rise if rise > 0 else float("inf")


def _one_hand_barely_lowers(facts: list[Fact], a: Fact, b: Fact) -> bool:
    """Whether of two hands' lowers at about the same time one comes back down less than
    LOWER_BOTH_SHARE of its raise while the other comes down more: 'lowers both hands again' would
    say of the first what only the second did (hand-check round 28, NW-UCLA a11_s08_e03_v01: the left
    hand falls 0.50 m, the right 0.22-0.25 of its 0.7 m and stays at shoulder height)."""
    shares = sorted((_lowered_share(facts, a), _lowered_share(facts, b)))
    return shares[0] < LOWER_BOTH_SHARE <= shares[1]


def _most_salient(facts: list[Fact], k: int) -> list[Fact]:
    """The k facts that exceed their threshold the most (hands_together/touch_head: the closest)."""
    def salience(f: Fact) -> float:
        th = THRESHOLDS.get(f.motion, 1.0)
        return th / max(f.strength, 1e-3) if f.motion in ("hands_together", "touch_head") else f.strength / th
    return sorted(facts, key=salience, reverse=True)[:k]


def narrate(facts: list[Fact], subject: str = "The person") -> str:
    """Plain-English description in temporal order: 'The person first ..., then ..., and finally ...'."""
    own = [f for f in facts if f.part != "people" and f.motion not in ("walk", "still")]
    clauses = [f.text for f in own]
    if len(clauses) == 0:
        sentences = []
    elif len(clauses) == 1:
        sentences = [f"{subject} {clauses[0]}."]
    else:
        middle = "".join(f", then {c}" for c in clauses[1:-1])
        sentences = [f"{subject} first {clauses[0]}{middle}, and finally {clauses[-1]}."]
    for f in facts:
        if f.motion in ("walk", "still"):
            sentences.append(f"{'Meanwhile the person' if sentences else subject} {f.text}.")
        elif f.part == "people":
            sentences.append(f.text[0].upper() + f.text[1:] + ".")
    return " ".join(sentences) or f"{subject} makes no motion that the detector names."
