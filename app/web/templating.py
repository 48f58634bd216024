"""The web app's templates and the filters every page uses to show money and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.clock import as_utc
from app.engine.money import money_display, percent

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _money(amount: Decimal | str | None, currency: str) -> str:
    # Decimal text in, the contract's currency out (app.engine.money): never through a float.
    if amount is None:
        return "—"
    return money_display(Decimal(amount), currency)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _percent(value: Any) -> str:
    return "—" if value is None else percent(value)


TEMPLATES.env.filters["money"] = _money
TEMPLATES.env.filters["day"] = _day
TEMPLATES.env.filters["percent"] = _percent


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    user = getattr(request.state, "signed_in", None)
    page = {"user": user, "csrf_token": user.csrf_token if user else "", **context}
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status_code)
    # Pages show one organisation's figures: never kept by a shared cache or the browser's.
    response.headers["Cache-Control"] = "no-store"
    return response
