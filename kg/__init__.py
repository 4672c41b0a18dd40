"""The `kg` command line: a thin layer over graph, loaders, queries and viz. Nothing imports it."""
