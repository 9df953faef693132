"""auth-service: sign-in, callback, sign-out and the session check nginx asks."""
