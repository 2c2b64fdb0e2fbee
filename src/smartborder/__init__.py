"""smartborder: the Canada-US Smart Border Action Plan information systems, one node per agency."""

__version__ = "0.1.0"
