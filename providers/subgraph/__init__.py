"""Remote GraphQL subgraphs (Apollo Federation v2) as providers of the fields they add."""
