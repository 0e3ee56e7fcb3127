"""对账 — receipts, contract schedules, ledger income and the dividend pool compared per year."""
