"""Synthetic travellers: names from many locales in their own scripts (with a Latin
transliteration), sex, dates of birth (some partial), nationalities and passports.

The same seed always gives the same people, so demos and tests are reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from faker import Faker

from smartborder.identity.names import detect_script
from smartborder.identity.schemas import DocumentIn, NameIn, PersonIn
from smartborder.screening.readings import passport_latin
from smartborder.synthetic.spelling import how_common, spell_name


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

# Languages whose script leaves vowels unwritten: their people carry names with a known
# Latin spelling (``spelling``), since no transliteration can give the one passports print.
VOWELLESS = frozenset(["ar", "fa", "he"])
MAX_DRAWS = 60

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
        first = faker.first_name_female if sex == "F" else faker.first_name_male
        language = origin.locale[:2]
        if language in VOWELLESS:  # names whose Latin spelling is known
            given, given_latin = self._spelt(first, language)
            if self.random.random() < 0.15:
                more, more_latin = self._spelt(first, language)
                given, given_latin = f"{given} {more}", f"{given_latin} {more_latin}"
            surname, surname_latin = self._spelt(
                (
                    faker.last_name,
                    lambda: family_name(faker.first_name_male(), language, self.random),
                ),
                language,
            )
        else:
            given = first()
            if self.random.random() < 0.15 and not origin.family_name_first:
                given += " " + first()
            surname = faker.last_name()
            given_latin = latin_name(given, origin, self.random)
            surname_latin = latin_name(surname, origin, self.random)
        names = [self._name("primary", given, surname, origin)]
        if detect_script(given + surname) != "Latn":
            names.append(
                self._name("transliteration", given_latin, surname_latin, origin, latin=True)
            )
        birth = self._birth_date()
        return PersonIn(
            sex=sex,
            birth_date=birth,
            nationality=origin.nationality,
            names=names,
            documents=[self._passport(origin.nationality, int(birth[:4]))],
        )

    def _spelt(
        self, draw: Callable[[], str] | tuple[Callable[[], str], ...], language: str
    ) -> tuple[str, str]:
        """A name drawn from ``draw`` (one of them, by turns) that has a real Latin spelling
        (``spelt``), with that spelling. After ``MAX_DRAWS`` names without one, the last is
        spelt as ``passport_latin`` reads it."""
        draws = draw if isinstance(draw, tuple) else (draw,)
        name = ""
        for attempt in range(MAX_DRAWS):
            name = draws[attempt % len(draws)]()
            latin = spelt(name, language, self.random)
            if latin is not None:
                return name, latin
        return name, passport_latin(name, language)

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


# Persian family names made from a man's name: MOHAMMADPOUR, ALIZADEH, REZANEJAD, HAMIDI.
_PERSIAN_MADE = ("پور", "زاده", "نژاد", "ی")


def family_name(father: str, language: str, rng: random.Random) -> str:
    """A family name made from a man's given name, as the language's names often are: an
    Arab's is his father's or grandfather's name (AHMED MOHAMED HASSAN); a Persian one adds
    an ending (POUR, ZADEH, NEJAD) or the nisba -i (HAMIDI), which follows a consonant
    only; a Hebrew one is the name itself (AVRAHAM, YOSEF)."""
    if language != "fa":
        return father
    ending = rng.choice(_PERSIAN_MADE)
    if ending == "ی" and father.endswith(("ی", "ي", "ا", "ه", "و")):
        ending = "زاده"
    return father.replace(" ", "") + ending


def latin_name(text: str, origin: Origin, rng: random.Random) -> str:
    """The name as the origin's passports print it in Latin letters: for the scripts that
    leave vowels out, one of its real spellings (``spelt``) where it has one."""
    language = origin.locale[:2]
    if language in VOWELLESS:
        latin = spelt(text, language, rng)
        if latin is not None:
            return latin
    return passport_latin(text, language)


def spelt(name: str, language: str, rng: random.Random) -> str | None:
    """One real Latin spelling of an Arabic, Persian or Hebrew name, each word's spelling
    drawn as often as real names carry it (MOHAMED before MOHAMMAD before MUHAMMAD), or
    None when a word has none (``spelling.spell_name``)."""
    ways = spell_name(name, language)
    if not ways or not all(ways):
        return None
    chosen = [rng.choices(w, weights=[how_common(s) for s in w])[0] for w in ways]
    return _capitalised(" ".join(chosen))


def _capitalised(latin: str) -> str:
    """AL-BAGHDADI as Al-Baghdadi, the way ``passport_latin`` writes names."""
    return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in latin.split())
