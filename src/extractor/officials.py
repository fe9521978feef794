"""Officials: a person, their title or role and their organization, all mentions merged.

Rule-based on the matching form, over the organizations already found:

1. *Persons* are an honorific or academic prefix with 1–4 capitalised syllables ("ông Vũ",
   "TS. Cấn Văn Lực"), or, next to a title, a bare name of 2–4 syllables that starts with a
   surname of ``rules/officials.yaml`` ("Phó Thủ tướng Lê Minh Khái").
2. *Roles* link a person to a title and an organization in every common order: person first
   ("ông X - Giám đốc Sở Y", "ông X, Giám đốc Sở Y", "bà X (Giám đốc Sở Y)", "chị X, một nhà đầu
   tư") or title first ("Giám đốc Sở Y X", "Giám đốc Sở Y, ông X", "Chủ tịch UBND huyện A là ông
   X"). A title with its organization and no name ("GĐ Ngân hàng Y cho rằng") is kept as an
   anonymous reference.
3. Mentions are clustered: equal full names, then short references ("ông Vũ") into the nearest
   earlier full name ending with them, then anonymous references into the one person holding that
   title at that organization. Only clusters with a title or role become officials: a name alone
   is not an official.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .context import Context
from .models import Mention, Official, Organization
from .normalise import fold
from .organizations import LOWER, UPPER, norm_span, shared_scan
from .rules import alternation, load_rules

__all__ = ["OfficialExtractor"]

_NW = r"[\w]"  # nothing of a word right before a vocabulary word (``not_after``)
_SYL = re.compile(rf"[{UPPER}][{LOWER}]*(?:-[{UPPER}][{LOWER}]*)?(?![\w])")


@dataclass(slots=True)
class _Person:
    """A written person reference: ``nstart..nend`` with its prefix, ``name`` without it."""

    nstart: int
    nend: int
    name_start: int
    honorific: str | None
    name: str
    cluster: int = -1


@dataclass(slots=True)
class _Role:
    """A title or role linked to a person (or to nobody yet: an anonymous reference)."""

    title: tuple[int, int] | None  # matching-form span of the title as written
    org: int | None  # index into organizations
    person: int | None = None  # index into persons; None for an anonymous reference
    span: tuple[int, int] = (0, 0)  # the whole reference (anonymous ones become mentions)


@dataclass(slots=True)
class _Cluster:
    """All references to one person."""

    name: str
    persons: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    extra: list[tuple[int, int]] = field(default_factory=list)  # bare names, anonymous references


class OfficialExtractor:
    """Finds officials; rules are read and compiled once here."""

    def __init__(self) -> None:
        r = load_rules("officials.yaml")
        self._surnames = set(r["surnames"])
        self._stop = set(r["name_stop"])
        places = load_rules("organizations.yaml")
        # trie alternations for their flag (see extractor.rules.alternation); a whole-text scan
        # puts its look-behind after the first letter so that re jumps between candidate letters
        places_alt = alternation(places["places"] + list(places["place_abbreviations"]), ignorecase=False)
        self._place_re = re.compile(rf"(?:{places_alt})(?![\w])")
        hon = alternation(r["honorifics"], ignorecase=False)
        acad = alternation(r["academic"], ignorecase=False)
        self._prefix_re = re.compile(rf"(?<![\w.])(?:(?P<hon>{hon})|(?P<acad>{acad})) ?(?=[{UPPER}])")
        # matches at exactly the places _prefix_re does (some form, then the same continuation)
        # but opens with a literal, so that re jumps between candidate letters (see _prefixes)
        either = alternation(r["honorifics"] + r["academic"], ignorecase=False, not_after=r"[\w.]")
        self._prefix_find = re.compile(rf"(?:{either}) ?(?=[{UPPER}])")
        self._titles = shared_scan({"titles": r["titles"], "roles": r["roles"]})  # one scan, shared with organizations
        self._title_re = self._titles.parts["titles"]
        self._role_re = self._titles.parts["roles"]
        article = alternation(r["roles_after_article"], ignorecase=True, not_after=_NW)
        self._article_role_re = re.compile(rf"(?:{article})(?![\w])", re.I)
        lead = alternation(r["title_lead"], ignorecase=False)
        self._sep_re = re.compile(rf"(?: ?[-,(] ?| là )(?:(?:{lead}) )?(?P<art>một )?")
        self._after_title_re = re.compile(r"(?:, | - | là | ?\(| )")
        surnames = alternation(r["surnames"], ignorecase=False, not_after=_NW)
        self._surname_re = re.compile(rf"(?:{surnames}) (?=[{UPPER}])")

    # ------------------------------------------------------------------ persons
    def _name_end(self, text: str, q: int, org_starts: set[int], limit: int = 4) -> tuple[int, int]:
        """End of a name of capitalised syllables at ``q`` and its syllable count.

        Stops at words that start a sentence part, a title or an organization, so that "ông Vũ"
        never swallows what follows it."""
        end, count, pos = q, 0, q
        while count < limit:
            m = _SYL.match(text, pos)
            if not m or m.group(0) in self._stop or pos in org_starts or self._title_re.match(text, pos):
                break
            end, count = m.end(), count + 1
            if end < len(text) - 1 and text[end] == " " and text[end + 1].isupper():
                pos = end + 1
            else:
                break
        return end, count

    def _persons(self, text: str, org_starts: set[int]) -> list[_Person]:
        """Honorific and academic references ("ông Bùi Tá Hoàng Vũ", "chị Thanh", "TS. Cấn Văn Lực")."""
        out: list[_Person] = []
        for m in self._prefixes(text):
            if self._place_re.match(text, m.start()):
                continue  # "Bà Rịa - Vũng Tàu", "Anh Quốc"
            if m.group("hon") and m.group("hon")[0].isupper() and not _sentence_initial(text, m.start()):
                continue  # mid-sentence "Anh" is England ("Thủ tướng Anh Theresa May"), not "anh"
            q = m.end()
            end, count = self._name_end(text, q, org_starts)
            if count == 0 or (m.group("acad") and count > 1 and text[q:end].split(" ")[0] not in self._surnames):
                continue
            if self._place_re.match(text, q) and self._place_re.match(text, q).end() >= end:
                continue
            hon = m.group("hon")
            honorific = hon.casefold() if hon else m.group("acad")
            out.append(_Person(m.start(), end, q, honorific, text[q:end]))
        return out

    def _prefixes(self, text: str) -> Iterator[re.Match[str]]:
        """``self._prefix_re.finditer(text)``, faster: that pattern must open with its look-behind
        and named groups, so re tries it at every position. ``_prefix_find`` succeeds at the same
        positions (its look-behind is only moved after the first letter), so searching with it
        and matching ``_prefix_re`` there yields the same matches in the same order."""
        pos = 0
        find, match = self._prefix_find.search, self._prefix_re.match
        while (hit := find(text, pos)) is not None:
            m = match(text, hit.start())
            if m is None:  # pragma: no cover - the two patterns succeed at the same places
                pos = hit.start() + 1
                continue
            yield m
            pos = m.end()

    def _bare_person(self, text: str, q: int, org_starts: set[int]) -> _Person | None:
        """A name without honorific at ``q``: a surname and 1–3 more capitalised syllables."""
        if not self._surname_re.match(text, q):
            return None
        if self._place_re.match(text, q):
            return None  # "Hà Nội", "Hàn Quốc": a place, not a person
        end, count = self._name_end(text, q, org_starts)
        if count < 2 or (count >= 4 and any(m.end() == end for m in self._place_re.finditer(text, q, end))):
            return None  # "Hoàng Anh Gia Lai" is a company named after a province
        return _Person(q, end, q, None, text[q:end])

    def _bare_before_title(self, text: str, persons: list[_Person], org_starts: set[int]) -> list[_Person]:
        """Bare names directly followed by a title ("Nguyễn Văn A, Thứ trưởng Bộ Y, cho biết")."""
        starts = [p.nstart for p in persons]
        out: list[_Person] = []
        for m in self._surname_re.finditer(text):
            k = bisect.bisect_right(starts, m.start()) - 1
            if k >= 0 and persons[k].nend > m.start():
                continue
            bare = self._bare_person(text, m.start(), org_starts)
            if bare is None:
                continue
            sep = self._sep_re.match(text, bare.nend)
            if sep and sep.group(0).strip() in ",-" and self._title_re.match(text, sep.end()):
                out.append(bare)
        return out

    # ------------------------------------------------------------------ roles
    def _org_after(self, text: str, title_start: int, title_end: int, orgs_at: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        """The organization written right after a title ("Giám đốc Sở Y"), or inside its last
        word ("Phó trưởng phòng Tài chính": the body starts at "phòng"). Returns (org index, end)."""
        if title_end + 1 in orgs_at and text[title_end] == " ":
            return orgs_at[title_end + 1]
        last = text.rfind(" ", title_start, title_end) + 1
        if last > title_start and last in orgs_at:
            return orgs_at[last]
        return None

    def _person_first(self, text: str, persons: list[_Person], orgs_at: dict[int, tuple[int, int]],
                      used: set[int], linked: set[int], claimed: set[int]) -> list[_Role]:
        """"ông X - Giám đốc Sở Y", "ông X, Giám đốc Sở Y", "bà X (Sở Y)", "chị X, một nhà đầu tư".

        Runs after the title-first pass: a name that already closes "Bộ trưởng Bộ Y X" is not
        the subject of the next title in a list ("..., Bộ trưởng Bộ Z Y"), and titles taken there
        are skipped. Titles taken here are reported in ``claimed``."""
        roles: list[_Role] = []
        for i, p in enumerate(persons):
            if i in linked:
                continue
            sep = self._sep_re.match(text, p.nend)
            if not sep:
                continue
            q = sep.end()
            t = self._title_re.match(text, q) or self._role_re.match(text, q)
            if not t and sep.group("art"):
                t = self._article_role_re.match(text, q)
            if t and t.start() in used:
                continue
            if t:
                claimed.add(t.start())
                org = self._org_after(text, t.start(), t.end(), orgs_at)
                roles.append(_Role((t.start(), t.end()), org[0] if org else None, i,
                                   (p.nstart, org[1] if org else t.end())))
            elif text[p.nend:q].strip() == "(" and q in orgs_at:
                idx, oend = orgs_at[q]
                if text.startswith(")", oend):
                    roles.append(_Role(None, idx, i, (p.nstart, oend)))
        return roles

    def _title_first(self, ctx: Context, persons: list[_Person], orgs_at: dict[int, tuple[int, int]],
                     org_starts: set[int], used: set[int]) -> list[_Role]:
        """"Giám đốc Sở Y Nguyễn Văn A", "Phó Thủ tướng X", "Giám đốc Sở Y, ông X", anonymous
        "GĐ Ngân hàng Y" (title and organization, no name)."""
        text = ctx.text
        by_start = {p.nstart: i for i, p in enumerate(persons)}
        roles: list[_Role] = []
        matches = [(m, False) for m in self._titles.spans(ctx, "titles")] + [(m, True) for m in self._titles.spans(ctx, "roles")]
        for (t_start, t_end), is_role in sorted(matches, key=lambda x: x[0][0]):
            if t_start in used:
                continue
            org = None if is_role else self._org_after(text, t_start, t_end, orgs_at)
            pos = org[1] if org else t_end
            sep = self._after_title_re.match(text, pos)
            person: int | None = None
            if sep:
                q = sep.end()
                if q in by_start:
                    person = by_start[q]
                elif sep.group(0) in (" ", ", "):
                    bare = self._bare_person(text, q, org_starts)
                    if bare is not None:
                        persons.append(bare)
                        person = len(persons) - 1
                        by_start[q] = person
            if person is None and is_role:
                continue
            if person is not None:
                used.add(t_start)
                roles.append(_Role((t_start, t_end), org[0] if org else None, person,
                                   (t_start, persons[person].nend)))
            elif org is not None:
                roles.append(_Role((t_start, t_end), org[0], None, (t_start, org[1])))
        return roles

    # ------------------------------------------------------------------ clusters
    def _cluster(self, persons: list[_Person]) -> list[_Cluster]:
        """Group references of one person: same full name, then short forms into the nearest
        earlier (else the first later) full name that ends with them."""
        clusters: list[_Cluster] = []
        by_name: dict[str, int] = {}
        first_at: list[int] = []
        order = sorted(range(len(persons)), key=lambda i: persons[i].nstart)
        for i in order:
            p = persons[i]
            k = fold(p.name)
            if len(k.split()) >= 2 and k not in by_name:
                by_name[k] = len(clusters)
                clusters.append(_Cluster(p.name))
                first_at.append(p.nstart)
        tails: dict[str, list[int]] = {}
        for k, c in by_name.items():
            words = k.split()
            for n in range(1, len(words)):
                tails.setdefault(" ".join(words[-n:]), []).append(c)
        for i in order:
            p = persons[i]
            k = fold(p.name)
            cands = tails.get(k, [])
            if cands:
                before = [c for c in cands if first_at[c] < p.nstart]
                p.cluster = max(before, key=lambda c: first_at[c]) if before else min(cands, key=lambda c: first_at[c])
            elif k in by_name:
                p.cluster = by_name[k]
            else:
                by_name[k] = len(clusters)
                clusters.append(_Cluster(p.name))
                first_at.append(p.nstart)
                p.cluster = by_name[k]
        for i in order:
            clusters[persons[i].cluster].persons.append(i)
        return clusters

    def extract(self, ctx: Context, organizations: list[Organization]) -> list[Official]:
        """All officials of the article, in order of first mention."""
        text = ctx.text
        if not text.strip():
            return []
        orgs_at: dict[int, tuple[int, int]] = {}
        for idx, o in enumerate(organizations):
            for m in o.mentions:
                a, b = norm_span(ctx, m.start, m.end)
                orgs_at.setdefault(a, (idx, b))
        org_starts = set(orgs_at)
        persons = self._persons(text, org_starts)
        persons += self._bare_before_title(text, persons, org_starts)
        persons.sort(key=lambda p: p.nstart)
        used: set[int] = set()
        titled = self._title_first(ctx, persons, orgs_at, org_starts, used)
        linked = {r.person for r in titled if r.person is not None}
        claimed: set[int] = set()
        roles = self._person_first(text, persons, orgs_at, used | claimed, linked, claimed)
        roles += [r for r in titled if r.person is not None or r.title is None or r.title[0] not in claimed]
        clusters = self._cluster(persons)
        anonymous: list[_Role] = []
        for ri, r in enumerate(roles):
            if r.person is None:
                anonymous.append(r)
            else:
                clusters[persons[r.person].cluster].roles.append(ri)
        self._resolve_anonymous(ctx, roles, anonymous, clusters)
        self._bare_mentions(text, persons, clusters)
        self._titled_short_refs(ctx, persons, clusters, org_starts)
        out = [self._official(ctx, c, persons, roles, organizations) for c in clusters if c.roles]
        return sorted(out, key=lambda o: (o.mentions[0].start, o.mentions[0].end))

    def _resolve_anonymous(self, ctx: Context, roles: list[_Role], anonymous: list[_Role], clusters: list[_Cluster]) -> None:
        """"GĐ Ngân hàng Y cho rằng" refers to the one person holding that title at that body."""
        text = ctx.text
        holders: dict[tuple[str, int | None], list[_Cluster]] = {}
        for c in clusters:
            for key in {(fold(text[roles[i].title[0]:roles[i].title[1]]), roles[i].org)
                        for i in c.roles if roles[i].title is not None}:
                holders.setdefault(key, []).append(c)
        for r in anonymous:
            assert r.title is not None
            hits = holders.get((fold(text[r.title[0]:r.title[1]]), r.org), [])
            if len(hits) == 1:
                hits[0].extra.append(r.span)
            elif len(hits) > 1:
                ctx.warn("official_reference_ambiguous", f"{text[r.span[0]:r.span[1]]!r} fits {len(hits)} officials",
                         r.span[0], r.span[1])

    def _bare_mentions(self, text: str, persons: list[_Person], clusters: list[_Cluster]) -> None:
        """Later full names written without honorific or title ("Nguyễn Văn A cho biết")."""
        names = {c.name: ci for ci, c in enumerate(clusters) if c.roles and len(c.name.split()) >= 2}
        if not names:
            return
        taken = sorted([(p.nstart, p.nend) for p in persons] + [s for c in clusters for s in c.extra])
        starts = [a for a, _ in taken]
        names_re = rf"(?:{alternation(list(names), ignorecase=False, not_after=_NW)})(?![\w])"
        for m in re.finditer(names_re, text):
            k = bisect.bisect_right(starts, m.start()) - 1
            if k >= 0 and taken[k][1] >= m.end():
                continue
            clusters[names[m.group(0)]].extra.append((m.start(), m.end()))

    def _titled_short_refs(self, ctx: Context, persons: list[_Person], clusters: list[_Cluster], org_starts: set[int]) -> None:
        """"Thứ trưởng Lộc nhấn mạnh": a title and a given name refer to the official of that name
        mentioned nearest before (never creates an official)."""
        tails: dict[str, list[tuple[int, int]]] = {}  # given name → (first mention, cluster)
        for ci, c in enumerate(clusters):
            if c.roles and len(c.name.split()) >= 2:
                first = min(persons[i].nstart for i in c.persons) if c.persons else 0
                tails.setdefault(fold(c.name.split()[-1]), []).append((first, ci))
        if not tails:
            return
        taken = {(p.nstart, p.nend) for p in persons}
        text = ctx.text
        for _, t_end in self._titles.spans(ctx, "titles"):  # the scan _title_first made
            q = t_end + 1
            if not text.startswith(" ", t_end) or q in org_starts:
                continue
            end, count = self._name_end(text, q, org_starts, limit=2)
            if count != 1 or (q, end) in taken:
                continue
            cands = tails.get(fold(text[q:end]))
            if not cands:
                continue
            before = [x for x in cands if x[0] < q]
            ci = max(before)[1] if before else min(cands)[1]
            clusters[ci].extra.append((q, end))

    def _official(self, ctx: Context, c: _Cluster, persons: list[_Person], roles: list[_Role],
                  organizations: list[Organization]) -> Official:
        """The model: longest name, first honorific, the first role with an organization."""
        text = ctx.text
        name = max((persons[i].name for i in c.persons), key=lambda n: (len(n.split()), len(n)), default=c.name)
        by_length = sorted(c.persons, key=lambda i: (-len(persons[i].name.split()), persons[i].nstart))
        honorific = next((persons[i].honorific for i in by_length if persons[i].honorific), None)
        ordered = sorted(c.roles, key=lambda i: roles[i].span[0])
        best = next((roles[i] for i in ordered if roles[i].org is not None and roles[i].title is not None),
                    next((roles[i] for i in ordered if roles[i].title is not None), roles[ordered[0]]))
        title = ctx.span(*best.title)[2] if best.title else None
        org = organizations[best.org].name if best.org is not None else None
        spans = sorted({(persons[i].nstart, persons[i].nend) for i in c.persons} | set(c.extra))
        mentions: list[Mention] = [ctx.mention(a, b) for a, b in spans]
        return Official(name=name, honorific=honorific, title=title, organization=org, mentions=mentions)


def _sentence_initial(text: str, pos: int) -> bool:
    """True when ``pos`` starts a sentence, a paragraph, a quotation or a parenthesis."""
    j = pos
    while j > 0 and text[j - 1] == " ":
        j -= 1
    return j == 0 or text[j - 1] in '.!?:;"(\n-…'
