"""API tokens kept in the cache (Redis in production) for the tills' hot path (ADR 0027), under a
generation that any change to a token, an organisation or a user moves (core/generations.py): a
revoked key stops working at once in the process that revoked it, within a second in the others.
Only a cache shared by every process may hold them: without one, each request reads the database
(`shared_only`, ADR 0018).

The entry's key is taken before the token is read from the database, so a row read just before a
revocation can only be filed under the generation that the revocation left behind."""

from aptic.core.generations import Generation

from .models import ApiToken, Organisation, User

TTL = 300
TOKENS = Generation("accounts:tokens", shared_only=True)


def cached_token(digest: str) -> tuple[str, ApiToken | None]:
    """The entry's key (to remember the token under) and the token, if cached."""
    return TOKENS.get(digest)


def token_remember(key: str, token: ApiToken) -> None:
    TOKENS.set(key, token, TTL)


def connect():
    TOKENS.follow(ApiToken, Organisation, User)
