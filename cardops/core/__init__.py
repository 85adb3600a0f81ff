"""Shared mechanisms every feature uses: errors, access control, personal data, time."""
