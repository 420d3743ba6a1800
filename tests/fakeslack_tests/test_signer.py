"""The request signer, checked against Slack's worked example and slack_sdk."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier

from tests.fakeslack import sign, signed_headers

# Slack's worked example from "Verifying requests from Slack".
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"

DOC_TIMESTAMP = "1531420618"

DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class _AtDocTimestamp:
    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def test_signer_matches_slacks_documented_example() -> None:
    assert sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE
    assert sign(DOC_SECRET, int(DOC_TIMESTAMP), DOC_BODY.encode()) == DOC_SIGNATURE
    verifier = SignatureVerifier(DOC_SECRET, clock=_AtDocTimestamp())  # type: ignore[arg-type]
    assert verifier.is_valid(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE)


def test_signed_headers_are_accepted_by_slack_sdk() -> None:
    body = '{"type":"event_callback","event":{"type":"app_mention"}}'
    headers = signed_headers("s3cret", body)
    assert set(headers) == {"X-Slack-Request-Timestamp", "X-Slack-Signature"}
    assert abs(int(headers["X-Slack-Request-Timestamp"]) - time.time()) < 5
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
