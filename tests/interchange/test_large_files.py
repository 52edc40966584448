"""Reading streams: memory stays flat however large the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import shapely

from homeward.interchange import open_features

ROWS = 60_000
PADDING = "x" * 440  # a long note column: ~30 MB without more rows to iterate (tracemalloc is slow)


def test_iterating_a_large_csv_keeps_python_memory_to_a_fraction_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write("id,name,note,wkt\n")
        for start in range(0, ROWS, 10_000):
            stream.write(
                "".join(
                    f'{n},Ağdam {n},{PADDING},"POINT ({46 + n / ROWS:.9f} {39 + n / ROWS:.9f})"\n'
                    for n in range(start, start + 10_000)
                )
            )
    size = path.stat().st_size
    assert size > 25_000_000

    tracemalloc.start()
    try:
        with open_features(path) as source:
            count = 0
            last = None
            for feature in source:
                count += 1
                last = feature
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == ROWS
    assert last is not None and last.number == ROWS + 1
    assert last.geometry is not None
    assert shapely.equals_exact(last.geometry, shapely.Point(46 + (ROWS - 1) / ROWS, 39 + (ROWS - 1) / ROWS), 1e-9)
    assert peak < size / 4, f"peak {peak:,} bytes for a {size:,}-byte file"
