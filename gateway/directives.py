"""The built-in directives, advertised as the GraphQL specification (October 2021) has them.

graphql-core 3.3 lets `@deprecated` stand on a directive definition too, a location that
graphql-js 16 does not know. Introspection tells clients the directive's locations; tools
that turn the answer back into SDL and parse it with graphql-js 16 (graphql-codegen through
graphql-tools, still most front-end projects) stop at `DIRECTIVE_DEFINITION` with a syntax
error. Nothing in this schema deprecates a directive, so the location is dropped.
"""

from __future__ import annotations

from graphql import DirectiveLocation, GraphQLDirective, GraphQLSchema

SPEC_LOCATIONS = frozenset(DirectiveLocation) - {
    getattr(DirectiveLocation, "DIRECTIVE_DEFINITION", None)}


def _portable(directive: GraphQLDirective) -> GraphQLDirective:
    locations = tuple(loc for loc in directive.locations if loc in SPEC_LOCATIONS)
    if locations == tuple(directive.locations):
        return directive
    return GraphQLDirective(directive.name, locations, args=directive.args,
                            is_repeatable=directive.is_repeatable,
                            description=directive.description,
                            extensions=directive.extensions)


def advertise_spec_locations(schema: GraphQLSchema) -> None:
    """Drop directive locations newer than the specification from what introspection shows."""
    schema.directives = tuple(_portable(d) for d in schema.directives)
