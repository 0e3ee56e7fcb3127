"""集体资金 — the collective's ledger of income and expenses, and the funds kept apart by rule."""
