"""问题清单 — the supervisory committee's findings: what is wrong, in which records, who must fix
it by when, tracked in public from open through rectification to closure."""
