"""What a person can do about the sign-in errors Microsoft Entra most often answers with."""

from __future__ import annotations

ASK_ADMIN = "If this keeps happening, send the error code to your IT department."
HINTS = {
    "access_denied": (
        "To use this app, sign in again and choose Accept on the permissions page. "
        "If you are not allowed to accept, ask your IT department to approve the app."
    ),
    "AADSTS65004": (
        "You declined the permissions this app asks for. To use it, sign in again and "
        "choose Accept, or ask your IT department to approve the app for everyone."
    ),
    "AADSTS65001": (
        "This app needs permissions nobody has approved yet. Sign in again and accept them, "
        "or ask your IT department to grant consent for the app."
    ),
    "AADSTS50105": "Your account has not been given access to this app. Ask your IT department.",
    "AADSTS53003": (
        "Your organization's access policies blocked this sign-in (for example from this "
        "device or location). Contact your IT department."
    ),
    "AADSTS50076": "Your organization asks for a second sign-in step. Sign in again to do it.",
    "AADSTS50079": "Your organization asks you to set up a second sign-in step first.",
    "AADSTS50020": (
        "Your account does not belong to this organization. Sign in with an account of the "
        "organization, or ask to be invited as a guest."
    ),
    "AADSTS90072": (
        "Your account does not belong to this organization. Sign in with an account of the "
        "organization, or ask to be invited as a guest."
    ),
    "AADSTS54005": "That sign-in was already used. Sign in again.",
    "AADSTS70008": "That sign-in took too long and expired. Sign in again.",
    "AADSTS50011": (
        "The app's sign-in address is not registered with Microsoft. The app's administrator "
        "must add this site's callback URL to the app registration."
    ),
    "AADSTS700016": (
        "Microsoft does not know this app in your organization. The app's administrator "
        "should check its client ID and tenant."
    ),
    "AADSTS7000215": "The app's own credentials are wrong. Tell the app's administrator.",
    "AADSTS7000222": "The app's own credentials have expired. Tell the app's administrator.",
}


def hint_for(error_code: str | None) -> str | None:
    """Plain advice for an error code (an AADSTS number or an OAuth error), or None."""
    if not error_code:
        return None
    if error_code in HINTS:
        return HINTS[error_code]
    return ASK_ADMIN if error_code.startswith("AADSTS") else None
