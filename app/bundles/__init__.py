"""Audit bundles (SPEC §3): built by the service, checked offline by `tranche verify-bundle`."""
