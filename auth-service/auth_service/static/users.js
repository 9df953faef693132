// Fills the people table from /graph/users (the quickstart's Graph call), through nginx,
// with the session cookie. Text only goes in with textContent, never as HTML.
"use strict";

const statusLine = document.getElementById("users-status");
const table = document.getElementById("users-table");

function showStatus(text, { problem = false, link = null } = {}) {
  statusLine.replaceChildren(text);
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    statusLine.append(" ", anchor);
  }
  statusLine.classList.toggle("problem", problem);
  statusLine.hidden = false;
}

function loginAgainUrl(loginUrl) {
  // Come back to this page, not to the JSON of /graph/users.
  const url = new URL(loginUrl || "/login", window.location.origin);
  url.searchParams.set("next", window.location.pathname);
  return url.pathname + url.search;
}

function addRow(body, user) {
  // Roles as in users.html: the table stays one for screen readers on a phone's layout.
  const row = body.insertRow();
  row.setAttribute("role", "row");
  for (const value of [user.displayName, user.mail || user.userPrincipalName, user.jobTitle]) {
    const cell = row.insertCell();
    cell.setAttribute("role", "cell");
    cell.textContent = value || "";
  }
}

async function loadUsers() {
  showStatus("Loading people from Microsoft Graph…");
  let answer;
  try {
    answer = await fetch("/graph/users", { headers: { Accept: "application/json" } });
  } catch {
    showStatus("We could not reach the server. Check your connection and reload the page.", { problem: true });
    return;
  }
  const payload = await answer.json().catch(() => ({}));
  if (answer.ok) {
    const people = payload.value || [];
    const body = table.tBodies[0];
    body.replaceChildren();
    people.forEach((user) => addRow(body, user));
    table.hidden = false;
    showStatus(people.length === 1 ? "1 person" : `${people.length} people`);
    return;
  }
  const error = payload.error || {};
  if (answer.status === 401) {
    window.location.assign(loginAgainUrl(error.login_url));
  } else if (error.login_url) {
    showStatus(error.message || "Microsoft asks you to sign in again.", {
      problem: true,
      link: { href: loginAgainUrl(error.login_url), text: "Sign in again" },
    });
  } else {
    const code = error.code ? ` (${error.code})` : "";
    showStatus(`Microsoft Graph did not answer${code}: ${error.message || answer.statusText}. Reload to try again.`, {
      problem: true,
    });
  }
}

loadUsers();
