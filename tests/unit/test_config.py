"""Settings: defaults, overrides and one clear error per bad variable."""

from datetime import time, timedelta

import pytest

from bot.config import ConfigError, load_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


def test_it_has_the_contract_defaults() -> None:
    s = load_settings(dict(BASE))
    d = s.defaults
    assert s.database_url == "sqlite:///promise-bot.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.port == 3000 and s.app_token is None
    assert (d.timezone, d.workdays, d.day_start, d.end_of_day) == (
        "UTC",
        frozenset(range(5)),
        time(9),
        time(17),
    )
    assert d.remind_before == timedelta(minutes=60) and d.eod_cutoff == timedelta(minutes=30)
    assert d.escalate_after == timedelta(hours=2) and d.follow_up_after == timedelta(days=2)
    assert d.quiet_after == timedelta(days=14) and d.tick == timedelta(seconds=15)
    assert d.lead is None and d.holidays is None and d.reply_within is None


def test_it_reads_every_override() -> None:
    s = load_settings(
        BASE
        | {
            "SLACK_APP_TOKEN": "xapp-1",
            "DATABASE_URL": "postgres://u:p@db:5432/pb",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
            "PROMISE_TIMEZONE": "Europe/London",
            "PROMISE_WORKDAYS": "mon,tue,thu",
            "PROMISE_DAY_START": "08:30",
            "PROMISE_END_OF_DAY": "18:00",
            "PROMISE_HOLIDAYS": "gb",
            "PROMISE_REMIND_BEFORE": "45m",
            "PROMISE_LEAD": "U0LEAD",
            "PROMISE_DIGEST_CHANNEL": "C0DIGEST",
            "PROMISE_DIGEST_CRON": "30 16 * * mon-fri",
            "PROMISE_REPLY_WITHIN": "4h",
            "PROMISE_TICK": "90s",
        }
    )
    assert s.database_url == "postgresql+psycopg://u:p@db:5432/pb"
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.port == 8080 and s.app_token == "xapp-1"
    d = s.defaults
    assert d.workdays == frozenset({0, 1, 3}) and d.holidays == "GB"
    assert d.day_start == time(8, 30) and d.end_of_day == time(18)
    assert d.lead == "U0LEAD" and d.digest_channel == "C0DIGEST"
    assert d.reply_within == timedelta(hours=4) and d.tick == timedelta(seconds=90)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PROMISE_END_OF_DAY", "25:00"),
        ("PROMISE_DAY_START", "nine"),
        ("PROMISE_WORKDAYS", "monday-funday"),
        ("PROMISE_TIMEZONE", "Mars/Olympus"),
        ("PROMISE_HOLIDAYS", "XX"),
        ("PROMISE_REMIND_BEFORE", "soon"),
        ("PROMISE_TICK", "0s"),
        ("PROMISE_LEAD", "maria"),
        ("PROMISE_DIGEST_CHANNEL", "#general"),
        ("PROMISE_DIGEST_CRON", "every friday"),
        ("PORT", "70000"),
        ("DATABASE_URL", "not a url"),
        ("SLACK_API_URL", "slack.com/api"),
    ],
)
def test_it_names_the_bad_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings(BASE | {name: value})
    assert str(e.value).startswith(f"{name}=")
    assert "\n" not in str(e.value)


def test_it_says_what_to_set_when_tokens_are_missing() -> None:
    with pytest.raises(ConfigError) as e:
        load_settings({})
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in str(e.value)
    assert ".env.example" in str(e.value)


def test_it_refuses_a_day_that_ends_before_it_starts() -> None:
    with pytest.raises(ConfigError, match="PROMISE_DAY_START must be earlier"):
        load_settings(BASE | {"PROMISE_DAY_START": "18:00", "PROMISE_END_OF_DAY": "09:00"})


def test_it_refuses_a_lease_that_lapses_between_two_ticks() -> None:
    with pytest.raises(ConfigError, match=r"PROMISE_LEASE \(0:00:20\) must be at least twice"):
        load_settings(BASE | {"PROMISE_LEASE": "20s", "PROMISE_TICK": "15s"})
    assert load_settings(BASE | {"PROMISE_LEASE": "30s"}).lease == timedelta(seconds=30)


def test_it_refuses_a_user_token_as_bot_token() -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN must be a bot token"):
        load_settings({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"})


def test_stored_settings_override_the_environment_and_may_clear_it() -> None:
    from datetime import time

    from bot.config import override

    env = load_settings(BASE | {"PROMISE_LEAD": "U0LEAD", "PROMISE_HOLIDAYS": "US"}).defaults
    mine = override(
        env,
        {"PROMISE_END_OF_DAY": "18:00", "PROMISE_LEAD": "", "PROMISE_REPLY_WITHIN": "end of day"},
        cleared=True,
    )
    assert mine.end_of_day == time(18) and mine.lead is None and mine.reply_within is None
    assert mine.holidays == "US"  # not stored: still the environment's
    # In the environment an empty variable means "not set", never "none".
    assert override(env, {"PROMISE_LEAD": ""}).lead == "U0LEAD"


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("escalate_after", "soon", "For example: 2h"),
        ("timezone", "Mars/Olympus", "For example: Europe/London"),
        ("digest_cron", "every friday", "For example: 30 16 * * mon-fri"),
        ("holidays", "XX", "For example: US"),
    ],
)
def test_a_bad_typed_setting_says_why_with_an_example(field: str, raw: str, expected: str) -> None:
    from bot.config import problem

    why = problem(field, raw)
    assert why is not None and why.endswith(expected)
    assert problem(field, {"escalate_after": "90m", "timezone": "UTC"}.get(field, "")) is None
