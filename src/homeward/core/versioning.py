"""Optimistic locking: a save based on an out-of-date copy of a row is refused."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class StaleObjectError(Exception):
    """Someone else saved this record after it was read; the write was not applied."""

    def __init__(self, instance: Any) -> None:
        self.instance = instance
        super().__init__(
            _(
                "This record (%(object)s) was changed by someone else after you opened it. "
                "Reload it and apply your change again."
            )
            % {"object": instance._meta.verbose_name.capitalize()}
        )
