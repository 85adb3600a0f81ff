"""Anti-impersonation risk rules (防冒补规则, SPEC §3.4) as a registry: one small unit per rule."""
