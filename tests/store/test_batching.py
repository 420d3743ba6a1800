"""Batching brings reminders forward a little, never a nudge whose words depend on the time:
over random schedules and random tick times, no missed, heads-up or escalation DM goes out
before it is due, and every nudge goes out exactly once."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.core.calendar import WorkCalendar
from bot.core.items import NewItem
from bot.core.plan import Kind
from bot.store.db import make_engine, migrate
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.dispatch import COALESCE, Dispatcher
from bot.usecases.nudge_kinds import ItemNudge, Kinds
from bot.usecases.ports import CatchUp, EndOfDay, NudgeView

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
TIME_BOUND = {Kind.MISSED, Kind.HEADS_UP, Kind.ESCALATE}
KINDS = [Kind.BEFORE, Kind.SNOOZED, Kind.MISSED, Kind.HEADS_UP, Kind.ESCALATE]


class _Workplace:
    def calendar_for(self, team_id: str, user_id: str) -> WorkCalendar:
        return WorkCalendar(tz=ZoneInfo("UTC"))


class Recorder:
    """A Messenger noting, for each nudge sent, the clock's time when it went out."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.sent: list[tuple[int, str, datetime]] = []

    def send_nudges(
        self,
        team_id: str,
        user_id: str,
        views: list[NudgeView],
        eod: EndOfDay | None,
        tz: str,
        catch_up: CatchUp | None = None,
    ) -> tuple[str, str]:
        for v in views:
            self.sent.append((v.nudge_id, v.kind, self.clock.now()))
        return f"D{user_id}", f"{len(self.sent)}.000100"

    def find_sent(self, team_id: str, user_id: str, nudge_id: int, oldest: datetime) -> Any:
        return None


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database to copy per example (migrating each time would take most
    of the test's time)."""
    path = tmp_path_factory.mktemp("batching") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


nudge = st.tuples(
    st.sampled_from(["U1", "U2", "U3"]),
    st.sampled_from(KINDS),
    st.integers(min_value=0, max_value=30),  # minutes after START it is due
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    schedule=st.lists(nudge, min_size=1, max_size=25),
    steps=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=12),
)
@example(schedule=[("U1", Kind.BEFORE, 0), ("U1", Kind.MISSED, 3)], steps=[0])
def test_nothing_time_bound_goes_out_before_its_time(
    template: Path, schedule: list[tuple[str, str, int]], steps: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(template, Path(tmp) / "b.db")
        repo = Repo(make_engine(f"sqlite:///{Path(tmp) / 'b.db'}"))
        due: dict[int, tuple[str, datetime]] = {}
        for k, (user, kind, minutes) in enumerate(schedule):
            # The deadline is far ahead, so every reminder is still worth sending.
            item = repo.create_item(
                NewItem("T1", "promise", f"deck {k}", user, user, START + timedelta(days=3)),
                START,
            )
            at = START + timedelta(minutes=minutes)
            assert repo.outbox.ensure(
                "T1", Want(user, kind, f"{item.id}:{kind}", at), START, item.id
            )
            [row] = repo.outbox.for_item("T1", item.id)
            due[row.id] = (kind, at)

        clock = FrozenClock(START)
        messenger = Recorder(clock)
        reminder, on_time = ItemNudge(may_go_early=True), ItemNudge()
        kinds = Kinds(
            dms={
                Kind.BEFORE: reminder,
                Kind.SNOOZED: reminder,
                Kind.MISSED: on_time,
                # No escalation is queued here: a heads-up would be skipped as untrue.
                Kind.HEADS_UP: on_time,
                Kind.ESCALATE: on_time,
            }
        )
        dispatcher = Dispatcher(repo, repo.outbox, messenger, _Workplace(), kinds, clock)  # type: ignore[arg-type]
        for step in steps:  # ticks at random moments…
            clock.advance(timedelta(minutes=step))
            dispatcher.tick()
        clock.set(START + timedelta(minutes=31))  # …and one after everything is due
        dispatcher.tick()
        repo.engine.dispose()

    for nudge_id, kind, sent_at in messenger.sent:
        kind_due, at = due[nudge_id]
        assert kind == kind_due
        if kind in TIME_BOUND:
            assert sent_at >= at, f"{kind} due {at:%H:%M} went out at {sent_at:%H:%M}"
        else:
            assert sent_at >= at - COALESCE  # brought forward a little at most
    assert Counter(n for n, _, _ in messenger.sent) == Counter(list(due))  # each exactly once
