"""Incidents: ACLED event types from trigger words, with date, place, actors,
fatalities and target, one per clause and place; repeated reports of the same
incident in one article are merged (the lowest death toll wins)."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Token

from ..gazetteer import _ascii_name
from ..records import Incident, Quote
from .actors import ActorCoder, civilians, military, police
from .context import ParsedArticle, Sentence
from .lexmatch import LemmaMatcher
from .numbers import find_numbers
from .places import PlaceMention, find_places
from ..event_model.data import EVENT_TYPE_OF, NONE

CLAUSE_DEPS = ("ROOT", "ccomp", "conj", "relcl", "parataxis", "xcomp", "acl")
OUTCOME_VERBS = {"kill", "wound", "injure", "hit", "strike", "destroy", "damage", "flatten", "level", "raze", "set",
                 "spark", "cause", "leave", "start", "ignite", "target", "pound", "claim", "collapse", "report"}
ACCUSE = {"accuse", "condemn", "blame", "allege", "claim", "denounce", "criticise", "criticize", "charge"}
NON_STATE_ATTACKERS = {"gunman", "gunmen", "militant", "jihadist", "insurgent", "rebel", "attacker", "fighter",
                       "bandit", "assailant", "gang", "extremist", "terrorist"}
PLANS = {"threaten", "vow", "plan", "promise", "propose", "demand", "urge", "aim", "seek", "want", "try", "prepare",
         "intend", "expect", "warn", "fear", "could", "would", "call", "ask"}
MODALS = {"would", "will", "could", "might", "may", "should", "shall"}
KILL_VERBS = r"(?:killed|killing|kills|kill|dead|died|die|dies|death toll|lost their lives)"
PEOPLE = r"(?:people|persons?|civilians?|residents?|villagers?|children|child|women|woman|men|man|soldiers?|fighters?|militants?|members|passengers?|students?|workers?|firefighters?|others?|Palestinians?|Israelis?|Ukrainians?|Russians?|tourists?|worshippers?|protesters?|demonstrators?|officers?|policemen|police officers?|troops|servicemen|staff|driver|boy|girl|family)"
FACILITY_AFTER = re.compile(r" (?:[\w-]+ ){0,2}(?:plant|refinery|depot|factory|works|terminal|airport|airfield|"
                            r"base|station|port|facility|complex)\b", re.I)
NEIGHBOURHOOD_AFTER = re.compile(r"\s+(?:and\s+[A-Z][\w'’-]+\s+)?(?:districts?|neighbou?rhoods?|quarters?|suburbs?)\b")
GENERIC_DATE = re.compile(r"(?i)overnight|last night|tonight|this morning|this afternoon|this evening|today|earlier today|early hours|before dawn|at dawn")
ONE_KILLED = re.compile(r"\b(?:a|one|another)\s+(?:\w+\s+)?(?:person|man|woman|child|civilian|soldier|resident)\s+(?:was|had been)\s+killed\b", re.I)
ONE_PERSON = re.compile(r"\bkill(?:ed|ing)\s+(?:a|an|the|one)\s+(?:\w+\s+){0,2}?(man|woman|child|boy|girl|person|driver|civilian|soldier|resident|farmer|teenager|cyclist|pensioner)\b", re.I)
ZERO = re.compile(r"\b(no (?:one|reports? of (?:casualties|injuries|deaths)|casualties|injuries|deaths|fatalities|victims)|nobody|no-one|without (?:causing )?casualties|none were (?:hurt|injured|killed))\b", re.I)

# How the event-typing model and the trigger rules share the work (measured on held-out corpus
# batches and ../shared/gold; bench/pipeline_heldout.py, corpus/README.md): the model adds an incident
# the rules miss at this probability and retypes a rule's clause at the next. It never drops what the
# rules found: on the gold set, dropping at "no incident" >= 0.8 to 0.95 lost more true incidents than
# false ones.
MODEL_ADD = 0.7
# a text of a few sentences (an event description, a news snippet) is mostly there to report an incident:
# there the model adds at 0.5 and retypes at MODEL_RETYPE (held-out wafr descriptions: right type 0.788
# -> 0.819 -> 0.838, negatives with an incident 0.045 -> 0.047)
MODEL_ADD_SHORT = 0.5
SHORT_TEXT = 3
MODEL_OVERRIDE = 0.9
MODEL_RETYPE = 0.6         # ... or at this one, to a sub-event type of the same event type
MODEL_CLAUSE = 0.4         # ... provided the clause it goes in reads as that type at this probability
MODEL_WEAK = 0.05          # the one rule incident of a sentence whose type the model gives less than this, in
                           # a sentence the model reads as another type, takes that type instead of a second one
LOCAL_WITNESSES = {"resident", "witness", "villager", "local", "survivor", "eyewitness", "medic", "doctor",
                   "farmer", "shopkeeper", "worker"}
ARMED_TYPES = {"Headquarters or base established", "Change to group/activity", "Non-violent transfer of territory",
               "Non-state actor overtakes territory", "Government regains territory", "Armed clash"}
# weapon words that do not tell the weapon ("heavy bombardment" in Gaza is from the air): the weapon named
# nearby decides
GENERIC_WEAPONS = {"debris", "bomb", "bombing", "barrage", "aircraft", "bombardment"}
SPEECH_VERBS = {"say", "tell", "report", "add", "announce", "claim", "state", "write", "confirm", "post", "note"}
# a sentence whose subject is one of these, definite ("the attack"), goes on about an incident already told
EVENT_NOUNS = {"attack", "strike", "airstrike", "blast", "explosion", "raid", "assault", "bombing", "shelling",
               "bombardment", "fighting", "clash", "ambush", "incident", "operation", "offensive", "violence",
               "protest", "demonstration", "rally", "march", "riot", "unrest", "fire", "barrage", "killing"}
# rules the model does not overrule: the codebook's interception-versus-hit convention (and, per
# candidate, ACLED's attacks on security forces as armed clashes: Candidate.convention)
RULE_KEPT = {"Disrupted weapons use"}

# An incident's confidence is the probability that it is right as typed. The model's probability for the
# type is calibrated for sentences like its corpus; an incident also rests on the rules, so the two are
# mapped onto how often incidents were right on held-out articles (bench/pipeline_heldout.py
# --calibrate): logit(confidence) = A * logit(p) + B + C * (found by the model alone).
CONFIDENCE_A, CONFIDENCE_B, CONFIDENCE_C = 0.999, 1.659, -0.548


def incident_confidence(p: float, by_model: bool) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    z = CONFIDENCE_A * math.log(p / (1 - p)) + CONFIDENCE_B + CONFIDENCE_C * by_model
    return round(1 / (1 + math.exp(-z)), 3)


@dataclass
class Candidate:
    sentence: Sentence
    tokens: list[Token]
    event_type: str
    sub_event_type: str
    triggers: list[str]
    weapon_tokens: list[Token] = field(default_factory=list)
    confidence: Optional[float] = None
    convention: bool = False        # decided by a codebook convention the model does not overrule


class Lexicons:
    """Matchers built from the event lexicon, once per Lexicon (not once per article)."""


    def __init__(self, lex):
        ev = lex.events
        self.ev = ev
        self.weapon_sub = {k.lower(): v for k, v in ev["weapons"].items()}
        self.m_weapon = LemmaMatcher(self.weapon_sub)
        self.interceptable = {w.lower() for w in ev["interceptable"]}
        self.m_strike_v = LemmaMatcher(ev["strike_verbs"])
        self.m_strike_n = LemmaMatcher(ev["strike_nouns"])
        self.m_intercept = LemmaMatcher(ev["intercept_verbs"])
        self.intercept_lemmas = {str(v).split()[0] for v in ev["intercept_verbs"]}
        self.m_airdef = LemmaMatcher(ev["air_defence_words"])
        self.m_battle = LemmaMatcher(ev["battle_verbs"] + ev["battle_nouns"])
        self.m_territory = LemmaMatcher(ev["territory_verbs"])
        self.regain = set(ev["regain_verbs"]) | set(ev.get("regain_forms") or [])
        self.exchanged = set(ev.get("exchanged") or [])
        self.m_armed = LemmaMatcher(ev["armed_words"])
        self.vac = {k: LemmaMatcher(v) for k, v in ev["vac_verbs"].items()}
        self.m_vac_actor = LemmaMatcher(ev["vac_actors"])
        self.m_protest = LemmaMatcher(ev["protest_words"])
        self.m_intervene = LemmaMatcher(ev["intervention_words"])
        self.m_excessive = LemmaMatcher(ev["excessive_force_words"])
        self.m_riot = LemmaMatcher(ev["riot_words"])
        self.m_mob = LemmaMatcher(ev["mob_words"])
        self.m_arrest = LemmaMatcher(ev["arrest_verbs"])
        self.m_agree = LemmaMatcher(ev["agreement_patterns"])
        self.m_loot = LemmaMatcher(ev["looting_verbs"])
        self.base_verbs = LemmaMatcher(ev["base_verbs"])
        self.base_verbs_first = {str(v).split()[0] for v in ev["base_verbs"]}
        self.base_nouns = set(ev["base_nouns"])
        self.transfer_verbs = LemmaMatcher(ev["transfer_verbs"])
        self.m_group_change = LemmaMatcher(ev["group_change_verbs"])
        self.thrown = set(ev["thrown_things"])
        self.m_riot_acts = LemmaMatcher(ev["riot_acts"])
        self.m_security = LemmaMatcher(ev["security_words"])
        self.m_base = LemmaMatcher(ev["base_patterns"])
        self.m_exclude = LemmaMatcher(ev["exclusion_words"])
        self.targets = sorted(((k.lower(), v) for k, v in ev["targets"].items()), key=lambda kv: -len(kv[0]))
        self.civ_targets = set(ev["civilian_targets"])
        self.m_civ = LemmaMatcher(ev["civilian_words"])
        self.mil_targets = set(ev["military_targets"])
        self.bg_cues = LemmaMatcher(ev["background_cues"])
        self.campaign = set(ev["campaign_subjects"])
        self.m_habit = LemmaMatcher(ev["habitual_words"])


    @classmethod
    def of(cls, lex) -> "Lexicons":
        """The matchers of a lexicon (built once, kept on it)."""
        if "_incident_lexicons" not in lex.__dict__:
            lex.__dict__["_incident_lexicons"] = cls(lex)
        return lex.__dict__["_incident_lexicons"]

    def install(self, target) -> None:
        target.__dict__.update(self.__dict__)


class IncidentExtractor:
    def __init__(self, pa: ParsedArticle, actors: ActorCoder, quotes: list[Quote], model=None):
        self.pa = pa
        self.actors = actors
        self.quotes = quotes
        self.model = model              # an EventTypeModel, or None for the trigger rules alone
        self._features: dict = {}       # sentence index -> the model's features of the sentence
        Lexicons.of(pa.lex).install(self)
        self.lead_date = self._lead_date()
        self.main_place = self._main_place()
        self.recent_places: list[PlaceMention] = []
        self.belligerents = self._belligerents()

    # ------------------------------------------------------------- structure
    def _lead_date(self) -> tuple[Optional[str], Optional[str]]:
        for s in self.pa.sentences[:3]:
            for d in s.dates:
                if d.date and d.precision == "day" and not d.future:
                    return d.date, "day"
        return self.pa.base_date.isoformat(), "day"

    def _main_place(self) -> Optional[PlaceMention]:
        """The place the article names most often (at least twice), if any."""
        counts: dict[str, list[PlaceMention]] = {}
        for s in self.pa.sentences:
            if s.opinion:
                continue
            for p in find_places(self.pa, s.start, s.end):
                if p.level == "place" and p.place is not None and not NEIGHBOURHOOD_AFTER.match(self.pa.text[p.end:p.end + 40]):
                    counts.setdefault(p.place.name, []).append(p)
        if not counts:
            return None
        best = max(counts.values(), key=len)
        return best[0] if len(best) >= 2 else None

    @staticmethod
    def is_clause_head(t: Token) -> bool:
        if t.dep_ == "ROOT":
            return True
        if t.pos_ not in ("VERB", "AUX"):
            return False
        return any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in t.children) and t.dep_ in CLAUSE_DEPS

    def clause_head(self, toks: list[Token]) -> Token:
        """The word that heads a clause (its first clause head, else its first word)."""
        return next((t for t in toks if self.is_clause_head(t)), toks[0])

    def _clause_heads(self) -> tuple[list[int], list[bool]]:
        """Per token of the document: its head's index, and whether it heads a clause (computed once)."""
        if "clause_heads" not in self.pa.cache:
            doc = self.pa.doc
            self.pa.cache["clause_heads"] = ([t.head.i for t in doc], [self.is_clause_head(t) for t in doc])
        return self.pa.cache["clause_heads"]

    def clauses(self, sent: Sentence) -> list[list[Token]]:
        heads, is_head = self._clause_heads()
        first = sent.span.start
        toks = [t for t in sent.span if t.idx >= self.pa.body_start and not t.is_space]
        groups: dict[int, list[Token]] = {}
        top: dict[int, int] = {}        # token -> its clause head, shared along each path (linear time)
        for t in toks:
            path = []
            h = t.i
            while h not in top and not is_head[h] and heads[h] != h and heads[h] >= first:
                path.append(h)
                h = heads[h]
            h = top.get(h, h)
            for p in path:
                top[p] = h
            groups.setdefault(h, []).append(t)
        return [sorted(g, key=lambda t: t.i) for _, g in sorted(groups.items())]

    @staticmethod
    def runs(tokens: list[Token]) -> list[tuple[int, int]]:
        out = []
        for t in tokens:
            s, e = t.idx, t.idx + len(t.text)
            if out and t.i == out[-1][2] + 1:
                out[-1] = (out[-1][0], e, t.i)
            else:
                out.append((s, e, t.i))
        return [(s, e) for s, e, _ in out]

    # --------------------------------------------------------- classification
    def reports_no_incident(self, toks: list[Token]) -> bool:
        """A clause that cannot report an incident that happened, whatever its words: denied, negated,
        modal, planned, threatened, accused, campaign-level, habitual or in the present simple."""
        head = self.clause_head(toks)
        if head.lemma_ in ("deny", "reject", "dismiss") or any(c.dep_ == "neg" for c in head.children):
            return True
        if any(c.lower_ in MODALS and c.dep_ == "aux" for c in head.children) and head.tag_ != "VBN":
            return True
        if head.lemma_ in PLANS | ACCUSE:
            return True
        # hypotheticals and plans in the governing clause ("threatened to resume them")
        if head.dep_ in ("xcomp", "ccomp") and head.head.lemma_ in PLANS | {"deny", "accuse"}:
            return True
        if any(c.dep_ == "neg" for t in toks for c in t.children if t.pos_ == "VERB"):
            return True
        subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and subj.lemma_.lower() in self.campaign:
            return True
        if self.m_habit.any_in(toks):
            return True
        # present simple reports habits and claims ("its forces strike only military objects"), not incidents
        if head.tag_ in ("VBZ", "VBP") and head.lemma_ not in ("be", "have") and not any(
                c.dep_ in ("aux", "auxpass") for c in head.children):
            return True
        return False

    def classify(self, sent: Sentence, toks: list[Token]) -> Optional[Candidate]:
        """The trigger rules: an incident candidate of a clause, or None."""
        if self.reports_no_incident(toks):
            return None
        lemmas = {t.lemma_.lower() for t in toks}
        head = self.clause_head(toks)
        subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        # a weapon word that is what was hit ("set fire to a presidential aircraft") is a target, not a weapon
        weapons = [w for w in self.m_weapon.find(toks) if not (
            toks[w[1] - 1].dep_ in ("dobj", "pobj") and toks[w[1] - 1].head.lower_ in ("to", "on", "at", "fire")
            or toks[w[1] - 1].dep_ == "dobj" and toks[w[1] - 1].head.lemma_ in ("destroy", "damage", "hit", "strike", "seize", "capture")
            and toks[w[1] - 1].head.lemma_ not in self.intercept_lemmas)]
        groups = [m for m in self._parties(toks) if m.kind == "group"]
        armed = self.m_armed.any_in(toks) or bool(groups)
        excluded = self.m_exclude.any_in(toks) or self.m_exclude.any_in(list(sent.span))
        if excluded and not weapons and not armed and not self.m_protest.any_in(toks):
            return None

        def cand(t, s, trig, w=()):
            return Candidate(sent, toks, t, s, trig, [toks[i] for i, _, _ in w])

        if armed and (self.m_base.any_in(toks) or (lemmas & self.base_verbs_first and self._near(toks, self.base_verbs, self.base_nouns))):
            return cand("Strategic developments", "Headquarters or base established", ["base"])
        if armed and self._near(toks, self.transfer_verbs, {"base", "town", "city", "territory", "control", "camp", "position"}) \
                and not self.m_battle.any_in(toks) and not weapons:
            return cand("Strategic developments", "Non-violent transfer of territory", ["hand over"])
        if (armed or self.m_armed.any_in(list(sent.span))) and self.m_group_change.any_in(toks) and not weapons:
            return cand("Strategic developments", "Change to group/activity", [m[2] for m in self.m_group_change.find(toks)])
        agree = self.m_agree.find(toks)
        swap = any(t.lemma_ in ("swap", "exchange", "trade") and t.pos_ == "VERB" and any(
            c.dep_ == "dobj" and c.lemma_.lower() in self.exchanged for c in t.children) for t in toks)
        if agree or swap or self._agreement(lemmas):
            return cand("Strategic developments", "Agreement", [a[2] for a in agree] or ["ceasefire"])
        protest = self.m_protest.find(toks)
        if protest and not weapons:
            return self._protest(sent, toks, protest)
        intercept = self.m_intercept.find(toks)
        inter_weapons = [w for w in weapons if w[2] in self.interceptable]
        if intercept and not inter_weapons and subj is not None and subj.lower_ in ("it", "they", "both", "all"):
            # "...launched a missile; it was intercepted": the weapon named earlier in the sentence
            stoks = list(sent.span)
            inter_weapons = [w for w in self.m_weapon.find(stoks) if w[2] in self.interceptable]
            if inter_weapons:
                return Candidate(sent, toks, "Strategic developments", "Disrupted weapons use",
                                 [i[2] for i in intercept], [stoks[i] for i, _, _ in inter_weapons])
        if intercept and inter_weapons:
            return cand("Strategic developments", "Disrupted weapons use", [i[2] for i in intercept], inter_weapons)
        strike_v = [v for v in self.m_strike_v.find(toks) if toks[v[0]].pos_ == "VERB"]
        strike_n = [n for n in self.m_strike_n.find(toks) if toks[n[0]].pos_ in ("NOUN", "PROPN")
                    and self._noun_event(toks[n[0]])]
        if weapons and (strike_v or strike_n):
            sub = self._weapon_sub(toks, weapons)
            if sub:
                return cand("Explosions/Remote violence", sub, [w[2] for w in weapons] + [s[2] for s in strike_v[:1]], weapons)
        bare = [i for i, _, _ in strike_n if toks[i].lemma_ in ("strike", "airstrike", "hit") and toks[i].pos_ == "NOUN"]
        if not weapons and bare and (strike_v or self._casualties(toks)) and (armed or self._military_context(sent)):
            return cand("Explosions/Remote violence", self._context_weapon(sent) or "Air/drone strike", ["strike"])
        # "the depot was hit", "Kherson has been shelled": a hit verb in an article about strikes
        hit = [v for v in strike_v if toks[v[0]].lemma_ in ("hit", "strike", "pound", "shell", "bomb", "target")
               and (toks[v[0]].dep_ in ("ROOT", "ccomp", "conj", "relcl") or toks[v[0]].tag_ == "VBN")
               and not (toks[v[0]].tag_ == "VBG" and any(m.lower_ == "while" for m in toks[v[0]].children))]
        if not weapons and hit and self._military_context(sent) and not self.m_protest.any_in(toks):
            lemma = toks[hit[0][0]].lemma_
            sub = {"shell": "Shelling/artillery/missile attack", "bomb": "Air/drone strike"}.get(lemma) \
                or self._context_weapon(sent) or "Air/drone strike"
            return cand("Explosions/Remote violence", sub, [hit[0][2]])
        loot = self.m_loot.find(toks)
        if loot and not self.m_protest.any_in(toks):
            return cand("Strategic developments", "Looting/property destruction", [l[2] for l in loot])
        security_hit = self.m_security.any_in(toks) or self.m_armed.any_in(
            [t for t in toks if t.dep_ in ("dobj", "pobj", "nsubjpass")])
        attackers = groups or any(t.lemma_.lower() in NON_STATE_ATTACKERS for t in toks)
        if attackers and security_hit and not self.m_civ.any_in(toks) \
                and any(t.lemma_ in ("attack", "ambush", "storm", "raid") and t.pos_ == "VERB" for t in toks):
            # gunmen attacking a police post or an army patrol: a clash with state forces, not violence
            # against civilians
            c = cand("Battles", "Armed clash", ["attack on security forces"])
            c.convention = True
            return c
        for sub, m in self.vac.items():
            hits = m.find(toks)
            victims = self.m_civ.any_in(toks) or sub.startswith("Abduction")
            if hits and (self.m_vac_actor.any_in(toks) or groups) and victims and not self._is_battle(toks):
                return cand("Violence against civilians", sub, [h[2] for h in hits])
        mob = self.m_mob.find(toks)
        if mob:
            return cand("Riots", "Mob violence", [m[2] for m in mob])
        terr = self.m_territory.find(toks)
        if terr and armed and self._territory_object(toks, terr):
            return cand("Battles", "Armed clash", [t[2] for t in terr])      # refined in set_actors()
        battle = self.m_battle.find(toks)
        if battle and armed and not excluded:
            return cand("Battles", "Armed clash", [b[2] for b in battle])
        arrest = self.m_arrest.find(toks)
        if arrest and not self.m_protest.any_in(list(sent.span)):
            return cand("Strategic developments", "Arrests", [a[2] for a in arrest])
        return None

    def _noun_event(self, noun: Token) -> bool:
        """A strike noun reports an event when it does something ('a strike killed five') or is carried out."""
        h = noun.head
        if noun.dep_ in ("nsubj", "nsubjpass") and h.lemma_ in OUTCOME_VERBS:
            return True
        if noun.dep_ == "dobj" and h.lemma_ in ("carry", "launch", "conduct", "stage", "mount", "report"):
            return h.lemma_ != "launch" or any(c.dep_ == "prep" and c.lower_ in ("on", "against") for c in noun.children)
        if noun.dep_ == "pobj" and h.lower_ in ("in", "by") and h.head.lemma_ in OUTCOME_VERBS | {"kill", "die", "injure", "wound", "accompany"}:
            return True
        # "a strike on a house", "a direct hit on the region"
        if any(c.dep_ == "prep" and c.lower_ in ("on", "against") and any(g.dep_ == "pobj" for g in c.children)
               for c in noun.children) and noun.dep_ not in ("dobj",) or (noun.dep_ == "dobj" and h.lemma_ in ("carry", "conduct")):
            return noun.head.lemma_ not in ("condemn", "denounce", "call", "criticise", "criticize", "say", "deny", "accuse")
        return False

    def _context_weapon(self, sent: Sentence) -> Optional[str]:
        """The sub-event type of the weapon named most recently (this sentence, the three before, the lead)."""
        for i in [sent.index, sent.index - 1, sent.index - 2, sent.index - 3, 0]:
            if 0 <= i <= sent.index:
                found = self.m_weapon.find(list(self.pa.sentences[i].span))
                subs = [self.weapon_sub[w[2]] for w in found if w[2] not in GENERIC_WEAPONS - {"bomb", "aircraft"}]
                if subs:
                    return subs[-1]
        return None

    def _near(self, toks, verbs: LemmaMatcher, nouns: set) -> bool:
        return verbs.any_in(toks) and any(t.lemma_.lower() in nouns for t in toks)

    def _military_context(self, sent: Sentence) -> bool:
        """The sentence or the one before it speaks of military action."""
        near = [self.pa.sentences[i] for i in {0, sent.index - 2, sent.index - 1} if 0 <= i < sent.index]
        for s in [sent] + near:
            if s is not None and (self.m_weapon.any_in(list(s.span)) or self.m_armed.any_in(list(s.span))):
                return True
        return False

    def _agreement(self, lemmas: set[str]) -> bool:
        thing = lemmas & {"ceasefire", "truce", "swap", "exchange", "deal", "agreement"}
        act = lemmas & {"sign", "reach", "effect", "hold", "seal", "conclude"}
        soft = lemmas & {"propose", "demand", "call", "urge", "without", "plan", "discuss", "want", "violate",
                         "violation", "shatter", "break", "collapse", "offer", "insist", "before", "need", "would", "could",
                         "once", "if", "until", "unless", "only", "flare", "test", "since", "robber", "office", "currency"}
        return bool(thing and act and not soft)

    def _protest(self, sent, toks, protest) -> Optional[Candidate]:
        trig = [p[2] for p in protest]
        lemmas = {t.lemma_.lower() for t in toks}
        if self.m_mob.any_in(toks):
            return Candidate(sent, toks, "Riots", "Mob violence", trig)
        police = self.m_security.any_in(toks)
        thrown = any(t.lemma_ in ("throw", "hurl", "pelt", "lob") for t in toks) and bool(lemmas & self.thrown)
        acts = [r for r in self.m_riot_acts.find(toks)
                if not (police and r[2] in ("clash",) and False)]
        # acts done by the demonstrators, not to them
        if thrown or (acts and not (police and self.m_intervene.any_in(toks) and not self._protesters_act(toks, acts))):
            return Candidate(sent, toks, "Riots", "Violent demonstration", trig + [a[2] for a in acts])
        if police and self.m_excessive.any_in(toks):
            return Candidate(sent, toks, "Protests", "Excessive force against protesters", trig)
        if police and self.m_intervene.any_in(toks):
            return Candidate(sent, toks, "Protests", "Protest with intervention", trig)
        verbs = {t.lemma_ for t in toks if t.pos_ == "VERB"}
        if verbs & {"protest", "rally", "march", "gather", "demonstrate", "take", "pack", "fill", "chant",
                    "block", "stage", "hold", "join", "converge", "throng", "turn", "sit", "picket", "occupy"}:
            return Candidate(sent, toks, "Protests", "Peaceful protest", trig)
        return None

    def _protesters_act(self, toks, acts) -> bool:
        """Is an act's subject the demonstrators (not the police)?"""
        for i, _, _ in acts:
            subj = next((c for c in toks[i].children if c.dep_ == "nsubj"), None)
            if subj is not None and self.m_protest.any_in([subj]):
                return True
        return False

    def _weapon_sub(self, toks, weapons) -> Optional[str]:
        subs = [self.weapon_sub[w[2]] for w in weapons]
        specific = [s for w, s in zip(weapons, subs) if w[2] not in GENERIC_WEAPONS]
        return (specific or subs)[0] if subs else None

    def _is_battle(self, toks) -> bool:
        return self.m_battle.any_in(toks) and any(t.lemma_ in ("soldier", "troop", "army", "force") for t in toks)

    def _territory_object(self, toks, terr) -> bool:
        for i, j, _ in terr:
            t = toks[i]
            if t.lemma_ == "take" and not any(x.lower_ in ("control", "over") for x in toks[i:i + 4]):
                if not any(c.dep_ == "dobj" and (c.ent_type_ in ("GPE", "LOC", "FAC") or c.lemma_ in ("village", "town", "city", "settlement", "base", "headquarters")) for c in t.children):
                    continue
            if t.lemma_ == "enter" and not any(c.ent_type_ in ("GPE", "LOC") for c in t.subtree):
                continue
            return True
        return False

    def _parties(self, toks) -> list:
        if not toks:
            return []
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        return [m for m in self.pa.mentions_in(s, e) if m.kind in ("group", "country") and
                any(t.idx <= m.start < t.idx + len(t.text) + 1 for t in toks)]

    def _casualties(self, toks) -> bool:
        return any(t.lemma_ in ("kill", "wound", "injure", "die", "damage", "destroy") for t in toks)

    # ------------------------------------------------------------------ fields
    def extract(self) -> list[Incident]:
        out: list[Incident] = []
        prev_places: dict[int, list[PlaceMention]] = {}
        predictions = self._sentence_predictions()
        for sent in self.pa.sentences:
            if sent.opinion:
                continue
            clauses = self.clauses(sent)
            cands = []
            for c in (self.classify(sent, toks) for toks in clauses):
                if c is None:
                    continue
                if out and self._continues_earlier_incident(c.tokens) and not self.clause_places(c) \
                        and not self._dated(sent, c.tokens):
                    self._attach(c, out)        # "The attack killed 12": more of the incident told before
                else:
                    cands.append(c)
            if sent.index in predictions:
                cands = self.with_model(sent, clauses, cands, predictions[sent.index], len(out))
            for c in cands:
                out.extend(self.build(c, prev_places))
            places = [p for p in find_places(self.pa, sent.start, sent.end) if p.level != "country" and p.prep != "from"
                      and not NEIGHBOURHOOD_AFTER.match(self.pa.text[p.end:p.end + 40])]
            self.recent_places = ([p for p in places if p.place is not None] + self.recent_places)[:4]
            if places:
                prev_places[sent.paragraph] = places
                prev_places[-1] = places
                prev_places[-2] = [sent.index]
        return merge(out)

    # ----------------------------------------------------------------- model
    def _sentence_predictions(self) -> dict:
        """The model's prediction for every sentence, by index (its features kept for explanations)."""
        if self.model is None:
            return {}
        sents = [s for s in self.pa.sentences if not s.opinion and s.text.strip()]
        texts = [s.text for s in sents]
        X = self.model.features(texts) if texts else None
        self._features = {s.index: X.getrow(i) for i, s in enumerate(sents)} if texts else {}
        return dict(zip((s.index for s in sents), self.model.predict(texts, X)))

    def _continues_earlier_incident(self, toks: list[Token]) -> bool:
        """Does the clause go on about an incident already told ("The attack set a building on fire",
        "It killed three")? Its subject is then a pronoun or a definite event noun."""
        head = self.clause_head(toks)
        subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return False
        if subj.lower_ in ("it", "this", "that"):
            return True
        return subj.lemma_.lower() in EVENT_NOUNS and any(
            d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in subj.children)

    def _attach(self, c: Candidate, out: list[Incident]) -> None:
        """Add a follow-up clause to the latest incident of its event type (else the latest one): its words
        become evidence, and its death toll the incident's when it had none."""
        inc = next((i for i in reversed(out) if i.event_type == c.event_type), out[-1])
        runs = self.runs(c.tokens)
        ev = self.pa.ev(runs[0][0], runs[-1][1])
        if ev not in inc.evidence:
            inc.evidence.append(ev)
        if inc.fatalities is None and inc.event_type not in ("Strategic developments", "Protests"):
            inc.fatalities = self.fatalities(self.pa.text[runs[0][0]:runs[-1][1]])

    def _dated(self, sent: Sentence, toks: list[Token]) -> bool:
        """Does the clause name its own date ("on March 2")?"""
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        return any(s <= d.start < e and d.date and not GENERIC_DATE.fullmatch(d.text) for d in sent.dates)

    def _launch_only(self, toks: list[Token]) -> bool:
        """A launch with no reported outcome (codebook: not an incident): the clause fires or launches a
        weapon and says nothing hit, fell, killed or damaged, nor where it was aimed."""
        head = self.clause_head(toks)
        if head.lemma_ not in ("fire", "launch", "test", "test-fire") or not self.m_weapon.any_in(toks):
            return False
        if any(t.lemma_ in OUTCOME_VERBS | {"fall", "land", "explode", "intercept", "down", "destroy"} for t in toks
               if t.i != head.i):
            return False
        return not any(c.dep_ == "prep" and c.lower_ in ("at", "on", "into", "toward", "towards")
                       and any(g.ent_type_ in ("GPE", "LOC", "FAC") for g in c.subtree) for c in head.children)

    def _attribution_only(self, toks: list[Token]) -> bool:
        """A clause that only says who told it ("South Korea's military said")."""
        head = self.clause_head(toks)
        return head.lemma_ in SPEECH_VERBS and len([t for t in toks if not t.is_punct]) <= 8

    def _clause_text(self, toks: list[Token]) -> str:
        return self.pa.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]

    def with_model(self, sent: Sentence, clauses: list[list[Token]], cands: list[Candidate], pred,
                   found: int = 0) -> list[Candidate]:
        """The model's say on a sentence and its clauses. It retypes a clause the trigger rules found when
        the sentence and the clause both read as another type (unless a codebook convention decided it),
        and adds the incident the rules missed, in the clause that reads most like it. Every candidate
        gets the model's calibrated probability."""
        short = len(self.pa.sentences) <= SHORT_TEXT
        weak = []                   # rule candidates the model all but rules out as typed
        for c in cands:
            confidence = pred.probabilities.get(c.sub_event_type, 0.0)
            # a sibling type (Armed clash / Non-state actor overtakes territory) is the model's finer call
            bar = MODEL_RETYPE if short or EVENT_TYPE_OF.get(pred.label) == c.event_type else MODEL_OVERRIDE
            if (pred.label not in (NONE, c.sub_event_type) and pred.probability >= bar
                    and not c.convention and c.sub_event_type not in RULE_KEPT and pred.label not in RULE_KEPT):
                clause = self.model.predict([self._clause_text(c.tokens)])[0]
                if clause.label == pred.label and clause.probability >= bar:
                    c.event_type, c.sub_event_type = EVENT_TYPE_OF[pred.label], pred.label
                    c.triggers = []
                    confidence = min(pred.probability, clause.probability)
                else:
                    confidence = clause.probabilities.get(c.sub_event_type, 0.0)
            if confidence < MODEL_WEAK and not c.convention and c.sub_event_type not in RULE_KEPT:
                weak.append(c)
            c.confidence = incident_confidence(confidence, False)
            c.triggers = c.triggers + self._model_words(sent, c.sub_event_type)
        add = MODEL_ADD_SHORT if short else MODEL_ADD
        if pred.label == NONE or pred.probability < add or pred.label in {c.sub_event_type for c in cands}:
            return cands
        if len(weak) == 1 == len(cands) and pred.label not in RULE_KEPT:
            # the rules found the sentence's incident and the model reads it as another type: one incident,
            # of the model's type ("rebels entered it without a fight": not a clash)
            c = weak[0]
            c.event_type, c.sub_event_type = EVENT_TYPE_OF[pred.label], pred.label
            c.triggers = self._model_words(sent, pred.label)
            c.confidence = incident_confidence(pred.probability, True)
            return cands
        if any(self._launch_only(toks) for toks in clauses):
            return cands
        ruled = {c.tokens[0].i for c in cands}
        open_clauses = [toks for toks in clauses if toks[0].i not in ruled and not self.reports_no_incident(toks)
                        and not self._attribution_only(toks) and not (found and self._continues_earlier_incident(toks))]
        if not open_clauses:
            return cands
        k = self.model.labels.index(pred.label)
        scores = self.model.predict_proba([self._clause_text(toks) for toks in open_clauses])[:, k]
        best = int(scores.argmax())
        if scores[best] < (add if cands else MODEL_CLAUSE):
            # the incident is in a clause that cannot report it (planned, habitual, denied), or, beside the
            # rules' clause, it is that clause read differently
            return cands
        toks = open_clauses[best]
        if pred.label in ARMED_TYPES and not (self.m_armed.any_in(toks) or self._parties(toks)):
            return cands            # a base, a deployment or a capture needs an armed actor
        return cands + [Candidate(sent, toks, EVENT_TYPE_OF[pred.label], pred.label, self._model_words(sent, pred.label),
                                  [toks[i] for i, _, _ in self.m_weapon.find(toks)],
                                  incident_confidence(pred.probability, True))]

    def _model_words(self, sent: Sentence, label: str) -> list[str]:
        words = self.model.explain(sent.text, label, row=self._features.get(sent.index))
        return [f"model weighed: {', '.join(words)}"] if words else []

    def _in_speaker(self, p: PlaceMention) -> bool:
        """Is the place part of who speaks ("the General Staff in Kyiv said")?"""
        span = self.pa.doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is None:
            return False
        t = span.root
        while t.head.i != t.i:
            if t.dep_ in ("nsubj", "nsubjpass") and t.head.lemma_ in ("say", "tell", "report", "announce", "claim", "add"):
                # "residents in Kyauktaw said": people of the place speak of it, unlike "officials in Kyiv"
                return not any(w.lemma_.lower() in LOCAL_WITNESSES for w in t.subtree)
            t = t.head
        return False

    def _subordinate_spans(self, c: Candidate) -> list[tuple[int, int]]:
        out = []
        for t in c.tokens:
            if t.dep_ == "advcl" and any(ch.dep_ in ("nsubj", "nsubjpass") for ch in t.children) \
                    and any(ch.dep_ == "mark" and ch.lower_ in ("after", "before", "as", "while", "since", "when", "until")
                            for ch in t.children):
                out.append((t.left_edge.idx, t.right_edge.idx + len(t.right_edge.text)))
        return out

    def clause_places(self, c: Candidate) -> list[PlaceMention]:
        places = []
        for s, e in self.runs(c.tokens):
            places.extend(find_places(self.pa, s, e))
        return places

    def build(self, c: Candidate, prev_places: dict[int, list[PlaceMention]]) -> list[Incident]:
        pa = self.pa
        runs = self.runs(c.tokens)
        c_start, c_end = runs[0][0], runs[-1][1]
        places = [p for p in self.clause_places(c) if p.prep not in ("from",)]
        # places of the clause itself before those of a subordinate clause ("..., after rockets were fired towards X")
        sub = self._subordinate_spans(c)
        own = [p for p in places if not any(s <= p.start < e for s, e in sub)]
        places = own or places
        sent_places = [p for p in find_places(pa, c.sentence.start, c.sentence.end) if p.prep not in ("from",)
                       and not self._in_speaker(p)]
        # attacker / acting party
        attacker = self.attacker(c)
        # "stormed the camp", "the camp, which lies 15 km south of X": the place the article introduced as
        # a camp (or village, town) before, not the town named as a reference point
        antecedent = self.definite_reference(c_start, c_end)
        if antecedent is not None:
            places = [p for p in places if not DISTANCE_BEFORE.search(pa.text[max(0, p.start - 50):p.start])]
            if not [p for p in places if p.level == "place"]:
                places = [antecedent]
        # location(s)
        chosen = self.choose_places(places)
        if not chosen:
            chosen = self.choose_places([p for p in sent_places if p.level != "country"] or sent_places)
        date, prec = self.date_of(c, runs)
        explicit_other_day = any(d.date and d.date != self.lead_date[0] and re.search(r"\d", d.text)
                                 for d in c.sentence.dates)
        if not chosen and c.sub_event_type not in ("Agreement", "Disrupted weapons use") and not explicit_other_day:
            if c.sentence.paragraph in prev_places:
                chosen = self.choose_places(prev_places[c.sentence.paragraph])[:1]
            elif -1 in prev_places and c.sentence.index - prev_places[-2][0] <= 3:
                chosen = self.choose_places(prev_places[-1])[:1]
            elif self.main_place is not None:
                chosen = [self.main_place]      # nothing named near it: where the article is
        fatalities = self.fatalities(pa.text[c_start:c_end], c.sentence) if c.event_type not in ("Strategic developments",) or c.sub_event_type == "Arrests" else None
        if c.event_type == "Strategic developments" and c.sub_event_type != "Arrests":
            fatalities = None
        target = self.target(c)
        reported_by = self.reporter(c_start, c_end, c.sentence)
        background = self.is_background(c, date, runs)
        ev = [pa.ev(c_start, c_end)]
        # a district or neighbourhood folds into the city named before it ("the Kyivskyi and Saltivskyi districts")
        recent = [p for p in prev_places.get(-1, []) if p.level == "place" and p.place is not None]
        chosen = [recent[-1] if (recent and NEIGHBOURHOOD_AFTER.match(pa.text[p.end:p.end + 40])
                                 and p.place is not recent[-1].place) else p for p in chosen]
        chosen = [p for i, p in enumerate(chosen) if p not in chosen[:i]]
        if not chosen and explicit_other_day and self.main_place is not None:
            chosen = [self.main_place]      # a recalled incident named without a place: where the article is
        if c.sub_event_type == "Agreement":
            chosen = [p for p in chosen if p.prep in ("in", "at") and not re.search(
                r"\b(talks|summit|meeting|negotiations|reached|signed|agreed)\b[^.]{0,25}$", pa.text[max(0, p.start - 40):p.start])][:1]
        if c.sub_event_type == "Arrests" and self.protest_context(c.sentence) and not pa.mentions_in(c_start, c_end, "person") \
                and not pa.mentions_in(c_start, c_end, "group"):
            return []      # detentions during a demonstration belong to the protest incident
        results = []
        for pm in (chosen or [None]):
            inc = Incident(event_date=date, date_precision=prec, event_type=c.event_type,
                           sub_event_type=c.sub_event_type, fatalities=fatalities if len(chosen) <= 1 else None,
                           target=target, reported_by=reported_by, is_background=background,
                           evidence=list(ev), triggers=list(c.triggers), confidence=c.confidence)
            self.set_place(inc, pm, attacker, c)
            self.set_actors(inc, c, attacker)
            results.append(inc)
        return results

    def definite_reference(self, start: int, end: int) -> Optional[PlaceMention]:
        """The place a clause's "the camp" / "the village" / "the town" points back to: the last place
        before it that the article introduced with that noun ("Zamzam, the largest camp for displaced
        people", "the village of Burin", "Kfar Kila village")."""
        m = DEFINITE_SITE.search(self.pa.text, start, end)
        if m is None:
            return None
        noun = m.group(1).lower()
        text = self.pa.text
        best = None
        for p in find_places(self.pa, self.pa.body_start, start):
            if p.level != "place":
                continue
            after, before = text[p.end:p.end + 60], text[max(0, p.start - 20):p.start]
            if re.match(r",\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,3}" + noun + r"s?\b", after) \
                    or re.search(r"\b" + noun + r"\s+of\s+$", before) or re.match(r"\s+" + noun + r"\b", after):
                best = p
        return best

    def protest_context(self, sent: Sentence) -> bool:
        for i in range(max(0, sent.index - 3), min(len(self.pa.sentences), sent.index + 2)):
            if self.m_protest.any_in(list(self.pa.sentences[i].span)):
                return True
        return False

    def choose_places(self, places: list[PlaceMention]) -> list[PlaceMention]:
        if not places:
            return []
        specific = [p for p in places if p.level == "place"]
        regions = [p for p in places if p.level == "admin1"]
        countries = [p for p in places if p.level == "country"]
        if any(p.place is not None for p in specific):
            # a neighbourhood the gazetteer does not know folds into the known place named with it
            specific = [p for p in specific if p.place is not None or p.region is not None]
        if any(p.prep in ("in", "at", "of", "into") for p in specific) and any(p.prep == "near" for p in specific):
            # "the village of Burin, near Nablus": the place named for reference is not a second place
            specific = [p for p in specific if p.prep != "near"]
        if len(specific) > 1:
            # "the Bryansk chemical plant in the town of Seltso": a place naming a facility located by
            # another place named after it is part of a name, not the place
            later = lambda p: [q for q in specific if q.start > p.end and q.prep in ("in", "of", "at", "near")
                               and not re.search(r"\band\b|,", self.pa.text[p.end:q.start])]
            specific = [p for p in specific if not (FACILITY_AFTER.match(self.pa.text[p.end:p.end + 40]) and later(p))] \
                or specific
        if specific:
            # drop places that only locate another ("Kazan, the capital of Tatarstan" keeps Kazan)
            keep = []
            for p in specific:
                if any(q is not p and q.place and p.place and q.place.name == p.place.name for q in keep):
                    continue
                keep.append(p)
            # regions named beside places are their containers unless no place lies in them;
            # an unknown village takes the region named with it
            for r in regions:
                unknown = [p for p in keep if p.place is None and p.region is None]
                if unknown:
                    for p in unknown:
                        keep[keep.index(p)] = p.with_region(r)
                elif not any(p.admin1 == r.admin1 for p in keep):
                    keep.append(r)
            return keep
        if regions:
            uniq = []
            for r in regions:
                if not any(u.admin1 == r.admin1 for u in uniq):
                    uniq.append(r)
            return uniq
        # a country is the place where it is named as one ("across Yemen"), not where it acts ("US warplanes struck")
        where = [p for p in countries if p.prep in ("in", "across", "over", "into", "inside", "at", "on", "throughout",
                                                    "struck", "hit", "pounded", "shelled", "bombed", "attacked", "targeted")]
        return where[:1]

    def set_place(self, inc: Incident, pm: Optional[PlaceMention], attacker, c: Candidate) -> None:
        pa = self.pa
        if pm is None:
            inc.location_precision = "country"
            inc.country = self.default_country(c, attacker)
        elif pm.level == "country":
            inc.location_precision = "country"
            inc.country = pa.country_name(pm.place)
        else:
            inc.location_precision = pm.level
            if pm.place is not None:
                inc.country = pa.country_name(pm.place)
                inc.admin1 = pm.admin1
                inc.location = pm.admin1 if pm.level != "place" else (
                    # a spelling the gazetteer has only as a transliteration variant: the gazetteer's name
                    pm.text if pa.gaz.knows_spelling(pm.text) else _ascii_name(pm.place.name))
            elif pm.region is not None:
                # a place the gazetteer lacks, named with its region: the name as written, the region's
                # centre, and a precision that says the point is the region's (the map draws it as approximate)
                inc.location = pm.text
                inc.admin1 = pm.region.admin1
                inc.country = pa.country_name(pm.region.place)
                inc.location_precision = "admin1"
            else:
                inc.location = pm.text
                inc.country = self.default_country(c, attacker)
                # an unknown village: the region of a known place nearby (this sentence, then the ones before)
                near = [p for p in find_places(pa, c.sentence.start, c.sentence.end) if p.place and p.level != "country"]
                near += [p for p in self.recent_places if p.place is not None]
                if not near and self.main_place is not None:
                    near = [self.main_place]
                if near:
                    inc.admin1 = near[0].admin1
                    inc.country = pa.country_name(near[0].place)
            inc.evidence.append(pa.ev(pm.start, pm.end))
        if inc.country:
            p = pm.place if pm is not None and pm.place is not None and pm.level != "country" else None
            if p is None and pm is not None and pm.place is None:
                p = None
            if p is not None:
                inc.latitude, inc.longitude = p.latitude, p.longitude
            else:
                cp = pa.gaz.lookup(inc.country)
                if cp is not None and cp.kind == "country":
                    inc.latitude, inc.longitude = cp.latitude, cp.longitude
                if inc.admin1:
                    ap = pa.gaz.lookup(inc.admin1, pa.country_codes, prefer="admin1")
                    if ap is not None:
                        inc.latitude, inc.longitude = ap.latitude, ap.longitude

    def default_country(self, c: Candidate, attacker) -> Optional[str]:
        pa = self.pa
        if c.sub_event_type == "Disrupted weapons use":
            launcher = self.launcher(c)
            launcher = pa.lex.group_by_form.get((launcher or "").lower(), {}).get("country", launcher)
            for name in pa.main_countries:
                if name != launcher:
                    return name
        if attacker and attacker[0] == "country":
            for name in pa.main_countries:
                if name != attacker[1]:
                    return name
        return pa.main_countries[0] if pa.main_countries else None

    # ------------------------------------------------------------------ actors
    def attacker(self, c: Candidate) -> Optional[tuple[str, str]]:
        pa = self.pa
        toks = c.tokens
        # a party right before a weapon word ("Russian drones", "RSF artillery")
        for w in c.weapon_tokens:
            near = [m for m in pa.mentions if m.kind in ("country", "group") and 0 <= w.idx - m.end <= 25
                    and m.start >= toks[0].idx - 30 and "\n" not in pa.text[m.end:w.idx]
                    and not re.search(r"[-–—]|\bfrom\b|\bon\b|\bin\b|\bwith\b|\bat\b", pa.text[m.end:w.idx])]
            for m in sorted(near, key=lambda m: -m.end):
                if m.kind == "group":
                    return ("group", m.value)
                if m.sub in ("demonym", "name", "capital", "institution"):
                    return ("country", m.value)
        for w in c.weapon_tokens:
            while w.dep_ in ("compound", "amod") and w.head.i != w.i:
                w = w.head             # "Artillery fire by the RSF": the phrase of the head noun
            for ch in w.subtree:
                if ch.dep_ in ("agent", "prep") and ch.lower_ in ("by", "of", "from") and ch.head.i >= w.i - 1:
                    p = self.actors.party_of(ch.idx, ch.right_edge.idx + len(ch.right_edge.text))
                    if p and p[0] == "group" or (p and ch.lower_ == "by"):
                        return p
        head = next((t for t in toks if self.is_clause_head(t)), None)
        if head is not None:
            for ch in head.children:
                if ch.dep_ in ("nsubj",):
                    p = self.actors.party_in_phrase(ch)
                    if p:
                        return p
                    # "its troops" in what a party says: that party's troops
                    if any(g.lower_ in ("its", "their", "our") for g in ch.children) or ch.lower_ in ("it", "they", "we"):
                        gov = head.head if head.dep_ in ("ccomp", "conj") else None
                        while gov is not None and gov.dep_ == "conj" and gov.head.i != gov.i:
                            gov = gov.head
                        if gov is not None:
                            subj = next((c for c in gov.children if c.dep_ == "nsubj"), None)
                            if subj is not None:
                                p = self.actors.party_of(subj.left_edge.idx, subj.idx + len(subj.text))
                                if p:
                                    return p
                if ch.dep_ == "agent":
                    p = self.actors.party_in_phrase(ch)
                    if p:
                        return p
        return None

    def launcher(self, c: Candidate) -> Optional[str]:
        """Who fired what was intercepted: a group or country named with the weapon, or the clause's agent."""
        for w in c.weapon_tokens:
            for m in self.pa.mentions:
                if m.kind == "group" and (0 <= w.idx - m.end <= 25 or 0 <= m.start - w.idx <= 40):
                    return m.value
            for m in self.pa.mentions:
                if m.kind == "country" and 0 <= w.idx - m.end <= 25 and m.sub == "demonym":
                    return m.value
        sent = c.sentence
        groups = [m for m in self.pa.mentions_in(sent.start, sent.end, "group")]
        return groups[0].value if groups else None

    def fallback_attacker(self, where: Optional[str], c: Candidate) -> Optional[str]:
        """Who acted, when the clause does not say: the other state the article shows fighting
        ("Russian drones", "Israeli strikes"), else, in a war inside one country, the armed group the
        article names most there."""
        pa = self.pa
        for name in self.belligerents:
            if name != where:
                return military(name)
        groups: dict[str, int] = {}
        for m in pa.mentions:
            if m.kind == "group" and (m.country == where or where is None):
                groups[m.value] = groups.get(m.value, 0) + 1
        if groups:
            return max(groups.items(), key=lambda kv: kv[1])[0]
        return None

    def _unnamed_state_force(self, c: Candidate) -> bool:
        """The clause's actor is a state force named without its country ("jets bombed", "retreating soldiers")."""
        subjects = [(t.left_edge.idx, t.right_edge.idx + len(t.right_edge.text)) for t in c.tokens
                    if t.dep_ in ("nsubj", "agent")]
        return any(m.sub.startswith("Military Forces of") and not m.country and any(s <= m.start < e for s, e in subjects)
                   for m in self.pa.mentions_in(c.tokens[0].idx, c.tokens[-1].idx + 1, "body"))

    def state_attacker(self, where: Optional[str], remote: bool) -> Optional[str]:
        """Whose forces, when the text says only "the military" or "jets": for strikes and battles the foreign
        state the article shows fighting there, else the state where it happened (a war inside one country,
        soldiers looting their own towns)."""
        for name in (self.belligerents if remote else []):
            if name != where:
                return military(name)
        return military(where)

    def _belligerents(self) -> list[str]:
        """States the article shows using force: a country word right before a weapon or armed-force word."""
        pa = self.pa
        score: dict[str, float] = {}
        for s in pa.sentences:
            toks = list(s.span)
            hits = {toks[i].idx for i, _, _ in self.m_weapon.find(toks)} | {toks[i].idx for i, _, _ in self.m_armed.find(toks)}
            for m in pa.mentions_in(s.start, s.end, "country"):
                if any(0 <= h - m.end <= 12 for h in hits):
                    score[m.value] = score.get(m.value, 0) + 1
        return [k for k, _ in sorted(score.items(), key=lambda kv: -kv[1])]

    def other_party(self, country: Optional[str]) -> Optional[str]:
        """The other side, when the text does not say who acted: the main foreign belligerent."""
        for name in self.pa.main_countries[:2]:
            if name != country:
                return name
        return None

    def set_actors(self, inc: Incident, c: Candidate, attacker) -> None:
        pa = self.pa
        t, sub = inc.event_type, inc.sub_event_type
        where = inc.country

        def actor(p):
            if p is None:
                return None
            return p[1] if p[0] == "group" else military(p[1])

        if sub == "Disrupted weapons use":
            launcher = self.launcher(c) or self.other_party(where)
            inc.actor1 = military(where)
            is_group = any(g["name"] == launcher for g in pa.lex.groups)
            inc.actor2 = launcher if is_group else (military(launcher) if launcher and launcher != where else None)
            return
        if t == "Protests":
            inc.actor1 = f"Protesters ({where})" if where else "Protesters"
            inc.actor2 = police(where) if sub != "Peaceful protest" else None
            return
        if t == "Riots":
            inc.actor1 = f"Rioters ({where})" if where else "Rioters"
            inc.actor2 = police(where) if any(tk.lemma_ == "police" for tk in c.tokens) else None
            if sub == "Mob violence":
                inc.actor2 = civilians(where)
            return
        if sub == "Arrests":
            inc.actor1 = police(where)
            groups = [m for m in pa.mentions_in(c.tokens[0].idx, c.tokens[-1].idx + 1, "group")]
            inc.actor2 = groups[0].value if groups else None
            return
        if sub == "Agreement":
            parties = self._parties(c.tokens)
            names = []
            for m in parties:
                nm = m.value if m.kind == "group" else f"Government of {m.value}"
                if nm not in names:
                    names.append(nm)
            if len(names) < 2:
                for n in pa.main_countries[:2]:
                    g = f"Government of {n}"
                    if g not in names:
                        names.append(g)
            inc.actor1, inc.actor2 = (names + [None, None])[:2]
            return
        a1 = actor(attacker)
        if a1 is None and self._unnamed_state_force(c):
            a1 = self.state_attacker(where, t in ("Explosions/Remote violence", "Battles"))
        if a1 is None and t in ("Explosions/Remote violence", "Battles"):
            a1 = self.fallback_attacker(where, c)
        inc.actor1 = a1
        if t == "Violence against civilians" or sub == "Looting/property destruction":
            inc.actor2 = civilians(where)
            if a1 is None:
                vac = self.m_vac_actor.find(c.tokens)
                if vac:
                    dem = pa.mentions_in(c.tokens[0].idx, c.tokens[-1].idx + 1, "country")
                    who = c.tokens[vac[0][0]].text
                    inc.actor1 = (f"{dem[0].text} {who}" if dem and dem[0].sub == "demonym" else None)
            return
        civ = inc.target in self.civ_targets or self.m_civ.any_in(c.tokens)
        lemmas = {tk.lemma_.lower() for tk in c.tokens}
        if t == "Explosions/Remote violence":
            inc.actor2 = civilians(where) if civ else None
            if inc.target in self.mil_targets:
                inc.actor2 = None
            if lemmas & {"police", "policeman", "gendarme", "gendarmerie"} and where:
                inc.actor2 = police(where)      # a police station or patrol hit
            return
        if t == "Battles":
            others = [m for m in self._parties(c.tokens) if (m.value if m.kind == "group" else military(m.value)) != a1]
            if others:
                m = others[0]
                inc.actor2 = m.value if m.kind == "group" else military(m.value)
            else:
                a1_country = attacker[1] if attacker and attacker[0] == "country" else None
                other = where if where != a1_country else self.other_party(where)
                inc.actor2 = military(other) if other and military(other) != a1 else None
            if inc.actor2 == military(where) and any(tk.lemma_ in ("police", "policeman", "gendarme", "gendarmerie")
                                                     for tk in c.tokens):
                inc.actor2 = police(where)
            if sub == "Armed clash" and self.m_territory.any_in(c.tokens):
                if attacker and attacker[0] == "group":
                    inc.sub_event_type = "Non-state actor overtakes territory"
                elif attacker and attacker[0] == "country" and attacker[1] == where and \
                        any(tk.lemma_ in self.regain or tk.lower_ in self.regain for tk in c.tokens):
                    inc.sub_event_type = "Government regains territory"

    # ----------------------------------------------------------- other fields
    def date_of(self, c: Candidate, runs) -> tuple[Optional[str], Optional[str]]:
        sent = c.sentence
        in_clause = [d for d in sent.dates if any(s <= d.start < e for s, e in runs) and d.date and not d.future]
        # the date of the clause itself before that of a clause inside it ("..., seized since Kyiv launched its
        # offensive nine days ago")
        # unless the incident's own words are in that clause ("... after Russian missiles hit the port on March 2")
        words = {t.split()[0] for t in c.triggers if t and not t.startswith("model weighed")}
        own = [t.idx for t in c.weapon_tokens] + [t.idx for t in c.tokens if t.lemma_.lower() in words or t.lower_ in words]
        sub = [(s, e) for s, e in self._subordinate_spans(c) if not any(s <= i < e for i in own)]
        in_clause = [d for d in in_clause if not any(s <= d.start < e for s, e in sub)]
        in_clause.sort(key=lambda d: (GENERIC_DATE.fullmatch(d.text) is not None, d.precision != "day"))
        lead = self.lead_date[0]

        def resolved(d):
            # "for a second time this week": the current period holds the news date itself
            if re.fullmatch(r"(?i)this (week|month)", d.text) and lead and d.date <= lead:
                return self.lead_date
            return d.date, d.precision if d.precision in ("day", "week", "month") else "month"

        if in_clause:
            return resolved(in_clause[0])
        others = [d for d in sent.dates if d.date and not d.future and d.precision in ("day", "week", "month")]
        if others:
            return resolved(others[0])
        # the last date named earlier in the same paragraph
        for s in reversed(self.pa.sentences[:sent.index]):
            if s.paragraph != sent.paragraph:
                break
            ds = [d for d in s.dates if d.date and not d.future and d.precision in ("day",)]
            if ds:
                return ds[0].date, ds[0].precision
        return self.lead_date

    def is_background(self, c: Candidate, date: Optional[str], runs) -> bool:
        if not date:
            return False
        lead = self.lead_date[0]
        try:
            d, l = dt.date.fromisoformat(date), dt.date.fromisoformat(lead)
        except (TypeError, ValueError):
            return False
        if d >= l:
            return False
        cue = self.bg_cues.any_in(c.tokens) or any(t.tag_ == "VBN" and any(a.lower_ == "had" for a in t.children) for t in c.tokens)
        explicit = any(dm.precision in ("day", "month") and re.search(r"\d|january|february|march|april|may|june|july|august|september|october|november|december", dm.text, re.I)
                       for dm in c.sentence.dates if any(s <= dm.start < e for s, e in runs))
        return cue or explicit or (l - d).days >= 2

    def fatalities(self, text: str, sent: Optional[Sentence] = None) -> Optional[int]:
        text = re.sub(r",\s+(?:including|among them|most of them|mostly)\s[^,]{1,60},", " ", text)
        vals = []
        for n in find_numbers(text):
            after = text[n.end:n.end + 60]
            before = text[max(0, n.start - 40):n.start]
            if re.match(rf"\s+(?:\w+\s+){{0,3}}?{PEOPLE}?\s*(?:\w+\s+){{0,2}}?(?:were|had been|have been|was|are)?\s*(?:killed|dead|died)\b", after, re.I) \
                    or re.search(rf"\b{KILL_VERBS}\s+(?:at least |more than |up to |about |some )?$", before, re.I) \
                    or re.search(r"\btoll\s+(?:\w+\s+){0,3}(?:at|to|of|rose to)\s+(?:at least |about )?$", before, re.I):
                if re.match(r"\s+(?:\w+\s+){0,3}(?:wounded|injured|hurt)\b", after, re.I) and not re.match(r"\s+\w+\s+(?:were |had been )?(?:killed|dead)", after, re.I):
                    continue
                vals.append(int(n.value))
        if ONE_PERSON.search(text) or ONE_KILLED.search(text):
            vals.append(1)
        if vals:
            return min(vals)
        if ZERO.search(text):
            return 0
        if sent is not None:
            # "... but that there were no casualties"; "No one was hurt." right after
            nxt = self.pa.sentences[sent.index + 1] if sent.index + 1 < len(self.pa.sentences) else None
            rest = sent.text + (" " + nxt.text if nxt is not None and len(nxt.text.split()) <= 12 else "")
            if ZERO.search(rest) and not re.search(r"\b(killed|dead|died|killing)\b", rest):
                return 0
        return None

    def target(self, c: Candidate) -> Optional[str]:
        lemmas = " " + " ".join(t.lemma_.lower() for t in c.tokens) + " "
        words = " " + " ".join(t.lower_ for t in c.tokens) + " "
        for k, v in self.targets:
            if f" {k} " in lemmas or f" {k} " in words:
                return v
        return None

    def reporter(self, start: int, end: int, sent: Sentence) -> str:
        for q in self.quotes:
            for e in q.evidence:
                if e.start <= start + 5 and end - 5 <= e.end or (sent.start <= e.start < sent.end and e.start <= start < e.end):
                    return q.speaker
        for q in self.quotes:
            for e in q.evidence:
                if sent.start <= e.start < sent.end:
                    return q.speaker
        return "the outlet itself"


SEVERITY = {"Peaceful protest": 0, "Protest with intervention": 1, "Excessive force against protesters": 2,
            "Violent demonstration": 3, "Mob violence": 3}


DEFINITE_SITE = re.compile(r"\bthe\s+(?:[\w-]+\s+){0,2}?(camp|village|town)\b(?!\s+of\b)", re.I)
DISTANCE_BEFORE = re.compile(r"\b(?:kilometres|kilometers|km|miles)\s+(?:\(\S+\s+miles?\)\s+)?(?:north|south|east|west|"
                             r"north-east|north-west|south-east|south-west|northeast|northwest|southeast|southwest)?\s*of\s+$", re.I)


def merge(incidents: list[Incident]) -> list[Incident]:
    """One incident per type, place and day: later mentions add evidence and figures.
    Demonstrations at one place on one day are one incident, of the most severe type reported."""
    for inc in list(incidents):
        if inc.sub_event_type not in SEVERITY or not (inc.location or inc.admin1):
            continue
        for other in incidents:
            if other is inc or other.sub_event_type not in SEVERITY:
                continue
            if (other.event_date, (other.location or other.admin1 or "").lower()) == \
                    (inc.event_date, (inc.location or inc.admin1 or "").lower()) \
                    and SEVERITY[other.sub_event_type] >= SEVERITY[inc.sub_event_type] and inc in incidents:
                other.evidence.extend(e for e in inc.evidence if e not in other.evidence)
                if other.actor2 is None:
                    other.actor2 = inc.actor2
                incidents.remove(inc)
                break
    out: list[Incident] = []
    for inc in incidents:
        key = (inc.event_type, inc.sub_event_type, inc.event_date, (inc.location or inc.admin1 or "").lower(),
               inc.country, inc.is_background)
        same = next((o for o in out if (o.event_type, o.sub_event_type, o.event_date,
                                        (o.location or o.admin1 or "").lower(), o.country, o.is_background) == key), None)
        if same is None:
            out.append(inc)
            continue
        same.evidence.extend(e for e in inc.evidence if e not in same.evidence)
        same.triggers.extend(t for t in inc.triggers if t not in same.triggers)
        if inc.fatalities is not None:
            same.fatalities = inc.fatalities if same.fatalities is None else min(same.fatalities, inc.fatalities)
        for f in ("actor1", "actor2", "target"):
            if getattr(same, f) is None and getattr(inc, f) is not None:
                setattr(same, f, getattr(inc, f))
    return fold_coarse(out)


PRECISION = {"place": 0, "admin1": 1, "country": 2}


def fold_coarse(incidents: list[Incident]) -> list[Incident]:
    """A strike "across Yemen" or "on southern Lebanon" told beside the strikes on named places of that
    day is the same news at a coarser grain: it folds into the first finer incident of the same type,
    day and country (and region, when it names one); the finer report's type stands. Interceptions
    keep their country-level totals
    (codebook: a count over unnamed places is its own incident)."""
    out = list(incidents)
    for inc in list(out):
        if inc.sub_event_type == "Disrupted weapons use" or inc.location_precision == "place" or inc.is_background:
            continue
        finer = next((o for o in out if o is not inc and o.event_type == inc.event_type
                      and o.event_date == inc.event_date and o.country == inc.country and not o.is_background
                      and PRECISION.get(o.location_precision, 2) < PRECISION.get(inc.location_precision, 2)
                      and (inc.location_precision == "country" or o.admin1 == inc.admin1)), None)
        if finer is None:
            continue
        finer.evidence.extend(e for e in inc.evidence if e not in finer.evidence)
        out.remove(inc)
    return out
