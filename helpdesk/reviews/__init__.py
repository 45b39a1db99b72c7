"""Post-incident reviews: created when a major (or, by configuration, a P1/P2) incident is
resolved, written by people, with action items the worker reminds their owners of."""
