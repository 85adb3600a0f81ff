"""The reissue workflow (SPEC §3): intake, identity checks, review, receipt, arrival, pickup."""
