"""The case library and the annual selection of ten typical cases (SPEC §6)."""
