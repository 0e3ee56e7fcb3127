"""流转委托 — households entrusting their contracted land to the village for consolidated leasing."""
