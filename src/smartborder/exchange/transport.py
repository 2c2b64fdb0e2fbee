"""How envelopes reach a partner: HTTP between processes, or a direct call in one process."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any, Protocol

import httpx

INBOX_PATH = "/api/v1/exchange/inbox"


class TransportError(Exception):
    """The partner could not be reached or did not answer properly; try again later."""


class Transport(Protocol):
    def deliver(self, partner_id: str, url: str, tokens: list[str]) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


class ClientCertificates(Protocol):
    """Who the partner is trusted to be over https, and what this node presents to it
    (``smartborder.exchange.mtls.ClientTLS``)."""

    def trusted(self, partner_id: str) -> list[str]: ...

    def context(self, pems: list[str]) -> ssl.SSLContext: ...


class HttpTransport:
    """POST a batch to the partner's inbox; one result per envelope comes back, in order.
    Over https with ``tls``: this node's client certificate, the partner's pinned ones trusted
    (one connection pool per partner and set of pins, remade when the pins change)."""

    def __init__(self, timeout: float, tls: ClientCertificates | None = None) -> None:
        self._timeout = timeout
        self._tls = tls
        self._client = httpx.Client(timeout=timeout)
        self._pinned: dict[str, tuple[tuple[str, ...], httpx.Client]] = {}

    def _client_for(self, partner_id: str, url: str) -> httpx.Client:
        if self._tls is None or not url.startswith("https://"):
            return self._client
        pems = tuple(self._tls.trusted(partner_id))
        known = self._pinned.get(partner_id)
        if known is not None and known[0] == pems:
            return known[1]
        client = httpx.Client(timeout=self._timeout, verify=self._tls.context(list(pems)))
        if known is not None:
            known[1].close()
        self._pinned[partner_id] = (pems, client)
        return client

    def deliver(self, partner_id: str, url: str, tokens: list[str]) -> list[dict[str, Any]]:
        try:
            client = self._client_for(partner_id, url)
            response = client.post(url.rstrip("/") + INBOX_PATH, json={"envelopes": tokens})
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            raise TransportError(f"{partner_id} at {url}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise TransportError(
                f"{partner_id} at {url}: HTTP {response.status_code}: {response.text[:300]}"
            )
        return _results(partner_id, response.json(), len(tokens))

    def close(self) -> None:
        self._client.close()
        for _, client in self._pinned.values():
            client.close()
        self._pinned.clear()


Receiver = Callable[[list[str]], list[dict[str, Any]]]


class InProcessTransport:
    """Hand the batch straight to another node's inbox in this process (tests, benchmarks)."""

    def __init__(self, receivers: dict[str, Receiver] | None = None) -> None:
        self.receivers: dict[str, Receiver] = dict(receivers or {})
        self.down: set[str] = set()

    def deliver(self, partner_id: str, url: str, tokens: list[str]) -> list[dict[str, Any]]:
        if partner_id in self.down or partner_id not in self.receivers:
            raise TransportError(f"{partner_id}: not reachable in this process")
        return _results(partner_id, {"results": self.receivers[partner_id](tokens)}, len(tokens))

    def close(self) -> None:
        return None


def _results(partner_id: str, data: Any, expected: int) -> list[dict[str, Any]]:
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or len(results) != expected:
        raise TransportError(f"{partner_id}: the answer does not hold one result per envelope")
    return results
