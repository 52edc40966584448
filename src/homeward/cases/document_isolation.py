"""Parsing a document in a child Python interpreter held to a wall-clock, CPU and address-space limit.

Part of the document checks (:mod:`homeward.cases.document_checks`, whose `check_document` uses this unless
told ``isolated=False``). pypdf is pure Python and some hostile PDFs still cost it seconds per kilobyte, so
`verify_in_subprocess` runs :func:`homeward.cases.document_parsing.verify` in a child interpreter
(``python -P -c``, calling this module's ``_isolated_main``): the child reads a JSON header line and the bytes
from stdin, limits its own CPU time and address space (``max_seconds``, ``max_memory_bytes``) and prints its
verdict as JSON; the parent waits at most ``max_seconds``. A file that exceeds the limits is refused as
``corrupt`` ("too_complex").
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

from homeward.cases.document_detection import Detection, DocumentKind
from homeward.cases.document_parsing import DocumentLimits, Verified, verify
from homeward.cases.document_rejections import DocumentRejected, Rejection, RejectionReason

__all__ = ["verify_in_subprocess"]

_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
_KILLED_BY_LIMITS = frozenset(-getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name))
_CHILD_COMMAND = "from homeward.cases.document_isolation import _isolated_main; _isolated_main()"


def verify_in_subprocess(
    data: bytes, kind: DocumentKind, detection: Detection, limits: DocumentLimits, rejection: Rejection
) -> Verified:
    """`verify` in a child interpreter under time and memory limits; its verdict comes back as JSON."""
    header = {
        "kind": kind.value,
        "detected": detection.code,
        "name": detection.name,
        "filename": rejection.filename,
        "limits": dataclasses.asdict(limits),
    }
    search_path = [_SOURCE_ROOT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}
    try:
        # -P: the working directory is not put on the child's import path.
        completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
            [sys.executable, "-P", "-c", _CHILD_COMMAND],
            input=json.dumps(header).encode() + b"\n" + data,
            capture_output=True,
            timeout=limits.max_seconds,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise rejection.corrupt(
            detection, "too_complex", f"it takes longer than {limits.max_seconds:g} seconds"
        ) from None
    try:
        verdict = json.loads(completed.stdout)
    except ValueError:
        verdict = None
    if not isinstance(verdict, dict):
        if completed.returncode in _KILLED_BY_LIMITS or b"MemoryError" in completed.stderr:
            raise rejection.corrupt(detection, "too_complex", "it needs more time or memory than allowed")
        last_line = completed.stderr.decode(errors="replace").strip().rpartition("\n")[2]
        raise rejection.corrupt(detection, "unreadable", f"the checker failed ({completed.returncode}): {last_line}")
    if "rejected" in verdict:
        rejected = verdict["rejected"]
        params = {key: tuple(value) if isinstance(value, list) else value for key, value in rejected["params"].items()}
        raise DocumentRejected(RejectionReason(rejected["reason"]), rejected["message"], params)
    page_count, width, height = verdict["accepted"]
    return int(page_count), width, height


def _isolated_main() -> None:
    """The child side of `verify_in_subprocess`: read the header line and the bytes, print the verdict."""
    header = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    limits = DocumentLimits(**header["limits"])
    _limit_own_resources(limits)
    kind = DocumentKind(header["kind"])
    detection = Detection(header["detected"], header["name"])
    verdict_stream, sys.stdout = sys.stdout, sys.stderr  # nothing a library prints can spoil the verdict
    try:
        page_count, width, height = verify(data, kind, detection, limits, Rejection(header["filename"]))
    except DocumentRejected as rejected:
        verdict: dict[str, object] = {
            "rejected": {
                "reason": rejected.reason_code.value,
                "message": rejected.message,
                "params": dict(rejected.params),
            }
        }
    else:
        verdict = {"accepted": [page_count, width, height]}
    verdict_stream.write(json.dumps(verdict))


def _limit_own_resources(limits: DocumentLimits) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    seconds = math.ceil(limits.max_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
