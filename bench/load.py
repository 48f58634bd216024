"""A closed-loop load generator: N concurrent clients on keep-alive loopback connections, a
fixed number of requests and a time cap, latency of each request.

The clients are asyncio streams writing one prepared HTTP/1.1 request and reading the
response by its Content-Length: on a 2-core machine the generator shares the CPU with the
server, and a lean client leaves that CPU to the server instead of to the client library.
A response other than 200 is counted as an error (by status) and kept out of the latencies.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LoadResult:
    requests: int  # answered, whatever the status
    seconds: float
    latencies: list[float]  # seconds, one per 200 answer
    errors: Counter[str] = field(default_factory=Counter)  # status → count, for non-200

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """Latency below which ``share`` of the requests finished (nearest rank), seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.latencies)

    def error_summary(self) -> str:
        return ", ".join(
            f"{count:,} × {'HTTP ' if status.isdigit() else 'connection '}{status}"
            for status, count in self.errors.items()
        )


def run_load(
    url: str,
    headers: dict[str, str],
    *,
    requests: int = 2000,
    clients: int = 50,
    time_cap: float = 60.0,
) -> LoadResult:
    """GET ``url`` ``requests`` times from ``clients`` concurrent connections (fewer if the
    time cap comes first)."""
    return asyncio.run(_run(url, headers, requests, clients, time_cap))


async def _run(
    url: str, headers: dict[str, str], requests: int, clients: int, time_cap: float
) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    remaining = [requests]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + time_cap

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                sent = time.perf_counter()
                try:
                    writer.write(request)
                    status = await _read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    # the server closes the connection after an unhandled error: count it and
                    # carry on with a new connection
                    status = "closed"
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                if status == "200":
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors[status] += 1
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    answered = len(latencies) + sum(errors.values())
    return LoadResult(answered, time.perf_counter() - started, latencies, errors)


async def _read_response(reader: asyncio.StreamReader) -> str:
    """Reads one response; its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = status_line.split(" ", 2)[1]
    length = 0
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding":
            raise RuntimeError("chunked responses are not expected from these endpoints")
    await reader.readexactly(length)
    return status
