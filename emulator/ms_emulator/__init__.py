"""Local emulator of the Microsoft identity platform (v2.0) and Microsoft Graph v1.0."""

__version__ = "0.1.0"
