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
from enum import Enum, StrEnum
from functools import lru_cache

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


# --- vocabulary -------------------------------------------------------------------------


class _Kind(Enum):
    THANKS = "thanks"  # acknowledges; may be followed by MOD ("so much", "for the update")
    CORE = "core"  # acknowledges: ok, got it, noted, perfect, 👍 …
    MOD = "mod"  # only right after thanks (or its other mods): so much, again, for that
    INTENS = "intens"  # must be followed by CORE/THANKS/INTENS: very, really, that's, looks
    YES = "yes"  # must be followed by CORE or INTENS: "yep, got it"; a bare "yes" answers
    APPRECIATE = "appreciate"  # must be followed by an object: "appreciate the quick reply"
    ME = "me"  # only right after CORE: to me, for us, then, now
    ADDRESS = "address"  # team, all, everyone, guys; keeps a thanks going
    NAME = "name"  # a name the caller passed; keeps a thanks going
    FILLER = "filler"  # greetings, sign-offs, interjections, "and"


def _key(word: str) -> str:
    """How words are compared: lower case, no apostrophes ("that's" = "thats")."""
    return word.replace("'", "")


def _phrases(spec: str) -> list[tuple[str, ...]]:
    return [
        words
        for line in spec.splitlines()
        for p in line.split("|")
        if (words := tuple(_key(w) for w in p.split()))
    ]


def _wordset(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# Positive adjectives, each an acknowledgement alone; the first ones also before
# news/work/job/stuff/effort ("great news", "excellent work").
_PRAISE = """
    great good brilliant excellent fantastic wonderful amazing lovely awesome super superb
    terrific fabulous fab nice top
"""
_POSITIVE = """
    great perfect awesome lovely brilliant excellent fantastic wonderful amazing super superb
    splendid marvellous marvelous terrific fabulous fab nice neat sweet good helpful useful
    beautiful outstanding incredible impressive top ace grand cracking smashing stellar
    phenomenal magic
"""

_ACKS = {
    _Kind.THANKS: """
        thanks | thank you | thankyou | thank u | thanku | thanq | thx | thnx | thnks | thks
        thanx | thanxs | tnx | tks | tq | ty | tyty | tysm | tyvm | thnaks | thansk | thakns
        tahnks | ta | cheers | many thanks | many many thanks | big thanks | huge thanks
        with thanks | with many thanks | thanks muchly | much thanks | appreciated
        much appreciated | very much appreciated | greatly appreciated | really appreciated
        highly appreciated | very appreciated | truly appreciated | all appreciated
        appreciate it | appreciate that | appreciate this | appreciate you | appreciate them
        i appreciate it | i appreciate that | i appreciate this | we appreciate it
        we appreciate that | we appreciate this | i really appreciate it | we really appreciate it
        i do appreciate it | we do appreciate it | you're welcome | you are welcome
        my pleasure | pleasure | anytime | merci | merci beaucoup | gracias | muchas gracias
        danke | danke schön | danke schoen | grazie | grazie mille | much obliged | obliged
        very kind of you | kind of you | so kind of you
    """,
    _Kind.APPRECIATE: """
        appreciate | i appreciate | we appreciate | i really appreciate | we really appreciate
        i do appreciate | we do appreciate | i truly appreciate | we truly appreciate
    """,
    _Kind.MOD: """
        so much | so so much | so very much | very much | very much indeed | indeed | a lot
        lots | loads | heaps | tons | a ton | a bunch | a million | much | muchly | again
        once again | as always | as ever | kindly | for that | for this | for it | for them
        for everything | for all | for all of this | for today | for getting back to me
        for getting back to us | for coming back to me | for coming back to us
        for letting me know | for letting us know | for sharing | for sharing this
        for sharing that | for sending | for sending this | for sending that | for sending it
        for sending them | for sending it over | for sending this over | for sending that over
        for sending them over | for sending over | for confirming | for clarifying
        for explaining | for checking | for fixing it | for fixing this | for fixing that
        for sorting | for sorting it | for sorting this | for sorting that | for sorting it out
        for sorting that out | for sorting this out | for keeping me posted
        for keeping us posted | for keeping me updated | for keeping us updated
        for keeping me in the loop | for keeping us in the loop | for taking care of it
        for taking care of this | for taking care of that | for jumping on it
        for jumping on this | for getting it done | for getting this done | for being so quick
        for chasing that up | for chasing it up | for chasing this up | for going above and beyond
        for your time today | for the call today | for the meeting today | for the session today
        for the chat today | for today's call | for today's meeting | for today's session
        for the call earlier | for the chat earlier | for the call yesterday
        for the meeting yesterday | for your time yesterday | on this | on that | on it
        with this | with that | ever so much | so quickly | so fast | quickly | so promptly
        promptly
    """,
    _Kind.CORE: """
        ok | okay | okey | okie | oki | k | kk | kay | o k | okey dokey | okie dokie
        okey doke | okidoki | okidokie | alright | alrighty | all right | fine | sure
        sure thing | for sure | of course | absolutely | definitely | cool | cool beans
        got it | got that | got them | got it all | got both | got you | got ya | gotcha
        got the file | got the files | got the invoice | noted | duly noted | well noted
        received | well received | all received | received it | received them
        received both | received the file | received the files | received the invoice
        acknowledged | ack | roger | roger that | copy that | understood | understand
        i understand | we understand | makes sense | that makes sense | clear | all clear
        crystal clear | fair enough | will do | no worries | no worries at all | no problem
        no problem at all | no prob | no probs | np | no rush | no hurry | sounds good
        sounds great | sounds perfect | sounds fine | sounds like a plan | sgtm | lgtm
        looks good | works | that works | it works | working | all working | fixed
        all fixed | sorted | all sorted | resolved | all set | we're all set | we're good
        we are good | i'm good | all good | all good here | all good on our end
        all good on our side | happy with that | happy with it | happy with this | love it
        love this | love that | i love it | we love it | loved it | you too | and you
        same to you | likewise | you're a star | you are a star | you're the best
        you are the best | you rock | you're a legend | legend | lifesaver
        life saver | you're a lifesaver | yay | woohoo | woo hoo | hooray | spot on
        well done | nicely done | beautifully done | brilliantly done | superbly done
        nice one | good one | glad to hear | good to hear | great to hear | good to know
        that helps | this helps | that helps a lot | that answers my question
        that answers it | that answers everything | looking forward | looking forward to it
        look forward to it | looking forward to seeing it | looking forward to seeing them
        looking forward to the next one | looking forward to working with you
        looking forward to working together | can't wait to see it | can't wait to see them
        can't wait to see the results | in order | all in order | kind | reassuring
        useful to know | helpful to know | great to know | nice to know | that clarifies it
        that clarifies things | that clears it up | that clears things up | i'll pass it on
        we'll pass it on | will pass it on | we'll take it from here | i'll take it from here
        great to see progress | good to see progress | great to see it | good to see it
        nice to see it | all we need | all we needed | exactly what we needed
        exactly what i needed | just what we needed | just what i needed
        exactly what we need
    """,
    _Kind.INTENS: """
        very | really | so | super | truly | most | extremely | greatly | highly | incredibly
        just | much | that's | that is | this is | it's | it is | that sounds | sounds | sound
        that looks | looks | look | it looks | this looks | everything looks | all looks
        seems | that seems | that all looks | it all looks | that all sounds | it all sounds
        all sounds | it all seems | all seems
    """,
    _Kind.YES: "yes | yep | yeah | yup | yea",
    _Kind.ME: """
        to me | for me | to us | for us | by me | by us | with me | with us | from me
        from us | from my side | from our side | on my side | on our side | on my end
        on our end | then | now
    """,
    _Kind.ADDRESS: """
        team | all | everyone | everybody | guys | you guys | you all | y'all | folks | both
        you both | both of you | mate | man | buddy | pal | dude | sir | madam | ma'am | friend
    """,
    _Kind.FILLER: """
        hi | hey | hello | hiya | heya | dear | good morning | good afternoon | good evening
        regards | kind regards | best regards | warm regards | warmest regards | many regards
        best | best wishes | all the best | br | rgds | bye | bye for now | goodbye | take care
        talk soon | speak soon | chat soon | talk later | speak later | see you | see ya
        see you then | see you soon | catch you later | have a good one | have a great one
        have a good day | have a great day | have a nice day | have a lovely day
        have a good weekend | have a great weekend | have a nice weekend
        have a lovely weekend | have a good evening | have a great evening
        enjoy your weekend | enjoy the weekend | enjoy your day | enjoy | happy holidays
        merry christmas | happy new year | ttyl | oh | ah | ahh | aha | ooh | oh wow
        wow | phew | haha | hahaha | hehe | lol | and | speak then | talk then
    """,
}
_ACKS[_Kind.CORE] += (
    " | ".join(_POSITIVE.split())
    + " | "
    + " | ".join(f"{a} news | {a} work | {a} job | {a} stuff | {a} effort" for a in _PRAISE.split())
)

# What "thanks for …" and "appreciate …" may be about: an optional determiner, adjectives,
# then one of these nouns ("thanks for the very quick reply", "appreciate the update").
# Never "a"/"an", and "appreciate" never takes "your" or no determiner: "appreciate a
# quick response" and "appreciate your prompt response" ask for one.
_DETERMINERS = _phrases("the | your | all the | all your | all of your | this | that")
_APPRECIATE_DETERMINERS = _phrases("the | all the | all your | all of your | this | that")
_OBJECT_ADJECTIVES = _wordset(
    """
    quick swift prompt speedy fast rapid timely detailed thorough clear great kind helpful
    useful lovely nice excellent brilliant fantastic amazing wonderful super continued
    ongoing constant very really so revised updated final new latest amended corrected signed
    """
)
_OBJECT_NOUNS = _phrases(
    """
    update | updates | info | information | news | heads up | headsup | reply | replies
    response | responses | answer | answers | feedback | help | assistance | support
    effort | efforts | work | hard work | time | patience | explanation | clarification
    confirmation | summary | recap | notes | reminder | fix | turnaround | call | meeting
    chat | session | catch up | file | files | invoice | document | documents | report
    deck | slides | draft | proposal | quote | contract | details | invite | invitation
    introduction | intro | advice | tips | suggestion | suggestions | input | insight
    insights | thoughts | care | follow up | action | message | email | note | guidance
    walkthrough | demo | presentation | service
    """
)

# Anywhere in a message, outside a `CARVE_OUTS` phrase or a thanked-for object, any of
# these makes it owed.
REQUEST_WORDS = _wordset(
    """
    can cannot could would should shall must might may please pls plz plse pleas plis need
    needs needed needing require required requires want wants wanted send resend forward
    share provide attach attached attachment attachments upload check confirm advise revert
    review fix change add remove delete cancel stop hold move reschedule schedule book call
    phone ring meet meeting discuss tell ask let remind chase chasing follow following expect
    expecting wait waiting waited what why how when where who whom whose which whats whens
    hows wheres whos whys whatever whenever wherever whether if unless but however though
    although except yet still not never nothing nobody none neither nor cant dont doesnt
    didnt isnt arent wasnt werent wont wouldnt couldnt shouldnt havent hasnt hadnt aint
    issue issues problem problems error errors broken broke break bug bugs fail fails failed
    failing failure crash crashed crashing down outage missing wrong incorrect mistake
    mistakes typo typos corrupt corrupted empty blank slow stuck bounce bounced rejected
    declined lost unable confused unclear disappointed unacceptable concern concerns
    complaint worried urgent urgently asap emergency critical priority important
    immediately deadline overdue late delay delayed eta eod eow cob tonight today todays
    tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday mon tue tues
    wed thu thur thurs fri sat week weeks weekly month months monthly noon midday january
    february march april june july august september october november december jan feb mar
    apr jun jul aug sep sept oct nov dec help helps any anyone anybody anything anywhere also
    another else more other others instead invoice invoices file files contract contracts
    document documents doc docs pdf link links quote price cost costs fee fees refund
    payment pay status update updates news progress question questions query queries
    advance tia ahead beforehand upfront fyi ps
    """
)
# "will" asks only with a subject after it ("will you…"); "will do" acknowledges.
_WILL_ASKS = _wordset("you u it this that we they someone anyone")


_ACK_EMOJI_NAMES = _wordset(
    """
    +1 thumbsup thumbsup_all thumbs_up pray tada raised_hands clap ok_hand white_check_mark
    heavy_check_mark ballot_box_with_check heart hearts heart_eyes heart_hands blue_heart
    green_heart purple_heart yellow_heart orange_heart white_heart sparkling_heart two_hearts
    smile smiley grinning grin slightly_smiling_face blush relaxed simple_smile wink muscle
    100 fire rocket star star2 star-struck sparkles partying_face confetti_ball handshake
    sunglasses hugging_face hugs beers clinking_glasses thankyou thank_you thanks ty
    """
)
_ACK_EMOJI = _wordset(
    "👍 🙏 🎉 🎊 🙌 👏 👌 ✅ ✔ ☑ ✓ ❤ ♥ 💙 💚 💛 💜 🧡 🤍 💖 💕 😍 🥰 😊 🙂 😀 😃 😄 😁 ☺ 😉 😎 🤗 "
    "🤩 🥳 💪 💯 🔥 🚀 ⭐ 🌟 ✨ 🤝 🫶 🍻 🥂 ❤\u200d🔥"
)
_VARIATION = {"\ufe0e", "\ufe0f"}
_SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}
_QUESTION_MARKS = frozenset("?¿‽❓❔⁇⁈")  # ⁉ becomes "!?" under NFKC
_PUNCTUATION = frozenset(".,!¡;:-'&*_~")
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "―": "-", "’": "'", "‘": "'", "ʼ": "'"})

_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.\w+"
    r"|\b[\w-]+\.(?:com|org|net|io|co|uk|de|fr|eu|dev|app|ai|gov|edu|info|biz|me|us|ca|au)\b",
    re.IGNORECASE,
)
_EMOJI_CODE = re.compile(r":([a-z0-9_+'-]+):", re.IGNORECASE)
_SKIN_TONE_CODE = re.compile(r"^skin-tone-[2-6]$")
_ACK_EMOTICON = re.compile(r"(?<![\w:])(?:[:=;]-?[)\]d]|\^_?\^|<3)(?!\w)", re.IGNORECASE)
_SAD_EMOTICON = re.compile(r"(?<![\w:])(?:[:=;]'?-?[(/\\|\[sp]|d:)(?!\w)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
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
    for m in _SLACK_TOKEN.finditer(text):
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
    body = unicodedata.normalize("NFKC", body).translate(_DASHES).lower()

    for ch in body:
        if ch in _QUESTION_MARKS:
            return _owed(Rule.QUESTION, ch)
    if m := _URL.search(body):
        return _owed(Rule.LINK, m.group(0))

    emoji_ack = False
    for m in _EMOJI_CODE.finditer(body):
        name = m.group(1)
        if _SKIN_TONE_CODE.match(name):
            continue
        if name not in _ACK_EMOJI_NAMES:
            return _owed(Rule.EMOJI, m.group(0))
        emoji_ack = True
    body = _EMOJI_CODE.sub(" ", body)
    if m := _SAD_EMOTICON.search(body):
        return _owed(Rule.EMOJI, m.group(0))
    body, smiles = _ACK_EMOTICON.subn(" ", body)
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
                if nxt in _VARIATION or nxt in _SKIN_TONES or nxt == "\u20e3":
                    j += 1
                elif nxt == "\u200d" and j + 1 < n and _is_emoji(body[j + 1]):
                    j += 2
                elif "\U0001f1e6" <= ch <= "\U0001f1ff" and "\U0001f1e6" <= nxt <= "\U0001f1ff":
                    j += 1  # a flag: two regional indicators
                else:
                    break
            cluster = body[i:j]
            key = "".join(c for c in cluster if c not in _VARIATION and c not in _SKIN_TONES)
            if key not in _ACK_EMOJI:
                return _owed(Rule.EMOJI, cluster)
            emoji_ack = True
            chars.append(" ")
            i = j
            continue
        category = unicodedata.category(ch)
        if category[0] == "N":
            return _owed(Rule.NUMBER, ch)
        if ch in _VARIATION or category == "Cf":
            pass  # stray zero-width joiners, selectors, marks
        elif category[0] in "LM" or ch.isspace():
            chars.append(ch)
        elif ch in _PUNCTUATION:
            chars.append(" and " if ch == "&" else " " if ch in "*_~" else ch)
        else:
            return _owed(Rule.SYMBOL, ch)
        i += 1
    body = "".join(chars)
    if ".." in body:
        return _owed(Rule.ELLIPSIS, "...")

    words = [w.strip("'") for w in _WORD.findall(body)]
    words = [w for w in words if w]
    if m := _request_word(words):
        return _owed(Rule.REQUEST_WORD, m)
    if len(words) > MAX_WORDS:
        return _owed(Rule.TOO_LONG, f"{len(words)} words")
    return _cover(
        words, _name_keys((names,) if isinstance(names, str) else tuple(names)), emoji_ack
    )


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or unicodedata.category(ch) == "So"


@lru_cache(maxsize=256)
def _name_keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_key(w) for name in names for w in _WORD.findall(name.lower()))


@lru_cache(maxsize=4096)
def _variants(word: str) -> tuple[str, ...]:
    """The word and its de-elongated forms: "thaaanks" → "thanks", "cooool" → "cool"."""
    k = _key(word)
    out = [k]
    for v in (_RUN_2.sub(r"\1", k), _RUN_3.sub(r"\1\1", k), _RUN_3.sub(r"\1", k)):
        if v not in out:
            out.append(v)
    return tuple(out)


def _request_word(words: list[str]) -> str | None:
    """The first request word outside a carve-out phrase or a thanked-for object."""
    keys = [_variants(w) for w in words]
    covered = [False] * len(words)
    for i, vs in enumerate(keys):
        for v in vs:
            for phrase, _ in _VOCAB.get(v, ()):
                if phrase in CARVE_OUTS and _matches(phrase, keys, i):
                    covered[i : i + len(phrase)] = [True] * len(phrase)
        if "for" in vs or "appreciate" in vs:
            for end in _objects(keys, i + 1, appreciate="for" not in vs):
                covered[i + 1 : end] = [True] * (end - i - 1)
    for i, word in enumerate(words):
        if covered[i]:
            continue
        if _banned(word):
            return word
        if "will" in keys[i] and i + 1 < len(words) and keys[i + 1][0] in _WILL_ASKS:
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


def _objects(keys: list[tuple[str, ...]], i: int, *, appreciate: bool = False) -> list[int]:
    """Where a thanked-for object starting at `i` can end: [determiner] adjective* noun."""
    if appreciate:
        starts = [i + len(d) for d in _APPRECIATE_DETERMINERS if _matches(d, keys, i)]
    else:
        starts = [i] + [i + len(d) for d in _DETERMINERS if _matches(d, keys, i)]
    ends = []
    for j in starts:
        while True:
            ends.extend(j + len(noun) for noun in _OBJECT_NOUNS if _matches(noun, keys, j))
            if j < len(keys) and any(v in _OBJECT_ADJECTIVES for v in keys[j]):
                j += 1
            else:
                break
    return ends


# What may follow a segment that needs one: nothing in particular, an acknowledgement (or
# more intensifiers), or a plain acknowledgement.
_FREE, _NEED_ACK, _NEED_CORE = 0, 1, 2
_STARTS = frozenset({_Kind.CORE, _Kind.THANKS, _Kind.INTENS})
_ACKNOWLEDGES = frozenset({_Kind.CORE, _Kind.THANKS})
_KEEPS_THANKS = frozenset({_Kind.MOD, _Kind.ADDRESS, _Kind.NAME})


def _cover(words: list[str], names: frozenset[str], emoji_ack: bool) -> Decision:
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
        options: list[tuple[int, _Kind]] = []
        if any(v in names for v in keys[i]):
            options.append((1, _Kind.NAME))
        for v in keys[i]:
            for phrase, kind in _VOCAB.get(v, ()):
                if not _matches(phrase, keys, i):
                    continue
                if kind is _Kind.APPRECIATE:
                    at = i + len(phrase)
                    options.extend(
                        (end - i, _Kind.THANKS) for end in _objects(keys, at, appreciate=True)
                    )
                else:
                    options.append((len(phrase), kind))
            if v == "for" and thanking:
                options.extend((end - i, _Kind.MOD) for end in _objects(keys, i + 1))
        for length, kind in options:
            if need == _NEED_ACK and kind not in _STARTS:
                continue
            if need == _NEED_CORE and kind not in (_Kind.CORE, _Kind.INTENS):
                continue
            if kind is _Kind.MOD and not thanking:
                continue
            if kind is _Kind.ME and not after_ack:
                continue
            state = (
                i + length,
                kind is _Kind.THANKS or (thanking and kind in _KEEPS_THANKS),
                _NEED_ACK if kind is _Kind.INTENS else _NEED_CORE if kind is _Kind.YES else _FREE,
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

_VOCAB: dict[str, list[tuple[tuple[str, ...], _Kind]]] = {}
_CARVE_OUTS: set[tuple[str, ...]] = set()
for _kind, _spec in _ACKS.items():
    for _line in _spec.splitlines():
        for _raw in _line.split("|"):
            if _words := tuple(_key(w) for w in _raw.split()):
                _VOCAB.setdefault(_words[0], []).append((_words, _kind))
                if any(_banned(w) for w in _raw.split()):
                    _CARVE_OUTS.add(_words)
# Vocabulary phrases that contain a request word: they neutralise it (and only they).
CARVE_OUTS = frozenset(_CARVE_OUTS)
# Nouns that may be thanked for although they are request words elsewhere.
OBJECT_CARVE_OUTS = frozenset(w for p in _OBJECT_NOUNS for w in p if _banned(w))
