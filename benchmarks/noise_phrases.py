"""Client and team phrasings for the noise benchmark, written for it rather than taken from
`tests/data/replies.csv` (the classifier's own table, so a fresh sample is a fairer
measure): `overlap_with_table()` says how many of them happen to be rows there anyway.
Five acknowledgements are phrasings the classifier's closed vocabulary did not list when
this was written ("Confirmed, thanks", "Works on our end now 👌", ...).
"""

from __future__ import annotations

import csv
from pathlib import Path

TOPICS = [
    "the revised quote",
    "the Q4 invoice",
    "the staging link",
    "the onboarding deck",
    "the updated floor plan",
    "the draft contract",
    "the SEO audit",
    "the migration plan",
    "the brand guidelines",
    "the test report",
    "the April payroll export",
    "the signed NDA",
    "the new landing page copy",
    "the API keys for the sandbox",
    "the timeline for phase 2",
    "the meeting notes from Tuesday",
    "the access logs",
    "the renewal terms",
]
REQUESTS = [
    "Hi team, could you send over {t} when you get a chance?",
    "Can someone share {t} with us before our call?",
    "Quick one: where are we with {t}?",
    "We still haven't received {t}. Any ETA?",
    "Could you update {t} with the numbers we discussed",
    "Is {t} ready for review yet?",
    "Please resend {t}, the link seems to have expired",
    "Hey, the checkout page throws a 500 error since this morning, can you look?",
    "Our users can't log in on mobile — is something down?",
    "Who should we talk to about {t}?",
    "Can we move tomorrow's review to 3pm?",
    "I think there's a typo in {t}, page 4. Can you fix it?",
    "When can we expect {t}? Our board meets Thursday.",
    "Would it be possible to add one more section to {t}?",
    "The numbers in {t} don't match our records, could you double-check?",
    "do you have an update on {t}?",
    "hi! need {t} by end of week if possible",
    "Can you confirm you got our feedback on {t}?",
    "Any chance you could jump on a quick call about {t} today?",
    "Sorry to chase, but is {t} still on track for Friday?",
    "The export job failed again last night. Can you check the logs?",
    "Could you walk us through {t} next week?",
]
ADDENDA = [
    "Also, please cc our finance team.",
    "And could you include last month's figures too?",
    "(Ideally as a PDF.)",
    "Oh and one more thing, can you add Jamie to the thread?",
    "PS the deadline on our side moved up a day",
]
ACKS = [
    "thanks!",
    "Thanks so much :pray:",
    ":+1:",
    "👍",
    "got it",
    "Got it, thank you",
    "perfect, thanks",
    "Great, thank you!",
    "Received with thanks",
    "ok thanks",
    "noted",
    "Awesome, thanks a lot",
    "thank you :slightly_smiling_face:",
    "cheers!",
    "Looks good, thanks",
    "Much appreciated!",
    "sounds good",
    "super, thanks 🙏",
    "All good, thank you",
    "Brilliant, cheers",
    "ty!",
    ":raised_hands:",
    "Lovely stuff, thank you",
    "Thanks, that works",
    "ok great",
    "received it 👍",
    "Many thanks!",
    "Appreciate the quick turnaround!",
    "That did the trick, thanks",
    "Perfect, exactly what we needed",
    "Thanks for flagging",
    "great work everyone 🎉",
    "Thanks, will share with the team",
    "Nice one!",
    "Confirmed, thanks",
    "Works on our end now 👌",
    "Got it — thanks for the heads up",
]
TEAM_REPLIES = [
    "On it, will get back to you shortly.",
    "Here you go: attached.",
    "Checking now.",
    "Yes, that's on track.",
    "Good catch, fixed.",
    "Sure, updated the doc.",
    "We're looking into it.",
    "Done — let us know if anything's off.",
]
PROMISE_WORK = [
    "send {t}",
    "share {t}",
    "fix the login bug on mobile",
    "update {t}",
    "review {t} with legal",
    "prepare {t}",
    "deploy the hotfix to staging",
    "finish {t}",
]


def overlap_with_table(path: Path) -> tuple[int, int]:
    """How many of the ack and request phrasings (with their topic slot filled by any
    topic) are verbatim rows of the classifier's table, out of how many phrasings."""
    rows = {r["text"].strip().lower() for r in csv.DictReader(path.open())}
    texts = [a.lower() for a in ACKS] + [
        r.format(t=t).lower() for r in REQUESTS + ADDENDA for t in TOPICS
    ]
    shown = len(ACKS) + len(REQUESTS) + len(ADDENDA)
    return sum(1 for t in set(texts) if t in rows), shown
