"""``smartborder partners|agreements|exchange``: trust, agreements and case-by-case requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartborder import clock, db
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    fail,
    node_settings,
    operator,
    out,
    unit,
)
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.exchange import agreements, certificates, keys, notices, partners, requests
from smartborder.exchange.dispatch import dispatch_once
from smartborder.exchange.document import TEMPLATES, from_template, load_document, template_text
from smartborder.exchange.models import OutboxMessage
from smartborder.roles import Permission

partners_app = typer.Typer(
    help="Register the partner nodes this node trusts.", no_args_is_help=True
)
agreements_app = typer.Typer(
    help="Information-sharing agreements (the SMU and its annexes): validate, propose, approve.",
    no_args_is_help=True,
)
exchange_app = typer.Typer(
    help="Case-by-case requests, corrections, destruction, delivery and retention.",
    no_args_is_help=True,
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({exc})")


# --- partners ------------------------------------------------------------------------------


@partners_app.command("add")
def partners_add(
    partner_id: Annotated[str, typer.Option("--id", help="The partner's node id, e.g. us.")],
    url: Annotated[str, typer.Option("--url", help="The partner node's base URL.")],
    public_key: Annotated[
        Path, typer.Option("--public-key", help="The partner's public key file (PEM).")
    ],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    tls_cert: Annotated[
        Path | None,
        typer.Option("--tls-cert", help="The partner's TLS certificate (PEM), to pin."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Register a partner and print its key fingerprint, to confirm out of band."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        partner = partners.add_partner(
            session,
            partner_id=partner_id,
            name=name,
            url=url,
            public_key_pem=_read(public_key),
            own_node_id=settings.node_id,
            actor=operator(),
        )
        pinned = None
        if tls_cert is not None:
            pinned = certificates.pin(
                session,
                partner_id=partner.id,
                pem=_read(tls_cert),
                actor=operator(),
                now=clock.now(),
            )
        out.print(f"Registered partner [bold]{partner.id}[/] at {partner.url}", highlight=False)
        out.print(f"Key fingerprint: {partner.fingerprint}", highlight=False)
        if pinned is not None:
            out.print(f"TLS certificate pinned: {pinned.fingerprint}", highlight=False)
        out.print("Confirm this fingerprint with the partner by telephone before any exchange.")


@partners_app.command("pin")
def partners_pin(
    partner_id: Annotated[str, typer.Argument(help="The partner's node id.")],
    tls_cert: Annotated[Path, typer.Argument(help="The partner's TLS certificate (PEM).")],
    data_dir: DataDir = None,
) -> None:
    """Pin a TLS certificate for a partner: its partner-listener connections must present one
    pinned for it, and delivery to it trusts them."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        row = certificates.pin(
            session, partner_id=partner_id, pem=_read(tls_cert), actor=operator(), now=clock.now()
        )
        out.print(f"Pinned for {partner_id}: {row.fingerprint}", highlight=False)
        out.print(f"{row.subject}, valid until {row.not_after:%Y-%m-%d} UTC", highlight=False)


@partners_app.command("unpin")
def partners_unpin(
    partner_id: Annotated[str, typer.Argument(help="The partner's node id.")],
    fingerprint: Annotated[str, typer.Argument(help="SHA-256 fingerprint (AA:BB:…).")],
    data_dir: DataDir = None,
) -> None:
    """Stop accepting one of a partner's TLS certificates."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        certificates.unpin(
            session, partner_id=partner_id, fingerprint=fingerprint, actor=operator()
        )
    out.print(f"Unpinned {fingerprint} for {partner_id}.", highlight=False)


@partners_app.command("list")
def partners_list(data_dir: DataDir = None) -> None:
    """List registered partners with their fingerprints and undelivered envelopes."""
    settings = node_settings(data_dir)
    table = Table("id", "name", "url", "fingerprint", "undelivered")
    with unit(settings) as session:
        for p in partners.list_partners(session):
            waiting = partners.pending_count(session, p.id)
            table.add_row(p.id, p.name, p.url, p.fingerprint, str(waiting))
    out.print(table)


@partners_app.command("show")
def partners_show(
    partner_id: Annotated[str, typer.Argument(help="The partner's node id.")],
    data_dir: DataDir = None,
) -> None:
    """Show one partner, its public key and delivery state."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        p = partners.get_partner(session, partner_id)
        out.print(f"{p.id}: {p.name}\nURL: {p.url}\nfingerprint: {p.fingerprint}", highlight=False)
        out.print(f"added {p.added_at:%Y-%m-%d %H:%M} UTC by {p.added_by}", highlight=False)
        out.print(f"undelivered envelopes: {partners.pending_count(session, p.id)}")
        if p.previous_key_until is not None:
            out.print(
                f"previous signing key accepted until {p.previous_key_until:%Y-%m-%d %H:%M} UTC",
                highlight=False,
            )
        now = clock.now()
        for cert in certificates.certificates_of(session, p.id):
            until = f" until {cert.retire_at:%Y-%m-%d %H:%M} UTC" if cert.retire_at else ""
            out.print(
                f"TLS {cert.fingerprint} {certificates.state(cert, now)}{until} "
                f"(expires {cert.not_after:%Y-%m-%d})",
                highlight=False,
            )
        out.print(p.public_key.strip(), highlight=False, markup=False)


@partners_app.command("remove")
def partners_remove(
    partner_id: Annotated[str, typer.Argument(help="The partner's node id.")],
    data_dir: DataDir = None,
) -> None:
    """Stop trusting a partner: its envelopes are refused from now on."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        partners.remove_partner(session, partner_id, actor=operator())
    out.print(f"Removed partner '{partner_id}'.")


# --- agreements ----------------------------------------------------------------------------


@agreements_app.command("templates")
def agreements_templates() -> None:
    """List the agreement templates shipped with smartborder."""
    table = Table("template", "id", "kind", "title")
    for name in TEMPLATES:
        document = load_document(template_text(name), name)
        table.add_row(name, document.id, document.kind, document.title)
    out.print(table)


@agreements_app.command("schema")
def agreements_schema() -> None:
    """Print the JSON Schema of agreement documents."""
    from smartborder.exchange.document import AgreementDocument

    out.print_json(json.dumps(AgreementDocument.model_json_schema()))


@agreements_app.command("validate")
def agreements_validate(
    file: Annotated[Path, typer.Argument(help="An agreement document, YAML or JSON.")],
) -> None:
    """Check a document; every problem is reported with its field and line."""
    document = load_document(_read(file), str(file))
    out.print(f"{file}: valid agreement '{document.id}' v{document.version}", highlight=False)
    out.print(f"digest (SHA-256 of the canonical form): {document.digest()}", highlight=False)


@agreements_app.command("propose")
def agreements_propose(
    user: ActingUser,
    file: Annotated[Path | None, typer.Argument(help="The document, YAML or JSON.")] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="One of: " + ", ".join(TEMPLATES) + ".")
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="With --template: the other party.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Sign an agreement and send it to the other party for approval."""
    settings = node_settings(data_dir)
    if (file is None) == (template is None):
        fail("give a document FILE or --template NAME --partner ID")
    if template is not None:
        if not partner:
            fail("--template needs --partner")
        document = from_template(template, (settings.node_id, partner))
    else:
        assert file is not None
        document = load_document(_read(file), str(file))
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.AGREEMENTS_DECIDE)
        agreements.propose(session, ex, document, actor=actor)
    out.print(
        f"Proposed '{document.id}' to {document.partner_of(settings.node_id)}; it comes "
        "into force when the partner's supervisor approves it."
    )


@agreements_app.command("list")
def agreements_list(data_dir: DataDir = None) -> None:
    """List agreements and where each stands today."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    table = Table("id", "v", "kind", "partner", "status", "valid", "title")
    with unit(settings) as session:
        for a in agreements.list_agreements(session):
            table.add_row(
                a.id,
                str(a.version),
                a.kind,
                a.partner,
                agreements.current_status(a, ex),
                f"{a.valid_from} to {a.valid_until}",
                a.title,
            )
    out.print(table)


@agreements_app.command("show")
def agreements_show(
    agreement_id: Annotated[str, typer.Argument(help="The agreement id.")],
    data_dir: DataDir = None,
) -> None:
    """Show an agreement's status, signatures and document."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        a = agreements.get_agreement(session, agreement_id)
        out.print(f"{a.id} v{a.version}: {a.title}", highlight=False)
        out.print(
            f"status: {agreements.current_status(a, ex)}; partner: {a.partner}; "
            f"proposed by {a.proposed_by}; digest {a.digest}",
            highlight=False,
        )
        out.print(
            f"signed by us: {'yes' if a.our_signature else 'no'}; by the partner: "
            f"{'yes' if a.partner_signature else 'no'}"
        )
        if a.end_reason:
            out.print(f"ended: {a.end_reason}", highlight=False)
        out.print_json(json.dumps(a.document))


def _decide(agreement_id: str, user: str, data_dir: Path | None, action: str, reason: str) -> None:
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.AGREEMENTS_DECIDE)
        if action == "approve":
            a = agreements.approve(session, ex, agreement_id, actor=actor)
        elif action == "reject":
            a = agreements.reject(session, ex, agreement_id, reason=reason, actor=actor)
        else:
            a = agreements.terminate(session, ex, agreement_id, reason=reason, actor=actor)
        out.print(f"{a.id}: {agreements.current_status(a, ex)}", highlight=False)


AgreementId = Annotated[str, typer.Argument(help="The agreement id.")]
Reason = Annotated[str, typer.Option("--reason", help="Why; sent to the partner and audited.")]


@agreements_app.command("approve")
def agreements_approve(
    agreement_id: AgreementId, user: ActingUser, data_dir: DataDir = None
) -> None:
    """Counter-sign the partner's proposal (supervisor)."""
    _decide(agreement_id, user, data_dir, "approve", "")


@agreements_app.command("reject")
def agreements_reject(
    agreement_id: AgreementId, user: ActingUser, reason: Reason, data_dir: DataDir = None
) -> None:
    """Decline the partner's proposal (supervisor)."""
    _decide(agreement_id, user, data_dir, "reject", reason)


@agreements_app.command("terminate")
def agreements_terminate(
    agreement_id: AgreementId, user: ActingUser, reason: Reason, data_dir: DataDir = None
) -> None:
    """End an agreement in force, on both nodes (supervisor)."""
    _decide(agreement_id, user, data_dir, "terminate", reason)


# --- exchange ------------------------------------------------------------------------------


@exchange_app.command("request")
def exchange_request(
    user: ActingUser,
    agreement: Annotated[
        str, typer.Option("--agreement", help="Agreement id, e.g. smu-case-by-case.")
    ],
    purpose: Annotated[str, typer.Option("--purpose", help="One of the agreement's purposes.")],
    surname: Annotated[str, typer.Option("--surname", help="Subject's surname.")],
    justification: Annotated[str, typer.Option("--justification", help="Why it is needed.")],
    case_ref: Annotated[str, typer.Option("--case-ref", help="Your case reference.")],
    given_names: Annotated[str, typer.Option("--given-names", help="Subject's given names.")] = "",
    dob: Annotated[str, typer.Option("--dob", help="Date of birth, YYYY[-MM[-DD]].")] = "",
    nationality: Annotated[str, typer.Option("--nationality", help="ICAO code.")] = "",
    document_number: Annotated[str, typer.Option("--document-number", help="Passport etc.")] = "",
    due: Annotated[str, typer.Option("--due", help="Answer wanted by, YYYY-MM-DD.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Ask the partner about a subject, case by case."""
    from smartborder.exchange.schemas import RequestIn

    settings = node_settings(data_dir)
    subject = {
        "surname": surname,
        "given_names": given_names,
        "date_of_birth": dob,
        "nationality": nationality,
        "document_number": document_number,
    }
    checked = RequestIn.model_validate(
        {
            "agreement": agreement,
            "purpose": purpose,
            "subject": subject,
            "justification": justification,
            "case_reference": case_ref,
            "due_date": due or None,
        }
    )
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.REQUESTS_CREATE)
        request, withheld = requests.create_request(
            session,
            ex,
            agreement_id=agreement,
            purpose=purpose,
            subject=checked.subject.model_dump(exclude_defaults=True),
            justification=justification,
            case_reference=case_ref,
            due_date=checked.due_date,
            actor=actor,
        )
        session.flush()
        out.print(
            f"Request {request.id} queued to {request.partner} (envelope {request.envelope_id}).",
            highlight=False,
        )
        if withheld:
            out.print(f"Withheld (not allowed by {agreement}): {', '.join(withheld)}")


@exchange_app.command("requests")
def exchange_requests(
    incoming: Annotated[
        bool, typer.Option("--incoming", help="Requests from the partner.")
    ] = False,
    state: Annotated[str | None, typer.Option("--state", help="Only this state.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List outgoing (default) or incoming case requests and their state."""
    from smartborder.exchange.schemas import RequestOut

    settings = node_settings(data_dir)
    with unit(settings) as session:
        found = requests.list_requests(session, "incoming" if incoming else "outgoing", state)
        rows = [RequestOut.of(r, requests.response_of(session, r)) for r in found]
    if as_json:
        out.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
        return
    table = Table("id", "partner", "case", "subject", "purpose", "state", "requested", "by")
    for r in rows:
        name = f"{r.subject.get('surname', '')}, {r.subject.get('given_names', '')}".strip(", ")
        table.add_row(
            str(r.id),
            r.partner,
            r.case_reference,
            name,
            r.purpose,
            r.state,
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.requested_by,
        )
    out.print(table)


@exchange_app.command("respond")
def exchange_respond(
    request_id: Annotated[int, typer.Argument(help="The incoming request's id.")],
    user: ActingUser,
    approve: Annotated[bool, typer.Option("--approve/--refuse", help="Answer, or refuse.")],
    answer: Annotated[
        str,
        typer.Option(
            "--answer", help="With --approve: the answer as JSON, e.g. '{\"found\": true}'."
        ),
    ] = "",
    reason: Annotated[str, typer.Option("--reason", help="With --refuse: why.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Decide an incoming request (supervisor): the answer is cut to the permitted fields."""
    settings = node_settings(data_dir)
    body: dict[str, Any] | None = None
    if approve:
        try:
            body = json.loads(answer) if answer else None
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"--answer is not JSON: {exc}") from None
        if body is not None and not isinstance(body, dict):
            raise ValidationFailed("--answer must be a JSON object")
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.REQUESTS_DECIDE)
        request, withheld = requests.decide(
            session, ex, request_id, approve=approve, answer=body, reason=reason, actor=actor
        )
        out.print(f"Request {request.id}: {request.state}.")
        if withheld:
            out.print(f"Withheld (not allowed by {request.agreement}): {', '.join(withheld)}")


def _notice(
    envelope: str,
    kind: str,
    reason: str,
    changes: dict[str, Any] | None,
    user: str,
    data_dir: Path | None,
) -> None:
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.NOTICES_SEND)
        notice = notices.send_notice(
            session,
            ex,
            envelope_id=envelope,
            kind=kind,
            reason=reason,
            changes=changes,
            actor=actor,
        )
        out.print(f"{kind.capitalize()} notice {notice.envelope_id} queued to {notice.partner}.")


Envelope = Annotated[str, typer.Argument(help="The envelope id of the data this node shared.")]


@exchange_app.command("correct")
def exchange_correct(
    envelope: Envelope,
    user: ActingUser,
    reason: Reason,
    changes: Annotated[
        list[str], typer.Option("--set", help="field=value (dotted path), repeatable.")
    ],
    data_dir: DataDir = None,
) -> None:
    """Send a correction for data this node shared; the partner applies and confirms it."""
    parsed: dict[str, Any] = {}
    for item in changes:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise ValidationFailed(f"--set '{item}': write field=value")
        parsed[field.strip()] = value
    from smartborder.exchange.policy import unflatten

    _notice(envelope, "correction", reason, unflatten(parsed), user, data_dir)


@exchange_app.command("destroy")
def exchange_destroy(
    envelope: Envelope, user: ActingUser, reason: Reason, data_dir: DataDir = None
) -> None:
    """Demand that the partner destroy data this node shared; it confirms when done."""
    _notice(envelope, "destruction", reason, None, user, data_dir)


@exchange_app.command("dispatch")
def exchange_dispatch(data_dir: DataDir = None) -> None:
    """Deliver what is due in the outbox now (serve's dispatcher does this continuously)."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    from smartborder.exchange.mtls import node_transport  # uvicorn: only when delivering

    transport = node_transport(settings, sessions)
    try:
        report = dispatch_once(sessions, ex, transport)
    finally:
        transport.close()
        engine.dispose()
    out.print(f"delivered {report.delivered}, refused {report.refused}, will retry {report.failed}")
    for error in report.errors:
        out.print(f"  {error}", highlight=False)


Overlap = Annotated[
    float,
    typer.Option("--overlap-hours", help="How long partners keep accepting the old one as well."),
]


@exchange_app.command("rotate-certificate")
def exchange_rotate_certificate(
    tls_cert: Annotated[Path, typer.Argument(help="This node's new TLS certificate (PEM).")],
    overlap_hours: Overlap = 72.0,
    data_dir: DataDir = None,
) -> None:
    """Announce this node's new TLS certificate to every partner (a signed envelope each);
    they pin it and keep accepting the old one for the overlap. Switch tls_certfile and
    tls_keyfile to the new files within the overlap."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        told = certificates.announce_certificate(
            session, ex, pem=_read(tls_cert), overlap_hours=overlap_hours, actor=operator()
        )
    out.print(f"Announced to {', '.join(told)}; old certificate accepted for {overlap_hours:g} h.")


@exchange_app.command("rotate-key")
def exchange_rotate_key(overlap_hours: Overlap = 72.0, data_dir: DataDir = None) -> None:
    """Replace this node's signing key: the new key is announced to every partner in an
    envelope signed with the old one, then put in place (the old file is kept beside it).
    Restart the node's processes within the overlap."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    new_key, staged = keys.stage_signing_key(settings.key_path)
    try:
        with unit(settings) as session:
            told = certificates.announce_signing_key(
                session, ex, new_key=new_key, overlap_hours=overlap_hours, actor=operator()
            )
    except BaseException:
        keys.remove_signing_key(staged)
        raise
    kept = keys.promote_signing_key(
        settings.key_path, staged, clock.now().strftime("%Y%m%dT%H%M%S")
    )
    out.print(f"New signing key {keys.fingerprint(new_key.public_key())}", highlight=False)
    out.print(f"Announced to {', '.join(told)}; the old key is kept as {kept}.", highlight=False)


@exchange_app.command("outbox")
def exchange_outbox(
    state: Annotated[
        str | None, typer.Option("--state", help="pending, delivered or refused.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows.")] = 50,
    data_dir: DataDir = None,
) -> None:
    """Show the delivery state of envelopes this node sent, newest first."""
    from sqlalchemy import select

    settings = node_settings(data_dir)
    table = Table("envelope", "to", "kind", "agreement", "state", "tries", "created", "note")
    with unit(settings) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
        if state:
            query = query.where(OutboxMessage.state == state)
        for m in session.scalars(query):
            note = m.refusal_code or (m.last_error or "")[:60]
            table.add_row(
                m.envelope_id,
                m.partner,
                m.kind,
                m.agreement or "",
                m.state,
                str(m.attempts),
                f"{m.created_at:%Y-%m-%d %H:%M:%S}",
                note,
            )
    out.print(table)


@exchange_app.command("purge")
def exchange_purge(data_dir: DataDir = None) -> None:
    """Run the retention job: delete partner-provided data past its agreement's retention."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        purged = notices.purge_expired(session, ex, actor=operator())
    out.print(
        f"Purged {len(purged)} partner-provided record(s) past retention "
        f"({clock.today():%Y-%m-%d})."
    )
