"""Tables of the statements domain."""

from __future__ import annotations
