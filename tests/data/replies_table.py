"""The labelled client messages (`replies.csv`) that `bot.core.replies` is measured on.

Columns: `text` (as Slack sends it: mrkdwn, `<@U…>` mentions, `:emoji:` codes, `&gt;`
escapes), `label` (`ack`: needs no reply; `owed`: a reply is owed, which includes every
ambiguous message) and `note`. Rows whose note starts with "holdout" were written after
the rules and never used to change them: their rates say how the rules do on phrasings
they were not written against. Don't tune the rules on them; add a new batch instead.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("replies.csv")
# The team members and client contacts the messages name (the bot would pass the
# channel's people and the author): "Thanks Maria!", "Thanks,\nJohn".
NAMES = ("Maria", "Sam", "Priya", "John")


@dataclass(frozen=True)
class Row:
    line: int  # where the row ends in replies.csv
    text: str
    label: str
    note: str

    @property
    def holdout(self) -> bool:
        return self.note.startswith("holdout")


def load() -> list[Row]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [Row(reader.line_num, r["text"], r["label"], r["note"]) for r in reader]
    bad = [r for r in rows if r.label not in ("ack", "owed")]
    assert not bad, f"labels must be ack or owed: {bad}"
    return rows
