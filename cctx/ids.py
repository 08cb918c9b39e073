"""The range of person and conversation ids: what both engines store as a 64-bit integer."""

MAX_ID = 2**63 - 1
