"""What can go wrong when loading demo data, named so the CLI can say it plainly."""

from __future__ import annotations


class DemoDataError(Exception):
    """The demo data cannot be loaded as asked (unknown scale or region, broken data file)."""


class DemoDataMissing(DemoDataError):
    """Something the demo users need (the region's districts) has not been loaded yet."""
