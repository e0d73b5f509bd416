"""The event store: articles and their records in SQLite (default) or PostgreSQL,
with reports of the same incident linked into events across articles.

    store = Store("sqlite:///wirewatch.db")       # or postgresql://user@host/db
    store.add(result)                             # an ArticleResult from the extractor
    for event in store.events(country="Ukraine"): ...
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterator, Optional, Sequence

from sqlalchemy import create_engine, event as sa_event, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from ..readers import EXPORT_FORMAT, ReadError
from ..records import ArticleResult, clean_number
from .linking import INCIDENT_COLUMNS
from .writer import BatchWriter, as_date, batch_locks, take_locks
from .models import (Article, Claim, Contradiction, Event, Evidence, Interaction, Quote,
                     Report)

DEFAULT_DB = "sqlite:///wirewatch.db"


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs (psycopg 3 is the driver we ship)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def describe_db_error(e: BaseException) -> str:
    """A database error in one line: the driver's own words (no SQL, no parameters)."""
    orig = getattr(e, "orig", None)
    msg = str(orig) if orig is not None else str(e).split("\n[SQL:")[0]
    return " ".join(msg.split())[:300] or type(e).__name__


def shown_url(url: str) -> str:
    """A database URL as it may be shown: the password hidden, the driver name dropped."""
    from sqlalchemy.engine import make_url
    try:
        u = make_url(url)
    except Exception:
        return url
    return u.set(drivername=u.drivername.split("+")[0]).render_as_string(hide_password=True)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class AddResult:
    key: str
    status: str            # new, unchanged, updated, failed
    events: list[int] = field(default_factory=list)


class Store:
    """One store over SQLAlchemy. Constructing it does no I/O; the schema is created or upgraded
    (Alembic migrations) when the store is first used."""

    def __init__(self, url: Optional[str] = None):
        self.url = normalise_url(url or os.environ.get("WIREWATCH_DB") or DEFAULT_DB)
        self._engine: Optional[Engine] = None
        self._write_engine: Optional[Engine] = None

    # ------------------------------------------------------------ connection
    @property
    def engine(self) -> Engine:
        """The engine for reads, created (and the schema created or upgraded) on first use."""
        if self._engine is None:
            self._connect()
        return self._engine

    @property
    def write_engine(self) -> Engine:
        """The engine for writes. On SQLite its transactions start with BEGIN IMMEDIATE: a writer takes
        the database's write lock before reading what it will change, so two processes never both read,
        then both write (which SQLite would refuse with 'database is locked' at once, whatever the busy
        timeout); the second waits its turn (busy timeout 30 s). On PostgreSQL it is the same engine."""
        if self._write_engine is None:
            self._connect()
        return self._write_engine

    def _connect(self) -> None:
        engine = self._make_engine(immediate=False)
        write = self._make_engine(immediate=True) if engine.dialect.name == "sqlite" else engine
        self._engine, self._write_engine = engine, write
        self.upgrade()

    def _make_engine(self, immediate: bool) -> Engine:
        kwargs = {"future": True}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True      # a pooled connection the server dropped is replaced, not used
        engine = create_engine(self.url, **kwargs)
        if engine.dialect.name == "sqlite":
            @sa_event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _):
                # let SQLAlchemy's BEGIN below, not the driver, open transactions: then schema changes
                # are transactional too, and a crash mid-migration leaves no half-made schema
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")       # readers never block the writer, nor it them
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @sa_event.listens_for(engine, "begin")
            def _sqlite_begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        return engine

    def upgrade(self) -> None:
        """Create the schema or upgrade it in place to the newest version (Alembic)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("wirewatch.store") / "migrations"))
        # two processes opening a new database at once: the second waits, then finds the schema made
        with self.write_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sql_text("SELECT pg_advisory_xact_lock(hashtextextended('wirewatch:schema', 0))"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def write_session(self) -> Session:
        return Session(self.write_engine, expire_on_commit=False)

    def close(self) -> None:
        for engine in {self._engine, self._write_engine} - {None}:
            engine.dispose()
        self._engine = self._write_engine = None

    def _retrying(self, fn):
        """Run a write transaction, again if it failed for a reason that passes: a lock timeout, deadlock or
        serialisation failure, or a connection the server dropped (the transaction was rolled back with it; a
        new connection is taken). Up to 6 tries over about 6 seconds; then the error is raised."""
        for attempt in range(6):
            try:
                return fn()
            except DBAPIError as e:
                msg = str(e.orig) if e.orig is not None else str(e)
                transient = e.connection_invalidated or any(
                    k in msg for k in ("locked", "deadlock", "could not serialize"))
                if not transient or attempt == 5:
                    raise
                time.sleep(0.2 * 2 ** attempt)

    # ---------------------------------------------------------------- writes
    def add(self, result: ArticleResult) -> AddResult:
        """Store one article's records and link its incidents, in one transaction.
        The same text again changes nothing; a changed text replaces the old records.
        Safe with other processes writing to the same database at the same time."""
        return self._retrying(lambda: self._add(result))

    def _add(self, result: ArticleResult) -> AddResult:
        return self._add_many([result])[0]

    def add_many(self, results: Sequence[ArticleResult]) -> list[AddResult]:
        """Store a batch of articles and link their incidents in one transaction: all of the batch or none of
        it is stored, and running the same batch again finishes the work (unchanged articles are skipped).
        Much faster than one `add` per article (one commit, bulk inserts, the candidate events of the whole
        batch read in one query); the events are the same."""
        results = list(results)
        if not results:
            return []
        return self._retrying(lambda: self._add_many(results))

    def _add_many(self, results: list[ArticleResult]) -> list[AddResult]:
        with self.write_engine.begin() as conn:
            take_locks(conn, batch_locks(results))
            return BatchWriter(conn).add(results)

    def record_failure(self, failure) -> None:
        """Record a ReadError (under the article id it carries, else its input) or an extraction
        failure (under its article's id)."""
        if isinstance(failure, ReadError):
            self.add_failure(failure.key or failure.origin, failure.origin, failure.problem)
        else:
            self.add_failure(failure.article.id, failure.article.origin, failure.error)

    def add_failure(self, key: str, origin: Optional[str], error: str) -> None:
        """Record an article that could not be read or extracted (listed by `wirewatch failures`)."""
        self._retrying(lambda: self._add_failure(key, origin, error))

    def _add_failure(self, key: str, origin: Optional[str], error: str) -> None:
        with self.write_session() as s, s.begin():
            take_locks(s.connection(), ["article:" + key])
            old = s.scalar(select(Article).where(Article.key == key))
            if old is not None and old.status == "ok":
                return          # a good copy stays
            if old is None:
                s.add(Article(key=key, origin=origin, status="failed", error=error))
            else:
                old.error, old.origin = error, origin

    # --------------------------------------------------------------- queries
    def events(self, since: Optional[str] = None, until: Optional[str] = None, country: Optional[str] = None,
               admin1: Optional[str] = None, type: Optional[str] = None, sub_type: Optional[str] = None,
               actor: Optional[str] = None, text: Optional[str] = None, limit: Optional[int] = None,
               offset: int = 0, min_confidence: Optional[float] = None, disputed: bool = False) -> list[Event]:
        q = self._filtered(select(Event).options(selectinload(Event.reports).selectinload(Report.article)),
                           since, until, country, admin1, type, sub_type, actor, text, min_confidence, disputed)
        q = q.order_by(Event.event_date.is_(None), Event.event_date, Event.id).offset(offset)
        if limit:
            q = q.limit(limit)
        with self.session() as s:
            return list(s.scalars(q).unique())

    def count_events(self, **filters) -> int:
        from sqlalchemy import func
        q = self._filtered(select(func.count(Event.id)), **filters)
        with self.session() as s:
            return s.scalar(q) or 0

    def daily_counts(self, **filters) -> list[dict]:
        """Events per day and type (for a timeline)."""
        from sqlalchemy import func
        q = self._filtered(select(Event.event_date, Event.event_type, func.count(Event.id)), **filters)
        q = q.where(Event.event_date.is_not(None)).group_by(Event.event_date, Event.event_type) \
            .order_by(Event.event_date, Event.event_type)
        with self.session() as s:
            return [{"date": _iso(d), "event_type": t, "count": n} for d, t, n in s.execute(q)]

    def region_counts(self, **filters) -> list[dict]:
        """Events and fatalities per first-order region (country, admin1), with the mean position of the
        region's events (the dashboard's per-region layer)."""
        from sqlalchemy import func
        q = self._filtered(select(Event.country, Event.admin1, func.count(Event.id), func.sum(Event.fatalities),
                                  func.avg(Event.latitude), func.avg(Event.longitude)), **filters)
        q = q.where(Event.admin1.is_not(None)).group_by(Event.country, Event.admin1) \
            .order_by(func.count(Event.id).desc(), Event.country, Event.admin1)
        with self.session() as s:
            return [{"country": c, "admin1": a, "events": n, "fatalities": int(f or 0),
                     "latitude": None if lat is None else round(float(lat), 4),
                     "longitude": None if lon is None else round(float(lon), 4)}
                    for c, a, n, f, lat, lon in s.execute(q)]

    def type_counts(self, **filters) -> list[dict]:
        from sqlalchemy import func
        q = self._filtered(select(Event.event_type, Event.sub_event_type, func.count(Event.id)), **filters)
        q = q.group_by(Event.event_type, Event.sub_event_type).order_by(Event.event_type, Event.sub_event_type)
        with self.session() as s:
            return [{"event_type": t, "sub_event_type": st, "count": n} for t, st, n in s.execute(q)]

    def article(self, key: str) -> Optional[dict]:
        """An article with its text and every record found in it, each with its evidence spans."""
        with self.session() as s:
            a = s.scalar(select(Article).where(Article.key == key))
            return None if a is None else self._article_dict(s, a)

    def _article_dict(self, s: Session, a: Article) -> dict:
        spans: dict[tuple[str, int], list] = {}
        for e in s.scalars(select(Evidence).where(Evidence.article_id == a.id).order_by(Evidence.start)):
            spans.setdefault((e.record_kind, e.record_id), []).append({"start": e.start, "end": e.end,
                                                                       "text": e.text})
        reports = []
        for r in a.reports:
            rep = {"report_id": r.id, "event_id": r.event_id}
            for c in INCIDENT_COLUMNS:
                rep[c] = _iso(getattr(r, c)) if c == "event_date" else getattr(r, c)
            rep["confidence"] = r.confidence
            rep["evidence"] = spans.get(("report", r.id), [])
            reports.append(rep)
        claims = [{"value": clean_number(c.value), "qualifier": c.qualifier, "unit": c.unit,
                   "reported_by": c.reported_by, "evidence": spans.get(("claim", c.id), [])} for c in a.claims]
        index = {c.id: i for i, c in enumerate(a.claims)}
        contradictions = []
        for c in s.scalars(select(Contradiction).where(Contradiction.article_id == a.id).order_by(Contradiction.id)):
            which = [index[x] for x in (c.claim_a_id, c.claim_b_id) if x in index]
            contradictions.append({"what": c.what, "claims": which,     # evidence: the figures' first spans
                                   "evidence": [claims[i]["evidence"][0] for i in which if claims[i]["evidence"]]})
        return {
            "id": a.key, "date": _iso(a.date), "title": a.title, "source": a.source, "url": a.url,
            "origin": a.origin, "status": a.status, "error": a.error, "text": a.text,
            "incidents": reports,
            "interactions": [{"event_date": _iso(i.event_date), "date_precision": i.date_precision,
                              "source_actor": i.source_actor, "target_actor": i.target_actor,
                              "cameo_root": i.cameo_root, "summary": i.summary, "location": i.location,
                              "confidence": i.confidence, "evidence": spans.get(("interaction", i.id), [])} for i in a.interactions],
            "quotes": [{"speaker": q.speaker, "text": q.text, "direct": q.direct, "channel": q.channel,
                        "evidence": spans.get(("quote", q.id), [])} for q in a.quotes],
            "claims": claims,
            "opinion": [{"text": o.text, "evidence": spans.get(("opinion", o.id), [])}
                        for o in sorted(a.opinions, key=lambda o: o.id)],
            "contradictions": contradictions,
        }

    def backup(self, **filters) -> Iterator[dict]:
        """Every stored article (read or extraction failures included) as one self-contained dict: its
        text, metadata and all its records with their evidence, marked ``"wirewatch": "article/1"``.
        `wirewatch export --format jsonl` writes these; `wirewatch ingest` of that file restores them
        as they were (no re-extraction) and links the events again. With event filters: the articles
        that reported the matching events. Read in pages, so memory stays flat."""
        keys = None
        if any(v for v in filters.values()):
            with self.session() as s:
                q = self._filtered(select(Report.article_id).join(Event, Event.id == Report.event_id), **filters)
                keys = sorted(set(s.scalars(q)))
        last = 0
        while True:
            with self.session() as s:
                q = select(Article).where(Article.id > last).order_by(Article.id).limit(200)
                if keys is not None:
                    q = q.where(Article.id.in_(keys[:200]))
                    keys = keys[200:]
                rows = list(s.scalars(q))
                if not rows:
                    return
                for a in rows:
                    yield {"wirewatch": EXPORT_FORMAT, **self._article_dict(s, a)}
                last = rows[-1].id

    def articles(self, limit: int = 100, offset: int = 0) -> list[dict]:
        with self.session() as s:
            rows = s.scalars(select(Article).order_by(Article.date.is_(None), Article.date.desc(), Article.id)
                             .offset(offset).limit(limit))
            return [{"id": a.key, "date": _iso(a.date), "title": a.title, "source": a.source, "status": a.status}
                    for a in rows]

    def _filtered(self, q, since=None, until=None, country=None, admin1=None, type=None, sub_type=None,
                  actor=None, text=None, min_confidence=None, disputed=False):
        if min_confidence:
            # an event is as sure as its surest report; a store built without a model has no confidence to judge
            # by, and its events are kept
            q = q.where(or_(Event.id.in_(select(Report.event_id).where(Report.confidence >= min_confidence)),
                            ~Event.id.in_(select(Report.event_id).where(Report.confidence.is_not(None)))))
        if disputed:
            q = q.where(Event.id.in_(select(Contradiction.event_id).where(Contradiction.event_id.is_not(None))))
        if since:
            q = q.where(Event.event_date >= as_date(since))
        if until:
            q = q.where(Event.event_date <= as_date(until))
        if country:
            q = q.where(Event.country.ilike(country))
        if admin1:
            from ..gazetteer import region_names
            q = q.where(or_(*[Event.admin1.ilike(n) for n in region_names(admin1)]))
        if type:
            q = q.where(Event.event_type.ilike(type))
        if sub_type:
            q = q.where(Event.sub_event_type.ilike(sub_type))
        if actor:
            from ..acled_forms import VIOLENT_TYPES, actor_query
            aq = actor_query(actor)
            if aq.unidentified:         # ACLED's "Unidentified Armed Group (X)": violence with no known actor1
                q = q.where(Event.actor1.is_(None), Event.event_type.in_(VIOLENT_TYPES))
                if aq.country:
                    q = q.where(Event.country.ilike(aq.country))
            else:
                q = q.where(or_(*[c for name in aq.names for c in (Event.actor1.ilike(f"%{name}%"),
                                                                   Event.actor2.ilike(f"%{name}%"))]))
        if text:
            pat = f"%{text}%"
            q = q.where(Event.id.in_(select(Report.event_id).join(Evidence, (Evidence.record_kind == "report")
                                                                   & (Evidence.record_id == Report.id))
                                     .where(Evidence.text.ilike(pat))))
        return q

    def event(self, event_id: int) -> Optional[dict]:
        """An event with every report, its evidence and the contradictions between reports."""
        with self.session() as s:
            ev = s.get(Event, event_id, options=[selectinload(Event.reports).selectinload(Report.article)])
            if ev is None:
                return None
            out = event_dict(ev)
            ids = [r.id for r in ev.reports]
            ev_rows = s.scalars(select(Evidence).where(Evidence.record_kind == "report", Evidence.record_id.in_(ids))
                                .order_by(Evidence.start)).all() if ids else []
            by_report: dict[int, list] = {}
            for e in ev_rows:
                by_report.setdefault(e.record_id, []).append({"start": e.start, "end": e.end, "text": e.text})
            for rep in out["reports"]:
                rep["evidence"] = by_report.get(rep["report_id"], [])
            out["contradictions"] = [{"what": c.what, "field": c.field, "reports": [c.report_a_id, c.report_b_id]}
                                     for c in s.scalars(select(Contradiction).where(Contradiction.event_id == event_id))]
            return out

    def quotes(self, speaker: Optional[str] = None, limit: Optional[int] = None) -> list[dict]:
        q = select(Quote, Article).join(Article).order_by(Article.date, Quote.article_id, Quote.position)
        if speaker:
            q = q.where(Quote.speaker.ilike(f"%{speaker}%"))
        if limit:
            q = q.limit(limit)
        with self.session() as s:
            return [{"id": qt.id, "article": a.key, "date": _iso(a.date), "speaker": qt.speaker, "text": qt.text,
                     "direct": qt.direct, "channel": qt.channel} for qt, a in s.execute(q)]

    def claims(self, reported_by: Optional[str] = None, unit: Optional[str] = None,
               limit: Optional[int] = None) -> list[dict]:
        q = select(Claim, Article).join(Article).order_by(Article.date, Claim.article_id, Claim.position)
        if reported_by:
            q = q.where(Claim.reported_by.ilike(f"%{reported_by}%"))
        if unit:
            q = q.where(Claim.unit.ilike(f"%{unit}%"))
        if limit:
            q = q.limit(limit)
        with self.session() as s:
            return [{"id": c.id, "article": a.key, "date": _iso(a.date), "value": c.value, "qualifier": c.qualifier,
                     "unit": c.unit, "reported_by": c.reported_by} for c, a in s.execute(q)]

    def failures(self) -> list[dict]:
        with self.session() as s:
            return [{"article": a.key, "origin": a.origin, "error": a.error}
                    for a in s.scalars(select(Article).where(Article.status == "failed").order_by(Article.id))]

    def counts(self) -> dict:
        from sqlalchemy import func
        with self.session() as s:
            out = {name: s.scalar(select(func.count()).select_from(model)) for name, model in
                   (("reports", Report), ("events", Event), ("quotes", Quote), ("claims", Claim),
                    ("interactions", Interaction), ("contradictions", Contradiction), ("evidence", Evidence))}
            out["articles"] = s.scalar(select(func.count()).select_from(Article).where(Article.status == "ok"))
            out["failed"] = s.scalar(select(func.count()).select_from(Article).where(Article.status == "failed"))
            return out


def event_dict(ev: Event) -> dict:
    """An event as the codebook's incident fields plus `id` and `reports`."""
    out = {"id": ev.id}
    for c in INCIDENT_COLUMNS:
        out[c] = _iso(getattr(ev, c)) if c == "event_date" else getattr(ev, c)
    out["n_reports"] = ev.n_reports
    known = [r.confidence for r in ev.reports if r.confidence is not None]
    out["confidence"] = max(known) if known else None     # the surest report's; None without a model
    out["reports"] = []
    for r in ev.reports:
        rep = {"report_id": r.id, "article": r.article.key, "source": r.article.source or r.article.origin,
               "article_date": _iso(r.article.date)}
        for c in INCIDENT_COLUMNS:
            rep[c] = _iso(getattr(r, c)) if c == "event_date" else getattr(r, c)
        out["reports"].append(rep)
    return out


def _iso(v):
    return v.isoformat() if isinstance(v, dt.date) else v


__all__ = ["Store", "AddResult", "event_dict", "DEFAULT_DB"]
