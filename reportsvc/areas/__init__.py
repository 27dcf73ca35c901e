"""Reform areas and indicators as plugins declare them, and matching a plan's headings to them."""
