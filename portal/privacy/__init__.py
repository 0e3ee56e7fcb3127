"""个人信息删除 — erasing a person's personal data without breaking the log."""
