"""Care requests for quarantined households, delivery tasks, the screening ledger, daily forms."""
