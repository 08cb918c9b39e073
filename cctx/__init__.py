"""cctx: the customer context of a contact center, administered from the command line."""

__version__ = "0.1.0"
