"""Screening ledgers (a unit's daily status of its own staff) and daily report forms
(一日一报告)."""
