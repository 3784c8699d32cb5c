"""edgar: SEC EDGAR access (URL layout, offline mirror, live HTTP client)."""
