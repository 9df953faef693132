"""graph-service: calls Microsoft Graph for the signed-in user."""
