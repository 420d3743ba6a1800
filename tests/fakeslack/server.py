"""A local fake of Slack's Web API for end-to-end tests of the Bolt app.

It is a real HTTP server on 127.0.0.1, so the app's real ``slack_sdk.WebClient`` (pointed at
it with ``base_url=fake.api_url``) exercises its real transport, retry handlers and error
parsing. Responses follow Slack's documented shapes and error codes; faults (429, 5xx,
``ok: false`` errors, slow answers) can be injected per method so tests can prove the app
survives what Slack really does.

This module only assembles the fake; each part lives in its own module:

- ``state``: the shared state (directory, messages, views, uploads) and its lookups
- ``record``, ``payloads``, ``faults``: what tests inspect, send and inject
- ``transport``: the HTTP server, token checks, routing by method, response_url, uploads
- ``users``, ``conversations``, ``chat``, ``reactions``, ``views``, ``files``: the Web API
  methods, one module per family, each with its table of method name → handler
"""

from __future__ import annotations

from typing import ClassVar

from . import chat, conversations, files, reactions, users, views
from .chat import ChatMethods
from .conversations import ConversationsMethods
from .files import FilesMethods
from .model import Call as Call
from .model import MethodTable
from .model import Response as Response
from .model import SlackError as SlackError
from .payloads import Payloads
from .reactions import ReactionsMethods
from .record import Record
from .socketmode import SocketModeServer as SocketModeServer
from .transport import Transport
from .users import UsersMethods
from .views import ViewsMethods

__all__ = ["Call", "FakeSlack", "Response"]


class FakeSlack(
    Transport,
    Record,
    Payloads,
    UsersMethods,
    ConversationsMethods,
    ChatMethods,
    ReactionsMethods,
    ViewsMethods,
    FilesMethods,
):
    """An in-process Slack: Web API over HTTP, response_urls, file uploads, Socket Mode."""

    _methods: ClassVar[MethodTable] = {
        **users.METHODS,
        **conversations.METHODS,
        **chat.METHODS,
        **views.METHODS,
        **reactions.METHODS,
        **files.METHODS,
    }
