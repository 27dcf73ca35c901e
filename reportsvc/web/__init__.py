"""Web interface: Flask blueprints (one per module)."""
