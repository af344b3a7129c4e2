"""Which media type a GraphQL response goes out as, from the client's `Accept` header.

GraphQL over HTTP names `application/graphql-response+json` (status codes carry meaning: a
request error is 400) and keeps `application/json` for older clients (always 200). A client
that accepts neither gets 406.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    found = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            found.append((media.lower(), quality))
    return found


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """(q, specificity) of the most specific range matching `media_type`."""
    kind = media_type.split("/")[0]
    best = (0.0, -1)
    for media, quality in ranges:
        specificity = (2 if media == media_type else 1 if media == f"{kind}/*"
                       else 0 if media == "*/*" else -1)
        if specificity > best[1]:
            best = (quality, specificity)
    return best


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither of ours."""
    if not accept or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    new, legacy = _quality(GRAPHQL_RESPONSE, ranges), _quality(JSON, ranges)
    if new[0] <= 0 and legacy[0] <= 0:
        return None
    # Named explicitly, the new type wins a tie; reached only through a wildcard, JSON does.
    if new[0] > legacy[0] or (new[0] == legacy[0] and new[1] == 2):
        return GRAPHQL_RESPONSE
    return JSON
