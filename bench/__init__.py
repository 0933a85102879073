"""Benchmarks: oov-bot measured over real HTTP against a bare Bolt app (see slash_latency.py)."""
