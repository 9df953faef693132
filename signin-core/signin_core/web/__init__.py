"""What both Flask services share at their edge: health routes, request logs, metrics and
gunicorn's configuration."""
