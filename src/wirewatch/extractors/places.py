"""Place mentions in a span of the article, resolved on the gazetteer."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional

from ..gazetteer import Place
from ..gazetteer import norm as norm_name
from .context import ParsedArticle

OUTSKIRTS_BEFORE = re.compile(r"\b(outskirts|edge|centre|center|entrance|area|villages|towns|suburbs?|streets|heart|squares?)"
                              r"\s+of\s+(the\s+)?(?:(?:central|downtown|old|greater|northern|southern|eastern|western)\s+)?$", re.I)
TARGETED_AFTER = re.compile(r"\s+(?:has|have|had)?\s*(?:been|was|were|is|came)\s+(?:\w+\s+)?(?:targeted|hit|struck|attacked|shelled|bombed|pounded|under)\b", re.I)
STRIKE_WORDS = {"hit", "struck", "strike", "targeted", "pounded", "shelled", "bombed", "attacked", "on"}
CAPITAL_RX = re.compile(r"\b(?:the|its|their)\s+(?:(\w+)\s+)?capital\b(?!\s*,?\s+[A-Z]|\s+of\b|\s+city\b)")
UNIT_AFTER = re.compile(r"\s+(group|grouping|brigade|battalion|regiment|division|forces|army|command|corps|militia|movement|party|front)\b", re.I)
TERRITORY_RX = re.compile(r"\b([A-Z][a-z]+)\s+(?:territory|airspace|soil|waters)\b")
REGION_AFTER = re.compile(r"^\s+(region|province|oblast|krai|governorate|state|district|county|prefecture|territory|department)\b", re.I)
REGION_BEFORE = re.compile(r"\b(region|province|oblast|governorate|state|district|county)\s+of\s+$", re.I)
VILLAGE_BEFORE = re.compile(r"\b(?:village|hamlet)\s+of\s+$", re.I)
SETTLEMENT_BEFORE = re.compile(r"\b(village|town|city|settlement|port|capital|hamlet|township|camp|neighbourhood|neighborhood|district)\s+of\s+$", re.I)
CAP_SEQ = re.compile(r"(?<![\w'’-])((?:al-|el-|Al-|El-|de |Deir |Beit |Khan |Kfar |Ras |Tel |Abu |Bir |Ain |Umm |Wadi )?[A-Z][\w'’-]+(?:[ -](?:al-|el-)?[A-Z][\w'’-]+){0,3})")
ADJECTIVE_FORM = re.compile(r"-(?:run|held|controlled|backed|led|based|linked|allied|aligned|affiliated|occupied|made)\b", re.I)
LOCATIVE = {"in", "at", "near", "over", "outside", "into", "around", "across", "toward", "towards", "through",
            "hit", "struck", "pounded", "shelled", "targeted", "seized", "captured", "took", "stormed", "entered",
            "bombed", "attacked", "of", "on", "between", "and", "from", "retook", "recaptured"}
NOT_PLACES = {"the", "a", "an", "on", "in", "at", "but", "and", "president", "prime", "minister", "mayor",
              "governor", "general", "staff", "ministry", "army", "air", "force", "defence", "defense",
              "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
              "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "christmas", "easter", "telegram", "truth", "social", "reuters",
              "afp", "ap", "un", "nato", "eu", "european", "western", "eastern", "northern", "southern",
              "central", "red", "cross", "crescent", "hospital", "health", "interior", "foreign", "state",
              "department", "house", "white", "security", "council", "national", "islamic", "movement",
              "party", "union", "international", "committee", "parliament", "kremlin", "pentagon"}


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str               # the name as written
    place: Optional[Place]  # None: a name the gazetteer does not know
    level: str              # place, admin1, country
    prep: str               # the word before it ("in", "from", ...)
    region: Optional["PlaceMention"] = None   # for an unknown place: the region named with it

    def with_region(self, region: "PlaceMention") -> "PlaceMention":
        return PlaceMention(self.start, self.end, self.text, self.place, self.level, self.prep, region)

    @property
    def admin1(self) -> Optional[str]:
        if not self.place:
            return self.region.admin1 if self.region is not None else None
        return self.place.name if self.place.kind == "admin1" else self.place.admin1


_PREP_MEMO = threading.local()       # per thread: the article text being read and its answers


def _prep_before(text: str, start: int) -> str:
    """The word governing a name at ``start`` ('in', 'near', 'struck'), skipping articles, adjectives
    and generic place nouns ("in the northern city of X" -> 'in'). Memoised for the article being
    read (several extractors ask about the same names); only one article's text is held."""
    memo = _PREP_MEMO
    if getattr(memo, "text", None) is not text:
        memo.text, memo.at = text, {}
    at = memo.at
    if start not in at:
        at[start] = _governing_word(text, start)
    return at[start]


_FIRST_SKIP = re.compile(r"\b(the|a|an|northern|southern|eastern|western|central|north-eastern|north-western|south-eastern|south-western|northeastern|northwestern|southeastern|southwestern|nearby|neighbouring|neighboring|occupied|russian-occupied|frontline|front-line|besieged|coastal|border|regional|capital|city|town|village|region|province|port|of)\s*$", re.I)
_POSSESSOR = re.compile(r"(?<![\w-])[\w-]+(?:'s|’s)\s*$")
_SKIP = re.compile(r"\b(the|a|an|northern|southern|eastern|western|central|nearby|neighbouring|neighboring|occupied|russian-occupied|black sea|coastal|border|regional|capital|city|town|village|of|region|province|port|centre|center|outskirts|heart|edge|suburbs?|streets)\s*$|(?<![\w-])[\w-]+-(?:held|controlled)\s*$", re.I)
_LAST_WORD = re.compile(r"(\w+)\W*$")


def _governing_word(text: str, start: int) -> str:
    before = _FIRST_SKIP.sub("", text[max(0, start - 40):start].rstrip())
    for _ in range(4):
        before = _POSSESSOR.sub("", before.rstrip())
        new = _SKIP.sub("", before.rstrip())
        if new == before:
            break
        before = new
    m = _LAST_WORD.search(before)
    return m.group(1).lower() if m else ""


def find_places(pa: ParsedArticle, start: int, end: int) -> list[PlaceMention]:
    """Places named between ``start`` and ``end``, left to right, without overlaps (cached per article)."""
    key = ("places", start, end)
    if key not in pa.cache:
        whole = pa.cache.get(("places", 0, len(pa.text)))
        if whole is None:
            whole = pa.cache[("places", 0, len(pa.text))] = _find_places(pa, 0, len(pa.text))
        pa.cache[key] = [m for m in whole if start <= m.start and m.end <= end]
    return list(pa.cache[key])


def _find_places(pa: ParsedArticle, start: int, end: int) -> list[PlaceMention]:
    text = pa.text
    cands: list[tuple[int, int, str, bool]] = []
    for ent in pa.ents_in(start, end):
        if ent.label_ in ("GPE", "LOC", "FAC", "ORG", "PERSON", "NORP"):
            t = re.sub(r"(?:'s|’s)$", "", ent.text)
            s = ent.start_char
            if t.lower().startswith("the "):
                s += 4
                t = t[4:]
            # "Muridke and Sialkot" tagged as one entity: its parts ("Jammu and Kashmir" stays whole)
            parts = re.split(r"(,\s+|\s+and\s+)", t) if pa.resolve_place(t, prefer="admin1") is None else [t]
            off = s
            for part in parts:
                if part.strip() and not re.fullmatch(r",\s+|\s+and\s+", part):
                    cands.append((off, off + len(part), part, ent.label_ in ("GPE", "LOC", "FAC")))
                off += len(part)
            if len(parts) > 1:
                continue
            if ent.label_ == "NORP" and _prep_before(text, s) not in LOCATIVE and not REGION_AFTER.match(text[s + len(t):s + len(t) + 20]):
                continue      # "Buddhist monastery", "Israeli settlers": an adjective, not a place
            cands.append((s, s + len(t), t, ent.label_ in ("GPE", "LOC", "FAC")))
    for m in CAP_SEQ.finditer(text, start, end):
        t = re.sub(r"(?:'s|’s)$", "", m.group(1))
        s0 = m.start(1)
        while t.split() and t.split()[0].lower() in NOT_PLACES:
            first = t.split()[0]
            s0 += len(first) + 1
            t = t[len(first) + 1:]
        if not t:
            continue
        # a capitalised word is a place candidate only where a place is expected ("in X", "the town of X")
        if _prep_before(text, s0) not in LOCATIVE and not SETTLEMENT_BEFORE.search(text[max(0, s0 - 30):s0]) \
                and not re.search(r"\bcapital,?\s+$", text[max(0, s0 - 12):s0]):
            continue
        if t.isupper() and len(t) <= 4:
            continue
        cands.append((s0, s0 + len(t), t, False))
    # "Israeli territory", "Russian airspace": the country as the place
    for m in TERRITORY_RX.finditer(text, start, end):
        country = pa.lex.country_by_form.get(m.group(1).lower())
        p = pa.gaz.lookup(country) if country else None
        if p is not None and p.kind == "country":
            cands.append((m.start(), m.end(), PlaceMention(m.start(), m.end(), country, p, "country",
                                                            _prep_before(text, m.start())), True))
    # "the capital" named without its name: the capital of the country the article is about
    for m in CAPITAL_RX.finditer(text, start, end):
        country = pa.lex.country_by_form.get((m.group(1) or "").lower()) or (pa.main_countries[0] if pa.main_countries else None)
        caps = pa.lex.capitals.get(country) if country else None
        if caps:
            p = pa.resolve_place(caps[0])
            if p is not None:
                out_cap = PlaceMention(m.start(), m.end(), caps[0], p, "place", _prep_before(text, m.start()))
                cands.append((m.start(), m.end(), out_cap, True))
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []
    persons = [(m.start, m.end) for m in pa.mentions_overlapping(start, end) if m.kind in ("person", "group", "body")]
    for s, e, t, is_place_ent in cands:
        if any(s < te and ts < e for ts, te in taken):
            continue
        if isinstance(t, PlaceMention):
            out.append(t)
            taken.append((s, e))
            continue
        if any(s >= ps and e <= pe for ps, pe in persons):
            continue
        if not is_place_ent and t.isupper() and len(t) <= 4:
            continue
        words = t.split()
        if not words or words[0].lower() in NOT_PLACES and len(words) == 1:
            continue
        while words and words[0].lower() in NOT_PLACES:
            s += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        t = " ".join(words)
        e = s + len(t)
        low = t.lower()
        if ADJECTIVE_FORM.search(t) or ADJECTIVE_FORM.match(text[e:e + 14]):
            continue        # "Hamas-run", "Russian-held", "Iran-backed": a description, not a place
        prefer = "place"
        if REGION_AFTER.match(text[e:e + 20]) or REGION_BEFORE.search(text[max(0, s - 25):s]):
            prefer = "admin1"
        if low in pa.lex.country_by_form:
            kind = pa.lex.country_forms_kind.get(low)
            if kind in ("name",) and not prefer == "admin1":
                # a country named as a place ("in Ukraine")
                p = pa.resolve_place(t)
                if p and p.kind == "country":
                    out.append(PlaceMention(s, e, t, p, "country", _prep_before(text, s)))
                    taken.append((s, e))
                continue
            # a capital is a place only where a place is expected ("in Kyiv"), not as the government ("Kyiv said")
            before = text[max(0, s - 40):s]
            if kind != "capital" or text[e:e + 2] in ("'s", "’s") or (
                    _prep_before(text, s) not in ("in", "at", "near", "over", "on", "outside", "into", "around", "of",
                                                  "through", "across", "to", "toward", "towards")
                    and not TARGETED_AFTER.match(text[e:e + 40]) and _prep_before(text, s) not in STRIKE_WORDS
                    and not SETTLEMENT_BEFORE.search(before) and not OUTSKIRTS_BEFORE.search(before)
                    and not re.search(r"\bcapital,?\s+$", before)):
                continue
        if UNIT_AFTER.match(text[e:e + 14]):
            continue
        if re.match(r"\s+(river|valley|mountains?|sea|lake|desert)\b", text[e:e + 12], re.I) and prefer != "admin1":
            if not re.match(r"\s+valley", text[e:e + 8], re.I):
                continue
        p = pa.resolve_place(t, prefer=prefer)
        if p is None and re.search(r"\s(valley|area|camp|district|region|province)$", t, re.I):
            p = pa.resolve_place(re.sub(r"\s\w+$", "", t), prefer="admin1")      # "Bekaa Valley" -> Bekaa
        if p is None:
            prep = _prep_before(text, s)
            if SETTLEMENT_BEFORE.search(text[max(0, s - 30):s]) or prep in ("in", "near", "at", "outside", "between", "seized", "control",
                                                                            "captured", "took", "entered", "retook", "recaptured",
                                                                            "shelled", "struck", "hit", "pounded", "bombed", "attacked") \
                    or (prep == "of" and (OUTSKIRTS_BEFORE.search(text[max(0, s - 30):s])
                                          or re.search(r"\b(?:control|capture|fall|siege|seizure)\s+of\s+$", text[max(0, s - 30):s]))) \
                    or re.match(r"\s+(village|town|camp|settlement|district|neighbourhood|neighborhood|township)\b", text[e:e + 16]) \
                    or (prep == "and" and out and out[-1].place is None and s - out[-1].end <= 6):
                if len(t) >= 4 and t[0].isupper() and t.lower() not in NOT_PLACES and " and " not in t \
                        and not t.isupper() and not pa.mentions_in(s, e):
                    out.append(PlaceMention(s, e, t, None, "place", _prep_before(text, s)))
                    taken.append((s, e))
            continue
        if p.kind == "place" and p.population < 1000 and not SETTLEMENT_BEFORE.search(text[max(0, s - 30):s]) \
                and p.country_code not in pa.country_codes:
            continue
        if p.kind == "place" and p.population > 50000 and VILLAGE_BEFORE.search(text[max(0, s - 30):s]):
            # "the village of Murom" is not the city of 130,000 that shares its name: a village the gazetteer lacks
            out.append(PlaceMention(s, e, t, None, "place", _prep_before(text, s)))
            taken.append((s, e))
            continue
        level = "admin1" if p.kind == "admin1" else ("country" if p.kind == "country" else "place")
        out.append(PlaceMention(s, e, t, p, level, _prep_before(text, s)))
        taken.append((s, e))
    return anchor_to_regions(pa, contain(pa, out), start, end)


def contain(pa: ParsedArticle, places: list[PlaceMention]) -> list[PlaceMention]:
    """Places that are parts or containers of the place next to them fold into one ("Tuapse, Krasnodar",
    "the Karari area of Omdurman", "Mushu village in Bokkos"); a place named with its region is resolved
    inside that region by ``anchor_to_regions``."""
    out = list(places)
    # "Tuapse, Krasnodar" / "Vovchansk, Kharkiv": a city named after the region that holds the place before it
    # stands for the region, not for a second place
    drop = set()
    for i, p in enumerate(out[:-1]):
        q = out[i + 1]
        if p.level == "place" and p.place is not None and q.level == "place" and q.place is not None \
                and p.admin1 and norm_name(q.text) == norm_name(p.admin1) and q.place.country_code == p.place.country_code \
                and re.fullmatch(r",\s*|(?:\s+[a-z][\w-]*){0,3}\s+in\s+(?:the\s+)?", pa.text[p.end:q.start]):
            drop.add(i + 1)
    # "the Karari area of Omdurman": the part folds into the place; "Kenscoff, a hillside suburb of
    # Port-au-Prince": the place is the part; "Mushu village in Bokkos": an unknown village inside a known place
    for i, p in enumerate(out[:-1]):
        q = out[i + 1]
        between = pa.text[p.end:q.start]
        if p.level == "place" and q.level == "admin1" and q.place is not None \
                and re.fullmatch(r"\s+(?:area|district|neighbou?rhood|quarter|suburb|outskirts)\s+of\s+(?:the\s+)?", between) \
                and not REGION_AFTER.match(pa.text[q.end:q.end + 20]):
            # "the Dniprovskyi district of Kherson": the city, which shares the region's name
            city = pa.resolve_place(q.text, prefer="place")
            if city is not None and city.kind == "place" and city.admin1_code == q.place.admin1_code:
                out[i + 1] = q = PlaceMention(q.start, q.end, q.text, city, "place", q.prep)
        if p.level == "place" and q.level == "place":
            if re.fullmatch(r"\s+(?:area|district|neighbou?rhood|quarter|suburb|outskirts)\s+of\s+(?:the\s+)?", between):
                drop.add(i)
            elif re.fullmatch(r",\s+(?:an?|the)\s+(?:[\w-]+\s+){0,2}(?:suburb|district|neighbou?rhood|part|quarter)\s+of\s+(?:the\s+)?", between):
                drop.add(i + 1)
            elif p.place is None and q.place is not None and re.fullmatch(r"\s+(?:village|town|camp)?\s*in\s+(?:the\s+)?", between):
                drop.add(i)
    out = [p for i, p in enumerate(out) if i not in drop]
    return out


# how a text names a place with its region (codebook: the region the text names wins)
TYPE_WORD = (r"(?:region|oblast|province|state|district|division|county|governorate|department|prefecture|krai|kray|"
             r"territory|municipality|raion|rayon|upazila|zone|wilaya|muhafazat)")
SITE_WORD = (r"(?:village|town|area|district|township|camp|locality|commune|ward|hamlet|settlement|neighbou?rhood|"
             r"sub-?district|upazila|municipality|highlands|outskirts|resort area|area)")
_NAME = (r"(?:(?:al|el|Al|El|de|La|Le|Ad|As|An|Ar|At|Az)[- ])?[A-Z][\w'’.-]*"
         r"(?:[ -](?:(?:al|el|ad|as|an|ar|at|az|de|du|la|des|di)[- ])?[A-Z][\w'’-]*){0,3}")
NAME_BEFORE = re.compile(r"(?<![\w'’-])(" + _NAME + r")$")
NAME_AFTER = re.compile(r"^(" + _NAME + r")")
# between a place and the region after it: "X, Y", "X in (the) Y", "X (Y", "X village of (the) Y", "X village in Y"
LINK = re.compile(r"(?=[\s,(])(?<=[\w'’.])((?:\s+" + SITE_WORD + r")?)(,\s*|\s+in\s+(?:the\s+)?|\s*\(\s*(?:the\s+)?|\s+of\s+(?:the\s+)?)(?=[A-Z])")
# the same connectors without the site word, for scanning a whole article (the site word is read back)
CONNECTOR = re.compile(r"(?=[\s,(])(?<=[\w'’.])(,\s*|\s+in\s+(?:the\s+)?|\s*\(\s*(?:the\s+)?|\s+of\s+(?:the\s+)?)(?=[A-Z])")
CITY_PART = re.compile(r"(?:district|area|neighbou?rhood|quarter|suburb|outskirts)$", re.I)
SITE_TAIL = re.compile(r"(?<!\s)\s+" + SITE_WORD + r"$")
# a region's name: capitalised words with the small words regions have ("Jammu and Kashmir", "Boucle du Mouhoun")
REGION_WORDS_AFTER = re.compile(r"^((?:[A-Z][\w'’.-]*|&)(?:[ -](?:[A-Z][\w'’.-]*|(?:and|&|del|des|du|de|el|al|of|la|e)(?![\w'’])))*)")
# a region's name then "'s X": "Hama's Kafr Nabudah area", "the Mopti region's village of Sobane Da"
POSSESSIVE = re.compile(r"(?:'s|’s)\s+(?:(?:" + SITE_WORD + r")\s+of\s+)?(?=[A-Z])")
POSSESSIVE_END = re.compile(r"(?:'s|’s)\s+(?:(?:" + SITE_WORD + r")\s+of\s+)?$")   # "Hama's " before a name
CHAIN = re.compile(r"(?:(?<!\s)\s+" + TYPE_WORD + r")?,\s*")     # "Beni territory, " before the next container
TYPE_BEFORE = re.compile(r"(?<!\s)\s+" + TYPE_WORD + r"$", re.I)
LIST_AFTER = re.compile(r"^(?:\s+" + TYPE_WORD + r"s?)?(?:,\s*(?:and\s+)?[A-Z]|\s+and\s+(?:the\s+)?[A-Z])")
TYPE_AFTER = re.compile(r"^\s+" + TYPE_WORD + r"\b", re.I)


def region_of(m: PlaceMention) -> Optional[tuple[str, str]]:
    """(country code, admin1 code) a mention stands for as a container: a region, or the region of a town."""
    if m.place is None or m.level == "country" or not m.place.admin1_code:
        return None
    return (m.place.country_code, m.place.admin1_code)


def _names_a_country(pa: ParsedArticle, t: str) -> bool:
    """A country's name or adjective ("Mali", "Malian"); a capital ("Dhaka", "Bamako") also names its region."""
    low = t.lower()
    return low in pa.lex.country_by_form and pa.lex.country_forms_kind.get(low) != "capital"


def _region_at(pa: ParsedArticle, pos: int, limit: int, typed_only: bool = False,
               countries: Optional[dict] = None, admin1_only: bool = False) -> Optional[PlaceMention]:
    """The region named at ``pos``: the longest run of capitalised words there that the gazetteer knows as a
    first-order region ("Zaporizhzhia oblast", "Jammu & Kashmir", "Nord-Kivu"), or as a town standing for its
    region ("Kondele (Kisumu)")."""
    m = REGION_WORDS_AFTER.match(pa.text[pos:min(limit, pos + 60)])
    if not m:
        return None
    words = re.split(r"(?<=[^ -])(?=[ -])", m.group(1))
    for n in range(min(len(words), 6), 0, -1):
        t = "".join(words[:n]).strip().rstrip(".'’")
        if not t or not t[-1:].isalnum() or not re.match(r"[A-Z]", t.split()[-1].split("-")[-1] or "x") \
                or t.lower() in NOT_PLACES or _names_a_country(pa, t):
            continue
        typed = bool(TYPE_AFTER.match(pa.text[pos + len(t):pos + len(t) + 20]))
        if typed_only and not typed:
            continue
        if countries is None:
            countries = pa.country_codes
        p = pa.gaz.lookup(t, countries, prefer="admin1", kind="admin1", typed=typed)
        if p is not None:
            return PlaceMention(pos, pos + len(t), t, p, "admin1", "")
        if admin1_only or typed:
            continue
        p = pa.gaz.lookup(t, countries, prefer="place", kind="place")
        if p is not None:
            return PlaceMention(pos, pos + len(t), t, p, "place", "")
    return None


def _region_before(pa: ParsedArticle, pos: int, limit: int, countries: Optional[dict] = None) -> Optional[PlaceMention]:
    """The first-order region whose name (and type word) ends at ``pos``: "Zaporizhzhia" in
    "Zaporizhzhia's", "Kherson oblast" in "Kherson oblast's"."""
    before = pa.text[max(limit, pos - 60):pos]
    typed = TYPE_BEFORE.search(before)
    if typed:
        before = before[:typed.start()]
    m = NAME_BEFORE.search(before)
    if not m:
        return None
    words = m.group(1).split(" ")
    for n in range(len(words)):
        t = " ".join(words[n:])
        if t.lower() in NOT_PLACES or _names_a_country(pa, t):
            continue
        p = pa.gaz.lookup(t, pa.country_codes if countries is None else countries, prefer="admin1", kind="admin1",
                          typed=bool(typed))
        if p is not None:
            s = pos - (len(pa.text[max(limit, pos - 60):pos]) - len(before)) - len(t)
            return PlaceMention(s, s + len(t), t, p, "admin1", "")
    return None


TITLE_BEFORE = re.compile(r"\b(?:president|minister|governor|mayor|mr|mrs|ms|dr|general|gen|colonel|spokes(?:man|woman|person)|"
                          r"commander|leader|envoy|chief|head|secretary|ambassador|official|senator|lawmaker)\.?\s+$", re.I)
SPEECH_AFTER = re.compile(r"^[^.;:]{0,40}?\b(?:said|says|told|added|stated|wrote|announced)\b")


def named_with_region(pa: ParsedArticle, start: int, end: int) -> bool:
    """A name written as a place is with its region ("Lankien, Jonglei", "Kodok (Upper Nile)", "Kozatske in
    Kherson oblast", "Luhansk oblast's Kuzmyne"): a tagger's PERSON there is a place. Not after a title or
    before a speech verb ("Governor X in Kherson said")."""
    text = pa.text
    if TITLE_BEFORE.search(text[max(0, start - 20):start]):
        return False
    link = LINK.match(text, end)
    if link and link.start() == end:
        r = _region_at(pa, link.end(), min(len(text), link.end() + 80),
                       typed_only=link.group(2).strip() == "of" and not link.group(1).strip(),
                       countries={}, admin1_only=True)
        if r is not None and r.level == "admin1" and not SPEECH_AFTER.match(text[r.end:r.end + 60]):
            typed = bool(TYPE_AFTER.match(text[r.end:r.end + 20]) or TYPE_BEFORE.search(" " + r.text)
                         or link.group(2).strip() == "of")
            if typed or "(" in link.group(2) or "," in link.group(2) and not LIST_AFTER.match(text[r.end:r.end + 30]):
                return True
            # "Fata Borno in North Darfur": unless the name is a person's named in full elsewhere ("Putin in Moscow")
            last = text[start:end].split()[-1]
            if not any(e.label_ == "PERSON" and e.start_char != start and e.text.split()[-1] == last and len(e.text.split()) > 1
                       for e in pa.doc.ents):
                return True
    q = POSSESSIVE_END.search(text[max(0, start - 30):start])
    if q and _region_before(pa, start - len(q.group(0)), max(0, start - 90), countries={}) is not None:
        return True
    return False


def region_anchors(pa: ParsedArticle) -> list[tuple[int, int, PlaceMention]]:
    """Every (name start, name end, region) of the article where a name is written with its region,
    found once per article (place finding runs on many spans of it)."""
    if "region_anchors" in pa.cache:
        return pa.cache["region_anchors"]
    text = pa.text
    start, end = 0, len(text)
    blockers = [(m.start, m.end) for m in pa.mentions if m.kind in ("person", "group", "body", "country")]
    # a region inside an armed group's or a body's name ("the Arakan Army") is not a region
    # (a tagger's PERSON often covers a region's name: "Lankien, Jonglei")
    group_names = [(m.start, m.end) for m in pa.mentions if m.kind in ("group", "body")]

    def name_span(s: int, e: int) -> Optional[tuple[int, int]]:
        words = text[s:e].split(" ")
        while words and words[0].lower().strip("'’") in NOT_PLACES:
            s += len(words[0]) + 1
            words = words[1:]
        t = text[s:e]
        if len(t) < 3 or t.isupper() or any(s < be and bs < e for bs, be in blockers) \
                or t.lower() in pa.lex.country_by_form or t.lower() in NOT_PLACES:
            return None
        return s, e

    found: list[tuple[int, int, PlaceMention]] = []     # (name start, name end, region mention)
    for link in CONNECTOR.finditer(text, start, end):
        connector = link.group(1)
        name_end = link.start()
        site = SITE_TAIL.search(text, max(start, name_end - 30), name_end)
        if site:
            name_end = site.start()
        # most links follow a lower-case word ("in the", "of a"): only a capitalised word can end a name
        last = text.rfind(" ", max(start, name_end - 40), name_end)
        if not any(c.isupper() for c in text[last + 1:name_end]):
            continue
        before = text[max(start, name_end - 60):name_end]
        m = NAME_BEFORE.search(before)
        if not m:
            continue
        # "X of Y" needs Y's region word unless a site word says what X is ("Mbau village of Nord-Kivu");
        # "the Dniprovskyi district of Kherson": a part of a city folds into the city (not anchored here)
        if site and connector.strip() == "of" and CITY_PART.match(site.group(0).strip()) \
                and not TYPE_AFTER.match(text[link.end():link.end() + 40].split(",")[0].split(" ", 1)[-1]):
            continue
        r = _region_at(pa, link.end(), end, typed_only=connector.strip() == "of" and not site)
        # "Mamove, Beni territory, North Kivu": the last of a chain of containers is the first-order region
        chain = CHAIN.match(text, r.end, r.end + 30) if r is not None else None
        if chain:
            outer = _region_at(pa, chain.end(), end)
            if outer is not None and outer.level == "admin1":
                r = outer
        if r is None or any(r.start < be and bs < r.end for bs, be in group_names):
            continue        # "Fighters of the Arakan Army": a group's name, not a region
        if connector.startswith(",") and not TYPE_AFTER.match(text[r.end:r.end + 20]) \
                and LIST_AFTER.match(text[r.end:r.end + 30]):
            continue        # "Kharkiv, Sumy and Odesa": a list of places
        if r.level != "admin1":
            # a town as the container: only "X (Town)" and "X, Town" not in a list, for a name not known as a town
            if "in" in connector or "of" in connector or LIST_AFTER.match(text[r.end:r.end + 30]) \
                    or (connector.startswith(",") and re.search(r",\s*(?:[A-Z][\w'’-]*\s*)+$", text[max(start, name_end - 60):name_end - len(m.group(1))])):
                continue
        span = name_span(name_end - len(m.group(1)), name_end)
        if span:
            found.append((span[0], span[1], r))
    for q in POSSESSIVE.finditer(text, start, end):
        r = _region_before(pa, q.start(), start)
        if r is None or any(r.start < be and bs < r.end for bs, be in group_names):
            continue
        m = NAME_AFTER.match(text[q.end():q.end() + 60])
        if m:
            span = name_span(q.end(), q.end() + len(m.group(1)))
            if span:
                found.append((span[0], span[1], r))
    pa.cache["region_anchors"] = found
    return found


def anchor_to_regions(pa: ParsedArticle, places: list[PlaceMention], start: int, end: int) -> list[PlaceMention]:
    """A place named with its region ("Mala Tokmachka, Zaporizhia", "Kondele (Kisumu)", "Tole village of
    Oromia region", "Galguduud's Ceel Buur district") is looked for inside that region only: same-named
    places elsewhere are not candidates. A place the gazetteer does not have there keeps its name as
    written and takes the region (an approximate location). Names the text gives only in these phrasings
    ("Rubaya, North Kivu province") are added."""
    text = pa.text
    out = list(places)
    found = [a for a in region_anchors(pa) if start <= a[0] and a[1] <= end]
    for s, e, r in found:
        region = region_of(r)
        if region is None:
            continue
        t = text[s:e]
        own = pa.gaz.lookup(t, pa.country_codes)
        if own is not None and (own.kind == "country" or own.kind == "admin1" and own.country_code == region[0]):
            continue        # "Donetsk, Zaporizhia and Kherson regions": a list of regions
        i = next((k for k, p in enumerate(out) if p.start < e and s < p.end), None)
        current = out[i] if i is not None else None
        if current is not None and (current.level in ("admin1", "country")
                                    or (current.start, current.end) != (s, e) and current.place is not None
                                    and current.end - current.start > e - s):
            continue        # the name is itself a region or a country, or part of a longer known name
        if current is not None and current.place is not None and region_of(current) == region:
            continue        # already inside
        if current is not None and current.place is not None and current.place.population >= 100000 \
                and (r.level != "admin1" or not TYPE_AFTER.match(text[r.end:r.end + 20])):
            continue        # "Kharkiv, Sumy": two cities, not a city and its region
        inside = pa.gaz.lookup(t, {region[0]: 3.0}, {region: 1.0}, prefer="place", within=region)
        prep = current.prep if current is not None else _prep_before(text, s)
        mention = (PlaceMention(s, e, t, inside, "place", prep) if inside is not None
                   else PlaceMention(s, e, t, None, "place", prep, r if r.level == "admin1" else _as_region(pa, r)))
        if i is not None:
            out[i] = mention
        else:
            out.append(mention)
    out.sort(key=lambda p: p.start)
    return fold_second_order(pa, out)


ADMIN2_WORD = (r"(?:LGA|local government area|district|sub-county|county|upazila|township|tehsil|municipality|"
               r"commune|department|raion|rayon|hromada|woreda|territory)")
ADMIN2_END = re.compile(r"\s" + ADMIN2_WORD + r"$", re.I)
ADMIN2_AFTER = re.compile(r"^\s+" + ADMIN2_WORD + r"\b", re.I)
SITE_END = re.compile(r"\s(?:village|town|hamlet|camp|settlement)$", re.I)


def fold_second_order(pa: ParsedArticle, places: list[PlaceMention]) -> list[PlaceMention]:
    """"Yelwata village in Guma LGA, Benue state": the district is where the village lies, not a second
    place; the village keeps the district's region. An unknown name written with its site word
    ("Yelwata village") is the name alone."""
    text = pa.text
    out = []
    for p in places:
        if p.place is None and p.level == "place" and SITE_END.search(p.text):
            t = SITE_END.sub("", p.text)
            p = PlaceMention(p.start, p.start + len(t), t, None, "place", p.prep, p.region)
        out.append(p)
    drop = set()
    for i, p in enumerate(out[:-1]):
        q = out[i + 1]
        if p.level == "place" and q.level == "place" and re.fullmatch(r"\s+(?:\w+\s+)?in\s+(?:the\s+)?", text[p.end:q.start]) \
                and (ADMIN2_END.search(q.text) or ADMIN2_AFTER.match(text[q.end:q.end + 30])):
            drop.add(i + 1)
            region = q.region if q.place is None else (_as_region(pa, q) if q.place.admin1_code else None)
            if region is None or region.place is None or region.level != "admin1":
                continue
            if p.place is None and p.region is None:
                out[i] = p.with_region(region)
            elif p.place is not None and region_of(p) != region_of(region):
                # "Kuje village in Kajuru district": not the Kuje of another region
                inside = pa.gaz.lookup(p.text, within=region_of(region))
                out[i] = PlaceMention(p.start, p.end, p.text, inside, "place", p.prep, None if inside else region)
    return [p for i, p in enumerate(out) if i not in drop]


def _as_region(pa: ParsedArticle, town: PlaceMention) -> PlaceMention:
    """The region of a town, as a mention at the town's words ("Kondele (Kisumu)": Kisumu county)."""
    cc, code = town.place.country_code, town.place.admin1_code
    name = pa.gaz.admin1_name(cc, code)
    p = pa.gaz.lookup(name, {cc: 3.0}, prefer="admin1") if name else None
    if p is None or p.kind != "admin1" or p.admin1_code != code:
        return town
    return PlaceMention(town.start, town.end, town.text, p, "admin1", town.prep)
