"""分红 — dividend plans, their exact lists, payout, and each household's private check."""
