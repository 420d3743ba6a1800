"""`/promise` text → typed commands, and the usage errors people see."""

import pytest

from bot.core import commands as c


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send the deck by 4pm", c.Create(what="send the deck", when="4pm")),
        (
            "<@U123> send the deck by fri 3pm",
            c.Create(what="send the deck", when="fri 3pm", owner="U123"),
        ),
        (
            "<@U123|maria> send the deck by EOD",
            c.Create(what="send the deck", when="EOD", owner="U123"),
        ),
        (
            "  send   the deck  BY  tomorrow 10am ",
            c.Create(what="send the deck", when="tomorrow 10am"),
        ),
        (
            "review the by-laws by the book by dec 3",
            c.Create(what="review the by-laws by the book", when="dec 3"),
        ),
        (
            "envoyer le devis 📎 by in 2 hours",
            c.Create(what="envoyer le devis 📎", when="in 2 hours"),
        ),
        ("reply to Acme", c.Reply(client="Acme")),
        (
            "reply <@U9> to Acme Corp about the invoice by noon",
            c.Reply(client="Acme Corp", owner="U9", about="the invoice", when="noon"),
        ),
        ("reply to Acme by tomorrow", c.Reply(client="Acme", when="tomorrow")),
        ("list", c.ListItems()),
        ("list all", c.ListItems(everyone=True)),
        ("LIST <@U7|lee>", c.ListItems(user="U7")),
        ("done 42", c.Done(item_id=42)),
        ("done #42 <@U1> <@U2|b> <@U1>", c.Done(item_id=42, helpers=("U1", "U2"))),
        ("move 42 to mon 10am", c.Move(item_id=42, when="mon 10am")),
        (
            "move #7 to dec 3 because the client sent new figures",
            c.Move(item_id=7, when="dec 3", note="the client sent new figures"),
        ),
        ("cancel #42", c.Cancel(item_id=42)),
        ("help", c.Help()),
        ("", c.OpenModal()),
        ("   ", c.OpenModal()),
        ("watch Acme", c.Watch(name="Acme")),
        ("watch", c.Watch()),
        (
            "watch Acme Corp owner <@U1|a> clients <@U2> <@U3>",
            c.Watch(name="Acme Corp", owner="U1", clients=("U2", "U3")),
        ),
        ("unwatch", c.Unwatch()),
        ("stats", c.Stats("week")),
        ("stats week", c.Stats("week")),
        ("Stats MONTH", c.Stats("month")),
        ("handoff 4 <@U1>", c.HandOff(item_id=4, to="U1")),
        ("wait 4", c.Wait(item_id=4)),
        ("wait #4 until mon 10am", c.Wait(item_id=4, until="mon 10am")),
    ],
)
def test_it_reads_the_grammar(text: str, expected: c.Command) -> None:
    assert c.parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("send the deck", "deadline"),
        ("send the deck by", "Say when"),
        ("by friday", "what you promised"),
        ("@maria send it by 4pm", "can't tell who @maria is"),
        ("done", "isn't a promise number"),
        ("done abc", "`abc` isn't a promise number"),
        ("done 42 thanks all", "only @mentions"),
        ("move 42 mon", "after *to*"),
        ("move 42 to", "after *to*"),
        ("cancel 42 now", "just the promise number"),
        ("list everyone", "`list` takes"),
        ("stats year", "`stats` takes `week`"),
        ("stats week month", "`stats` takes `week`"),
        ("reply Acme", "*to*"),
        ("reply to  by 4pm", "Name the client"),
        ("x" * 5000 + " by 4pm", "5,007 characters"),
        ("x" * 600 + " by 4pm", "keep it under 500"),
    ],
)
def test_it_refuses_bad_input_with_an_example(text: str, says: str) -> None:
    with pytest.raises(c.UsageError) as e:
        c.parse_command(text)
    assert says in e.value.message
    assert e.value.example.startswith("/promise")


def test_it_reads_both_mention_forms() -> None:
    assert c.mentions("<@U1> and <@W2|x> but not @sam") == ["U1", "W2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("away dec 22 to jan 2", c.Away(start="dec 22", until="jan 2")),
        ("away <@U7|maria> dec 22 to jan 2", c.Away(start="dec 22", until="jan 2", user="U7")),
        ("AWAY tomorrow TO friday", c.Away(start="tomorrow", until="friday")),
        ("away from mon 2pm to wed noon", c.Away(start="mon 2pm", until="wed noon")),
        ("away 2026-12-22 - 2027-01-02", c.Away(start="2026-12-22", until="2027-01-02")),
        ("away dec 22 through jan 2", c.Away(start="dec 22", until="jan 2")),
        ("away off", c.AwayOff()),
        ("away <@U7> off", c.AwayOff(user="U7")),
    ],
)
def test_it_reads_away(text: str, expected: c.Command) -> None:
    assert c.parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("away", "FROM to UNTIL"),
        ("away <@U7>", "FROM to UNTIL"),
        ("away dec 22", "with *to*"),
        ("away dec 22 until jan 2", "with *to*"),
        ("away to jan 2", "starts, before *to*"),
        ("away dec 22 to", "last day away, after *to*"),
        ("away @maria dec 22 to jan 2", "can't tell who @maria is"),
        ("away dec 22 to jan 2 <@U7>", "Mention one person, before the dates"),
    ],
)
def test_away_refuses_bad_input_with_an_away_example(text: str, says: str) -> None:
    with pytest.raises(c.UsageError) as e:
        c.parse_command(text)
    assert says in e.value.message
    assert e.value.example == c.EXAMPLE_AWAY == "/promise away @maria dec 22 to jan 2"


def test_control_characters_are_dropped_as_from_a_form() -> None:
    assert c.parse_command("send\x00 the\x07 deck by 4pm") == c.Create("send the deck", "4pm")


def test_the_limit_is_measured_as_slack_escapes_the_text() -> None:
    with pytest.raises(c.UsageError) as e:
        c.parse_command("&amp;" * 101 + " by 4pm")  # 101 typed characters, 505 as sent
    assert "505 characters" in e.value.message


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        ("", True),
        ("  ", True),
        ("settings", True),
        ("Settings", True),
        ("list", False),
        ("settings now", False),
        ("send the deck by 4pm", False),
        ("done", False),
    ],
)
def test_opens_form_tells_the_commands_answered_with_a_form(text: str, opens: bool) -> None:
    assert c.opens_form(text) is opens
