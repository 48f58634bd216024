"""The report tests' hand-worked contract, reused: its figures are known exactly."""

from tests.reports.conftest import (  # noqa: F401
    after_the_school_year,
    paid_contract,
    report_contract,
)
