"""Returns: settlement readiness snapshots (and, with later issues, displaced households, intentions, plans)."""
