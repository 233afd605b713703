"""Benchmarks that print figures: ``python -m bench`` (``make bench``); see BENCHMARKS.md.

The harness drives the project only through its public surface: the management commands,
``liveblog.commands``, the reader pages and the WebSocket push channel. Servers, readers and
publishers run as separate processes on loopback, and everything they create is removed
when the run ends, however it ends.
"""
