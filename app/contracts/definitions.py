"""The bridge between stored contract versions and the engine's definition model."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal
from typing import Any

from app.engine.definition import Definition
from app.engine.loading import load_definition
from app.engine.problems import DefinitionError
from app.errors import InvalidInput

log = logging.getLogger("tranche")


def parse_definition(document: Any) -> Definition:
    """Validate a definition (mapping or YAML/JSON text); every problem is reported at once."""
    try:
        return load_definition(document)
    except DefinitionError as error:
        problems = [{"path": p.path, "message": p.message} for p in error.problems]
        raise InvalidInput(
            f"The contract definition has {len(problems)} problem(s).", problems
        ) from error
    except (TypeError, ValueError, ArithmeticError, RecursionError) as error:
        # A shape the engine's checks did not foresee (a tranche `type` that is a list): still
        # the sender's mistake, never a 500. Logged, so the check can be added where it belongs.
        log.warning("definition loading crashed: %r", error)
        raise InvalidInput(
            "The contract definition could not be read.",
            [{"path": "", "message": "a value has an unexpected type or is out of range"}],
        ) from error


def parse_definition_json(body: bytes) -> Definition:
    return parse_definition(_json_document(body))


def _json_document(body: bytes) -> Any:
    """JSON numbers are read as Decimal: a threshold of 0.1 must stay exactly 0.1."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            "The request body is not valid JSON.", [{"path": "", "message": str(error)}]
        ) from error


def parse_amendment_json(body: bytes) -> tuple[Definition, date | None]:
    """An amendment is a definition with an optional top-level `effective` date (SPEC §1
    Lifecycle: default, the day the vendor accepts it)."""
    document = _json_document(body)
    effective = None
    if isinstance(document, dict) and "effective" in document:
        raw = document.pop("effective")
        try:
            effective = date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            effective = None
        if effective is None:
            raise InvalidInput(
                "The amendment's effective date is not a date.",
                [{"path": "effective", "message": "give a date as YYYY-MM-DD"}],
            )
    return parse_definition(document), effective


def definition_to_json(definition: Definition) -> str:
    return json.dumps(definition_document(definition), sort_keys=True)


def definition_document(definition: Definition) -> dict[str, Any]:
    return definition.to_document()


def stored_definition(definition_json: str) -> Definition:
    return load_definition(json.loads(definition_json, parse_float=Decimal))
