"""ANSI/NIST-ITL transactions: read, check against a profile, write.

The encoding (records, tagged fields, separators, binary records) is IDEMIA's ``nistitl``; WSQ
images are its ``wsq`` Pillow plugin. Neither checks what a field holds (``14.013:X`` parses),
so every field a profile names is checked here against the profile's rules, which are data
(``profiles/<id>.yaml``: the transaction types with the records each may hold, and each
field's rule). Every problem is reported with where it is: the record's position in the file,
its type and IDC, and the field's tag and name. A transaction is read whole or refused whole.

Record types read: 1 (transaction), 2 (descriptive text), 4 (tenprint image, binary),
10 (face), 13 (latent image), 14 (tenprint image), 17 (iris). Images are taken at 500 ppi.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import nistitl
import numpy as np
import wsq  # noqa: F401  (registers the WSQ format with Pillow)
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from smartborder import clock
from smartborder.biometrics.images import decoded, grey, png
from smartborder.errors import ValidationFailed
from smartborder.sourcetext import load_model

PROFILE = "ebts-like"  # the profile shipped, which the fingerprints annex names
MAX_BYTES = 64 * 1024 * 1024  # a 10-print transaction at 1000 ppi, uncompressed, is ~40 MB
MAX_RECORDS = 100
READ_TYPES = frozenset({1, 2, 4, 10, 13, 14, 17})
FINGER_TYPES = frozenset({4, 13, 14})
TYPE4_HEADER = "!B6sBHHB"  # IMP, FGP (6 bytes), ISR, HLL, VLL, GCA after LEN and IDC
TYPE4_COMPRESSION = {0: "NONE", 1: "WSQ20"}
MAGIC = {"WSQ20": b"\xff\xa0", "PNG": b"\x89PNG", "JPEGB": b"\xff\xd8"}
MAGIC |= {"JP2": b"\x00\x00\x00\x0cjP"}
MAGIC |= {"JP2L": MAGIC["JP2"], "JPEGL": MAGIC["JPEGB"]}
FINGERS = {
    0: "unknown finger", 1: "right thumb", 2: "right index", 3: "right middle",
    4: "right ring", 5: "right little", 6: "left thumb", 7: "left index", 8: "left middle",
    9: "left ring", 10: "left little",
}  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRule(_Strict):
    tag: int = Field(ge=1, le=999)
    name: str = Field(pattern=r"^[A-Z0-9]{2,8}$")
    required: bool = False
    pattern: str | None = None  # the whole value (each subfield) must match
    values: list[str] | None = None
    format: Literal["date", "int"] | None = None
    min: int | None = None
    max: int | None = None


class TransactionRule(_Strict):
    title: str
    search: Literal["tenprint", "latent", "none"]
    records: dict[str, tuple[int, int]]  # record type -> (fewest, most)
    prints: tuple[int, int]


class Profile(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")
    title: str
    versions: list[str]
    transactions: dict[str, TransactionRule]
    fields: dict[str, list[FieldRule]]


def profile_names() -> list[str]:
    folder = resources.files("smartborder.biometrics") / "profiles"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


@cache
def profile(name: str) -> Profile:
    """The profile ``name`` shipped with the node (ValidationFailed naming those there are)."""
    if name not in profile_names():
        raise ValidationFailed(
            f"no ANSI/NIST-ITL profile '{name}'; profiles: {', '.join(profile_names())}",
            details=[{"field": "profile", "value": name}],
        )
    folder = resources.files("smartborder.biometrics") / "profiles"
    return load_profile((folder / f"{name}.yaml").read_text(encoding="utf-8"), name)


def load_profile(text: str, source: str) -> Profile:
    return load_model(text, source, "the profile", Profile)


class TransactionProblems(ValidationFailed):
    """A transaction that cannot be taken, with every problem found and where."""

    code = "invalid_transaction"

    def __init__(self, source: str, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        where = _where(first)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{source}: {where}{first['problem']}{more}",
            details=[{"source": source, **p} for p in problems],
        )
        self.source = source
        self.problems = problems


def _where(problem: dict[str, Any]) -> str:
    parts = []
    if problem.get("record") is not None:
        parts.append(f"record {problem['record']} (Type-{problem.get('type')})")
    if problem.get("field"):
        parts.append(f"field {problem['field']} {problem.get('name', '')}".rstrip())
    return ", ".join(parts) + ": " if parts else ""


@dataclass(frozen=True)
class Record:
    position: int  # 1-based, in the order of the file
    type: int
    idc: int
    fields: dict[int, str]  # tag -> text (subfields split by RS, items by US)
    data: bytes | None  # the binary field (x.999), or a Type-4 record's image

    def where(self, tag: int | None = None, name: str = "") -> dict[str, Any]:
        place: dict[str, Any] = {"record": self.position, "type": self.type, "idc": self.idc}
        if tag is not None:
            place["field"] = f"{self.type}.{tag:03d}"
            if name:
                place["name"] = name
        return place


@dataclass(frozen=True)
class Sample:
    """An image in the transaction: a finger (Type-4, 13, 14), a face (10) or an iris (17)."""

    record: Record
    modality: Literal["fingerprint", "face", "iris"]
    position: int  # FGP for fingers (0 unknown), ELR for irises, 0 for faces
    impression: int | None
    compression: str
    width: int
    height: int
    data: bytes  # as in the file

    @property
    def label(self) -> str:
        if self.modality == "fingerprint":
            return FINGERS.get(self.position, f"finger {self.position}")
        if self.modality == "iris":
            return {1: "right iris", 2: "left iris"}.get(self.position, "iris")
        return self.modality

    def source(self, source: str) -> str:
        r = self.record
        return f"{source} record {r.position} (Type-{r.type} IDC {r.idc}, {self.label})"

    def image(self, source: str) -> bytes:
        """The image as bytes Pillow reads (raw pixels are wrapped as PNG)."""
        if self.compression != "NONE":
            return self.data
        pixels = np.frombuffer(self.data, dtype=np.uint8).reshape(self.height, self.width)
        out = io.BytesIO()
        Image.fromarray(pixels, mode="L").save(out, format="PNG")
        return out.getvalue()

    def summary(self) -> dict[str, Any]:
        return {
            "record": self.record.position, "type": self.record.type, "idc": self.record.idc,
            "modality": self.modality, "position": self.position, "label": self.label,
            "impression": self.impression, "compression": self.compression,
            "width": self.width, "height": self.height, "bytes": len(self.data),
        }  # fmt: skip


@dataclass(frozen=True)
class Transaction:
    profile: str
    version: str
    tot: str
    title: str
    search: str
    date: dt.date
    dai: str  # destination agency
    ori: str  # originating agency
    tcn: str  # control number
    records: list[Record]
    samples: list[Sample]
    subject: dict[str, str] = field(default_factory=dict)  # from Type-2: name, dob, sex

    @property
    def fingers(self) -> list[Sample]:
        return [s for s in self.samples if s.modality == "fingerprint"]

    @property
    def irises(self) -> list[Sample]:
        return [s for s in self.samples if s.modality == "iris"]

    def summary(self) -> dict[str, Any]:
        return {
            "profile": self.profile, "version": self.version, "tot": self.tot,
            "title": self.title, "search": self.search, "date": self.date.isoformat(),
            "dai": self.dai, "ori": self.ori, "tcn": self.tcn, "subject": self.subject,
            "records": [{"record": r.position, "type": r.type, "idc": r.idc}
                        for r in self.records],
            "samples": [s.summary() for s in self.samples],
        }  # fmt: skip


def _text(raw: bytes) -> str:
    return raw.split(b":", 1)[1].decode("latin-1") if b":" in raw else ""


def _records(message: nistitl.Message) -> list[Record]:
    out = []
    # A Message iterates its list of records; a record itself must never be iterated
    # (its __getitem__ makes fields up), so its fields are read from the list it keeps.
    for position, record in enumerate(message, start=1):
        if isinstance(record, nistitl.BinaryRecord):
            out.append(Record(position, record.type, int(record.IDC), {}, bytes(record.value)))
            continue
        fields: dict[int, str] = {}
        data = None
        for item in record._fields:
            if isinstance(item, nistitl.BinaryField):
                data = bytes(item.value)
                fields[item.tag] = ""
            else:
                fields[item.tag] = _text(item.NIST)
        idc = fields.get(2, "0") if record.type != 1 else "0"
        out.append(Record(position, record.type, int(idc) if idc.isdigit() else -1, fields, data))
    return out


_LOCATED = re.compile(r"(?:record|tag) (\d+)")


_TAGGED = re.compile(rb"(\d{1,2})\.0*1:(\d{1,9})")


def _count_records(data: bytes) -> int:
    """How many records the lengths in ``data`` delimit, counting no further than one past
    ``MAX_RECORDS`` (nistitl's parse copies the rest of the buffer for every record, so a file
    of very many small records is stopped before it)."""
    offset = count = 0
    while offset < len(data) and count <= MAX_RECORDS:
        tagged = _TAGGED.match(data, offset)
        if tagged:
            length = int(tagged.group(2))
        elif len(data) - offset >= 4:
            length = int.from_bytes(data[offset : offset + 4], "big")
        else:
            break
        if length < 1:
            break  # the parser reports the broken length
        offset += length
        count += 1
    return count


def _parse(data: bytes) -> nistitl.Message:
    """``nistitl``'s parse, its failures (some of them plain Python errors on bad bytes) turned
    into one problem each."""
    message = nistitl.Message()
    try:
        message.parse(data)
    except nistitl.NistException as exc:
        text = str(exc).split(": ", 1)[-1]
        raise _Broken(text, _LOCATED.search(text)) from None
    except KeyError as exc:  # nistitl knows no field names for that record type
        problem = f"record type {exc.args[0]} is not an ANSI/NIST-ITL record type"
        raise _Broken(problem, None) from None
    except (ValueError, IndexError, TypeError, struct.error, UnicodeDecodeError) as exc:
        raise _Broken(f"the transaction's structure is broken ({exc})", None) from None
    return message


class _Broken(Exception):
    def __init__(self, problem: str, located: re.Match[str] | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.type = int(located.group(1)) if located else None


def read(data: bytes, source: str, rules: Profile) -> Transaction:
    """The transaction in ``data``, checked against the profile ``rules``; otherwise
    :class:`TransactionProblems` listing every problem found."""
    if not data:
        raise TransactionProblems(source, [{"problem": "the file is empty"}])
    if len(data) > MAX_BYTES:
        raise TransactionProblems(
            source, [{"problem": f"{len(data):,} bytes; a transaction may hold {MAX_BYTES:,}"}]
        )
    if not is_transaction(data):
        raise TransactionProblems(
            source, [{"problem": "not an ANSI/NIST-ITL transaction: it must begin with 1.001:"}]
        )
    counted = _count_records(data)
    if counted > MAX_RECORDS:
        raise TransactionProblems(
            source, [{"problem": f"more than {MAX_RECORDS} records; at most that many are read"}]
        )
    try:
        records = _records(_parse(data))
    except _Broken as exc:
        raise TransactionProblems(
            source, [{"type": exc.type, "problem": exc.problem} if exc.type else
                     {"problem": exc.problem}]
        ) from None  # fmt: skip
    problems: list[dict[str, Any]] = []
    first = records[0]
    version = first.fields.get(2, "")
    if version not in rules.versions:
        known = ", ".join(rules.versions)
        problems.append(
            {**first.where(2, "VER"), "problem": f"version '{version}' is not one of {known}"}
        )
    tot = first.fields.get(4, "")
    rule = rules.transactions.get(tot)
    if rule is None and tot:
        known = ", ".join(rules.transactions)
        problem = f"'{tot}' is not a transaction type of the {rules.id} profile ({known})"
        problems.append({**first.where(4, "TOT"), "problem": problem})
    for record in records:
        problems.extend(_check_fields(record, rules))
    samples: list[Sample] = []
    for record in records:
        if record.type not in READ_TYPES:
            problems.append({**record.where(), "problem": f"Type-{record.type} records are not "
                             "read (types 1, 2, 4, 10, 13, 14, 17 are)"})  # fmt: skip
            continue
        try:
            sample = _sample(record)
        except _BadSample as exc:
            problems.append({**record.where(exc.tag, exc.name), "problem": exc.problem})
            continue
        if sample is not None:
            problems.extend(_check_image(sample, source))
            samples.append(sample)
    if rule is not None:
        problems.extend(_check_counts(records, samples, rule, tot))
    if problems:
        unique = {tuple(sorted((k, str(v)) for k, v in p.items() if k != "value")): p
                  for p in problems}  # fmt: skip
        raise TransactionProblems(source, list(unique.values()))
    descriptive = next((r for r in records if r.type == 2), None)
    subject = {
        key: descriptive.fields[tag]
        for key, tag in (("name", 18), ("dob", 22), ("sex", 24), ("reason", 20))
        if descriptive is not None and descriptive.fields.get(tag)
    }
    assert rule is not None
    return Transaction(
        profile=rules.id, version=version, tot=tot, title=rule.title, search=rule.search,
        date=_date(first.fields[5]) or dt.date.min, dai=first.fields[7], ori=first.fields[8],
        tcn=first.fields[9], records=records, samples=samples, subject=subject,
    )  # fmt: skip


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _check_fields(record: Record, rules: Profile) -> list[dict[str, Any]]:
    problems = []
    for rule in rules.fields.get(str(record.type), []):
        where = record.where(rule.tag, rule.name)
        if rule.tag == 999:
            if rule.required and not record.data:
                problems.append({**where, "problem": "the image data is missing"})
            continue
        value = record.fields.get(rule.tag)
        if value is None or value == "":
            if rule.required:
                problems.append({**where, "problem": "required, and missing"})
            continue
        for part in value.split("\x1e"):
            problem = _check_value(rule, part)
            if problem:
                problems.append({**where, "value": part[:80], "problem": problem})
    return problems


def _check_value(rule: FieldRule, value: str) -> str | None:
    if rule.values is not None and value not in rule.values:
        return f"'{value[:80]}' is not one of {', '.join(rule.values)}"
    if rule.pattern is not None and not re.fullmatch(rule.pattern, value):
        return f"'{value[:80]}' does not have the form {rule.pattern}"
    if rule.format == "date" and _date(value) is None:
        return f"'{value[:80]}' is not a date (YYYYMMDD)"
    if rule.format == "int":
        if not value.isdigit():
            return f"'{value[:80]}' is not a whole number"
        number = int(value)
        if (rule.min is not None and number < rule.min) or (
            rule.max is not None and number > rule.max
        ):
            return f"{number} is outside {rule.min}-{rule.max}"
    return None


class _BadSample(Exception):
    def __init__(self, tag: int | None, name: str, problem: str) -> None:
        super().__init__(problem)
        self.tag, self.name, self.problem = tag, name, problem


def _number(record: Record, tag: int, name: str) -> int:
    value = record.fields.get(tag, "").split("\x1e")[0]
    if not value.isdigit():
        raise _BadSample(tag, name, f"'{value[:80]}' is not a whole number")
    return int(value)


def _sample(record: Record) -> Sample | None:
    if record.type == 4:
        size = struct.calcsize(TYPE4_HEADER)
        if record.data is None or len(record.data) <= size:
            raise _BadSample(None, "", "the Type-4 record is shorter than its header")
        imp, fgp, _isr, hll, vll, gca = struct.unpack(TYPE4_HEADER, record.data[:size])
        if gca not in TYPE4_COMPRESSION:
            raise _BadSample(None, "GCA", f"compression {gca} is not 0 (none) or 1 (WSQ)")
        return Sample(record, "fingerprint", fgp[0], imp, TYPE4_COMPRESSION[gca], hll, vll,
                      record.data[size:])  # fmt: skip
    if record.type not in (10, 13, 14, 17) or not record.data:
        return None
    width, height = _number(record, 6, "HLL"), _number(record, 7, "VLL")
    compression = record.fields.get(11, "NONE")
    if record.type == 10:
        return Sample(record, "face", 0, None, compression, width, height, record.data)
    if record.type == 17:
        eye = _number(record, 3, "ELR")
        return Sample(record, "iris", eye, None, compression, width, height, record.data)
    finger = _number(record, 13, "FGP")
    impression = _number(record, 3, "IMP")
    return Sample(record, "fingerprint", finger, impression, compression, width, height,
                  record.data)  # fmt: skip


def _check_image(sample: Sample, source: str) -> list[dict[str, Any]]:
    """The image's bytes agree with what the record says of them, and decode."""
    where = sample.record.where(999 if sample.record.type != 4 else None, "DATA")
    if sample.compression == "NONE":
        expected = sample.width * sample.height
        if len(sample.data) != expected:
            return [{**where, "problem": f"{len(sample.data):,} bytes of raw pixels; "
                     f"{sample.width} x {sample.height} needs {expected:,}"}]  # fmt: skip
        return []
    magic = MAGIC.get(sample.compression)
    if magic is not None and not sample.data.startswith(magic):
        return [{**where, "problem": f"the data is not {sample.compression} as the record says"}]
    try:
        pixels = grey(sample.data, sample.source(source))
    except ValidationFailed as exc:
        return [{**where, "problem": exc.message.split(": ", 1)[-1]}]
    height, width = pixels.shape
    if (width, height) != (sample.width, sample.height):
        return [{**where, "problem": f"the image is {width} x {height}; the record says "
                 f"{sample.width} x {sample.height}"}]  # fmt: skip
    return []


def _check_counts(
    records: list[Record], samples: list[Sample], rule: TransactionRule, tot: str
) -> list[dict[str, Any]]:
    problems = []
    counts: dict[str, int] = {}
    for record in records[1:]:
        counts[str(record.type)] = counts.get(str(record.type), 0) + 1
    for kind in sorted(counts):
        if kind not in rule.records:
            problems.append({"type": int(kind), "problem": f"a {tot} transaction holds no "
                             f"Type-{kind} records"})  # fmt: skip
    for kind, (fewest, most) in rule.records.items():
        seen = counts.get(kind, 0)
        if not fewest <= seen <= most:
            problems.append({"type": int(kind), "problem": f"{seen} Type-{kind} records; a "
                             f"{tot} transaction holds {fewest} to {most}"})  # fmt: skip
    fingers = [s for s in samples if s.modality == "fingerprint"]
    fewest, most = rule.prints
    if not fewest <= len(fingers) <= most:
        problems.append({"problem": f"{len(fingers)} fingerprint images; a {tot} transaction "
                         f"holds {fewest} to {most}"})  # fmt: skip
    positions = [s.position for s in fingers if s.position]
    repeated = sorted({p for p in positions if positions.count(p) > 1})
    if repeated and rule.search == "tenprint":
        problems.append({"problem": "the same finger twice: "
                         + ", ".join(FINGERS[p] for p in repeated)})  # fmt: skip
    return problems


@dataclass(frozen=True)
class Finger:
    position: int  # FGP: 1 right thumb ... 10 left little, 0 unknown (latents)
    image: bytes  # any format Pillow reads; written as WSQ


def write(
    *,
    tot: str,
    dai: str,
    ori: str,
    tcn: str,
    fingers: list[Finger],
    irises: list[Finger] | None = None,
    faces: list[bytes] | None = None,
    subject: dict[str, str] | None = None,
    date: dt.date | None = None,
    source: str = "image",
    legacy: bool = False,
) -> bytes:
    """A transaction (version 0502) with a Type-2 record, one WSQ image per finger (Type-14
    for tenprints and enrolments, Type-13 for a latent search, ``tot`` LFS) and one lossless
    PNG Type-17 record per iris (``position`` the eye: 1 right, 2 left) and a PNG Type-10
    record per face photograph. With ``legacy``, tenprint images go in binary Type-4 records
    (WSQ) for receivers that read nothing newer."""
    day = (date or clock.now().date()).strftime("%Y%m%d")
    message = nistitl.Message()
    message.TOT = tot
    first = message[0]
    first.VER, first.DAT, first.DAI, first.ORI, first.TCN = "0502", day, dai, ori, tcn
    first.NSR, first.NTR = "19.69", "19.69"  # 500 ppi, in pixels per millimetre
    descriptive = nistitl.AsciiRecord(2)
    descriptive.IDC = 0
    for key, tag in (("name", 18), ("reason", 20), ("dob", 22), ("sex", 24)):
        if (subject or {}).get(key):
            descriptive += nistitl.Field(2, tag, (subject or {})[key])
    message += descriptive
    kind = 13 if tot == "LFS" else 14
    for idc, finger in enumerate(fingers, start=1):
        pixels = grey(finger.image, f"{source} {idc}")
        height, width = pixels.shape
        out = io.BytesIO()
        Image.fromarray(pixels, mode="L").save(out, format="WSQ")
        if legacy and kind == 14:
            binary = nistitl.BinaryRecord(4)
            binary.IDC = idc
            position = bytes([finger.position, 255, 255, 255, 255, 255])
            binary.pack(TYPE4_HEADER, 0, position, 0, width, height, 1, out.getvalue())
            message += binary
            continue
        record = nistitl.AsciiRecord(kind)
        record.IDC = idc
        for tag, value in (
            (3, "4" if kind == 13 else "0"), (4, ori), (5, day), (6, str(width)),
            (7, str(height)), (8, "1"), (9, "500"), (10, "500"), (11, "WSQ20"), (12, "8"),
            (13, str(finger.position)),
        ):  # fmt: skip
            record += nistitl.Field(kind, tag, value)
        record += nistitl.BinaryField(kind, 999, out.getvalue())
        message += record
    for idc, eye in enumerate(irises or [], start=len(fingers) + 1):
        pixels = grey(eye.image, f"{source} iris {idc}")
        height, width = pixels.shape
        record = nistitl.AsciiRecord(17)
        record.IDC = idc
        for tag, value in ((3, str(eye.position)), (6, str(width)), (7, str(height)),
                           (11, "PNG")):  # fmt: skip
            record += nistitl.Field(17, tag, value)
        record += nistitl.BinaryField(17, 999, png(pixels))
        message += record
    for idc, photo in enumerate(faces or [], start=len(fingers) + len(irises or []) + 1):
        pixels = decoded(photo, f"{source} face {idc}", mode="RGB")
        height, width = pixels.shape[:2]
        record = nistitl.AsciiRecord(10)
        record.IDC = idc
        for tag, value in ((3, "FACE"), (6, str(width)), (7, str(height)), (11, "PNG")):
            record += nistitl.Field(10, tag, value)
        out = io.BytesIO()
        Image.fromarray(pixels, mode="RGB").save(out, format="PNG")
        record += nistitl.BinaryField(10, 999, out.getvalue())
        message += record
    data: bytes = message.NIST
    return data


def is_transaction(data: bytes) -> bool:
    """Whether ``data`` begins as an ANSI/NIST-ITL transaction does (``1.001:``)."""
    return re.match(rb"1\.0*1:", data) is not None
