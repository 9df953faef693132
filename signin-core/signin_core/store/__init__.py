"""Moving bytes by key with an expiry (Redis, memory), sealing records, the keys' names."""
