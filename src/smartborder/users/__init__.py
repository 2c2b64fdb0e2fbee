"""Users, roles, API tokens, browser sessions and login throttling."""
