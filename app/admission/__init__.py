"""Admission: who is asking, and what they may send, before the application reads a byte of it
(SPEC §3 "Limits"). See `middleware.py`."""
