"""MRZ parse + validate throughput on one core, with a regex-only split as the baseline.

    uv run python bench/documents.py [--count N]

Input: N distinct valid MRZs (TD3, TD1, TD2, MRV-A, MRV-B in turn) generated from synthetic
travellers. Measured in the same run:
  baseline   a compiled regular expression that only splits a TD3/TD1/TD2 MRZ into its fields
  parse      smartborder.identity.mrz.parse: fields + every check digit and composite
  check      smartborder.identity.documents.check_document: parse + all document checks
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from collections.abc import Callable

from smartborder.identity import mrz
from smartborder.identity.dates import PartialDate
from smartborder.identity.documents import check_document
from smartborder.identity.mrz_make import MrzFields, make
from smartborder.synthetic.people import PeopleGenerator

FORMATS = ("TD3", "TD1", "TD2", "MRVA", "MRVB")
_SPLIT = re.compile(
    r"(?P<code>[A-Z<]{2})(?P<issuer>[A-Z<]{3})(?P<rest>[A-Z0-9<]+)\n(?P<line2>[A-Z0-9<]+)(?:\n(?P<line3>[A-Z0-9<]+))?"
)


def corpus(count: int) -> list[str]:
    texts = []
    for i, person in enumerate(PeopleGenerator(99, "CA").people(count)):
        kind = FORMATS[i % len(FORMATS)]
        name = next(n for n in person.names if n.name_type in ("transliteration", "primary"))
        born = PartialDate.parse(person.birth_date)
        doc = person.documents[0]
        fields = MrzFields(
            format=kind,  # type: ignore[arg-type]
            document_code={"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(kind, "I"),
            issuer=doc.issuer, surname=name.surname, given_names=name.given_names,
            document_number=doc.number[:9], nationality=person.nationality, birth_date=born,
            sex=person.sex, expiry_date=doc.expires_on,
        )  # fmt: skip
        texts.append(make(fields))
    return texts


def rate(label: str, work: Callable[[str], object], texts: list[str]) -> float:
    for text in texts[:200]:
        work(text)
    started = time.perf_counter()
    for text in texts:
        work(text)
    per_second = len(texts) / (time.perf_counter() - started)
    print(f"{label:<10} {per_second:>10,.0f} MRZ/s")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    texts = corpus(args.count)
    today = dt.date(2026, 1, 1)
    assert all(mrz.parse(t).check_digits_valid for t in texts[:500])
    print(f"{len(texts)} distinct MRZs, formats {', '.join(FORMATS)}")
    base = rate("baseline", _SPLIT.match, texts)
    parsed = rate("parse", mrz.parse, texts)
    checked = rate("check", lambda t: check_document(t, today=today), texts)
    print(f"ratio parse/baseline {parsed / base:.2f}, check/baseline {checked / base:.2f}")
    print("target: parse + validate >= 50,000 MRZ/s")


if __name__ == "__main__":
    main()
