"""Homeward: an information system for post-conflict recovery."""

__version__ = "0.1.0"
