"""Synthetic claimant records for reconciliation, with planted forum shoppers: the same person
in both countries' records, written as a second officer would write them (a typo, another
transliteration, a date of birth with day and month swapped or only its year, a new passport).

Names come from a pool of synthetic people of many origins (``people``: their Latin spellings
as passports print them), recombined, so a million records cost seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from smartborder.asylum.claims import ClaimIn
from smartborder.asylum.reconcile import row
from smartborder.identity.names import normalise
from smartborder.identity.schemas import PersonIn
from smartborder.synthetic.people import PeopleGenerator

# other ways the same name is written in Latin letters (transliteration, not typing)
RESPELLINGS = (("OU", "U"), ("KH", "H"), ("EE", "I"), ("Y", "I"), ("MOHAMMED", "MUHAMMAD"),
               ("J", "DJ"), ("SH", "CH"), ("AI", "AY"), ("Q", "K"), ("W", "V"))  # fmt: skip
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _pool(seed: int, size: int) -> list[tuple[str, str, str, str]]:
    """(forename, surname, sex, nationality) of ``size`` synthetic people, in Latin letters."""
    found: list[tuple[str, str, str, str]] = []
    for person in PeopleGenerator(seed, "US").people(size):
        latin = person.names[-1]  # the transliteration when the primary is in another script
        given = normalise(latin.given_names).split()
        surname = normalise(latin.surname).replace(" ", "")
        if given and surname:
            found.append((given[0], surname, person.sex, person.nationality))
    return found


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    at = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.4:  # a letter replaced
        return word[:at] + rng.choice(LETTERS) + word[at + 1 :]
    if kind < 0.7:  # a letter dropped
        return word[:at] + word[at + 1 :]
    if at < len(word) - 1:  # two letters swapped
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word + word[-1]


def _respelt(word: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in RESPELLINGS if a in word]
    if not options:
        return _typo(word, rng)
    a, b = rng.choice(options)
    return word.replace(a, b, 1)


def _document(rng: random.Random) -> str:
    return rng.choice(LETTERS) + f"{rng.randrange(10**7, 10**8)}"


def _birth(rng: random.Random) -> str:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(68 * 365))
    roll = rng.random()
    if roll < 0.03:
        return f"{born.year:04d}"
    return born.isoformat()


def _as_other_officer_wrote(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    forename, surname = record["forename"], record["surname"]
    if rng.random() < 0.2:
        forename = _typo(forename, rng)
    roll = rng.random()
    if roll < 0.2:
        surname = _typo(surname, rng)
    elif roll < 0.35:
        surname = _respelt(surname, rng)
    birth = record["birth"]
    roll = rng.random()
    if len(birth) == 10 and roll < 0.08 and int(birth[8:]) <= 12:  # day and month swapped
        birth = f"{birth[:4]}-{birth[8:]}-{birth[5:7]}"
    elif roll < 0.16:
        birth = birth[:4]  # only the year
    elif roll < 0.2:
        birth = f"{int(birth[:4]) + rng.choice((-1, 1)):04d}{birth[4:]}".replace("-02-29", "-02-28")
    document = record["document"] if rng.random() < 0.4 else _document(rng)
    return {**record, "forename": forename, "surname": surname, "birth": birth,
            "document": document}  # fmt: skip


def linkage_sets(
    seed: int, ours: int, theirs: int, shared: int, *, pool: int = 3000
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]]:
    """Two countries' exports (``reconcile.row``) and the true pairs: the first ``shared``
    claimants of ours also claimed in theirs, written as another officer would."""
    if shared > min(ours, theirs):
        raise ValueError("more shared claimants than records")
    rng = random.Random(seed)
    people = _pool(seed, pool)

    def someone() -> dict[str, Any]:
        forename, _, sex, _ = rng.choice(people)
        _, surname, _, nationality = rng.choice(people)
        return {"forename": forename, "surname": surname, "sex": sex, "nationality": nationality,
                "birth": _birth(rng), "document": _document(rng)}  # fmt: skip

    def exported(reference: str, person: dict[str, Any]) -> dict[str, Any]:
        return row(reference, [f"{person['forename']} {person['surname']}"], person["birth"],
                   person["sex"], [person["nationality"]], [person["document"]])  # fmt: skip

    mine = [someone() for _ in range(ours)]
    left = [exported(f"CA-{n:07d}", p) for n, p in enumerate(mine)]
    right, truth = [], set()
    for n in range(theirs):
        if n < shared:
            person = _as_other_officer_wrote(mine[n], rng)
            truth.add((f"CA-{n:07d}", f"US-{n:07d}"))
        else:
            person = someone()
        right.append(exported(f"US-{n:07d}", person))
    rng.shuffle(right)
    return left, right, truth


def as_recorded_elsewhere(
    person: PersonIn, seed: int, *, typo: float = 1.0, new_passport: float = 1.0
) -> PersonIn:
    """The same claimant as the other country's officer recorded them: the Latin name alone
    (as a passport prints it), with a letter of the surname dropped (chance ``typo``), and no
    passport number in common (chance ``new_passport``)."""
    rng = random.Random(seed)
    latin = person.names[-1]
    surname = latin.surname
    if rng.random() < typo and len(surname) > 4:
        at = rng.randrange(2, len(surname) - 1)
        surname = surname[:at] + surname[at + 1 :]
    name = latin.model_copy(update={"surname": surname, "full_name": ""})
    documents = [] if rng.random() < new_passport else person.documents
    return person.model_copy(update={"names": [name], "documents": documents})


def claim_of(person: PersonIn, reference: str, day: dt.date, **facts: Any) -> ClaimIn:
    """A claim of a synthetic person made on ``day``: its names as written, date of birth, sex
    and passports; ``facts`` adds the STCA facts and, by name, ``location``, ``persecution_in``
    and ``status``."""
    return ClaimIn.model_validate({
        "reference": reference,
        "claimant": {"names": [n.full_name or f"{n.given_names} {n.surname}"
                               for n in person.names],
                     "birth_date": person.birth_date, "sex": person.sex,
                     "documents": [{"kind": "passport", "number": d.number}
                                   for d in person.documents]},
        "location": facts.pop("location", "port of entry"),
        "persecution_in": facts.pop("persecution_in", []),
        "status": facts.pop("status", "open"),
        "facts": {"claim_date": day.isoformat(), **facts},
    })  # fmt: skip
