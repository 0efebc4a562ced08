"""Who accessed, reduced to salted hashes; robots and machines told apart by user agent.

COUNTER CoP for Research Data §10.2 and §10.3: the user-session is, in this order of
preference, the logged-in user, the session cookie, or IP address + user agent, each with the
date and the hour. We hash it with a random salt of the day (32 bytes, kept in the database
so every process of a deployment agrees, deleted after two days), so nothing stored can be
traced back to an address or an account.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

import counter_robots

from stats.models import AccessMethod, UsageSalt

_salts: dict[datetime.date, str] = {}


def access_method_for(user_agent: str | None) -> str | None:
    """``regular``, ``machine``, or None for a robot (not counted at all).

    COUNTER-Robots' robot list also holds the machine patterns (curl, Wget, python-requests…),
    which the CoP says MUST be counted (§10.5), so the machine list is asked first. An empty
    user agent is a machine, as in Counter Processor (``log_line.py: is_machine``).
    """
    ua = (user_agent or "").strip()
    if not ua or counter_robots.is_machine(ua):
        return AccessMethod.MACHINE
    if counter_robots.is_robot(ua):
        return None
    return AccessMethod.REGULAR


def visitor_identity(*, user_id: int | None, session_key: str | None, ip: str, ua: str) -> str:
    """The user-session identity, before the hour is added and it is hashed (§10.3)."""
    if user_id:
        return f"user:{user_id}"
    if session_key:
        return f"session:{session_key}"
    return f"ip:{ip}|{ua}"


def _digest(*parts: str) -> str:
    return hashlib.sha224("\x1f".join(parts).encode()).hexdigest()


def session_id(*, salt: str, identity: str, at: datetime.datetime) -> str:
    """Surrogate session id: identity + transaction date + hour slice (§10.3)."""
    return _digest(salt, identity, at.astimezone(datetime.UTC).strftime("%Y-%m-%d|%H"))


def click_id(*, salt: str, identity: str, dataset_pid: str, kind: str) -> str:
    """Same user, same dataset, same kind of access: the double-click key (§10.2)."""
    return _digest(salt, identity, dataset_pid, kind)


def salt_of(day: datetime.date) -> str:
    """The salt of this day, created by whichever process needs it first."""
    salt = _salts.get(day)
    if salt is not None:
        return salt
    row = UsageSalt.objects.filter(day=day).first()
    if row is None:
        # The first process to insert wins; the others read its salt.
        UsageSalt.objects.bulk_create(
            [UsageSalt(day=day, salt=secrets.token_hex(32))], ignore_conflicts=True
        )
        row = UsageSalt.objects.get(day=day)
        # Rotate: a salt older than yesterday's can no longer link anything.
        UsageSalt.objects.filter(day__lt=day - datetime.timedelta(days=1)).delete()
    _salts.clear()
    _salts[day] = row.salt
    return row.salt
