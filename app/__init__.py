"""Tranche: the neutral ledger for outcome-based K-12 contracts."""
