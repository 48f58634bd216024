"""The report tests' hand-worked contract, reused: its figures are known exactly."""

from tests.reports.conftest import paid_contract, report_contract  # noqa: F401
