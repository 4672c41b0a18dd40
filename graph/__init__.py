"""The schema registry, the validated facts and the in-memory graph built from them."""
