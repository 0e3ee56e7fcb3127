"""开放数据 — the village's tenders, contracts and receipts as OCDS 1.1 release packages."""
