"""State of signed-in users shared by the services: stores, token caches, identity assertions."""
