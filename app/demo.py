"""A ready demo database: organisations, their people (a viewer, a preparer and an approver
each, to sign in to the web app) and keys, the example contracts accepted, and a synthetic
district's roster, assessments, usage and (where the contract reads one) schedule posted to
each through the same ingestion service the API uses, and the district's record of each
obligation.

Each contract gets a district sized to its money (``contracts/examples/<key>/demo.yaml``): a
$400-per-grower payment capped at $4,000 is a pilot of a few dozen students, not 3,000 of
them, and growth is drawn on the scale of the contract's assessment, so the demo's numbers
read like a real district's — caps reached but not dwarfed, some lines earned and some not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sqlalchemy.orm import Session

from app.contracts.definitions import stored_definition
from app.contracts.service import load_contract_documents
from app.engine.assessments import needed_windows
from app.engine.definition import Definition
from app.engine.loading import load_definition
from app.engine.sums import sum_windows
from app.feeds.columns import Feed
from app.feeds.writing import feed_csv
from app.ingestion.service import ingest_batch
from app.ingestion.upload import Upload
from app.obligations import service as obligations
from app.obligations.models import ObligationStatus
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.organisations.people import create_person
from app.principal import OPERATOR
from app.synth import SyntheticData, synthesize, synthesize_schedule, window_start

DEMO_UPLOAD_LIMIT = 512 * 1024 * 1024


@dataclass(frozen=True)
class DemoProfile:
    """How the synthetic district of one contract looks (``demo.yaml`` beside its data)."""

    students: int = 3000
    usage_per_student: float = 40.0
    growth_scale: float = 1.0  # see app.synth.synthesize

    @classmethod
    def for_contract(cls, contract_file: Path, key: str) -> DemoProfile:
        path = contract_file.parent / "examples" / key / "demo.yaml"
        if not path.exists():
            return cls()
        document = yaml.safe_load(path.read_text()) or {}
        return cls(**document)


@dataclass(frozen=True)
class SignIn:
    organisation: str
    role: Role
    email: str
    password: str


@dataclass
class DemoSummary:
    keys: dict[str, str] = field(default_factory=dict)
    sign_ins: list[SignIn] = field(default_factory=list)
    contracts: dict[str, dict[str, int]] = field(default_factory=dict)


def build_demo(
    session: Session,
    *,
    contract_files: list[Path],
    seed: int,
    students: int | None = None,
    usage_per_student: float | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database. Each contract gets its own synthetic district, as
    its demo profile describes; ``students`` / ``usage_per_student`` override every profile."""
    summary = DemoSummary()
    definitions = [load_definition(path.read_bytes()) for path in contract_files]
    for key, kind in _organisations(definitions).items():
        organisations.create_organisation(session, key=key, kind=kind)
        _, summary.keys[key] = organisations.create_api_key(
            session, organisation_key=key, system_name="demo", role=Role.approver, label="demo"
        )
        for role in Role:
            email = f"{role.value}@{key}.example"
            _, password = create_person(
                session, organisation_key=key, email=email, name=f"Demo {role.value}", role=role
            )
            assert password is not None  # generated: none was given
            summary.sign_ins.append(SignIn(key, role, email, password))
    loaded = load_contract_documents(
        session, [(str(p), p.read_bytes()) for p in contract_files], accept=True, actor=OPERATOR
    )
    for offset, ((_, contract, _), path) in enumerate(zip(loaded, contract_files, strict=True)):
        definition = stored_definition(contract.version_in_force.definition_json)  # type: ignore[union-attr]
        profile = DemoProfile.for_contract(path, contract.key)
        data = _district_for(
            definition,
            students=profile.students if students is None else students,
            usage_per_student=(
                profile.usage_per_student if usage_per_student is None else usage_per_student
            ),
            growth_scale=profile.growth_scale,
            seed=seed + offset,
        )
        posters: dict[Feed, str] = {
            "roster": definition.district,
            "assessments": definition.district,
            "usage": definition.vendor,
            "schedule": definition.district,
        }
        frames: dict[Feed, pd.DataFrame] = {
            "roster": data.roster,
            "assessments": data.assessments,
            "usage": data.usage,
        }
        schedule = _schedule_for(definition, data, seed=seed + offset)
        if schedule is not None:
            frames["schedule"] = schedule
        for feed, frame in frames.items():
            outcome = ingest_batch(
                session,
                principal=organisations.authenticate(session, summary.keys[posters[feed]]),
                key=contract.key,
                feed=feed,
                upload=Upload(
                    content=feed_csv(feed, frame), content_type="text/csv", file_name=f"{feed}.csv"
                ),
                max_bytes=DEMO_UPLOAD_LIMIT,
                max_problems=50,
            )
            summary.contracts.setdefault(contract.key, {})[feed] = outcome.batch.rows
        district = organisations.authenticate(session, summary.keys[definition.district])
        for obligation in definition.obligations:
            # The district attests what it delivered; the vendor may contest it in the demo.
            obligations.record_status(
                session,
                principal=district,
                key=contract.key,
                obligation=obligation.key,
                status=ObligationStatus.met,
                note=f"Delivered by {obligation.due.isoformat()}: {obligation.text}",
            )
    return summary


def _organisations(definitions: list[Definition]) -> dict[str, OrganisationKind]:
    kinds: dict[str, OrganisationKind] = {}
    for definition in definitions:
        kinds[definition.district] = OrganisationKind.district
        kinds[definition.vendor] = OrganisationKind.vendor
        for auditor in definition.auditor_keys:
            kinds[auditor] = OrganisationKind.auditor
    return kinds


def _district_for(
    definition: Definition,
    *,
    students: int,
    usage_per_student: float,
    growth_scale: float,
    seed: int,
) -> SyntheticData:
    """Synthetic data shaped by what the contract reads: its grades, schools, assessments,
    windows and usage dates."""
    pairs = needed_windows(definition)
    windows = sorted({window for _, window in pairs}, key=_window_order)
    usage = [window for window in sum_windows(definition).values() if window.feed == "usage"]
    population = definition.population
    data = synthesize(
        students=students,
        usage_per_student=usage_per_student,
        seed=seed,
        term_start=definition.term.start,
        term_end=definition.term.end,
        assessments=sorted({assessment for assessment, _ in pairs}) or ("map_reading",),
        windows=windows or ("fall-2026", "spring-2027"),
        usage_start=min((w.start for w in usage), default=definition.term.start),
        usage_end=max((w.end for w in usage), default=definition.term.end),
        grades=population.grades or (3, 4, 5, 6, 7, 8),
        growth_scale=growth_scale,
    )
    if population.schools:
        # Most students at the contract's schools, some elsewhere (outside the population).
        schools = np.array([*population.schools, "999"], dtype=object)
        rng = np.random.default_rng(seed)
        data.roster["school_id"] = schools[rng.integers(0, len(schools), len(data.roster))]
    return data


def _schedule_for(definition: Definition, data: SyntheticData, *, seed: int) -> pd.DataFrame | None:
    """The district's schedule over the dates the contract's schedule measures read, when it
    has any (most contracts do not)."""
    spans = [w for w in sum_windows(definition).values() if w.feed == "schedule"]
    if not spans:
        return None
    return synthesize_schedule(
        data.roster,
        seed=seed,
        start=min(w.start for w in spans),
        end=max(w.end for w in spans),
    )


def _window_order(window: str) -> tuple[date, str]:
    # Synth makes growth run from the first window to the last: give them in testing order.
    return (window_start(window) or date.max, window)
