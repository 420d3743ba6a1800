"""The Home tab renderer: sections in order, buttons on own items only, Slack's limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.slack.blocks.home import HOME_MORE, clip, render_home
from bot.store.models import Item
from bot.usecases.home import HomeData, OwnerLoad, Section, Team
from tests.fakeslack.blockkit import view_errors

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 10, tzinfo=NY)
ME = "U0MARIA"


def item(n: int, due: datetime, *, kind: str = "promise", owner: str = ME, what: str = "") -> Item:
    return Item(
        id=n,
        team_id="T1",
        kind=kind,
        status="open",
        what=what or f"task {n}",
        client="Acme" if kind == "reply" else None,
        owner_id=owner,
        creator_id=owner,
        channel_id="C0ACME",
        due_at=due,
    )


def section(start: int, count: int, due: datetime, total: int | None = None, **kw: Any) -> Section:
    items = [item(start + k, due, **kw) for k in range(count)]
    return Section(items, count if total is None else total)


def texts(view: dict[str, Any]) -> list[str]:
    out = []
    for b in view["blocks"]:
        if b["type"] in ("section", "header"):
            out.append(b["text"]["text"])
        elif b["type"] == "context":
            out.append(b["elements"][0]["text"])
    return out


def actions(view: dict[str, Any]) -> dict[str, list[str]]:
    return {
        b["block_id"]: [e["action_id"] for e in b["elements"]]
        for b in view["blocks"]
        if b["type"] == "actions"
    }


def data(**kw: Any) -> HomeData:
    return HomeData(user_id=ME, tz="America/New_York", now=NOW, **kw)


def test_sections_read_today_overdue_replies_backlog_then_coming_up() -> None:
    view = render_home(
        data(
            today=section(1, 1, NOW + timedelta(hours=2)),
            overdue=section(2, 1, NOW - timedelta(hours=2)),
            replies=section(3, 1, NOW + timedelta(hours=6), kind="reply"),
            backlog=section(4, 1, NOW - timedelta(days=5)),
            coming=section(5, 1, NOW + timedelta(days=5)),
        )
    )
    heads = [t for t in texts(view) if t.startswith(":") and "*" in t.split("·")[0]]
    order = ["Due today", "Overdue", "Replies owed", "Backlog", "Coming up"]
    assert [next(o for o in order if o in h) for h in heads] == order
    buttons = ["nudge_done", "nudge_more_time", "nudge_snooze"]
    assert actions(view) == {
        f"home-item-{n}": buttons + ["nudge_no_reply"] * (n == 3) for n in range(1, 6)
    }  # No reply needed on the client message (#3) only
    assert view_errors(view) == []


def test_an_overdue_item_says_how_late_and_times_are_date_tokens() -> None:
    view = render_home(data(overdue=section(7, 1, NOW - timedelta(hours=3))))
    line = next(t for t in texts(view) if "#7" in t)
    assert "late by 3 h" in line and "<!date^" in line and "<#C0ACME>" in line


def test_an_empty_home_says_how_to_start() -> None:
    view = render_home(data())
    assert any("Nothing open" in t and "/promise" in t for t in texts(view))
    assert actions(view) == {}


def test_the_backlog_offers_five_more_while_there_are_more() -> None:
    backlog = section(100, 5, NOW - timedelta(days=9), total=12)
    view = render_home(data(backlog=backlog, backlog_wanted=5))
    more = actions(view)["home-more"]
    assert more == [HOME_MORE]
    [button] = next(b for b in view["blocks"] if b.get("block_id") == "home-more")["elements"]
    assert button["value"] == "10" and "7 older" in button["text"]["text"]

    everything = section(100, 12, NOW - timedelta(days=9))
    view = render_home(data(backlog=everything, backlog_wanted=15))
    assert "home-more" not in actions(view)
    assert sum(1 for k in actions(view) if k.startswith("home-item-")) == 12


def test_500_items_and_a_big_team_stay_within_slacks_limits() -> None:
    long = "<@U0X> &amp; " + "very long client message " * 120  # ~3,000 characters
    huge = HomeData(
        user_id=ME,
        tz="America/New_York",
        now=NOW,
        today=section(1, 100, NOW + timedelta(hours=1), what=long),
        overdue=section(200, 100, NOW - timedelta(hours=1), what=long),
        replies=section(300, 100, NOW + timedelta(hours=5), kind="reply", what=long),
        backlog=section(400, 40, NOW - timedelta(days=9), total=100, what=long),
        coming=section(500, 100, NOW + timedelta(days=3), what=long),
        backlog_wanted=40,
        watched=[f"C{k:04d}" for k in range(60)],
        team=Team(
            owners=[
                OwnerLoad(f"U{k:04d}", 50, 10, [item(900 + k, NOW, owner=f"U{k:04d}", what=long)])
                for k in range(40)
            ],
            people=40,
            open=2000,
            overdue=400,
        ),
        numbers=[f"number line {k} " + "x" * 200 for k in range(30)],
        coverage=[f"<@U{k:04d}> is away " + "y" * 200 for k in range(30)],
        notice="n" * 5000,
    )
    view = render_home(huge)
    assert len(view["blocks"]) <= 100
    assert view_errors(view) == []  # every text within its limit, block IDs unique
    joined = "\n".join(texts(view))
    assert "…and 92 more due today: `/promise list`" in joined
    assert "…and 92 more overdue" in joined and "…and 92 more replies owed" in joined
    assert "more older in the backlog: `/promise list`" in joined  # no room to show more
    assert "…and 30 more people: `/promise list all`" in joined
    assert "and 40 more" in joined  # watched channels past the first 20


def test_the_leads_team_view_has_no_buttons() -> None:
    team = Team(
        owners=[
            OwnerLoad("U0SAM", 4, 1, [item(50, NOW - timedelta(hours=1), owner="U0SAM")]),
            OwnerLoad("U0ALEX", 1, 0, [item(51, NOW + timedelta(hours=1), owner="U0ALEX")]),
        ],
        people=2,
        open=5,
        overdue=1,
    )
    view = render_home(
        data(today=section(1, 1, NOW + timedelta(hours=1)), team=team, numbers=["12 closed"])
    )
    joined = "\n".join(texts(view))
    assert "Your team" in joined and "<@U0SAM> — 4 open, *1 overdue*" in joined
    assert "#50" in joined and "#51" in joined and "12 closed" in joined
    assert set(actions(view)) == {"home-item-1"}


def test_numbers_and_coverage_show_only_when_given() -> None:
    view = render_home(data(numbers=None, coverage=[]))
    assert not any("This week" in t or "Away" in t or "away" in t for t in texts(view))
    team = Team(owners=[], people=0, open=0, overdue=0)
    view = render_home(
        data(team=team, numbers=["9 loops closed"], coverage=["<@U0SAM> is away: 2 due"])
    )
    joined = "\n".join(texts(view))
    assert "*This week* (the last 7 days, as `/promise stats week`)\n9 loops closed" in joined
    assert "*Away cover*\n<@U0SAM> is away" in joined
    view = render_home(data(coverage=["You're away Mon, Dec 7 to Fri, Dec 11"]))
    assert "*Time away*\nYou're away" in "\n".join(texts(view))


def test_clip_never_cuts_a_mention_or_an_entity_in_half() -> None:
    assert clip("short", 10) == "short"
    assert clip("say hi to <@U0123456>", 15) == "say hi to…"
    assert clip("tom &amp; jerry", 8) == "tom…"
    assert len(clip("x" * 500, 200)) == 200
