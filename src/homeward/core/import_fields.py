"""Reading typed values out of one imported row, with errors that name the field.

Column names are matched case-insensitively, with aliases, so the spreadsheets mine action
centres and ministries already keep can be imported without renaming every column.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

SHAPEFILE_NAME_LENGTH = 10


@functools.cache
def _accepted(choices: Any, language: str) -> dict[str, str]:
    """Values and (translated) labels of ``choices``, lower-cased; cached per language."""
    accepted = {str(label).lower(): str(v) for v, label in choices.choices}
    accepted.update({str(v).lower(): str(v) for v in choices.values})
    return accepted


class RowError(Exception):
    """One field of one row is wrong; the import names the row, the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (isinstance(value, float) and math.isnan(value))
    )


class Columns:
    """The values of one row, looked up by canonical field name or any alias."""

    def __init__(self, properties: Mapping[str, Any]) -> None:
        self._values = {str(key).strip().lower(): value for key, value in properties.items()}

    def _keys(self, name: str, aliases: Iterable[str]) -> Iterator[str]:
        for key in (name, *aliases):
            yield key
            # Shapefiles cut field names to 10 characters: "external_id" arrives as "external_i".
            if len(key) > SHAPEFILE_NAME_LENGTH:
                yield key[:SHAPEFILE_NAME_LENGTH]

    def has(self, name: str, aliases: Iterable[str] = ()) -> bool:
        return any(key in self._values for key in self._keys(name, aliases))

    def raw(self, name: str, aliases: Iterable[str] = ()) -> Any:
        for key in self._keys(name, aliases):
            if key in self._values and not _blank(self._values[key]):
                return self._values[key]
        return None

    def text(self, name: str, aliases: Iterable[str] = (), *, required: bool = False, max_length: int = 200) -> str:
        value = self.raw(name, aliases)
        if value is None:
            if required:
                raise RowError(name, _("is required"))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if len(text) > max_length:
            raise RowError(name, _("is longer than %(limit)d characters") % {"limit": max_length})
        return text

    def number(
        self, name: str, aliases: Iterable[str] = (), *, required: bool = False, minimum: float | None = 0
    ) -> float | None:
        value = self.raw(name, aliases)
        if value is None:
            if required:
                raise RowError(name, _("is required"))
            return None
        try:
            number = float(str(value).replace(",", ".").replace(" ", "")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise RowError(name, _("is not a number: %(value)s") % {"value": value}) from None
        if not math.isfinite(number):
            raise RowError(name, _("is not a finite number: %(value)s") % {"value": value})
        if minimum is not None and number < minimum:
            raise RowError(
                name, _("must be at least %(minimum)s, not %(value)s") % {"minimum": minimum, "value": value}
            )
        return number

    def whole(self, name: str, aliases: Iterable[str] = (), *, required: bool = False) -> int | None:
        number = self.number(name, aliases, required=required)
        if number is None:
            return None
        if not number.is_integer():
            raise RowError(name, _("must be a whole number, not %(value)s") % {"value": number})
        return int(number)

    def date(self, name: str, aliases: Iterable[str] = (), *, required: bool = False) -> dt.date | None:
        value = self.raw(name, aliases)
        if value is None:
            if required:
                raise RowError(name, _("is required"))
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
            except ValueError:
                continue
        raise RowError(name, _("is not a date (use YYYY-MM-DD): %(value)s") % {"value": text})

    def required_date(self, name: str, aliases: Iterable[str] = ()) -> dt.date:
        value = self.date(name, aliases, required=True)
        assert value is not None  # required=True raised otherwise
        return value

    def choice(
        self,
        name: str,
        choices: Any,
        aliases: Iterable[str] = (),
        *,
        required: bool = False,
        synonyms: Mapping[str, str] | None = None,
        default: str = "",
    ) -> str:
        """A value of ``choices`` (a TextChoices class), accepted by value, label or synonym."""
        value = self.raw(name, aliases)
        if value is None:
            if required:
                raise RowError(name, _("is required"))
            return default
        key = str(value).strip().lower()
        accepted = _accepted(choices, get_language() or "")
        if synonyms and key not in accepted:
            accepted = {**accepted, **{k.lower(): v for k, v in synonyms.items()}}
        if key not in accepted:
            raise RowError(
                name,
                _("is not one of %(allowed)s: %(value)s")
                % {"allowed": ", ".join(map(str, choices.values)), "value": value},
            )
        return accepted[key]
