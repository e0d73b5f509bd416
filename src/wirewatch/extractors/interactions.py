"""Interactions: dyadic diplomatic and verbal acts coded to CAMEO root codes
(visits, meetings, appeals, demands, accusations, rejections, threats, sanctions)."""
from __future__ import annotations

import re
from dataclasses import dataclass
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


STATE_FORM = re.compile(r"(?:Government|Military Forces|Police Forces) of (.+)")


def state_of(name: Optional[str]) -> Optional[str]:
    """The country of a state actor's canonical name ("Police Forces of Kenya" -> "Kenya"), else None."""
    m = STATE_FORM.match(name or "")
    return m.group(1) if m else None


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


# how the interaction model's root distribution, read on the clause of each act, is combined with the rules
# (chosen with bench/interactions_heldout.py on whole articles the model never saw, and checked on
# ../shared/gold: see README "How interactions and opinion are decided")
MODEL_ADD = 0.9         # an act the rules did not see: added when the model is at least this sure of a root
MODEL_RETYPE = None     # a rule's root replaced by the model's when it is this sure of another root (None: never)
MODEL_DROP = None       # a rule's act dropped when the model is this sure the clause reports none (None: never)
# roots the model never adds or retypes to: coercion and violence are incidents (codebook section 1)
INCIDENT_ROOTS = {"17", "18", "19", "20"}
REPORTING = {"say", "tell", "add", "state", "announce", "note", "write", "claim", "insist", "report", "confirm",
             "reveal", "disclose", "acknowledge", "admit", "explain", "argue", "stress", "emphasise", "emphasize",
             "post", "tweet", "declare", "repeat", "reiterate"}
# the parts of a verb's phrase that are not its act: clauses of their own ("after ...", "..., who ...")
OWN_CLAUSE = {"advcl", "parataxis", "relcl", "appos"}
CLAUSE_PREPS = {"after", "before", "since", "while", "despite", "following", "until", "without", "by", "upon"}
CONTAINERS = {"package", "surge", "tranche", "shipment", "batch", "round", "wave", "flow", "supply", "consignment",
              "convoy", "series", "set", "raft"}
COOPERATIVE = {"02", "03", "04", "05", "06", "07", "08"}
STATE_BODIES = {"police", "army", "gendarmerie", "military", "forces", "government", "authorities", "cabinet",
                "ministry", "guard"}
CONSEQUENCES = {"pay a heavy price", "pay a high price", "pay a price", "pay dearly", "face consequences",
                "face the consequences", "face serious consequences", "face the full force"}
RETALIATION = {"response", "retaliation", "revenge", "retribution", "punishment", "reprisal", "answer", "consequence"}
NOT_ACTS = {"aux", "auxpass", "amod", "compound", "acomp", "prt", "det"}
HOSTILE = {"retaliate", "respond", "avenge", "punish", "crush", "destroy", "hit", "strike", "fight", "defeat",
           "retake", "eliminate", "wipe", "attack", "answer", "pay"}
# nouns that name an act only through their possessor or a verb that does the act by them ("issued a warning")
NOMINAL = {"proposal", "counter-proposal", "plea", "invitation", "threat", "warning", "accusation",
           "condemnation", "talks", "talk"}
LIGHT_VERBS = {"make", "issue", "offer", "put", "send", "extend", "deliver", "hold", "have", "begin", "resume",
               "open", "launch", "level", "renew", "repeat", "submit", "present", "table", "voice", "post", "conduct"}
ARMED_NOUNS = {"army", "force", "forces", "troop", "troops", "unit", "units", "soldier", "soldiers", "fighter",
               "fighters", "rebel", "rebels", "militant", "militants", "militia", "brigade", "battalion"}
ASKING = {"urge", "call", "ask", "press", "tell", "demand", "request", "implore", "appeal", "plead", "want",
          "push", "encourage", "invite"}
DEMANDING = {"demand", "insist", "request", "ask", "urge"}     # "demanded that X withdraw"
READINESS = {"ready to", "ready for", "willing to", "prepared to"}
COOPERATION = {"talk", "talks", "negotiate", "negotiation", "meet", "meeting", "dialogue", "ceasefire", "truce",
               "deal", "agreement", "accord", "accept", "sign", "cooperate", "cooperation", "mediate", "mediation",
               "hand", "exchange", "swap", "release", "resume", "engage", "discuss", "compromise", "peace",
               "normalise", "normalize", "reconcile", "host", "visit", "summit"}
INTENT = {"vow", "pledge", "plan", "agree", "offer", "want", "hope", "seek", "promise", "intend", "aim",
          "expect", "prepare"}
REPORTED = {"ccomp", "relcl", "advcl", "pcomp", "acl", "xcomp"}   # clauses a reporting verb's report may hold
PAIR_NOUNS = {"country", "side", "nation", "party", "neighbour", "neighbor", "government", "capital", "leader",
              "president", "delegation", "foe", "rival", "adversary"}


@dataclass
class Act:
    """A verb with a political actor as its subject: a possible interaction."""
    sentence: Sentence
    verb: Token
    subject: Token
    source: str
    root: Optional[str] = None       # the trigger rules' root (None: only the model saw an act)
    trigger: Optional[str] = None
    target: Optional[str] = None     # set when the subject names both parties ("the two sides met")
    implied: bool = True             # may the target be the other party the sentence names?
    noun: Optional[Token] = None     # a noun trigger acting through the verb ("deliveries to Kyiv")


class InteractionExtractor:
    def __init__(self, pa: ParsedArticle, actors: ActorCoder, model=None):
        self.pa = pa
        self.actors = actors
        self.model = model
        self.matchers, self.root_of, self.m_all = cameo_matchers(pa.lex)
        self.quotes_spans: list[tuple[int, int]] = []
        self.actor_nouns = set(pa.lex.speech.get("actor_nouns") or [])
        self.read_at: dict[str, tuple[int, int]] = {}   # where each target of the current act was read

    def in_quote(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.quotes_spans)

    def extract(self, direct_spans: list[tuple[int, int]]) -> list[Interaction]:
        self.quotes_spans = direct_spans
        acts = []
        for sent in self.pa.sentences:
            if not sent.opinion:
                acts.extend(self.acts(sent))
        clauses = [self.clause(a.verb, a.subject) for a in acts]
        preds = self.model.predict([self.pa.text[s:e] for s, e in clauses]) if self.model and acts else [None] * len(acts)
        out, seen = [], set()
        by_rules = {(a.sentence.index, a.root) for a in acts if a.root is not None}
        for act, (start, end), pred in zip(acts, clauses, preds):
            root, confidence = self.decide(act, pred)
            if root is None:
                continue
            if act.root is None and ((act.sentence.index, root) in by_rules or
                                     root == "08" and self.armed(act)):
                # the model's reading of a second verb of an act already found; or troops pulling back,
                # which is the war's course (an incident, or nothing), not a concession to anyone
                continue
            self.read_at = {}
            targets = [act.target] if act.target else self.targets(act.verb, root, act.source, act.noun)
            if not targets:
                dobj = next((c for c in act.verb.children if c.dep_ == "dobj"), None)
                if dobj is not None and dobj.lemma_.lower() in CIVILIAN_NOUNS:
                    own = self.source_country(act.subject, act.source)
                    targets = [f"Civilians ({own})" if own else "Civilians"]
                elif act.implied:
                    targets = self.implied_target(act.sentence, act.verb, act.subject, act.source, root)
            targets = [t for t in targets if t != act.source]
            if root in COOPERATIVE:
                # a leader's orders to, praise of or visit to their own police, army or government is how a
                # state runs itself, not an interaction between parties
                own = self.stated_country(act.subject, act.source)
                targets = [t for t in targets if not (own and self.own_state(t, own))]
                if not targets and act.root is not None:
                    continue
            if not targets:
                if act.root is not None:
                    continue        # a trigger word with no one it is directed at: a statement (a quote)
                targets = [None]    # the model sees an act the parse cannot direct: kept, target empty
            for tgt in targets:
                key = (act.sentence.index, root, act.source, tgt)
                if key in seen:
                    continue
                seen.add(key)
                date, prec = self.date(act.sentence, act.verb)
                trigger = act.trigger if act.root == root else f"model {root} {confidence:.2f}"
                out.append(Interaction(
                    event_date=date, date_precision=prec, source_actor=act.source, target_actor=tgt,
                    cameo_root=root, summary=self.summary(act.source, root, act.verb, tgt),
                    location=self.location(act.sentence), evidence=self.evidence(act, tgt, start, end),
                    triggers=[trigger], confidence=confidence))
        return out

    def evidence(self, act: Act, target: Optional[str], start: int, end: int) -> list:
        """The act's clause, then the words naming its source and its target where the clause does not
        hold them ("X said ..., and accused Kigali": X; "urged both countries": no words, none added)."""
        spans = [(start, end)]
        subj = act.subject
        src = (subj.left_edge.idx, subj.idx + len(subj.text)) if subj.i >= subj.left_edge.i else None
        for span in (src, self.read_at.get(target) if target else None):
            if span and span[0] >= self.pa.body_start and not (start <= span[0] and span[1] <= end) \
                    and span not in spans:
                spans.append(span)
        return [self.pa.ev(s, e) for s, e in spans]

    def acts(self, sent: Sentence) -> list[Act]:
        """The sentence's possible acts: verbs a trigger word names, then (with a model) every other verb
        whose subject is a political actor."""
        toks = [t for t in sent.span if t.idx >= self.pa.body_start]
        out: list[Act] = []
        for i, j, entry in self.m_all.find(toks):
            trig = toks[i]
            if self.in_quote(trig.idx):
                continue
            root = self.root_of[entry]
            nominal = self._nominal(trig)
            if nominal is not None:
                # "Trump's proposal", "Rubio's visit to Riyadh": the possessor acts
                out.append(Act(sent, trig, nominal[0], nominal[1], root, entry))
                continue
            if trig.pos_ == "NOUN" and entry in NOMINAL and trig.head.lemma_ not in LIGHT_VERBS:
                continue        # "rejected the proposals": the proposal is not this sentence's act
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
            if entry in ("speak", "talk") and trig.pos_ == "VERB" and not any(c.dep_ == "prep" and c.lower_ == "with" for c in verb.children):
                continue        # "spoke separately with X" consults X; "spoke to reporters" does not
            if root == "04" and verb.lemma_ == "meet" and any(
                    c.dep_ == "dobj" and not self.is_actor(c) for c in verb.children):
                continue        # "meet the needs of", "meeting little resistance"
            if self._asked_for(verb) or self._hypothetical(verb):
                continue        # "urged Europe to impose sanctions": the sanctions are asked for, not imposed
            if entry in CONSEQUENCES:
                act = self._consequence(sent, verb, entry)
                if act is not None:
                    out.append(act)
                continue
            src_tok = self.agent(verb)
            source = self.actor(src_tok) if src_tok is not None else None
            dyad = self.dyad(src_tok) if src_tok is not None and root == "04" else None
            if dyad:
                # "the two sides met", "Russian and Ukrainian delegations held talks": one with the other
                out.append(Act(sent, verb, src_tok, dyad[0], root, entry, target=dyad[1]))
                continue
            if not source:
                continue
            # a noun trigger acting through the verb ("sanctions against Moscow"): its own recipient counts
            noun = toks[j - 1] if trig.pos_ != "VERB" and toks[j - 1].pos_ in ("NOUN", "PROPN") else None
            parties = self.parties_in(src_tok) if src_tok.i < verb.i else []
            if len(parties) > 1:
                # "Von der Leyen, Trudeau and the Nordic leaders travelled to Kyiv", "the European Union and
                # Britain unveiled sanctions": one act per party
                out.extend(Act(sent, verb, src_tok, party, root, entry, noun=noun) for party in parties)
                continue
            if verb.lemma_ == "call" and root == "04":
                # "called the strikes an act of war": disapproval
                if any(c.dep_ in ("oprd", "ccomp", "xcomp") for c in verb.children):
                    root = "11"
            if verb.lemma_ == "tell" and any(c.dep_ == "xcomp" for c in verb.children):
                root = "10"   # "told Iran to end its support": a demand
            if root == "04" and self._intended(verb):
                root = "03"   # "vowed to keep talking with", "agreed to meet": a meeting promised
            if verb.lemma_ in ("vow", "promise"):
                # "vowed to respond", "promised a worthy response", "vowed that those responsible would face
                # the law" threaten; "vowed to keep talking", "promised aid" are intent to cooperate
                inner = next((c for c in verb.children if c.dep_ == "xcomp"), None)
                obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
                said = next((c for c in verb.children if c.dep_ == "ccomp"), None)
                hostile = (inner is not None and inner.lemma_ in HOSTILE) or \
                    (obj is not None and obj.lemma_.lower() in RETALIATION) or \
                    (said is not None and any(t.lemma_.lower() in RETALIATION | {"law", "justice", "punish", "face"}
                                              for t in said.subtree))
                if not hostile:
                    if verb.lemma_ == "promise" and inner is None and obj is None:
                        continue
                    root = "03"
            # "ready to work for peace" is a statement unless it names whom, or what is on offer is talks,
            # a ceasefire or a deal ("ready for a full and unconditional ceasefire")
            implied = not (entry in READINESS and not self._cooperation(trig))
            out.append(Act(sent, verb, src_tok, source, root, entry, implied=implied, noun=noun))
        if self.model is None:
            return out
        seen = {a.verb.i for a in out}
        for t in toks:
            if t.i in seen or t.pos_ != "VERB" or t.dep_ in NOT_ACTS or t.lemma_ in REPORTING or self.in_quote(t.idx):
                continue
            if t.tag_ == "VBN" and t.dep_ in ("acl", "advcl") or self._asked_for(t) or self._hypothetical(t):
                continue        # "joined by ...", what someone is urged to do, what happens only "if"
            if self._modal(t) and not self._reported(t):
                continue        # "Russia and Ukraine would halt ...": a plan told, not someone's stated intent
            src_tok = self.agent(t)
            source = self.actor(src_tok) if src_tok is not None else None
            if source:
                seen.add(t.i)
                out.append(Act(sent, t, src_tok, source))
        return out

    def decide(self, act: Act, pred) -> tuple[Optional[str], Optional[float]]:
        """The root of an act and its confidence, from the rules' root and the model's reading of the clause."""
        if pred is None:
            return act.root, None
        probs = pred.probabilities
        best = max((r for r in probs if r != "none" and r not in INCIDENT_ROOTS), key=probs.get, default=None)
        if act.root is None:
            if best is not None and probs[best] >= MODEL_ADD:
                return best, round(float(probs[best]), 3)
            return None, None
        if MODEL_DROP is not None and probs.get("none", 0.0) >= MODEL_DROP:
            return None, None
        root = act.root
        # a noun act ("Trump's proposal") names its root itself: its clause is too short to read otherwise
        if MODEL_RETYPE is not None and best is not None and best != root and probs[best] >= MODEL_RETYPE \
                and act.verb.pos_ == "VERB":
            root = best
        return root, round(float(probs.get(root, 0.0)), 3)

    def clause(self, verb: Token, subject: Token) -> tuple[int, int]:
        """The character span of an act's clause: the verb with its subject, objects and complements, without
        the clauses hung on it ("after ...", "..., who ...", a second verb joined by "and")."""
        keep = {verb.i}
        stack = [(c, True) for c in verb.children]
        while stack:
            t, top = stack.pop()
            if t.dep_ in OWN_CLAUSE or t.dep_ == "punct" or (
                    top and (t.dep_ == "cc" or t.dep_ == "conj" and t.pos_ in ("VERB", "AUX"))) or (
                    top and t.dep_ == "prep" and t.lower_ in CLAUSE_PREPS and any(c.dep_ == "pcomp" for c in t.children)):
                continue        # "..., after having kept the envoy waiting": a clause of its own
            keep.add(t.i)
            stack.extend((c, False) for c in t.children)
        if subject.i not in keep:
            keep.update(t.i for t in subject.subtree if t.dep_ not in OWN_CLAUSE)
        sent = verb.sent
        toks = [verb.doc[i] for i in keep
                if verb.doc[i].idx >= self.pa.body_start and sent.start <= i < sent.end] or [verb]
        first = min(toks, key=lambda t: t.i)
        if subject.head.i == verb.i and subject.i < verb.i:
            if subject.left_edge.idx >= self.pa.body_start and subject.left_edge.i >= sent.start:
                first = subject.left_edge
        elif first.i < verb.i and subject.i < verb.i:
            first = verb         # the subject is told elsewhere: the evidence is the act's own words
        last = max(toks, key=lambda t: t.i)
        if last.i - first.i > 45:          # a long run of modifiers: the evidence ends at the verb's objects
            last = max((t for t in toks if t.i - first.i <= 45), key=lambda t: t.i, default=verb)
        if last.i < first.i:
            first, last = verb, verb
        return first.idx, last.idx + len(last.text)

    def agent(self, verb: Token) -> Optional[Token]:
        """Who does the verb's act: its subject; for a pronoun under a reporting verb ("Hamas said it was
        ready to ...") the reporting verb's subject; for a past-tense verb joined by "and" to a verb inside a
        reported clause ("X said the city had been occupied ..., and accused Kigali of ...") the reporter."""
        if verb.dep_ == "conj" and verb.tag_ == "VBD" and verb.head.dep_ in REPORTED:
            up = verb.head
            while up.dep_ != "ROOT" and up.head.i != up.i and up.lemma_ not in REPORTING:
                up = up.head
            if up.lemma_ in REPORTING and (outer := self._subject(up)) is not None:
                return outer
        if verb.dep_ == "acl" and verb.tag_ in ("VBD", "VBN") and verb.head.dep_ == "nsubj" and \
                not any(c.dep_ in ("agent", "auxpass") for c in verb.children):
            return verb.head     # "The statement called on X ... and demanded ...": a misread finite verb
        src = self._subject(verb)
        if src is not None and src.lower_ in ("it", "they", "he", "she", "we") and verb.dep_ in ("ccomp", "xcomp") \
                and verb.head.lemma_ in REPORTING:
            outer = self._subject(verb.head)
            if outer is not None:
                return outer
        return src

    @staticmethod
    def _asked_for(verb: Token) -> bool:
        """Is the verb what someone is urged, asked or told to do ("called on Washington to impose ...",
        "demanded that Israel withdraw")? A verb joined by "and" shares its partner's place."""
        t = verb
        while t.head.i != t.i:
            if t.dep_ == "conj":
                t = t.head
            elif t.dep_ == "xcomp" or t.dep_ == "ccomp" and t.head.lemma_ in DEMANDING:
                if t.head.lemma_ in ASKING:
                    return True
                t = t.head
            else:
                return False
        return False

    @staticmethod
    def _modal(verb: Token) -> bool:
        """Does a modal ("would", "could") govern the verb, or the verb it is joined to?"""
        t = verb
        while True:
            if any(c.dep_ == "aux" and c.tag_ == "MD" for c in t.children):
                return True
            if t.dep_ != "conj" or t.head.i == t.i:
                return False
            t = t.head

    @staticmethod
    def _reported(verb: Token) -> bool:
        """Is the verb (or the verb it is joined to) what a reporting verb reports ("said it would ...")?"""
        t = verb
        while t.dep_ == "conj" and t.head.i != t.i:
            t = t.head
        return t.dep_ in ("ccomp", "xcomp") and t.head.lemma_ in REPORTING

    @staticmethod
    def _hypothetical(verb: Token) -> bool:
        """Is the verb in an "if"/"unless" clause ("sanctions if the Kremlin refused")?"""
        t = verb
        while t.dep_ in ("conj",) and t.head.i != t.i:
            t = t.head
        return t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in t.children)

    @staticmethod
    def _cooperation(trig: Token) -> bool:
        """Does what someone is ready for involve the other side (talks, a ceasefire, a deal)?"""
        head = trig.head if trig.dep_ in ("acomp", "amod") else trig
        words = {t.lemma_.lower() for t in head.subtree if t.i > trig.i}
        return bool(words & COOPERATION)

    @staticmethod
    def _intended(verb: Token) -> bool:
        """Is the verb what someone vows, plans or offers to do (an xcomp chain up to an intent verb)?"""
        t = verb
        while t.dep_ == "xcomp" and t.head.i != t.i:
            t = t.head
            if t.lemma_ in INTENT:
                return True
        return False

    def armed(self, act: Act) -> bool:
        """Is the act's source a fighting force (an army, its units, an armed group)?"""
        if act.source.startswith("Military Forces") or act.subject.lemma_.lower() in ARMED_NOUNS:
            return True
        span = (act.subject.left_edge.idx, act.subject.idx + len(act.subject.text))
        return any(m.kind == "group" for m in self.pa.mentions_in(*span))

    def _consequence(self, sent: Sentence, verb: Token, entry: str) -> Optional[Act]:
        """"saying the group's leaders would pay a heavy price": a threat by whoever says it, against the one
        who would pay."""
        up = verb
        while up.dep_ in ("conj", "ccomp", "advcl", "xcomp") and up.head.i != up.i:
            up = up.head
            if up.lemma_ in REPORTING or up.lemma_ in ("warn", "vow", "threaten"):
                break
        if up.i == verb.i or not (up.lemma_ in REPORTING or up.lemma_ in ("warn", "vow", "threaten")):
            return None
        src_tok = self.agent(up)
        source = self.actor(src_tok) if src_tok is not None else None
        victim = self._subject(verb)
        target = self.actor(victim) if victim is not None else None
        if not source or (target and target == source):
            return None
        return Act(sent, verb, src_tok, source, "13", entry, target=target)

    def _nominal(self, noun: Token) -> Optional[tuple[Token, str]]:
        """A noun trigger with an actor as its possessor ("Trump's proposal"): the possessor and its name."""
        if noun.pos_ != "NOUN":
            return None
        poss = next((c for c in noun.children if c.dep_ == "poss" and c.lower_ not in ("its", "their", "his", "her")), None)
        name = self.actor(poss) if poss is not None else None
        return (poss, name) if name else None

    def _verb(self, toks: list[Token]) -> Optional[Token]:
        for t in toks:
            if t.pos_ in ("VERB",):
                return t
        t = toks[0]
        # a noun trigger ("imposed sanctions", "a state of emergency") acts through its verb, also from inside
        # its object ("kept up its surge of weapons deliveries")
        if t.pos_ in ("NOUN", "ADJ", "PROPN"):
            up = t
            for _ in range(4):
                if up.head.pos_ == "VERB" and up.dep_ != "pobj":
                    return up.head
                if up.dep_ in ("compound", "amod") and up.head.i != up.i:
                    up = up.head
                elif up.dep_ == "pobj" and up.head.lower_ == "of" and up.head.head.lemma_ in CONTAINERS:
                    up = up.head.head       # "a surge of weapons deliveries": the surge's verb
                else:
                    break
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

    def targets(self, verb: Token, root: str, source: Optional[str] = None, noun: Optional[Token] = None) -> list[str]:
        out = []
        cands = []
        if noun is not None and noun.i != verb.i:
            # "deliveries to Kyiv", "sanctions on Moscow": the noun's own recipient
            for n in (noun, noun.head):
                for c in n.children:
                    if c.dep_ == "prep" and c.lower_ in ("to", "for", "on", "against"):
                        cands.extend(g for g in c.children if g.dep_ == "pobj")
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
            pair = self.pair(c, source)
            if pair:
                out.extend(pair)
                continue
            people = self.people_in(c)
            if len(people) > 1:
                out.extend(people)      # "with Foreign Minister A and Prime Minister B"
                continue
            name = self.actor(c)
            if name and len(name.split()) <= 6:
                for part in self.split(name):
                    out.append(part)
                    self.read_at.setdefault(part, (c.left_edge.idx, c.right_edge.idx + len(c.right_edge.text)))
        return list(dict.fromkeys(out))[:3]

    def dyad(self, tok: Token) -> Optional[tuple[str, str]]:
        """A subject naming both parties: "the two sides", "both presidents" (the article's two main countries),
        "Russian and Ukrainian delegations" (the two countries named)."""
        start, end = tok.left_edge.idx, tok.idx + len(tok.text)
        named = list(dict.fromkeys(m.value for m in self.pa.mentions_in(start, end, "country")))
        if len(named) == 2 and " and " in self.pa.text[start:end]:
            return government(named[0]), government(named[1])
        if tok.lemma_.lower() in PAIR_NOUNS and any(c.lower_ in ("both", "two") for c in tok.children):
            main = self.pa.main_countries[:2]
            if len(main) == 2:
                return government(main[0]), government(main[1])
        return None

    def people_in(self, tok: Token) -> list[str]:
        """The people a coordinated phrase names ("A and B", however the parse hangs them together)."""
        start, end = tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge.text)
        if " and " not in self.pa.text[start:end]:
            return []
        people = self.pa.mentions_in(start, end, "person")
        for m in people:
            self.read_at.setdefault(m.value, (m.start, m.end))
        return list(dict.fromkeys(m.value for m in people))

    def parties_in(self, tok: Token) -> list[str]:
        """The parties a coordinated subject names: people, else countries and bodies ("the European Union
        and Britain")."""
        people = self.people_in(tok)
        if len(people) > 1:
            return people
        conj = [c for c in tok.children if c.dep_ == "conj"]
        if conj and all(c.pos_ in ("PROPN", "NOUN") for c in conj):
            names = [self.actor(t) for t in [tok] + conj]
            if all(names):
                return list(dict.fromkeys(names))
        last = max(conj, key=lambda c: c.i, default=tok)
        start, end = tok.left_edge.idx, last.idx + len(last.text)
        if " and " not in self.pa.text[start:end]:
            return []
        out = []
        for m in self.pa.mentions_in(start, end):
            if m.kind == "country" and not self.pa.text[m.start:m.end][:1].islower():
                name = government(m.value)
            elif m.kind == "body":
                name, _ = self.actors.body_name(m, m.start, m.end)
            elif m.kind == "group":
                name = m.value
            else:
                continue
            if name and name not in out and not any(name != o and name in o for o in out):
                out.append(name)
        return out

    def pair(self, tok: Token, source: Optional[str]) -> list[str]:
        """"both countries", "the two sides", "them" (after a dyad): the article's two main countries, less
        the source's own ("Urged both countries" is one interaction per target)."""
        two = any(c.lower_ in ("both", "two") for c in tok.children) and tok.lemma_.lower() in PAIR_NOUNS
        if not two and tok.lower_ != "them":
            return []
        main = [government(c) for c in self.pa.main_countries[:2]]
        if len(main) < 2 or (tok.lower_ == "them" and not self._dyad_before(tok)):
            return []
        return [m for m in main if m != source]

    def _dyad_before(self, tok: Token) -> bool:
        """Does the sentence before "them" name the two main countries?"""
        sent = tok.sent
        prev = self.pa.text[max(0, sent.start_char - 400):tok.idx]
        names = self.pa.main_countries[:2]
        return all(any(m.value == n for m in self.pa.mentions_in(max(0, sent.start_char - 400), tok.idx, "country"))
                   for n in names) and bool(prev)

    def split(self, name: str) -> list[str]:
        """"Kyiv and European capitals": one target per actor named."""
        if " and " not in name:
            return [name]
        parts = [p.strip() for p in name.split(" and ")]
        out = []
        for part in parts:
            low = part.lower()
            if low in self.pa.lex.country_by_form:
                out.append(government(self.pa.lex.country_by_form[low]))
            elif part[:1].isupper() or low.split()[-1].rstrip("s") in PAIR_NOUNS:
                out.append(part)
            else:
                return [name]
        return out

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
                cands.append((m.start < verb.idx, m.start, name, m.end))
        cands.sort()
        if cands:
            self.read_at.setdefault(cands[0][2], (cands[0][1], cands[0][3]))
            return [cands[0][2]]
        # disapproval, demands, rejections and threats without a named target: the source's adversary
        if root in ("10", "11", "12", "13"):
            own = self.source_country(src_tok, source)
            if own:
                for name in self.pa.main_countries[:3]:
                    if name != own:
                        return [government(name)]
        return []

    def stated_country(self, src_tok: Token, source: str) -> Optional[str]:
        """The country the source's own words name ("Kenyan President William Ruto", "Government of Mali",
        "the Malian junta"), else None."""
        state = state_of(source)
        if state:
            return state
        first = source.split()[0].lower() if source else ""
        if first in self.pa.lex.country_by_form:
            return self.pa.lex.country_by_form[first]
        span = (src_tok.left_edge.idx, src_tok.idx + len(src_tok.text))
        named = {m.value for m in self.pa.mentions_in(*span, "country")}
        return named.pop() if len(named) == 1 else None

    def own_state(self, target: Optional[str], country: str) -> bool:
        """Is the target a state body of ``country`` ("Government of Kenya", "Kenyan Police", "Lebanese Army")?"""
        if not target:
            return False
        state = state_of(target)
        if state:
            return state == country
        words = target.split()
        return len(words) >= 2 and self.pa.lex.country_by_form.get(words[0].lower()) == country and \
            words[-1].lower() in STATE_BODIES

    def source_country(self, src_tok: Token, source: str) -> Optional[str]:
        state = state_of(source)
        if state:
            return state
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
