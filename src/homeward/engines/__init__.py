"""Computational cores: pure Python, typed data in and out, no Django import and no I/O."""
