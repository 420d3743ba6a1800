"""The closed vocabulary of bot/core/replies.py: the thanks and acknowledgement phrases, the
request words, the emoji and the patterns the rules read messages with. Data, kept apart so
the rules read on one screen; every change here shows in the labelled table's figures."""

from __future__ import annotations

import re
from enum import Enum


class Kind(Enum):
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


def word_key(word: str) -> str:
    """How words are compared: lower case, no apostrophes ("that's" = "thats")."""
    return word.replace("'", "")


def phrase_list(spec: str) -> list[tuple[str, ...]]:
    return [
        words
        for line in spec.splitlines()
        for p in line.split("|")
        if (words := tuple(word_key(w) for w in p.split()))
    ]


def wordset(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# Positive adjectives, each an acknowledgement alone; the first ones also before
# news/work/job/stuff/effort ("great news", "excellent work").
PRAISE = """
    great good brilliant excellent fantastic wonderful amazing lovely awesome super superb
    terrific fabulous fab nice top
"""
POSITIVE = """
    great perfect awesome lovely brilliant excellent fantastic wonderful amazing super superb
    splendid marvellous marvelous terrific fabulous fab nice neat sweet good helpful useful
    beautiful outstanding incredible impressive top ace grand cracking smashing stellar
    phenomenal magic
"""

ACKS = {
    Kind.THANKS: """
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
    Kind.APPRECIATE: """
        appreciate | i appreciate | we appreciate | i really appreciate | we really appreciate
        i do appreciate | we do appreciate | i truly appreciate | we truly appreciate
    """,
    Kind.MOD: """
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
    Kind.CORE: """
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
    Kind.INTENS: """
        very | really | so | super | truly | most | extremely | greatly | highly | incredibly
        just | much | that's | that is | this is | it's | it is | that sounds | sounds | sound
        that looks | looks | look | it looks | this looks | everything looks | all looks
        seems | that seems | that all looks | it all looks | that all sounds | it all sounds
        all sounds | it all seems | all seems
    """,
    Kind.YES: "yes | yep | yeah | yup | yea",
    Kind.ME: """
        to me | for me | to us | for us | by me | by us | with me | with us | from me
        from us | from my side | from our side | on my side | on our side | on my end
        on our end | then | now
    """,
    Kind.ADDRESS: """
        team | all | everyone | everybody | guys | you guys | you all | y'all | folks | both
        you both | both of you | mate | man | buddy | pal | dude | sir | madam | ma'am | friend
    """,
    Kind.FILLER: """
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
ACKS[Kind.CORE] += (
    " | ".join(POSITIVE.split())
    + " | "
    + " | ".join(f"{a} news | {a} work | {a} job | {a} stuff | {a} effort" for a in PRAISE.split())
)

# What "thanks for …" and "appreciate …" may be about: an optional determiner, adjectives,
# then one of these nouns ("thanks for the very quick reply", "appreciate the update").
# Never "a"/"an", and "appreciate" never takes "your" or no determiner: "appreciate a
# quick response" and "appreciate your prompt response" ask for one.
DETERMINERS = phrase_list("the | your | all the | all your | all of your | this | that")
APPRECIATE_DETERMINERS = phrase_list("the | all the | all your | all of your | this | that")
OBJECT_ADJECTIVES = wordset(
    """
    quick swift prompt speedy fast rapid timely detailed thorough clear great kind helpful
    useful lovely nice excellent brilliant fantastic amazing wonderful super continued
    ongoing constant very really so revised updated final new latest amended corrected signed
    """
)
OBJECT_NOUNS = phrase_list(
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
REQUEST_WORDS = wordset(
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
WILL_ASKS = wordset("you u it this that we they someone anyone")


ACK_EMOJI_NAMES = wordset(
    """
    +1 thumbsup thumbsup_all thumbs_up pray tada raised_hands clap ok_hand white_check_mark
    heavy_check_mark ballot_box_with_check heart hearts heart_eyes heart_hands blue_heart
    green_heart purple_heart yellow_heart orange_heart white_heart sparkling_heart two_hearts
    smile smiley grinning grin slightly_smiling_face blush relaxed simple_smile wink muscle
    100 fire rocket star star2 star-struck sparkles partying_face confetti_ball handshake
    sunglasses hugging_face hugs beers clinking_glasses thankyou thank_you thanks ty
    """
)
ACK_EMOJI = wordset(
    "👍 🙏 🎉 🎊 🙌 👏 👌 ✅ ✔ ☑ ✓ ❤ ♥ 💙 💚 💛 💜 🧡 🤍 💖 💕 😍 🥰 😊 🙂 😀 😃 😄 😁 ☺ 😉 😎 🤗 "
    "🤩 🥳 💪 💯 🔥 🚀 ⭐ 🌟 ✨ 🤝 🫶 🍻 🥂 ❤\u200d🔥"
)
VARIATION = {"\ufe0e", "\ufe0f"}
SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}
QUESTION_MARKS = frozenset("?¿‽❓❔⁇⁈")  # ⁉ becomes "!?" under NFKC
PUNCTUATION = frozenset(".,!¡;:-'&*_~")
# Between two words, these end the clause a thanked-for object belongs to.
CLAUSE_BREAKS = frozenset(".,!¡;:-\n")
DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "―": "-", "’": "'", "‘": "'", "ʼ": "'"})

SLACK_TOKEN = re.compile(r"<([^<>]*)>")
URL_PATTERN = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.\w+"
    r"|\b[\w-]+\.(?:com|org|net|io|co|uk|de|fr|eu|dev|app|ai|gov|edu|info|biz|me|us|ca|au)\b",
    re.IGNORECASE,
)
EMOJI_CODE = re.compile(r":([a-z0-9_+'-]+):", re.IGNORECASE)
SKIN_TONE_CODE = re.compile(r"^skin-tone-[2-6]$")
ACK_EMOTICON = re.compile(r"(?<![\w:])(?:[:=;]-?[)\]d]|\^_?\^|<3)(?!\w)", re.IGNORECASE)
SAD_EMOTICON = re.compile(r"(?<![\w:])(?:[:=;]'?-?[(/\\|\[sp]|d:)(?!\w)", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
