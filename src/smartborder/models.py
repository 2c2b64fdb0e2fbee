"""Every table of a node, gathered so that migrations and tests see one complete metadata."""

from smartborder.db import Base
from smartborder.identity import models as identity_models
from smartborder.users import models as users_models

metadata = Base.metadata

__all__ = ["identity_models", "metadata", "users_models"]
