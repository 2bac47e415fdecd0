"""The loop every one-file-per-sequence importer shares: read, skip and report bad files, write."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import DataError, PrepareReport, Skipped
from .sequence_files import special_file_reason
from .store import DatasetWriter, Sample


def import_files(files: Sequence[Path], read: Callable[[Path], Sample], writer: DatasetWriter,
                 splits: dict[str, list[str]], splits_of: Callable[[Sample], Iterable[str]],
                 progress: Callable | None = None, where: Path | None = None) -> PrepareReport:
    """Write every file ``read`` accepts (a :class:`DataError` skips the file, with its reason)
    into the open ``writer``, add its id to the ``splits`` that ``splits_of`` names, and close
    the writer. No readable file at all is an error naming ``where``."""
    skipped: list[Skipped] = []
    for path in (progress(files) if progress else files):
        special = special_file_reason(path)
        if special:                      # a FIFO would make read() wait forever
            skipped.append(Skipped(str(path), special))
            continue
        try:
            sample = read(path)
        except DataError as exc:
            skipped.append(Skipped.from_error(path, exc))
            continue
        writer.add(sample)
        for split in splits_of(sample):
            splits[split].append(sample.sample_id)
    if not writer.index:
        raise DataError(f"{where or 'input'}: none of {len(files)} files could be read:\n"
                        + "\n".join(f"  {s.path}: {s.reason}" for s in skipped[:5]))
    writer.close(splits)
    return PrepareReport(written=len(writer.index), skipped=skipped, output=writer.root)
