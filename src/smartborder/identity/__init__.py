"""People, their names in any script, and their travel documents."""
