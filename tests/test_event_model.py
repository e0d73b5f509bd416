"""The learned event-typing model as an analyst uses it: train on coded data (corpus JSON Lines, gold
articles, an ACLED-style CSV export), evaluate, pass the model to extract; the same data and seed give
the same model; bad data gives one-line errors."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from wirewatch.event_model import (NONE, SUB_EVENT_TYPES, DataError, EventTypeModel, ModelError, read_examples,
                                   score)
from wirewatch.event_model.data import gold_examples

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "incidents"

# a few hand-written sentences per type, none from the corpus, for checks a trained model must pass
HELD_OUT = [
    ("Hundreds of nurses marched peacefully to the health ministry in Lilongwe on Monday to demand unpaid "
     "allowances.", "Peaceful protest"),
    ("Air defence units shot down nine drones over the Kursk region overnight, the governor said.",
     "Disrupted weapons use"),
    ("Gunmen kidnapped a parish priest and two seminarians from a church compound near Kafanchan.",
     "Abduction/forced disappearance"),
]


def small_corpus(path: Path, per_label: int = 14, negatives: int = 60) -> Path:
    """A small training file cut from the repository's corpus: a few examples of every label."""
    rows, seen = [], {}
    for f in sorted(CORPUS.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            lab = row["sub_event_type"]
            cap = negatives if lab == NONE else per_label
            if seen.get(lab, 0) < cap:
                seen[lab] = seen.get(lab, 0) + 1
                rows.append(row)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, run_cli):
    d = tmp_path_factory.mktemp("model")
    data = small_corpus(d / "small.jsonl")
    rc, out, err = run_cli("train", "--data", data, "--out", d / "model", "--folds", "2")
    assert rc == 0, err
    return d, data, out, err


def test_train_prints_grouped_cross_validation_and_saves_a_loadable_model(trained):
    d, data, out, err = trained
    assert "folds split by country" in out and "folds split by style" in out
    assert "weighted F1" in out and "macro F1" in out
    assert "calibration error" in out
    for name in ("model.json", "vocabulary.json", "coef.npy", "intercept.npy", "idf.npy"):
        assert (d / "model" / name).is_file()
    meta = json.loads((d / "model" / "model.json").read_text())
    assert meta["trained_on"]["examples"] == len(data.read_text().splitlines())
    assert set(meta["cross_validation"]) == {"country", "style"}
    model = EventTypeModel.load(d / "model")
    assert set(SUB_EVENT_TYPES) <= set(model.labels) and NONE in model.labels
    assert "cross-validation by country" in err          # the progress lines


def test_trained_model_types_unseen_sentences_and_explains_itself(trained):
    d, *_ = trained
    model = EventTypeModel.load(d / "model")
    preds = model.predict([t for t, _ in HELD_OUT])
    assert sum(p.label == want for p, (_, want) in zip(preds, HELD_OUT)) >= 2
    for p in preds:
        assert 0.0 <= p.probability <= 1.0 and abs(sum(p.probabilities.values()) - 1.0) < 1e-4
    words = model.explain(HELD_OUT[1][0], "Disrupted weapons use")
    assert words and any(w in ("shot", "shot down", "down", "air defence", "drones", "defence") for w in words)


def test_evaluate_prints_per_type_scores_and_the_confusion_matrix(trained, run_cli, tmp_path):
    d, *_ = trained
    test = tmp_path / "test.jsonl"
    test.write_text("".join(json.dumps({"text": t, "sub_event_type": lab}) + "\n" for t, lab in HELD_OUT)
                    + json.dumps({"text": "The finance minister presented the budget to parliament on Tuesday.",
                                  "sub_event_type": "none"}) + "\n", encoding="utf-8")
    rc, out, err = run_cli("evaluate", "--data", test, "--model", d / "model")
    assert rc == 0, err
    assert "Peaceful protest" in out and "weighted F1" in out and "macro F1" in out
    assert "gold \\ predicted" in out and "key:" in out
    rc, out, err = run_cli("evaluate", "--data", test, "--model", d / "model", "--format", "json")
    res = json.loads(out)
    assert res["n"] == 4 and set(res["confusion"]) >= {"Peaceful protest", "none"}


def test_same_data_and_seed_give_the_same_model(trained, run_cli, tmp_path):
    """What `make model` relies on: training is deterministic, byte for byte."""
    d, data, *_ = trained
    rc, _, err = run_cli("train", "--data", data, "--out", tmp_path / "again", "--folds", "2")
    assert rc == 0, err
    for f in sorted((d / "model").iterdir()):
        assert (tmp_path / "again" / f.name).read_bytes() == f.read_bytes(), f.name
    rc, _, err = run_cli("train", "--data", data, "--out", tmp_path / "other", "--cv-by", "none", "--seed", "7")
    assert rc == 0, err
    assert (tmp_path / "other" / "model.json").read_bytes() != (d / "model" / "model.json").read_bytes()


def test_an_acled_style_csv_export_trains_a_model(run_cli, tmp_path):
    rows = []
    for f in sorted(CORPUS.glob("*.jsonl"))[:3]:
        for line in f.read_text(encoding="utf-8").splitlines()[:80]:
            r = json.loads(line)
            if r["sub_event_type"] != NONE:
                rows.append(r)
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id_cnty", "event_date", "event_type", "sub_event_type", "country", "admin1", "notes"])
        for i, r in enumerate(rows):
            w.writerow([f"XX{i}", "2024-01-01", "", r["sub_event_type"], r["country"], "", r["text"]])
        w.writerow(["XXbad", "2024-01-01", "", "Not a type", "Kenya", "", "Something happened."])
    warnings: list[str] = []
    examples = read_examples([path], warn=warnings.append)
    assert len(examples) == len(rows)
    assert examples[0].text == rows[0]["text"] and examples[0].label == rows[0]["sub_event_type"]
    assert examples[0].country == rows[0]["country"]
    assert len(warnings) == 1 and str(path) in warnings[0] and "Not a type" in warnings[0]
    rc, out, err = run_cli("train", "--data", path, "--out", tmp_path / "m", "--folds", "2", "--cv-by", "country")
    assert rc == 0, err
    assert "folds split by country" in out and (tmp_path / "m" / "model.json").is_file()
    assert "unknown sub_event_type 'Not a type'" in err


def test_a_csv_without_notes_is_refused_in_one_line(run_cli, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("event_date,sub_event_type,country\n2024-01-01,Attack,Kenya\n", encoding="utf-8")
    rc, out, err = run_cli("train", "--data", path, "--out", tmp_path / "m")
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "notes" in lines[0]
    with pytest.raises(DataError):
        read_examples([tmp_path / "missing.jsonl"])


def test_bad_corpus_lines_are_skipped_and_named(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "Police arrested the mayor of Goma.", "sub_event_type": "Arrests"}\n'
                    'not json\n{"text": "x", "sub_event_type": "Bombing"}\n{"sub_event_type": "Attack"}\n'
                    '{"text": "Talks resumed in Doha.", "sub_event_type": "none"}\n', encoding="utf-8")
    said: list[str] = []
    ex = read_examples([path], warn=said.append)
    assert [e.label for e in ex] == ["Arrests", NONE]
    assert [m.split(": ")[0] for m in said] == [f"{path}:2", f"{path}:3", f"{path}:4"]


def test_gold_articles_become_labelled_sentences():
    text = ("date 2025-03-14\nKYIV - Russian drones hit a power plant in Kharkiv on Friday, officials said. "
            "The foreign minister called the strike a war crime. Talks are planned for next week.")
    start = text.index("Russian drones")
    doc = {"id": "g1", "text": text, "incidents": [
        {"sub_event_type": "Air/drone strike", "country": "Ukraine",
         "evidence": [{"start": start, "end": start + 30, "text": text[start:start + 30]}]}]}
    ex = gold_examples(doc, "g1.json")
    assert [e.label for e in ex] == ["Air/drone strike", NONE, NONE]
    assert ex[0].text.startswith("KYIV - Russian drones") and ex[0].country == "Ukraine"


def test_model_directory_passed_to_extract(trained, run_cli, tmp_path):
    d, *_ = trained
    art = tmp_path / "a.txt"
    art.write_text("date 2025-06-02\nHundreds of nurses marched peacefully to the health ministry in Lilongwe on "
                   "Monday to demand unpaid allowances, organisers said.\n", encoding="utf-8")
    rc, out, err = run_cli("extract", art, "--model", d / "model", "--format", "jsonl")
    assert rc == 0, err
    incs = json.loads(out)["incidents"]
    assert incs and all(0.0 < i["confidence"] <= 1.0 for i in incs)
    assert all(i["evidence"] for i in incs)
    rc, out, err = run_cli("extract", art, "--model", d / "model", "--explain")
    assert rc == 0 and "model weighed:" in out and "confidence" in out
    rc, out, err = run_cli("extract", art, "--model", tmp_path / "no-such-model")
    assert rc != 0 and "no-such-model" in err and len(err.strip().splitlines()) == 1


def test_a_directory_that_is_not_a_model_is_refused(tmp_path):
    (tmp_path / "model.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="missing"):
        EventTypeModel.load(tmp_path)


def test_scores_count_detection_and_typing():
    s = score(["Attack", "Attack", NONE, "Arrests"], ["Attack", NONE, "Attack", "Arrests"])
    assert s.per_label["Attack"]["precision"] == 0.5 and s.per_label["Attack"]["recall"] == 0.5
    assert s.detection["recall"] == pytest.approx(2 / 3) and s.typing_accuracy == 1.0
    assert s.confusion["Attack"] == {"Attack": 1, NONE: 1}


def test_a_csv_without_countries_trains_without_cross_validation_and_says_so(run_cli, tmp_path):
    rows = [json.loads(line) for line in sorted(CORPUS.glob("*.jsonl"))[0].read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "notes.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["notes", "sub_event_type"])
        for r in rows:
            w.writerow([r["text"], r["sub_event_type"]])
    rc, out, err = run_cli("train", "--data", path, "--out", tmp_path / "m")
    assert rc == 0, err
    assert "no cross-validation" in err and (tmp_path / "m" / "model.json").is_file()


# ----------------------------------------------------------------------- interactions and opinion
INTERACTION_LINES = [
    ("The Kenyan president flew to Addis Ababa for talks with the Ethiopian prime minister.", "04", "Kenya"),
    ("Ghana's foreign minister hosted her Togolese counterpart in Accra on Tuesday.", "04", "Ghana"),
    ("Peru's congress censured the interior minister over the handling of the road blockades.", "11", "Peru"),
    ("The opposition accused the electoral board of rigging the count in three provinces.", "11", "Zambia"),
    ("Lithuania expelled two Belarusian diplomats and recalled its chargé d'affaires from Minsk.", "16", "Lithuania"),
    ("Chile suspended its trade talks with Bolivia after the border incident.", "16", "Chile"),
    ("Manila told Beijing to withdraw its coast guard ships from the shoal by Friday.", "10", "Philippines"),
    ("The union demanded that the transport ministry reverse the fare rise.", "10", "Nigeria"),
    ("The mayor said the market would reopen on Monday after repairs.", "01", "Uganda"),
    ("Rainfall was heavier than usual across the northern districts this week.", "none", "Malawi"),
]


def interaction_corpus(path: Path) -> Path:
    rows = [{"text": t, "root": r, "source": "", "target": "", "country": c, "style": "wire" if i % 2 else "local",
             "batch": "test"} for i, (t, r, c) in enumerate(INTERACTION_LINES)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_interaction_lines_read_as_cameo_roots_and_root_01_is_no_interaction(tmp_path):
    ex = read_examples([interaction_corpus(tmp_path / "i.jsonl")], kind="interactions")
    assert [e.label for e in ex] == ["04", "04", "11", "11", "16", "16", "10", "10", NONE, NONE]
    from wirewatch.event_model.data import normalise_label
    assert [normalise_label(v, "interactions") for v in ("4", "04", "042", "0431", "20", "21", "x")] == \
        ["04", "04", "04", "04", "20", None, None]


def test_gold_articles_give_interaction_roots_and_opinion_sentences():
    text = ("Turkey's president met the Syrian leader in Ankara on Monday. "
            "It is hard to see how the truce can hold. Officials said 40 trucks crossed.")
    doc = {"id": "g2", "text": text,
           "interactions": [{"cameo_root": "04", "evidence": [text[:40]]}],
           "opinion": ["It is hard to see how the truce can hold."], "incidents": []}
    assert [e.label for e in gold_examples(doc, "g2.json", "interactions")] == ["04", NONE, NONE]
    assert [e.label for e in gold_examples(doc, "g2.json", "opinion")] == [NONE, "opinion", NONE]


def test_train_and_evaluate_an_interaction_model_from_the_command_line(run_cli, tmp_path):
    data = interaction_corpus(tmp_path / "i.jsonl")
    rc, out, err = run_cli("train", "--kind", "interactions", "--data", data, "--out", tmp_path / "m",
                           "--cv-by", "style", "--folds", "2")
    assert rc == 0, err
    assert "interactions over 4 CAMEO roots" in err and "cameo_root" in out and "interaction or not" in out
    rc, out, err = run_cli("evaluate", "--kind", "interactions", "--data", data, "--model", tmp_path / "m")
    assert rc == 0, err
    assert out.splitlines()[0].startswith("cameo_root") and "weighted F1" in out


def test_a_csv_of_interactions_needs_text_and_root_columns(run_cli, tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("sentence,EventRootCode\nThe king received the envoy.,042\nIt rained.,\n", encoding="utf-8")
    assert [e.label for e in read_examples([path], kind="interactions")] == ["04", NONE]
    wrong = tmp_path / "w.csv"
    wrong.write_text("notes,sub_event_type\nx,Attack\n", encoding="utf-8")
    rc, out, err = run_cli("train", "--kind", "interactions", "--data", wrong, "--out", tmp_path / "m")
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "root" in err


def test_a_two_label_model_predicts_both_labels(tmp_path):
    """Opinion or not: two labels, stored and read like the others (scikit-learn keeps one row for them)."""
    from wirewatch.event_model import Example, load_model
    ex = [Example(t, "opinion", "X") for t in (
        "It is hard to see how this truce can last.", "The real test will come when the rains end.",
        "There is little doubt the gamble has failed.", "This is a government that has lost its nerve.")] + \
        [Example(t, NONE, "Y") for t in (
            "The ministry said 40 trucks crossed on Monday.", "Police arrested six men near the port.",
            "The talks will resume in Geneva on Friday.", "Rain fell across the region overnight.")]
    model = EventTypeModel.fit(ex)
    model.save(tmp_path / "m")
    again = load_model(tmp_path / "m")
    labels = [p.label for p in again.predict(["There is little doubt this truce has failed.",
                                              "Police said 40 men were arrested on Friday."])]
    assert labels == ["opinion", NONE]
