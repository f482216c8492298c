"""Login throttling: refuse sign-in for a while after repeated failures.

Two counters, both kept in the database (security.models.LoginFailure) so that every server
process sees the same ones:

- per user name (as typed, case-folded): LIMIT failures within WINDOW lock that name, so a
  password cannot be guessed by trying many against one account;
- per client address: IP_LIMIT failures within WINDOW lock that address, so one client
  cannot try a few passwords against each of many accounts.

A lock lasts LOCKOUT from the failure that set it off. While locked, even the right password
is refused, and the refused attempts are not counted (the password is never checked), so the
lock ends on time. A successful sign-in clears the user name's failures (not the address's:
one good account must not unlock a guessing client).

The user name counter is keyed on what was typed, whether or not such an account exists, so
the lock message tells an attacker nothing about which accounts exist.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from security.models import LoginFailure

logger = logging.getLogger("security.throttle")

USERNAME_MAX_LENGTH = LoginFailure._meta.get_field("username").max_length


@dataclass(frozen=True)
class Policy:
    limit: int
    ip_limit: int
    window: timedelta
    lockout: timedelta

    @property
    def horizon(self) -> timedelta:
        """How far back a failure can still matter: a run of failures spanning WINDOW whose
        newest failure locks for LOCKOUT."""
        return self.window + self.lockout


def policy() -> Policy:
    """The throttle settings (settings.LOGIN_THROTTLE), read on each call so tests can
    override them."""
    config = {"LIMIT": 5, "IP_LIMIT": 20, "WINDOW": 900, "LOCKOUT": 900}
    config.update(getattr(settings, "LOGIN_THROTTLE", {}))
    return Policy(
        limit=int(config["LIMIT"]),
        ip_limit=int(config["IP_LIMIT"]),
        window=timedelta(seconds=config["WINDOW"]),
        lockout=timedelta(seconds=config["LOCKOUT"]),
    )


def normalize_username(username) -> str:
    """The key a typed user name is counted under: trimmed, case-folded, cut to the column."""
    return str(username or "").strip().casefold()[:USERNAME_MAX_LENGTH]


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with settings.TRUSTED_PROXY_COUNT proxies in
    front, the address in X-Forwarded-For that the outermost trusted proxy added.

    Entries to the left of that one were written by the client and could be anything, so they
    are never used. None when there is no request or the address is not a valid IP.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def locked_until(
    times: list[datetime], limit: int, window: timedelta, lockout: timedelta
) -> datetime | None:
    """When the lock set off by these failures ends, or None if they set off none.

    `times` are failure times, newest first. Any `limit` consecutive failures no more than
    `window` apart lock until `lockout` after the newest of them; the newest such run decides.
    The result may lie in the past (a lock that has ended): compare it with now.
    """
    if limit < 1:
        return None
    for newest in range(len(times) - limit + 1):
        if times[newest] - times[newest + limit - 1] <= window:
            return times[newest] + lockout
    return None


def _recent_times(failures: QuerySet, since: datetime) -> list[datetime]:
    return list(
        failures.filter(attempted_at__gte=since)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
    )


def lockout_remaining(username, ip: str | None, now: datetime | None = None) -> timedelta | None:
    """How long sign-in stays refused for this user name or this address; None if it is not."""
    now = now or timezone.now()
    rules = policy()
    since = now - rules.horizon
    ends = []
    key = normalize_username(username)
    if key:
        times = _recent_times(LoginFailure.objects.filter(username=key), since)
        ends.append(locked_until(times, rules.limit, rules.window, rules.lockout))
    if ip:
        times = _recent_times(LoginFailure.objects.filter(ip_address=ip), since)
        ends.append(locked_until(times, rules.ip_limit, rules.window, rules.lockout))
    end = max((end for end in ends if end is not None), default=None)
    if end is None or end <= now:
        return None
    return end - now


def record_failure(username, ip: str | None, now: datetime | None = None) -> None:
    """Count a failed sign-in, and forget failures too old to matter any more."""
    now = now or timezone.now()
    LoginFailure.objects.create(
        username=normalize_username(username), ip_address=ip, attempted_at=now
    )
    LoginFailure.objects.filter(attempted_at__lt=now - policy().horizon).delete()
    if lockout_remaining(username, ip, now=now):
        logger.warning(
            "Sign-in locked after repeated failures: user name %r, address %s",
            normalize_username(username),
            ip or "unknown",
        )


def clear_failures(username) -> None:
    """Forget a user name's failures, after that user signed in successfully."""
    LoginFailure.objects.filter(username=normalize_username(username)).delete()
