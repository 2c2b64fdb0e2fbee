"""Synthetic travellers: names from many locales in their own scripts (with a Latin
transliteration), sex, dates of birth (some partial), nationalities and passports.

The same seed always gives the same people, so demos and tests are reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from smartborder.identity.names import detect_script
from smartborder.identity.schemas import DocumentIn, NameIn, PersonIn
from smartborder.screening.readings import passport_latin


@dataclass(frozen=True)
class Origin:
    locale: str
    nationality: str  # ICAO code
    family_name_first: bool = False  # written as one word, surname first (CJK)


ORIGINS: tuple[Origin, ...] = (
    Origin("en_CA", "CAN"),
    Origin("fr_CA", "CAN"),
    Origin("en_US", "USA"),
    Origin("es_MX", "MEX"),
    Origin("pt_BR", "BRA"),
    Origin("de_DE", "D"),
    Origin("pl_PL", "POL"),
    Origin("tr_TR", "TUR"),
    Origin("vi_VN", "VNM"),
    Origin("en_IN", "IND"),
    Origin("hi_IN", "IND"),
    Origin("ru_RU", "RUS"),
    Origin("uk_UA", "UKR"),
    Origin("el_GR", "GRC"),
    Origin("ar_AA", "EGY"),
    Origin("fa_IR", "IRN"),
    Origin("he_IL", "ISR"),
    Origin("hy_AM", "ARM"),
    Origin("ka_GE", "GEO"),
    Origin("th_TH", "THA"),
    Origin("zh_CN", "CHN", family_name_first=True),
    Origin("ja_JP", "JPN", family_name_first=True),
    Origin("ko_KR", "KOR", family_name_first=True),
)

# How likely each origin is among the people a node holds: mostly its own nationals.
HOME_WEIGHT = {"CA": ("en_CA", "fr_CA"), "US": ("en_US",)}


class PeopleGenerator:
    """Yields :class:`PersonIn` records for a node of ``country``, deterministic for ``seed``."""

    def __init__(self, seed: int, country: str = "CA", today: dt.date | None = None) -> None:
        self.random = random.Random(seed)
        self.today = today or dt.date(2026, 1, 1)
        home = HOME_WEIGHT.get(country.upper(), ())
        self.weights = [8.0 if o.locale in home else 1.0 for o in ORIGINS]
        self.fakers: dict[str, Faker] = {}
        for index, origin in enumerate(ORIGINS):
            faker = Faker(origin.locale)
            faker.seed_instance(seed * 1000 + index)
            self.fakers[origin.locale] = faker

    def people(self, count: int) -> Iterator[PersonIn]:
        for _ in range(count):
            yield self.person()

    def person(self) -> PersonIn:
        origin = self.random.choices(ORIGINS, weights=self.weights)[0]
        faker = self.fakers[origin.locale]
        sex = self.random.choice("FM")
        given = faker.first_name_female() if sex == "F" else faker.first_name_male()
        if self.random.random() < 0.15 and not origin.family_name_first:
            given += " " + (faker.first_name_female() if sex == "F" else faker.first_name_male())
        surname = faker.last_name()
        names = [self._name("primary", given, surname, origin)]
        if detect_script(given + surname) != "Latn":
            names.append(
                self._name(
                    "transliteration",
                    _latin(given, origin),
                    _latin(surname, origin),
                    origin,
                    latin=True,
                )
            )
        birth = self._birth_date()
        return PersonIn(
            sex=sex,
            birth_date=birth,
            nationality=origin.nationality,
            names=names,
            documents=[self._passport(origin.nationality, int(birth[:4]))],
        )

    def _name(
        self, kind: str, given: str, surname: str, origin: Origin, *, latin: bool = False
    ) -> NameIn:
        full = surname + given if origin.family_name_first and not latin else f"{given} {surname}"
        return NameIn(name_type=kind, given_names=given, surname=surname, full_name=full)

    def _birth_date(self) -> str:
        age_days = self.random.randint(365, 90 * 365)
        born = self.today - dt.timedelta(days=age_days)
        roll = self.random.random()
        if roll < 0.02:
            return f"{born.year:04d}"
        if roll < 0.03:
            return f"{born.year:04d}-{born.month:02d}"
        return born.isoformat()

    def _passport(self, issuer: str, birth_year: int) -> DocumentIn:
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if issuer == "CAN":
            number = (
                "".join(self.random.choices(letters, k=2)) + f"{self.random.randrange(10**6):06d}"
            )
        elif issuer == "USA":
            number = f"{self.random.randrange(10**8, 10**9)}"
        else:
            number = self.random.choice(letters) + f"{self.random.randrange(10**7, 10**8)}"
        issued = self.today - dt.timedelta(days=self.random.randint(0, 11 * 365))
        minor = self.today.year - birth_year < 16
        years = 5 if minor else 10
        expires = issued.replace(year=issued.year + years, day=min(issued.day, 28))
        return DocumentIn(
            document_type="P", number=number, issuer=issuer, issued_on=issued, expires_on=expires
        )


def _latin(text: str, origin: Origin) -> str:
    """The name as the origin's passports print it in Latin letters."""
    return passport_latin(text, origin.locale[:2])
