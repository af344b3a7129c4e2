"""The example caseload UI (`examples/caseload-ui`) at `/ui/`, beside the API it calls.

Static files under a strict content security policy (the build has no inline script or
style, and talks only to this origin). In the demo, `/ui/demo-tokens.json` offers the demo
officers' tokens, as the GraphiQL page carries one: the demo key is public, so this gives
nothing a newcomer could not mint with `casegraph token`.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import tokens

UI_DIST = Path(__file__).parents[1] / "examples" / "caseload-ui" / "dist"
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
DEMO_OFFICERS = (("CRC C01 offender manager (demo.officer)", "C01", "C01T101", "demo.officer"),
                 ("CRC C16 offender manager (c16.officer)", "C16", "C16T105", "c16.officer"))


class Secured:
    """ASGI wrapper: the security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *(
                    (k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)
        await self.app(scope, receive, sending)


async def demo_tokens(_: Request) -> JSONResponse:
    return JSONResponse([{"label": label, "token": tokens.mint(org, staff=staff,
                                                               username=user, ttl_seconds=3600)}
                         for label, org, staff, user in DEMO_OFFICERS],
                        headers={"cache-control": "no-store"})


def ui_routes(directory: Path | None, demo: bool) -> list[BaseRoute]:
    """The UI's routes, or none when there is no built UI to serve."""
    if directory is None or not (directory / "index.html").is_file():
        return []
    routes: list[BaseRoute] = [Route("/ui/demo-tokens.json", demo_tokens)] if demo else []
    return [*routes, Mount("/ui", app=Secured(StaticFiles(directory=directory, html=True)))]
