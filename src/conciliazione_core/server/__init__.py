"""The HTTP API: ``conciliazione serve``, for applications in any language (docs/http.md).

Needs the ``server`` extra (``pip install 'conciliazione-core[server]'``): Starlette for the
application, uvicorn to serve it. Safe by default: it listens on loopback only, bounds each
request's body and time, reads no file a request names, and allows no cross-origin calls.
:func:`create_app` gives the ASGI application, to mount or serve with another ASGI server.
"""

from __future__ import annotations

from conciliazione_core.server._app import Settings, create_app

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Settings", "create_app", "serve"]

DEFAULT_HOST = "127.0.0.1"
"""Loopback: other machines reach the server only when ``--host`` says so."""
DEFAULT_PORT = 8000


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    settings: Settings | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Serve the API with uvicorn until interrupted."""
    import uvicorn

    from conciliazione_core._host import default_host

    app = create_app(settings if settings is not None else Settings())
    default_host()  # load the plugins before the first request, not during it
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)
