"""Synthetic lookouts in bulk: names from the same 23 locales as the synthetic people, drawn from
pools built once with Faker (a million lookouts in seconds), each in its own script with the
ICAO Latin transliteration as an alias, and the variants a traveller's record may show.

Deterministic for a seed, so benchmarks and demos are reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from anyascii import anyascii
from faker import Faker

from smartborder.identity.names import detect_script
from smartborder.synthetic.people import (
    ORIGINS,
    VOWELLESS,
    Origin,
    family_name,
    latin_name,
    spelt,
)

CATEGORIES = (
    ("serious-crime", "refer-secondary", 30),
    ("immigration-violation", "refer-secondary", 30),
    ("customs", "notify", 15),
    ("terrorism", "notify", 5),
    ("specified-person", "deny-boarding", 5),
    ("designated-entity", "freeze-assets", 2),
    ("lost-stolen-document", "seize-document", 13),
)


@dataclass(frozen=True)
class SyntheticLookout:
    given: str
    surname: str
    origin: Origin
    names: tuple[str, ...]  # as written, then the Latin transliteration when not Latin
    birth: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    sex: str
    document: str
    category: str
    action: str

    @property
    def nationality(self) -> str:
        return self.origin.nationality


class NamePools:
    """Given names (by sex) and surnames per locale, drawn from Faker once. For the scripts
    that leave vowels out, only names with a real Latin spelling (``people.spelt``), drawn
    more often (fewer have one), and family names made from men's names too
    (``people.family_name``), as with the synthetic people."""

    def __init__(self, seed: int, size: int = 300) -> None:
        self.given: dict[tuple[str, str], list[str]] = {}
        self.surnames: dict[str, list[str]] = {}
        check = random.Random(seed)
        for index, origin in enumerate(ORIGINS):
            faker = Faker(origin.locale)
            faker.seed_instance(seed * 7919 + index)
            language = origin.locale[:2]

            def spellable(name: str, language: str = language) -> bool:
                return language not in VOWELLESS or spelt(name, language, check) is not None

            draws = size * (4 if language in VOWELLESS else 1)
            for sex, make in (("F", faker.first_name_female), ("M", faker.first_name_male)):
                drawn = {make() for _ in range(draws)}
                self.given[origin.locale, sex] = sorted(n for n in drawn if spellable(n))
            surnames = {faker.last_name() for _ in range(draws * 2)}
            if language in VOWELLESS:
                men = self.given[origin.locale, "M"]
                surnames |= {family_name(check.choice(men), language, check) for _ in range(size)}
            self.surnames[origin.locale] = sorted(n for n in surnames if spellable(n))


class LookoutGenerator:
    def __init__(self, seed: int, pools: NamePools | None = None) -> None:
        self.random = random.Random(seed)
        self.pools = pools or NamePools(seed)
        self._categories = [c for c, _, _ in CATEGORIES]
        self._actions = {c: a for c, a, _ in CATEGORIES}
        self._weights = [w for _, _, w in CATEGORIES]
        self._today = dt.date(2026, 1, 1)

    def lookouts(self, count: int) -> Iterator[SyntheticLookout]:
        for _ in range(count):
            yield self.lookout()

    def lookout(self) -> SyntheticLookout:
        r = self.random
        origin = r.choice(ORIGINS)
        sex = r.choice("FM")
        given_pool = self.pools.given[origin.locale, sex]
        given = r.choice(given_pool)
        if r.random() < 0.2 and not origin.family_name_first:
            given += " " + r.choice(given_pool)
        surname = r.choice(self.pools.surnames[origin.locale])
        category = r.choices(self._categories, weights=self._weights)[0]
        return SyntheticLookout(
            given=given,
            surname=surname,
            origin=origin,
            names=self.written(given, surname, origin),
            birth=self.birth(),
            sex=sex,
            document=r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + f"{r.randrange(10**7, 10**8)}",
            category=category,
            action=self._actions[category],
        )

    def written(self, given: str, surname: str, origin: Origin) -> tuple[str, ...]:
        own = surname + given if origin.family_name_first else f"{given} {surname}"
        if detect_script(own) == "Latn":
            return (own,)
        latin = [latin_name(part, origin, self.random) for part in (given, surname)]
        return own, " ".join(latin)

    def birth(self) -> str | None:
        r = self.random
        born = self._today - dt.timedelta(days=r.randint(16 * 365, 85 * 365))
        roll = r.random()
        if roll < 0.03:
            return None
        if roll < 0.08:
            return f"{born.year:04d}"
        if roll < 0.10:
            return f"{born.year:04d}-{born.month:02d}"
        return born.isoformat()


def romanised(text: str) -> str:
    """Another romanisation than ICAO's (anyascii's): ``Юрий`` gives ``Yuriy``, not ``IURII``."""
    return " ".join(part.capitalize() for part in anyascii(text).split())
