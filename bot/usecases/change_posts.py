"""The post that follows a change (a thank-you, the note for the client, a hand-off DM),
made exactly once even when the process dies between the change and Slack's answer.

The change's own transaction marks its post owed (`Repo.close_item(post=True)` and the
like); Slack's answer settles it, posted or refused. A request the intake processes again
after a crash finds its change already made (`Repo.recorded`) and answers as the first run
did; a post still owed is looked for in Slack by the request's key in its metadata (the
first run may have made it just before dying), and made only when it isn't there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.core.items import PostState, Recorded
from bot.store.repo import Repo
from bot.usecases.ports import Notifier, NotifyError

# How far before the change to look for its post: the change's time is the person's ask.
_LOOK_BACK = timedelta(minutes=1)

Post = Callable[[], None]  # makes the post, with the request's key in its metadata


class ChangePosts:
    def __init__(self, repo: Repo, notifier: Notifier) -> None:
        self.repo = repo
        self.notifier = notifier

    def send(self, team_id: str, key: str | None, post: Post) -> str | None:
        """Post now and record how it went; Slack's reason when it refused, else None."""
        try:
            post()
        except NotifyError as e:
            self._settle(team_id, key, PostState.failed(e.reason))
            return e.reason
        self._settle(team_id, key, PostState.POSTED)
        return None

    def again(
        self,
        team_id: str,
        key: str,
        done: Recorded,
        post: Post,
        *,
        channel: str | None = None,
        dm: str | None = None,
    ) -> str | None:
        """For a change made before (the request processed again): the post as it went the
        first time (None: posted, or none follows); one still owed is made now unless it
        is found in `channel` (or the DM with `dm`). Slack failing to say raises, so the
        intake tries the request again later; Slack refusing to let it look (the bot is not
        in the channel any more) posts, which then says why it can't."""
        if not done.post_owed:
            return done.post_error
        try:
            found = self.notifier.posted(key, done.at - _LOOK_BACK, channel=channel, dm=dm)
        except NotifyError as e:
            if e.transient:
                raise
            found = False
        if found:
            self._settle(team_id, key, PostState.POSTED)
            return None
        return self.send(team_id, key, post)

    def _settle(self, team_id: str, key: str | None, state: str) -> None:
        if key is not None:
            self.repo.settle_post(team_id, key, state)
