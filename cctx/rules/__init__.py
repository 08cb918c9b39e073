"""The domain rules, one module each, every rule in one home: its SQL fragment, which the stores compose into
their queries, and its Python predicate over the same rows, side by side; tests/rules checks that the two
agree on real databases of both engines.

- visibility.py: what a customer's history shows (not a tombstone, not a posts channel, not expired by
  retention) and what an agent may see of it;
- autolink.py: a conversation whose contact a person owns is linked to that person (auto-link);
- display_names.py: who a conversation says the agent is talking with (the display-name rule).

A rule module holds fragments and predicates, never a query of its own, and imports nothing from the
stores or the services.
"""
