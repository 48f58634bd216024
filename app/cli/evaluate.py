"""`tranche evaluate`: offline evaluation of a contract file against feed files.

No server and no database: the same feed checks as the API (``app.feeds``) and the same
engine, so a district and a vendor can model a contract before they sign it. Anything wrong
with the inputs is reported one problem per line on stderr, with exit code 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer

from app.cli.summed import clean_totals, summed_columns
from app.engine import Definition, DefinitionError, load_definition
from app.engine.evaluate import evaluate_from_totals
from app.engine.frames import empty_frame
from app.engine.obligations import ObligationRecord
from app.engine.sums import summed_totals
from app.feeds import Feed, FeedRejected, parse_feed
from app.feeds.clean import CleanFeed, read_clean_file
from app.feeds.formats import parse_export
from app.feeds.reading import UTF8_BOM
from app.feeds.roster_codes import RosterCodes

USAGE_ERROR = 2


def evaluate_command(
    contract: Annotated[
        Path, typer.Argument(metavar="CONTRACT", help="Contract definition (YAML or JSON).")
    ],
    roster: Annotated[Path, typer.Option("--roster", help="Roster feed (CSV or JSON).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD.")],
    assessments: Annotated[
        Path | None, typer.Option("--assessments", help="Assessments feed (CSV or JSON).")
    ] = None,
    usage: Annotated[Path | None, typer.Option("--usage", help="Usage feed (CSV or JSON).")] = None,
    schedule: Annotated[
        Path | None, typer.Option("--schedule", help="Schedule feed (CSV or JSON).")
    ] = None,
    output: Annotated[
        Literal["json", "table"], typer.Option("--format", help="json (default) or table.")
    ] = "json",
    obligations: Annotated[
        Path | None,
        typer.Option(
            "--obligations",
            help="Obligation records: obligation, party, status, recorded_at (CSV or JSON).",
        ),
    ] = None,
    roster_format: Annotated[
        str, typer.Option("--roster-format", help="tranche (default) or oneroster-1.2.")
    ] = "tranche",
    assessments_format: Annotated[
        str,
        typer.Option(
            "--assessments-format",
            help="tranche (default), nwea-map-cdf, renaissance-star or iready-diagnostic.",
        ),
    ] = "tranche",
    usage_format: Annotated[
        str, typer.Option("--usage-format", help="tranche (default) or tutoring-sessions.")
    ] = "tranche",
    schedule_format: Annotated[
        str, typer.Option("--schedule-format", help="tranche (default) or tutoring-sessions.")
    ] = "tranche",
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="The subject an i-Ready or Star export leaves unsaid."),
    ] = None,
) -> None:
    """Evaluate CONTRACT against the feed files and print the evaluation (SPEC §1 JSON).

    Each feed file may be a standard export (SPEC §2b, docs/FORMATS.md): say which with
    --roster-format, --assessments-format or --usage-format.
    """
    day = _as_of(as_of)
    definition = _definition(contract)
    read = FeedReading(definition, subject)
    roster_frame = read("roster", roster, roster_format)
    # One set for the other feeds' checks, its lookup arrays built once for all of them.
    ids = RosterCodes(set(map(str, roster_frame["student_id"].to_numpy(dtype=object))))
    assessment_frame = read("assessments", assessments, assessments_format, ids)
    # Usage and schedule are only ever summed: a clean file goes straight to its sums.
    usage_clean = read.clean("usage", usage, usage_format, ids)
    usage_frame = (
        empty_frame("usage") if usage_clean is not None else read("usage", usage, usage_format, ids)
    )
    schedule_clean = read.clean("schedule", schedule, schedule_format, ids)
    schedule_frame = (
        empty_frame("schedule")
        if schedule_clean is not None
        else read("schedule", schedule, schedule_format, ids)
    )
    records = () if obligations is None else _obligation_records(obligations, definition)
    totals = summed_totals(definition, usage_frame, schedule_frame)
    for clean in (usage_clean, schedule_clean):
        if clean is not None:
            totals.update(clean_totals(definition, clean))
    result = evaluate_from_totals(
        definition, roster_frame, assessment_frame, totals, day, obligations=records
    )
    document = result.to_json()
    if output == "table":
        typer.echo(render_table(document))
    else:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(USAGE_ERROR)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        _fail([f"{path}: cannot read: {error.strerror or error}"])


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail([f"--as-of: not a date (YYYY-MM-DD): {text!r}"])


def _definition(path: Path) -> Definition:
    content = _read(path)
    try:
        if path.suffix.lower() == ".json":
            try:
                document: Any = json.loads(content, parse_float=Decimal)
            except ValueError as error:
                _fail([f"{path}: not valid JSON: {error}"])
            return load_definition(document)
        return load_definition(content)
    except DefinitionError as error:
        _fail([f"{path}: {problem}" for problem in error.problems])


@dataclass(frozen=True)
class FeedReading:
    """Reads a feed file in its format and checks it by the API's rules (SPEC §2, §2b)."""

    definition: Definition
    subject: str | None

    def clean(
        self, feed: Feed, path: Path | None, format: str, roster_ids: AbstractSet[str]
    ) -> CleanFeed | None:
        """A Tranche-format CSV file read on the fast path, keeping only what the contract
        sums (``app.feeds.clean``): never the whole file in memory, no per-row objects.
        ``None`` when the file may have a problem (or is JSON or an export): then it is
        read by ``__call__``, which reports every problem."""
        if path is None or format != "tranche" or path.suffix.lower() == ".json":
            return None
        term = self.definition.term
        try:
            return read_clean_file(
                feed,
                path,
                roster_ids=roster_ids,
                term_start=term.start,
                term_end=term.end,
                keep={"student_id", "date", *summed_columns(self.definition, feed)},
            )
        except OSError as error:
            _fail([f"{path}: cannot read: {error.strerror or error}"])

    def __call__(
        self, feed: Feed, path: Path | None, format: str, roster_ids: AbstractSet[str] | None = None
    ) -> Any:
        """The feed file's frame; an absent file or one with only a header is an empty feed
        (offline, a contract may be modelled before any data exists, SPEC §1)."""
        if path is None:
            return empty_frame(feed)
        content = _read(path)
        if format == "tranche" and _header_only(content):
            return empty_frame(feed)
        content_type = "application/json" if path.suffix.lower() == ".json" else "text/csv"
        term = self.definition.term
        # The upload limit protects the server; a file on the user's own disk is as large as
        # their district is.
        limit = max(len(content), 1)
        try:
            if format == "tranche":
                return parse_feed(
                    feed,
                    content,
                    content_type=content_type,
                    term_start=term.start,
                    term_end=term.end,
                    roster_ids=roster_ids,
                    max_bytes=limit,
                ).frame
            from app.ingestion.formats import declared_windows

            return parse_export(
                format,
                feed,
                content,
                content_type=content_type,
                file_name=path.name,
                subject=self.subject,
                windows=declared_windows(self.definition),
                roster_ids=roster_ids,
                term_start=term.start,
                term_end=term.end,
                max_bytes=limit,
            ).parsed.frame
        except FeedRejected as error:
            _fail(_refusal(path, error))


def _obligation_records(path: Path, definition: Definition) -> tuple[ObligationRecord, ...]:
    # Imported here, like the export formats' windows below: they bring the database layer,
    # which an evaluation without them does not need to load (start-up, see app/cli).
    from app.obligations.records_file import parse_obligation_records

    content = _read(path)
    try:
        return parse_obligation_records(
            content,
            is_json=path.suffix.lower() == ".json",
            obligations=[obligation.key for obligation in definition.obligations],
        )
    except FeedRejected as error:
        _fail(_refusal(path, error))


def _refusal(path: Path, error: FeedRejected) -> list[str]:
    """One line per problem, each naming the file, line, column and value."""
    lines = [f"{path}: {error.message}"]
    for problem in error.problems:
        where = ", ".join(
            part
            for part in (
                f"line {problem.row}" if problem.row is not None else "",
                f"column {problem.column}" if problem.column else "",
                f"value {problem.value!r}" if problem.value is not None else "",
            )
            if part
        )
        lines.append(f"{path}: {where + ': ' if where else ''}{problem.reason}")
    if error.total > len(error.problems):
        lines.append(f"{path}: … and {error.total - len(error.problems)} more problems")
    return lines


_WHITESPACE = re.compile(rb"\s*")


def _header_only(content: bytes) -> bool:
    """Whether the file is one line (a header) between blank space: without splitting a
    state's file into lines to find out."""
    start = len(UTF8_BOM) if content.startswith(UTF8_BOM) else 0
    start = _space_end(content, start)
    if start == len(content) or content.startswith(b"[", start):
        return False
    breaks = [at for at in (content.find(b"\n", start), content.find(b"\r", start)) if at >= 0]
    return not breaks or _space_end(content, min(breaks)) == len(content)


def _space_end(content: bytes, start: int) -> int:
    space = _WHITESPACE.match(content, start)
    assert space is not None  # \s* matches everywhere
    return space.end()


def render_table(document: dict[str, Any]) -> str:
    """The evaluation for people: who was counted, metrics, lines, totals, then each line's
    explanation."""
    out = [
        f"{document['contract']} (version {document['version']}) as of {document['as_of']},"
        f" {document['currency']}",
        *_district_side(document),
        "",
    ]
    metric_rows = [["metric", "value", "numerator", "denominator", "coverage", "note"]]
    for name, metric in document["metrics"].items():
        metric_rows.append(
            [
                name,
                _cell(metric["value"]),
                _cell(metric["numerator"]),
                _cell(metric["denominator"]),
                _cell(metric["coverage"]),
                "insufficient" if metric["insufficient"] else "",
            ]
        )
    out += _grid(metric_rows, right={1, 2, 3, 4})
    out.append("")
    line_rows = [["tranche", "type", "status", "due", "earned", "held", "payable"]]
    for line in document["tranches"]:
        line_rows.append(
            [line[field] for field in ("key", "type", "status", "due")]
            + [line[field] for field in ("earned", "held", "payable")]
        )
    totals = document["totals"]
    line_rows.append(
        ["total (due lines)", "", "", ""] + [totals[k] for k in ("earned", "held", "payable")]
    )
    line_rows.append(["projected (all lines)", "", "", "", totals["projected"], "", ""])
    out += _grid(line_rows, right={4, 5, 6})
    out.append("")
    out += [f"{line['key']}: {line['explanation']}" for line in document["tranches"]]
    return "\n".join(out)


def _district_side(document: dict[str, Any]) -> list[str]:
    """Population, excused students, ignored assessment rows and obligations, one line each."""
    lines = []
    population = document.get("population")
    if population:
        lines.append(
            f"population: {population['students']} students, {population['excused']} excused,"
            f" {population['eligible']} eligible"
        )
    ignored = document.get("ignored_rows") or {}
    if any(ignored.values()):
        lines.append(
            "ignored assessment rows: "
            + ", ".join(f"{count} {reason.replace('_', ' ')}" for reason, count in ignored.items())
        )
    obligations = document.get("obligations") or {}
    if obligations:
        lines.append(
            "obligations: " + ", ".join(f"{key} {status}" for key, status in obligations.items())
        )
    return lines


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def _grid(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines
