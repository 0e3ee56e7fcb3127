"""招租 — tender notices, bidder registration, open and sealed bidding, award and objections."""
