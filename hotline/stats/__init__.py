"""Rollups of order events, the city board, the units' league table, the daily report."""
