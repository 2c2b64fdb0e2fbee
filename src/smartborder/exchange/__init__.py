"""Exchange between nodes: keys today; agreements, envelopes and delivery to come (issue 4)."""
