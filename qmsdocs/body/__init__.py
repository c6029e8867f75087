"""Putting a foreign Word document (the body) under control: inspect, clean, convert, frame, read back."""
