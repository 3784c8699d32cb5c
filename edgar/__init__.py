"""edgar."""
