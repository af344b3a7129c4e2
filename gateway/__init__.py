"""The ASGI gateway: app factory, settings, authentication, GraphQL over HTTP, and the CLI."""
