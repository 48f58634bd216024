"""The browser app under ``/app`` (SPEC §6): server-rendered pages over the same services as
the API. Pages parse a form, call one service function and render; no rule lives here."""
