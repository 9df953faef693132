"""A quickstart-style baseline: one Flask app signing users in as Microsoft's Python web app
sample documents it (MSAL's auth code flow, the token cache in a filesystem Flask-Session, a new
MSAL client per request), for the benchmarks to compare the stack with. Our own code."""
