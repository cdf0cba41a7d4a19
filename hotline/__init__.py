"""Hotline: the platform a city's 12345 government-service hotline runs on in a surge."""

__version__ = "0.1.0"
