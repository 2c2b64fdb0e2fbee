"""What an agreement allows: projecting bodies to its fields, and checking what arrives.

An agreement lists each field a message may carry as a *shape path*: ``subject.surname`` is one
value (text, number, true/false or null) inside the object ``subject``; ``nationalities[]`` is a
list of such values; ``names[].name`` is a list of objects whose ``name`` is one value. A body's
every value is reached by exactly one such path, so a list or an object placed where the agreement
allows one value has a path of its own (``remarks[]``, ``remarks[].ssn``) that the agreement does
not list, and is caught.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.errors import Conflict
from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.models import Agreement

MAX_DEPTH = 8  # objects and lists nested deeper than this are refused, whatever the field list
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
_SCALARS = (str, int, float, bool, type(None))


class Refused(Exception):
    """An envelope, or an action, the agreement does not allow. ``code`` is the reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def leaves(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every single value in ``body`` with its shape path, depth first, without recursion.

    A key that is not a field name (``a.b``, ``SSN``, ``x[]``) yields a path that no agreement
    can list (its ``repr`` in brackets), and so does anything nested past :data:`MAX_DEPTH`."""
    stack: list[tuple[str, Any, int]] = [("", body, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH and value:
                yield f"{path}{{nested deeper than {MAX_DEPTH}}}", value
                continue
            for key, item in reversed(list(value.items())):
                name = key if isinstance(key, str) and _KEY.fullmatch(key) else f"[{key!r}]"
                stack.append((f"{path}.{name}" if path else name, item, depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_DEPTH and value:
                yield f"{path}{{nested deeper than {MAX_DEPTH}}}", value
                continue
            for item in reversed(value):
                stack.append((f"{path}[]", item, depth + 1))
        elif isinstance(value, _SCALARS):
            yield path, value
        else:  # not JSON (bytes, a date): no agreement lists it
            yield f"{path}{{{type(value).__name__}}}", value


def _bare(path: str) -> str:
    return path.replace("[]", "")


def _misshapen(path: str, bare_allowed: set[str]) -> bool:
    """``path`` is not allowed, but holds data at, inside or in place of a field the agreement
    lists: a list or object where it allows one value, a value or list where it allows objects,
    a value where it allows a list."""
    parts = _bare(path).split(".")
    if any(".".join(parts[:n]) in bare_allowed for n in range(1, len(parts) + 1)):
        return True
    prefix = _bare(path) + "."
    return any(allowed.startswith(prefix) for allowed in bare_allowed)


def extra_fields(body: dict[str, Any], allowed: list[str]) -> list[str]:
    """Shape paths in ``body`` the agreement does not list (each once, sorted)."""
    permitted = set(allowed)
    return sorted({path for path, _ in leaves(body) if path not in permitted})


def _project(value: Any, path: str, permitted: set[str], withheld: set[str], depth: int) -> Any:
    if isinstance(value, dict) and depth < MAX_DEPTH:
        kept_dict = {}
        for key, item in value.items():
            if not (isinstance(key, str) and _KEY.fullmatch(key)):
                withheld.add(f"{path}.[{key!r}]" if path else f"[{key!r}]")
                continue
            kept = _project(item, f"{path}.{key}" if path else key, permitted, withheld, depth + 1)
            if kept is not _DROP:
                kept_dict[key] = kept
        return kept_dict or _DROP
    if isinstance(value, list) and depth < MAX_DEPTH:
        kept_list = [_project(v, f"{path}[]", permitted, withheld, depth + 1) for v in value]
        return [v for v in kept_list if v is not _DROP] or _DROP
    if value is None or value == "" or value == [] or value == {}:
        return _DROP
    if path in permitted and isinstance(value, _SCALARS):
        return value
    withheld.add(path)
    return _DROP


_DROP = object()


def project(body: dict[str, Any], allowed: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Keep only the allowed fields (and drop empty ones); return the body and what was withheld.

    A field the agreement does not name is withheld (minimisation). Data at a field it names but
    in another shape (a list or object where it allows one value) is refused with
    ``field_not_allowed``: it is a mistake or an attempt to smuggle, never something to cut."""
    permitted = set(allowed)
    withheld: set[str] = set()
    kept = _project(body, "", permitted, withheld, 0)
    bare_allowed = {_bare(p) for p in permitted}
    misshapen = sorted(p for p in withheld if _misshapen(p, bare_allowed))
    if misshapen:
        raise Refused(
            "field_not_allowed",
            "the agreement allows these fields only in the shape it lists: " + ", ".join(misshapen),
        )
    return ({} if kept is _DROP else kept), sorted(withheld)


def flatten(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"subject": {"surname": "X"}} -> {"subject.surname": "X"}; lists are values."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for path, value in flat.items():
        node = body
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return body


_PARSED: dict[str, AgreementDocument] = {}


def document_of(agreement: Agreement) -> AgreementDocument:
    """The agreement's document, parsed once per digest (every envelope consults it)."""
    document = _PARSED.get(agreement.digest)
    if document is None:
        document = AgreementDocument.model_validate(agreement.document)
        if document.digest() != agreement.digest:
            raise ValueError(f"agreement '{agreement.id}': the stored document was altered")
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[agreement.digest] = document
    return document


def status(agreement: Agreement, today: dt.date) -> str:
    """What an agreement is today: its stored state, or for a signed one, where its dates put it
    (not-yet-in-force, in-force, expired)."""
    if agreement.state != "signed":
        return agreement.state
    if today < agreement.valid_from:
        return "not-yet-in-force"
    if today > agreement.valid_until:
        return "expired"
    return "in-force"


def require_in_force(agreement: Agreement, today: dt.date) -> None:
    current = status(agreement, today)
    if current != "in-force":
        raise Refused(
            "agreement_not_in_force", f"agreement '{agreement.id}' is {current}, not in force"
        )


def check_use(
    agreement: Agreement, today: dt.date, kind: str, purpose: str | None
) -> AgreementDocument:
    """The agreement is in force and lets ``kind`` travel for ``purpose``."""
    require_in_force(agreement, today)
    document = document_of(agreement)
    if document.rule(kind) is None:
        raise Refused(
            "kind_not_allowed",
            f"agreement '{agreement.id}' does not carry '{kind}' messages; it carries "
            + ", ".join(m.kind for m in document.messages),
        )
    if purpose not in document.purpose_ids():
        raise Refused(
            "purpose_not_allowed",
            f"purpose '{purpose}' is not one of agreement '{agreement.id}': "
            + ", ".join(sorted(document.purpose_ids())),
        )
    return document


def carrying(
    session: Session, today: dt.date, kind: str, partner: str | None = None
) -> list[tuple[Agreement, AgreementDocument]]:
    """Agreements in force ``today`` that carry ``kind`` (with ``partner``, when given)."""
    query = select(Agreement).where(Agreement.state == "signed")
    if partner is not None:
        query = query.where(Agreement.partner == partner)
    found = []
    for agreement in session.scalars(query.order_by(Agreement.id)):
        if status(agreement, today) != "in-force":
            continue
        document = document_of(agreement)
        if document.rule(kind) is not None:
            found.append((agreement, document))
    return found


def in_force_for(
    session: Session, today: dt.date, kind: str, partner: str, annex: str
) -> Agreement:
    """The agreement in force with ``partner`` that carries ``kind``; ``Conflict`` naming the
    ``annex`` to sign when there is none."""
    found = carrying(session, today, kind, partner)
    if not found:
        raise Conflict(
            f"no agreement in force with {partner} carries '{kind}' messages; "
            f"sign the {annex} annex first"
        )
    return found[0][0]
