"""Quotes: direct speech in quotation marks and reported speech after say,
tell, write, add, announce, claim, deny, ... and 'according to X'.

The speaker comes from the reporting verb's subject in the same sentence, else
from the nearest sentence that names one; 'he said' resolves to the last named
person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Token

from ..records import Quote
from .actors import ActorCoder
from .context import ParsedArticle, Sentence

QUOTE_PAIRS = re.compile(r"“([^”\n]{1,2000})”|\"([^\"\n]{1,2000})\"|«([^»\n]{1,2000})»")
SPEAKER_ACTS = {"urge", "call", "ask", "accuse", "demand", "warn", "vow", "pledge", "promise", "appeal", "insist",
                "condemn", "threaten", "reject", "refuse", "deny", "welcome", "praise", "order", "direct", "offer"}


@dataclass
class QuoteSpan:
    start: int       # of the words inside the marks
    end: int
    sentence: Sentence


class QuoteExtractor:
    def __init__(self, pa: ParsedArticle, actors: ActorCoder):
        self.pa = pa
        self.actors = actors
        sp = pa.lex.speech
        self.reporting = set(sp["reporting_verbs"])
        self.clause_only = set(sp.get("clause_only") or [])
        self.channels = sorted(sp["channels"].items(), key=lambda kv: -len(kv[0]))

    # ------------------------------------------------------------------ direct
    def direct_spans(self) -> list[QuoteSpan]:
        pa = self.pa
        out = []
        for m in QUOTE_PAIRS.finditer(pa.text, pa.body_start):
            g = next(i for i in (1, 2, 3) if m.group(i) is not None)
            s, e = m.start(g), m.end(g)
            sent = pa.sentence_at(s)
            if sent is None or not pa.text[s:e].strip():     # '" "': quotation marks around nothing
                continue
            out.append(QuoteSpan(s, e, sent))
        return out

    def channel(self, sent: Sentence) -> Optional[str]:
        low = sent.text.lower()
        for pat, name in self.channels:
            if re.search(r"(?<!\w)" + re.escape(pat) + r"(?!\w)", low):
                return name
        return None

    def reporting_verb(self, sent: Sentence, outside: tuple[int, int] | None = None,
                       allow_call: bool = False) -> Optional[Token]:
        for tok in sent.span:
            if tok.idx < self.pa.body_start:
                continue
            if outside and outside[0] <= tok.idx < outside[1]:
                continue
            if tok.pos_ in ("VERB", "AUX") and (tok.lemma_ in self.reporting or
                                                 (allow_call and tok.lemma_ in ("call", "brand", "describe"))):
                if any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) or tok.dep_ in ("acl", "advcl", "conj"):
                    return tok
        return None

    def subject(self, verb: Token) -> Optional[Token]:
        for c in verb.children:
            if c.dep_ == "nsubj":
                return c
        if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:
            return self.subject(verb.head)
        if verb.dep_ == "acl":     # "the ministry saying ..."
            return verb.head
        return None

    def speaker_for(self, verb: Optional[Token], sent: Sentence) -> Optional[str]:
        if verb is not None:
            subj = self.subject(verb)
            if subj is not None:
                sp = self.actors.speaker_of(subj, before=subj.idx)
                if sp:
                    return sp
        return None

    def extract(self) -> list[Quote]:
        pa = self.pa
        quotes: list[Quote] = []
        last_speaker: Optional[str] = None
        spans = self.direct_spans()
        direct_by_sent: dict[int, list[QuoteSpan]] = {}
        for q in spans:
            direct_by_sent.setdefault(q.sentence.index, []).append(q)

        for sent in pa.sentences:
            sent_quotes: list[Quote] = []
            dq = direct_by_sent.get(sent.index, [])
            # ---------------- reported speech
            for verb, text_start, text_end, subj_tok, via in self.reported(sent):
                if any(self._overlap(text_start, text_end, q.start, q.end) > 0.6 for q in dq):
                    continue
                speaker = self.actors.speaker_of(subj_tok, before=subj_tok.idx) if subj_tok is not None else None
                if not speaker:
                    continue
                sent_quotes.append(Quote(speaker=speaker, text=pa.text[text_start:text_end], direct=False,
                                         channel=self.channel(sent), evidence=[pa.ev(text_start, text_end)],
                                         triggers=[via]))
                last_speaker = speaker
            # ---------------- direct speech
            for q in dq:
                verb = self.reporting_verb(sent, outside=(q.start, q.end), allow_call=True)
                speaker = self.speaker_for(verb, sent)
                trig = verb.text if verb is not None else "quotation marks"
                if speaker is None:
                    # whole-sentence quote: the speaker of the nearest sentence that names one
                    nxt = pa.sentences[sent.index + 1] if sent.index + 1 < len(pa.sentences) else None
                    if nxt is not None and re.match(r"\s*[“\"]?\s*(he|she|they|it)\s+(said|added|wrote|told)", nxt.text, re.I) is None \
                            and verb is None and nxt.paragraph == sent.paragraph:
                        v2 = self.reporting_verb(nxt)
                        if v2 is not None and pa.text[nxt.start:v2.idx].strip().startswith(("“", '"')):
                            speaker = self.speaker_for(v2, nxt)
                    if speaker is None and verb is None:
                        speaker = last_speaker if (q.end - q.start) > 40 else None
                if speaker is None:
                    continue
                words = len(pa.text[q.start:q.end].split())
                if verb is None and words < 4:
                    continue
                sent_quotes.append(Quote(speaker=speaker, text=pa.text[q.start:q.end], direct=True,
                                         channel=self.channel(sent), evidence=[pa.ev(q.start, q.end)],
                                         triggers=[trig]))
                last_speaker = speaker
            quotes.extend(sent_quotes)
        return quotes

    @staticmethod
    def _overlap(a0, a1, b0, b1) -> float:
        inter = max(0, min(a1, b1) - max(a0, b0))
        return inter / max(1, a1 - a0)

    def reported(self, sent: Sentence):
        """(verb, start, end, subject token, trigger) for each reported-speech clause."""
        pa = self.pa
        out = []
        for tok in sent.span:
            if tok.idx < pa.body_start:
                continue
            # according to X, <clause>
            if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
                to = tok.doc[tok.i + 1]
                pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
                if pobj is None:
                    continue
                # the clause is the sentence without the 'according to' phrase
                a_start = tok.idx
                a_end = to.right_edge.idx + len(to.right_edge.text)
                s0, s1 = sent.start, sent.end
                left = pa.text[s0:a_start].rstrip(" ,;")
                right = pa.text[a_end:s1].strip(" ,.;\n")
                if len(left.split()) >= 4:
                    start, end = s0, s0 + len(left)
                elif len(right.split()) >= 4:
                    start = pa.text.index(right, a_end)
                    end = start + len(right)
                else:
                    continue
                start, end = self._trim(start, end)
                out.append((tok, start, end, pobj, "according to"))
                continue
            if tok.pos_ not in ("VERB",) or tok.lemma_ not in self.reporting:
                continue
            # "put the death toll at 11", "estimated the crowd at 300,000": the figure is what they said
            obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            # "accused Kigali of seeking to plunder ...": the accusation is what they said
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            if tok.lemma_ == "accuse" and obj is not None and of is not None:
                subj = self.subject(tok)
                if subj is not None:
                    start, end = self._trim(obj.left_edge.idx, of.right_edge.idx + len(of.right_edge.text))
                    out.append((tok, start, end, subj, tok.text))
                continue
            if tok.lemma_ in ("put", "estimate", "give", "raise", "revise") and obj is not None and \
                    obj.lemma_ in ("toll", "number", "figure", "crowd", "count", "estimate", "total"):
                subj = self.subject(tok)
                if subj is not None:
                    end_tok = tok.right_edge
                    start, end = self._trim(tok.idx, end_tok.idx + len(end_tok.text))
                    out.append((tok, start, end, subj, tok.text))
                continue
            comps = [c for c in tok.children if c.dep_ in ("ccomp",) or
                     (c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and any(g.dep_ == "mark" for g in c.children))]
            if not comps:
                # "said in a statement that ...": the clause hangs on the channel noun
                for prep in (c for c in tok.children if c.dep_ == "prep"):
                    for noun in (g for g in prep.children if g.dep_ == "pobj"):
                        comps.extend(x for x in noun.children if x.dep_ in ("acl", "ccomp", "relcl")
                                     and any(m.dep_ == "mark" and m.lower_ == "that" for m in x.children))
            if not comps:
                # "..., X said." with the clause parsed as the root's other branch
                if tok.dep_ in ("parataxis",) and tok.head.i < tok.i:
                    comps = [tok.head]
                else:
                    continue
            subj = self.subject(tok)
            if subj is None:
                continue
            start = min(c.left_edge.idx for c in comps)
            last = max(comps, key=lambda c: c.right_edge.i)
            end_tok = last.right_edge
            # "... was watching and urged them to ...": the speaker's next act is not part of the speech
            for t in last.subtree:
                if t.dep_ == "conj" and t.tag_ == "VBD" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children) \
                        and (t.lemma_ in self.reporting or t.lemma_ in SPEAKER_ACTS) and t.i > last.i:
                    cut = t.i - 1
                    while cut > last.i and (tok.doc[cut].dep_ == "cc" or tok.doc[cut].is_punct):
                        cut -= 1
                    end_tok = tok.doc[cut]
                    break
            # a clause before the verb ("X happened, he said") ends before the subject
            if end_tok.i > subj.left_edge.i and start < subj.idx:
                end_tok = tok.doc[subj.left_edge.i - 1]
            end = end_tok.idx + len(end_tok.text)
            # strip "that" and leading punctuation
            first = tok.doc.char_span(start, end, alignment_mode="expand")
            if first is None:
                continue
            while len(first) and (first[0].lower_ in ("that", ",", ":", "“", '"') or first[0].dep_ == "mark" and first[0].lower_ == "that"):
                first = first[1:]
            if len(first) < 3:
                continue
            start, end = self._trim(first.start_char, first.end_char)
            out.append((tok, start, end, subj, tok.text))
        return out

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        t = self.pa.text
        start = max(start, self.pa.body_start)
        while end > start and t[end - 1] in " ,;:\n“\"”":
            end -= 1
        while start < end and t[start] in " ,;:\n“\"”":
            start += 1
        return start, end
