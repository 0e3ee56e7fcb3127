"""导入 — historical parcels, contracts and receipts from a village ledger (Excel or CSV),
checked whole before anything is written, then written as one audited batch."""
