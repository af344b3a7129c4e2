"""The GraphQL schema: strawberry types, the request context, loaders and the root query."""
