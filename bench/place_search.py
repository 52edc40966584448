"""Cross-script, typo-tolerant place-name search: ``PlaceIndex`` against rapidfuzz ``extractOne``.

Run from the repository root as ``python -m bench.place_search [--quick]``.

Data: every name of the demo gazetteer at the ``national`` scale (country, districts, GeoNames
towns with their variants, invented villages in four scripts), generated in memory by the demo
generator's own functions; no database is written. Queries: seeded; each takes a random place,
one of its names, maybe renders an Azerbaijani name in Cyrillic, Armenian or plain Latin (or a
Cyrillic/Armenian one in plain Latin), then applies 0-2 random typos (deletion, substitution,
transposition of neighbours, loss of case and diacritics).

Top-1 is right when the first hit is the place the query came from. Villages of different
districts share names, so a query is *ambiguous* when another place carries a name that folds
to the same text as the one the query came from; no search can tell those apart, and the goal
(top-1 >= 0.95) is compared with top-1 over the unambiguous queries. Latency is per query,
median of the repetitions, ours and the peer alternating after a warm-up; the goal (p95 <= 20 ms)
is compared with our p95.

The peer is ``rapidfuzz.process.extractOne(query, all_name_texts)`` with its default scorer
(``WRatio``) and no processor or transliteration, over the same names and queries.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process

from homeward.engines.matching.phonetic import fold
from homeward.engines.matching.place_index import NameEntry, PlaceIndex
from homeward.engines.matching.scripts import detect_script
from homeward.engines.matching.transliteration import to_armenian, to_cyrillic, to_latin

BENCH = "place_search"
PEER = "rapidfuzz_extractone"
GOAL_P95_S = 0.020
GOAL_TOP1 = 0.95
LATIN_LETTERS = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
CYRILLIC_LETTERS = "абвгдежзийклмнопрстуфхцчшщыэюя"
ARMENIAN_LETTERS = "".join(chr(code) for code in range(0x0561, 0x0587))
TYPO_KINDS = ("deletion", "substitution", "transposition", "case_and_diacritics")


@dataclass(frozen=True)
class Query:
    text: str
    place_id: str
    source: str
    rendering: str
    typos: int
    ambiguous: bool


def _setup_django() -> tempfile.TemporaryDirectory[str]:
    """The demo generator imports Django models; set Django up without touching any database."""
    data_dir = tempfile.TemporaryDirectory(prefix="homeward-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    os.environ.setdefault("HOMEWARD_DATA_DIR", data_dir.name)
    import django

    django.setup()
    return data_dir


def gazetteer(scale_name: str) -> list[NameEntry]:
    """Every name the demo loader would store at ``scale_name``, built in memory."""
    # The loader's own (pure) helpers, so the names are exactly those of `homeward demo`.
    from homeward.demo.names import load_name_bank
    from homeward.demo.places import _row_names, _town_names, _village_names, _villages_for
    from homeward.demo.region import load_region
    from homeward.demo.scales import get_scale
    from homeward.demo.towns import region_towns

    region = load_region()
    bank = load_name_bank(region.name_bank)
    scale = get_scale(scale_name)
    towns = region_towns(region)
    villages = _villages_for(region, bank, scale)
    population: dict[str, float] = {}
    district_population: dict[str, float] = {}
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    for town in towns:
        rows[town.code] = _town_names(town)
        population[town.code] = float(town.population or 0)
        district_population[town.district_code] = (
            district_population.get(town.district_code, 0.0) + population[town.code]
        )
    for village in villages:
        rows[village.code] = _village_names(village, region.language)
        population[village.code] = float(village.population)
        district_population[village.district_code] = (
            district_population.get(village.district_code, 0.0) + population[village.code]
        )
    for district in region.districts:
        rows[district.code] = _row_names(district.names)
        population[district.code] = district_population.get(district.code, 0.0)
    rows[region.country_code] = _row_names(region.country_names)
    population[region.country_code] = sum(population[district.code] for district in region.districts)
    return [
        NameEntry(
            place_id=code,
            name_id=f"{code}#{number}",
            text=text,
            language=str(language),
            script=str(script),
            kind=str(kind),
            weight=math.log1p(population[code]),
        )
        for code in sorted(rows)
        for number, (text, language, script, kind) in enumerate(rows[code])
    ]


def _render(rng: random.Random, entry: NameEntry) -> tuple[str, str]:
    script = detect_script(entry.text)
    if script == "Latn" and entry.language == "az":
        rendering = rng.choice(("as written", "cyrillic", "armenian", "plain latin"))
        convert: dict[str, Callable[[str], str]] = {
            "cyrillic": to_cyrillic,
            "armenian": to_armenian,
            "plain latin": to_latin,
        }
        return (convert[rendering](entry.text) if rendering in convert else entry.text), rendering
    if script in ("Cyrl", "Armn") and rng.random() < 0.5:
        return to_latin(entry.text), "plain latin"
    return entry.text, "as written"


def _alphabet(char: str) -> str:
    script = detect_script(char)
    return {"Cyrl": CYRILLIC_LETTERS, "Armn": ARMENIAN_LETTERS}.get(script or "", LATIN_LETTERS)


def _without_diacritics(text: str) -> str:
    text = text.replace("ə", "e").replace("Ə", "E").replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", kept).lower()


def _typo(rng: random.Random, text: str) -> str:
    letters = [index for index, char in enumerate(text) if char.isalpha()]
    kind = rng.choice(TYPO_KINDS)
    if kind == "case_and_diacritics" or len(letters) < 3:
        return _without_diacritics(text)
    at = rng.choice(letters)
    if kind == "deletion":
        return text[:at] + text[at + 1 :]
    if kind == "substitution":
        choices = [char for char in _alphabet(text[at]) if char != text[at].lower()]
        return text[:at] + rng.choice(choices) + text[at + 1 :]
    if at + 1 >= len(text) or not text[at + 1].isalpha():
        at = letters[0]
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def make_queries(entries: Sequence[NameEntry], count: int, seed: int) -> list[Query]:
    """``count`` seeded queries: a random place's name, maybe in another script, with 0-2 typos."""
    rng = random.Random(f"{BENCH}:{seed}")
    by_place: dict[str, list[NameEntry]] = {}
    places_by_fold: dict[str, set[str]] = {}
    for entry in entries:
        by_place.setdefault(entry.place_id, []).append(entry)
        places_by_fold.setdefault(fold(entry.text), set()).add(entry.place_id)
    place_ids = sorted(by_place)
    queries: list[Query] = []
    while len(queries) < count:
        entry = rng.choice(by_place[rng.choice(place_ids)])
        text, rendering = _render(rng, entry)
        typos = rng.randrange(3)
        for _ in range(typos):
            text = _typo(rng, text)
        if not fold(text):
            continue
        ambiguous = len(places_by_fold[fold(entry.text)]) > 1
        queries.append(Query(text, entry.place_id, entry.text, rendering, typos, ambiguous))
    return queries


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _timed(run: Callable[[str], object], queries: Sequence[Query]) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query.text)
        times.append(time.perf_counter() - start)
    return times


def _quality(
    first_places: Sequence[str | None], queries: Sequence[Query], names: dict[str, set[str]]
) -> dict[str, float]:
    """Top-1 figures: the intended place first; or, for namesakes, any place with the same name."""
    right = [place == query.place_id for place, query in zip(first_places, queries, strict=True)]
    clear = [ok for ok, query in zip(right, queries, strict=True) if not query.ambiguous]
    namesake = [
        place is not None and fold(query.source) in names[place]
        for place, query in zip(first_places, queries, strict=True)
    ]
    by_typos = {
        typos: [ok for ok, query in zip(namesake, queries, strict=True) if query.typos == typos] for typos in range(3)
    }
    return {
        "top1": sum(right) / len(right),
        "top1_unambiguous": sum(clear) / len(clear) if clear else 0.0,
        "top1_or_namesake": sum(namesake) / len(namesake),
        **{f"top1_or_namesake_{typos}_typos": sum(oks) / len(oks) if oks else 0.0 for typos, oks in by_typos.items()},
    }


def run(scale: str, query_count: int, repetitions: int, seed: int) -> dict[str, object]:
    """Build the data, time ours and the peer alternately, and return the result object."""
    entries = gazetteer(scale)
    texts = [entry.text for entry in entries]
    folded_names: dict[str, set[str]] = {}
    for entry in entries:
        folded_names.setdefault(entry.place_id, set()).add(fold(entry.text))
    queries = make_queries(entries, query_count, seed)

    start = time.perf_counter()
    index = PlaceIndex(entries)
    build_s = time.perf_counter() - start

    def ours(text: str) -> object:
        return index.search(text)

    def peer(text: str) -> object:
        return process.extractOne(text, texts)

    for query in queries[:50]:
        ours(query.text)
        peer(query.text)
    our_runs: list[list[float]] = []
    peer_runs: list[list[float]] = []
    for repetition in range(repetitions):
        order = [(ours, our_runs), (peer, peer_runs)]
        for function, runs in order if repetition % 2 == 0 else order[::-1]:
            runs.append(_timed(function, queries))
    our_times = [statistics.median(times) for times in zip(*our_runs, strict=True)]
    peer_times = [statistics.median(times) for times in zip(*peer_runs, strict=True)]

    our_first: list[str | None] = []
    for query in queries:
        hits = index.search(query.text)
        our_first.append(hits[0].place_id if hits else None)
    peer_first: list[str | None] = []
    for query in queries:
        best = process.extractOne(query.text, texts)
        peer_first.append(entries[best[2]].place_id if best is not None else None)

    ambiguous = sum(query.ambiguous for query in queries)
    ours_result = {
        "p50_s": _percentile(our_times, 0.50),
        "p95_s": _percentile(our_times, 0.95),
        **_quality(our_first, queries, folded_names),
        "build_s": build_s,
    }
    peer_result = {
        "p50_s": _percentile(peer_times, 0.50),
        "p95_s": _percentile(peer_times, 0.95),
        **_quality(peer_first, queries, folded_names),
    }
    return {
        "bench": BENCH,
        "data": {
            "scale": scale,
            "names": len(entries),
            "places": index.place_count,
            "queries": len(queries),
            "ambiguous_queries": ambiguous,
            "unambiguous_queries": len(queries) - ambiguous,
            "queries_with_typos": sum(query.typos > 0 for query in queries),
            "repetitions": repetitions,
            "seed": seed,
        },
        "ours": ours_result,
        "peers": {PEER: peer_result},
        "ratios": {
            f"p50_time_ours_over_{PEER}": ours_result["p50_s"] / peer_result["p50_s"],
            f"p95_time_ours_over_{PEER}": ours_result["p95_s"] / peer_result["p95_s"],
            f"top1_unambiguous_ours_over_{PEER}_higher_is_better": (
                ours_result["top1_unambiguous"] / peer_result["top1_unambiguous"]
                if peer_result["top1_unambiguous"]
                else None
            ),
        },
    }


def _table(result: dict[str, object]) -> str:
    data = result["data"]
    ours = result["ours"]
    peer = result["peers"][PEER]  # type: ignore[index]
    assert isinstance(data, dict) and isinstance(ours, dict) and isinstance(peer, dict)
    rows = [
        ("p50 latency per query", f"{ours['p50_s'] * 1e3:.2f} ms", f"{peer['p50_s'] * 1e3:.2f} ms", ""),
        ("p95 latency per query", f"{ours['p95_s'] * 1e3:.2f} ms", f"{peer['p95_s'] * 1e3:.2f} ms", "<= 20 ms (ours)"),
        ("top-1, all queries", f"{ours['top1']:.3f}", f"{peer['top1']:.3f}", ""),
        (
            "top-1, unambiguous queries",
            f"{ours['top1_unambiguous']:.3f}",
            f"{peer['top1_unambiguous']:.3f}",
            ">= 0.95 (ours) <- compared with the goal",
        ),
        (
            "first hit is the place or a namesake",
            f"{ours['top1_or_namesake']:.3f}",
            f"{peer['top1_or_namesake']:.3f}",
            "",
        ),
        *(
            (
                f"  same, queries with {typos} typo{'s' if typos != 1 else ''}",
                f"{ours[f'top1_or_namesake_{typos}_typos']:.3f}",
                f"{peer[f'top1_or_namesake_{typos}_typos']:.3f}",
                "",
            )
            for typos in range(3)
        ),
        ("index build", f"{ours['build_s']:.2f} s", "-", ""),
    ]
    widths = [max(len(row[column]) for row in [("figure", "ours", PEER, "goal"), *rows]) for column in range(4)]
    lines = [
        f"place_search: {data['names']} names of {data['places']} places (scale {data['scale']}), "
        f"{data['queries']} queries ({data['ambiguous_queries']} ambiguous: another place has the same "
        f"folded name; {data['queries_with_typos']} with typos), median of {data['repetitions']} repetitions",
    ]
    for row in [("figure", "ours", PEER, "goal"), *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    p95_ok = ours["p95_s"] <= GOAL_P95_S
    top1_ok = ours["top1_unambiguous"] >= GOAL_TOP1
    lines.append(
        f"goals: p95 <= 20 ms {'met' if p95_ok else 'NOT met'}; "
        f"top-1 >= 0.95 on unambiguous queries {'met' if top1_ok else 'NOT met'}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.place_search", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 queries, 3 repetitions")
    parser.add_argument("--scale", default="national", help="demo scale whose names are searched")
    parser.add_argument("--queries", type=int, help="number of queries (default 1000, quick 200)")
    parser.add_argument("--repetitions", type=int, help="timed repetitions (default 5, quick 3)")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    query_count = args.queries or (200 if args.quick else 1000)
    repetitions = args.repetitions or (3 if args.quick else 5)
    data_dir = _setup_django()
    try:
        result = run(args.scale, query_count, repetitions, args.seed)
    finally:
        data_dir.cleanup()
    print(_table(result))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
