"""The digest of closed loops end to end: seeded history → the post the channel receives.

The clock is frozen; the dispatcher's tick is called as the scheduler would call it. The
workspace is in New York with the default schedule: a digest at 17:00 on working days, the
weekly one on Fridays at 17:00. Tuesday 1 December 2026, 10:00 is the start.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.core.items import ItemView, NewItem
from bot.store.models import Nudge
from tests.e2e.conftest import START, at
from tests.e2e.harness import TEAM, Bot, text_of, tick_at
from tests.fakeslack import FakeSlack

DIGEST_CHANNEL = "C0DIGEST"
ENV = {
    "PROMISE_DIGEST_CHANNEL": DIGEST_CHANNEL,
    "PROMISE_TIMEZONE": "America/New_York",
    "PROMISE_LEAD": "U0LEAD",
}


@pytest.fixture(autouse=True)
def channels(slack: FakeSlack, clock: FrozenClock) -> None:
    slack.clock = clock  # messages get timestamps of the frozen time, as history reads them
    slack.add_channel(DIGEST_CHANNEL, "team-digest")
    slack.add_channel("C0GLOBEX", "globex-project")


@pytest.fixture
def digest_bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot(**ENV)


# -- seeding the history through the repository, at chosen moments ----------------------


def promise(
    bot: Bot,
    what: str,
    *,
    owner: str,
    due: datetime,
    closed: datetime | None = None,
    client: str | None = None,
    helpers: tuple[str, ...] = (),
    moved: tuple[datetime, datetime] | None = None,  # (when, new deadline)
    channel: str = "C0CLIENT",
    created: datetime | None = None,
) -> ItemView:
    repo = bot.runtime.repo
    item = repo.create_item(
        NewItem(TEAM, "promise", what, owner, owner, due, channel_id=channel, client=client),
        created or at(30, 9, month=11),
    )
    if moved is not None:
        repo.move_item(TEAM, item.id, owner, moved[1], moved[0], "the client asked")
    if closed is not None:
        closed_item = repo.close_item(TEAM, item.id, owner, closed, helpers)
        assert closed_item is not None
        return closed_item
    return item


def client_message(
    bot: Bot,
    *,
    arrived: datetime,
    answered: datetime,
    by: str,
    due: datetime,
    client: str = "Acme",
    channel: str = "C0CLIENT",
) -> None:
    """A client's message recorded in a watched channel, answered in its thread."""
    repo = bot.runtime.repo
    ts = f"{arrived.timestamp():.6f}"
    item = NewItem(
        team_id=TEAM,
        kind="reply",
        what="when is the invoice coming?",
        client=client,
        owner_id="U0OWNER",
        creator_id="U0CLIENT",
        channel_id=channel,
        due_at=due,
        created_at=arrived,
        message_ts=ts,
        client_user_id="U0CLIENT",
    )
    assert repo.channels.record_message(item, arrived) is not None
    reply_ts = f"{answered.timestamp():.6f}"
    assert len(repo.channels.replied(TEAM, channel, ts, reply_ts, by, answered)) == 1


def seed_tuesday(bot: Bot) -> None:
    """Tuesday's history, with a few things just outside the period."""
    promise(  # early: on time
        bot,
        "send the revised deck",
        owner="U0OWNER",
        helpers=("U0HELPER",),
        client="Acme",
        due=at(1, 15),
        closed=at(1, 14),
    )
    promise(  # moved before its deadline, then met: renegotiated in advance
        bot,
        "fix the invoice",
        owner="U0OTHER",
        client="Acme",
        due=at(1, 12),
        moved=(at(1, 11), at(1, 16)),
        closed=at(1, 15, 30),
    )
    promise(
        bot,
        "draft the Q3 summary",
        owner="U0OWNER",
        client="Globex",
        due=at(1, 11),
        closed=at(1, 13),
    )
    promise(bot, "update the wiki", owner="U0HELPER", due=at(1, 16), closed=at(1, 16, 30))
    # replies: 20, 40, 60 and 120 minutes; the last one after its 11:00 due time
    client_message(bot, arrived=at(1, 9), answered=at(1, 9, 20), by="U0HELPER", due=at(1, 17))
    client_message(bot, arrived=at(1, 10), answered=at(1, 10, 40), by="U0OWNER", due=at(1, 17))
    client_message(bot, arrived=at(1, 11), answered=at(1, 12), by="U0OWNER", due=at(1, 17))
    client_message(bot, arrived=at(1, 9, 30), answered=at(1, 11, 30), by="U0OTHER", due=at(1, 11))
    # outside the period, or not a loop closed
    promise(
        bot,
        "Monday's report",
        owner="U0OWNER",
        client="Acme",
        due=at(30, 17, month=11),
        closed=at(30, 16, month=11),
    )
    cancelled = promise(bot, "the dropped idea", owner="U0OWNER", client="Acme", due=at(1, 15))
    bot.runtime.repo.cancel_item(TEAM, cancelled.id, "U0OWNER", at(1, 12))
    # still open: two on time, one overdue (the lead's, who must not be named)
    promise(bot, "the late contract", owner="U0LEAD", client="Initech", due=at(1, 12))
    promise(bot, "plan the workshop", owner="U0OWNER", client="Acme", due=at(3, 12))
    promise(bot, "book the venue", owner="U0HELPER", client="Acme", due=at(3, 12))


# -- reading what happened ------------------------------------------------------------


def run_until_thursday(bot: Bot) -> None:
    """The bot up all week: a tick at the start and at each day's digest time."""
    tick_at(bot, START)
    for day in (1, 2, 3):
        tick_at(bot, at(day, 17))


def digests(fake: FakeSlack, channel: str = DIGEST_CHANNEL) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == "promise_digest"
    ]


def rows(bot: Bot, *kinds: str) -> list[Nudge]:
    with bot.runtime.repo.sessions() as s:
        return list(
            s.scalars(select(Nudge).where(Nudge.kind.in_(kinds)).order_by(Nudge.due_at, Nudge.id))
        )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


# -- the tests -------------------------------------------------------------------------


def test_it_posts_the_day_s_closed_loops_with_their_numbers(digest_bot: Bot) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    tick_at(bot, START)  # the bot plans today's digest
    assert tick_at(bot, at(1, 16, 59)).sent == 0
    assert tick_at(bot, at(1, 17)).sent == 1

    [digest] = digests(bot.fake)
    text = text_of(digest)
    assert "Closed loops" in text
    assert "8 loops closed: 4 promises delivered, 4 client messages answered" in text
    assert "On time: 2 of 4 promises (50%), 1 of them renegotiated in advance" in text
    assert (
        "first response in 50 min (median), 1 h 42 min (90th percentile); 3 of 4 within the SLA"
        in text
    )
    assert "Still open: 3, of which 1 overdue" in text
    # grouped by client, each loop with its people
    assert "*Acme* — 2 delivered · 4 replies" in text
    assert "• _send the revised deck_ — <@U0OWNER>, <@U0HELPER>" in text
    assert "• _fix the invoice_ — <@U0OTHER>" in text
    assert "*Globex* — 1 delivered\n• _draft the Q3 summary_ — <@U0OWNER>" in text
    assert "*No client named* — 1 delivered\n• _update the wiki_ — <@U0HELPER>" in text
    assert text.index("*Acme*") < text.index("*Globex*") < text.index("*No client named*")
    # thanks by person: loops they are credited for, most first
    assert "*Thank you* <@U0OWNER> (4) · <@U0HELPER> (3) · <@U0OTHER> (2)" in text
    # not in this period, not a loop, and no names for what is overdue
    for absent in ("Monday's report", "the dropped idea", "the late contract", "<@U0LEAD>"):
        assert absent not in text
    assert " late" not in text
    # the row records the post; the next ones are queued
    [sent] = [n for n in rows(bot, "digest") if n.status == "sent"]
    assert digest["metadata"]["event_payload"]["nudges"] == str(sent.id)
    assert (sent.channel_id, sent.message_ts) == (DIGEST_CHANNEL, digest["ts"])
    queued = {(n.kind, n.due_at) for n in rows(bot, "digest", "weekly") if n.status == "queued"}
    assert queued == {("digest", at(2, 17)), ("weekly", at(4, 17))}
    assert tick_at(bot, at(1, 17, 5)).sent == 0  # never twice


def test_the_next_digest_starts_where_the_last_one_ended(digest_bot: Bot) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    tick_at(bot, START)
    tick_at(bot, at(1, 17))
    promise(
        bot, "call Acme back", owner="U0OTHER", client="Acme", due=at(2, 12), closed=at(1, 17, 30)
    )
    assert tick_at(bot, at(2, 17)).sent == 1
    first, second = digests(bot.fake)
    text = text_of(second)
    assert "1 loop closed: 1 promise delivered" in text and "call Acme back" in text
    assert "send the revised deck" not in text  # already in Tuesday's
    assert "call Acme back" not in text_of(first)


def test_an_empty_digest_is_skipped_with_the_reason(digest_bot: Bot) -> None:
    bot = digest_bot
    promise(bot, "plan the workshop", owner="U0OWNER", client="Acme", due=at(3, 12))
    tick_at(bot, START)
    result = tick_at(bot, at(1, 17))
    assert (result.sent, result.skipped) == (0, 1)
    assert bot.fake.messages(DIGEST_CHANNEL) == []
    [skipped] = [n for n in rows(bot, "digest") if n.due_at == at(1, 17)]
    assert (skipped.status, skipped.last_error) == (
        "skipped",
        "nothing closed since the last digest",
    )


def test_a_digest_missed_while_down_goes_out_once_covering_the_whole_gap(
    make_bot: Callable[..., Bot], sqlite_url: str
) -> None:
    first = make_bot(sqlite_url, **ENV)
    seed_tuesday(first)
    tick_at(first, START)  # Tuesday's digest is queued, then the bot goes down until Thursday
    first.close()

    second = make_bot(sqlite_url, **ENV)
    result = tick_at(second, at(3, 10))
    [digest] = digests(second.fake)
    text = text_of(digest)
    assert "8 loops closed" in text  # Tuesday's loops, in the one digest sent instead
    assert result.sent == 1
    by_due = {n.due_at: n for n in rows(second, "digest")}
    assert by_due[at(1, 17)].status == "skipped"
    assert "later digest time passed" in (by_due[at(1, 17)].last_error or "")
    assert by_due[at(2, 17)].status == "sent"  # the latest missed one, covering both days
    assert by_due[at(3, 17)].status == "queued"
    assert tick_at(second, at(3, 10, 1)).sent == 0


def test_a_digest_posted_just_before_a_crash_is_not_posted_again(digest_bot: Bot) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    tick_at(bot, START)
    outbox = bot.runtime.repo.outbox
    real_mark_sent = outbox.mark_sent

    def crash(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the process died between posting and recording")

    outbox.mark_sent = crash  # type: ignore[method-assign]
    assert tick_at(bot, at(1, 17)).retried == 1
    outbox.mark_sent = real_mark_sent  # type: ignore[method-assign]
    assert len(digests(bot.fake)) == 1

    assert tick_at(bot, at(1, 17, 10)).sent == 1  # found in the channel's history
    [digest] = digests(bot.fake)
    [row] = [n for n in rows(bot, "digest") if n.due_at == at(1, 17)]
    assert (row.status, row.message_ts) == ("sent", digest["ts"])
    history = bot.fake.calls_to("conversations.history")
    assert history and history[-1].params["channel"] == DIGEST_CHANNEL


def test_two_replicas_on_postgresql_post_one_digest(
    make_bot: Callable[..., Bot], pg_url: str
) -> None:
    one = make_bot(pg_url, **ENV)
    two = make_bot(pg_url, **ENV)
    seed_tuesday(one)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(bot: Bot) -> None:
        try:
            for moment in (START, at(1, 17), at(1, 17, 1), at(1, 17, 2)):
                barrier.wait(timeout=10)
                bot.clock.set(moment)  # one clock for both: set to the same moment
                barrier.wait(timeout=10)
                bot.runtime.dispatcher.tick()
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(b,)) for b in (one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(digests(one.fake)) == 1
    planned = [n for n in rows(one, "digest") if n.due_at == at(1, 17)]
    assert [n.status for n in planned] == ["sent"]  # planned once by two replicas


def test_client_channels_get_their_own_digest_when_enabled(
    make_bot: Callable[..., Bot],
) -> None:
    bot = make_bot(**ENV, PROMISE_DIGEST_CLIENT_CHANNELS="true")
    repo = bot.runtime.repo
    repo.channels.watch(TEAM, "C0CLIENT", "Acme", "U0OWNER", [], at(30, 9, month=11))
    repo.channels.watch(TEAM, "C0GLOBEX", "Globex", "U0OWNER", [], at(30, 9, month=11))
    promise(
        bot,
        "send the revised deck",
        owner="U0OWNER",
        client="Acme",
        due=at(1, 15),
        closed=at(1, 14),
    )
    client_message(bot, arrived=at(1, 9), answered=at(1, 9, 20), by="U0HELPER", due=at(1, 17))
    promise(
        bot,
        "draft the Q3 summary",
        owner="U0OTHER",
        client="Globex",
        channel="C0GLOBEX",
        due=at(1, 11),
        closed=at(1, 10),
    )
    tick_at(bot, START)
    assert tick_at(bot, at(1, 17)).sent == 3

    everything = text_of(digests(bot.fake)[0])
    assert "2 promises delivered" in everything and "Q3 summary" in everything
    acme = text_of(digests(bot.fake, "C0CLIENT")[0])
    assert "in <#C0CLIENT>" in acme
    assert "send the revised deck" in acme and "Q3 summary" not in acme
    assert "2 loops closed: 1 promise delivered, 1 client message answered" in acme
    globex = text_of(digests(bot.fake, "C0GLOBEX")[0])
    assert "1 loop closed" in globex and "send the revised deck" not in globex


def test_the_weekly_digest_uploads_a_chart_through_the_two_step_flow(digest_bot: Bot) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    promise(bot, "ship the report", owner="U0OWNER", client="Acme", due=at(3, 17), closed=at(3, 15))
    run_until_thursday(bot)
    assert len(digests(bot.fake)) == 2  # Tuesday's and Thursday's; Wednesday's was empty
    result = tick_at(bot, at(4, 17))

    weekly = digests(bot.fake)[-1]  # Friday's daily digest gives way to the weekly one
    assert len(digests(bot.fake)) == 3
    text = text_of(weekly)
    # since last Friday: Monday's report too
    assert "The week's closed loops" in text and "10 loops closed" in text
    assert (result.sent, result.skipped) == (1, 1)
    by_kind = {n.kind: n for n in rows(bot, "digest", "weekly") if n.due_at == at(4, 17)}
    assert by_kind["weekly"].status == "sent" and by_kind["digest"].status == "skipped"

    methods = [c.method for c in bot.fake.calls]
    first = methods.index("files.getUploadURLExternal")
    assert methods.index("files.completeUploadExternal") > first
    [complete] = bot.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == DIGEST_CHANNEL
    file_id = complete.params["files"][0]["id"]
    upload = bot.fake.upload(file_id)
    assert upload is not None and upload["uploaded"] and upload["completed"]
    assert png_size(upload["content"]) == (800, 400)
    assert upload["filename"] == f"promise-digest-{by_kind['weekly'].id}.png"
    shared = [m for m in bot.fake.messages(DIGEST_CHANNEL) if m.get("files")]
    assert [f["id"] for f in shared[0]["files"]] == [file_id]
    assert "on time" in shared[0]["text"]


def test_a_failed_chart_upload_is_retried_without_posting_the_digest_again(
    digest_bot: Bot,
) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    run_until_thursday(bot)
    bot.fake.fail_next("files.getUploadURLExternal", status=500, count=3)  # past the SDK retries
    assert tick_at(bot, at(4, 17)).retried == 1
    assert len(digests(bot.fake)) == 2  # Tuesday's, and the weekly one without its chart
    assert not bot.fake.calls_to("files.completeUploadExternal")

    assert tick_at(bot, at(4, 17, 15)).sent == 1
    assert len(digests(bot.fake)) == 2  # the weekly digest was found: only the chart is sent
    assert len(bot.fake.calls_to("files.completeUploadExternal")) == 1
    [weekly] = [n for n in rows(bot, "weekly") if n.due_at == at(4, 17)]
    assert weekly.status == "sent"


def test_promise_stats_shows_your_numbers_and_the_team_s(digest_bot: Bot) -> None:
    bot = digest_bot
    seed_tuesday(bot)
    bot.clock.set(at(2, 10))
    answer = bot.command("stats", user="U0OWNER")
    text = text_of(answer)
    mine, team = text.split("The team's")
    assert "Your numbers, the last 7 days" in mine
    # Maria: the deck (early), the Q3 summary (late), Monday's report (early), two replies
    assert "5 loops closed: 3 promises delivered, 2 client messages answered" in mine
    assert "On time: 2 of 3 promises (67%)" in mine
    assert "Still open: 1, of which 0 overdue" in mine
    assert "9 loops closed: 5 promises delivered, 4 client messages answered" in team
    assert "Still open: 3, of which 1 overdue" in team
    assert answer.get("response_type", "ephemeral") == "ephemeral"


def test_promise_stats_with_a_bad_period_explains_and_changes_nothing(digest_bot: Bot) -> None:
    bot = digest_bot
    answer = bot.command("stats year")
    text = text_of(answer)
    assert "`stats` takes `week`" in text and "/promise stats month" in text
    assert bot.items() == []
