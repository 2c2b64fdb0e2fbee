"""Typed dependencies for routers: the node's context, its exchange, its one clock and the
services its domains built. A router asks for these instead of reading ``request.app.state``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from smartborder.context import NodeContext
from smartborder.exchange.context import NodeExchange

T = TypeVar("T")


def get_node(request: Request) -> NodeContext:
    node: NodeContext = request.app.state.node
    return node


def get_exchange(request: Request) -> NodeExchange:
    return get_node(request).exchange


def get_clock(request: Request) -> Callable[[], dt.datetime]:
    return get_node(request).clock


def get_now(request: Request) -> dt.datetime:
    return get_node(request).now()


def service_of(kind: type[T]) -> Callable[[Request], T]:
    """A dependency giving the node's service of type ``kind``."""

    def dependency(request: Request) -> T:
        return get_node(request).get(kind)

    dependency.__name__ = f"get_{kind.__name__.lower()}"
    return dependency


Node = Annotated[NodeContext, Depends(get_node)]
Exchange = Annotated[NodeExchange, Depends(get_exchange)]
Clock = Annotated[Callable[[], dt.datetime], Depends(get_clock)]
Now = Annotated[dt.datetime, Depends(get_now)]  # the node's time when the request arrived

__all__: list[Any] = ["Clock", "Exchange", "Node", "Now", "get_node", "service_of"]
