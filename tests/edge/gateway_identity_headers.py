"""Headers in which identity gateways and proxies tell an app who the user is or where the
request came from: an app behind us might trust any of them, so no client may send them."""

from __future__ import annotations

GATEWAY_IDENTITY_HEADERS: dict[str, list[str]] = {
    "ours": [
        "X-User-Assertion", "X-User-Id", "X-User-Name", "X-User-Email", "X-User-Tenant",
        "X-Client-Principal", "X-Client-Principal-JWT", "X-User-Roles", "X-User-Groups",
    ],
    "azure-app-service": [
        "X-MS-CLIENT-PRINCIPAL", "X-MS-CLIENT-PRINCIPAL-ID", "X-MS-CLIENT-PRINCIPAL-NAME",
        "X-MS-CLIENT-PRINCIPAL-IDP", "X-MS-TOKEN-AAD-ID-TOKEN", "X-MS-TOKEN-AAD-ACCESS-TOKEN",
        "X-MS-TOKEN-AAD-REFRESH-TOKEN", "X-MS-TOKEN-AAD-EXPIRES-ON",
    ],
    "oauth2-proxy": [
        "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username",
        "X-Forwarded-Groups", "X-Forwarded-Access-Token", "X-Auth-Request-User",
        "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups",
        "X-Auth-Request-Access-Token",
    ],
    "pomerium": [
        "X-Pomerium-Jwt-Assertion", "X-Pomerium-Claim-Email", "X-Pomerium-Claim-User",
        "X-Pomerium-Claim-Groups", "X-Pomerium-Authenticated-User-Id",
        "X-Pomerium-Authenticated-User-Email",
    ],
    "authelia": ["Remote-User", "Remote-Groups", "Remote-Name", "Remote-Email"],
    "authentik": [
        "X-authentik-username", "X-authentik-groups", "X-authentik-email", "X-authentik-uid",
        "X-authentik-jwt",
    ],
    "cloudflare-access": ["Cf-Access-Jwt-Assertion", "Cf-Access-Authenticated-User-Email"],
    "google-iap": [
        "X-Goog-Iap-Jwt-Assertion", "X-Goog-Authenticated-User-Email",
        "X-Goog-Authenticated-User-Id",
    ],
    "aws-alb": [
        "X-Amzn-Oidc-Data", "X-Amzn-Oidc-Identity", "X-Amzn-Oidc-Accesstoken",
        "X-Amzn-Mtls-Clientcert",
    ],
    "grafana-auth-proxy": [
        "X-WEBAUTH-USER", "X-WEBAUTH-EMAIL", "X-WEBAUTH-NAME", "X-WEBAUTH-GROUPS",
        "X-WEBAUTH-ROLE",
    ],
    "apache-and-kubernetes": [
        "X-Remote-User", "X-Remote-Email", "X-Remote-Group", "X-Remote-Groups",
    ],
    "kong": [
        "X-Authenticated-Userid", "X-Authenticated-Scope", "X-Consumer-Id",
        "X-Consumer-Username", "X-Consumer-Custom-Id", "X-Credential-Identifier",
    ],
    "keycloak-gatekeeper": [
        "X-Auth-Userid", "X-Auth-Username", "X-Auth-Subject", "X-Auth-Email", "X-Auth-Roles",
        "X-Auth-Groups", "X-Auth-Token",
    ],
    "vouch-tailscale-teleport": [
        "X-Vouch-User", "X-Vouch-Token", "Tailscale-User-Login", "Tailscale-User-Name",
        "Teleport-Jwt-Assertion",
    ],
    "client-certificates": [
        "X-Forwarded-Client-Cert", "X-SSL-Client-Cert", "X-SSL-Client-DN",
        "X-SSL-Client-Verify", "X-Client-Cert", "Ssl-Client-Cert", "Ssl-Client-Verify",
    ],
    "generic": [
        "X-User", "X-Username", "X-Email", "X-Authenticated-User", "X-Authenticated-Email",
        "X-Authenticated-Groups", "X-Auth-User",
    ],
    "forwarding": [
        "Forwarded", "X-Real-IP", "X-Client-IP", "X-Cluster-Client-IP", "True-Client-IP",
        "CF-Connecting-IP", "Fastly-Client-IP", "X-Originating-IP", "X-Forwarded-Port",
        "X-Forwarded-Server", "X-Forwarded-Ssl", "X-Forwarded-Scheme", "X-Forwarded-Uri",
        "X-Forwarded-Method", "X-Url-Scheme", "Front-End-Https", "X-Original-URL",
        "X-Rewrite-URL", "X-Original-Host",
    ],
}  # fmt: skip


def forged(names: list[str]) -> dict[str, str]:
    """Each name with a value only a client could have sent, and that says so."""
    return {name: f"forged-{name.lower()}" for name in names}


def forged_arrivals(received: dict[str, str]) -> dict[str, str]:
    """The headers in received that carry a value only a client sent (forged above)."""
    return {name: value for name, value in received.items() if value.startswith("forged-")}
