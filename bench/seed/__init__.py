"""The benchmark's synthetic CoP: `python -m bench.seed --tier M` (see seeder.py)."""
