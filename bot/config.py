"""Settings from the environment (and a `.env` file): one clear error per bad variable.

Real environment variables win over `.env`. Every `PROMISE_*` value is a workspace
default; settings stored per workspace (later issues) override them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.calendar import parse_clock, parse_workdays
from bot.core.durations import parse_duration

T = TypeVar("T")
# The example values of .env.example: left in place they are a mistake, not a token.
PLACEHOLDERS = {"xoxb-your-bot-token", "xapp-your-app-level-token"}

SLACK_API_DEFAULT = "https://slack.com/api/"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Defaults:
    """Workspace defaults (the PROMISE_* variables)."""

    timezone: str = "UTC"
    workdays: frozenset[int] = frozenset(range(5))
    day_start: time = time(9)
    end_of_day: time = time(17)
    holidays: str | None = None
    remind_before: timedelta = timedelta(minutes=60)
    eod_cutoff: timedelta = timedelta(minutes=30)
    escalate_after: timedelta = timedelta(hours=2)
    follow_up_after: timedelta = timedelta(days=2)
    quiet_after: timedelta = timedelta(days=14)
    lead: str | None = None
    digest_channel: str | None = None
    digest_cron: str | None = None
    digest_weekly_cron: str | None = None
    # Also post each watched client channel's own digest in that channel (settings modal).
    digest_client_channels: bool = False
    reply_within: timedelta | None = None
    tick: timedelta = timedelta(seconds=15)


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    database_url: str = "sqlite:///promise-bot.db"
    slack_api_url: str = SLACK_API_DEFAULT
    port: int = 3000
    log_level: str = "INFO"
    # How long a claimed nudge is held before another process may take it over.
    lease: timedelta = timedelta(minutes=5)
    defaults: Defaults = field(default_factory=Defaults)


def load_dotenv_file(path: Path | None = None) -> None:
    """Read `.env` from the working directory; real environment variables win."""
    from dotenv import load_dotenv

    load_dotenv(path or Path.cwd() / ".env", override=False)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _parse(env: Mapping[str, str], name: str, parser, example: str):  # type: ignore[no-untyped-def]
    raw = _get(env, name)
    if raw is None:
        return None
    try:
        return parser(raw)
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"{name}={raw!r} is not valid: {exc}. Example: {name}={example}"
        ) from None


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone (use an IANA name)") from None
    return raw


def _cron(raw: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    CronTrigger.from_crontab(raw)
    return raw


def _holidays(raw: str) -> str:
    import holidays

    code = raw.upper()
    if code not in holidays.list_supported_countries():
        raise ValueError("unknown country code for the holiday calendar")
    return code


def _pattern(pattern: re.Pattern[str], what: str):  # type: ignore[no-untyped-def]
    def check(raw: str) -> str:
        if not pattern.match(raw):
            raise ValueError(f"not a Slack {what} ID")
        return raw

    return check


def _positive(raw: str) -> timedelta:
    value = parse_duration(raw)
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError("must be between 1 and 65535")
    return port


def _database_url(raw: str) -> str:
    """Accept the common `postgres://` spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    if not re.match(r"^[a-z0-9+]+://", raw):
        raise ValueError("not a database URL")
    if not raw.startswith(("sqlite://", "postgresql+psycopg://")):
        raise ValueError("only SQLite (sqlite:///…) and PostgreSQL (postgresql://…) are supported")
    return raw


def _api_url(raw: str) -> str:
    if not re.match(r"^https?://", raw):
        raise ValueError("must start with http:// or https://")
    return raw if raw.endswith("/") else raw + "/"


def _flag(raw: str) -> bool:
    value = raw.lower()
    if value not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        raise ValueError("use true or false")
    return value in ("true", "yes", "1", "on")


def _reply_within(raw: str) -> timedelta | None:
    """A working-hours SLA such as `4h`, or `end of day` (the default rule) spelled out."""
    if raw.lower().replace("-", " ") in ("end of day", "eod", "end of the working day"):
        return None
    return _positive(raw)


# Each workspace setting: its Defaults field, variable name, parser and an example value.
# The same table reads the environment and the settings a workspace stored (the modal).
FIELDS: dict[str, tuple[str, Any, str]] = {
    "timezone": ("PROMISE_TIMEZONE", _timezone, "Europe/London"),
    "workdays": ("PROMISE_WORKDAYS", parse_workdays, "mon-fri"),
    "day_start": ("PROMISE_DAY_START", parse_clock, "09:00"),
    "end_of_day": ("PROMISE_END_OF_DAY", parse_clock, "17:00"),
    "holidays": ("PROMISE_HOLIDAYS", _holidays, "US"),
    "remind_before": ("PROMISE_REMIND_BEFORE", _positive, "60m"),
    "eod_cutoff": ("PROMISE_EOD_CUTOFF", _positive, "30m"),
    "escalate_after": ("PROMISE_ESCALATE_AFTER", _positive, "2h"),
    "follow_up_after": ("PROMISE_FOLLOW_UP_AFTER", _positive, "2d"),
    "quiet_after": ("PROMISE_QUIET_AFTER", _positive, "14d"),
    "lead": ("PROMISE_LEAD", _pattern(_USER_ID, "user"), "U0123ABCD"),
    "digest_channel": ("PROMISE_DIGEST_CHANNEL", _pattern(_CHANNEL_ID, "channel"), "C0123ABCD"),
    "digest_cron": ("PROMISE_DIGEST_CRON", _cron, '"30 16 * * mon-fri"'),
    "digest_weekly_cron": ("PROMISE_DIGEST_WEEKLY_CRON", _cron, '"0 17 * * fri"'),
    "digest_client_channels": ("PROMISE_DIGEST_CLIENT_CHANNELS", _flag, "true"),
    "reply_within": ("PROMISE_REPLY_WITHIN", _reply_within, "4h"),
    "tick": ("PROMISE_TICK", _positive, "15s"),
}
# Settings that may be "none": stored as an empty string when a workspace clears them.
CLEARABLE = {"holidays", "lead", "digest_channel", "digest_cron", "digest_weekly_cron"}


def override(base: Defaults, values: Mapping[str, str], *, cleared: bool = False) -> Defaults:
    """`base` with the given variables (by name) applied; raises ConfigError naming the first
    bad one. With `cleared`, an empty value of a clearable setting means "none" (a workspace
    switching off what the environment set); otherwise empty means "not given"."""
    given: dict[str, Any] = {}
    for field_name, (name, parser, example) in FIELDS.items():
        if name not in values:
            continue
        if cleared and field_name in CLEARABLE and not values[name].strip():
            given[field_name] = None
            continue
        if _get(values, name) is None:
            continue
        given[field_name] = _parse(values, name, parser, example)
    merged = {**base.__dict__, **given}
    if merged["day_start"] >= merged["end_of_day"]:
        raise ConfigError(
            "PROMISE_DAY_START must be earlier than PROMISE_END_OF_DAY "
            f"(got {merged['day_start']:%H:%M} and {merged['end_of_day']:%H:%M})"
        )
    return Defaults(**merged)


def problem(field_name: str, raw: str) -> str | None:
    """What is wrong with a value typed for a setting, with an example; None when it is fine."""
    _, parser, example = FIELDS[field_name]
    if field_name in CLEARABLE and not raw.strip():
        return None
    try:
        parser(raw.strip())
    except (ValueError, KeyError) as exc:
        return f"{str(exc).rstrip('.').capitalize()}. For example: {example.strip(chr(34))}"
    return None


def load_defaults(env: Mapping[str, str]) -> Defaults:
    return override(Defaults(), env)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `env` (default: os.environ after reading `.env`). Every problem
    is reported at once, one line each (ConfigError's message, lines joined by newlines)."""
    if env is None:
        load_dotenv_file()
        env = os.environ
    errors: list[str] = []

    def check(build: Callable[[], T]) -> T | None:
        try:
            return build()
        except ConfigError as e:
            errors.append(str(e))
            return None

    missing = [n for n in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if _get(env, n) is None]
    if missing:
        errors.append(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
            "put your Slack app's credentials in the environment or in a .env file "
            "(copy .env.example to .env and fill it in)"
        )
    bot_token = _get(env, "SLACK_BOT_TOKEN") or ""
    if bot_token and not bot_token.startswith("xoxb-"):
        errors.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    elif bot_token in PLACEHOLDERS:
        errors.append(
            "SLACK_BOT_TOKEN is still the placeholder from .env.example: put your app's "
            "Bot User OAuth Token there (app settings → OAuth & Permissions)"
        )
    app_token = _get(env, "SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        errors.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    elif app_token in PLACEHOLDERS:
        errors.append(
            "SLACK_APP_TOKEN is still the placeholder from .env.example: put your app-level "
            "token there for Socket Mode, or leave it out to serve HTTP"
        )
    level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        errors.append(f"LOG_LEVEL={level!r} is not valid: use DEBUG, INFO, WARNING or ERROR")
    database_url = check(
        lambda: _parse(env, "DATABASE_URL", _database_url, "sqlite:///promise-bot.db")
    )
    slack_api_url = check(lambda: _parse(env, "SLACK_API_URL", _api_url, SLACK_API_DEFAULT))
    port = check(lambda: _parse(env, "PORT", _port, "3000"))
    lease = check(lambda: _parse(env, "PROMISE_LEASE", _positive, "5m"))
    for name in sorted(name for name, _, _ in FIELDS.values() if name in env):
        check(lambda name=name: override(Defaults(), {name: env[name]}))  # each on its own
    defaults = check(lambda: load_defaults(env)) if not errors else None
    if defaults is not None and lease is not None and lease < 2 * defaults.tick:
        # What a process holds is renewed on its tick: a shorter lease lapses in between.
        errors.append(
            f"PROMISE_LEASE ({lease}) must be at least twice PROMISE_TICK ({defaults.tick}): "
            "a running process renews what it holds on each tick"
        )
    if errors or defaults is None:
        raise ConfigError("\n".join(errors))
    return Settings(
        bot_token=bot_token,
        signing_secret=_get(env, "SLACK_SIGNING_SECRET") or "",
        app_token=app_token,
        database_url=database_url or Settings.database_url,
        slack_api_url=slack_api_url or SLACK_API_DEFAULT,
        port=port or 3000,
        log_level=level,
        lease=lease or timedelta(minutes=5),
        defaults=defaults,
    )
