"""What the exchange needs to act for this node: its id, signing key, limits and clock."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from smartborder.db import utcnow
from smartborder.exchange import keys
from smartborder.exchange.envelope import Signer
from smartborder.settings import Settings

OUTBOX_FLAG = "exchange_outbox_written"


# what applies an envelope (inbox.Handler: session, exchange, the envelope received), and what
# runs when an agreement is signed (session, exchange, the agreement): the domains' own, handed
# in by whoever builds the exchange (smartborder.context.node_exchange: every domain's declared)
AnyHandler = Callable[..., str | None]
OnSigned = Callable[..., object]


@dataclass
class NodeExchange:
    settings: Settings
    signer: Signer
    clock: Callable[[], dt.datetime] = utcnow
    wake: threading.Event = field(default_factory=threading.Event)
    handlers: Mapping[str, AnyHandler] = field(default_factory=dict)
    on_signed: Sequence[OnSigned] = ()

    @property
    def node_id(self) -> str:
        return self.settings.node_id

    @classmethod
    def for_node(
        cls,
        settings: Settings,
        *,
        handlers: Mapping[str, AnyHandler] | None = None,
        on_signed: Sequence[OnSigned] = (),
    ) -> NodeExchange:
        key = keys.load_signing_key(settings.key_path)
        signer = Signer(key, keys.fingerprint(key.public_key()))
        return cls(settings, signer, handlers=dict(handlers or {}), on_signed=tuple(on_signed))

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Wake the dispatcher as soon as a transaction that queued an envelope commits."""

        def after_commit(session: Session) -> None:
            if session.info.pop(OUTBOX_FLAG, False):
                self.wake.set()

        event.listen(sessions, "after_commit", after_commit)
