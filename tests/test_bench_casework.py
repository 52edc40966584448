"""The pieces of ``bench.casework`` that need no server: its HTTP response reader, its figures, and
the application it submits (which must stay a valid request body for the casework API)."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from bench.casework import (
    Load,
    Sample,
    _summarise,
    _with_database,
    application_payload,
    median_run,
    percentile,
)
from bench.http_client import read_response


def _read(raw: bytes) -> tuple[int, bool, bytes]:
    async def read() -> tuple[int, bool, bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    # In a fresh thread: a browser test earlier in the same worker may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_a_response_with_a_length_keeps_the_connection_open():
    raw = b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id": "x"}'
    assert _read(raw) == (201, False, b'{"id": "x"}')


def test_a_response_without_a_body_and_one_that_closes():
    assert _read(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n") == (204, True, b"")
    assert _read(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") == (200, True, b"ok")


def test_a_chunked_response_is_joined():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"
    assert _read(raw) == (200, False, b"Wikipedia")


def test_a_connection_closed_before_the_answer_is_an_incomplete_read():
    with pytest.raises(asyncio.IncompleteReadError):
        _read(b"")


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
    assert percentile([], 0.5) == 0.0


def test_figures_count_only_answers_within_the_window():
    load = Load(
        samples=[
            Sample("submit", 0.5, 0.9, ""),  # warm-up: left out
            Sample("submit", 1.0, 1.1, ""),
            Sample("submit", 1.2, 1.5, "HTTP 500"),
            Sample("decide", 1.5, 1.7, ""),
            Sample("queue_next", 2.5, 3.5, "TimeoutError"),  # after the window
        ]
    )
    figures = _summarise(load, (1.0, 3.0))
    assert figures["submissions_per_s"] == 0.5
    assert figures["workflow_steps_per_s"] == 0.5
    assert figures["errors"] == {"submit: HTTP 500": 1}
    assert figures["errors_outside_window"] == 1
    assert figures["latency"]["submit"]["p50_s"] == pytest.approx(0.1)


def test_the_benchmark_database_lives_on_the_given_server():
    url = _with_database("postgresql://postgres@127.0.0.1:5432/test?sslmode=disable", "homeward_bench_casework")
    assert url == "postgresql://postgres@127.0.0.1:5432/homeward_bench_casework?sslmode=disable"


def test_the_submitted_application_is_a_valid_api_request():
    from homeward.cases.api import ApplicationIn

    payload = application_payload(random.Random(1), "AZ-AGM")
    application = ApplicationIn(**payload)
    assert application.submit is True
    assert application.service == "passport"
    assert application.details == {"birth_place": "Ağdam"}


def test_the_median_run_of_an_even_number_is_the_slower_of_the_middle_two():
    assert median_run([307.9]) == 0
    assert median_run([307.9, 299.6]) == 1
    assert median_run([299.6, 307.9]) == 0
    assert median_run([310.0, 290.0, 300.0]) == 2
    assert median_run([310.0, 290.0, 300.0, 305.0]) == 2
