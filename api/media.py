"""GraphQL over HTTP's two response media types: which one a client's Accept header asks for,
and which answers are request errors, sent without data under the newer one."""

from strawberry.http import GraphQLHTTPResponse

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Ranges that take JSON too; the newer type must be named to be chosen, as the spec asks.
JSON_RANGES = {JSON, "application/*", "*/*"}


def response_media_type(accept: str | None) -> str:
    """application/graphql-response+json when Accept names it at least as highly as anything
    that takes JSON; else application/json, also for no Accept or only types we don't speak
    (the spec lets a server disregard such a header rather than answer 406)."""
    graphql_quality = json_quality = 0.0
    for media_range in (accept or "").split(","):
        kind, *parameters = (part.strip().lower() for part in media_range.split(";"))
        quality = _quality(parameters)
        if kind == GRAPHQL_RESPONSE:
            graphql_quality = max(graphql_quality, quality)
        elif kind in JSON_RANGES:
            json_quality = max(json_quality, quality)
    return GRAPHQL_RESPONSE if graphql_quality > 0 and graphql_quality >= json_quality else JSON


def _quality(parameters: list[str]) -> float:
    """A media range's q parameter (1 when absent); 0, refusing it, when q is no number
    from 0 to 1."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            return quality if 0 <= quality <= 1 else 0.0
    return 1.0


def is_request_error(response: GraphQLHTTPResponse) -> bool:
    """Whether the operation was stopped before it ran: the document did not parse or
    validate, or a variable did not coerce. Such errors point at no field (no path); an error
    raised while executing does, even when it nulls the whole data."""
    errors = response.get("errors") or []
    return (
        response.get("data") is None
        and bool(errors)
        and not any(isinstance(error, dict) and "path" in error for error in errors)
    )
