"""Plausible personal and place names from a name bank (``demo/namebanks/<language>.json``)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from homeward.demo.errors import DemoDataError

NAME_BANKS_DIR = Path(__file__).resolve().parent / "namebanks"
MALE = "male"
FEMALE = "female"


@dataclass(frozen=True)
class FamilyName:
    male: str
    female: str

    def for_sex(self, sex: str) -> str:
        return self.female if sex == FEMALE else self.male


@dataclass(frozen=True)
class NameBank:
    language: str
    given_names: dict[str, tuple[str, ...]]
    family_names: tuple[FamilyName, ...]
    patronymic_suffix: dict[str, str]
    place_prefixes: tuple[str, ...]
    place_prefix_share: float
    place_roots: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    harmony: dict[str, dict[str, str]]

    def given_name(self, rng: random.Random, sex: str) -> str:
        return rng.choice(self.given_names[sex])

    def family_name(self, rng: random.Random) -> FamilyName:
        return rng.choice(self.family_names)

    def patronymic(self, father_given_name: str, sex: str) -> str:
        """The patronymic of a child of ``father_given_name`` (``Əli oğlu``, ``Əli qızı``)."""
        return f"{father_given_name}{self.patronymic_suffix[sex]}"

    def _harmonised(self, stem: str, suffix: str) -> str:
        vowels = [char for char in stem.lower() if char in self.harmony["I"]]
        last = vowels[-1] if vowels else "a"
        for placeholder, table in self.harmony.items():
            suffix = suffix.replace("{" + placeholder + "}", table[last])
        return stem + suffix

    def place_name(self, rng: random.Random) -> str:
        """A made-up settlement name: a root, a suffix that follows vowel harmony, maybe a prefix."""
        name = self._harmonised(rng.choice(self.place_roots), rng.choice(self.place_suffixes))
        if rng.random() < self.place_prefix_share:
            name = f"{rng.choice(self.place_prefixes)} {name}"
        return name

    def unique_place_name(self, rng: random.Random, taken: set[str]) -> str:
        """A place name not in ``taken`` (numbered if the bank runs out), added to ``taken``."""
        for _ in range(20):
            name = self.place_name(rng)
            if name not in taken:
                break
        number = 2
        base = name
        while name in taken:
            name = f"{base} {number}"
            number += 1
        taken.add(name)
        return name


def _bank(raw: dict[str, Any]) -> NameBank:
    places = raw["place_names"]
    return NameBank(
        language=raw["language"],
        given_names={sex: tuple(names) for sex, names in raw["given_names"].items()},
        family_names=tuple(FamilyName(item[MALE], item[FEMALE]) for item in raw["family_names"]),
        patronymic_suffix=dict(raw["patronymic_suffix"]),
        place_prefixes=tuple(places["prefixes"]),
        place_prefix_share=float(places["prefix_share"]),
        place_roots=tuple(places["roots"]),
        place_suffixes=tuple(places["suffixes"]),
        harmony={key: dict(table) for key, table in places["harmony"].items()},
    )


@cache
def load_name_bank(key: str) -> NameBank:
    """The name bank ``namebanks/<key>.json``; raises :class:`DemoDataError` if unusable."""
    path = NAME_BANKS_DIR / f"{key}.json"
    if not path.is_file():
        raise DemoDataError(f"no name bank {key!r}")
    try:
        return _bank(json.loads(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError, ValueError) as error:
        raise DemoDataError(f"name bank {path.name} is malformed: {error!r}") from error
