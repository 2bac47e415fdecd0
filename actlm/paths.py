"""Where actlm finds raw data and keeps what it derives (prepared sets, runs, caches)."""
from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "ACTLM_DATA"
CACHE_ENV = "ACTLM_CACHE"


def data_root(explicit: str | Path | None = None) -> Path:
    """The raw-data root: ``explicit`` > ``$ACTLM_DATA`` > ``../shared/data`` (if it exists)
    > ``~/actlm-data``. The result may not exist; callers say what to put there."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    for candidate in (Path.cwd() / ".." / "shared" / "data",
                      Path(__file__).resolve().parents[2] / "shared" / "data"):
        if candidate.is_dir():
            return candidate.resolve()
    return Path.home() / "actlm-data"


def cache_dir(*parts: str) -> Path:
    """A writable cache folder (``$ACTLM_CACHE`` or ``~/.cache/actlm``), created on demand."""
    base = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "actlm").expanduser()
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
