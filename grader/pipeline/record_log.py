"""An append-only file of versioned records, one JSON object a line, where the last record of a key wins.

Adding a record writes one line, whatever the file holds, so the cost of recording a submission does not
grow with the class. What was read is kept per file for the whole process and brought up to date from the
bytes appended since, so a run reads the file once. A line counts once its newline is written: a write cut
short (a crash, a full disk) leaves a torn last line that readers skip and the next writer removes. When
superseded lines outnumber the live ones, the file is rewritten with one line per key (compaction).

Each line names its schema version; `upgrades` maps a record of version n to version n + 1, so a field
renamed later never makes an old file unreadable.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError

# Compact when the file holds more than this many superseded lines and more superseded than live ones:
# each compaction rewrites at most twice the lines appended since the last one, a constant cost per record.
COMPACT_SLACK = 256


@dataclass
class _Seen:
    """What this process has read of one file: up to `offset`, the end of its last whole line."""
    inode: int = -1
    offset: int = 0
    lines: int = 0
    records: dict[str, dict] = field(default_factory=dict)  # key -> fields, at the current version


_SEEN: dict[Path, _Seen] = {}
_LOCK = threading.Lock()  # one thread at a time reads or changes _SEEN


def read_bytes_from(path: Path, offset: int) -> bytes:
    """The file's bytes after `offset` (one place for every read, so tests can count them)."""
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read()


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (one place for every write, so tests can count them)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def upgrade(fields: dict, version: int, current: int, upgrades: dict[int, Callable[[dict], dict]]) -> dict:
    """A record of `version` brought to `current`, one step at a time."""
    if version > current:
        raise GraderError(f"a record of schema version {version} was written by a newer grader (this one reads "
                          f"up to {current}): upgrade the grader")
    while version < current:
        fields = upgrades[version](dict(fields))
        version += 1
    return fields


class RecordLog:
    def __init__(self, path: Path, version: int, upgrades: dict[int, Callable[[dict], dict]],
                 key_of: Callable[[dict], str]):
        self.path = Path(path)
        self.version, self.upgrades, self.key_of = version, upgrades, key_of

    def records(self) -> dict[str, dict]:
        """key -> the fields of its last record (copies: the caller may change them)."""
        with _LOCK:
            seen = self._caught_up()
            return {key: json.loads(json.dumps(fields)) for key, fields in seen.records.items()}

    def get(self, key: str) -> dict | None:
        with _LOCK:
            fields = self._caught_up().records.get(key)
            return None if fields is None else json.loads(json.dumps(fields))

    def append(self, fields: dict) -> None:
        self.extend([fields])

    def extend(self, many: list[dict]) -> None:
        """Add records in one write; compact the file when superseded lines have piled up."""
        if not many:
            return
        data = b"".join(self._line(f) for f in many)
        with _LOCK:
            fd = self._open_locked()
            try:
                seen = self._caught_up()
                size = os.fstat(fd).st_size
                if size > seen.offset:  # a torn last line: never a record, so nothing is lost
                    os.ftruncate(fd, seen.offset)
                write_all(fd, data)
                seen.offset += len(data)
                seen.lines += len(many)
                for fields in many:
                    seen.records[self.key_of(fields)] = json.loads(json.dumps(fields))
                superseded = seen.lines - len(seen.records)
                if superseded > COMPACT_SLACK and superseded > len(seen.records):
                    self._compact(seen)
            finally:
                os.close(fd)

    def replace_all(self, many: list[dict]) -> None:
        """Write a whole new file holding these records (a migration from another format)."""
        with _LOCK:
            seen = _Seen(records={self.key_of(f): f for f in many})
            self._compact(seen)
            _SEEN[self.path] = seen

    # ---- inside the lock ----

    def _line(self, fields: dict) -> bytes:
        return (json.dumps({"schema": self.version, "fields": fields}, sort_keys=True) + "\n").encode("utf-8")

    def _open_locked(self) -> int:
        """The file open for appending under an exclusive lock; reopened if compaction replaced it meanwhile."""
        while True:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                return fd
            os.close(fd)

    def _caught_up(self) -> _Seen:
        """This process's view of the file, after reading what was appended since it last looked."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            _SEEN[self.path] = _Seen()
            return _SEEN[self.path]
        seen = _SEEN.get(self.path)
        if seen is None or seen.inode != stat.st_ino or stat.st_size < seen.offset:
            seen = _SEEN[self.path] = _Seen(inode=stat.st_ino)
        if stat.st_size > seen.offset:
            self._read_tail(seen)
        return seen

    def _read_tail(self, seen: _Seen) -> None:
        data = read_bytes_from(self.path, seen.offset)
        whole = data[:data.rfind(b"\n") + 1]  # an unterminated last line is torn: not a record yet
        for number, line in enumerate(whole.splitlines(), start=seen.lines + 1):
            try:
                raw = json.loads(line)
                fields = upgrade(raw["fields"], raw["schema"], self.version, self.upgrades)
            except (ValueError, KeyError, TypeError) as exc:
                raise GraderError(f"{self.path}, line {number}: not a record ({exc}); "
                                  "remove or repair that line") from exc
            seen.records[self.key_of(fields)] = fields
        seen.offset += len(whole)
        seen.lines += whole.count(b"\n")

    def _compact(self, seen: _Seen) -> None:
        """One line per key, sorted, written beside the file and moved over it."""
        data = b"".join(self._line(seen.records[k]) for k in sorted(seen.records))
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        seen.inode, seen.offset, seen.lines = os.stat(self.path).st_ino, len(data), len(seen.records)
