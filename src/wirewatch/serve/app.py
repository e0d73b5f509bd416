"""FastAPI app: REST API under /api and the dashboard at /.

Reading needs no token unless the app is private; writing (POST /api/articles)
needs the bearer token set with WIREWATCH_TOKEN, and without one the app is
read-only. Every parameter is validated; bad ones get a 4xx JSON error.
"""
from __future__ import annotations

import datetime as dt
import hmac
from importlib import resources
from typing import Optional

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from pydantic import BaseModel, Field

from ..store import Store, event_dict

MAX_PAGE = 500
# request bodies past this many bytes get 413: the longest article accepted (1,000,000 characters)
# fits even when the client escapes every character as JSON \uXXXX (6 bytes), with room for metadata
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_OFFSET = 10**9
MAX_ID = 2**62
STATIC = resources.files("wirewatch.serve") / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {tiles}; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=1_000_000, pattern=r"\S")
    date: Optional[dt.date] = None
    title: Optional[str] = Field(default=None, max_length=1000)
    source: Optional[str] = Field(default=None, max_length=300)
    url: Optional[str] = Field(default=None, max_length=2000)
    id: Optional[str] = Field(default=None, max_length=300)


class EventFilters:
    def __init__(self, since: Optional[dt.date] = None, until: Optional[dt.date] = None,
                 country: Optional[str] = Query(None, max_length=100), admin1: Optional[str] = Query(None, max_length=100),
                 type: Optional[str] = Query(None, max_length=64), sub_type: Optional[str] = Query(None, max_length=64),
                 actor: Optional[str] = Query(None, max_length=200), text: Optional[str] = Query(None, max_length=200),
                 min_confidence: Optional[float] = Query(None, ge=0.0, le=1.0), disputed: bool = False):
        if since and until and since > until:
            raise HTTPException(400, "since is after until")
        self.values = {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
                       "country": country, "admin1": admin1, "type": type, "sub_type": sub_type, "actor": actor,
                       "text": text, "min_confidence": min_confidence, "disputed": disputed}


def tile_origin(url: str) -> str:
    """The origin the page may load map tiles from ('https://*.tile.openstreetmap.org')."""
    from urllib.parse import urlsplit
    if not url.startswith(("http://", "https://")):
        return ""
    parts = urlsplit(url.replace("{s}", "x"))
    host = parts.netloc.replace("x.", "*.", 1) if "{s}." in url else parts.netloc
    return f"{parts.scheme}://{host}"


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is refused with 413 and a JSON error, whether
    it announces its length (Content-Length) or streams it (chunked); nothing past the limit is read."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await self._refuse(send, bad=not length.isdigit())
        seen = 0
        started = refused = False

        async def limited_receive():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # answer now and tell the app the client has gone: it reads no further
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if refused:
                return                  # the 413 is the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send, bad: bool = False):
        status = 400 if bad else 413
        msg = "Content-Length is not a number" if bad else f"request body over {self.limit} bytes"
        response = JSONResponse({"error": msg}, status_code=status, headers={
            "Content-Security-Policy": "default-src 'none'; object-src 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})
        await response({"type": "http"}, None, send)


def create_app(store: Store, token: Optional[str] = None, private: bool = False,
               tile_url: str = "", extractor=None,
               max_body_bytes: int = MAX_BODY_BYTES, cors_origins: Optional[list[str]] = None) -> FastAPI:
    """The API and dashboard over ``store``. Cross-origin reads are refused (no CORS headers) unless
    ``cors_origins`` lists the origins allowed (e.g. ``["https://analysis.example.org"]``)."""
    app = FastAPI(title="wirewatch", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Conflict events coded from news, with the evidence of every field.")
    state = {"extractor": extractor}
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(BodyLimit, limit=max_body_bytes)

    def bearer(request: Request) -> Optional[str]:
        h = request.headers.get("authorization", "")
        return h[7:] if h.lower().startswith("bearer ") else None

    def check(request: Request, required: bool) -> None:
        if not required:
            return
        given = bearer(request)
        if token is None:
            raise HTTPException(403, "this server is read-only: start it with WIREWATCH_TOKEN set to accept writes")
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "a valid bearer token is required")

    def reader(request: Request) -> None:
        check(request, private)

    def writer(request: Request) -> None:
        check(request, True)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                             for e in exc.errors())
        return JSONResponse({"error": problems or "invalid request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_, exc: StarletteHTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        tiles = tile_origin(tile_url)
        response.headers["Content-Security-Policy"] = CSP.format(tiles=tiles)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/api/health")
    def health():
        return {"status": "ok", "writable": token is not None, "private": private, "counts": store.counts()}

    @app.get("/api/config", dependencies=[Depends(reader)])
    def config():
        return {"tile_url": tile_url, "writable": token is not None}

    @app.get("/api/events", dependencies=[Depends(reader)])
    def events(f: EventFilters = Depends(), limit: int = Query(100, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        rows = store.events(**f.values, limit=limit, offset=offset)
        return {"total": store.count_events(**f.values), "limit": limit, "offset": offset,
                "events": [event_dict(e) for e in rows]}

    @app.get("/api/events/{event_id}", dependencies=[Depends(reader)])
    def event(event_id: int = Path(ge=-MAX_ID, le=MAX_ID)):
        ev = store.event(event_id)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return ev

    @app.get("/api/stats/daily", dependencies=[Depends(reader)])
    def daily(f: EventFilters = Depends()):
        return {"days": store.daily_counts(**f.values)}

    @app.get("/api/stats/regions", dependencies=[Depends(reader)])
    def regions(f: EventFilters = Depends()):
        return {"regions": store.region_counts(**f.values)}

    @app.get("/api/export", dependencies=[Depends(reader)])
    def export(f: EventFilters = Depends(), format: str = Query(..., pattern="^(acled-csv|geojson|jsonl)$")):
        """Exactly the events the filters select, written by `wirewatch export`'s code (JSON Lines: one event
        per line)."""
        import os
        import tempfile

        from ..export import export_events
        events = [event_dict(e) for e in store.events(**f.values)]
        suffix = {"acled-csv": ".csv", "geojson": ".geojson", "jsonl": ".jsonl"}[format]
        fd, path = tempfile.mkstemp(suffix=suffix)
        os.close(fd)
        try:
            export_events(events, format, path)
            with open(path, "rb") as fh:
                body = fh.read()
        finally:
            os.unlink(path)
        media = {"acled-csv": "text/csv", "geojson": "application/geo+json", "jsonl": "application/x-ndjson"}[format]
        name = f"wirewatch-events{suffix}"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/api/stats/types", dependencies=[Depends(reader)])
    def types(f: EventFilters = Depends()):
        return {"types": store.type_counts(**f.values)}

    @app.get("/api/articles", dependencies=[Depends(reader)])
    def articles(limit: int = Query(100, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        return {"articles": store.articles(limit=limit, offset=offset)}

    @app.get("/api/articles/{key}", dependencies=[Depends(reader)])
    def article(key: str):
        if len(key) > 300:
            raise HTTPException(422, "article id too long")
        a = store.article(key)
        if a is None:
            raise HTTPException(404, f"no article {key!r}")
        return a

    @app.get("/api/quotes", dependencies=[Depends(reader)])
    def quotes(speaker: Optional[str] = Query(None, max_length=200), limit: int = Query(100, ge=1, le=MAX_PAGE)):
        return {"quotes": store.quotes(speaker=speaker, limit=limit)}

    @app.get("/api/claims", dependencies=[Depends(reader)])
    def claims(reported_by: Optional[str] = Query(None, max_length=200), unit: Optional[str] = Query(None, max_length=200),
               limit: int = Query(100, ge=1, le=MAX_PAGE)):
        return {"claims": store.claims(reported_by=reported_by, unit=unit, limit=limit)}

    @app.post("/api/articles", dependencies=[Depends(writer)], status_code=201)
    def submit(body: ArticleIn):
        from ..records import Article as ArticleRecord
        from ..store import text_hash

        if state["extractor"] is None:
            from ..extractors import Extractor
            state["extractor"] = Extractor()
        key = body.id or f"api-{text_hash(body.text)[:16]}"
        article = ArticleRecord(id=key, text=body.text, date=(body.date or dt.date.today()).isoformat(),
                                title=body.title, source=body.source, url=body.url, origin="api")
        result = state["extractor"].extract(article)
        added = store.add(result)
        out = result.to_dict()
        out["status"] = added.status
        out["events"] = added.events
        return out

    @app.get("/docs", include_in_schema=False)
    def docs():
        return FileResponse(str(STATIC / "docs.html"), media_type="text/html")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
