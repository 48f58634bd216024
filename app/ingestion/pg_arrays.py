"""A column of hundreds of thousands of values as one PostgreSQL parameter, built in C++.

psycopg dumps a Python list to an array parameter element by element, in Python: for the
~500k row addresses a restating batch un-flags, or the ~60k totals rows of a 1M-row batch,
that cost more than the statements using them (measured, bench/RESULTS.md). Here an Arrow
column is joined into PostgreSQL's array literal by pyarrow, and the server parses it
(``CAST(:values AS bigint[])``).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def array_literal(values: pa.Array | pa.ChunkedArray) -> str:
    """``values`` as PostgreSQL array text: ``{1,2,NULL}``, ``{"a","b \\"c\\""}``. Every
    text element is quoted, so a comma, a brace, a blank or the word NULL stays itself."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if len(values) == 0:
        return "{}"
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
        text = pc.binary_join_element_wise('"', escaped, '"', "")
    else:
        text = pc.cast(values, pa.string())
    text = pc.fill_null(text, "NULL")
    whole = pa.ListArray.from_arrays(pa.array([0, len(text)], pa.int32()), text)
    joined: str = pc.binary_join(whole, ",")[0].as_py()
    return "{" + joined + "}"
