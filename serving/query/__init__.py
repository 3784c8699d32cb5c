"""The API's read side: table snapshots held in memory, indexed for lookups, and DuckDB cursors over them."""

from serving.query.cache import ResponseCache
from serving.query.store import Snapshot, Store

__all__ = ["ResponseCache", "Snapshot", "Store"]
