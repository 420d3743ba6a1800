"""Whether a client's message needs a reply: thanks and acknowledgements do not.

In a watched client channel every client message used to become a *reply owed* item,
"Got it, thanks" and a lone 👍 included, and those then drew missed and escalation DMs
for weeks. `classify` tells the two apart so that an acknowledgement can be recorded as
seen instead of owed.

The rules are closed, on purpose. A message is an acknowledgement only when *every* word
in it comes from a short, fixed vocabulary of thanks and acknowledgement phrases (with a
few fillers: greetings, sign-offs, "team", the team's and the author's names when the
caller passes them, Slack mentions) and every emoji from a fixed list of positive ones —
and none of these is present:

- an attachment (`attachments=`), or no text at all: someone sent something;
- a link, a URL, an e-mail address, a channel link or `@here`/`@channel`;
- a question mark (or ¿ ‽ ⁉ ❓), a digit (amounts, dates, times, "Q3", "2nd"), an
  ellipsis ("ok..." hesitates or goes on), or any symbol outside plain punctuation
  (quotes, brackets, `>` quotes, code, slashes);
- a request or problem word: can/could/would/will you, please, need, send, when, what,
  why, how, who, which, update, still, but, however, not (and every n't), issue, problem,
  error, broken, wrong, urgent, asap, help, any, invoice, file, today, Friday, …
  (`REQUEST_WORDS`), even after "thanks" ("thanks, but…", "thanks in advance for…");
- more than `MAX_WORDS` words.

Anything else is owed, so a doubt means "owed": a wrong "no reply needed" hides a
client's request, a wrong "owed" only costs a reminder. Unknown words (a typo in a
request, another language, a name not passed in) are owed for the same reason.

A few fixed phrases neutralise a request word they contain, because as a whole they only
acknowledge: "no problem", "got the files", "great news", "looking forward to it",
"thanks for your time today" (`CARVE_OUTS`); and so does what a thanks is for, when it is
one of a closed list of nouns after "thanks for" or "appreciate the": "thanks for the
quick update", "thanks for all your help", "appreciate the invoice" (`OBJECT_CARVE_OUTS`;
a test lists both). Never with "a"/"an", and "appreciate" never with "your": "appreciate
a quick response" asks for one. The rest of the message is still checked: "thanks for the
update, but…" is owed.

Why closed rules and not a model: they are measured on a labelled table of client
messages (tests/data/replies.csv; benchmarks/replies.py prints the rates: every request
kept, and the share of acknowledgements recognised — much lower on the rows written after
the rules than on the others, which is what to expect of phrasings not listed yet), each
decision names the rule that
made it, they run anywhere with the standard library only — no network, no model to
download, no data leaving the workspace — and each message costs microseconds. Adding a
phrase is one line, and the table's test says at once whether it let a request through.

Pure: no Slack, no SQL, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.core.reply_words import (
    ACK_EMOJI,
    ACK_EMOJI_NAMES,
    ACK_EMOTICON,
    ACKS,
    APPRECIATE_DETERMINERS,
    CLAUSE_BREAKS,
    DASHES,
    DETERMINERS,
    EMOJI_CODE,
    OBJECT_ADJECTIVES,
    OBJECT_NOUNS,
    PUNCTUATION,
    QUESTION_MARKS,
    REQUEST_WORDS,
    SAD_EMOTICON,
    SKIN_TONE_CODE,
    SKIN_TONES,
    SLACK_TOKEN,
    URL_PATTERN,
    VARIATION,
    WILL_ASKS,
    WORD,
    Kind,
    word_key,
)

MAX_WORDS = 8  # longer than this is owed, whatever the words (measured: benchmarks/replies.py)
MAX_CHARS = 400  # cheap guard before any parsing


class Verdict(StrEnum):
    ACK = "ack"  # recorded as seen: needs no reply
    OWED = "owed"  # a reply is owed


class Rule(StrEnum):
    """Which rule decided: `ACKNOWLEDGEMENT` for an ack, the reason it is owed otherwise."""

    ACKNOWLEDGEMENT = "acknowledgement"
    EMPTY = "empty"  # no text (a file alone, or nothing)
    ATTACHMENT = "attachment"
    LINK = "link"  # URL, e-mail address, channel link
    BROADCAST = "broadcast"  # @here, @channel, @everyone
    QUESTION = "question"
    NUMBER = "number"  # a digit or a Slack date
    ELLIPSIS = "ellipsis"
    EMOJI = "emoji"  # an emoji or symbol outside the acknowledgement list
    SYMBOL = "symbol"  # punctuation outside . , ! ; : - ' & and mrkdwn's * _ ~
    REQUEST_WORD = "request_word"
    TOO_LONG = "too_long"
    UNKNOWN_WORD = "unknown_word"  # a word outside the acknowledgement vocabulary
    NO_ACKNOWLEDGEMENT = "no_acknowledgement"  # only greetings, names, mentions, fillers


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    rule: Rule
    detail: str = ""  # the word, emoji or character that decided, when there is one

    @property
    def needs_reply(self) -> bool:
        return self.verdict is Verdict.OWED


def needs_reply(text: str | None, *, attachments: int = 0, names: Iterable[str] = ()) -> bool:
    """True unless the message is only thanks or an acknowledgement (see `classify`)."""
    return classify(text, attachments=attachments, names=names).needs_reply


_RUN_2 = re.compile(r"(.)\1+")
_RUN_3 = re.compile(r"(.)\1{2,}")


def _owed(rule: Rule, detail: str = "") -> Decision:
    return Decision(Verdict.OWED, rule, detail)


_ACK = Decision(Verdict.ACK, Rule.ACKNOWLEDGEMENT)


def classify(text: str | None, *, attachments: int = 0, names: Iterable[str] = ()) -> Decision:
    """Decide whether `text`, a client's message in Slack's mrkdwn, needs a reply.

    `attachments`: how many files came with it (any file: owed). `names`: the team's and
    the author's names, allowed around the thanks ("Thanks Maria!", "Thanks, John").
    """
    if attachments:
        return _owed(Rule.ATTACHMENT, f"{attachments} file(s)")
    if not text or not text.strip():
        return _owed(Rule.EMPTY)
    if len(text) > MAX_CHARS:
        return _owed(Rule.TOO_LONG, f"{len(text)} characters")

    # Slack's markup: <@U123> mentions, <!here>, <#C123|name>, <https://…|label>.
    parts: list[str] = []
    last = 0
    for m in SLACK_TOKEN.finditer(text):
        inner = m.group(1)
        if inner[:1] == "@" or inner.startswith("!subteam^"):
            pass  # a person or a user group: allowed, like a name
        elif inner.split("|")[0] in ("!here", "!channel", "!everyone"):
            return _owed(Rule.BROADCAST, inner)
        elif inner.startswith("!date^"):
            return _owed(Rule.NUMBER, inner)
        else:
            return _owed(Rule.LINK, inner)
        parts.append(text[last : m.start()])
        parts.append(" ")
        last = m.end()
    parts.append(text[last:])
    body = "".join(parts).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    body = unicodedata.normalize("NFKC", body).translate(DASHES).lower()

    for ch in body:
        if ch in QUESTION_MARKS:
            return _owed(Rule.QUESTION, ch)
    if m := URL_PATTERN.search(body):
        return _owed(Rule.LINK, m.group(0))

    emoji_ack = False
    for m in EMOJI_CODE.finditer(body):
        name = m.group(1)
        if SKIN_TONE_CODE.match(name):
            continue
        if name not in ACK_EMOJI_NAMES:
            return _owed(Rule.EMOJI, m.group(0))
        emoji_ack = True
    body = EMOJI_CODE.sub(" ", body)
    if m := SAD_EMOTICON.search(body):
        return _owed(Rule.EMOJI, m.group(0))
    body, smiles = ACK_EMOTICON.subn(" ", body)
    emoji_ack = emoji_ack or smiles > 0

    # Unicode emoji, as clusters: skin tones, variation selectors and ZWJ sequences.
    chars: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if _is_emoji(ch):
            j = i + 1
            while j < n:
                nxt = body[j]
                if nxt in VARIATION or nxt in SKIN_TONES or nxt == "\u20e3":
                    j += 1
                elif nxt == "\u200d" and j + 1 < n and _is_emoji(body[j + 1]):
                    j += 2
                elif "\U0001f1e6" <= ch <= "\U0001f1ff" and "\U0001f1e6" <= nxt <= "\U0001f1ff":
                    j += 1  # a flag: two regional indicators
                else:
                    break
            cluster = body[i:j]
            key = "".join(c for c in cluster if c not in VARIATION and c not in SKIN_TONES)
            if key not in ACK_EMOJI:
                return _owed(Rule.EMOJI, cluster)
            emoji_ack = True
            chars.append(" ")
            i = j
            continue
        category = unicodedata.category(ch)
        if category[0] == "N":
            return _owed(Rule.NUMBER, ch)
        if ch in VARIATION or category == "Cf":
            pass  # stray zero-width joiners, selectors, marks
        elif category[0] in "LM" or ch.isspace():
            chars.append(ch)
        elif ch in PUNCTUATION:
            chars.append(" and " if ch == "&" else " " if ch in "*_~" else ch)
        else:
            return _owed(Rule.SYMBOL, ch)
        i += 1
    body = "".join(chars)
    if ".." in body:
        return _owed(Rule.ELLIPSIS, "...")

    words: list[str] = []
    breaks: set[int] = set()  # word k follows a clause break (".", "!", ",", ";", "-", a new line)
    last = 0
    for m in WORD.finditer(body):
        word = m.group(0).strip("'")
        if not word:
            continue
        gap = body[last : m.start()]  # "heads-up": a hyphen inside a word breaks nothing
        if words and gap != "-" and any(c in CLAUSE_BREAKS for c in gap):
            breaks.add(len(words))
        words.append(word)
        last = m.end()
    if m := _request_word(words, frozenset(breaks)):
        return _owed(Rule.REQUEST_WORD, m)
    if len(words) > MAX_WORDS:
        return _owed(Rule.TOO_LONG, f"{len(words)} words")
    return _cover(
        words,
        _name_keys((names,) if isinstance(names, str) else tuple(names)),
        emoji_ack,
        frozenset(breaks),
    )


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or unicodedata.category(ch) == "So"


@lru_cache(maxsize=256)
def _name_keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word_key(w) for name in names for w in WORD.findall(name.lower()))


@lru_cache(maxsize=4096)
def _variants(word: str) -> tuple[str, ...]:
    """The word and its de-elongated forms: "thaaanks" → "thanks", "cooool" → "cool"."""
    k = word_key(word)
    out = [k]
    for v in (_RUN_2.sub(r"\1", k), _RUN_3.sub(r"\1\1", k), _RUN_3.sub(r"\1", k)):
        if v not in out:
            out.append(v)
    return tuple(out)


def _request_word(words: list[str], breaks: frozenset[int]) -> str | None:
    """The first request word outside a carve-out phrase or a thanked-for object."""
    keys = [_variants(w) for w in words]
    covered = [False] * len(words)
    for i, vs in enumerate(keys):
        for v in vs:
            for phrase, _ in _VOCAB.get(v, ()):
                if phrase in CARVE_OUTS and _matches(phrase, keys, i):
                    covered[i : i + len(phrase)] = [True] * len(phrase)
        if "for" in vs or "appreciate" in vs:
            for end in _objects(keys, i + 1, breaks, appreciate="for" not in vs):
                covered[i + 1 : end] = [True] * (end - i - 1)
    for i, word in enumerate(words):
        if covered[i]:
            continue
        if _banned(word):
            return word
        if "will" in keys[i] and i + 1 < len(words) and keys[i + 1][0] in WILL_ASKS:
            return f"{word} {words[i + 1]}"
    return None


def _banned(word: str) -> bool:
    """A request word: listed, or its de-elongated form is ("pleeease"), or it is one
    before an apostrophe ("when's", "let's", "today's"), or a negation ("isn't")."""
    return (
        word.endswith("n't")
        or word.split("'")[0] in REQUEST_WORDS
        or any(v in REQUEST_WORDS for v in _variants(word))
    )


def _matches(phrase: tuple[str, ...], keys: list[tuple[str, ...]], i: int) -> bool:
    if i + len(phrase) > len(keys):
        return False
    return all(p in keys[i + k] for k, p in enumerate(phrase))


def _objects(
    keys: list[tuple[str, ...]], i: int, breaks: frozenset[int], *, appreciate: bool = False
) -> list[int]:
    """Where a thanked-for object starting at `i` can end: [determiner] adjective* noun,
    all in the clause of the thanks ("thanks for that. Help!" thanks for nothing: no word
    of the object may follow a clause break)."""
    if appreciate:
        starts = [i + len(d) for d in APPRECIATE_DETERMINERS if _matches(d, keys, i)]
    else:
        starts = [i] + [i + len(d) for d in DETERMINERS if _matches(d, keys, i)]
    ends = []
    for j in starts:
        while True:
            ends.extend(j + len(noun) for noun in OBJECT_NOUNS if _matches(noun, keys, j))
            if j < len(keys) and any(v in OBJECT_ADJECTIVES for v in keys[j]):
                j += 1
            else:
                break
    return [end for end in ends if not any(k in breaks for k in range(i, end))]


# What may follow a segment that needs one: nothing in particular, an acknowledgement (or
# more intensifiers), or a plain acknowledgement.
_FREE, _NEED_ACK, _NEED_CORE = 0, 1, 2
_STARTS = frozenset({Kind.CORE, Kind.THANKS, Kind.INTENS})
_ACKNOWLEDGES = frozenset({Kind.CORE, Kind.THANKS})
_KEEPS_THANKS = frozenset({Kind.MOD, Kind.ADDRESS, Kind.NAME})


def _cover(
    words: list[str], names: frozenset[str], emoji_ack: bool, breaks: frozenset[int]
) -> Decision:
    """Can the words be read as a sequence of vocabulary phrases with an acknowledgement in it?"""
    keys = [_variants(w) for w in words]
    n = len(keys)
    # state: (position, in a thanks, what must follow, after CORE/THANKS, acknowledged)
    start = (0, False, _FREE, False, emoji_ack)
    seen = {start}
    stack = [start]
    furthest = 0
    while stack:
        i, thanking, need, after_ack, acked = stack.pop()
        furthest = max(furthest, i)
        if i == n:
            if acked and need == _FREE:
                return _ACK
            continue
        options: list[tuple[int, Kind]] = []
        if any(v in names for v in keys[i]):
            options.append((1, Kind.NAME))
        for v in keys[i]:
            for phrase, kind in _VOCAB.get(v, ()):
                if not _matches(phrase, keys, i):
                    continue
                if kind is Kind.APPRECIATE:
                    at = i + len(phrase)
                    options.extend(
                        (end - i, Kind.THANKS)
                        for end in _objects(keys, at, breaks, appreciate=True)
                    )
                else:
                    options.append((len(phrase), kind))
            if v == "for" and thanking:
                options.extend((end - i, Kind.MOD) for end in _objects(keys, i + 1, breaks))
        for length, kind in options:
            if need == _NEED_ACK and kind not in _STARTS:
                continue
            if need == _NEED_CORE and kind not in (Kind.CORE, Kind.INTENS):
                continue
            if kind is Kind.MOD and not thanking:
                continue
            if kind is Kind.ME and not after_ack:
                continue
            state = (
                i + length,
                kind is Kind.THANKS or (thanking and kind in _KEEPS_THANKS),
                _NEED_ACK if kind is Kind.INTENS else _NEED_CORE if kind is Kind.YES else _FREE,
                kind in _ACKNOWLEDGES,
                acked or kind in _ACKNOWLEDGES,
            )
            if state not in seen:
                seen.add(state)
                stack.append(state)
    if furthest >= n:
        return _owed(Rule.NO_ACKNOWLEDGEMENT)
    return _owed(Rule.UNKNOWN_WORD, words[furthest])


# --- the vocabulary, indexed by first word ------------------------------------------------

_VOCAB: dict[str, list[tuple[tuple[str, ...], Kind]]] = {}
_CARVE_OUTS: set[tuple[str, ...]] = set()
for _kind, _spec in ACKS.items():
    for _line in _spec.splitlines():
        for _raw in _line.split("|"):
            if _words := tuple(word_key(w) for w in _raw.split()):
                _VOCAB.setdefault(_words[0], []).append((_words, _kind))
                if any(_banned(w) for w in _raw.split()):
                    _CARVE_OUTS.add(_words)
# Vocabulary phrases that contain a request word: they neutralise it (and only they).
CARVE_OUTS = frozenset(_CARVE_OUTS)
# Nouns that may be thanked for although they are request words elsewhere.
OBJECT_CARVE_OUTS = frozenset(w for p in OBJECT_NOUNS for w in p if _banned(w))
