"""Domain events: the HMPPS envelope in (from a broker), typed changes out (to subscribers).

`envelope` reads and writes the HMPPS domain-event envelope; `hub` fans one process's
consumed events out to its subscribers through bounded queues. The broker seam (NATS
JetStream, Redis Streams) feeds a hub; subscriptions read from one.
"""
