"""Reaching the identity platform (MSAL clients, credentials, outbound https) and the identity
assertions auth-service signs for graph-service."""
