"""`/promise` text → a typed command, or a usage error with a correct example.

Only the shape of the text is read here. WHEN stays a string: it is read later in the
invoker's own calendar (bot.core.when), and mentioned users are checked against Slack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core import text as txt
from bot.core.coverage import split_span

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_ID = re.compile(r"^#?(\d{1,12})$")

EXAMPLE_CREATE = "/promise @maria send the revised deck to Acme by fri 3pm"
EXAMPLE_REPLY = "/promise reply @maria to Acme about the invoice by tomorrow noon"


class UsageError(ValueError):
    """The text could not be read; `message` says why and `example` shows a correct use."""

    def __init__(self, message: str, example: str = EXAMPLE_CREATE) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


@dataclass(frozen=True)
class OpenModal:
    """`/promise` with no text: open the form."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Create:
    what: str
    when: str
    owner: str | None = None


@dataclass(frozen=True)
class Reply:
    client: str
    owner: str | None = None
    about: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class ListItems:
    user: str | None = None  # None: the invoker's
    everyone: bool = False


@dataclass(frozen=True)
class Done:
    item_id: int
    helpers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Move:
    item_id: int
    when: str
    note: str | None = None


@dataclass(frozen=True)
class Cancel:
    item_id: int


@dataclass(frozen=True)
class HandOff:
    item_id: int
    to: str


@dataclass(frozen=True)
class Wait:
    item_id: int
    until: str | None = None


@dataclass(frozen=True)
class Watch:
    name: str | None = None
    owner: str | None = None
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unwatch:
    pass


@dataclass(frozen=True)
class Settings:
    """Open the workspace settings modal (the lead or a workspace admin)."""


@dataclass(frozen=True)
class Away:
    """`away [@user] FROM to UNTIL`: WHEN phrases, read later in the asker's calendar."""

    start: str
    until: str
    user: str | None = None  # None: the invoker


@dataclass(frozen=True)
class AwayOff:
    """`away [@user] off`: forget the person's current and coming absences."""

    user: str | None = None


@dataclass(frozen=True)
class Stats:
    """`stats [week|month]`: your numbers and the team's over the last 7 or 30 days."""

    period: str = "week"


Command = (
    OpenModal
    | Help
    | Create
    | Reply
    | ListItems
    | Done
    | Move
    | Cancel
    | HandOff
    | Watch
    | Unwatch
    | Settings
    | Away
    | AwayOff
    | Stats
)


def parse_command(text: str) -> Command:
    """Read the text of `/promise` (Slack-escaped, as Slack sends it; control characters
    are dropped, as from a form); raise UsageError for anything it cannot use."""
    text = txt.clean(text)
    if len(text) > txt.MAX_TEXT:
        raise UsageError(
            f"That's {len(text):,} characters: more than I can take ({txt.MAX_TEXT:,}). "
            "Keep the promise short and put the details in a thread."
        )
    text = " ".join(text.split())
    if not text:
        return OpenModal()
    head, _, rest = text.partition(" ")
    verb = head.lower()
    if verb in ("help", "?"):
        return Help()
    if verb == "reply":
        return _reply(rest)
    if verb == "list":
        return _list(rest)
    if verb in ("done", "close"):
        return _done(rest)
    if verb == "move":
        return _move(rest)
    if verb == "cancel":
        return _cancel(rest)
    if verb == "wait":
        return _wait(rest)
    if verb == "watch":
        return _watch(rest)
    if verb == "unwatch":
        return Unwatch()
    if verb == "handoff":
        return _handoff(rest)
    if verb == "settings":
        if rest:
            raise UsageError(
                "`settings` takes nothing after it: it opens a form with every setting.",
                "/promise settings",
            )
        return Settings()
    if verb == "away":
        return _away(rest)
    if verb == "stats":
        return _stats(rest)
    return _create(text)


def mentions(text: str) -> list[str]:
    """User IDs mentioned in Slack's escaped form, `<@U123>` or `<@U123|name>`."""
    return _MENTION.findall(text)


def _leading_owner(text: str) -> tuple[str | None, str]:
    m = _MENTION.match(text)
    if m:
        return m.group(1), text[m.end() :].strip()
    if text.startswith("@"):
        raise UsageError(
            f"I can't tell who {text.split()[0]} is. Pick the person from Slack's @ list "
            "so the mention turns blue."
        )
    return None, text


def _create(text: str) -> Create:
    owner, rest = _leading_owner(text)
    what, when = _split_last(rest, " by ")
    if when is None:
        raise UsageError("I need a deadline: say *by WHEN* at the end.")
    if not what:
        raise UsageError("Say what you promised before *by*.")
    if not when:
        raise UsageError("Say when after *by*, such as `4pm`, `tomorrow` or `fri 3pm`.")
    return Create(what=_bounded_what(what), when=when, owner=owner)


def _reply(rest: str) -> Reply:
    owner, rest = _leading_owner(rest)
    if not rest.lower().startswith("to "):
        raise UsageError("Say who the reply is *to*.", EXAMPLE_REPLY)
    rest = rest[3:].strip()
    rest, when = _split_last(rest, " by ")
    client, about = _split_first(rest, " about ")
    if not client:
        raise UsageError("Name the client the reply is to.", EXAMPLE_REPLY)
    if problem := txt.client_problem(client):
        raise UsageError(problem, EXAMPLE_REPLY)
    if when is not None and not when:
        raise UsageError("Say when after *by*, or leave *by* out.", EXAMPLE_REPLY)
    return Reply(
        client=client,
        owner=owner,
        about=_bounded_what(about, EXAMPLE_REPLY) if about else None,
        when=when,
    )


def _list(rest: str) -> ListItems:
    if not rest:
        return ListItems()
    if rest.lower() == "all":
        return ListItems(everyone=True)
    m = _MENTION.fullmatch(rest)
    if m:
        return ListItems(user=m.group(1))
    raise UsageError("`list` takes nothing, a person or `all`.", "/promise list @maria")


def _item_id(token: str, example: str) -> int:
    m = _ID.match(token)
    if not m:
        raise UsageError(f"`{token or '…'}` isn't a promise number.", example)
    return int(m.group(1))


def _done(rest: str) -> Done:
    example = "/promise done 42 @sam @lee"
    token, _, tail = rest.partition(" ")
    item_id = _item_id(token, example)
    helpers = mentions(tail)
    leftover = _MENTION.sub("", tail).strip()
    if leftover:
        raise UsageError(
            "After the number, `done` takes only @mentions of people who helped.", example
        )
    return Done(item_id=item_id, helpers=tuple(dict.fromkeys(helpers)))


def _move(rest: str) -> Move:
    example = "/promise move 42 to mon 10am because the client sent new figures"
    token, _, tail = rest.partition(" ")
    item_id = _item_id(token, example)
    if not tail.lower().startswith("to "):
        raise UsageError("Say the new deadline after *to*.", example)
    when, note = _split_first(tail[3:].strip(), " because ")
    if not when:
        raise UsageError("Say the new deadline after *to*.", example)
    if note is not None and (problem := txt.note_problem(note)):
        raise UsageError(problem, example)
    return Move(item_id=item_id, when=when, note=note or None)


def _wait(rest: str) -> Wait:
    example = "/promise wait 42 until mon 10am"
    token, _, tail = rest.partition(" ")
    item_id = _item_id(token, example)
    tail = tail.strip()
    if not tail:
        return Wait(item_id)
    if not tail.lower().startswith("until ") or not tail[6:].strip():
        raise UsageError("After the number, say *until WHEN*, or nothing.", example)
    return Wait(item_id, tail[6:].strip())


def _watch(rest: str) -> Watch:
    """`watch [CLIENT NAME] [owner @user] [clients @a @b …]`."""
    example = "/promise watch Acme owner @maria clients @pat"
    name_part, clients = _split_first(rest, "clients ")
    if rest.lower().startswith("clients "):
        name_part, clients = "", rest[len("clients ") :]
    name_part, owner_part = _split_first(" " + name_part + " ", " owner ")
    owner = None
    if owner_part is not None:
        m = _MENTION.fullmatch(owner_part.strip())
        if not m:
            raise UsageError("After *owner*, mention one person.", example)
        owner = m.group(1)
    client_ids: tuple[str, ...] = ()
    if clients is not None:
        client_ids = tuple(dict.fromkeys(mentions(clients)))
        if not client_ids or _MENTION.sub("", clients).strip():
            raise UsageError("After *clients*, mention the client's people.", example)
    name = name_part.strip() or None
    if name and (txt.client_problem(name) or _MENTION.search(name)):
        raise UsageError("Name the client in plain words.", example)
    return Watch(name=name, owner=owner, clients=client_ids)


def _handoff(rest: str) -> HandOff:
    example = "/promise handoff 42 @sam"
    token, _, tail = rest.partition(" ")
    item_id = _item_id(token, example)
    m = _MENTION.fullmatch(tail.strip())
    if not m:
        raise UsageError("Say who takes it over, as an @mention.", example)
    return HandOff(item_id=item_id, to=m.group(1))


EXAMPLE_AWAY = "/promise away @maria dec 22 to jan 2"


def _away(rest: str) -> Away | AwayOff:
    """`away [@user] FROM to UNTIL`, or `away [@user] off`."""
    try:
        user, rest = _leading_owner(rest)
    except UsageError as e:
        raise UsageError(e.message, EXAMPLE_AWAY) from None
    if rest.lower() == "off":
        return AwayOff(user)
    if not rest:
        raise UsageError("Say when you're away: *FROM to UNTIL*.", EXAMPLE_AWAY)
    span = split_span(rest)
    if span is None:
        raise UsageError(
            "Say when the absence ends with *to*, e.g. `dec 22 to jan 2`.", EXAMPLE_AWAY
        )
    start, until = span
    if not start:
        raise UsageError("Say when the absence starts, before *to*.", EXAMPLE_AWAY)
    if not until:
        raise UsageError("Say the last day away, after *to*.", EXAMPLE_AWAY)
    if _MENTION.search(start + " " + until):
        raise UsageError("Mention one person, before the dates.", EXAMPLE_AWAY)
    return Away(start=start, until=until, user=user)


def _cancel(rest: str) -> Cancel:
    example = "/promise cancel 42"
    if " " in rest:
        raise UsageError("`cancel` takes just the promise number.", example)
    return Cancel(item_id=_item_id(rest, example))


def _bounded_what(what: str, example: str = EXAMPLE_CREATE) -> str:
    if problem := txt.what_problem(what):
        raise UsageError(problem, example)
    return what


def _split_last(text: str, sep: str) -> tuple[str, str | None]:
    """Split at the last `sep` (case-insensitive): 'send a by-law by fri' → ('send a by-law', 'fri')."""
    idx = text.lower().rfind(sep)
    if idx < 0:
        if text.lower().startswith(sep.lstrip()):
            return "", text[len(sep.lstrip()) :].strip()
        if text.lower().endswith(sep.rstrip()):
            return text[: -len(sep.rstrip())].strip(), ""
        return text, None
    return text[:idx].strip(), text[idx + len(sep) :].strip()


def _split_first(text: str, sep: str) -> tuple[str, str | None]:
    idx = text.lower().find(sep)
    if idx < 0:
        return text.strip(), None
    return text[:idx].strip(), text[idx + len(sep) :].strip()


def _stats(rest: str) -> Stats:
    period = rest.lower() or "week"
    if period not in ("week", "month"):
        raise UsageError(
            "`stats` takes `week` (the last 7 days, the default) or `month` (the last 30).",
            "/promise stats month",
        )
    return Stats(period)


def opens_form(text: str) -> bool:
    """Whether `/promise text` answers with a form (bare `/promise`, `settings`): Slack
    takes that form only within 3 seconds, so its work goes before other queued work."""
    try:
        return isinstance(parse_command(text), OpenModal | Settings)
    except UsageError:
        return False
