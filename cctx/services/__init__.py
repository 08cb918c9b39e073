"""The rules of the domain: no click, no SQL, no printing; time comes in as ``now``."""
