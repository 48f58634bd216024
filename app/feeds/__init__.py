"""Feed parsing and validation: the bytes a district or vendor posts → a typed frame.

Pure: the standard library, pandas, numpy, pyarrow and ``app.engine.frames``/``feed_schema``
only. The ingestion service and ``tranche evaluate`` both call :func:`parse_feed`.
"""

from app.feeds.columns import FEED_COLUMNS, REQUIRED_COLUMNS, Feed
from app.feeds.digest import rows_digest
from app.feeds.parse import ParsedFeed, parse_feed
from app.feeds.problems import FeedRejected, RowProblem
from app.feeds.writing import feed_csv

__all__ = [
    "FEED_COLUMNS",
    "REQUIRED_COLUMNS",
    "Feed",
    "FeedRejected",
    "ParsedFeed",
    "RowProblem",
    "feed_csv",
    "parse_feed",
    "rows_digest",
]
