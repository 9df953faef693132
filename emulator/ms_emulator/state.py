"""The emulator's mutable state, built once per app and reached through the app object."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ms_emulator.auth_codes import AuthorizationCodeStore
from ms_emulator.browser_sessions import BrowserSessionStore
from ms_emulator.directory import Directory, load_seed
from ms_emulator.faults import FaultInjector
from ms_emulator.key_ring import KeyRing
from ms_emulator.refresh_tokens import RefreshTokenStore
from ms_emulator.request_counters import RequestCounters
from ms_emulator.second_factor import SecondFactors
from ms_emulator.settings import EmulatorSettings
from ms_emulator.token_issuer import TokenIssuer

EXTENSION_KEY = "ms_emulator"


@dataclass
class EmulatorState:
    """All in-memory stores; each guards itself with its own lock."""

    settings: EmulatorSettings
    directory: Directory
    keys: KeyRing
    issuer: TokenIssuer
    codes: AuthorizationCodeStore
    refresh_tokens: RefreshTokenStore
    browser_sessions: BrowserSessionStore
    faults: FaultInjector
    counters: RequestCounters
    second_factors: SecondFactors

    def reset(self) -> None:
        """Go back to the seed: directory, codes, tokens, sessions, faults and counters."""
        fresh = build_state(self.settings, self.keys)
        stores = ("directory", "codes", "refresh_tokens", "browser_sessions", "faults")
        for name in (*stores, "second_factors"):
            setattr(self, name, getattr(fresh, name))
        self.counters.reset()


def build_state(settings: EmulatorSettings, keys: KeyRing | None = None) -> EmulatorState:
    """Create the stores from the seed file and the key ring in the state directory."""
    key_ring = keys or KeyRing(settings.state_dir, settings.retired_key_grace)
    return EmulatorState(
        settings=settings,
        directory=Directory(load_seed(settings.seed_path)),
        keys=key_ring,
        issuer=TokenIssuer(key_ring, access_token_length=settings.access_token_length),
        codes=AuthorizationCodeStore(),
        refresh_tokens=RefreshTokenStore(
            settings.refresh_token_lifetime, token_length=settings.refresh_token_length
        ),
        browser_sessions=BrowserSessionStore(),
        faults=FaultInjector(),
        counters=RequestCounters(),
        second_factors=SecondFactors(),
    )


def current_state() -> EmulatorState:
    """The state of the app handling the current request."""
    state: EmulatorState = current_app.extensions[EXTENSION_KEY]
    return state
