"""Interactions: dyadic diplomatic and verbal acts coded to CAMEO root codes
(visits, meetings, appeals, demands, accusations, rejections, threats, sanctions)."""
from __future__ import annotations

import re
from typing import Optional

from spacy.tokens import Token

from ..records import Interaction
from .actors import ActorCoder, government
from .context import ParsedArticle, Sentence
from .lexmatch import LemmaMatcher
from .places import find_places

TARGET_DEPS = ("dobj", "iobj", "dative", "attr", "oprd")
TARGET_PREPS = {"with", "to", "on", "against", "of", "from", "at", "for", "in"}
CIVILIAN_NOUNS = {"people", "resident", "residents", "civilian", "civilians", "citizen", "citizens", "population",
                  "public", "family", "families", "villager", "villagers"}
ROOT_VERB = {"02": "urged", "03": "offered cooperation to", "04": "met", "05": "welcomed", "07": "gave aid to",
             "08": "eased pressure on", "10": "made demands of", "11": "criticised", "12": "rejected",
             "13": "threatened", "14": "protested against", "15": "showed force towards", "16": "cut ties with",
             "06": "cooperated with", "09": "investigated", "17": "coerced", "18": "assaulted", "19": "fought",
             "20": "used mass violence against"}


def cameo_matchers(lex) -> tuple[dict[str, LemmaMatcher], dict[str, str], LemmaMatcher]:
    """Per CAMEO root: its matcher; entry -> root; one matcher for all (built once per lexicon)."""
    if "_cameo_matchers" not in lex.__dict__:
        cameo = lex.speech["cameo"]
        root_of: dict[str, str] = {}
        entries = []
        for root, words in cameo.items():
            for w in words:
                root_of[str(w).lower()] = str(root)
                entries.append(w)
        lex.__dict__["_cameo_matchers"] = ({root: LemmaMatcher(words) for root, words in cameo.items()},
                                           root_of, LemmaMatcher(entries))
    return lex.__dict__["_cameo_matchers"]


# how the interaction model's root distribution is combined with the trigger rules
MODEL_ADD = 0.7         # a root the rules did not see: added when the model is at least this sure
MODEL_RETYPE = 0.6      # a rule's root replaced by the model's when it is this sure of another root
MODEL_DROP = 0.9        # a rule's interaction dropped when the model is this sure there is none
REPORTING = {"say", "tell", "add", "state", "announce", "note", "write", "claim", "insist", "report"}


class InteractionExtractor:
    def __init__(self, pa: ParsedArticle, actors: ActorCoder, model=None):
        self.pa = pa
        self.actors = actors
        self.model = model
        self.matchers, self.root_of, self.m_all = cameo_matchers(pa.lex)
        self.quotes_spans: list[tuple[int, int]] = []
        self.actor_nouns = set(pa.lex.speech.get("actor_nouns") or [])

    def in_quote(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.quotes_spans)

    def _predictions(self) -> dict:
        """The interaction model's prediction for every sentence of the body (one batch per article)."""
        if self.model is None:
            return {}
        sents = [s for s in self.pa.sentences if not s.opinion and s.end > self.pa.body_start]
        texts = [self.pa.text[max(s.start, self.pa.body_start):s.end] for s in sents]
        return dict(zip((s.index for s in sents), self.model.predict(texts))) if texts else {}

    def extract(self, direct_spans: list[tuple[int, int]]) -> list[Interaction]:
        self.quotes_spans = direct_spans
        out = []
        preds = self._predictions()
        for sent in self.pa.sentences:
            if sent.opinion:
                continue
            toks = [t for t in sent.span if t.idx >= self.pa.body_start]
            seen_roots = set()
            pred = preds.get(sent.index)
            before = len(out)
            for i, j, entry in self.m_all.find(toks):
                trig = toks[i]
                if self.in_quote(trig.idx):
                    continue
                root = self.root_of[entry]
                verb = self._verb(toks[i:j])
                if verb is None:
                    continue
                if verb.lemma_ in ("say", "add", "note", "write") or (verb.lemma_ == "tell" and not any(
                        c.dep_ == "xcomp" for c in verb.children)):
                    continue
                if entry == "call" or verb.lemma_ == "call" and root == "04":
                    if not any(t.lower_ in ("phone", "telephone", "call") for t in sent.span):
                        continue
                if root == "12" and verb.lemma_ == "deny" and not any(c.dep_ == "dobj" for c in verb.children):
                    continue
                if root == "11" and verb.lemma_ == "call" and not any(c.dep_ in ("oprd", "ccomp", "xcomp") for c in verb.children):
                    pass
                src_tok = self._subject(verb)
                if src_tok is None:
                    continue
                source = self.actor(src_tok)
                if not source:
                    continue
                if verb.lemma_ == "call" and root == "04":
                    # "called the strikes an act of war": disapproval
                    if any(c.dep_ in ("oprd", "ccomp", "xcomp") for c in verb.children):
                        root = "11"
                if verb.lemma_ == "tell" and any(c.dep_ == "xcomp" for c in verb.children):
                    root = "10"   # "told Iran to end its support": a demand
                if pred is not None:
                    if pred.label == "none" and pred.probability >= MODEL_DROP:
                        continue
                    if pred.label not in ("none", root) and pred.probability >= MODEL_RETYPE:
                        root = pred.label
                targets = self.targets(verb, root)
                if not targets:
                    dobj = next((c for c in verb.children if c.dep_ == "dobj"), None)
                    if dobj is not None and dobj.lemma_.lower() in CIVILIAN_NOUNS:
                        own = self.source_country(src_tok, source)
                        targets = [f"Civilians ({own})" if own else "Civilians"]
                    else:
                        targets = self.implied_target(sent, verb, src_tok, source, root)
                # an interaction is dyadic: without someone it is directed at, it is a statement (a quote)
                for tgt in targets:
                    if tgt == source:
                        continue
                    key = (root, source, tgt)
                    if key in seen_roots:
                        continue
                    seen_roots.add(key)
                    date, prec = self.date(sent, verb)
                    ev_end = verb.right_edge.idx + len(verb.right_edge.text) if verb.right_edge.i - verb.i < 25 else verb.idx + len(verb.text)
                    ev_start = src_tok.left_edge.idx if src_tok.i < verb.i else verb.idx
                    out.append(Interaction(
                        event_date=date, date_precision=prec, source_actor=source, target_actor=tgt,
                        cameo_root=root, summary=self.summary(source, root, verb, tgt),
                        location=self.location(sent), evidence=[self.pa.ev(ev_start, min(ev_end, sent.end))],
                        triggers=[entry]))
            if len(out) == before and pred is not None and pred.label != "none" and pred.probability >= MODEL_ADD:
                added = self.from_model(sent, toks, pred)
                if added is not None:
                    out.append(added)
        return out

    def from_model(self, sent: Sentence, toks: list[Token], pred) -> Optional[Interaction]:
        """An act the model sees where no trigger word matched: its verb is the sentence's main verb (past a
        reporting verb: "X said it would send aid to Y"), its source that verb's subject, its target the
        object or the other party named; with no target found the record keeps an empty target."""
        if not toks or self.in_quote(toks[0].idx):
            return None
        head = next((t for t in toks if t.dep_ == "ROOT"), None)
        if head is None:
            return None
        verb = head
        if head.lemma_ in REPORTING:
            inner = next((c for c in head.children if c.dep_ in ("ccomp", "xcomp")), None)
            if inner is not None:
                verb = inner
        src_tok = self._subject(verb) or self._subject(head)
        if src_tok is None:
            return None
        source = self.actor(src_tok)
        if not source:
            return None
        root = pred.label
        targets = [t for t in self.targets(verb, root) if t != source]
        if not targets:
            targets = [t for t in self.implied_target(sent, verb, src_tok, source, root) if t != source]
        target = targets[0] if targets else None
        date, prec = self.date(sent, verb)
        start = max(sent.start, self.pa.body_start)
        return Interaction(event_date=date, date_precision=prec, source_actor=source, target_actor=target,
                           cameo_root=root, summary=self.summary(source, root, verb, target),
                           location=self.location(sent), evidence=[self.pa.ev(start, sent.end)],
                           triggers=[f"model {root} {pred.probability:.2f}"])

    def _verb(self, toks: list[Token]) -> Optional[Token]:
        for t in toks:
            if t.pos_ in ("VERB",):
                return t
        t = toks[0]
        # a noun trigger ("imposed sanctions", "a state of emergency") acts through its verb
        if t.pos_ in ("NOUN", "ADJ", "PROPN") and t.head.pos_ == "VERB":
            return t.head
        if t.pos_ == "ADJ" and t.head.pos_ == "AUX":
            return t.head
        return None

    def _subject(self, verb: Token) -> Optional[Token]:
        for c in verb.children:
            if c.dep_ == "nsubj":
                if c.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                    return verb.head
                return c
        if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i:
            return self._subject(verb.head)
        return None

    def is_actor(self, tok: Token) -> bool:
        """Does the phrase headed by ``tok`` name a political actor (not a thing, a time or a figure)?"""
        if tok.lower_ in ("he", "she", "they", "it", "we"):
            return tok.lower_ != "it"
        if tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            return True
        start, end = tok.left_edge.idx, tok.idx + len(tok.text)
        if any(m.kind in ("person", "country", "group", "body") for m in self.pa.mentions_in(start, end)):
            return True
        return tok.lemma_.lower() in self.actor_nouns

    def actor(self, tok: Token) -> Optional[str]:
        if not self.is_actor(tok):
            return None
        sp = self.actors.speaker_of(tok, before=tok.idx)
        if not sp:
            return None
        low = sp.lower()
        if low in self.pa.lex.country_by_form:
            return government(self.pa.lex.country_by_form[low])
        return sp

    def targets(self, verb: Token, root: str) -> list[str]:
        out = []
        cands = []
        for c in verb.children:
            if c.dep_ in TARGET_DEPS:
                cands.append(c)
            elif c.dep_ == "prep" and c.lower_ in TARGET_PREPS and (c.lower_ != "in" or (
                    verb.lemma_ in ("arrive", "visit", "travel", "land") and not any(x.dep_ == "dobj" for x in verb.children))):
                cands.extend(g for g in c.children if g.dep_ == "pobj")
            elif c.dep_ == "prt":
                for g in c.children:
                    if g.dep_ == "pobj":
                        cands.append(g)
        # "called on Washington", "accused Kigali of"
        for c in list(cands):
            cands.extend(g for g in c.children if g.dep_ == "conj")
        for c in cands:
            if c.pos_ in ("VERB",):
                continue
            name = self.actor(c)
            if name and len(name.split()) <= 6:
                out.append(name)
        return out[:3]

    def implied_target(self, sent: Sentence, verb: Token, src_tok: Token, source: str, root: str) -> list[str]:
        """No object names the target: the other party named in the sentence, after the verb first."""
        src_span = (src_tok.left_edge.idx, src_tok.right_edge.idx + len(src_tok.right_edge.text))
        cands = []
        for m in self.pa.mentions_in(sent.start, sent.end):
            if m.kind not in ("person", "country", "group", "body") or src_span[0] <= m.start < src_span[1]:
                continue
            if self.in_quote(m.start):
                continue
            if m.kind == "country":
                name = government(m.value)
            elif m.kind == "body":
                name, _ = self.actors.body_name(m, m.start, m.end)
            else:
                name = m.value
            if name and name != source:
                cands.append((m.start < verb.idx, m.start, name))
        cands.sort()
        if cands:
            return [cands[0][2]]
        # disapproval, demands, rejections and threats without a named target: the source's adversary
        if root in ("10", "11", "12", "13"):
            own = self.source_country(src_tok, source)
            if own:
                for name in self.pa.main_countries[:3]:
                    if name != own:
                        return [government(name)]
        return []

    def source_country(self, src_tok: Token, source: str) -> Optional[str]:
        m = re.match(r"(?:Government|Military Forces|Police Forces) of (.+)", source)
        if m:
            return m.group(1)
        for mention in self.pa.mentions:
            if mention.kind == "person" and mention.value == source:
                near = self.pa.mentions_in(max(0, mention.start - 60), mention.start, "country")
                if near:
                    return near[-1].value
        span = (src_tok.left_edge.idx, src_tok.right_edge.idx + len(src_tok.right_edge.text))
        for mention in self.pa.mentions_in(*span):
            if mention.kind in ("country", "body") and mention.country:
                return mention.country
        return None

    def date(self, sent: Sentence, verb: Token) -> tuple[Optional[str], Optional[str]]:
        if any(c.lower_ in ("has", "have") and c.dep_ == "aux" for c in verb.children):
            return None, None
        for d in sent.dates:
            if d.date and d.precision == "day" and not d.future:
                return d.date, "day"
        if verb.tag_ in ("VBD",) or verb.tag_ == "VBN":
            return self.pa.base_date.isoformat(), "day"
        return None, None

    def summary(self, source: str, root: str, verb: Token, target: Optional[str]) -> str:
        obj = " ".join(t.text for t in verb.subtree if t.i > verb.i)[:80].strip()
        verb_text = verb.text
        line = f"{source} {verb_text} {obj}".strip() if obj else f"{source} {ROOT_VERB[root]} {target or ''}".strip()
        return re.sub(r"\s+", " ", line)

    def location(self, sent: Sentence) -> Optional[str]:
        for p in find_places(self.pa, sent.start, sent.end):
            if p.prep in ("in", "at") and p.level == "place":
                return p.text
        return None
