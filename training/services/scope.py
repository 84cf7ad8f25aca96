"""Whose records a viewer may see: the one place that decides report scope."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Select, bindparam, false, or_, select
from sqlalchemy.orm import Session

from training.models import ManagedUnit, OrgUnit, Person

from .fastread import Prepared, Reader, as_reader


@dataclass(frozen=True)
class Scope:
    """A viewer's reach: everyone (admin), a set of org-unit subtrees (manager) or only themselves."""

    viewer_id: int
    everyone: bool
    unit_paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return "the whole organisation" if self.everyone else f"{len(self.unit_paths)} org unit subtree(s)"


class Viewer(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def roles(self) -> Set[str]: ...


_MANAGED_PATHS = Prepared(
    select(OrgUnit.path).join(ManagedUnit, ManagedUnit.org_unit_id == OrgUnit.id).where(ManagedUnit.person_id == bindparam("viewer"))
)


def scope_for(db: Session | Reader, viewer: Viewer) -> Scope:
    if "admin" in viewer.roles:
        return Scope(viewer.id, True, ())
    if "manager" in viewer.roles:
        paths = {path for (path,) in as_reader(db).rows(_MANAGED_PATHS, viewer=viewer.id)}
        return Scope(viewer.id, False, tuple(sorted(paths)))
    return Scope(viewer.id, False, ())


def people_in_scope(scope: Scope) -> Select[int]:
    """SELECT of the ids of people the scope covers; join or IN() it into every report query."""
    query = select(Person.id)
    if scope.everyone:
        return query
    if not scope.unit_paths:
        return query.where(Person.id == scope.viewer_id)
    query = query.join(OrgUnit, OrgUnit.id == Person.org_unit_id)
    return query.where(or_(false(), *[OrgUnit.path.startswith(path, autoescape=True) for path in scope.unit_paths]))
