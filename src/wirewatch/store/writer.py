"""Writing a batch of articles in one transaction.

Linking runs in memory: the events that could take a report of the batch (same event type and country,
dates within a month) are read in one query, the reports of the events it matches in one more, and each
article is linked in input order against the events as the articles before it left them, exactly as one
article per transaction would. Then every id the batch needs is taken in one query, and each kind of row
(articles, new events, reports with their event set, the other records, evidence spans, contradictions) is
written with one bulk statement through the driver: COPY on PostgreSQL, executemany on SQLite. The changed
events are updated in one executemany.

An article whose text changed since it was stored (or that had failed before) replaces the old copy: the
batch writes what it has so far, deletes the old copy (its records go with it, by the schema's cascades),
recomputes the events the old copy reported, and goes on.
"""
from __future__ import annotations

import datetime as dt
from collections import namedtuple
from functools import lru_cache
from typing import Iterable, Optional, Sequence

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..records import ArticleResult
from .linking import INCIDENT_COLUMNS, EventFields, figure_conflicts, is_same_incident
from .models import Article, Claim, Contradiction, Event, Evidence, Interaction, OpinionSentence, Quote, Report

ARTICLES, EVENTS, REPORTS = Article.__table__, Event.__table__, Report.__table__
ARTICLE_COLUMNS = ("key", "origin", "text_hash", "date", "title", "source", "url", "text", "status")
REPORT_COLUMNS = ("article_id", "position", "confidence", "event_id") + INCIDENT_COLUMNS
EVENT_COLUMNS = INCIDENT_COLUMNS + ("n_reports",)
EVIDENCE_COLUMNS = ("article_id", "record_kind", "record_id", "start", "end", "text")
MONTH = dt.timedelta(days=31)      # the widest date window linking allows (linking.PRECISION_DAYS)


class LinkReport:
    """A report as linking sees it: its incident fields, its article, and the event it joins."""
    __slots__ = INCIDENT_COLUMNS + ("id", "article_id", "outlet", "event", "row")


#: a stored report as linking reads it back (its event's other reports, for the event's fields and disputes)
StoredReport = namedtuple("StoredReport", ("id", "article_id", "event_id", "outlet") + INCIDENT_COLUMNS)


class LinkEvent:
    """An event as linking sees it: its fields and, once read, all its reports (and the votes its fields are
    read from)."""
    __slots__ = INCIDENT_COLUMNS + ("id", "n_reports", "reports", "votes", "changed")

    def __init__(self):
        self.id = None
        self.reports = self.votes = None
        self.changed = False


def partition_key(event_type: Optional[str], country: Optional[str]) -> tuple:
    """Reports are only ever linked to events of the same type and country (or both without a country):
    the unit that linking, its locks, and parallel writers divide the store by."""
    return (event_type or "", country or "")


def lock_key(key: tuple) -> str:
    return f"link:{key[0]}:{key[1]}"


def take_locks(conn: Connection, keys: Iterable[str]) -> None:
    """PostgreSQL: take transaction-scoped advisory locks on these keys, in sorted order (so two writers never
    wait on each other in a cycle). Writers of the same article, or linking reports of the same event type and
    country, run one after the other; others run side by side. (SQLite writers are serialised whole by BEGIN
    IMMEDIATE.)"""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted(set(keys))
    if keys:
        conn.execute(sql_text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
                              "FROM unnest(CAST(:ks AS text[])) AS k"), {"ks": keys})


def batch_locks(results: Iterable[ArticleResult]) -> list[str]:
    """The locks a batch takes before it reads anything: its articles, and the partitions of their incidents."""
    out = []
    for r in results:
        out.append("article:" + r.article.id)
        out.extend(lock_key(partition_key(i.event_type, i.country)) for i in r.incidents)
    return out


_FIT: dict[str, list[tuple[str, int]]] = {}


def _fitters(table) -> list[tuple[str, int]]:
    """(column, length) of the table's bounded text columns (article keys aside)."""
    fit = _FIT.get(table.name)
    if fit is None:
        from sqlalchemy import String
        fit = _FIT[table.name] = [(c.key, c.type.length) for c in table.columns
                                  if isinstance(c.type, String) and c.type.length and c.key != "key"]
    return fit


def _fit(table, cols: Sequence[str], rows: list[list]) -> list[list]:
    """Cut text to its column's length (PostgreSQL refuses a longer value; a place or speaker name read from
    hostile text can be of any length). Article keys are checked by the readers instead. ``rows`` are lists of
    values in the order of ``cols``, cut in place."""
    limits = dict(_fitters(table))
    for i, col in enumerate(cols):
        length = limits.get(col)
        if length is None:
            continue
        for row in rows:
            v = row[i]
            if v.__class__ is str and len(v) > length:
                row[i] = v[:length]
    return rows


@lru_cache(maxsize=8192)
def as_date(v) -> Optional[dt.date]:
    """A date from a date or an ISO string (None if it is not one)."""
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


class BatchWriter:
    """Stores a batch of ArticleResults in the open transaction of ``conn`` (its locks already taken)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.cands: dict[tuple, list[LinkEvent]] = {}       # partition -> candidate events, by id, new last
        self.events: dict[int, LinkEvent] = {}              # stored events read so far, by id
        self.new_events: list[LinkEvent] = []

    # ------------------------------------------------------------------ the batch
    def add(self, results: list[ArticleResult]) -> list:
        from . import AddResult, text_hash

        A = ARTICLES.c
        self.known = {row.key: (row.id, row.text_hash, row.status) for row in self.conn.execute(
            select(A.key, A.id, A.text_hash, A.status).where(A.key.in_({r.article.id for r in results})))}
        out: list = [None] * len(results)
        pending: list[tuple[int, ArticleResult, str, str]] = []     # (position in batch, result, hash, status)
        for n, r in enumerate(results):
            key, digest = r.article.id, text_hash(r.article.text)
            old = self.known.get(key)          # (id, hash, status): stored, or (None, hash, "pending")
            if old is not None and old[1] == digest and old[2] in ("ok", "pending"):
                out[n] = AddResult(key, "unchanged")
                continue
            if old is not None:                # a changed text replaces the old copy (as two adds would)
                self._flush(pending, out)
                pending = []
                self._delete_article(self.known[key][0])
            pending.append((n, r, digest, "new" if old is None else "updated"))
            self.known[key] = (None, digest, "pending")
        self._flush(pending, out)
        return out

    def _flush(self, pending: list, out: list) -> None:
        """Insert these articles (none stored under their keys now) with all their records, linked."""
        from . import AddResult

        if not pending:
            return
        # link, article by article, in input order (the new articles stand as -1, -2, ... until their ids come)
        reps_of: list[list[LinkReport]] = []
        for k, (_, r, _, _) in enumerate(pending):
            reps = []
            for i, inc in enumerate(r.incidents):
                rep = LinkReport()
                for c in INCIDENT_COLUMNS:
                    setattr(rep, c, getattr(inc, c))
                rep.event_date = as_date(inc.event_date)
                rep.id, rep.article_id, rep.outlet, rep.event = None, -1 - k, r.article.source or r.article.id, None
                rep.row = [None, i, inc.confidence, None] + [getattr(rep, c) for c in INCIDENT_COLUMNS]
                reps.append(rep)
            reps_of.append(reps)
        all_reps = [rep for reps in reps_of for rep in reps]
        self._read_candidates(all_reps)
        touched_of = [self._link(reps) for reps in reps_of]
        new = [ev for ev in self.new_events if ev.id is None]
        self.new_events = []
        results = [r for _, r, _, _ in pending]
        # every id the batch needs, in one query
        ids = self._allocate({ARTICLES: len(pending), EVENTS: len(new), REPORTS: len(all_reps),
                              Interaction.__table__: sum(len(r.interactions) for r in results),
                              Quote.__table__: sum(len(r.quotes) for r in results),
                              Claim.__table__: sum(len(r.claims) for r in results),
                              OpinionSentence.__table__: sum(len(r.opinion) for r in results)})
        article_ids = ids[ARTICLES]
        self._insert(ARTICLES, ARTICLE_COLUMNS, [
            [r.article.id, r.article.origin, digest, as_date(r.article.date), r.article.title, r.article.source,
             r.article.url, r.article.text, "ok"] for _, r, digest, _ in pending], article_ids)
        for ev, eid in zip(new, ids[EVENTS]):
            ev.id, ev.changed = eid, False
            self.events[eid] = ev
        self._insert(EVENTS, EVENT_COLUMNS, [[getattr(ev, c) for c in EVENT_COLUMNS] for ev in new], ids[EVENTS])
        for rep, rid in zip(all_reps, ids[REPORTS]):
            rep.id = rid
            rep.article_id = rep.row[0] = article_ids[-1 - rep.article_id]
            rep.row[3] = rep.event.id
        self._insert(REPORTS, REPORT_COLUMNS, [rep.row for rep in all_reps], ids[REPORTS])
        self._records(results, article_ids, reps_of, ids)
        self._write_events([ev for ev in self.events.values() if ev.changed])
        made = {ev.id for ev in new}
        self._write_contradictions({ev.id for touched in touched_of for ev in touched}, made)
        for (n, r, digest, status), touched, aid in zip(pending, touched_of, article_ids):
            out[n] = AddResult(r.article.id, status, [ev.id for ev in touched])
            self.known[r.article.id] = (aid, digest, "ok")

    # ---------------------------------------------------------------- linking
    def _read_candidates(self, reps: list[LinkReport]) -> None:
        """Read, in one query, the stored events of the batch's partitions that are not read yet and whose
        dates could match a report (within a month, or both undated)."""
        want: dict[tuple, list[LinkReport]] = {}
        for rep in reps:
            key = partition_key(rep.event_type, rep.country)
            if key not in self.cands:
                want.setdefault(key, []).append(rep)
        if not want:
            return
        conds = []
        for (etype, country), rs in want.items():
            c = EVENTS.c
            where = [c.event_type == etype,
                     c.country == country if country else or_(c.country.is_(None), c.country == "")]
            dates = [r.event_date for r in rs if r.event_date is not None]
            when = []
            if dates:
                when.append(c.event_date.between(min(dates) - MONTH, max(dates) + MONTH))
            if len(dates) < len(rs):
                when.append(c.event_date.is_(None))
            conds.append(and_(*where, or_(*when)))
            self.cands[(etype, country)] = []
        for ev in self._read_events(or_(*conds)):
            self.cands[partition_key(ev.event_type, ev.country)].append(ev)
        # the reports of the events the batch will likely join, read in one query (linking reads the rest)
        likely = {ev.id for rep in reps for ev in self.cands[partition_key(rep.event_type, rep.country)]
                  if ev.reports is None and ev.id is not None and is_same_incident(rep, ev)}
        self._read_reports(likely)

    def _read_events(self, where) -> list[LinkEvent]:
        """The stored events matching ``where``, by id, kept in ``self.events`` (one already read is reused)."""
        q = select(EVENTS.c.id, EVENTS.c.n_reports, *[EVENTS.c[c] for c in INCIDENT_COLUMNS]) \
            .where(where).order_by(EVENTS.c.id)
        if self.pg:
            q = q.with_for_update()
        out = []
        for row in self.conn.execute(q):
            ev = self.events.get(row.id)
            if ev is None:
                ev = LinkEvent()
                for c in INCIDENT_COLUMNS:
                    setattr(ev, c, getattr(row, c))
                ev.id, ev.n_reports = row.id, row.n_reports
                self.events[row.id] = ev
            out.append(ev)
        return out

    def _read_reports(self, event_ids: set) -> None:
        ids = sorted(e for e in event_ids if e is not None and self.events[e].reports is None)
        if not ids:
            return
        for eid in ids:
            self.events[eid].reports = []
        R, A = REPORTS.c, ARTICLES.c
        q = (select(R.id, R.article_id, R.event_id, func.coalesce(func.nullif(A.source, ""), A.key),
                    *[R[c] for c in INCIDENT_COLUMNS])
             .join_from(REPORTS, ARTICLES, R.article_id == A.id).where(R.event_id.in_(ids)).order_by(R.id))
        events = self.events
        for row in self.conn.execute(q).all():
            events[row[2]].reports.append(StoredReport._make(row))
        for eid in ids:
            ev = self.events[eid]
            ev.votes = EventFields(ev.reports)

    def _link(self, reps: list[LinkReport]) -> list[LinkEvent]:
        """Link one article's reports: each joins the first event (oldest first) it reports, or a new one;
        then the events it joined take their fields from all their reports, before the next article."""
        touched: list[LinkEvent] = []
        for rep in reps:
            cands = self.cands[partition_key(rep.event_type, rep.country)]
            match = next((ev for ev in cands if is_same_incident(rep, ev)), None)
            if match is None:
                match = LinkEvent()
                for c in INCIDENT_COLUMNS:
                    setattr(match, c, getattr(rep, c))
                match.n_reports, match.reports, match.votes = 0, [], EventFields()
                self.new_events.append(match)
                cands.append(match)
            rep.event = match
            if match not in touched:
                touched.append(match)
        self._read_reports({ev.id for ev in touched if ev.reports is None})
        for rep in reps:
            rep.event.reports.append(rep)
            rep.event.votes.add(rep)
        for ev in touched:
            self._set_fields(ev)
        return touched

    @staticmethod
    def _set_fields(ev: LinkEvent) -> None:
        for k, v in ev.votes.fields().items():
            setattr(ev, k, v)
        ev.n_reports = len(ev.reports)
        ev.changed = True

    # ------------------------------------------------------------------ writing
    def _allocate(self, counts: dict) -> dict:
        """New ids for so many rows of each table, in one query: from each table's sequence (PostgreSQL), or
        after each table's largest id, as SQLite itself would number them (safe: the transaction holds the
        database's write lock)."""
        tables = [t for t, n in counts.items() if n]
        out = {t: [] for t in counts}
        if not tables:
            return out
        if self.pg:
            parts = [f"(SELECT array_agg(nextval(pg_get_serial_sequence('{t.name}', 'id'))) "
                     f"FROM generate_series(1, {int(counts[t])}))" for t in tables]
        else:
            parts = [f'(SELECT coalesce(max(id), 0) FROM "{t.name}")' for t in tables]
        row = self.conn.exec_driver_sql("SELECT " + ", ".join(parts)).one()
        for t, v in zip(tables, row):
            out[t] = sorted(v) if self.pg else list(range(v + 1, v + 1 + counts[t]))
        return out

    def _insert(self, table, cols: Sequence[str], rows: list[list], ids: Optional[list[int]] = None) -> None:
        """Insert rows (lists of values for ``cols``; with ``ids``, taken by ``_allocate``) in bulk through the
        driver: COPY on PostgreSQL, executemany on SQLite (a multi-row INSERT ... RETURNING of a whole batch
        costs more to build and parse than to run)."""
        if not rows:
            return
        _fit(table, cols, rows)
        dbapi_conn = self.conn.connection.dbapi_connection
        cur = dbapi_conn.cursor()
        try:
            names = ", ".join(f'"{c}"' for c in (["id"] if ids else []) + list(cols))
            values = ([rid, *row] for rid, row in zip(ids, rows)) if ids else rows
            if self.pg:
                with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
                    copy.set_types(_pg_types(table, (["id"] if ids else []) + list(cols)))
                    for v in values:
                        copy.write_row(v)
            else:
                marks = ", ".join("?" * (len(cols) + bool(ids)))
                cur.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                ([x.isoformat() if isinstance(x, dt.date) else x for x in v] for v in values))
        except self.conn.dialect.loaded_dbapi.Error as e:
            # the driver's own error, raised as SQLAlchemy raises it for its own statements: a dropped
            # connection is marked so (the pool replaces it, and the write is retried)
            gone = self.conn.dialect.is_disconnect(e, dbapi_conn, cur)
            if gone:
                self.conn.invalidate(e)
            raise DBAPIError.instance(f"bulk insert into {table.name}", None, e, self.conn.dialect.loaded_dbapi.Error,
                                      connection_invalidated=gone, dialect=self.conn.dialect) from e
        finally:
            try:
                cur.close()
            except Exception:
                pass

    def _records(self, results: list[ArticleResult], article_ids: list[int], reps_of: list[list[LinkReport]],
                 ids_of: dict) -> None:
        """Every other record of the batch, each kind in one statement, and all their evidence spans in one."""
        spans: list[list] = []

        def add_spans(kind: str, owners: list[tuple[int, object]], ids: list[int]) -> None:
            for (aid, rec), rid in zip(owners, ids):
                spans.extend([aid, kind, rid, e.start, e.end, e.text] for e in rec.evidence)

        def insert_kind(kind: str, model, records_of, cols, row) -> list[list[int]]:
            owners, rows = [], []
            for r, aid in zip(results, article_ids):
                for i, rec in enumerate(records_of(r)):
                    owners.append((aid, rec))
                    rows.append([aid, i, *row(rec)])
            ids = ids_of[model.__table__]
            self._insert(model.__table__, ("article_id", "position") + cols, rows, ids)
            add_spans(kind, owners, ids)
            # the ids again, per article
            per, it = [], iter(ids)
            for r in results:
                per.append([next(it) for _ in records_of(r)])
            return per

        add_spans("report", [(rep.article_id, inc) for r, reps in zip(results, reps_of)
                             for rep, inc in zip(reps, r.incidents)],
                  [rep.id for reps in reps_of for rep in reps])
        insert_kind("interaction", Interaction, lambda r: r.interactions,
                    ("event_date", "date_precision", "source_actor", "target_actor", "cameo_root", "summary",
                     "location", "confidence"),
                    lambda it: (as_date(it.event_date), it.date_precision, it.source_actor, it.target_actor,
                                it.cameo_root, it.summary, it.location, it.confidence))
        insert_kind("quote", Quote, lambda r: r.quotes, ("speaker", "text", "direct", "channel"),
                    lambda q: (q.speaker, q.text, q.direct, q.channel))
        claim_ids = insert_kind("claim", Claim, lambda r: r.claims, ("value", "qualifier", "unit", "reported_by"),
                                lambda c: (float(c.value), c.qualifier, c.unit, c.reported_by))
        # opinion sentences have no position: their order is their ids'
        owners = [(aid, o) for r, aid in zip(results, article_ids) for o in r.opinion]
        ids = ids_of[OpinionSentence.__table__]
        self._insert(OpinionSentence.__table__, ("article_id", "text"), [[aid, o.text] for aid, o in owners], ids)
        add_spans("opinion", owners, ids)
        contradictions = []
        for r, aid, cids in zip(results, article_ids, claim_ids):
            for c in r.contradictions:
                a, b = (cids[i] if i is not None and i < len(cids) else None for i in (c.claims + [None, None])[:2])
                contradictions.append([aid, c.what, "claim", a, b])
        self._insert(Contradiction.__table__, ("article_id", "what", "field", "claim_a_id", "claim_b_id"),
                     contradictions)
        self._insert(Evidence.__table__, EVIDENCE_COLUMNS, spans)

    def _write_events(self, events: list[LinkEvent]) -> None:
        if not events:
            return
        cols = EVENT_COLUMNS
        stmt = EVENTS.update().where(EVENTS.c.id == bindparam("_id")).values(
            {c: bindparam("_" + c) for c in cols})
        values = _fit(EVENTS, cols, [[getattr(ev, c) for c in cols] for ev in events])
        self.conn.execute(stmt, [dict(zip(("_" + c for c in cols), v), _id=ev.id) for v, ev in zip(values, events)])
        for ev in events:
            ev.changed = False

    def _write_contradictions(self, event_ids: set, made: set = frozenset()) -> None:
        """The events' cross-report contradictions, recomputed from all their reports (``made``: events made by
        this batch, which have none stored yet)."""
        ids = sorted(e for e in event_ids if e is not None)
        if not ids:
            return
        table = Contradiction.__table__
        stored = [e for e in ids if e not in made]
        if stored:
            self.conn.execute(table.delete().where(table.c.event_id.in_(stored)))
        rows = [[eid, fld, low[0].id, high[0].id,
                 f"{fld}: {' and '.join(_source(r) for r in low)} report {low[0].fatalities}; "
                 f"{' and '.join(_source(r) for r in high)} report {high[0].fatalities}"]
                for eid in ids for fld, low, high in figure_conflicts(self.events[eid].reports)]
        self._insert(table, ("event_id", "field", "report_a_id", "report_b_id", "what"), rows)

    # ----------------------------------------------------------------- replacing
    def _delete_article(self, article_id: int) -> None:
        """Delete a stored article before its new copy is written: its records go with it (the schema's
        cascades), the events it alone reported are deleted, and the others recomputed from their reports."""
        R = REPORTS.c
        old = self.conn.execute(select(R.event_id, R.event_type, R.country)
                                .where(R.article_id == article_id)).all()
        take_locks(self.conn, [lock_key(partition_key(r.event_type, r.country)) for r in old])
        before = sorted({r.event_id for r in old if r.event_id is not None})
        self.conn.execute(ARTICLES.delete().where(ARTICLES.c.id == article_id))
        # what was read before may have changed: read again from here on
        self.cands.clear()
        self.events.clear()
        if not before:
            return
        self._read_events(EVENTS.c.id.in_(before))
        self._read_reports(set(self.events))
        gone = [eid for eid, ev in self.events.items() if not ev.reports]
        if gone:
            self.conn.execute(EVENTS.delete().where(EVENTS.c.id.in_(gone)))
        kept = [ev for ev in self.events.values() if ev.reports]
        for ev in kept:
            self._set_fields(ev)
        self._write_events(kept)
        self._write_contradictions({ev.id for ev in kept})
        self.events.clear()


def _pg_types(table, cols: list[str]) -> list[str]:
    """The PostgreSQL type names of these columns, for a binary COPY."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer
    out = []
    for c in cols:
        t = table.c[c].type
        out.append("int4" if isinstance(t, Integer) else "float8" if isinstance(t, Float) else
                   "bool" if isinstance(t, Boolean) else "timestamp" if isinstance(t, DateTime) else
                   "date" if isinstance(t, Date) else "text")
    return out


def _source(r: LinkReport) -> str:
    return f"{r.outlet} ({r.reported_by or 'unattributed'})"
