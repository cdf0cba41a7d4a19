"""Agents and volunteers, training, shifts and attendance, Erlang staffing, field teams."""
