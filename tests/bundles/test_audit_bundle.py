"""The audit bundle (SPEC §3) and `tranche verify-bundle`: a clean bundle verifies offline; one
changed byte, a re-signed forgery or a figure the engine does not reproduce fails, and says where."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from app.audit.signing import Signer, public_key_text
from app.bundles.archive import canonical_zip
from app.bundles.check import check_bundle
from app.cli import cli

AS_OF = "2027-06-30"


def _bundle(client, headers, key) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{key}/audit-bundle", params={"as_of": AS_OF}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def _files(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    """Repacked the way the service packs, so only the change made is left to find."""
    return canonical_zip(files)


@pytest.fixture
def district_bundle(client, world, paid_contract) -> bytes:  # type: ignore[no-untyped-def]
    return _bundle(client, world.headers["ector-isd"], paid_contract.key)


def test_a_clean_bundle_verifies_offline_and_recomputes_everything(district_bundle, app):
    report = check_bundle(
        district_bundle, public_key=public_key_text(app.state.keyring.signer.public)
    )
    assert report.ok, report.failures
    notes = "\n".join(report.notes)
    assert "evaluation.json: recomputed with the engine, every figure matches" in notes
    assert "1 approved statement(s) checked" in notes
    assert "1 checkpoints verified" in notes


def test_the_bundle_holds_what_the_spec_lists(district_bundle):
    files = _files(district_bundle)
    for name in (
        "manifest.json",
        "manifest.sig",
        "public_key.txt",
        "contract/versions.json",
        "batches/index.json",
        "statements.json",
        "payments.json",
        "evaluation.json",
        "audit/entries.json",
    ):
        assert name in files, name
    index = json.loads(files["batches/index.json"])
    assert {b["feed"] for b in index} == {"roster", "assessments", "usage"}
    assert all(b["file"] in files for b in index)
    payments = json.loads(files["payments.json"])
    assert sorted(p["amount"] for p in payments) == ["1000.00", "999.98"]
    actions = {e["action"] for e in json.loads(files["audit/entries.json"])}
    assert {"statement.approved", "audit.checkpoint", "batch.accepted"} <= actions


def test_one_changed_byte_in_a_file_fails_and_names_the_file(district_bundle):
    files = _files(district_bundle)
    index = json.loads(files["batches/index.json"])
    usage = next(b["file"] for b in index if b["feed"] == "usage")
    data = bytearray(files[usage])
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")  # one digit of one minutes value
    files[usage] = bytes(data)
    report = check_bundle(_zip(files))
    assert not report.ok
    assert f"{usage}: SHA-256 differs from the manifest: the file changed" in report.failures


def test_one_changed_byte_in_the_manifest_breaks_its_signature(district_bundle):
    files = _files(district_bundle)
    files["manifest.json"] = files["manifest.json"].replace(b'"as_of": "2027', b'"as_of": "2028')
    report = check_bundle(_zip(files))
    assert not report.ok
    assert report.failures[0].startswith("manifest.sig: the signature does not verify")


def test_one_changed_byte_anywhere_in_the_zip_never_passes(district_bundle):
    # A damaged header, compressed stream or checksum, or a changed file: never a pass.
    for position in range(0, len(district_bundle), max(1, len(district_bundle) // 40)):
        data = bytearray(district_bundle)
        data[position] ^= 0x01
        report = check_bundle(bytes(data))
        assert not report.ok, position
        assert report.failures, position


def test_a_bundle_repacked_by_another_zip_tool_fails_though_every_file_is_intact(
    district_bundle,
):
    files = _files(district_bundle)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    report = check_bundle(buffer.getvalue())
    assert report.failures == [
        next(f for f in report.failures if f.startswith("the archive differs"))
    ]


def _forged(district_bundle: bytes, signer: Signer) -> bytes:
    """The server (or anyone) claims more money and signs the bundle with some key."""
    files = _files(district_bundle)
    evaluation = json.loads(files["evaluation.json"])
    evaluation["totals"]["earned"] = "999999.00"
    files["evaluation.json"] = json.dumps(evaluation).encode()
    files["public_key.txt"] = (public_key_text(signer.public) + "\n").encode()
    manifest = json.loads(files["manifest.json"])
    import hashlib

    manifest["files"] = {
        name: hashlib.sha256(files[name]).hexdigest() for name in manifest["files"]
    }
    manifest["key_id"] = signer.key_id
    files["manifest.json"] = json.dumps(manifest).encode()
    files["manifest.sig"] = signer.sign(files["manifest.json"]).encode()
    return _zip(files)


def test_a_consistently_resigned_forgery_is_caught_by_recomputation(district_bundle):
    forged = _forged(district_bundle, Signer(Ed25519PrivateKey.generate()))
    report = check_bundle(forged)
    assert not report.ok
    assert any(
        f.startswith("evaluation.json: totals.earned is '999999.00', recomputed")
        for f in report.failures
    ), report.failures


def test_a_bundle_signed_by_another_key_fails_against_the_pinned_key(district_bundle, app):
    forged = _forged(district_bundle, Signer(Ed25519PrivateKey.generate()))
    report = check_bundle(forged, public_key=public_key_text(app.state.keyring.signer.public))
    assert not report.ok
    assert "not with the key you trust" in report.failures[0]


def test_the_vendors_bundle_withholds_the_districts_rows_and_says_what_it_could_not_check(
    client, world, paid_contract
):
    content = _bundle(client, world.headers["bright-tutors"], paid_contract.key)
    files = _files(content)
    index = json.loads(files["batches/index.json"])
    withheld = {b["feed"] for b in index if b["file"] is None}
    assert withheld == {"roster", "assessments"}
    students = next(csv.reader(io.StringIO(files["evaluation/students.csv"].decode())))
    assert not {"ell", "sped", "econ_disadv", "school_id"} & set(students)
    report = check_bundle(content)
    assert report.ok, report.failures
    assert any("evaluation.json: not recomputed" in note for note in report.notes)


def test_an_auditor_without_raw_access_gets_the_roster_without_flags(client, world, paid_contract):
    files = _files(_bundle(client, world.headers["tx-state-audit"], paid_contract.key))
    index = json.loads(files["batches/index.json"])
    roster = next(b for b in index if b["feed"] == "roster")
    assert roster["hidden_columns"] == ["ell", "sped", "econ_disadv"]
    assert files[roster["file"]].decode().splitlines()[0] == "student_id,grade,school_id"
    assert next(b for b in index if b["feed"] == "assessments")["file"] is None


def test_a_service_without_a_signing_key_refuses_to_make_a_bundle(
    client, world, paid_contract, app, db_session
):
    db_session.info.pop("tranche.keyring")
    response = client.get(
        f"/v1/contracts/{paid_contract.key}/audit-bundle", headers=world.headers["ector-isd"]
    )
    assert response.status_code == 409
    assert "No signing key is configured" in response.json()["detail"]


def test_verify_bundle_command_passes_a_clean_bundle_and_fails_a_changed_one(
    district_bundle, tmp_path
):
    clean = tmp_path / "clean.zip"
    clean.write_bytes(district_bundle)
    passed = CliRunner().invoke(cli, ["verify-bundle", str(clean)])
    assert passed.exit_code == 0, passed.stdout
    assert "bundle verified" in passed.stdout

    files = _files(district_bundle)
    files["statements.json"] = files["statements.json"].replace(b"2350.00", b"2351.00", 1)
    changed = tmp_path / "changed.zip"
    changed.write_bytes(_zip(files))
    failed = CliRunner().invoke(cli, ["verify-bundle", str(changed)])
    assert failed.exit_code == 1
    assert "FAIL statements.json: SHA-256 differs from the manifest" in failed.stdout


def test_verify_bundle_needs_no_database_and_no_server():
    code = (
        "import sys, app.bundles.check; "
        "bad = {m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'fastapi', 'starlette'}; "
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_obligation_records_travel_in_the_bundle_and_the_recomputation_uses_them(
    client, world, definition
):
    from tests.reports.conftest import REPORT_DEFINITION_CHANGES, _post_csv, roster_csv

    district = world.headers["ector-isd"]
    document = definition(
        **REPORT_DEFINITION_CHANGES,
        obligations=[
            {
                "key": "devices",
                "text": "A device per student",
                "due": "2026-09-15",
                "covers": ["growth"],
            }
        ],
    )
    assert client.post("/v1/contracts", json=document, headers=district).status_code == 201
    client.post("/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"])
    _post_csv(client, "/v1/contracts/ector-hdt-2026/roster", roster_csv(), district)
    recorded = client.post(
        "/v1/contracts/ector-hdt-2026/obligations/devices",
        json={"status": "missed", "note": "no headsets"},
        headers=district,
    )
    assert recorded.status_code == 201, recorded.text
    content = _bundle(client, district, "ector-hdt-2026")
    files = _files(content)
    assert [r["status"] for r in json.loads(files["obligations.json"])] == ["missed"]
    evaluation = json.loads(files["evaluation.json"])
    growth = next(t for t in evaluation["tranches"] if t["key"] == "growth")
    assert growth["earned"] == "10000.00"  # a missed obligation earns the covered tranche in full
    report = check_bundle(content)
    assert report.ok, report.failures
    assert any("every figure matches" in note for note in report.notes)


def test_a_restated_day_counts_once_when_the_bundle_is_recomputed_offline(
    client, world, report_contract
):
    """Latest value wins for usage too (SPEC §2): verify-bundle must apply the same rule as
    the service, or a vendor's correction would be added to the days it corrects."""
    from tests.reports.conftest import MINUTES, _post_csv

    def dosage_numerator() -> int:
        evaluation = client.get(
            f"/v1/contracts/{report_contract}/evaluation",
            params={"as_of": AS_OF},
            headers=world.headers["ector-isd"],
        ).json()
        return int(evaluation["metrics"]["dosage_rate"]["numerator"])

    before = dosage_numerator()
    student = next(s for s, minutes in MINUTES.items() if minutes == 1200)  # 4 days x 300
    restated = (
        f"student_id,date,minutes,sessions\n{student},2026-10-01,0,0\n{student},2026-10-02,0,0\n"
    )
    _post_csv(
        client, f"/v1/contracts/{report_contract}/usage", restated, world.headers["bright-tutors"]
    )
    assert dosage_numerator() == before - 1  # 600 minutes now: below the 900-minute gate
    report = check_bundle(_bundle(client, world.headers["ector-isd"], report_contract))
    assert report.ok, report.failures
    assert any("every figure matches" in note for note in report.notes)
