"""The API's own description: the OpenAPI document and Swagger UI (assets served by the app
from the swagger-ui-bundle package: no CDN). Routes here, so that they are in the role matrix."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from blangko.web.deps import api_router

api = api_router()


@api.get("/api/openapi.json", name="api.openapi", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@api.get("/api/docs", name="api.docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI from the swagger-ui-bundle package: served by us, no CDN, started by a
    static script (the Content-Security-Policy allows no inline script)."""
    return HTMLResponse(
        """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>blangko API</title><link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/apidocs.js"></script>
</body></html>"""
    )
