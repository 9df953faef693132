"""A tiny app behind nginx that shows who nginx says the signed-in user is."""
