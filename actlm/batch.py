"""Many videos in one job: which files, and a results log that survives a crash and resumes.

``actlm predict a.mp4 b.mp4 clips/ --jsonl results.jsonl`` writes one JSON line per video as soon
as that video is done (flushed to disk), so a crash or Ctrl-C loses only the video in progress. A
rerun with the same log skips every video already there with a result for the same file (path,
size, modification time) and the same settings, and retries the ones that failed. A bad video
(unreadable, no person, ...) gets a line with its error and the batch goes on.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

#: what a folder given to ``actlm predict`` contributes: videos OpenCV reads, and COCO-17 keypoint files
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".json"})
#: the statuses that are a result (not retried on resume); anything else is retried
DONE = frozenset({"ok", "no_person"})


def video_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to predict, in the order given, each once: a file as is, a folder's video and
    keypoint files (by suffix, sorted by name, not its subfolders). A folder with none raises
    ``ValueError`` naming it; a path that does not exist is kept (its line will say so)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(p for p in given.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
            if not found:
                raise ValueError(f"{given}: no video or keypoint files in this folder "
                                 f"(looked for {', '.join(sorted(VIDEO_SUFFIXES))}; subfolders are not searched)")
        else:
            found = [given]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(path)
    return out


def file_identity(path: Path) -> dict[str, Any] | None:
    """What tells a file apart from an edited copy at the same path; None when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return None
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


class ResultLog:
    """A JSON Lines file of per-video results, appended as each finishes; the finished ones are
    looked up by file identity and settings, so a rerun resumes where the last one stopped."""

    def __init__(self, path: str | Path, settings: dict[str, Any]):
        self.path = Path(path)
        self.settings = settings
        self._done: set[tuple[str, int, int]] = set()
        if self.path.exists():
            self._read_existing()

    def _read_existing(self) -> None:
        bad = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:        # a line cut short by a crash: that video is done again
                bad += 1
                continue
            ident = record.get("file") if isinstance(record, dict) else None
            if (isinstance(ident, dict) and record.get("status") in DONE
                    and record.get("settings") == self.settings):
                self._done.add((ident.get("path"), ident.get("size"), ident.get("mtime_ns")))
        if bad:
            warnings.warn(f"{self.path}: {bad} unreadable line(s) (cut short?) ignored; those videos are done again",
                          stacklevel=2)

    def finished(self, video: Path) -> bool:
        """A result for this very file with these settings is already in the log."""
        ident = file_identity(video)
        return ident is not None and (ident["path"], ident["size"], ident["mtime_ns"]) in self._done

    def append(self, video: Path, status: str, payload: dict[str, Any]) -> None:
        """Write one video's line and make sure it is on disk before the next video starts."""
        record = {"video": str(video), "status": status, "file": file_identity(video), "settings": self.settings,
                  **payload}
        text = json.dumps(record)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as f:
            if f.tell() > 0:            # a crash may have left the last line without its newline
                f.seek(f.tell() - 1)
                if f.read(1) != "\n":
                    f.write("\n")
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        if status in DONE and record["file"] is not None:
            ident = record["file"]
            self._done.add((ident["path"], ident["size"], ident["mtime_ns"]))
