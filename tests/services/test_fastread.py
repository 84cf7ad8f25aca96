"""Prepared statements run on the DBAPI cursor behave as the Session would: types, parameters, writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tests.conftest import NOW
from training.models import OPEN, Assignment, Person, PersonRole, SignIn
from training.services.fastread import Prepared, Reader, statement_listeners


def test_timestamps_go_in_and_come_out_as_aware_utc_like_the_orm_gives_them(imported: Session, learner: Person) -> None:
    later = NOW + dt.timedelta(hours=5, microseconds=7)
    imported.add(SignIn(person_id=learner.id, token_sha256="a" * 64, created_at=NOW, expires_at=later))
    imported.flush()
    reader = Reader.of(imported)  # inside the session's transaction: it sees what the session flushed
    found = reader.first(
        Prepared(select(SignIn.expires_at, SignIn.ended_at).where(SignIn.expires_at > bindparam("at", type_=SignIn.expires_at.type))),
        at=NOW,
    )
    assert found is not None
    expires_at, ended_at = found
    assert expires_at == later and expires_at.tzinfo == dt.UTC and ended_at is None


def test_values_written_into_the_statement_and_in_lists_are_bound_as_sqlalchemy_would(imported: Session, learner: Person) -> None:
    reader = Reader.of(imported)
    roles = Prepared(select(func.aggregate_strings(PersonRole.role, ",")).where(PersonRole.person_id == bindparam("person_id")))
    assert [tuple(row) for row in reader.rows(roles, person_id=learner.id)] == [("learner",)]
    open_cycles = Prepared(
        select(Assignment.module_id)
        .where(Assignment.person_id.in_(bindparam("people", expanding=True)), Assignment.status == OPEN)
        .order_by(Assignment.module_id)
    )
    expected = imported.scalars(
        select(Assignment.module_id).where(Assignment.person_id == learner.id, Assignment.status == "open").order_by(Assignment.module_id)
    ).all()
    assert [row[0] for row in reader.rows(open_cycles, people=[learner.id, 10_000])] == expected and expected
    with pytest.raises(ValueError, match="at least one value"):
        reader.rows(open_cycles, people=[])


def test_writes_report_the_rows_they_changed_and_what_they_return(imported: Session, learner: Person) -> None:
    reader = Reader.of(imported)
    rename = Prepared(update(Person).where(Person.id == bindparam("person_id")).values(name=bindparam("name")))
    assert reader.execute(rename, person_id=learner.id, name="Lena Renamed") == 1
    assert reader.execute(rename, person_id=10_000, name="Nobody") == 0
    role = Prepared(insert(PersonRole).values(person_id=bindparam("person_id"), role=bindparam("role")).returning(PersonRole.role))
    assert [tuple(row) for row in reader.rows(role, person_id=learner.id, role="author")] == [("author",)]
    imported.expire_all()
    assert imported.get(Person, learner.id).name == "Lena Renamed"  # type: ignore[union-attr]


def test_every_statement_is_told_to_the_listeners_that_count_queries(imported: Session, learner: Person) -> None:
    seen: list[str] = []
    statement_listeners.append(seen.append)
    try:
        Reader.of(imported).rows(Prepared(select(Person.id).where(Person.id == bindparam("id"))), id=learner.id)
    finally:
        statement_listeners.remove(seen.append)
    assert len(seen) == 1 and seen[0].startswith("SELECT people.id")
