"""``actlm live``: action events from a camera, a stream or a video file as it plays."""
from __future__ import annotations

import json
import sys

import click

from . import main


@main.command("live")
@click.argument("source")
@click.option("--checkpoint", type=click.Path(exists=True), default=None,
              help="Classifier checkpoint (default: the model shipped for `actlm predict`).")
@click.option("--window", default=None, type=click.IntRange(2), help="Window in frames (default: the model's clip length).")
@click.option("--stride", default=None, type=click.IntRange(1), help="Frames between scored windows (default: a quarter window).")
@click.option("--hold", default=None, type=click.IntRange(1),
              help="Windows in a row that must name an action before it is announced (default: the model's "
                   "calibrated value, stored with it).")
@click.option("--unknown-below", default=None, type=click.FloatRange(0, 1, min_open=True),
              help="A window whose best action is below this probability is 'no known action' (default: the "
                   "model's calibrated value, stored with it).")
@click.option("--stall", "stall_s", default=5.0, show_default=True, type=click.FloatRange(0, min_open=True),
              help="End when the source sends nothing for this many seconds.")
@click.option("--seconds", "max_seconds", default=None, type=click.FloatRange(0, min_open=True),
              help="Stop after this many seconds (default: until the source ends or stalls, or Ctrl-C).")
@click.option("--people", default=1, show_default=True, type=click.IntRange(1, 8),
              help="Follow up to this many people at once, each with their own actions (needs "
                   "pip install 'actlm[people]'); events then say whose they are.")
@click.option("--events", "events_out", default=None, type=click.Path(dir_okay=False),
              help="Also write each event as a JSON line to this file, as it happens.")
def live_cmd(source: str, checkpoint: str | None, window: int | None, stride: int | None, hold: int | None,
             unknown_below: float | None, stall_s: float, max_seconds: float | None, people: int, events_out: str | None) -> None:
    """Print actions as they start and end in SOURCE: a camera index (0), a stream URL
    (rtsp://, http://) or a video file, played at its own frame rate. Frames are dropped, and
    counted, when recognition falls behind real time. With --people N, up to N people at once,
    each event saying whose it is."""
    from ..live import BlazePoseTracker, LiveRecognizer, PeopleFramePose, PeopleLiveRecognizer, run_live
    from ..pipeline import default_checkpoint

    from .video_cmds import make_output_folders

    make_output_folders({"--events": events_out})
    sink = open(events_out, "w") if events_out else None

    def show(event: dict) -> None:
        what = "started" if event["event"] == "start" else "ended  "
        confidence = f" ({event['confidence']:.0%})" if event.get("confidence") is not None else ""
        who = f"person {event['person']}: " if "person" in event else ""
        left = " (left the picture)" if event.get("left") else ""
        click.echo(f"{event['time_s']:8.2f} s  {who}{what} {event['action']}{confidence}{left}")
        if sink:
            sink.write(json.dumps(event) + "\n")
            sink.flush()

    def recognizer(fps: float) -> LiveRecognizer:
        if people > 1:
            return PeopleLiveRecognizer(checkpoint or default_checkpoint(), PeopleFramePose(people, fps), fps,
                                        max_people=people, window=window, stride=stride, threshold=unknown_below,
                                        hold=hold)
        return LiveRecognizer(checkpoint or default_checkpoint(), BlazePoseTracker(), fps, window=window,
                              stride=stride, threshold=unknown_below, hold=hold)

    try:
        report = run_live(source, recognizer, stall_s=stall_s, on_event=show, max_seconds=max_seconds)
    finally:
        if sink:
            sink.close()
    click.echo(report.summary(), err=True)
    if report.reason.startswith("source failed"):
        sys.exit(1)
