"""`tranche synth`: write a synthetic district's roster, assessments and usage as feed CSVs.

A thin wrapper over `app.synth` (skewed usage, students who never log in, missing tests,
growth that rises with dosage), so the files can be posted to the API or handed to
`tranche evaluate`. The same arguments always write the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.synth import synthesize, write_csv


def synth_command(
    students: Annotated[int, typer.Option("--students", min=1, help="Students on the roster.")],
    usage_per_student: Annotated[
        float,
        typer.Option("--usage-per-student", min=0.0, help="Usage rows per student, on average."),
    ] = 50.0,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for roster.csv, assessments.csv, usage.csv.")
    ] = Path("synthetic"),
) -> None:
    """Write roster.csv, assessments.csv and usage.csv of a synthetic district into OUT."""
    data = synthesize(students=students, usage_per_student=usage_per_student, seed=seed)
    paths = write_csv(data, out)
    counts = {"roster": data.roster, "assessments": data.assessments, "usage": data.usage}
    for feed, path in paths.items():
        typer.echo(f"{path}: {len(counts[feed]):,} {feed} rows")
