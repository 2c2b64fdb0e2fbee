"""Integrated Border Enforcement Team cases: a case shared among named agencies of both
countries, with subjects screened against both nodes' lookouts, a timeline of events, tasks and
attachments, read only by the officers named on it (need-to-know, enforced and audited on every
read), kept in step between the nodes by signed envelopes, and closed with an outcome."""
