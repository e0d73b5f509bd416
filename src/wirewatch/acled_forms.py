"""ACLED's forms of actor names, both ways.

Records carry the codebook's names ("JNIM", "Military Forces of Kenya", no actor1 for unknown
gunmen). An analyst filtering or comparing with ACLED writes ACLED's forms: "JNIM: Group for
Support of Islam and Muslims", "Police Forces of Kenya (2022-)", "Unidentified Armed Group
(Nigeria)". ``acled_actor`` turns a record's actor into ACLED's form (for the ACLED-layout
export); ``actor_query`` turns what an analyst typed into what the store holds (for
``events --actor`` and the dashboard's actor filter).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .lexicon import Lexicon

# event types where ACLED names an unknown perpetrator "Unidentified Armed Group (<country>)"
VIOLENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
UNIDENTIFIED = re.compile(r"unidentified armed group(?: ?\(([^)]*)\))?", re.I)     # fullmatch on stripped text
TERM_YEARS = re.compile(r" ?\(\d{4}-(?:\d{4})?\)$")     # ACLED's "(2022-)" after state forces, on stripped text


def _key(s: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", s.lower()).split())


def acled_actor(actor: Optional[str], role: int, event: dict, lex: Optional[Lexicon] = None) -> str:
    """A record's actor in ACLED's form. ``role``: 1 or 2 (actor1, actor2); ``event``: its
    event_type and country (an unknown actor1 of a violent event is ACLED's unidentified group)."""
    lex = lex or Lexicon()
    if not actor:
        if role == 1 and event.get("event_type") in VIOLENT_TYPES and event.get("country"):
            return f"Unidentified Armed Group ({event['country']})"
        return ""
    return lex.acled_group_name.get(actor, actor)


@dataclass
class ActorQuery:
    """What an actor filter matches: any of ``names`` (substring, case-insensitive) in actor1 or actor2,
    or, for ACLED's unidentified armed group, events of a violent type with no actor1 (in ``country``)."""
    names: list[str] = field(default_factory=list)
    unidentified: bool = False
    country: Optional[str] = None


def actor_query(text: str, lex: Optional[Lexicon] = None) -> ActorQuery:
    """An analyst's actor filter in the store's names: ACLED's group names and aliases give the group's
    name ("Al Shabaab" -> "Al-Shabaab"), term years are dropped ("Police Forces of Kenya (2022-)"),
    "Unidentified Armed Group (Nigeria)" means no actor1 in Nigeria."""
    lex = lex or Lexicon()
    text = " ".join(text.split())
    m = UNIDENTIFIED.fullmatch(text)
    if m:
        return ActorQuery(unidentified=True, country=(m.group(1) or "").strip() or None)
    q = TERM_YEARS.sub("", text).strip()
    names = [q]
    k = _key(q)
    for g in lex.groups:
        forms = [g["name"], *(g.get("aliases") or []), *([g["acled"]] if g.get("acled") else [])]
        if any(_key(str(f)) == k for f in forms) and g["name"] not in names:
            names.append(g["name"])
    return ActorQuery(names=names)
