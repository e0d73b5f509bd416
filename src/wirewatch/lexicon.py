"""Lexicons and codebook tables, loaded once from the data files.

Every word list the extractors use lives in ``wirewatch/data/*.yaml``; a
``lexicon_dir`` given in the settings holds files of the same names that extend
the packaged ones (lists are appended, mappings updated).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import yaml

FILES = ("events", "speech", "countries", "armed_groups", "communal_militias", "bodies", "roles")


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [x for x in extra if x not in base]
    return extra if extra is not None else base


def trie_pattern(words, lower: bool = False) -> str:
    """One regular expression (no group around it) matching any of ``words``, longest first.

    Equivalent to ``"|".join(map(re.escape, sorted(words, key=len, reverse=True)))`` but
    built as a prefix tree, so that at each text position the engine follows one path
    instead of trying hundreds of alternatives: lexicon look-ups over a whole article
    get several times faster, and the pattern stays linear (no nested quantifiers).
    ``lower``: lower-case the words (for a pattern compiled with re.IGNORECASE).
    """
    trie: dict = {}
    for w in words:
        w = str(w).lower() if lower else str(w)
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if len(alts) == 1 and not end:
            return alts[0]
        return "(?:" + "|".join(alts) + ("|" if end else "") + ")"

    return build(trie)


class LexiconError(ValueError):
    pass


@dataclass
class Lexicon:
    extra_dir: Optional[Path] = None
    _raw: dict = field(default_factory=dict)

    def load(self, name: str) -> Any:
        if name not in self._raw:
            src = resources.files("wirewatch") / "data" / f"{name}.yaml"
            try:
                data = yaml.safe_load(src.read_text(encoding="utf-8"))
            except yaml.YAMLError as e:
                raise LexiconError(f"wirewatch/data/{name}.yaml: {str(e).splitlines()[0]}") from e
            if self.extra_dir and (self.extra_dir / f"{name}.yaml").exists():
                p = self.extra_dir / f"{name}.yaml"
                try:
                    data = _merge(data, yaml.safe_load(p.read_text(encoding="utf-8")))
                except yaml.YAMLError as e:
                    raise LexiconError(f"{p}: {str(e).splitlines()[0]}") from e
            self._raw[name] = data
        return self._raw[name]

    @property
    def events(self) -> dict:
        return self.load("events")

    @property
    def speech(self) -> dict:
        return self.load("speech")

    # ---- countries -------------------------------------------------------
    @cached_property
    def countries(self) -> list[dict]:
        return self.load("countries") or []

    @cached_property
    def country_by_form(self) -> dict[str, str]:
        """Lower-case name, alias, demonym, capital or institution -> country name."""
        out: dict[str, str] = {}
        for c in self.countries:
            for key in ("institutions", "capitals", "demonyms", "aliases"):
                for form in c.get(key) or []:
                    out.setdefault(str(form).lower(), c["name"])
            out[c["name"].lower()] = c["name"]
        return out

    @cached_property
    def country_forms_kind(self) -> dict[str, str]:
        """Lower-case form -> 'name', 'demonym', 'capital' or 'institution'."""
        out: dict[str, str] = {}
        for c in self.countries:
            for key, kind in (("institutions", "institution"), ("capitals", "capital"),
                              ("demonyms", "demonym"), ("aliases", "name")):
                for form in c.get(key) or []:
                    out[str(form).lower()] = kind
            out[c["name"].lower()] = "name"
        return out

    @cached_property
    def country_iso(self) -> dict[str, str]:
        return {c["name"]: c.get("iso2") for c in self.countries}

    @cached_property
    def iso_country(self) -> dict[str, str]:
        return {c.get("iso2"): c["name"] for c in self.countries if c.get("iso2")}

    @cached_property
    def capitals(self) -> dict[str, list[str]]:
        return {c["name"]: list(c.get("capitals") or []) for c in self.countries}

    @cached_property
    def demonym(self) -> dict[str, str]:
        """Country name -> its adjective ('Russia' -> 'Russian')."""
        out = {}
        for c in self.countries:
            dem = [d for d in c.get("demonyms") or [] if not d.endswith("s") or d.endswith("ss")]
            out[c["name"]] = (dem or c.get("demonyms") or [c["name"]])[0]
        return out

    # ---- armed groups ------------------------------------------------------
    @cached_property
    def groups(self) -> list[dict]:
        """Armed groups (armed_groups.yaml) and communal militias (communal_militias.yaml, named as ACLED
        names them: "Fulani Ethnic Militia (Nigeria)"), as one list of {name, aliases, country, kind[, acled]}."""
        out = list(self.load("armed_groups") or [])
        for m in self.load("communal_militias") or []:
            out.append({"name": m["name"], "aliases": list(m.get("forms") or []), "country": m.get("country"),
                        "kind": "identity militia"})
        return out

    @cached_property
    def acled_group_name(self) -> dict[str, str]:
        """Group name -> the name ACLED's actor columns use for it, where it differs ("JNIM" ->
        "JNIM: Group for Support of Islam and Muslims")."""
        return {g["name"]: g["acled"] for g in self.groups if g.get("acled")}

    @cached_property
    def group_by_form(self) -> dict[str, dict]:
        out = {}
        for g in self.groups:
            for form in [g["name"], *(g.get("aliases") or [])]:
                out[str(form).lower()] = g
        return out

    # ---- bodies and roles --------------------------------------------------
    @cached_property
    def bodies(self) -> list[tuple[str, dict]]:
        out = []
        for b in self.load("bodies") or []:
            for p in b.get("patterns") or []:
                out.append((str(p).lower(), b))
        out.sort(key=lambda x: -len(x[0]))
        return out

    @cached_property
    def roles(self) -> list[str]:
        return sorted({str(r).lower() for r in self.load("roles") or []}, key=len, reverse=True)

    @cached_property
    def roles_rx(self) -> re.Pattern:
        return re.compile(r"\b(" + trie_pattern(self.roles, lower=True) + r")\b", re.I)
