"""监委会工作台 — the committee's audit desk: the log as a timeline, "verify now", alerts."""
