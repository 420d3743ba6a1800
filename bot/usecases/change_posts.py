"""The post that follows a change (a thank-you, the note for the client, a hand-off DM),
made exactly once even when the process dies between the change and Slack's answer, and
made later when Slack fails it for now.

The change's own transaction marks its post owed (`Repo.close_item(post=True)` and the
like); Slack's answer settles it, posted or refused. A request the intake processes again
after a crash finds its change already made (`Repo.recorded`) and answers as the first run
did; a post still owed is looked for in Slack by the request's key in its metadata (the
first run may have made it just before dying), and made only when it isn't there. When
Slack fails the post for now (429 or 5xx after the client's own retries, a timeout), the
request is handed back to the intake (`Later`) to be processed again after a lease, the
post still owed; the person is told it will follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.items import PostState, Recorded
from bot.store.repo import Repo
from bot.usecases.ports import Notifier, NotifyError

# How far before the change to look for its post: the change's time is the person's ask.
_LOOK_BACK = timedelta(minutes=1)
# What a post that Slack kept failing is recorded as (its raw errors are for the log).
GAVE_UP = "slack_unavailable"

Post = Callable[[], None]  # makes the post, with the request's key in its metadata
# (team, request key) → whether the intake will process the request again later.
Later = Callable[[str, str], bool]


@dataclass(frozen=True)
class Told:
    """What became of the post, for the person's answer."""

    posted: bool = False
    later: bool = False  # Slack failed it for now: it is made when the request runs again
    error: str | None = None  # Slack refused it (or kept failing it): the person is told


NO_POST = Told()


class ChangePosts:
    def __init__(self, repo: Repo, notifier: Notifier, later: Later) -> None:
        self.repo = repo
        self.notifier = notifier
        self.later = later

    def send(self, team_id: str, key: str | None, post: Post) -> Told:
        """Post now and record how it went."""
        try:
            post()
        except NotifyError as e:
            if e.transient and key is not None and self.later(team_id, key):
                return Told(later=True)  # still owed
            reason = GAVE_UP if e.transient else e.reason
            self._settle(team_id, key, PostState.failed(reason))
            return Told(error=reason)
        self._settle(team_id, key, PostState.POSTED)
        return Told(posted=True)

    def again(
        self,
        team_id: str,
        key: str,
        done: Recorded,
        post: Post,
        *,
        channel: str | None = None,
        dm: str | None = None,
    ) -> Told:
        """For a change made before (the request processed again): the post as it went the
        first time; one still owed is made now unless it is found in `channel` (or the DM
        with `dm`). Slack failing to say is a failure for now, as when posting; Slack
        refusing to let it look (the bot is not in the channel any more) posts, which then
        says why it can't."""
        if not done.post_owed:
            if done.post_error is not None:
                return Told(error=done.post_error)
            return Told(posted=done.post == PostState.POSTED)
        try:
            found = self.notifier.posted(key, done.at - _LOOK_BACK, channel=channel, dm=dm)
        except NotifyError as e:
            if not e.transient:
                found = False
            elif self.later(team_id, key):
                return Told(later=True)
            else:
                self._settle(team_id, key, PostState.failed(GAVE_UP))
                return Told(error=GAVE_UP)
        if found:
            self._settle(team_id, key, PostState.POSTED)
            return Told(posted=True)
        return self.send(team_id, key, post)

    def _settle(self, team_id: str, key: str | None, state: str) -> None:
        if key is not None:
            self.repo.settle_post(team_id, key, state)
