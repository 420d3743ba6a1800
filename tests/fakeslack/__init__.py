"""Test doubles for Slack: a local Web API + Socket Mode fake and a request signer.

Typical use::

    with FakeSlack() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        ...
"""

from .server import Call, FakeSlack, Response, SlackError
from .signer import sign, signed_headers
from .socketmode import SocketModeServer

__all__ = [
    "Call",
    "FakeSlack",
    "Response",
    "SlackError",
    "SocketModeServer",
    "sign",
    "signed_headers",
]
