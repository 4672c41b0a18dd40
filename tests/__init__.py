"""The tests of the project: a package, so that tests/graph/ can mirror graph/ without shadowing it."""
