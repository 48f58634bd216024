"""The bundle's zip, written canonically: the same files always make the same bytes.

Uncompressed, fixed timestamps and attributes, manifest and signature first, then the other
files by name. So `tranche verify-bundle` can rebuild the archive from the files it checked
and compare byte for byte: a changed byte in a zip header (a timestamp, a flag, padding) that
no reader would notice still fails the check. Compression is left out on purpose: its output
may differ between zlib builds, and the bundle must check the same on every machine.
"""

from __future__ import annotations

import io
import zipfile

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
EPOCH = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date


def canonical_zip(files: dict[str, bytes]) -> bytes:
    first = [name for name in (MANIFEST, SIGNATURE) if name in files]
    names = first + sorted(set(files) - set(first))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever the platform writing it
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
