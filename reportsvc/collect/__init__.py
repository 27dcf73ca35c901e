"""Collecting an area's section from the database: the context, the standard section, indicator roll-up."""
