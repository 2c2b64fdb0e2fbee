"""The node's tamper-evident audit log: an append-only hash chain with signed checkpoints."""
