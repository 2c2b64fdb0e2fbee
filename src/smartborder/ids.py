"""Identifiers of the rows intake writes in bulk: time-ordered UUIDs (version 7, RFC 9562).

A message files a few hundred mentions, travellers, documents and bookings. With random
(version 4) keys each row lands anywhere in its table's primary-key index, so every message
dirtied a few hundred scattered index pages, and more as the tables grew: on SQLite, filing
was a fifth slower after three days of traffic than on an empty node. Keys that grow with time
are appended where the last ones went, on SQLite as on PostgreSQL, and still need no
coordination between nodes or processes.

Records that people name by the first characters of their id (assessments, lookouts,
consultations: ``travel show 3f2a``) keep random ids: the leading characters of a time-ordered
id are its time, shared by everything made in the same minute.
"""

from __future__ import annotations

from uuid_utils import uuid7


def new_id() -> str:
    """A new row identifier: a version 7 UUID as text, later than every one made before it in
    this process."""
    return str(uuid7())
