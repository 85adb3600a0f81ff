"""Compliance reminders and notifications (合规提醒, SPEC §7)."""
