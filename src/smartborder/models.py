"""Every table of a node, gathered so that migrations and tests see one complete metadata:
each domain's table modules (``Domain.models``) are imported here."""

import importlib

from smartborder import registry
from smartborder.db import Base

for _domain in registry.domains():
    for _module in _domain.models:
        importlib.import_module(_module)

metadata = Base.metadata

__all__ = ["metadata"]
