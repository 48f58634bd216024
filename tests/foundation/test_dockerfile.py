"""No Docker engine runs here, so at least prove the image's inputs exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_path_the_dockerfile_copies_exists():
    copies = re.findall(r"^COPY\s+(.+)$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert copies
    for line in copies:
        *sources, _destination = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_the_image_runs_as_a_non_root_user_and_migrates_before_serving():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER\s+(?!root)\w+", text, flags=re.MULTILINE)
    command = re.search(r"^CMD (.+)$", text, flags=re.MULTILINE).group(1)
    assert command.index("db upgrade") < command.index("serve")
