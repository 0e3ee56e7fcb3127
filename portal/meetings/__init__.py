"""会议纪要 — village meetings (村民代表会议, 三重一大) and what they decided."""
