"""The `wirewatch` command as a user runs it: formats, batches with bad files, exit codes, help."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

ZETA = """date 2025-03-14
KHERSON, Ukraine, March 14 - Russian artillery shelled a market in the centre of Kherson on Friday morning, killing at least three people and wounding 11 others, the regional governor said.

Governor Oleksandr Prokudin said the shells hit shortly after the stalls opened and set fire to a row of kiosks. "They knew exactly when people would be shopping," Prokudin wrote on Telegram.

Ukraine's air force said air defence units shot down 42 of the 70 drones Russia launched overnight. The Russian Ministry of Defence said its forces had destroyed 15 Ukrainian drones over the Belgorod region.

The city prosecutor's office later said four people had been killed in the attack.

Foreign Minister Andrii Sybiha accused Moscow of deliberately targeting civilians and urged European partners to send more air defence systems.

Make no mistake: a market at opening time is a target chosen for the crowd it holds.

Such attacks on crowded markets are a disgrace, and the world should no longer look away.
"""

FEED = [
    {"id": "feed-gao", "date": "2025-02-20", "title": "Ambush near Gao",
     "source": "Sahel Desk", "url": "https://example.org/sahel/gao-ambush",
     "text": "GAO, Mali - Suspected jihadist fighters ambushed a Malian army convoy on the road north of Gao "
             "on Wednesday, killing at least six soldiers, two security sources said.\n\nThe army said in a "
             "statement that its troops had repelled the attack and killed 'several terrorists'."},
    {"id": "feed-nairobi", "date": "2025-06-26",
     "text": "NAIROBI - Kenyan police fired tear gas and water cannon at thousands of protesters marching on "
             "parliament in Nairobi on Wednesday, a year after deadly demonstrations against a finance bill.\n\n"
             "Amnesty Kenya said at least 16 people were killed across the country, most of them by police."},
]

RECORD_KINDS = ("incidents", "interactions", "quotes", "claims", "opinion", "contradictions")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    (d / "zeta.txt").write_text(ZETA, encoding="utf-8")
    (d / "alpha.jsonl").write_text("".join(json.dumps(r) + "\n" for r in FEED), encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    texts = {"zeta": ZETA, **{r["id"]: r["text"] for r in FEED}}
    return d, texts


@pytest.fixture(scope="module")
def jsonl_run(run_cli, corpus):
    d, _ = corpus
    # input order deliberately not name order
    return run_cli("extract", d / "zeta.txt", d / "alpha.jsonl", "--format", "jsonl")


@pytest.fixture(scope="module")
def table_run(run_cli, corpus):
    d, _ = corpus
    return run_cli("extract", d / "zeta.txt")


@pytest.fixture(scope="module")
def batch_with_empty_run(run_cli, corpus):
    d, _ = corpus
    return run_cli("extract", d / "empty.txt", d / "zeta.txt", "--format", "jsonl")


# --------------------------------------------------------------------------- table

def test_table_shows_article_and_incidents(table_run):
    rc, out, err = table_run
    assert rc == 0, err
    assert "== zeta  (2025-03-14)" in out
    assert "Incidents (" in out
    assert "Kherson" in out
    assert "Military Forces of Russia" in out


def test_all_good_batch_exits_zero_without_errors(table_run):
    rc, _, err = table_run
    assert rc == 0
    assert "error" not in err


# --------------------------------------------------------------------------- jsonl

def test_jsonl_one_line_per_article_in_input_order(jsonl_run):
    rc, out, err = jsonl_run
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    docs = [json.loads(line) for line in lines]
    assert [d["id"] for d in docs] == ["zeta", "feed-gao", "feed-nairobi"]
    assert [d["date"] for d in docs] == ["2025-03-14", "2025-02-20", "2025-06-26"]


def test_jsonl_has_every_record_kind(jsonl_run):
    docs = [json.loads(line) for line in jsonl_run[1].splitlines()]
    for d in docs:
        assert {"id", "date", *RECORD_KINDS} <= set(d)
        for kind in RECORD_KINDS:
            assert isinstance(d[kind], list)
    # optional article metadata from the JSONL input is passed through
    assert docs[1]["title"] == "Ambush near Gao"
    assert docs[1]["url"] == "https://example.org/sahel/gao-ambush"


def test_jsonl_every_record_has_evidence_matching_the_article_text(jsonl_run, corpus):
    _, texts = corpus
    docs = [json.loads(line) for line in jsonl_run[1].splitlines()]
    n_records = 0
    for d in docs:
        text = texts[d["id"]]
        for kind in RECORD_KINDS:
            for rec in d[kind]:
                n_records += 1
                assert rec["evidence"], (d["id"], kind, rec)
                for ev in rec["evidence"]:
                    assert 0 <= ev["start"] < ev["end"] <= len(text)
                    assert text[ev["start"]:ev["end"]] == ev["text"], (d["id"], kind, ev)
    assert n_records > 0


def test_evidence_never_covers_the_date_header(jsonl_run):
    zeta = json.loads(jsonl_run[1].splitlines()[0])
    header_end = len("date 2025-03-14\n")
    starts = [(kind, ev["start"], ev["text"][:40]) for kind in RECORD_KINDS for rec in zeta[kind]
              for ev in rec["evidence"]]
    assert starts
    bad = [s for s in starts if s[1] < header_end]
    assert not bad, bad


def test_jsonl_finds_the_market_shelling(jsonl_run):
    zeta = json.loads(jsonl_run[1].splitlines()[0])
    shelling = [i for i in zeta["incidents"] if i["location"] and i["location"].lower() == "kherson"
                and i["event_date"] == "2025-03-14"]
    assert shelling, zeta["incidents"]
    assert shelling[0]["sub_event_type"] == "Shelling/artillery/missile attack"
    assert shelling[0]["country"] == "Ukraine"
    assert shelling[0]["fatalities"] == 3


def test_jsonl_market_shelling_is_by_russia_on_ukrainian_civilians(jsonl_run):
    zeta = json.loads(jsonl_run[1].splitlines()[0])
    shelling = [i for i in zeta["incidents"] if i["location"] and i["location"].lower() == "kherson"]
    assert shelling, zeta["incidents"]
    assert (shelling[0]["actor1"], shelling[0]["actor2"]) == ("Military Forces of Russia", "Civilians (Ukraine)")


def test_jsonl_opinion_sentence_is_an_object(jsonl_run, corpus):
    _, texts = corpus
    zeta = json.loads(jsonl_run[1].splitlines()[0])
    assert zeta["opinion"]
    for o in zeta["opinion"]:
        assert set(o) >= {"text", "evidence"}
        assert o["text"] in texts["zeta"]
    assert any(o["text"].startswith("Make no mistake") for o in zeta["opinion"])


def test_jsonl_normative_sentence_is_opinion(jsonl_run):
    zeta = json.loads(jsonl_run[1].splitlines()[0])
    assert any("disgrace" in o["text"] for o in zeta["opinion"])


# --------------------------------------------------------------------------- csv

def test_csv_parses_with_one_row_per_record(run_cli, corpus):
    d, texts = corpus
    rc, out, err = run_cli("extract", d / "zeta.txt", d / "alpha.jsonl", "--format", "csv")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert {"article_id", "kind", "evidence_start", "evidence_end", "evidence_text"} <= set(rows[0])
    assert {r["article_id"] for r in rows} <= {"zeta", "feed-gao", "feed-nairobi"}
    assert "zeta" in {r["article_id"] for r in rows}
    assert {r["kind"] for r in rows} <= {"incident", "interaction", "quote", "claim", "opinion", "contradiction"}
    for r in rows:
        if r["evidence_start"]:
            text = texts[r["article_id"]]
            s, e = int(r["evidence_start"]), int(r["evidence_end"])
            assert r["evidence_text"].startswith(text[s:e])


# --------------------------------------------------------------------------- errors and exit codes

def test_batch_with_empty_file_reports_it_and_still_outputs_the_good_article(batch_with_empty_run, corpus):
    d, _ = corpus
    rc, out, err = batch_with_empty_run
    assert rc == 1
    error_lines = [line for line in err.splitlines() if "error" in line]
    assert len(error_lines) == 1, err
    assert str(d / "empty.txt") in error_lines[0]
    docs = [json.loads(line) for line in out.splitlines()]
    assert [x["id"] for x in docs] == ["zeta"]


def test_missing_input_exits_one(run_cli, tmp_path):
    missing = tmp_path / "nope.txt"
    rc, out, err = run_cli("extract", missing, "--format", "jsonl")
    assert rc == 1
    assert str(missing) in err
    assert out.strip() == ""


def test_bad_date_option_exits_two_with_a_message(run_cli, corpus):
    d, _ = corpus
    rc, out, err = run_cli("extract", d / "zeta.txt", "--date", "notadate")
    assert rc == 2
    assert "notadate" in err and "YYYY-MM-DD" in err
    assert out == ""


def test_unknown_format_is_a_usage_error(run_cli, corpus):
    d, _ = corpus
    rc, _, err = run_cli("extract", d / "zeta.txt", "--format", "xml")
    assert rc == 2
    assert "--format" in err


def test_stdin_with_date_option(run_cli):
    rc, out, err = run_cli("extract", "-", "--date", "2025-02-20", "--format", "jsonl",
                           stdin=FEED[0]["text"])
    assert rc == 0, err
    docs = [json.loads(line) for line in out.splitlines()]
    assert [(x["id"], x["date"]) for x in docs] == [("stdin", "2025-02-20")]
    for kind in RECORD_KINDS:
        for rec in docs[0][kind]:
            for ev in rec["evidence"]:
                assert FEED[0]["text"][ev["start"]:ev["end"]] == ev["text"]


def test_output_option_writes_a_file(run_cli, corpus, tmp_path):
    d, _ = corpus
    target = tmp_path / "records.jsonl"
    rc, out, err = run_cli("extract", d / "zeta.txt", "--format", "jsonl", "--output", target)
    assert rc == 0, err
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8").splitlines()[0])["id"] == "zeta"


# --------------------------------------------------------------------------- gazetteer command

def test_gazetteer_command_resolves_old_spelling(run_cli):
    rc, out, err = run_cli("gazetteer", "Kharkov")
    assert rc == 0, err
    line = [x for x in out.splitlines() if x.startswith("Kharkov:")]
    assert line, out
    assert "Kharkiv" in line[0] and "Ukraine" in line[0]


def test_gazetteer_command_reports_unknown_names(run_cli):
    rc, out, _ = run_cli("gazetteer", "Zzyzxqwertyville")
    assert rc == 0
    assert "Zzyzxqwertyville: not found" in out


# --------------------------------------------------------------------------- help

@pytest.mark.parametrize("args,options", [
    (("--help",), ["extract", "gazetteer", "--version"]),
    (("extract", "--help"), ["--format", "--date", "--explain", "--model", "--output", "jsonl", "csv"]),
    (("gazetteer", "--help"), ["--rebuild", "names"]),
])
def test_help_lists_options(run_cli, args, options):
    rc, out, err = run_cli(*args)
    assert rc == 0, err
    for opt in options:
        assert opt in out, opt


def test_demo_stores_the_sample_corpus_and_says_how_to_open_it(run_cli, tmp_path):
    """The README's first command: `make demo` runs `wirewatch demo`."""
    from wirewatch.store import Store

    root = Path(__file__).resolve().parents[1]
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    rc, out, err = run_cli("demo", "--db", db, "--examples", root / "examples", cwd=root)
    assert rc == 0, err
    assert "wirewatch serve --db" in out + err
    st = Store(db)
    assert st.counts()["articles"] >= 5 and st.counts()["events"] >= 5
    st.close()
