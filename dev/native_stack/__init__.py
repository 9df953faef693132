"""Runs the whole stack natively on loopback: for `make dev`, the tests and the benchmark."""
