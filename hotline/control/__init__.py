"""Households, outing rules, signed passes, checkpoints, health-code appeals."""
