"""Every table of a node, gathered so that migrations and tests see one complete metadata."""

from smartborder.audit import models as audit_models
from smartborder.db import Base
from smartborder.exchange import models as exchange_models
from smartborder.identity import models as identity_models
from smartborder.modeling import models as modeling_models
from smartborder.screening import models as screening_models
from smartborder.travel import models as travel_models
from smartborder.users import models as users_models
from smartborder.visa import models as visa_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "exchange_models",
    "identity_models",
    "metadata",
    "modeling_models",
    "screening_models",
    "travel_models",
    "users_models",
    "visa_models",
]
