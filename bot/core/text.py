"""Text people type, made fit to store: control characters out, Slack-escaped, and
measured as stored.

Slack escapes `&`, `<` and `>` in a slash command's text (`&` arrives as `&amp;`), and a
form's text is escaped here before it is stored, so every limit is measured after
escaping: a command and its form refuse the same things, and nothing stored grows past
Slack's limits when the bot repeats it.
"""

from __future__ import annotations

import re

MAX_TEXT = 4000  # a whole /promise command
MAX_WHAT = 500  # what was promised, or what a reply is about
MAX_NOTE = 1000  # a note for the client (a moved deadline)
MAX_CLIENT = 200  # a client's name

# C0 controls but tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Without NUL and other control characters (a tab or a line break stays)."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """Cleaned, with every run of spaces and line breaks made one space."""
    return " ".join(clean(text).split())


def escape(text: str) -> str:
    """Escape plain text for Slack mrkdwn, as Slack itself does for slash-command text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Stored text back to what the person typed, for a form's plain-text field."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def what_problem(what: str) -> str | None:
    """Why an escaped "what" can't be stored, or None."""
    if not what:
        return "Say what you promised."
    return _too_long(what, MAX_WHAT, "Put the details in a thread.")


def client_problem(client: str) -> str | None:
    """Why an escaped client name can't be stored, or None (empty is fine: no client)."""
    return _too_long(client, MAX_CLIENT, "Use the client's short name.")


def note_problem(note: str) -> str | None:
    """Why an escaped note for the client can't be posted, or None."""
    return _too_long(note, MAX_NOTE, "Keep the note short; the details can go in a thread.")


def _too_long(escaped: str, limit: int, advice: str) -> str | None:
    if len(escaped) <= limit:
        return None
    counted = " (`&`, `<` and `>` count as 4 or 5)" if "&" in escaped else ""
    return f"That's {len(escaped):,} characters{counted}; keep it under {limit:,}. {advice}"
