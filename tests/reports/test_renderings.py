"""CSV is safe in a spreadsheet; HTML and PDF carry the charts and the key figures."""

from __future__ import annotations

import base64
import csv
import io
import re

import pypdf
import pytest

from app.reports.csv_export import render_csv
from app.reports.schemas import ContractReport

AS_OF = "2027-06-30"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _get(client, headers, key, report_format):  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{key}/report",
        params={"as_of": AS_OF, "format": report_format},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
def hostile_text(client, world, paid_contract):  # type: ignore[no-untyped-def]
    """A payment reference and a dispute reason that a spreadsheet would run as formulas."""
    district = world.headers["ector-isd"]
    client.post(
        f"/v1/statements/{paid_contract.statement_id}/payments",
        json={"amount": "0.01", "paid_on": "2027-08-16", "reference": FORMULA},
        headers=district,
    ).raise_for_status()
    client.post(
        f"/v1/statements/{paid_contract.statement_id}/disputes",
        json={"line": "fidelity", "reason": "@SUM(1+1)*cmd|' /C calc'!A0 <script>x</script>"},
        headers=world.headers["bright-tutors"],
    ).raise_for_status()
    return paid_contract


def _cells(text):  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(text)))


def test_csv_is_one_table_of_section_item_field_value(client, world, paid_contract):
    rows = _cells(_get(client, world.headers["ector-isd"], paid_contract.key, "csv").text)
    assert rows[0] == ["section", "item", "field", "value"]
    assert all(len(row) == 4 for row in rows)
    assert ["totals", "", "payable", "2350.00"] in rows
    assert ["cost_effectiveness", "", "paid_per_student_meeting_target", "166.67"] in rows
    assert ["tranche", "growth", "earned", "1000.00"] in rows


def test_csv_neutralises_cells_a_spreadsheet_would_run(client, world, hostile_text):
    response = _get(client, world.headers["tx-state-audit"], hostile_text.key, "csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    values = [row[3] for row in _cells(response.text)]
    assert "'" + FORMULA in values
    assert any(v.startswith("'@SUM(1+1)") for v in values)
    for row in _cells(response.text):
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row


def test_csv_keeps_negative_amounts_as_numbers(client, world, paid_contract):
    body = _get(client, world.headers["ector-isd"], paid_contract.key, "json").json()
    report = ContractReport.model_validate(body)
    credit = report.ledger.balance.model_copy(update={"outstanding": "-12.50"})
    edited = report.model_copy(
        update={"ledger": report.ledger.model_copy(update={"balance": credit})}
    )
    assert ["balance", "", "outstanding", "-12.50"] in _cells(render_csv(edited))


def test_html_embeds_three_png_charts_and_escapes_user_text(client, world, hostile_text):
    html = _get(client, world.headers["ector-isd"], hostile_text.key, "html").text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 3
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for data in images)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    for figure in ("$2,500.00", "$2,350.00", "$166.67", "$86.96", "0.769231"):
        assert figure in html


def test_pdf_is_a_valid_pdf_with_the_charts_and_key_figures(client, world, paid_contract):
    response = _get(client, world.headers["tx-state-audit"], paid_contract.key, "pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for figure in (
        "ector-hdt-2026",
        "Evaluated as of 2027-06-30",
        "$2,500.00",  # earned
        "$2,350.00",  # payable
        "$1,999.98",  # paid
        "$166.67",  # paid per student meeting the target
        "10 of 20 eligible students met their map_reading growth target",
        "Chart: distribution of growth",
        "Chart: dosage (minutes) against growth",
        "Chart: cumulative amounts approved and paid",
        "fewer than 10 students",
    ):
        assert figure in text, figure
    charts = {image.data for page in reader.pages for image in page.images}
    assert len(charts) == 3
    assert all(len(data) > 1000 for data in charts)
