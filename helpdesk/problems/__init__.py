"""Problem management: problem records and known errors, the incidents linked to them, and
their workaround and fix offered to those incidents. The only writer of problems."""
