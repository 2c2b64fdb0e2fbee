"""Use cases for people and their documents."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from smartborder.errors import NotFound
from smartborder.identity.models import Person, PersonName, TravelDocument
from smartborder.identity.names import detect_script, search_key
from smartborder.identity.schemas import PersonIn


def create_person(session: Session, data: PersonIn, *, source: str = "local") -> Person:
    person = Person(
        sex=data.sex, birth_date=data.birth_date, nationality=data.nationality, source=source
    )
    for name in data.names:
        full = name.full_name or " ".join(p for p in (name.given_names, name.surname) if p)
        person.names.append(
            PersonName(
                name_type=name.name_type,
                full_name=full,
                given_names=name.given_names,
                surname=name.surname,
                script=detect_script(full),
                search_key=search_key(full)[:200],
            )
        )
    for doc in data.documents:
        person.documents.append(TravelDocument(**doc.model_dump()))
    session.add(person)
    session.flush()
    return person


def list_people(
    session: Session, *, query: str = "", limit: int = 50, offset: int = 0
) -> tuple[int, list[Person]]:
    """A page of people, newest last; ``query`` matches names in any script or a document number."""
    ids = select(Person.id)
    key = search_key(query)
    if key:
        by_name = select(PersonName.person_id).where(PersonName.search_key.contains(key))
        by_doc = select(TravelDocument.person_id).where(
            TravelDocument.number == key.replace(" ", "")
        )
        ids = ids.where(Person.id.in_(by_name.union(by_doc)))
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    people = session.scalars(
        select(Person)
        .where(Person.id.in_(ids))
        .options(selectinload(Person.names), selectinload(Person.documents))
        .order_by(Person.id)
        .limit(limit)
        .offset(offset)
    )
    return total, list(people)


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(
        Person, person_id, options=[selectinload(Person.names), selectinload(Person.documents)]
    )
    if person is None:
        raise NotFound(f"no person with id {person_id}")
    return person


def count_people(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0
