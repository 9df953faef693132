// The SPA's settings come from /spa/config.json, which the stack renders from its environment
// (nginx/templates/spa): nothing about the tenant is built into the bundle.

const REQUIRED = ["authority", "clientId", "apiScope"];

/** Fetch and check the configuration the stack serves beside the page. */
export async function loadConfig(url = "config.json") {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`Could not load ${url}: HTTP ${response.status}`);
  }
  const config = await response.json();
  const missing = REQUIRED.filter((name) => !config[name]);
  if (missing.length) {
    throw new Error(`${url} lacks ${missing.join(", ")}`);
  }
  return {
    graphMeUrl: "/graph/me",
    ...config,
    // Hosts msal-browser may trust besides the authority's (the issuer's, when it differs).
    knownAuthorities: String(config.knownAuthorities ?? "").split(/\s+/).filter(Boolean),
  };
}
