"""An amendment that sums usage over a new window, accepted with no usage batch after it: what
the acceptance costs and what the first evaluation of the new version costs.

Run: ``.venv/bin/python bench/amendment.py [--students 100000] [--database sqlite] [--quick]``.

The stored benchmark's contract and data (bench/stored.py: roster, assessments, ~50 usage rows
per student in one POST), on a fresh database behind one uvicorn worker. The amendment moves
the end of ``fall_min`` (2026-12-18 → 2026-12-31): a window no version summed before. Its
acceptance registers the one span it lacks (2026-12-19 → 2026-12-31; the fall up to 12-18 is
a span already) and builds its totals from the rows (app/ingestion/totals.py
`keep_spans_of`). Then the first evaluation of the new version on a fresh worker, beside the
same on another fresh worker after that span's totals are dropped, as acceptance left them
before it built them: the usage rows summed for that window by every evaluation until the
next usage batch.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from typing import Any

import httpx
import psycopg
import yaml
from harness import Row, check, count_label, database, emit, server, timed
from stored import load_contract
from world import DISTRICT, VENDOR, contract_document, prepare

from app.config import Settings

KEY = "bench-amendment"
NEW_WINDOW = ("2026-09-01", "2026-12-31")
NEW_SPAN = ("2026-12-19", "2026-12-31")  # the piece of the new window no span covered
AS_OF = ("2027-06-30", "2027-06-29")
DROP_NEW_SPAN = [
    "DELETE FROM usage_totals WHERE span_id IN"
    " (SELECT id FROM sum_spans WHERE first_day = '{0}' AND last_day = '{1}')",
    "DELETE FROM sum_spans WHERE first_day = '{0}' AND last_day = '{1}'",
]


def amended_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(contract_document(KEY))
    document["measures"]["fall_min"] = {
        "usage": "minutes",
        "from": NEW_WINDOW[0],
        "to": NEW_WINDOW[1],
    }
    return json.loads(json.dumps(document, default=str))  # dates as text, as a client sends


def drop_new_span(url: str) -> None:
    """Drop the new span's totals and registration; refuse if there was none to drop (the
    second evaluation would then measure the totals again)."""
    statements = [sql.format(*NEW_SPAN) for sql in DROP_NEW_SPAN]
    raw = Settings(database_url=url).database_url
    if raw.startswith("sqlite"):
        with sqlite3.connect(raw.split("///", 1)[1]) as connection:
            dropped = [connection.execute(statement).rowcount for statement in statements]
    else:
        with psycopg.connect(raw.replace("postgresql+psycopg://", "postgresql://")) as pg:
            dropped = [pg.execute(statement).rowcount for statement in statements]
    if dropped[-1] != 1:
        raise SystemExit(f"acceptance registered no span {NEW_SPAN}: nothing to compare")


def evaluate(client: httpx.Client, headers: dict[str, str], as_of: str) -> float:
    seconds, response = timed(
        lambda: client.get(
            f"/v1/contracts/{KEY}/evaluation", params={"as_of": as_of}, headers=headers
        )
    )
    check(response)
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--quick", action="store_true", help="1k students, to check it runs")
    parser.add_argument("--json")
    arguments = parser.parse_args()
    students = 1_000 if arguments.quick else arguments.students
    size = count_label(students)
    rows = []
    with database(arguments.database, "amendment") as url:
        headers = prepare(url, [KEY])
        with server(url) as base, httpx.Client(base_url=base, timeout=600) as client:
            load_contract(client, headers, KEY, students)
            put = client.put(
                f"/v1/contracts/{KEY}", json=amended_document(), headers=headers[DISTRICT]
            )
            check(put)
            accept_seconds, accepted = timed(
                lambda: client.post(f"/v1/contracts/{KEY}/accept", headers=headers[VENDOR])
            )
            check(accepted)
        # Each evaluation on a fresh worker: nothing of the contract's inputs kept in memory.
        with server(url) as base, httpx.Client(base_url=base, timeout=600) as client:
            with_totals = evaluate(client, headers[DISTRICT], AS_OF[0])
        drop_new_span(url)
        with server(url) as base, httpx.Client(base_url=base, timeout=600) as client:
            summed = evaluate(client, headers[DISTRICT], AS_OF[1])
    rows.append(
        Row(
            "accept the amendment (new span built)",
            size,
            f"{accept_seconds:.2f} s",
            {"seconds": accept_seconds},
        )
    )
    rows.append(
        Row(
            "first evaluation after it: window from totals",
            size,
            f"{with_totals:.2f} s",
            {"seconds": with_totals},
        )
    )
    rows.append(
        Row(
            "first evaluation after it: window summed from rows",
            size,
            f"{summed:.2f} s",
            {"seconds": summed},
        )
    )
    emit(rows, arguments.json)


if __name__ == "__main__":
    main()
