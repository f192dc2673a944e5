"""The cubes as the tables analysts work with: a pandas DataFrame (frame.py), read back from any
published distribution (read.py)."""
