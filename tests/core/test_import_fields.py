"""Reading typed values out of an imported row: aliases, shapefile names, and errors naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from homeward.core.import_fields import Columns, RowError


class Colour(models.TextChoices):
    RED = "red", "Red"
    DARK_BLUE = "dark_blue", "Dark blue"


def test_columns_match_case_insensitively_with_aliases_and_shapefile_truncation():
    row = Columns({"EXTERNAL_I": "HA-1", "Org": "Team A"})

    assert row.text("external_id", required=True) == "HA-1"
    assert row.text("organisation", ("org",)) == "Team A"
    assert row.has("external_id")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-02", dt.date(2024, 3, 2)),
        ("02.03.2024", dt.date(2024, 3, 2)),
        (dt.datetime(2024, 3, 2, 5), dt.date(2024, 3, 2)),
    ],
)
def test_dates_in_the_usual_spellings(value, expected):
    assert Columns({"date": value}).date("date") == expected


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda c: c.date("date", required=True), "date", "not a date"),
        (lambda c: c.number("area"), "area", "not a number"),
        (lambda c: c.number("negative"), "negative", "at least 0"),
        (lambda c: c.whole("half"), "half", "whole number"),
        (lambda c: c.text("missing", required=True), "missing", "required"),
        (lambda c: c.choice("colour", Colour), "colour", "not one of red, dark_blue"),
    ],
)
def test_bad_values_raise_a_row_error_naming_the_field(call, field, message):
    row = Columns({"date": "yesterday", "area": "lots", "negative": -1, "half": 2.5, "colour": "green"})

    with pytest.raises(RowError) as error:
        call(row)
    assert error.value.field == field and message in error.value.message


def test_numbers_accept_decimal_commas_and_choices_accept_labels_and_synonyms():
    row = Columns({"area": "1 234,5", "a": "Dark blue", "b": "navy", "c": None})

    assert row.number("area") == 1234.5
    assert row.choice("a", Colour) == "dark_blue"
    assert row.choice("b", Colour, synonyms={"navy": "dark_blue"}) == "dark_blue"
    assert row.choice("c", Colour, default="red") == "red"
