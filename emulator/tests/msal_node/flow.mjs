// Unmodified MSAL Node (ConfidentialClientApplication) against a running emulator: the auth
// code URL, the emulator's sign-in page driven over HTTP as a browser would, the code
// redeemed, then a token from the cache and one refreshed. Prints one JSON line for the test.
// Environment: EMULATOR_URL, TENANT_ID, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERNAME;
// NODE_EXTRA_CA_CERTS names the emulator's CA.
import { ConfidentialClientApplication } from "@azure/msal-node";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const SCOPES = ["User.Read"];
const redirectUri = env("REDIRECT_URI");

function unescapeHtml(text) {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#34;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function attribute(tag, name) {
  const match = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return match ? unescapeHtml(match[1]) : "";
}

/** The first form of a page: its action, hidden fields and submit buttons. */
function firstForm(html) {
  const form = html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/);
  if (!form) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
  const hidden = {};
  for (const input of form[1].match(/<input\b[^>]*>/g) ?? []) {
    if (attribute(input, "type") === "hidden") hidden[attribute(input, "name")] = attribute(input, "value");
  }
  const buttons = (form[1].match(/<button\b[^>]*>/g) ?? []).map((b) => ({
    name: attribute(b, "name"),
    value: attribute(b, "value"),
  }));
  return { action: attribute(form[0], "action"), hidden, buttons };
}

/** Open url, press the (name, value) buttons offered, return the code sent to redirectUri. */
async function signInOverHttp(url, username) {
  const cookies = new Map();
  let method = "GET";
  let body;
  for (let step = 0; step < 10; step += 1) {
    const response = await fetch(url, {
      method,
      body,
      redirect: "manual",
      headers: {
        ...(body ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
        Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = pair.split("=");
      cookies.set(name.trim(), rest.join("="));
    }
    const location = response.headers.get("location");
    if (location?.startsWith(redirectUri)) {
      const answer = new URL(location).searchParams;
      if (!answer.get("code")) throw new Error(`no code: ${location}`);
      return answer.get("code");
    }
    if (location) {
      url = new URL(location, url).href;
      method = "GET";
      body = undefined;
      continue;
    }
    const form = firstForm(await response.text());
    const button =
      form.buttons.find((b) => b.name === "username" && b.value === username) ??
      form.buttons.find((b) => b.value === "accept");
    if (!button) throw new Error(`no button for ${username} on the page`);
    url = new URL(form.action, url).href;
    method = "POST";
    body = new URLSearchParams({ ...form.hidden, [button.name]: button.value }).toString();
  }
  throw new Error("too many steps");
}

const emulator = new URL(env("EMULATOR_URL"));
const app = new ConfidentialClientApplication({
  auth: {
    clientId: env("CLIENT_ID"),
    clientSecret: env("CLIENT_SECRET"),
    authority: `${emulator.origin}/${env("TENANT_ID")}`,
    knownAuthorities: [emulator.host],
  },
});

const authCodeUrl = await app.getAuthCodeUrl({ scopes: SCOPES, redirectUri });
const code = await signInOverHttp(authCodeUrl, env("USERNAME"));
const byCode = await app.acquireTokenByCode({ code, scopes: SCOPES, redirectUri });
const cached = await app.acquireTokenSilent({ account: byCode.account, scopes: SCOPES });
const refreshed = await app.acquireTokenSilent({
  account: byCode.account,
  scopes: SCOPES,
  forceRefresh: true,
});
console.log(
  JSON.stringify({
    authCodeUrl,
    username: byCode.account.username,
    tenantId: byCode.account.tenantId,
    idTokenClaims: byCode.idTokenClaims,
    accessTokens: [byCode.accessToken, cached.accessToken, refreshed.accessToken],
    fromCache: [byCode.fromCache, cached.fromCache, refreshed.fromCache],
  })
);
