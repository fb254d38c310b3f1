"""Every technique here reaches past Django's public ORM; each has its own tests
(``tests/test_db.py``, run on SQLite and PostgreSQL).

- :mod:`execcoord.db.union`: several querysets of any models in one ``UNION ALL`` query
  (detail panels, the timeline, global search).
- :mod:`execcoord.db.arrays`: ``InArray``, membership in a list of ids sent as one parameter.
- :mod:`execcoord.db.counts`: counts capped at ``COUNT_CAP`` rows, and estimates beyond.
- :mod:`execcoord.db.pages`: pages past the first read by a deferred join.
- :mod:`execcoord.db.trees`: trees kept as materialised paths (units, executive actions),
  and the one cycle check of every tree.
- :mod:`execcoord.db.lookups`: ``__in`` on integer columns ignores out-of-range values.
- :mod:`execcoord.db.compiled`: a ``values()`` query compiled once per process and run again
  with another value (the user's scope, read on every request).

Submodules are imported where used; this package imports nothing at import time.
"""
