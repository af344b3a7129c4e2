"""The audit trail: who saw which offenders' data, when, through which operation.

    event.py   what one response disclosed, built from the request's Context
    chain.py   sealing entries into a hash chain, and verifying one
    sinks.py   where sealed entries go: a JSON-lines file or a PostgreSQL table
    trail.py   the bounded queue between the response path and the sink
"""
