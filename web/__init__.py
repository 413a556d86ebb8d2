"""Pages and API endpoints that are not the flow's: the public verification of issued documents."""
