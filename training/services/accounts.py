"""People and sign-in: create accounts, hash and check passwords, set audiences and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training.models import ROLES, Audience, ManagedUnit, OrgUnit, Person, PersonRole

from . import ServiceError

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("conduit-timing-equaliser")
MIN_PASSWORD_LENGTH = 15  # NIST SP 800-63B-4 for single-factor passwords


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """The active person with this email and password, or None; the two failures are alike."""
    person = session.scalar(select(Person).where(Person.email == normalise_email(email)))
    stored = person.password_hash if person is not None and person.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
        ok = person is not None and person.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or person is None or not person.active:
        return None
    if _hasher.check_needs_rehash(stored):
        person.password_hash = _hasher.hash(password)
    return person


def find_org_unit(session: Session, path_names: Iterable[str], *, create: bool = False) -> OrgUnit | None:
    """The org unit at 'Plant North' › 'Operations', optionally creating the missing ones."""
    parent: OrgUnit | None = None
    for name in path_names:
        query = select(OrgUnit).where(OrgUnit.name == name)
        query = query.where(OrgUnit.parent_id.is_(None)) if parent is None else query.where(OrgUnit.parent_id == parent.id)
        unit = session.scalar(query)
        if unit is None:
            if not create:
                return None
            unit = OrgUnit(name=name, parent_id=parent.id if parent else None)
            session.add(unit)
            session.flush()
            unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        parent = unit
    return parent


def create_person(
    session: Session,
    *,
    email: str,
    name: str,
    password: str | None,
    roles: Iterable[str] = ("learner",),
    audiences: Iterable[str] = (),
    org_unit: OrgUnit | None = None,
    manages: Iterable[OrgUnit] = (),
    now: dt.datetime,
) -> Person:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise ServiceError(f"'{email}' is not an email address")
    if session.scalar(select(func.count()).select_from(Person).where(Person.email == email)):
        raise ServiceError(f"a person with the email {email} already exists")
    roles = set(roles) or {"learner"}
    unknown = roles - set(ROLES)
    if unknown:
        raise ServiceError(f"unknown role(s): {', '.join(sorted(unknown))}; roles are {', '.join(ROLES)}")
    person = Person(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password) if password else None,
        org_unit_id=org_unit.id if org_unit else None,
        created_at=now,
    )
    person.role_rows = [PersonRole(role=role) for role in sorted(roles)]
    session.add(person)
    session.flush()
    set_audiences(session, person, audiences)
    for unit in manages:
        session.add(ManagedUnit(person_id=person.id, org_unit_id=unit.id))
    session.flush()
    return person


def set_audiences(session: Session, person: Person, slugs: Iterable[str]) -> None:
    wanted = set(slugs)
    found = list(session.scalars(select(Audience).where(Audience.slug.in_(wanted)))) if wanted else []
    missing = wanted - {a.slug for a in found}
    if missing:
        raise ServiceError(f"unknown audience(s): {', '.join(sorted(missing))}; import content/curricula.yml first")
    person.audiences = found
    session.flush()


def deactivate_person(session: Session, person: Person, *, now: dt.datetime) -> None:
    """A leaver: signed out everywhere, no longer assigned anything; every record of their training is kept."""
    from .assignments import sync_person  # local: assignments builds on accounts' tables, not the other way round
    from .sign_ins import end_all_sign_ins

    person.active = False
    end_all_sign_ins(session, person.id, now=now)
    sync_person(session, person, now=now)


def move_person(session: Session, person: Person, org_unit: OrgUnit | None, *, now: dt.datetime) -> None:
    """Move a person to another org unit; the report summaries follow them, their past completions stay where they were."""
    from .assignments import sync_person

    person.org_unit_id = org_unit.id if org_unit else None
    session.flush()
    sync_person(session, person, now=now)


def move_org_unit(session: Session, unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Hang an org unit (with its sub-units) under another parent.

    Every path in the subtree changes, and with it which subtrees the report summaries count each person in, so the
    summaries are rebuilt in the same transaction: a heavy operation for a rare event.
    """
    from .summaries import rebuild_summaries

    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ServiceError(f"'{unit.name}' cannot move under itself or one of its own sub-units")
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    for member in session.scalars(select(OrgUnit).where(OrgUnit.path.startswith(old_path, autoescape=True))):
        member.path = new_path + member.path[len(old_path) :]
    unit.parent_id = new_parent.id if new_parent else None
    session.flush()
    rebuild_summaries(session)
