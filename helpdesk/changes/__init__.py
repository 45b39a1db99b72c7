"""Change records: created in the console or the API or mirrored from an external change
system, and the incidents they caused. The only writer of changes."""
