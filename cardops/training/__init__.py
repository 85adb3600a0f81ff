"""The district's trainers (小教员) and the log of training sessions (SPEC §5)."""
