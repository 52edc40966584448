"""Search a gazetteer's names in any script, with typing errors, one ranked hit per place.

A hit says which of the place's names matched and how:

* ``exact`` (score 100) — the query is the name up to case, diacritics and punctuation
  (:func:`~homeward.engines.matching.phonetic.fold`);
* ``phonetic`` (90 to 99.9) — the query sounds like the name in another script or
  romanisation (equal :func:`~homeward.engines.matching.phonetic.match_key`); the closer the two
  romanised spellings, the higher the score;
* ``fuzzy`` (at most 89.9) — the query's key is close to the name's key: the optimal-string-
  alignment similarity of the two keys (a deletion, insertion, substitution or swap of adjacent
  symbols is one edit), plus a bonus when their skeletons (consonant classes) agree, or, for an
  incomplete query of three symbols or more, a score for the share of the name's key it starts.

So every exact hit ranks above every phonetic one, and every phonetic hit above every fuzzy one;
equal scores are ordered by the uncapped fuzzy similarity, then the entry's weight (a prior such
as the log of the population), then the name.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from homeward.engines.matching.phonetic import fold, match_keys, romanised, skeleton
from homeward.engines.matching.scripts import detect_script

HowMatched = Literal["exact", "phonetic", "fuzzy"]

EXACT_SCORE = 100.0
PHONETIC_FLOOR = 90.0
PHONETIC_SPAN = 9.9
FUZZY_CEILING = 89.9
SKELETON_BONUS = 5.0
PREFIX_MIN_SYMBOLS = 3
PREFIX_FLOOR = 60.0
PREFIX_CANDIDATES = 64
FUZZY_CANDIDATES = 48
# Names are at most 200 characters; a longer query is cut so that its cost stays bounded.
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class NameEntry:
    """One name of one place, as the gazetteer holds it."""

    place_id: str
    name_id: str
    text: str
    language: str
    script: str
    kind: str
    weight: float = 0.0


@dataclass(frozen=True)
class PlaceHit:
    """The best-matching name of one place for a query, with its score out of 100."""

    place_id: str
    name_id: str
    text: str
    language: str
    script: str
    kind: str
    score: float
    how: HowMatched


@dataclass(frozen=True)
class _Candidate:
    score: float
    closeness: float
    entry: int
    how: HowMatched


class _Found:
    """The best candidate so far of each place, for one query."""

    def __init__(self, entries: tuple[NameEntry, ...], query_script: str) -> None:
        self._entries = entries
        self._query_script = query_script
        self._best: dict[str, _Candidate] = {}

    def _rank(self, candidate: _Candidate) -> tuple[float, float, float, str, str]:
        entry = self._entries[candidate.entry]
        return (-candidate.score, -candidate.closeness, -entry.weight, entry.text, entry.place_id)

    def _preference(self, candidate: _Candidate) -> tuple[float, float, bool, str, str]:
        entry = self._entries[candidate.entry]
        return (
            -candidate.score,
            -candidate.closeness,
            entry.script != self._query_script,
            entry.text,
            entry.name_id,
        )

    def offer(self, candidate: _Candidate) -> None:
        """Keep ``candidate`` if it is its place's best name so far."""
        place_id = self._entries[candidate.entry].place_id
        current = self._best.get(place_id)
        if current is None or self._preference(candidate) < self._preference(current):
            self._best[place_id] = candidate

    def ranked(self, min_score: float) -> list[_Candidate]:
        """Each place's best candidate scoring at least ``min_score``, best first."""
        kept = [candidate for candidate in self._best.values() if candidate.score >= min_score]
        return sorted(kept, key=self._rank)


class PlaceIndex:
    """The names of a gazetteer, with their folded forms and keys computed once."""

    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self._entries: tuple[NameEntry, ...] = tuple(entries)
        self._romanised: list[str] = []
        self._by_fold: dict[str, list[int]] = {}
        by_key: dict[str, list[int]] = {}
        for index, entry in enumerate(self._entries):
            self._romanised.append(romanised(entry.text))
            folded = fold(entry.text)
            if folded:
                self._by_fold.setdefault(folded, []).append(index)
            key = match_keys(entry.text)[0]
            if key:
                by_key.setdefault(key, []).append(index)
        self._by_key = by_key
        self._keys: list[str] = sorted(by_key)
        self._key_entries: list[tuple[int, ...]] = [tuple(by_key[key]) for key in self._keys]
        self._skeletons: list[str] = [skeleton(key) for key in self._keys]
        self._places = len({entry.place_id for entry in self._entries})

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The number of names indexed (the same as ``len``)."""
        return len(self._entries)

    @property
    def place_count(self) -> int:
        """The number of distinct places the names belong to."""
        return self._places

    def search(self, query: str, limit: int = 10, min_score: float = 60.0) -> list[PlaceHit]:
        """The ``limit`` places whose best name matches ``query`` with at least ``min_score``.

        Best first; one hit per place, carrying the place's best-matching name (among equally
        good names, one in the query's script). A query with no letter or digit finds nothing;
        of a longer query only the first ``MAX_QUERY_CHARS`` characters are read. Safe to call
        from several threads: a search does not change the index.
        """
        query = query[:MAX_QUERY_CHARS]
        folded = fold(query)
        key, query_skeleton = match_keys(query)
        if limit <= 0 or not folded:
            return []
        found = _Found(self._entries, detect_script(query) or "")
        for index in self._by_fold.get(folded, ()):
            found.offer(_Candidate(EXACT_SCORE, EXACT_SCORE, index, "exact"))
        if key:
            query_romanised = romanised(query)
            for index in self._by_key.get(key, ()):
                closeness = Indel.normalized_similarity(query_romanised, self._romanised[index])
                score = PHONETIC_FLOOR + PHONETIC_SPAN * closeness
                found.offer(_Candidate(score, score, index, "phonetic"))
            self._fuzzy(found, key, query_skeleton, min_score, limit)
            if len(key) >= PREFIX_MIN_SYMBOLS:
                self._prefixed(found, key)
        return [self._hit(candidate) for candidate in found.ranked(min_score)[:limit]]

    def _fuzzy(self, found: _Found, key: str, query_skeleton: str, min_score: float, limit: int) -> None:
        cutoff = max(0.0, min_score - SKELETON_BONUS) / 100.0
        matches = process.extract(
            key,
            self._keys,
            scorer=OSA.normalized_similarity,
            processor=None,
            score_cutoff=cutoff,
            limit=max(FUZZY_CANDIDATES, 4 * limit),
        )
        for _, similarity, position in matches:
            closeness = 100.0 * similarity
            if self._skeletons[position] == query_skeleton:
                closeness += SKELETON_BONUS
            for index in self._key_entries[position]:
                found.offer(_Candidate(min(FUZZY_CEILING, closeness), closeness, index, "fuzzy"))

    def _prefixed(self, found: _Found, key: str) -> None:
        start = bisect.bisect_left(self._keys, key)
        stop = bisect.bisect_left(self._keys, key + "\U0010ffff", lo=start)
        positions = sorted(range(start, stop), key=lambda position: len(self._keys[position]))
        for position in positions[:PREFIX_CANDIDATES]:
            share = len(key) / len(self._keys[position])
            closeness = PREFIX_FLOOR + (FUZZY_CEILING - PREFIX_FLOOR) * share
            for index in self._key_entries[position]:
                found.offer(_Candidate(min(FUZZY_CEILING, closeness), closeness, index, "fuzzy"))

    def _hit(self, candidate: _Candidate) -> PlaceHit:
        entry = self._entries[candidate.entry]
        return PlaceHit(
            place_id=entry.place_id,
            name_id=entry.name_id,
            text=entry.text,
            language=entry.language,
            script=entry.script,
            kind=entry.kind,
            score=round(candidate.score, 2),
            how=candidate.how,
        )
