"""Synthetic, clearly marked demo data: real districts and towns, invented villages and people."""

from homeward.demo.errors import DemoDataError, DemoDataMissing
from homeward.demo.loading import DemoSummary, load_demo
from homeward.demo.users import DEMO_PASSWORD, DemoLogin, ensure_demo_users

__all__ = [
    "DEMO_PASSWORD",
    "DemoDataError",
    "DemoDataMissing",
    "DemoLogin",
    "DemoSummary",
    "ensure_demo_users",
    "load_demo",
]
