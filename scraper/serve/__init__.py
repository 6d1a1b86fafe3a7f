"""Datasette on the archive: the runner, the search plugin, its templates and metadata."""
