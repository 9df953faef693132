"""Storage tests: stores, locks, token caches and sessions on real Redis deployments."""
