"""The service segments around PAXLST and PNRGOV messages (UNB/UNG/UNH ... UNT/UNE/UNZ), their
counts and references, and EDIFACT dates (DTM formats 101, 102, 201, 203, 204)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from smartborder.identity.dates import DateKind, DateProblem, PartialDate
from smartborder.travel.intake.edifact import Report, Segment


@dataclass(slots=True)
class Envelope:
    sender: str = ""
    recipient: str = ""
    prepared: str | None = None
    control: str = ""
    syntax: str = ""


@dataclass(slots=True)
class RawMessage:
    reference: str
    type: str  # PAXLST, PNRGOV, CUSRES...
    version: str  # "D:05B", "11:1"
    header: Segment
    segments: Iterator[Segment] = field(default_factory=lambda: iter(()))  # UNH..UNT, once
    common_reference: str | None = None
    part: int = 1
    final: bool = True
    group_sender: str = ""
    count: int = 0  # segments read so far
    last: Segment | None = None


_ENDS_MESSAGE = frozenset({"UNT", "UNH", "UNE", "UNZ"})


class Messages:
    """An interchange's envelope and its messages, read in one pass over its segments: each
    message's segments are an iterator its parser consumes (what it leaves is skipped), and
    the tokeniser's batches are let go as they are read, so memory stays bounded. Every count
    and reference is checked."""

    def __init__(self, batches: Iterator[list[Segment]], report: Report) -> None:
        self.envelope = Envelope()
        self._batches = batches
        self._batch: list[Segment] = []
        self._at = 0  # the next segment of the batch
        self._report = report
        self._stop: Segment | None = None

    def _next(self) -> Segment | None:
        while self._at >= len(self._batch):
            batch = next(self._batches, None)
            if batch is None:
                return None
            self._batch, self._at = batch, 0
        self._at += 1
        return self._batch[self._at - 1]

    def _body(self, msg: RawMessage) -> Iterator[Segment]:
        self._stop = None
        while True:
            batch, at = self._batch, self._at
            for k in range(at, len(batch)):
                seg = batch[k]
                if seg.tag in _ENDS_MESSAGE:
                    self._at, self._stop = k + 1, seg
                    msg.count += k - at
                    msg.last = batch[k - 1] if k > at else msg.last
                    return
                yield seg
            msg.count += len(batch) - at
            msg.last = batch[-1] if len(batch) > at else msg.last
            following = next(self._batches, None)
            if following is None:
                self._batch, self._at = [], 0
                return
            self._batch, self._at = following, 0

    def __iter__(self) -> Iterator[RawMessage]:
        env, report = self.envelope, self._report
        in_group: Segment | None = None
        group_messages = groups = messages = 0
        closed = False
        last: Segment | None = None
        pending: Segment | None = None
        while True:
            seg = pending or self._next()
            pending = None
            if seg is None:
                break
            last = seg
            tag = seg.tag
            if tag == "UNH":
                msg = _header(seg, report)
                if in_group is not None:
                    msg.group_sender = in_group.get(2, 1)
                msg.segments = self._body(msg)
                messages += 1
                yield msg
                for _skipped in msg.segments:
                    pass
                report.message = msg.reference
                stop = self._stop
                if stop is None:
                    report.error(
                        f"message {msg.reference} is truncated: it ends without UNT and UNZ",
                        msg.last or msg.header,
                    )
                    report.message = None
                    return
                last = stop
                if stop.tag == "UNT":
                    _check_trailer(msg, stop, report)
                    group_messages += 1
                else:
                    what = "before the next UNH" if stop.tag == "UNH" else f"before {stop.tag}"
                    report.warn(f"message {msg.reference} has no UNT {what}", stop)
                    pending = stop
                report.message = None
            elif tag == "UNB":
                env.syntax = seg.get(1, 1)
                env.sender = seg.get(2, 1)
                env.recipient = seg.get(3, 1)
                env.prepared = edi_datetime(seg.get(4, 1) + seg.get(4, 2), "201")
                if env.prepared is None and seg.get(4, 1):
                    report.warn(
                        f"preparation date and time '{seg.get(4, 1)}:{seg.get(4, 2)}' is not "
                        "YYMMDD:HHMM; left empty",
                        seg,
                        "4.1",
                    )
                env.control = seg.get(5, 1)
            elif tag == "UNG":
                in_group, group_messages = seg, 0
                groups += 1
            elif tag == "UNT":
                report.warn("UNT without a UNH", seg)
            elif tag == "UNE":
                _check_count(seg, group_messages, "messages in the group", report)
                if in_group is not None and seg.get(2) != in_group.get(5):
                    report.warn(
                        f"UNE reference '{seg.get(2)}' differs from UNG's '{in_group.get(5)}'",
                        seg,
                        "2",
                    )
                in_group = None
            elif tag == "UNZ":
                _check_count(seg, groups or messages, "groups" if groups else "messages", report)
                if env.control and seg.get(2) != env.control:
                    report.warn(
                        f"UNZ control reference '{seg.get(2)}' differs from UNB's '{env.control}'",
                        seg,
                        "2",
                    )
                closed = True
            else:
                report.warn(f"segment {tag} outside any message (between UNT and UNH)", seg)
        if not closed and last is not None:
            report.warn("the interchange has no UNZ trailer", last)
        if not messages:
            report.error("the interchange holds no message (no UNH segment)")


def _header(seg: Segment, report: Report) -> RawMessage:
    reference = seg.get(1) or f"#{seg.position}"
    report.message = reference
    identifier = seg.element(2)
    kind = identifier[0].upper() if identifier else ""
    version = ":".join(identifier[1:3]) if len(identifier) >= 3 else ""
    msg = RawMessage(reference, kind, version, seg)
    msg.common_reference = seg.get(3) or None
    sequence, marker = seg.get(4, 1), seg.get(4, 2).upper()
    if sequence:
        if sequence.isdecimal():
            msg.part = int(sequence)
        else:
            report.warn(f"sequence '{sequence}' is not a number", seg, "4.1")
    if marker:
        if marker not in ("C", "F"):
            report.warn(f"first/last indicator '{marker}' is neither C nor F", seg, "4.2")
        msg.final = marker != "C"
    return msg


def _check_trailer(msg: RawMessage, seg: Segment, report: Report) -> None:
    declared = seg.get(1)
    actual = msg.count + 2
    if not declared.isdecimal():
        report.warn(f"segment count '{declared}' is not a number", seg, "1")
    elif int(declared) != actual:
        report.warn(
            f"UNT says {declared} segments; the message has {actual} (UNH to UNT inclusive)",
            seg,
            "1",
        )
    if seg.get(2) != msg.reference:
        report.warn(f"UNT reference '{seg.get(2)}' differs from UNH's '{msg.reference}'", seg, "2")


def _check_count(seg: Segment, actual: int, what: str, report: Report) -> None:
    declared = seg.get(1)
    if not declared.isdecimal():
        report.warn(f"count '{declared}' is not a number", seg, "1")
    elif int(declared) != actual:
        report.warn(f"{seg.tag} says {declared} {what}; there are {actual}", seg, "1")


@lru_cache(maxsize=8192)
def _cached_datetime(value: str, fmt: str) -> str | None:
    return _edi_datetime(value, fmt)


_FORMATS = {"101": 6, "102": 8, "201": 10, "203": 12, "204": 14}


def edi_datetime(value: str, fmt: str = "") -> str | None:
    """An EDIFACT date or date-time as ISO 8601 (local, no zone), or None if it is not one.
    Without a format code the length decides (YYMMDD, CCYYMMDD, YYMMDDHHMM, CCYYMMDDHHMM)."""
    return _cached_datetime(value, fmt)


def _edi_datetime(value: str, fmt: str) -> str | None:
    value = value.strip()
    if not value.isdecimal():
        return None
    width = _FORMATS.get(fmt) or len(value)
    if len(value) != width:
        return None
    if width in (6, 10):
        value = _century(int(value[:2])) + value
    try:
        if len(value) == 8:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
        moment = dt.datetime(
            int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12])
        )
    except ValueError:
        return None
    return moment.isoformat(timespec="minutes")


def _century(yy: int) -> str:
    """Travel and message dates: 70-99 are the 1900s, 00-69 the 2000s."""
    return "19" if yy >= 70 else "20"


@lru_cache(maxsize=65536)
def person_date(value: str, kind: DateKind, reference: dt.date) -> str:
    """A birth, expiry or issue date in YYMMDD (or CCYYMMDD); raises DateProblem."""
    value = value.strip()
    if len(value) == 8 and value.isdecimal():
        return PartialDate(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
    return PartialDate.from_mrz(value, kind, reference).isoformat()


__all__ = ["DateProblem", "Envelope", "Messages", "RawMessage", "edi_datetime", "person_date"]
