"""UN/EDIFACT syntax (ISO 9735): service string advice (UNA), segments, elements, components,
the release character, and every problem located by segment position, line, tag and element.

pydifact reads characters one at a time in Python; an airline's day of manifests would spend
most of its time there, so this module splits with ``str.split`` and only takes the slower,
release-aware path for segments that hold the release character. The test suite checks both
give the same segments (tests/travel/test_edifact.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
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


MAX_PROBLEMS = 1000


class Report:
    """Collects problems. Lenient mode keeps going where it can (a warning); strict mode turns
    every warning into an error, so the message is refused. At most ``limit`` problems are
    kept; the rest are counted, so a message of a million faults costs no more memory than
    one of a thousand."""

    def __init__(self, *, strict: bool = False, limit: int = MAX_PROBLEMS) -> None:
        self.strict = strict
        self.limit = limit
        self.problems: list[Problem] = []
        self.message: str | None = None
        self.hidden = 0
        self.hidden_errors = 0

    def error(self, text: str, seg: Segment | None = None, element: str | None = None) -> None:
        self._add("error", text, seg, element)

    def warn(self, text: str, seg: Segment | None = None, element: str | None = None) -> None:
        self._add("error" if self.strict else "warning", text, seg, element)

    def _add(self, severity: Severity, text: str, seg: Segment | None, element: str | None) -> None:
        self.add(
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

    def add(self, problem: Problem) -> None:
        if len(self.problems) >= self.limit:
            self.hidden += 1
            self.hidden_errors += problem.severity == "error"
            return
        self.problems.append(problem)

    @property
    def failed(self) -> bool:
        return self.hidden_errors > 0 or any(p.severity == "error" for p in self.problems)

    def finish(self) -> list[Problem]:
        """The problems kept, and one more that counts those that were not."""
        if not self.hidden:
            return self.problems
        severity: Severity = "error" if self.hidden_errors else "warning"
        return [
            *self.problems,
            Problem(
                severity,
                f"{self.hidden:,} more problems not shown ({self.hidden_errors:,} of them errors);"
                f" only the first {self.limit:,} are listed",
            ),
        ]


@dataclass(slots=True)
class Interchange:
    separators: Separators
    batches: Iterator[list[Segment]]  # read a chunk at a time: memory stays bounded

    @property
    def segments(self) -> Iterator[Segment]:
        return itertools.chain.from_iterable(self.batches)


_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
# C1 control characters are, in practice, Windows-1252 bytes read as ISO 8859-1: read them as
# Windows-1252 says (five code points it leaves undefined become U+FFFD)
_C1_AS_1252 = {
    c: bytes([c]).decode("cp1252", errors="replace").replace("\x81", "\ufffd")
    for c in range(0x80, 0xA0)
}
# ISO 9735 syntax identifiers and the character sets they declare
CHARSETS = {
    "UNOC": "iso8859_1",
    "UNOD": "iso8859_2",
    "UNOE": "iso8859_5",
    "UNOF": "iso8859_7",
    "UNOG": "iso8859_3",
    "UNOH": "iso8859_4",
    "UNOI": "iso8859_6",
    "UNOJ": "iso8859_8",
    "UNOK": "iso8859_9",
}
_DECLARED = re.compile(rb"UNB.(UNO[A-Z])")


def decode(data: bytes, report: Report) -> str | None:
    """Bytes to text: UTF-8 (UNOW/UNOY, and the ASCII of UNOA/UNOB); otherwise the ISO 8859
    part the UNB declares (UNOC-UNOK), ISO 8859-1 when it declares none. C1 control characters
    (what Windows-1252 text becomes when read as ISO 8859-1) are read as Windows-1252.
    Binary content is refused with the byte offset of the first control character."""
    junk = _CONTROL.search(data[:65536].decode("latin-1"))
    if junk is not None and junk.group() == "\x1a" and not data[junk.start() :].strip(b"\x1a\r\n"):
        junk = None  # a DOS end-of-file mark after the interchange: text after UNZ, ignored
    if junk is not None:
        report.error(
            f"binary content (byte 0x{ord(junk.group()):02x} at offset {junk.start()}): "
            "not a UN/EDIFACT interchange"
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found = _DECLARED.search(data[:512])
        declared = found.group(1).decode() if found else ""
        codec = CHARSETS.get(declared, "iso8859_1")
        text = data.decode(codec, errors="replace")
        report.warn(
            f"not UTF-8 at byte {exc.start}; read as {codec.replace('_', ' ').upper()}"
            + (f" as the UNB declares ({declared})" if declared in CHARSETS else "")
        )
    c1 = _C1.search(text)
    if c1 is not None:
        report.warn(
            f"C1 control character U+{ord(c1.group()):04X} at character {c1.start()}: "
            "the text is read as Windows-1252"
        )
        text = text.translate(_C1_AS_1252)
    return text


def tokenise(text: str, report: Report) -> Interchange | None:
    """Split an interchange into segments, lazily. Returns None (with an error) when it is not
    EDIFACT at all; otherwise an iterator over every segment it can read, problems reported
    as they are met. Time is linear in the text and memory bounded by a chunk of it."""
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
        line += chars[5] == "\n"  # the UNA ends its own line
    if not body.lstrip().startswith("UNB") and not body.lstrip().startswith("UNH"):
        first = body.lstrip()[:20]
        report.error(
            f"an interchange starts with UNA, UNB or UNH; this starts with '{first}'",
            Segment(first[:3], [], 1, line),
        )
        return None
    return Interchange(seps, _segments(body, seps, line, _Syntax(report)))


CHUNK = 1 << 16  # characters split at once: a batch of segments is a few megabytes at most
# released separators stand in the text as unpaired surrogates while it is split: no decoded
# text holds one, so a released character can never be taken for a separator
_MARKS = "\ud800\ud801\ud802\ud803"
_MARKED = re.compile("[\ud800-\udfff]")


def _protect(body: str, seps: Separators, report: _Syntax) -> tuple[str, dict[int, str]]:
    """The text with each released character replaced by its mark (str.replace: linear,
    whatever the run of release characters), and the table that restores them."""
    if _MARKED.search(body):
        report.warn("unpaired surrogate code points in the text; read as U+FFFD")
        body = _MARKED.sub("\ufffd", body)
    release = seps.release
    separators = (seps.segment, seps.element, seps.component)
    body = body.replace(release + release, _MARKS[0])  # pairs, left to right, as ISO 9735 reads
    for mark, separator in zip(_MARKS[1:], separators, strict=True):
        body = body.replace(release + separator, mark)
    body = body.replace(release, "")  # a release before any other character just goes
    restore = str.maketrans(dict(zip(_MARKS, (release, *separators), strict=True)))
    return body, restore


class _Syntax:
    """The tokeniser's report: a batch of segments is read ahead of the message being parsed,
    so its problems name no message (segment position and line say where they are)."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def warn(self, text: str, seg: Segment | None = None) -> None:
        message, self.report.message = self.report.message, None
        self.report.warn(text, seg)
        self.report.message = message

    def error(self, text: str, seg: Segment | None = None) -> None:
        message, self.report.message = self.report.message, None
        self.report.error(text, seg)
        self.report.message = message


def _segments(body: str, seps: Separators, line: int, report: _Syntax) -> Iterator[list[Segment]]:
    """The segments, a batch for each chunk of text."""
    release = seps.release if seps.release.strip() else ""
    restore: dict[int, str] | None = None
    if release and release in body:
        body, restore = _protect(body, seps, report)
    terminator, element_sep, component_sep = seps.segment, seps.element, seps.component
    by_line = terminator == "\n"
    tags: set[str] = set()
    position = 0
    empty: Segment | None = None  # where a run of empty segments starts: one problem a run
    empties = 0
    start, end = 0, len(body)
    while start < end:
        stop = body.rfind(terminator, start, start + CHUNK)
        if stop < 0:
            stop = body.find(terminator, start + CHUNK)
            if stop < 0:
                break
        chunk = body[start:stop]
        raws = chunk.split(terminator)
        wrapped = not by_line and "\r" in chunk
        del chunk
        base = position
        batch: list[Segment] = []
        append = batch.append
        for raw in raws:
            position += 1
            stripped = raw.lstrip()
            if by_line:
                at = line
                line += 1
                stripped = stripped.rstrip("\r")
            else:
                if len(stripped) != len(raw):  # the line end after a terminator, mostly
                    line += raw.count("\n", 0, len(raw) - len(stripped))
                at = line
                if "\n" in stripped or (wrapped and "\r" in stripped):
                    # a segment broken across lines (a feed wrapped at 64 or 80 columns)
                    line += stripped.count("\n")
                    stripped = stripped.replace("\r", "").replace("\n", "")
            if not stripped:
                if not empties:
                    empty = Segment("", [], position, at)
                empties += 1
                continue
            if empty is not None:
                _empty_run(empty, empties, report)
                empty, empties = None, 0
            elements = [e.split(component_sep) for e in stripped.split(element_sep)]
            if restore is not None and _MARKED.search(stripped):
                elements = [[c.translate(restore) for c in e] for e in elements]
            tag = elements[0][0]
            if tag not in tags:
                if _TAG.fullmatch(tag):
                    tags.add(tag)
                elif _TAG.fullmatch(tag.strip()):
                    tag = elements[0][0] = tag.strip()
                    report.warn(
                        f"space in the segment tag '{elements[0][0]}'",
                        Segment(tag, [], position, at),
                    )
                else:
                    _bad_tag(stripped, tag, seps, position, at, report)
                    continue
            segment = Segment(tag, elements, position, at)
            append(segment)
            if tag == "UNZ":
                read = position - base  # raws read of this chunk
                rest = body[start + sum(len(r) + 1 for r in raws[:read]) :]
                if rest.strip() and rest.lstrip()[:3] not in ("UNA", "UNB"):
                    report.warn(
                        f"{len(rest.strip()):,} characters after the interchange's UNZ trailer "
                        f"ignored ('{rest.strip()[:20].translate(restore or {})}')",
                        segment,
                    )
                    yield batch
                    return
        yield batch
        start = stop + 1
    if empty is not None:
        _empty_run(empty, empties, report)
    tail = body[start:].strip()
    if not tail:
        return
    if tail.startswith("UNZ") and element_sep in tail[:4]:
        elements = [e.split(component_sep) for e in tail.split(element_sep)]
        segment = Segment("UNZ", elements, position + 1, line + _leading_lines(body[start:]))
        report.warn(f"the final UNZ has no segment terminator '{terminator}'", segment)
        yield [segment]
        return
    report.error(
        f"the interchange is truncated: '{tail[:30].translate(restore or {})}' has no segment "
        f"terminator '{terminator}'",
        Segment(tail[:3], [], position + 1, line + _leading_lines(body[start:])),
    )


def _empty_run(first: Segment, count: int, report: _Syntax) -> None:
    report.warn(
        "an empty segment (two segment terminators with nothing between); ignored"
        if count == 1
        else f"{count:,} empty segments in a row (segment terminators with nothing between); "
        "ignored",
        first,
    )


def _leading_lines(text: str) -> int:
    return text.count("\n", 0, len(text) - len(text.lstrip()))


def _bad_tag(
    raw: str, tag: str, seps: Separators, position: int, line: int, report: _Syntax
) -> None:
    report.error(
        f"'{raw[:20]}' does not start with a segment tag (three capital letters or digits)"
        + (
            f"; are the separators right? this interchange uses {seps.una()}"
            if seps != DEFAULT or any(c in raw[:200] for c in "*|~")
            else ""
        ),
        Segment(tag[:3] or "?", [], position, line),
    )


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
