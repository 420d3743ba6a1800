"""The Slack app manifest and `.env.example` match Slack's schema and the product contract.

`manifest.yml` is validated against Slack's published JSON Schema (a copy lives in
`../shared/slack/`, beside the repository), then against the cross-field rules that schema cannot express: the
`commands` scope for slash commands and shortcuts, a scope for every bot event, and request
URLs whenever Socket Mode is off. `.env.example` must name every variable of the contract in
`../shared/PRODUCT.md` and show its default. The tests that read `../shared` skip when it is
missing (a fresh clone) and fail instead under `PROMISE_REQUIRE_SHARED=1`, as in CI.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values
from jsonschema import Draft7Validator

from tests.requirements import REPO, shared_file

SCHEMA_FILE = "slack/manifest.schema.1.0.0.json"
PRODUCT_FILE = "PRODUCT.md"
MANIFEST_PATH = REPO / "manifest.yml"
ENV_EXAMPLE_PATH = REPO / ".env.example"

# The Web API methods the bot calls, as slack-sdk names them (`chat_postMessage`), and the bot
# scopes each needs *as the bot uses it*: `conversations_history` reads the DM with the app
# (a nudge sent before a crash) and the digest channel (public or private); `conversations_info`
# and `conversations_join` are for watched client channels. A method the code calls that is
# missing here fails the test, so a new call forces a decision about its scope.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "bots_info": frozenset({"users:read"}),
    "chat_getPermalink": frozenset(),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "conversations_history": frozenset({"im:history", "channels:history", "groups:history"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "conversations_join": frozenset({"channels:join"}),
    "conversations_open": frozenset({"im:write"}),
    "files_upload_v2": frozenset({"files:write"}),
    "users_info": frozenset({"users:read"}),
    "views_open": frozenset(),
    "views_publish": frozenset(),
    "views_update": frozenset(),
}
_METHOD_NAME = re.compile(
    r"^(auth|bots|chat|conversations|files|reactions|team|users|usergroups|views)_[a-zA-Z0-9_]+$"
)
REQUIRED_EVENTS = {"app_home_opened", "message.channels", "message.groups"}

# For each bot event: the scopes that grant it, any one of which is enough (empty: none needed).
# An event missing here is reported, so adding an event forces a decision about its scope.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "message.mpim": frozenset({"mpim:history"}),
    "reaction_added": frozenset({"reactions:read"}),
    "reaction_removed": frozenset({"reactions:read"}),
    "member_joined_channel": frozenset({"channels:read", "groups:read"}),
    "member_left_channel": frozenset({"channels:read", "groups:read"}),
    "channel_created": frozenset({"channels:read"}),
    "channel_rename": frozenset({"channels:read"}),
    "channel_archive": frozenset({"channels:read"}),
    "channel_unarchive": frozenset({"channels:read"}),
    "group_rename": frozenset({"groups:read"}),
    "group_archive": frozenset({"groups:read"}),
    "group_unarchive": frozenset({"groups:read"}),
    "team_join": frozenset({"users:read"}),
    "user_change": frozenset({"users:read"}),
}

# `.env.example`: these are uncommented (with placeholders); everything else is commented out.
REQUIRED_ENV = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
EXTRA_ENV = {"LOG_LEVEL"}
# Defaults the contract states in words rather than as a backticked value.
WORDED_DEFAULTS = {
    "DATABASE_URL": "sqlite:///promise-bot.db",
    "SLACK_API_URL": "https://slack.com/api/",
    "PORT": "3000",
    "LOG_LEVEL": "INFO",
    "PROMISE_HOLIDAYS": "",
    "PROMISE_LEAD": "",
    "PROMISE_DIGEST_CHANNEL": "",
    "PROMISE_DIGEST_CRON": "",
    "PROMISE_DIGEST_WEEKLY_CRON": "",
    "PROMISE_REPLY_WITHIN": "",
}

_ENV_NAME = r"[A-Z][A-Z0-9_]*"
_ACTIVE_LINE = re.compile(rf"^({_ENV_NAME})=(.*)$")
_COMMENTED_LINE = re.compile(rf"^#\s*({_ENV_NAME})=(.*)$")


def _read_shared(relative: str) -> str:
    """Read `../shared/<relative>`; skips the test if it is missing (fails if CI requires it)."""
    return shared_file(relative).read_text(encoding="utf-8")


def _load_manifest() -> dict[str, Any]:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(manifest, dict), "manifest.yml must be a YAML mapping"
    return manifest


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    schema = json.loads(_read_shared(SCHEMA_FILE))
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]


def _bot_scopes(manifest: dict[str, Any]) -> set[str]:
    scopes = manifest.get("oauth_config", {}).get("scopes", {})
    return set(scopes.get("bot", [])) | set(scopes.get("bot_optional", []))


def _bot_events(manifest: dict[str, Any]) -> list[str]:
    return list(manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", []))


def cross_field_problems(manifest: dict[str, Any]) -> list[str]:
    """Rules Slack enforces on install that the JSON Schema cannot express."""
    problems: list[str] = []
    features = manifest.get("features", {})
    settings = manifest.get("settings", {})
    scopes = _bot_scopes(manifest)
    commands = features.get("slash_commands", [])
    shortcuts = features.get("shortcuts", [])

    if commands and "commands" not in scopes:
        problems.append("slash commands need the bot scope `commands`")
    if shortcuts and "commands" not in scopes:
        problems.append("shortcuts need the bot scope `commands`")

    for event in _bot_events(manifest):
        if event not in EVENT_SCOPES:
            problems.append(f"bot event {event!r} has no known scope rule: add it to EVENT_SCOPES")
            continue
        needed = EVENT_SCOPES[event]
        if needed and not needed & scopes:
            problems.append(f"bot event {event!r} needs one of the scopes {sorted(needed)}")

    if not settings.get("socket_mode_enabled", False):
        for command in commands:
            if not command.get("url"):
                problems.append(f"slash command {command.get('command')} needs a url (HTTP mode)")
        subscriptions = settings.get("event_subscriptions", {})
        has_events = subscriptions.get("bot_events") or subscriptions.get("user_events")
        if has_events and not subscriptions.get("request_url"):
            problems.append("event_subscriptions needs a request_url (HTTP mode)")
        interactivity = settings.get("interactivity", {})
        if interactivity.get("is_enabled") and not interactivity.get("request_url"):
            problems.append("interactivity needs a request_url (HTTP mode)")
    return problems


def _http_mode(manifest: dict[str, Any], host: str | None) -> dict[str, Any]:
    """The manifest switched to HTTP mode as its comment describes (`host=None`: no URLs)."""
    changed = copy.deepcopy(manifest)
    settings = changed["settings"]
    settings["socket_mode_enabled"] = False
    if host is not None:
        url = f"https://{host}/slack/events"
        for command in changed["features"]["slash_commands"]:
            command["url"] = url
        settings["event_subscriptions"]["request_url"] = url
        settings["interactivity"]["request_url"] = url
    return changed


# --- manifest.yml ---------------------------------------------------------------------------


def test_it_validates_the_manifest_against_slacks_schema() -> None:
    manifest = _load_manifest()
    assert manifest.get("_metadata", {}).get("major_version") == 1
    errors = _schema_errors(manifest)
    assert not errors, "manifest.yml breaks Slack's schema:\n" + "\n".join(errors)


def test_it_rejects_a_manifest_that_breaks_the_schema() -> None:
    manifest = _load_manifest()
    manifest["features"]["shortcuts"][0]["name"] = "A shortcut name far too long for Slack"
    manifest["settings"]["surprise"] = True
    errors = _schema_errors(manifest)
    assert any("shortcuts/0/name" in error for error in errors), errors
    assert any("surprise" in error for error in errors), errors


def test_it_checks_background_color_which_the_schema_leaves_unchecked() -> None:
    # The schema spells its colour pattern as `regex`, which JSON Schema ignores.
    color = _load_manifest()["display_information"].get("background_color", "")
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color), color


def test_it_passes_the_cross_field_rules() -> None:
    assert cross_field_problems(_load_manifest()) == []


def test_it_fails_the_cross_field_rules_without_the_commands_scope() -> None:
    manifest = _load_manifest()
    manifest["oauth_config"]["scopes"]["bot"].remove("commands")
    assert _schema_errors(manifest) == [], "the schema alone cannot catch this"
    problems = cross_field_problems(manifest)
    assert "slash commands need the bot scope `commands`" in problems
    assert "shortcuts need the bot scope `commands`" in problems


@pytest.mark.parametrize(
    ("event", "scope"),
    [
        ("message.channels", "channels:history"),
        ("message.groups", "groups:history"),
        ("reaction_added", "reactions:read"),
    ],
)
def test_it_fails_the_cross_field_rules_when_an_event_lacks_its_scope(
    event: str, scope: str
) -> None:
    manifest = _load_manifest()
    assert event in _bot_events(manifest)
    manifest["oauth_config"]["scopes"]["bot"].remove(scope)
    assert any(event in problem for problem in cross_field_problems(manifest))


@pytest.mark.parametrize(
    ("event", "scopes", "ok"),
    [
        ("message.im", ["im:history"], True),
        ("message.im", [], False),
        ("member_joined_channel", ["groups:read"], True),
        ("member_joined_channel", ["channels:read"], True),
        ("member_joined_channel", [], False),
        ("app_home_opened", [], True),
        ("some_event_nobody_mapped", ["commands"], False),
    ],
)
def test_it_knows_which_scope_each_event_needs(event: str, scopes: list[str], ok: bool) -> None:
    manifest = {
        "oauth_config": {"scopes": {"bot": scopes}},
        "settings": {"socket_mode_enabled": True, "event_subscriptions": {"bot_events": [event]}},
    }
    assert (cross_field_problems(manifest) == []) is ok


def test_it_requires_request_urls_when_socket_mode_is_off() -> None:
    problems = cross_field_problems(_http_mode(_load_manifest(), host=None))
    assert "slash command /promise needs a url (HTTP mode)" in problems
    assert "event_subscriptions needs a request_url (HTTP mode)" in problems
    assert "interactivity needs a request_url (HTTP mode)" in problems


def test_it_accepts_the_http_mode_variant_described_in_the_manifest_comment() -> None:
    assert "https://YOUR-HOST/slack/events" in MANIFEST_PATH.read_text(encoding="utf-8")
    manifest = _http_mode(_load_manifest(), host="YOUR-HOST")
    assert _schema_errors(manifest) == []
    assert cross_field_problems(manifest) == []


def _methods_called() -> set[str]:
    """Every Web API method named in `bot/`: called as an attribute of the WebClient
    (`client.users_info(...)`) or by name (`self._call("chat_postMessage", ...)`)."""
    found: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            names = [node.func.attr]
            if node.func.attr in ("_call", "api_call") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.append(first.value)
            found |= {name for name in names if _METHOD_NAME.match(name)}
    return found


def test_it_knows_the_scope_of_every_method_the_code_calls() -> None:
    called = _methods_called()
    assert {"chat_postMessage", "users_info", "views_open"} <= called  # the scan finds calls
    assert sorted(called - set(METHOD_SCOPES)) == [], "add these methods to METHOD_SCOPES"


def test_it_asks_for_exactly_the_scopes_the_code_uses() -> None:
    """Every scope the code's calls and events need is asked for, and none besides: an
    install screen that asks for more than the app uses is a reason not to install it."""
    manifest = _load_manifest()
    bot_scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(bot_scopes) == len(set(bot_scopes)), "duplicate bot scopes"
    needed = {"commands"} | {s for m in _methods_called() for s in METHOD_SCOPES.get(m, ())}
    used = set(needed)
    for event in _bot_events(manifest):
        used |= EVENT_SCOPES.get(event, frozenset())
    assert sorted(needed - set(bot_scopes)) == [], "the code calls methods needing these"
    assert sorted(set(bot_scopes) - used) == [], "nothing in the code needs these"
    assert sorted(REQUIRED_EVENTS - set(_bot_events(manifest))) == []


def test_it_declares_the_promise_command_with_a_usage_hint() -> None:
    commands = {c["command"]: c for c in _load_manifest()["features"]["slash_commands"]}
    assert "/promise" in commands, sorted(commands)
    promise = commands["/promise"]
    assert promise["description"].strip()
    assert "WHAT by WHEN" in promise.get("usage_hint", "")
    # Escaped text is what makes mentions arrive as <@U123|name>.
    assert promise.get("should_escape") is True


def test_it_declares_the_track_client_message_shortcut() -> None:
    shortcuts = _load_manifest()["features"].get("shortcuts", [])
    matching = [s for s in shortcuts if s["callback_id"] == "track_client_message"]
    assert len(matching) == 1, shortcuts
    assert matching[0]["type"] == "message"
    assert matching[0]["name"] == "Track client message"


def test_it_enables_app_home_interactivity_and_socket_mode() -> None:
    manifest = _load_manifest()
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "promise-bot"
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert manifest["display_information"]["name"] == "promise-bot"


# --- .env.example ---------------------------------------------------------------------------


def _contract_env_names() -> set[str]:
    text = _read_shared(PRODUCT_FILE)
    match = re.search(r"^## Contract\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"no '## Contract' section in ../shared/{PRODUCT_FILE}"
    names = set(re.findall(rf"`({_ENV_NAME})`", match.group(1)))
    wanted = {
        n for n in names if n.startswith(("SLACK_", "PROMISE_")) or n in {"DATABASE_URL", "PORT"}
    }
    # Guard the parser itself: an empty or partial result would make the test meaningless.
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "PORT", "PROMISE_TICK"} <= wanted, wanted
    return wanted


def _contract_defaults() -> dict[str, str]:
    """`PROMISE_X` (... default `VALUE` ...) in the contract, as {name: VALUE}."""
    text = _read_shared(PRODUCT_FILE)
    defaults = {}
    for name, note in re.findall(r"`(PROMISE_[A-Z0-9_]+)`\s*\(([^)]*)\)", text):
        value = re.search(r"default\s+`([^`]*)`", note)
        if value:
            defaults[name] = value.group(1)
    assert defaults, "found no backticked defaults in the contract"
    return defaults


def _env_example_entries() -> list[tuple[int, str, str, bool]]:
    """(line number, name, value, active) for every assignment, commented out or not."""
    entries = []
    for number, raw in enumerate(ENV_EXAMPLE_PATH.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            commented = _COMMENTED_LINE.match(line)
            if commented:
                entries.append((number, commented.group(1), commented.group(2), False))
            continue
        active = _ACTIVE_LINE.match(line)
        assert active, f".env.example line {number} is not KEY=VALUE: {raw!r}"
        entries.append((number, active.group(1), active.group(2), True))
    return entries


def test_it_names_every_contract_variable_in_env_example() -> None:
    names = [name for _, name, _, _ in _env_example_entries()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == [], f"named more than once: {duplicates}"
    missing = sorted((_contract_env_names() | EXTRA_ENV) - set(names))
    assert missing == [], f".env.example does not mention: {missing}"


def test_it_parses_every_active_env_example_line_as_key_value() -> None:
    entries = _env_example_entries()
    active = {name: value for _, name, value, is_active in entries if is_active}
    assert set(active) == REQUIRED_ENV, "only the required variables are uncommented"
    assert all(value.strip() for value in active.values()), active
    assert active["SLACK_BOT_TOKEN"].startswith("xoxb-")
    # A placeholder app token left uncommented would send the bot into Socket Mode with a
    # token Slack refuses: it is shown commented out, for the user to fill in.
    app_token = [value for _, name, value, _ in entries if name == "SLACK_APP_TOKEN"]
    assert app_token and app_token[0].startswith("xapp-")
    # The real loader reads the same thing.
    assert dotenv_values(ENV_EXAMPLE_PATH) == active


def test_it_shows_the_contract_default_for_every_optional_variable() -> None:
    entries = _env_example_entries()
    # Uncomment everything and let python-dotenv read it, as a user editing the file would.
    uncommented = "\n".join(f"{name}={value}" for _, name, value, _ in entries)
    shown = dotenv_values(stream=io.StringIO(uncommented))
    expected = {**_contract_defaults(), **WORDED_DEFAULTS}
    wrong = {
        name: (shown.get(name), default)
        for name, default in expected.items()
        if shown.get(name) != default
    }
    assert wrong == {}, f"wrong defaults, as name: (shown, expected): {wrong}"


def test_it_explains_every_env_example_variable_in_a_comment_above_it() -> None:
    lines = ENV_EXAMPLE_PATH.read_text(encoding="utf-8").splitlines()
    for number, name, _, _ in _env_example_entries():
        above = lines[number - 2].strip() if number >= 2 else ""
        explained = above.startswith("#") and not _COMMENTED_LINE.match(above)
        assert explained and len(above) > 2, f"{name} (line {number}) needs a comment above it"
