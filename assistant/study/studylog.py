"""Study log in SQLite: quiz attempts with a Leitner box per fact, and mock-interview attempts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import StudyLogError
from assistant.settings import knob_default

if TYPE_CHECKING:
    from assistant.study.grading import Feedback
    from assistant.study.quiz import Fact

SCHEMA_VERSION = 2  # kept in PRAGMA user_version; 2 added the mock tables (created on open)
_TABLES = {"attempts", "facts", "mocks", "mock_marks"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY, fact_id TEXT NOT NULL, topic TEXT NOT NULL, source TEXT NOT NULL,
    answer TEXT NOT NULL, given TEXT NOT NULL, correct INTEGER NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_fact ON attempts (fact_id);
CREATE TABLE IF NOT EXISTS facts (
    fact_id TEXT PRIMARY KEY, topic TEXT NOT NULL, source TEXT NOT NULL, answer TEXT NOT NULL,
    prompt TEXT NOT NULL, box INTEGER NOT NULL, due TEXT NOT NULL, seen INTEGER NOT NULL,
    missed INTEGER NOT NULL, last_seen TEXT NOT NULL, last_correct INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mocks (
    id INTEGER PRIMARY KEY, company TEXT NOT NULL, round TEXT NOT NULL, prompt TEXT NOT NULL,
    answer TEXT NOT NULL, score REAL NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mock_marks (
    mock_id INTEGER NOT NULL REFERENCES mocks (id), point TEXT NOT NULL, status TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS mock_marks_mock ON mock_marks (mock_id);
"""


@dataclass(frozen=True)
class State:
    """Where a fact stands: Leitner box (0 up to quiz_max_box), when it is next due, its record."""

    fact_id: str
    box: int
    due: datetime
    seen: int
    missed: int
    last_seen: datetime | None
    last_correct: bool


@dataclass(frozen=True)
class ReviewItem:
    """A fact whose last answer was wrong: what to review and where it comes from."""

    fact_id: str
    topic: str
    prompt: str
    answer: str
    source: str
    missed: int
    due: datetime


@dataclass(frozen=True)
class Stats:
    """Summary of all attempts: totals, (attempts, correct) per topic, facts to review."""

    attempts: int
    correct: int
    per_topic: dict[str, tuple[int, int]]
    to_review: list[ReviewItem]

    @property
    def accuracy(self) -> float:
        """Share of correct attempts (0 when there are none)."""
        return self.correct / self.attempts if self.attempts else 0.0

    def topic_accuracy(self, topic: str) -> float:
        """Share of correct attempts in one topic (0 when there are none)."""
        attempts, correct = self.per_topic.get(topic, (0, 0))
        return correct / attempts if attempts else 0.0


@dataclass(frozen=True)
class RoundProgress:
    """One round's practice record: its scores (0-100) oldest first, with when."""

    company: str
    round: str
    scores: list[tuple[datetime, float]]
    prompts: dict[str, int]  # each prompt's text: how often it was answered

    @property
    def last(self) -> float:
        """The latest score."""
        return self.scores[-1][1]

    @property
    def best(self) -> float:
        """The best score so far."""
        return max(s for _, s in self.scores)


@dataclass(frozen=True)
class MissedPoint:
    """A rubric point and how often practice answers missed it (of the times it was graded)."""

    company: str
    round: str
    point: str
    missed: int
    graded: int


@dataclass(frozen=True)
class MockStats:
    """Every round practised, and the rubric points missed most often."""

    attempts: int
    rounds: list[RoundProgress]
    most_missed: list[MissedPoint]

    def progress(self, company: str, name: str) -> RoundProgress | None:
        """The record of one round, if it was practised."""
        return next((r for r in self.rounds if (r.company, r.round) == (company, name)), None)


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _iso(when: datetime) -> str:
    return _utc(when).isoformat(timespec="seconds")


class StudyLog:
    """A SQLite file of quiz attempts; every call opens its own connection (thread-safe)."""

    def __init__(self, path: Path, max_box: int | None = None) -> None:
        self.path = Path(path)
        self.max_box = int(knob_default("quiz_max_box")) if max_box is None else max_box
        self._ready = False

    def _error(self, exc: BaseException) -> StudyLogError:
        """One line per cause, naming the real fix and the PREP_STUDY_DB setting."""
        text = str(exc).lower()
        other = "or set PREP_STUDY_DB to another file"
        if isinstance(exc, PermissionError) or "readonly" in text or "unable to open" in text:
            fix = f"is read-only or cannot be opened; make it and its folder writable, {other}"
        elif "locked" in text or "busy" in text:
            fix = "is busy (another quiz is writing to it); wait a moment and try again"
        elif "full" in text or "no space" in text:
            fix = "cannot be written: the disk is full; free some space"
        elif "not a database" in text or "malformed" in text:
            fix = f"is damaged or not a SQLite file; move it aside ({other.removeprefix('or ')})"
        else:
            fix = f"cannot be used ({exc}); move it aside {other}"
        return StudyLogError(f"study log {self.path} {fix}")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode, the schema created on first use."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc) from exc
        try:
            if not self._ready:
                self._create(conn)
            yield conn
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            conn.close()

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise self._error(Exception(f"schema {version} is newer than this program's"))
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if names - _TABLES:
            raise self._error(Exception(f"not a study log: it has tables {sorted(names)}"))
        conn.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
        self._ready = True

    def record(self, fact: Fact, correct: bool, given: str, when: datetime | None = None) -> State:
        """Log an attempt: right moves the box up (due in 2**box days), wrong to 0 (due now)."""
        at = _utc(when)
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT box, seen, missed FROM facts WHERE fact_id = ?", (fact.id,)
            ).fetchone()
            box, seen, missed = row or (0, 0, 0)
            box = min(box + 1, self.max_box) if correct else 0
            due = at + timedelta(days=2**box) if correct else at
            state = State(fact.id, box, due, seen + 1, missed + (not correct), at, correct)
            source, ok = fact.passage.source, int(correct)
            db.execute(
                "INSERT INTO attempts (fact_id, topic, source, answer, given, correct, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (fact.id, fact.topic, source, fact.answer, given, ok, _iso(at)),
            )
            values = (fact.id, fact.topic, source, fact.answer, fact.prompt, box, _iso(due))
            db.execute(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, state.seen, state.missed, _iso(at), ok),
            )
            db.execute("COMMIT")
        return state

    def history(self) -> dict[str, State]:
        """Every fact attempted so far, by fact id (what make_quiz needs to pick due facts)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT fact_id, box, due, seen, missed, last_seen, last_correct FROM facts"
            ).fetchall()
        when = datetime.fromisoformat
        return {
            fid: State(fid, box, when(due), seen, missed, when(last), bool(ok))
            for fid, box, due, seen, missed, last, ok in rows
        }

    def stats(self) -> Stats:
        """Totals, per-topic accuracy, and the facts missed last time (due until answered right)."""
        with self._db() as db:
            total, right = db.execute("SELECT COUNT(*), SUM(correct) FROM attempts").fetchone()
            topics = db.execute(
                "SELECT topic, COUNT(*), SUM(correct) FROM attempts GROUP BY topic ORDER BY topic"
            ).fetchall()
            missed = db.execute(
                "SELECT fact_id, topic, prompt, answer, source, missed, due FROM facts"
                " WHERE last_correct = 0 ORDER BY missed DESC, last_seen DESC"
            ).fetchall()
        review = [
            ReviewItem(fid, topic, prompt, answer, source, n, datetime.fromisoformat(due))
            for fid, topic, prompt, answer, source, n, due in missed
        ]
        per_topic = {t: (n, c or 0) for t, n, c in topics}
        return Stats(total, right or 0, per_topic, review)

    def record_mock(self, feedback: Feedback, when: datetime | None = None) -> None:
        """Log a graded practice answer: its round, prompt, score and every point's mark."""
        rnd = feedback.round
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(
                "INSERT INTO mocks (company, round, prompt, answer, score, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rnd.company,
                    rnd.name,
                    feedback.prompt.text,
                    feedback.answer,
                    feedback.score,
                    _iso(_utc(when)),
                ),
            )
            db.executemany(
                "INSERT INTO mock_marks (mock_id, point, status) VALUES (?, ?, ?)",
                [(cur.lastrowid, m.point.name, m.status) for m in feedback.marks],
            )
            db.execute("COMMIT")

    def mock_stats(self, top: int = 5) -> MockStats:
        """Scores per round over time, and the top rubric points most often missed."""
        with self._db() as db:
            rows = db.execute(
                "SELECT company, round, prompt, score, at FROM mocks ORDER BY at, id"
            ).fetchall()
            missed = db.execute(
                "SELECT m.company, m.round, k.point, SUM(k.status = 'missed'), COUNT(*)"
                " FROM mock_marks k JOIN mocks m ON m.id = k.mock_id"
                " GROUP BY m.company, m.round, k.point HAVING SUM(k.status = 'missed') > 0"
                " ORDER BY SUM(k.status = 'missed') DESC, COUNT(*) DESC, k.point LIMIT ?",
                (top,),
            ).fetchall()
        rounds: dict[tuple[str, str], RoundProgress] = {}
        for company, name, prompt, score, at in rows:
            rec = rounds.setdefault((company, name), RoundProgress(company, name, [], {}))
            rec.scores.append((datetime.fromisoformat(at), score))
            rec.prompts[prompt] = rec.prompts.get(prompt, 0) + 1
        return MockStats(len(rows), list(rounds.values()), [MissedPoint(*row) for row in missed])

    def reset(self) -> None:
        """Forget every attempt and box, quiz and mock interview."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            for table in ("attempts", "facts", "mock_marks", "mocks"):
                db.execute(f"DELETE FROM {table}")
            db.execute("COMMIT")
