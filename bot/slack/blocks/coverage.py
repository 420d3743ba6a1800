"""What `/promise away` answers (ephemeral): the absence as understood, what is due then,
and when the coverage DM goes; what `away off` cleared."""

from __future__ import annotations

from bot.slack.blocks.common import Message, context, section, when
from bot.usecases.coverage import AwayCleared, AwaySet, count, ids, span_text


def away_set(result: AwaySet) -> Message:
    mine = result.user_id == result.actor_id
    who = "You're" if mine else f"<@{result.user_id}> is"
    whose = "yours" if mine else "theirs"
    span = span_text(result.starts_at, result.ends_at, result.recorded_at, result.tz)
    line = f":palm_tree: Noted: {who} away {span}."
    if result.merged:
        line += " (I merged it with the absence already recorded.)"
    dm = (
        f"{'You' if mine else 'They'}'ll get a DM {when(result.dm_at, result.tz)}"
        if result.dm_at
        else None
    )
    if result.due:
        falls = "falls" if len(result.due) == 1 else "fall"
        line += (
            f"\n{count(result.due).capitalize()} of {whose} {falls} due then ({ids(result.due)})."
        )
        line += (
            f" {dm} to hand them off." if dm else " The DM to hand them off has already gone out."
        )
    else:
        line += f"\nNothing of {whose} is due then."
        if dm:
            line += f" If that changes, {dm[0].lower()}{dm[1:]} to hand it off."
    off = "/promise away off" if mine else f"/promise away <@{result.user_id}> off"
    return {
        "text": line,
        "blocks": [
            section(line),
            context(f"The lead sees it in App Home · changed plans? `{off}`"),
        ],
    }


def away_cleared(result: AwayCleared) -> Message:
    whose = f"<@{result.user_id}>'s"
    if result.count == 0:
        line = f":information_source: No absence of {whose} was coming up; nothing changed."
    else:
        line = (
            f":wave: Cleared {whose} absence: no coverage DM about it will go out, "
            "and the lead's App Home no longer shows it."
        )
    return {"text": line, "blocks": [section(line)]}
