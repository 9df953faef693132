"""Errors the shared library raises to the services."""


class StoreUnavailableError(Exception):
    """The backing store (Redis) did not answer; the request may be retried later."""


class StoreFullError(StoreUnavailableError):
    """The store refused a write for lack of memory (Redis at maxmemory, which evicts nothing);
    reads still work, and the write may succeed once records have expired."""


class CredentialUnavailableError(Exception):
    """The service's own credential could not be read when a token request needed it."""


class ConfigurationError(Exception):
    """The service's configuration is missing or unsafe; the message names the variables."""
