"""Test helpers shared by the unit and end-to-end tests (never imported by the bot itself)."""
