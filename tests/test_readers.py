"""Readers: files, directories and stdin become Articles; bad inputs become one-line ReadErrors."""
from __future__ import annotations

import datetime as dt
import io
import json
import os


import pytest

from wirewatch.readers import ReadError, read_inputs, read_stdin
from wirewatch.records import Article

STORY = (
    "Russian drones struck an oil depot in the port of Tuapse overnight, starting a fire "
    "that burned for several hours, the regional governor said.\n\n"
    "No one was hurt, he added, but 40 residents of nearby houses were evacuated as a precaution."
)

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rebels shell Bukavu outskirts as thousands flee | Great Lakes Monitor</title>
<meta property="og:title" content="Rebels shell Bukavu outskirts as thousands flee">
<meta property="article:published_time" content="2025-02-03">
<meta property="og:site_name" content="Great Lakes Monitor">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/africa">Africa</a> <a href="/about">About us</a></nav></header>
<main>
<article>
<h1>Rebels shell Bukavu outskirts as thousands flee</h1>
<p>BUKAVU, Democratic Republic of Congo - M23 rebels shelled villages on the northern outskirts
of Bukavu on Sunday, killing at least three civilians and sending thousands of families fleeing
toward the city centre, local officials said.</p>
<p>The provincial governor of South Kivu said the shells landed near a market in Kavumu, close to
the airport, as Congolese troops and allied militias tried to hold a defensive line along the main road.</p>
<p>"We heard the first explosions just after dawn, and by midday the whole village had emptied,"
said a teacher who asked not to be named for fear of reprisals.</p>
<p>Aid agencies said they were struggling to reach the displaced because fighting had closed the
road north of the city for a second day.</p>
</article>
</main>
<footer><p>Copyright 2025 Great Lakes Monitor. All rights reserved.</p>
<p>Subscribe to our newsletter for daily updates.</p></footer>
</body>
</html>
"""


def read_all(*paths, default_date=None):
    return list(read_inputs([str(p) for p in paths], default_date=default_date))


def only_article(items) -> Article:
    assert len(items) == 1, items
    assert isinstance(items[0], Article), items[0]
    return items[0]


def only_error(items) -> ReadError:
    assert len(items) == 1, items
    assert isinstance(items[0], ReadError), items[0]
    return items[0]


# --------------------------------------------------------------------------- .txt

def test_txt_date_header_sets_date_and_text_is_kept_verbatim(tmp_path):
    raw = "date 2025-03-14\n" + STORY + "\n"
    path = tmp_path / "tuapse-depot.txt"
    path.write_text(raw, encoding="utf-8")

    art = only_article(read_all(path))

    assert art.date == "2025-03-14"
    assert art.id == "tuapse-depot"
    # the header stays in the text so that evidence offsets index the file as written
    assert art.text == raw
    start = art.text.index("Tuapse")
    assert art.text[start:start + len("Tuapse")] == "Tuapse"
    assert art.warnings == []


def test_txt_date_header_wins_over_default_date(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("date 2025-03-14\n" + STORY, encoding="utf-8")
    assert only_article(read_all(path, default_date="2020-01-01")).date == "2025-03-14"


def test_txt_without_header_uses_default_date_silently(tmp_path):
    path = tmp_path / "no-header.txt"
    path.write_text(STORY, encoding="utf-8")

    art = only_article(read_all(path, default_date="2025-01-20"))

    assert art.date == "2025-01-20"
    assert art.text == STORY
    assert art.warnings == []


def test_txt_without_header_or_default_uses_mtime_with_warning(tmp_path):
    path = tmp_path / "no-header.txt"
    path.write_text(STORY, encoding="utf-8")
    noon = dt.datetime(2023, 6, 15, 12, 0).timestamp()      # local noon: same day in any zone
    os.utime(path, (noon, noon))

    art = only_article(read_all(path))

    assert art.date == "2023-06-15"
    assert len(art.warnings) == 1
    assert str(path) in art.warnings[0]
    assert "modification date" in art.warnings[0]


def test_txt_with_only_a_header_is_an_error(tmp_path):
    path = tmp_path / "header-only.txt"
    path.write_text("date 2025-03-14\n\n", encoding="utf-8")
    err = only_error(read_all(path))
    assert str(path) in err.message
    assert "\n" not in err.message


# --------------------------------------------------------------------------- .jsonl

def test_jsonl_fields_are_read(tmp_path):
    rows = [
        {"id": "wire-001", "date": "2024-11-14", "text": STORY, "title": "Drones hit Tuapse depot",
         "source": "Black Sea Wire", "url": "https://example.org/2024/11/14/tuapse"},
        {"id": "wire-002", "date": "2024-11-15", "text": "Protesters marched through Nairobi on Friday."},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    items = read_all(path)

    assert [type(i) for i in items] == [Article, Article]
    a, b = items
    assert (a.id, a.date, a.text) == ("wire-001", "2024-11-14", STORY)
    assert (a.title, a.source, a.url) == ("Drones hit Tuapse depot", "Black Sea Wire",
                                          "https://example.org/2024/11/14/tuapse")
    assert (b.id, b.date, b.title, b.source, b.url) == ("wire-002", "2024-11-15", None, None, None)


def test_jsonl_malformed_line_is_an_error_naming_file_and_line_and_the_batch_goes_on(tmp_path):
    path = tmp_path / "feed.jsonl"
    good1 = json.dumps({"id": "one", "date": "2025-01-02", "text": "Shelling hit Kherson."})
    good3 = json.dumps({"id": "three", "date": "2025-01-03", "text": "Police fired tear gas in Dhaka."})
    path.write_text(good1 + '\n{"id": "two", "text": "unterminated\n' + good3 + "\n", encoding="utf-8")

    items = read_all(path)

    assert len(items) == 3
    assert isinstance(items[0], Article) and items[0].id == "one"
    assert isinstance(items[1], ReadError)
    assert f"{path}:2" in items[1].message
    assert "\n" not in items[1].message
    assert isinstance(items[2], Article) and items[2].id == "three"


def test_jsonl_line_without_date_uses_default_date(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "Shelling hit Kherson."}) + "\n", encoding="utf-8")
    assert only_article(read_all(path, default_date="2025-02-02")).date == "2025-02-02"


def test_jsonl_bad_date_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "x", "date": "14/03/2025", "text": "Shelling hit Kherson."}) + "\n",
                    encoding="utf-8")
    err = only_error(read_all(path))
    assert f"{path}:1" in err.message


# --------------------------------------------------------------------------- bad files

@pytest.mark.parametrize("name,content", [
    ("empty.txt", b""),
    ("blank.txt", b"  \n\n \t\n"),
    ("binary.txt", b"%PDF-1.4\x00\x00\x01\x02" + bytes(range(256)) * 4),
    ("bad-date.txt", b"date 2025-13-45\nTroops clashed near the border on Monday.\n"),
])
def test_bad_txt_file_is_one_error_naming_the_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)

    err = only_error(read_all(path))

    assert str(path) in err.message
    assert "\n" not in err.message


def test_unparseable_date_header_error_shows_the_value(tmp_path):
    path = tmp_path / "bad-date.txt"
    path.write_text("date 2025-13-45\nTroops clashed near the border.\n", encoding="utf-8")
    assert "2025-13-45" in only_error(read_all(path)).message


def test_bad_file_does_not_stop_the_batch(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("date 2025-03-14\n" + STORY, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    items = read_all(empty, good)

    assert isinstance(items[0], ReadError) and str(empty) in items[0].message
    assert isinstance(items[1], Article) and items[1].id == "good"


def test_missing_file_is_an_error(tmp_path):
    missing = tmp_path / "nope.txt"
    assert str(missing) in only_error(read_all(missing)).message


def test_invalid_utf8_bytes_are_replaced_with_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"date 2025-03-14\nThe governor of Bogot\xe1 said two police officers were hurt.\n")

    art = only_article(read_all(path))

    assert art.date == "2025-03-14"
    assert "Bogot\ufffd said" in art.text
    assert art.text.count("\ufffd") == 1
    assert len(art.warnings) == 1
    assert str(path) in art.warnings[0] and "U+FFFD" in art.warnings[0]


# --------------------------------------------------------------------------- .html

def test_html_page_gives_main_text_title_and_date(tmp_path):
    path = tmp_path / "bukavu.html"
    path.write_text(HTML_PAGE, encoding="utf-8")

    art = only_article(read_all(path))

    assert art.id == "bukavu"
    assert art.date == "2025-02-03"
    assert art.title == "Rebels shell Bukavu outskirts as thousands flee"
    assert "M23 rebels shelled villages" in art.text
    assert "defensive line along the main road" in art.text
    assert "fighting had closed the" in art.text
    # boilerplate is not article text
    assert "About us" not in art.text
    assert "Copyright" not in art.text
    assert "newsletter" not in art.text


def test_html_without_date_falls_back_to_default_date(tmp_path):
    path = tmp_path / "nodate.html"
    path.write_text(HTML_PAGE.replace('<meta property="article:published_time" content="2025-02-03">\n', "")
                    .replace("Copyright 2025 ", ""), encoding="utf-8")
    art = only_article(read_all(path, default_date="2025-02-10"))
    assert art.date == "2025-02-10"


# --------------------------------------------------------------------------- directories

def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    root = tmp_path / "corpus"
    (root / "c" / "e").mkdir(parents=True)
    # created out of order on purpose
    (root / "c" / "e" / "f.txt").write_text("date 2025-01-06\nTroops shelled Pokrovsk.", encoding="utf-8")
    (root / "b.jsonl").write_text(
        json.dumps({"id": "b-1", "date": "2025-01-02", "text": "Protest in Lagos."}) + "\n"
        + json.dumps({"id": "b-2", "date": "2025-01-03", "text": "Protest in Abuja."}) + "\n", encoding="utf-8")
    (root / "c" / "d.txt").write_text("date 2025-01-04\nDrones hit Kherson.", encoding="utf-8")
    (root / "a.txt").write_text("date 2025-01-01\nClashes in Gao.", encoding="utf-8")
    (root / "notes.md").write_text("not an article", encoding="utf-8")
    (root / ".hidden.txt").write_text("date 2025-01-01\nhidden", encoding="utf-8")

    items = read_all(root)

    assert all(isinstance(i, Article) for i in items), items
    assert [i.id for i in items] == ["a", "b-1", "b-2", "d", "f"]
    assert items[-1].text == "date 2025-01-06\nTroops shelled Pokrovsk."


def test_directory_without_articles_is_an_error(tmp_path):
    (tmp_path / "readme.md").write_text("nothing here", encoding="utf-8")
    assert str(tmp_path) in only_error(read_all(tmp_path)).message


# --------------------------------------------------------------------------- stdin

def test_stdin_plain_text_with_header():
    raw = "date 2025-03-14\n" + STORY
    art = only_article(list(read_stdin(io.BytesIO(raw.encode("utf-8")))))
    assert art.date == "2025-03-14"
    assert art.text == raw
    assert art.warnings == []


def test_stdin_plain_text_uses_default_date():
    art = only_article(list(read_stdin(io.BytesIO(STORY.encode("utf-8")), default_date="2025-03-01")))
    assert art.date == "2025-03-01"
    assert art.text == STORY


def test_stdin_jsonl():
    data = (json.dumps({"id": "s1", "date": "2025-03-10", "text": "Shelling hit Kherson.", "title": "Kherson"})
            + "\n" + json.dumps({"id": "s2", "date": "2025-03-11", "text": "Clashes in Gao."}) + "\n")
    items = list(read_stdin(io.BytesIO(data.encode("utf-8"))))
    assert [(a.id, a.date, a.text) for a in items] == [
        ("s1", "2025-03-10", "Shelling hit Kherson."), ("s2", "2025-03-11", "Clashes in Gao.")]
    assert items[0].title == "Kherson"


def test_stdin_empty_is_an_error():
    err = only_error(list(read_stdin(io.BytesIO(b""))))
    assert "<stdin>" in err.message


# ------------------------------------------------------------------ size limits and streaming
def test_a_50_mb_jsonl_line_is_refused_unread_and_the_next_line_is_read(tmp_path):
    from wirewatch.readers import MAX_ITEM_BYTES, read_jsonl

    src = tmp_path / "feed.jsonl"
    with src.open("wb") as fh:
        fh.write(b'{"id": "huge", "date": "2025-03-14", "text": "' + b"x" * (50 * 1024 * 1024) + b'"}\n')
        fh.write(b'{"id": "ok", "date": "2025-03-14", "text": "Drones struck Kharkiv."}\n')
    items = list(read_jsonl(src))
    assert [type(i).__name__ for i in items] == ["ReadError", "Article"]
    assert items[0].message == f"{src}:1: line too long: over {MAX_ITEM_BYTES:,} bytes, skipped"
    assert items[1].id == "ok"


def test_a_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    from wirewatch import readers

    monkeypatch.setattr(readers, "MAX_ITEM_BYTES", 1000)
    src = tmp_path / "big.txt"
    src.write_text("date 2025-03-14\n" + "word " * 400, encoding="utf-8")
    (item,) = list(readers.read_inputs([str(src)]))
    assert item.message == f"{src}: file too large: 2,016 bytes, over the limit of 1,000"


class _EndlessJsonl:
    """A stdin that never ends (a feed); fails the test if more than 1 MB of it is read."""

    def __init__(self):
        self.read_bytes, self.n, self.buf = 0, 0, b""

    def _line(self) -> bytes:
        self.n += 1
        return (f'{{"id": "n{self.n}", "date": "2025-03-14", "text": "Drones struck Kharkiv, '
                f'item {self.n}."}}\n').encode()

    def _count(self, data: bytes) -> bytes:
        self.read_bytes += len(data)
        assert self.read_bytes < 1 << 20, "stdin was read as a whole"
        return data

    def read(self, n: int = -1) -> bytes:
        assert n >= 0, "stdin was read as a whole"
        while len(self.buf) < n:
            self.buf += self._line()
        out, self.buf = self.buf[:n], self.buf[n:]
        return self._count(out)

    def readline(self, limit: int = -1) -> bytes:
        if b"\n" not in self.buf:
            self.buf += self._line()
        i = self.buf.index(b"\n") + 1
        out, self.buf = self.buf[:i], self.buf[i:]
        return self._count(out)


def test_jsonl_on_stdin_is_streamed():
    import itertools

    from wirewatch.readers import read_stdin

    first = list(itertools.islice(read_stdin(_EndlessJsonl()), 5000))
    assert len(first) == 5000 and all(a.id.startswith("n") for a in first)
