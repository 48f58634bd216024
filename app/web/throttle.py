"""Sign-in throttling: after `limit` refused sign-ins for one email address within `window`,
or four times as many from one client address (an office behind one address signs in
together), further attempts are refused without checking the password until the oldest
refusal is `window` old.

Counted in the memory of each server process: with N processes a guesser gets at most N ×
`limit` tries per window against one address, still a few dozen a quarter hour against
Argon2id hashes. A successful sign-in clears its email's count.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from app.clock import utcnow

CLIENT_FACTOR = 4


class SignInThrottle:
    def __init__(self, *, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *, email: str, client: str) -> timedelta | None:
        """How long until this email may be tried from this client, or None: now."""
        now = utcnow()
        waits = []
        with self._lock:
            for key, limit in self._limits(email, client):
                failures = self._recent(key, now)
                if len(failures) >= limit:
                    waits.append(failures[-limit] + self.window - now)
                elif not failures:
                    del self._failures[key]  # nothing to remember: memory stays bounded
        return max(waits) if waits else None

    def refused(self, *, email: str, client: str) -> None:
        now = utcnow()
        with self._lock:
            for key, _ in self._limits(email, client):
                self._recent(key, now).append(now)

    def succeeded(self, *, email: str) -> None:
        with self._lock:
            self._failures.pop(f"email:{email}", None)

    def _limits(self, email: str, client: str) -> tuple[tuple[str, int], ...]:
        return ((f"email:{email}", self.limit), (f"client:{client}", self.limit * CLIENT_FACTOR))

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] + self.window <= now:
            failures.popleft()
        return failures
