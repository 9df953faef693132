// Sign in with the authorization code flow and PKCE (msal-browser, loginRedirect), show who
// signed in, call /graph/me with the access token for our API, and sign out.
import { PublicClientApplication, InteractionRequiredAuthError } from "@azure/msal-browser";
import { loadConfig } from "./config.js";

const $ = (id) => document.getElementById(id);

function show(signedIn) {
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
}

function status(text) {
  $("status").textContent = text;
}

async function tokenFor(msal, config, account) {
  const request = { scopes: [config.apiScope], account };
  try {
    return await msal.acquireTokenSilent(request);
  } catch (error) {
    if (error instanceof InteractionRequiredAuthError) {
      await msal.acquireTokenRedirect(request);
    }
    throw error;
  }
}

async function callGraphMe(msal, config, account) {
  const { accessToken } = await tokenFor(msal, config, account);
  const response = await fetch(config.graphMeUrl, {
    headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" },
  });
  const text = await response.text();
  $("graph-me").textContent = `HTTP ${response.status}\n${text}`;
  $("graph-me").dataset.status = String(response.status);
}

async function main() {
  const config = await loadConfig();
  const redirectUri = new URL(".", window.location.href).href;
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri,
      postLogoutRedirectUri: redirectUri,
    },
    cache: { cacheLocation: "sessionStorage" },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  const account = result?.account ?? msal.getAllAccounts()[0];
  $("sign-in").addEventListener("click", () =>
    msal.loginRedirect({ scopes: ["openid", "profile", "offline_access", config.apiScope] })
  );
  // The ID token tells the identity platform which app signs out, so that it may send the
  // browser back here (a registered post-logout redirect URI).
  $("sign-out").addEventListener("click", () =>
    msal.logoutRedirect({ account, idTokenHint: account?.idToken })
  );
  if (!account) {
    show(false);
    status("You are not signed in.");
    return;
  }
  msal.setActiveAccount(account);
  show(true);
  $("user-name").textContent = account.name ?? "";
  $("user-login").textContent = account.username;
  status("Signed in.");
  await callGraphMe(msal, config, account);
}

main().catch((error) => {
  status(`Something went wrong: ${error.message ?? error}`);
  $("status").dataset.error = "true";
});
