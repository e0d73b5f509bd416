"""The store's tables: articles, their records, evidence spans as rows, and the
cross-article events that reports of the same incident are linked into."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, event,
                        func)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class IncidentFields:
    """The codebook's incident fields, shared by reports (one article's incident) and events."""

    event_date: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)
    date_precision: Mapped[Optional[str]] = mapped_column(String(8))
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    sub_event_type: Mapped[str] = mapped_column(String(64))
    actor1: Mapped[Optional[str]] = mapped_column(String(200))
    actor2: Mapped[Optional[str]] = mapped_column(String(200))
    country: Mapped[Optional[str]] = mapped_column(String(100), index=True)
    admin1: Mapped[Optional[str]] = mapped_column(String(100))
    location: Mapped[Optional[str]] = mapped_column(String(200))
    location_precision: Mapped[str] = mapped_column(String(16))
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    fatalities: Mapped[Optional[int]] = mapped_column(Integer)
    target: Mapped[Optional[str]] = mapped_column(String(200))
    reported_by: Mapped[Optional[str]] = mapped_column(String(200))
    is_background: Mapped[bool] = mapped_column(Boolean, default=False)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)        # the input's id (JSONL id or file stem)
    origin: Mapped[Optional[str]] = mapped_column(String(500))
    text_hash: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    date: Mapped[Optional[dt.date]] = mapped_column(Date)
    title: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[Optional[str]] = mapped_column(String(300))
    url: Mapped[Optional[str]] = mapped_column(Text)
    text: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="ok")   # ok | failed
    error: Mapped[Optional[str]] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    reports: Mapped[list["Report"]] = relationship(back_populates="article", cascade="all, delete-orphan",
                                                   order_by="Report.position")
    interactions: Mapped[list["Interaction"]] = relationship(cascade="all, delete-orphan",
                                                             order_by="Interaction.position")
    quotes: Mapped[list["Quote"]] = relationship(back_populates="article", cascade="all, delete-orphan",
                                                 order_by="Quote.position")
    claims: Mapped[list["Claim"]] = relationship(back_populates="article", cascade="all, delete-orphan",
                                                 order_by="Claim.position")
    opinions: Mapped[list["OpinionSentence"]] = relationship(cascade="all, delete-orphan")
    evidence: Mapped[list["Evidence"]] = relationship(cascade="all, delete-orphan")


class Event(IncidentFields, Base):
    """One real incident, with every report of it across articles."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_type_country", "event_type", "country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n_reports: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    reports: Mapped[list["Report"]] = relationship(back_populates="event", order_by="Report.id")


class Report(IncidentFields, Base):
    """One article's account of an incident (an extracted incident record)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # the event-typing model's calibrated probability for this report's type (None: rules alone)
    confidence: Mapped[Optional[float]] = mapped_column(Float)

    article: Mapped[Article] = relationship(back_populates="reports")
    event: Mapped[Optional[Event]] = relationship(back_populates="reports")


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    event_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    date_precision: Mapped[Optional[str]] = mapped_column(String(8))
    source_actor: Mapped[Optional[str]] = mapped_column(String(200))
    target_actor: Mapped[Optional[str]] = mapped_column(String(200))
    cameo_root: Mapped[str] = mapped_column(String(2), index=True)
    summary: Mapped[Optional[str]] = mapped_column(Text)
    location: Mapped[Optional[str]] = mapped_column(String(200))
    confidence: Mapped[Optional[float]] = mapped_column(Float)


class Quote(Base):
    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[Optional[str]] = mapped_column(String(300), index=True)
    text: Mapped[str] = mapped_column(Text)
    direct: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[Optional[str]] = mapped_column(String(100))

    article: Mapped[Article] = relationship(back_populates="quotes")


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[Optional[str]] = mapped_column(String(40))
    unit: Mapped[Optional[str]] = mapped_column(String(200))
    reported_by: Mapped[Optional[str]] = mapped_column(String(300))

    article: Mapped[Article] = relationship(back_populates="claims")


class OpinionSentence(Base):
    __tablename__ = "opinion_sentences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)


class Contradiction(Base):
    """Two records giving different figures for the same thing: two claims of one article, or two
    reports (from different articles) of one event."""

    __tablename__ = "contradictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[Optional[int]] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    field: Mapped[Optional[str]] = mapped_column(String(40))
    claim_a_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    claim_b_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    report_a_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    report_b_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))


class Evidence(Base):
    """A span of an article's text that a record was read from."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    record_kind: Mapped[str] = mapped_column(String(16))     # report, interaction, quote, claim, opinion
    record_id: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _fit_strings(mapper, connection, target) -> None:
    """Cut text to its column's length before writing: PostgreSQL refuses a longer value (SQLite keeps
    it), and a place or speaker name read from hostile text can be of any length. Article keys are
    checked by the readers instead (cutting them would merge distinct articles)."""
    for col in mapper.columns:
        length = getattr(col.type, "length", None)
        if length and isinstance(col.type, String):
            value = getattr(target, col.key, None)
            if isinstance(value, str) and len(value) > length:
                setattr(target, col.key, value[:length])
