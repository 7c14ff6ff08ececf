"""The ledger is an append-only log: recording costs the same whatever it holds, a torn last line is skipped,
an old outcomes.json is moved over, and records of an older schema version are read through their upgrades."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from grader.errors import GraderError
from grader.pipeline import record_log
from grader.pipeline.outcomes import SCHEMA_VERSION, Ledger, Outcome
from grader.pipeline.record_log import COMPACT_SLACK, RecordLog


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """Each test starts as a new process would: nothing read yet."""
    monkeypatch.setattr(record_log, "_SEEN", {})


def forget_what_was_read(monkeypatch):
    monkeypatch.setattr(record_log, "_SEEN", {})


def outcome(i: int, score: float = 3.0) -> Outcome:
    return Outcome(f"s{i:05d}", "01_lesson", "ok", score=score, max_score=5.0,
                   cells={"test_a": [score, 5.0]}, submission_sha=f"{i:064x}", notes=["a note"])


class Counted:
    """Bytes the log reads and writes, through its one read and one write function."""

    def __init__(self, monkeypatch):
        self.read = self.written = 0
        read, write = record_log.read_bytes_from, record_log.write_all

        def counted_read(path, offset):
            data = read(path, offset)
            self.read += len(data)
            return data

        def counted_write(fd, data):
            self.written += len(data)
            write(fd, data)

        monkeypatch.setattr(record_log, "read_bytes_from", counted_read)
        monkeypatch.setattr(record_log, "write_all", counted_write)


def test_recording_reads_nothing_and_writes_one_line_whatever_the_ledger_holds(tmp_path, monkeypatch):
    costs = {}
    for size in (10, 1000):
        ledger = Ledger(tmp_path / f"class-of-{size}")
        ledger.path.parent.mkdir()
        ledger.record_all([outcome(i) for i in range(size)])
        ledger.load()  # the run's one read
        counted = Counted(monkeypatch)
        before = ledger.path.stat().st_size
        ledger.record(outcome(size))
        costs[size] = (counted.read, counted.written, ledger.path.stat().st_size - before)
        monkeypatch.undo()
        forget_what_was_read(monkeypatch)
    assert costs[10] == costs[1000], costs
    read, written, grown = costs[10]
    assert read == 0 and written == grown > 0


def test_a_run_reads_the_file_once(tmp_path, monkeypatch):
    ledger = Ledger(tmp_path)
    ledger.record_all([outcome(i) for i in range(50)])
    forget_what_was_read(monkeypatch)
    size = ledger.path.stat().st_size
    counted = Counted(monkeypatch)
    for i in range(5):  # as a run does: a fresh Ledger per look-up (grader.pipeline.prepare), records between
        assert Ledger(tmp_path).get(outcome(i).key) == outcome(i)
        ledger.record(outcome(100 + i))
    assert counted.read == size


def test_the_last_record_of_a_key_wins_and_loaded_outcomes_are_copies(tmp_path):
    ledger = Ledger(tmp_path)
    ledger.record(outcome(1, score=1.0))
    ledger.record(outcome(1, score=4.0))
    loaded = ledger.load()
    assert list(loaded) == [outcome(1).key] and loaded[outcome(1).key].score == 4.0
    loaded[outcome(1).key].cells["test_a"][0] = 0.0
    assert ledger.load()[outcome(1).key].cells["test_a"] == [4.0, 5.0]


def test_a_torn_last_line_is_skipped_and_removed_by_the_next_record(tmp_path, monkeypatch):
    ledger = Ledger(tmp_path)
    ledger.record_all([outcome(1), outcome(2)])
    whole = ledger.path.read_bytes()
    line = whole.splitlines(keepends=True)[0]
    ledger.path.write_bytes(whole + line[: len(line) // 2])  # a write cut short
    forget_what_was_read(monkeypatch)
    assert set(Ledger(tmp_path).load()) == {outcome(1).key, outcome(2).key}
    Ledger(tmp_path).record(outcome(3))
    forget_what_was_read(monkeypatch)
    assert set(Ledger(tmp_path).load()) == {outcome(i).key for i in (1, 2, 3)}
    assert [json.loads(x)["fields"]["student"] for x in ledger.path.read_bytes().splitlines()] == \
        [outcome(i).student for i in (1, 2, 3)]


def test_an_old_outcomes_json_is_moved_over_on_first_load(tmp_path):
    old = {o.key: asdict(o) for o in (outcome(1), outcome(2))}
    (tmp_path / "outcomes.json").write_text(json.dumps(old, indent=1), encoding="utf-8")
    ledger = Ledger(tmp_path)
    assert ledger.load() == {key: Outcome(**fields) for key, fields in old.items()}
    assert not (tmp_path / "outcomes.json").exists() and ledger.path.exists()
    ledger.record(outcome(3, score=5.0))
    assert Ledger(tmp_path).get(outcome(3).key).score == 5.0 and len(Ledger(tmp_path).load()) == 3


def test_an_old_record_of_fewer_fields_reads_with_their_defaults(tmp_path):
    fields = {"student": "ada", "lesson": "01_lesson", "status": "ok", "score": 2.0}  # a record of version 0
    (tmp_path / "outcomes.jsonl").write_text(json.dumps({"schema": 0, "fields": fields}) + "\n", encoding="utf-8")
    assert Ledger(tmp_path).load() == {"ada/01_lesson": Outcome("ada", "01_lesson", "ok", score=2.0)}


def renamed_log(path):
    """A record type whose version 2 renamed `name` to `student` and version 3 added `late`."""
    upgrades = {1: lambda f: {"student": f.pop("name"), **f}, 2: lambda f: {**f, "late": False}}
    return RecordLog(path, 3, upgrades, key_of=lambda f: f["student"])


def test_records_of_older_versions_are_read_through_every_upgrade_after_them(tmp_path):
    path = tmp_path / "log.jsonl"
    lines = [{"schema": 1, "fields": {"name": "ada", "score": 1}},
             {"schema": 2, "fields": {"student": "bob", "score": 2}},
             {"schema": 3, "fields": {"student": "cy", "score": 3, "late": True}},
             {"schema": 1, "fields": {"name": "bob", "score": 4}}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    assert renamed_log(path).records() == {"ada": {"student": "ada", "score": 1, "late": False},
                                           "bob": {"student": "bob", "score": 4, "late": False},
                                           "cy": {"student": "cy", "score": 3, "late": True}}


def test_a_record_from_a_newer_grader_is_refused_by_name(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"schema": 4, "fields": {"student": "ada"}}) + "\n", encoding="utf-8")
    with pytest.raises(GraderError, match="newer grader"):
        renamed_log(path).records()


def test_superseded_lines_are_compacted_away(tmp_path, monkeypatch):
    ledger = Ledger(tmp_path)
    rounds = 3 * COMPACT_SLACK
    for r in range(rounds):
        ledger.record_all([outcome(1, score=r), outcome(2, score=r)])
    lines = ledger.path.read_bytes().splitlines()
    assert len(lines) <= 2 + 2 * COMPACT_SLACK + 2 < 2 * rounds
    assert all(json.loads(x)["schema"] == SCHEMA_VERSION for x in lines)
    forget_what_was_read(monkeypatch)
    assert {k: o.score for k, o in Ledger(tmp_path).load().items()} == {outcome(1).key: rounds - 1,
                                                                         outcome(2).key: rounds - 1}


def test_lines_another_process_appended_are_seen(tmp_path):
    ledger = Ledger(tmp_path)
    ledger.record(outcome(1))
    ledger.load()
    with open(ledger.path, "a", encoding="utf-8") as f:  # as another grader process would append
        f.write(json.dumps({"schema": SCHEMA_VERSION, "fields": asdict(outcome(2))}) + "\n")
    assert set(ledger.load()) == {outcome(1).key, outcome(2).key}
