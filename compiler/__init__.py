"""heed: a rule language for safe-messaging hints, its compiler and the `heed` command."""

__version__ = "0.1.0"
