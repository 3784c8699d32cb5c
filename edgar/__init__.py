"""edgar: SEC EDGAR access and parsing (framework-free)."""
