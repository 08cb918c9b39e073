"""What the services return: typed, immutable results whose ``to_dict()`` is the JSON contract, in one place.

One module per subject (cards, conversations, retention, admin), so that a command imports only the result
types it returns. Output renders a result by calling ``to_dict()`` (cctx/output ``render``); tests and
callers read attributes. Results are ``NamedTuple`` classes: immutable and typed like a frozen dataclass,
and a tenth of the cost to define, which every command pays at start-up.
"""
