"""The two-agency demo: nodes 'ca' and 'us' seeded step by step and run on loopback."""
