"""Personal Microsoft accounts: the consumers tenant and which apps and authorities take them."""

from __future__ import annotations

from ms_emulator.aad_errors import AadError
from ms_emulator.directory_models import AppRegistration, User

# The fixed id of the Microsoft account tenant, in every personal account's tid and issuer.
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
CONSUMERS_SEGMENT = "consumers"
# signInAudience values, as the app registration manifest names them.
WORK_ONLY_AUDIENCES = ("AzureADMyOrg", "AzureADMultipleOrgs")
WORK_AND_PERSONAL = "AzureADandPersonalMicrosoftAccount"
PERSONAL_ONLY = "PersonalMicrosoftAccount"
SIGN_IN_AUDIENCES = (*WORK_ONLY_AUDIENCES, WORK_AND_PERSONAL, PERSONAL_ONLY)
# What Entra calls the directory personal accounts belong to, in its error messages.
CONSUMERS_DIRECTORY_NAME = "Microsoft Services"


def is_personal(tenant_id: str) -> bool:
    """True for the Microsoft account (consumers) tenant."""
    return tenant_id.lower() == CONSUMERS_TENANT_ID


def accepts_personal(app: AppRegistration) -> bool:
    """True when the app's audience includes personal Microsoft accounts."""
    return app.sign_in_audience in (WORK_AND_PERSONAL, PERSONAL_ONLY)


def accepts_work(app: AppRegistration) -> bool:
    """True when the app's audience includes work and school accounts."""
    return app.sign_in_audience != PERSONAL_ONLY


def account_refusal(app: AppRegistration, user: User) -> AadError | None:
    """Entra's error when the app's audience excludes this kind of account, else None."""
    if is_personal(user.tenant_id) and not accepts_personal(app):
        return AadError(
            "invalid_request",
            50020,
            f"User account '{user.upn}' from identity provider 'live.com' does not exist in "
            f"tenant '{CONSUMERS_DIRECTORY_NAME}' and cannot access the application "
            f"'{app.client_id}'({app.display_name}) in that tenant. The account needs to be "
            "added as an external user in the tenant first.",
        )
    if not is_personal(user.tenant_id) and not accepts_work(app):
        return AadError(
            "invalid_request",
            9002331,
            f"Application '{app.client_id}'({app.display_name}) is configured for use by "
            "Microsoft Account users only. Please use the /consumers endpoint to serve "
            "this request.",
        )
    return None
