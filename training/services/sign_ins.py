"""Signed-in sessions kept in the database, and the throttle on failed sign-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from training.models import Person, PersonRole, SignIn, SignInFailure

from .fastread import Prepared, Reader

SESSION_LIFETIME = dt.timedelta(hours=12)  # absolute: a sign-in ends twelve hours after it began
# Failed sign-ins allowed in a window before more attempts are refused, per email and per address.
FAILURE_WINDOW = dt.timedelta(minutes=15)
FAILURES_PER_EMAIL = 5
FAILURES_PER_IP = 30


@dataclass(frozen=True, slots=True)
class SignedInPerson:
    """Who is signed in, as every request needs to know it: loaded in one query with the sign-in."""

    id: int
    name: str
    email: str
    roles: frozenset[str]
    token: str  # the cookie's secret; Flask-Login keeps it in the session as the user id

    # The Flask-Login protocol, so the web layer needs no wrapper.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(session: Session, person: Person, *, now: dt.datetime, ip: str = "", user_agent: str = "") -> SignedInPerson:
    """Open a sign-in for a person who has just proved who they are."""
    token = secrets.token_urlsafe(32)
    session.add(
        SignIn(
            person_id=person.id, token_sha256=token_hash(token), created_at=now, expires_at=now + SESSION_LIFETIME,
            ip=ip[:45], user_agent=user_agent[:300],
        )
    )  # fmt: skip
    session.flush()
    return SignedInPerson(person.id, person.name, person.email, frozenset(person.roles), token)


_roles = select(func.aggregate_strings(PersonRole.role, " ")).where(PersonRole.person_id == Person.id).scalar_subquery()
# Every signed-in request runs this: built once, one indexed lookup.
SIGNED_IN = (
    select(Person.id, Person.name, Person.email, _roles)
    .join(SignIn, SignIn.person_id == Person.id)
    .where(
        SignIn.token_sha256 == bindparam("token_sha256"),
        SignIn.ended_at.is_(None),
        SignIn.expires_at > bindparam("now", type_=SignIn.expires_at.type),
        Person.active.is_(True),
    )
)


def signed_in_from_row(row: Sequence[Any] | None, token: str) -> SignedInPerson | None:
    if row is None:
        return None
    person_id, name, email, roles = row
    return SignedInPerson(person_id, name, email, frozenset((roles or "").split()), token)


_SIGNED_IN = Prepared(SIGNED_IN)


def signed_in(reader: Reader, token: str, *, now: dt.datetime) -> SignedInPerson | None:
    """The person behind a live sign-in token, or None if it ended, expired or its person was deactivated."""
    return signed_in_from_row(reader.first(_SIGNED_IN, token_sha256=token_hash(token), now=now), token)


def end_sign_in(session: Session, token: str, *, now: dt.datetime) -> None:
    session.execute(
        update(SignIn)
        .where(SignIn.token_sha256 == token_hash(token), SignIn.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def end_all_sign_ins(session: Session, person_id: int, *, now: dt.datetime) -> None:
    """Sign a person out of every browser (deactivation, a password change)."""
    session.execute(
        update(SignIn)
        .where(SignIn.person_id == person_id, SignIn.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def record_failure(session: Session, email: str, ip: str, *, now: dt.datetime) -> None:
    session.add(SignInFailure(email=email.strip().lower()[:320], ip=ip[:45], at=now))
    session.flush()


def retry_after(session: Session, email: str, ip: str, *, now: dt.datetime) -> dt.timedelta | None:
    """How long to wait before trying again, if this email or this address has failed too often lately.

    Failures are counted for any email, known or not, so that a refusal tells nobody whether an account exists.
    """
    since = now - FAILURE_WINDOW
    waits = []
    for column, value, limit in (
        (SignInFailure.email, email.strip().lower()[:320], FAILURES_PER_EMAIL),
        (SignInFailure.ip, ip, FAILURES_PER_IP),
    ):
        count, first = session.execute(
            select(func.count(), func.min(SignInFailure.at)).where(column == value, SignInFailure.at > since)
        ).one()
        if count >= limit and first is not None:
            waits.append(first + FAILURE_WINDOW - now)
    return max(waits) if waits else None
