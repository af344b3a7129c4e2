"""Subscriptions out: change streams over graphql-transport-ws and GraphQL over SSE.

`service` runs one subscription for one principal (the same schema, policy walk and row
judge as queries, per event); `stream` decides which events a subscriber is sent; `rereads`
reads each event's records once per process; `ws` and `sse` are the two transports.
"""
