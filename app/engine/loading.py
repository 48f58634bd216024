"""Loading a contract definition from YAML or a JSON-parsed mapping, reporting every problem.

A definition is validated section by section (header, each measure, each eligibility
condition, each metric, each tranche), and then the cross-references between sections are
checked, so one load reports everything that is wrong, each with its path, e.g.
``tranches[2].metric: unknown metric 'growht_rate'``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import yaml
from pydantic import BaseModel, ValidationError

from app.engine.checks import check_definition
from app.engine.definition import (
    METRIC_MODELS,
    TRANCHE_MODELS,
    AssessmentMeasure,
    Condition,
    Definition,
    Header,
    Metric,
    Obligation,
    ScheduleMeasure,
    Tranche,
    UsageMeasure,
)
from app.engine.fields import MAX_TEXT, key
from app.engine.problems import DefinitionError, DefinitionProblem, join_path

SECTIONS = ("measures", "eligibility", "obligations", "metrics", "tranches")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class ExactLoader(yaml.SafeLoader):
    """YAML without binary floats or implicit timestamps.

    ``0.10`` becomes ``Decimal("0.10")`` (a float would already have lost the contract's
    number), dates stay text so a bad one is reported with its path instead of failing the
    whole parse, and a key repeated in one mapping is an error instead of silently dropped.
    """


ExactLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal | str:
    source = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return Decimal(source.replace("_", ""))
    except InvalidOperation:
        return source  # e.g. sexagesimal; the schema will refuse it with its path


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int | str:
    assert isinstance(node, yaml.ScalarNode)
    source = str(loader.construct_scalar(node))
    if len(source) > MAX_TEXT:
        return source  # Python refuses to parse ints of 4,300+ digits; the schema says why
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    assert isinstance(node, yaml.MappingNode)
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return dict(loader.construct_pairs(node, deep=True))


ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
ExactLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
ExactLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def parse_yaml(document: str | bytes) -> Any:
    """Parse YAML (or JSON, which is YAML) keeping decimals exact; errors as DefinitionError."""
    try:
        return yaml.load(document, Loader=ExactLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise DefinitionError(
            [DefinitionProblem("", f"not valid YAML{where}: {problem}")]
        ) from None


def load_definition(document: Mapping[str, Any] | str | bytes) -> Definition:
    """A checked :class:`Definition` from YAML text/bytes or an already parsed mapping.

    JSON callers should parse with ``json.loads(text, parse_float=Decimal)`` so amounts stay
    exact. Raises :class:`DefinitionError` listing every problem found, never anything else.
    """
    raw = parse_yaml(document) if isinstance(document, str | bytes) else document
    if not isinstance(raw, Mapping):
        raise DefinitionError([DefinitionProblem("", "a contract definition must be a mapping")])
    problems: list[DefinitionProblem] = []
    header = _validated(Header, {k: v for k, v in raw.items() if k not in SECTIONS}, "", problems)
    measures = _measures(raw.get("measures", {}), problems)
    eligibility = _list_items(raw.get("eligibility", []), "eligibility", _condition, problems)
    obligations = _list_items(raw.get("obligations", []), "obligations", _obligation, problems)
    metrics = _metrics(raw.get("metrics", {}), problems)
    if "tranches" not in raw:
        problems.append(DefinitionProblem("tranches", "required"))
    # mypy joins the tranche union to its base class when inferring T; the items are Tranches.
    tranches = cast(
        list[Tranche | None], _list_items(raw.get("tranches", []), "tranches", _tranche, problems)
    )
    problems.extend(
        check_definition(raw, header, measures, eligibility, obligations, metrics, tranches)
    )
    if problems or header is None:
        raise DefinitionError(sorted(problems, key=lambda problem: _reading_order(raw, problem)))
    return Definition(
        **dict(header),
        measures={name: measure for name, measure in measures.items() if measure is not None},
        eligibility=[condition for condition in eligibility if condition is not None],
        obligations=[obligation for obligation in obligations if obligation is not None],
        metrics={name: metric for name, metric in metrics.items() if metric is not None},
        tranches=[tranche for tranche in tranches if tranche is not None],
    )


FIELD_ORDER = (*Header.model_fields, *SECTIONS)


def _reading_order(raw: Mapping[str, Any], problem: DefinitionProblem) -> tuple[int, int]:
    """Problems in the order a reader meets them in the file: by section, then by item."""
    head, _, rest = problem.path.partition(".")
    section, _, index = head.partition("[")
    rank = FIELD_ORDER.index(section) if section in FIELD_ORDER else len(Header.model_fields)
    if index:
        return rank, int(index.rstrip("]"))
    items = raw.get(section)
    if isinstance(items, Mapping) and rest:
        names = [str(name) for name in items]
        item = rest.split(".")[0]
        return rank, names.index(item) if item in names else 0
    return rank, -1


def _validated(model: type[M], raw: Any, path: str, problems: list[DefinitionProblem]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for item in error.errors():
            location = join_path(path, *item["loc"])
            problems.append(DefinitionProblem(location, _message(item)))
        return None


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind in ("model_type", "dict_type"):
        return "must be a mapping"
    if kind == "list_type":
        return "must be a list"
    if kind == "literal_error":
        return f"{item['msg'][0].lower()}{item['msg'][1:]}, got {item['input']!r}"
    return f"{item['msg']}, got {item['input']!r}"


def _measures(raw: Any, problems: list[DefinitionProblem]) -> dict[str, Any]:
    """Each measure validated on its own; a broken one maps to None (known name, no value)."""
    if not isinstance(raw, Mapping):
        problems.append(DefinitionProblem("measures", "must be a mapping of name to measure"))
        return {}
    result: dict[str, Any] = {}
    for name, item in raw.items():
        path = join_path("measures", str(name))
        _check_key(name, path, problems)
        model: type[BaseModel] | None = None
        if isinstance(item, Mapping):
            kinds = [k for k in MEASURE_MODELS if k in item]
            if len(kinds) == 1:
                model = MEASURE_MODELS[kinds[0]]
        if model is None:
            message = "a measure needs exactly one of 'usage', 'schedule' or 'assessment'"
            problems.append(DefinitionProblem(path, message))
            result[str(name)] = None
            continue
        result[str(name)] = _validated(model, item, path, problems)
    return result


def _check_key(name: Any, path: str, problems: list[DefinitionProblem]) -> None:
    """Measure and metric names are keys like tranche keys (SPEC §1)."""
    try:
        key(name)
    except ValueError as error:
        problems.append(DefinitionProblem(path, f"name {error}"))


def _metrics(raw: Any, problems: list[DefinitionProblem]) -> dict[str, Metric | None]:
    if not isinstance(raw, Mapping):
        problems.append(DefinitionProblem("metrics", "must be a mapping of name to metric"))
        return {}
    result: dict[str, Metric | None] = {}
    for name, item in raw.items():
        path = join_path("metrics", str(name))
        _check_key(name, path, problems)
        kinds = [k for k in METRIC_MODELS if isinstance(item, Mapping) and k in item]
        if len(kinds) != 1:
            message = "a metric needs exactly one of share_of, count_of, mean_of, median_of"
            problems.append(DefinitionProblem(path, message))
            result[str(name)] = None
            continue
        if kinds == ["count_of"] and "min_coverage" in item:
            message = "not allowed on count_of (use min_count)"
            problems.append(DefinitionProblem(join_path(path, "min_coverage"), message))
            item = {k: v for k, v in item.items() if k != "min_coverage"}
        metric = _validated(METRIC_MODELS[kinds[0]], item, path, problems)
        result[str(name)] = metric  # type: ignore[assignment]
    return result


MEASURE_MODELS: dict[str, type[BaseModel]] = {
    "usage": UsageMeasure,
    "schedule": ScheduleMeasure,
    "assessment": AssessmentMeasure,
}


def _obligation(item: Any, path: str, problems: list[DefinitionProblem]) -> Obligation | None:
    return _validated(Obligation, item, path, problems)


def _condition(item: Any, path: str, problems: list[DefinitionProblem]) -> Condition | None:
    return _validated(Condition, item, path, problems)


def _tranche(item: Any, path: str, problems: list[DefinitionProblem]) -> Tranche | None:
    if not isinstance(item, Mapping):
        problems.append(DefinitionProblem(path, "must be a mapping"))
        return None
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in TRANCHE_MODELS:
        expected = ", ".join(TRANCHE_MODELS)
        shown = kind if isinstance(kind, str) else type(kind).__name__
        message = "required" if kind is None else f"unknown tranche type {shown!r} ({expected})"
        problems.append(DefinitionProblem(join_path(path, "type"), message))
        return None
    tranche = _validated(TRANCHE_MODELS[kind], item, path, problems)
    return cast(Tranche | None, tranche)


def _list_items(
    raw: Any,
    section: str,
    parse: Callable[[Any, str, list[DefinitionProblem]], T | None],
    problems: list[DefinitionProblem],
) -> list[T | None]:
    if not isinstance(raw, list):
        problems.append(DefinitionProblem(section, "must be a list"))
        return []
    return [parse(item, join_path(section, index), problems) for index, item in enumerate(raw)]


__all__ = ["DefinitionError", "DefinitionProblem", "ExactLoader", "load_definition", "parse_yaml"]
