"""The rate limits' defaults (per client address per minute), apart so config.py can read them
without importing Flask or SQLAlchemy."""
from __future__ import annotations

# What a reader asks for in a minute, with room to spare: a committee member printing a village's
# notices, a phone checking a page (a proof or two), someone searching as they type.
DEFAULT_LIMITS = {"pdf": 20, "export": 30, "proof": 120, "search": 60}
BUCKET_NAMES = {"pdf": "打印版（PDF）", "export": "下载文件", "proof": "核验证明", "search": "搜索"}
