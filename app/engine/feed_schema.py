"""Each feed's columns, declared once (SPEC §2).

Everything else about a feed is derived from these declarations: the header check and the
value checks of ``app.feeds``, the row tables (``app.ingestion.models``), bulk typing and
export, the conversion of stored rows, and the engine's frames (``app.engine.frames``).
Adding a feed or a column is a declaration here, plus a migration.

Pure: the standard library only, so the engine and the feeds layer may both import it.

Kinds, and how a value of each travels (frame dtype · stored column):

identifier  text exactly as sent (1–64 characters, no surrounding spaces, no control
            characters) · object · TEXT
grade       ``K`` or a whole number 0–12 · int64 · INTEGER
flag        true/false (also 1/0, yes/no), blank = unknown · pandas "boolean" · BOOLEAN
quantity    a decimal with at most 3 places, as whole thousandths (``QUANTITY_SCALE``) ·
            int64, or "Int64" when it may be blank · INTEGER/BIGINT
count       a whole number · int64, or "Int64" when it may be blank · INTEGER/BIGINT
date        ``YYYY-MM-DD`` · datetime64[ns] (NaT when blank) · DATE
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Kind = Literal["identifier", "grade", "flag", "quantity", "count", "date"]
FeedName = Literal["roster", "assessments", "usage", "schedule"]
Poster = Literal["district", "vendor"]

QUANTITY_SCALE = 1000
QUANTITY_PLACES = 3
IDENTIFIER_MAX_LENGTH = 64
MINUTES_PER_DAY = 1440
_INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class Column:
    """One column of a feed.

    ``default`` (in the column's own units, a count) fills a blank cell or an absent column;
    ``minimum``/``maximum`` bound every value (natural units, inclusive); ``daily_maximum``
    bounds the sum of the column per student and date over every batch that counts.
    ``engine`` says whether the engine reads it (a stored evaluation reads only those).
    """

    name: str
    kind: Kind
    required: bool = False
    default: int | None = None
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    daily_maximum: int | None = None
    engine: bool = True

    @property
    def nullable(self) -> bool:
        """Whether a row may hold no value (blank and without a default)."""
        return not self.required and self.default is None

    @property
    def scale(self) -> int:
        """Stored units per natural unit: thousandths for quantities, else 1."""
        return QUANTITY_SCALE if self.kind == "quantity" else 1

    @property
    def small(self) -> bool:
        """Whether every stored value fits a 32-bit integer (an INTEGER column suffices)."""
        if self.kind == "grade":
            return True
        if self.maximum is None or self.kind not in ("quantity", "count"):
            return False
        return self.maximum * self.scale <= _INT32_MAX


@dataclass(frozen=True)
class FeedSchema:
    """A feed: who posts it, its columns in SPEC order, and its natural key.

    A key column that may be blank (``session_id``) is part of the key all the same: a usage
    or schedule row without it is the student's total for that day.
    """

    name: FeedName
    posted_by: Poster
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def required_key(self) -> tuple[str, ...]:
        return tuple(name for name in self.key if not self.column(name).nullable)

    @property
    def engine_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.engine)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"the {self.name} feed has no column {name!r}")

    def of_kind(self, *kinds: Kind) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.kind in kinds)


STUDENT_ID = Column("student_id", "identifier", required=True)
ZERO = Fraction(0)
WHOLE_DAY = Fraction(MINUTES_PER_DAY)

ROSTER = FeedSchema(
    name="roster",
    posted_by="district",
    columns=(
        STUDENT_ID,
        Column("grade", "grade", required=True),
        Column("school_id", "identifier"),
        Column("ell", "flag"),
        Column("sped", "flag"),
        Column("econ_disadv", "flag"),
    ),
    key=("student_id",),
)

ASSESSMENTS = FeedSchema(
    name="assessments",
    posted_by="district",
    columns=(
        STUDENT_ID,
        Column("assessment", "identifier", required=True),
        Column("window", "identifier", required=True),
        Column("score", "quantity", required=True),
        Column("growth_target", "quantity"),
        Column("typical_growth", "quantity"),
        Column("growth_percentile", "count", minimum=Fraction(1), maximum=Fraction(99)),
        Column("standard_error", "quantity", engine=False, minimum=ZERO),
        Column("rapid_guessing", "quantity", minimum=ZERO, maximum=Fraction(1)),
        Column("proficiency_level", "identifier", engine=False),
        Column("test_date", "date"),
    ),
    key=("student_id", "assessment", "window"),
)

USAGE = FeedSchema(
    name="usage",
    posted_by="vendor",
    columns=(
        STUDENT_ID,
        Column("date", "date", required=True),
        Column(
            "minutes",
            "quantity",
            required=True,
            daily_maximum=MINUTES_PER_DAY,
            minimum=ZERO,
            maximum=WHOLE_DAY,
        ),
        Column("sessions", "count", default=1, minimum=ZERO),
        Column("lessons", "count", minimum=ZERO),
        Column("session_id", "identifier", engine=False),
    ),
    key=("student_id", "date", "session_id"),
)

SCHEDULE = FeedSchema(
    name="schedule",
    posted_by="district",
    columns=(
        STUDENT_ID,
        Column("date", "date", required=True),
        Column("sessions_offered", "count", default=1, minimum=ZERO),
        Column(
            "minutes_offered",
            "quantity",
            daily_maximum=MINUTES_PER_DAY,
            minimum=ZERO,
            maximum=WHOLE_DAY,
        ),
        Column("session_id", "identifier", engine=False),
    ),
    key=("student_id", "date", "session_id"),
)

FEED_SCHEMAS: dict[FeedName, FeedSchema] = {
    schema.name: schema for schema in (ROSTER, ASSESSMENTS, USAGE, SCHEDULE)
}
FEED_NAMES: tuple[FeedName, ...] = tuple(FEED_SCHEMAS)

#: The feeds whose quantities a contract sums per student over a date window (SPEC §1).
SUMMED_FEEDS: tuple[FeedName, ...] = ("usage", "schedule")
