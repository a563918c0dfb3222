"""notecheck's HTTP service (CONTRACT.md §5): `service.app.create_app` builds the FastAPI app,
`service.run.serve` runs it under uvicorn (`notecheck serve`)."""
