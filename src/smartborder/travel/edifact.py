"""UN/EDIFACT syntax (ISO 9735): service string advice (UNA), segments, elements, components,
the release character, and every problem located by segment position, line, tag and element.

pydifact reads characters one at a time in Python; an airline's day of manifests would spend
most of its time there, so this module splits with ``str.split`` and only takes the slower,
release-aware path for segments that hold the release character. The test suite checks both
give the same segments (tests/travel/test_edifact.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Separators:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    segment: str = "'"

    def una(self) -> str:
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release}"
            f"{self.repetition}{self.segment}"
        )


DEFAULT = Separators()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a message, said where it is."""

    severity: Severity
    text: str
    message: str | None = None  # the message reference (UNH 0062)
    position: int | None = None  # segment position in the interchange, from 1
    tag: str | None = None
    element: str | None = None  # "3" or "3.2" (element, component; from 1)
    line: int | None = None
    traveller: str | None = None

    def where(self) -> str:
        parts = []
        if self.message:
            parts.append(f"message {self.message}")
        if self.position is not None:
            parts.append(f"segment {self.position}" + (f" ({self.tag})" if self.tag else ""))
        elif self.tag:
            parts.append(self.tag)
        if self.element:
            parts.append(f"element {self.element}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return (
            f"{self.severity}: {where}: {self.text}" if where else f"{self.severity}: {self.text}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "position": self.position,
            "tag": self.tag,
            "element": self.element,
            "line": self.line,
            "traveller": self.traveller,
            "text": self.text,
        }


class Segment:
    """A segment: its tag, and its elements (element 0 is the tag itself) as lists of
    components. ``position`` counts segments from the first after UNA; ``line`` from 1."""

    __slots__ = ("elements", "line", "position", "tag")

    def __init__(self, tag: str, elements: list[list[str]], position: int, line: int) -> None:
        self.tag = tag
        self.elements = elements
        self.position = position
        self.line = line

    @classmethod
    def of(cls, tag: str, data: list[list[str]], position: int = 0, line: int = 0) -> Segment:
        return cls(tag, [[tag], *data], position, line)

    def get(self, element: int, component: int = 1) -> str:
        """The value at ``element``/``component`` (both from 1), or "" when absent."""
        try:
            return self.elements[element][component - 1]
        except IndexError:
            return ""

    def element(self, element: int) -> list[str]:
        return self.elements[element] if element < len(self.elements) else []

    @property
    def data(self) -> list[list[str]]:
        """The elements after the tag."""
        return self.elements[1:]

    def __repr__(self) -> str:
        return f"Segment({self.tag!r}, position={self.position}, line={self.line})"


class Report:
    """Collects problems. Lenient mode keeps going where it can (a warning); strict mode turns
    every warning into an error, so the message is refused."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.problems: list[Problem] = []
        self.message: str | None = None

    def error(self, text: str, seg: Segment | None = None, element: str | None = None) -> None:
        self._add("error", text, seg, element)

    def warn(self, text: str, seg: Segment | None = None, element: str | None = None) -> None:
        self._add("error" if self.strict else "warning", text, seg, element)

    def _add(self, severity: Severity, text: str, seg: Segment | None, element: str | None) -> None:
        self.problems.append(
            Problem(
                severity,
                text,
                message=self.message,
                position=seg.position if seg else None,
                tag=seg.tag if seg else None,
                element=element,
                line=seg.line if seg else None,
            )
        )

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass(slots=True)
class Interchange:
    separators: Separators
    segments: list[Segment] = field(default_factory=list)
    syntax: str = ""


_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, report: Report) -> str | None:
    """Bytes to text: UTF-8 (UNOW/UNOY), or Latin-1 for UNOA-UNOC feeds that are not UTF-8.
    Binary content is refused with the byte offset of the first control character."""
    junk = _CONTROL.search(data[:65536].decode("latin-1"))
    if junk is not None:
        report.error(
            f"binary content (byte 0x{ord(junk.group()):02x} at offset {junk.start()}): "
            "not a UN/EDIFACT interchange"
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.warn(f"not UTF-8 at byte {exc.start}; read as Latin-1 (ISO 8859-1)")
        return data.decode("latin-1")


def tokenise(text: str, report: Report) -> Interchange | None:
    """Split an interchange into segments. Returns None (with an error) when it is not
    EDIFACT at all; otherwise every segment it could read, problems reported."""
    start = len(text) - len(text.lstrip())
    line = text.count("\n", 0, start) + 1
    body = text[start:]
    seps = DEFAULT
    if body.startswith("UNA"):
        if len(body) < 9:
            report.error("the UNA service string advice is cut short (it needs 6 characters)")
            return None
        chars = body[3:9]
        if len(set(chars[:2] + chars[3] + chars[5])) < 4 or any(c.isalnum() for c in chars[:2]):
            report.error(
                f"UNA{chars}: separators must be distinct non-alphanumeric characters",
                Segment("UNA", [], 0, line),
            )
            return None
        seps = Separators(chars[0], chars[1], chars[2], chars[3], chars[4], chars[5])
        body = body[9:]
    if not body.lstrip().startswith("UNB") and not body.lstrip().startswith("UNH"):
        first = body.lstrip()[:20]
        report.error(
            f"an interchange starts with UNA, UNB or UNH; this starts with '{first}'",
            Segment(first[:3], [], 1, line),
        )
        return None
    return Interchange(seps, _segments(body, seps, line, report))


def _segments(body: str, seps: Separators, line: int, report: Report) -> list[Segment]:
    release = seps.release if seps.release.strip() else ""
    released = bool(release) and release in body
    raws = _split_released(body, seps.segment, release) if released else body.split(seps.segment)
    tail = raws.pop() if raws else ""
    segments: list[Segment] = []
    append = segments.append
    element_sep, component_sep = seps.element, seps.component
    tags: set[str] = set()
    position = 0
    for raw in raws:
        stripped = raw.lstrip()
        if len(stripped) != len(raw):
            line += raw.count("\n", 0, len(raw) - len(stripped))
        position += 1
        if released and release in stripped:
            elements = [
                [_unrelease(c, release) for c in _split_released(e, component_sep, release)]
                for e in _split_released(stripped, element_sep, release)
            ]
        else:
            elements = [e.split(component_sep) for e in stripped.split(element_sep)]
        tag = elements[0][0]
        if tag not in tags:
            if not _TAG.fullmatch(tag):
                _bad_tag(stripped, tag, seps, position, line, report)
                line += stripped.count("\n")
                continue
            tags.add(tag)
        append(Segment(tag, elements, position, line))
        if "\n" in stripped:
            line += stripped.count("\n")
    if tail.strip():
        stripped = tail.strip()
        report.error(
            f"the interchange is truncated: '{stripped[:30]}' has no segment terminator "
            f"'{seps.segment}'",
            Segment(stripped[:3], [], position + 1, line + _leading_lines(tail)),
        )
    return segments


def _leading_lines(text: str) -> int:
    return text.count("\n", 0, len(text) - len(text.lstrip()))


def _bad_tag(
    raw: str, tag: str, seps: Separators, position: int, line: int, report: Report
) -> None:
    report.error(
        f"'{raw[:20]}' does not start with a segment tag (three capital letters or digits)"
        + (
            f"; are the separators right? this interchange uses {seps.una()}"
            if seps != DEFAULT or any(c in raw for c in "*|~")
            else ""
        ),
        Segment(tag[:3] or "?", [], position, line),
    )


def _split_released(text: str, separator: str, release: str) -> list[str]:
    """Split on ``separator`` where it is not preceded by an odd run of release characters."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        j_sep = text.find(separator, i)
        j_rel = text.find(release, i)
        if j_sep < 0:
            current.append(text[i:])
            break
        if 0 <= j_rel < j_sep:
            current.append(text[i : j_rel + 2])  # keep the release and what it releases
            i = j_rel + 2
            continue
        current.append(text[i:j_sep])
        parts.append("".join(current))
        current = []
        i = j_sep + 1
    parts.append("".join(current))
    return parts


def _unrelease(text: str, release: str) -> str:
    if release not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == release and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def write(segments: list[tuple[str, list[list[str]]]], seps: Separators = DEFAULT) -> str:
    """Segments as EDIFACT text, special characters released; a UNA header when the separators
    are not the defaults. Trailing empty elements and components are left off."""
    specials = {seps.component, seps.element, seps.release, seps.segment}
    lines = [seps.una()] if seps != DEFAULT else []

    def release(value: str) -> str:
        if not any(c in value for c in specials):
            return value
        return "".join(seps.release + c if c in specials else c for c in value)

    for tag, elements in segments:
        written = [seps.component.join(release(c) for c in _trim(element)) for element in elements]
        while written and not written[-1]:
            written.pop()
        lines.append(seps.element.join([tag, *written]) + seps.segment)
    return "\n".join(lines) + "\n"


def _trim(components: list[str]) -> list[str]:
    end = len(components)
    while end and not components[end - 1]:
        end -= 1
    return components[:end]
