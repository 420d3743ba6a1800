"""App Home end to end: the tab opened over a signed event, buttons clicked on it, and what
the fake Slack received in views.publish (which enforces Block Kit's limits)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.items import NewItem
from tests.e2e.conftest import START, at
from tests.e2e.harness import TEAM, Bot, text_of

OWNER, LEAD, HELPER = "U0OWNER", "U0LEAD", "U0HELPER"


def publishes(bot: Bot, user: str) -> list[Any]:
    return [c for c in bot.fake.calls_to("views.publish") if c.params.get("user_id") == user]


def open_home(bot: Bot, user: str, tab: str = "home") -> dict[str, Any]:
    """The person opens the app's Home tab; returns the view Slack now shows them."""
    bot.send_event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": bot.fake.dm_channel(user),
            "tab": tab,
            "event_ts": f"{START.timestamp():.6f}",
        }
    )
    assert bot.runtime.after_ack.drain(timeout=10)
    view = bot.fake.home_view(user)
    assert view is not None, f"no Home published for {user}"
    return view


def click_home(
    bot: Bot, user: str, action_id: str, item_id: int | None = None, selected: str | None = None
) -> None:
    """Click a button (or pick a menu option) on the person's Home tab, as Slack sends it."""
    view = bot.fake.home_view(user)
    assert view is not None
    block = next(
        b
        for b in view["blocks"]
        if b["type"] == "actions"
        and (item_id is None or b["block_id"] == f"home-item-{item_id}")
        and any(e["action_id"] == action_id for e in b["elements"])
    )
    answer = bot.click(
        user,
        block,
        action_id,
        selected=selected,
        container={"type": "view", "view_id": view["id"]},
        view=view,
    )
    assert answer.status == 200
    assert bot.runtime.after_ack.drain(timeout=10)


def titles(view: dict[str, Any]) -> list[str]:
    """The section headings, in the order the person reads them."""
    names = ["Due today", "Overdue", "Replies owed", "Backlog", "Coming up", "Your team"]
    found = []
    for block in view["blocks"]:
        text = text_of({"blocks": [block]})
        found += [n for n in names if n in text and n not in found]
    return found


def buttons_by_item(view: dict[str, Any]) -> dict[int, set[str]]:
    return {
        int(b["block_id"].rsplit("-", 1)[1]): {e["action_id"] for e in b["elements"]}
        for b in view["blocks"]
        if b["type"] == "actions" and b["block_id"].startswith("home-item-")
    }


def add_item(bot: Bot, owner: str, what: str, due: datetime, kind: str = "promise") -> int:
    item = bot.runtime.repo.create_item(
        NewItem(
            team_id=TEAM,
            kind=kind,
            what=what,
            owner_id=owner,
            creator_id=owner,
            due_at=due,
            channel_id="C0CLIENT",
            client="Acme" if kind == "reply" else None,
        ),
        due - timedelta(days=1),
    )
    return item.id


def items_by_what(bot: Bot) -> dict[str, int]:
    return {i.what: i.id for i in bot.items()}


def test_the_owner_sees_today_overdue_replies_backlog_in_order_with_buttons(bot: Bot) -> None:
    bot.clock.set(at(25, 10, month=11))  # Wednesday of last week
    bot.command("send the old report by 4pm")
    bot.clock.set(at(30, 10, month=11))  # yesterday, Monday
    bot.command("send the draft by 3pm")
    bot.clock.set(START)  # Tuesday 10:00
    bot.command("send the deck by 4pm")
    bot.command("reply to Acme about the invoice question")
    bot.command("send the plan by dec 8")
    bot.command("<@U0HELPER|sam> send the figures by 4pm")  # Sam's, not Maria's
    ids = items_by_what(bot)

    view = open_home(bot, OWNER)

    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert titles(view) == ["Due today", "Overdue", "Replies owed", "Backlog", "Coming up"]
    text = text_of(view)
    for what in ("send the deck", "send the draft", "the invoice question", "send the old report"):
        assert what in text
    assert "send the figures" not in text  # only the person's own items
    assert "<!date^" in text  # times in each reader's own zone
    assert "Client channels watched" not in text and "/promise watch" in text
    buttons = buttons_by_item(view)
    assert set(buttons) == {
        ids["send the deck"],
        ids["send the draft"],
        ids["the invoice question"],
        ids["send the old report"],
        ids["send the plan"],
    }
    common = {"nudge_done", "nudge_more_time", "nudge_snooze"}
    reply = ids["the invoice question"]
    assert buttons.pop(reply) == common | {"nudge_no_reply"}  # a client message only
    assert all(b == common for b in buttons.values())
    text_order = [
        text.index(w) for w in ("send the deck", "send the draft", "invoice", "old report")
    ]
    assert text_order == sorted(text_order)


def test_the_home_lists_watched_client_channels(bot: Bot) -> None:
    bot.command("watch Acme")
    assert "Client channels watched: <#C0CLIENT>" in text_of(open_home(bot, OWNER))


def test_the_lead_sees_the_team_by_owner_without_buttons_on_their_items(bot: Bot) -> None:
    bot.command("send the deck by 4pm", user=OWNER)
    bot.command("send the slides by 3pm", user=OWNER)
    bot.command("send the figures by 4pm", user=HELPER)
    bot.command("check the contract by 5pm", user=LEAD)
    ids = items_by_what(bot)

    lead_view = open_home(bot, LEAD)

    assert titles(lead_view) == ["Due today", "Your team"]
    text = text_of(lead_view)
    assert "<@U0OWNER> — 2 open" in text and "<@U0HELPER> — 1 open" in text
    assert text.index("<@U0OWNER> — 2 open") < text.index("<@U0HELPER> — 1 open")  # most first
    assert "send the figures" in text and "send the slides" in text
    assert set(buttons_by_item(lead_view)) == {ids["check the contract"]}  # a view, not buttons
    assert "Your team" not in text_of(open_home(bot, OWNER))


def test_show_more_grows_the_backlog_five_at_a_time_newest_first(bot: Bot) -> None:
    # Twelve old items, one a day in November: the newest is the 19th.
    backlog = [add_item(bot, OWNER, f"old task {d}", at(d, 12, month=11)) for d in range(8, 20)]
    newest_first = backlog[::-1]

    def shown(view: dict[str, Any]) -> list[int]:
        return [i for i in buttons_by_item(view) if i in backlog]

    view = open_home(bot, OWNER)
    assert shown(view) == newest_first[:5]
    [more] = [b for b in view["blocks"] if b.get("block_id") == "home-more"]
    assert more["elements"][0]["value"] == "10" and "7 older" in text_of({"blocks": [more]})

    click_home(bot, OWNER, "home_more")
    view = bot.fake.home_view(OWNER)
    assert shown(view) == newest_first[:10]

    click_home(bot, OWNER, "home_more")
    view = bot.fake.home_view(OWNER)
    assert shown(view) == newest_first
    assert not any(b.get("block_id") == "home-more" for b in view["blocks"])

    # Opening the tab again starts where you are: the newest five.
    assert shown(open_home(bot, OWNER)) == newest_first[:5]


def test_500_open_items_stay_within_100_blocks_with_summary_lines(
    make_bot: Callable[..., Bot], database_url: str
) -> None:
    bot = make_bot(database_url, PROMISE_LEAD=LEAD)  # on SQLite and PostgreSQL
    for n in range(500):
        match n % 5:
            case 0:
                add_item(bot, LEAD, f"today {n}", at(1, 12) + timedelta(minutes=n))
            case 1:
                add_item(bot, LEAD, f"missed {n}", at(1, 9) + timedelta(seconds=n))
            case 2:
                add_item(bot, LEAD, f"client asked {n}", at(1, 17), kind="reply")
            case 3:
                add_item(bot, LEAD, f"old {n}", at(20, 12, month=11) - timedelta(hours=n))
            case 4:
                add_item(bot, LEAD, f"later {n}", at(10, 12) + timedelta(hours=n))
    for k in range(15):  # the lead also sees fifteen teammates' loads
        add_item(bot, f"U0TEAM{k:02d}", f"team task {k} " + "x" * 400, at(1, 16))

    view = open_home(bot, LEAD)  # the fake refuses a view over Slack's limits

    assert len(view["blocks"]) <= 100
    text = text_of(view)
    for line in (
        "…and 92 more due today: `/promise list`",
        "…and 92 more overdue: `/promise list`",
        "…and 92 more replies owed: `/promise list`",
        "…and 95 more coming up: `/promise list`",
        "more older in the backlog",
        "…and 6 more people: `/promise list all`",
    ):
        assert line in text, line
    assert titles(view) == [
        "Due today",
        "Overdue",
        "Replies owed",
        "Backlog",
        "Coming up",
        "Your team",
    ]


def test_the_home_is_refreshed_after_a_change_but_only_for_those_who_opened_it(bot: Bot) -> None:
    open_home(bot, OWNER)
    open_home(bot, LEAD)
    before_owner, before_lead = len(publishes(bot, OWNER)), len(publishes(bot, LEAD))

    bot.command("send the deck by 4pm", user=OWNER)
    bot.command("send the figures by 4pm", user=HELPER)  # Sam never opened the tab
    assert bot.runtime.home.flush() == 2  # Maria's, and the lead's team view

    assert len(publishes(bot, OWNER)) == before_owner + 1
    assert "send the deck" in text_of(bot.fake.home_view(OWNER) or {})
    assert "send the figures" in text_of(bot.fake.home_view(LEAD) or {})
    assert publishes(bot, HELPER) == []
    assert len(publishes(bot, LEAD)) == before_lead + 1
    assert bot.runtime.home.flush() == 0  # nothing changed since


def test_a_hand_off_refreshes_both_owners(bot: Bot) -> None:
    bot.command("send the deck by 4pm", user=OWNER)
    item_id = bot.items()[0].id
    open_home(bot, OWNER)
    open_home(bot, HELPER)
    bot.command(f"handoff {item_id} <@U0HELPER|sam>", user=OWNER)
    assert bot.runtime.home.flush() == 2
    assert item_id not in buttons_by_item(bot.fake.home_view(OWNER) or {"blocks": []})
    assert item_id in buttons_by_item(bot.fake.home_view(HELPER) or {"blocks": []})


def submit(bot: Bot, view: dict[str, Any], values: dict[str, Any]) -> None:
    """Maria submits a modal the app opened; wait for the work after the ack."""
    assert bot.submit_view(OWNER, view, values).status == 200
    assert bot.runtime.after_ack.drain(timeout=10)


def test_done_on_the_home_closes_thanks_and_republishes(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    bot.command("send the slides by 4pm")
    ids = items_by_what(bot)
    open_home(bot, OWNER)

    click_home(bot, OWNER, "nudge_done", ids["send the deck"])
    [opened] = bot.fake.wait_for("views.open")  # "Who helped?" first
    picked = {"type": "multi_users_select", "selected_users": [HELPER]}
    submit(bot, opened.params["view"], {"helpers": {"value": picked}})

    deck = next(i for i in bot.items() if i.id == ids["send the deck"])
    assert deck.status == "done"
    thanks = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CLIENT"]
    assert len(thanks) == 1 and "<@U0OWNER> and <@U0HELPER>" in text_of(thanks[0].params)
    assert bot.fake.calls_to("chat.update") == []  # no message to update: the Home was
    view = bot.fake.home_view(OWNER) or {}
    assert f"#{deck.id} done" in text_of(view)
    assert set(buttons_by_item(view)) == {ids["send the slides"]}
    assert bot.runtime.home.flush() == 0  # already published with the change


def test_done_on_a_reply_owed_closes_on_the_click(bot: Bot) -> None:
    bot.command("reply to Acme about the invoice question")
    item_id = bot.items()[0].id
    open_home(bot, OWNER)
    click_home(bot, OWNER, "nudge_done", item_id)
    assert bot.items()[0].status == "done"
    assert bot.fake.calls_to("views.open") == []
    assert item_id not in buttons_by_item(bot.fake.home_view(OWNER) or {"blocks": []})


def test_snooze_on_the_home_shows_until_when(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    open_home(bot, OWNER)
    click_home(bot, OWNER, "nudge_snooze", item_id, selected="1h")
    assert bot.items()[0].snoozed_until == at(1, 11)
    assert "snoozed until" in text_of(bot.fake.home_view(OWNER) or {})


def test_need_more_time_from_the_home_moves_it_and_says_so_there(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    open_home(bot, OWNER)
    click_home(bot, OWNER, "nudge_more_time", item_id)
    [opened] = bot.fake.wait_for("views.open")
    submit(
        bot,
        opened.params["view"],
        {
            "when": {"value": {"type": "plain_text_input", "value": "tomorrow 10am"}},
            "note": {"value": {"type": "plain_text_input", "value": "New figures."}},
        },
    )
    assert bot.items()[0].due_at == at(2, 10)
    home = text_of(bot.fake.home_view(OWNER) or {})
    assert f"#{item_id} now due" in home and "renegotiated in advance" in home
    assert bot.fake.calls_to("conversations.history") == []  # no DM to look for


def test_a_stale_button_on_the_home_changes_nothing_and_says_why(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    open_home(bot, OWNER)
    bot.command(f"done {item_id}")
    before = len(bot.fake.calls_to("chat.postMessage"))
    click_home(bot, OWNER, "nudge_done", item_id)  # the tab still showed it
    assert "already done" in text_of(bot.fake.home_view(OWNER) or {})
    assert len(bot.fake.calls_to("chat.postMessage")) == before  # no second thank-you


def test_opening_the_messages_tab_publishes_nothing(bot: Bot) -> None:
    bot.send_event({"type": "app_home_opened", "user": OWNER, "tab": "messages"})
    assert bot.runtime.after_ack.drain(timeout=10)
    assert publishes(bot, OWNER) == []


def test_a_failed_publish_is_logged_not_raised(bot: Bot, caplog: Any) -> None:
    open_home(bot, OWNER)
    bot.fake.fail_next("views.publish", status=200, error="not_enabled")
    bot.command("send the deck by 4pm")  # the command still answers
    assert bot.runtime.home.flush() == 0
    assert "could not publish the Home tab" in caplog.text
    assert bot.items()[0].status == "open"


def test_the_lead_sees_this_weeks_numbers_and_who_is_away(bot: Bot) -> None:
    bot.command("send the deck by 4pm", user=OWNER)
    bot.command(f"done {bot.items()[0].id}", user=OWNER)
    bot.command("send the plan by dec 23 3pm", user=OWNER)
    open_home(bot, LEAD)
    open_home(bot, OWNER)

    bot.command("away dec 22 to jan 2", user=OWNER)
    assert bot.runtime.home.flush() == 2  # Maria's Home and the lead's

    lead = text_of(bot.fake.home_view(LEAD) or {})
    assert "This week" in lead and "1 loop closed" in lead
    assert "Away cover" in lead and "<@U0OWNER> is away" in lead
    owner = text_of(bot.fake.home_view(OWNER) or {})
    assert "You're away" in owner and "This week" not in owner
