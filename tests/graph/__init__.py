"""Unit tests of the graph domain, one file per module of graph/."""
