"""Full-text search over title, abstract, author keywords and MeSH, PubMed style.

Query syntax: PubMed's (``docs/search.md``; parsed by :mod:`db.search_syntax`)::

    ketamine depression              both words (implicit AND)
    "treatment resistant depression" the words next to each other, in order
    migraine OR headache             either word
    esketamine NOT intranasal        the first without the second
    (migraine OR headache) AND nasal parentheses group
    anesthe*                         any word starting with "anesthe"
    migraine[ti] nausea[ab]          field tags: title, abstract, [tiab], [mh]

Evaluation: the query is parsed into a tree (:func:`db.search_syntax.parse`). Each
leaf (word, phrase or prefix) becomes the set of articles whose text document
matches it (``fts_article``; a title or abstract tag narrows it to that
column) or that carry a MeSH descriptor matching it
(``fts_mesh`` / ``fts_mesh_term`` through ``article_mesh``, see
:mod:`db.search_schema`); ``AND``/``OR``/``NOT`` combine those sets in SQL.
Every piece of user text reaches the database as a bound parameter: on SQLite
each leaf is one FTS5 string (every term double-quoted, so no FTS5 syntax is
possible), on PostgreSQL ``phraseto_tsquery`` / ``to_tsquery`` of a validated
prefix. Ranking is bm25 (SQLite; title weighted 10, keywords 5, abstract 1) or
``ts_rank`` (PostgreSQL, weights A/B/C) of the document against all the
query's positive leaves; articles found only through MeSH rank last.
Snippets and highlighted titles are computed for the returned page only;
matching words sit between :data:`MARK_START` and :data:`MARK_END`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, bindparam, column, func, inspect, literal_column, not_, or_, select, table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .errors import DbError
from .models import Article, ArticleMesh
from .search_schema import PG_CONFIG
from .search_syntax import MAX_QUERY_CHARS, MAX_TERMS, Node, Op, SearchSyntaxError, Term, has_word, leaves, parse

__all__ = ["MARK_END", "MARK_START", "MAX_LIMIT", "MAX_QUERY_CHARS", "MAX_TERMS", "SearchHit", "SearchIndexMissingError",
           "SearchPage", "SearchSyntaxError", "matching", "parse", "ranking", "search"]

#: most results one page may hold
MAX_LIMIT = 200
#: marks around a matching word in :attr:`SearchHit.title` and :attr:`SearchHit.snippet`
#: (Unicode private-use characters: they do not occur in PubMed text; escape the text, then
#: replace them with markup)
MARK_START, MARK_END = "\ue000", "\ue001"
#: what stands for left-out text in a snippet
ELLIPSIS = "…"
#: words of a snippet (SQLite counts tokens; PostgreSQL takes MaxWords per fragment)
SNIPPET_WORDS = 32

#: bm25 weight of each FTS5 column: title, abstract, keywords
_BM25_WEIGHTS = (10.0, 1.0, 5.0)
_PG_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=20, MinWords=8, "
    f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)
_PG_TITLE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"


class SearchIndexMissingError(DbError):
    """The database has no search index: its schema predates migration 0005."""


def _prune(node: Node, empty: set[Term]) -> Node | None:
    """The tree without the terms the backend drops (stop words), as the backend's own query parser would."""
    if isinstance(node, Term):
        return None if node in empty else node
    left, right = _prune(node.left, empty), _prune(node.right, empty)
    if left is None:
        return None if node.op == "NOT" else right
    if right is None:
        return left
    return Op(node.op, left, right)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SearchHit:
    """One article found.

    Attributes
    ----------
    pmid : int
        The article.
    rank : float
        Relevance, higher is better; 0 for an article found through its MeSH only.
    title : str
        The title, matching words between :data:`MARK_START` and :data:`MARK_END`.
    snippet : str
        The best passage of the abstract, marked the same way (its first words when
        no word of the abstract matches).
    mesh : list of str
        The article's MeSH descriptors that match, each marked whole.
    journal : str or None
        The journal's abbreviation (its full title when PubMed gives none).
    year : int or None
        Publication year.
    retracted : bool
        Whether the article has been retracted.
    """

    pmid: int
    rank: float
    title: str
    snippet: str
    mesh: list[str] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    retracted: bool = False


@dataclass(frozen=True)
class SearchPage:
    """One page of results: how many articles match in all, and this page's hits, best first."""

    total: int
    hits: list[SearchHit] = field(default_factory=list)


# --------------------------------------------------------------------------- SQL


def _fts5_string(term: Term, *, columns: bool = True) -> str:
    """A term as an FTS5 string: double-quoted (inner quotes doubled), ``*`` outside for a prefix,
    in parentheses after a column filter for a title or abstract field (``columns``)."""
    quoted = '"' + term.text.replace('"', '""') + '"' + (" *" if term.kind == "prefix" else "")
    if columns and term.field in ("title", "abstract"):
        return f"({{{term.field}}} : {quoted})"
    return quoted


class _Sqlite:
    fts = table("fts_article", column("rowid"))
    mesh = table("fts_mesh", column("rowid"))
    mesh_term = table("fts_mesh_term", column("id"), column("descriptor"))

    def __init__(self) -> None:
        self.n = 0

    def _param(self, value: str):
        self.n += 1
        return bindparam(f"t{self.n}", value, unique=True)

    def leaf(self, term: Term) -> ColumnElement:
        parts = []
        if term.field != "mesh":
            match = literal_column("fts_article").op("MATCH")(self._param(_fts5_string(term)))
            parts.append(Article.pmid.in_(select(self.fts.c.rowid).where(match)))
        if term.field in ("all", "mesh"):
            parts.append(Article.pmid.in_(self._mesh_pmids(self._param(_fts5_string(term, columns=False)))))
        return or_(*parts) if len(parts) > 1 else parts[0]

    def _descriptors(self, value) -> Select:
        return select(self.mesh_term.c.descriptor).where(self.mesh_term.c.id.in_(
            select(self.mesh.c.rowid).where(literal_column("fts_mesh").op("MATCH")(value))))

    def _mesh_pmids(self, value) -> Select:
        return select(ArticleMesh.pmid).where(ArticleMesh.descriptor.in_(self._descriptors(value)))

    def ranked(self, terms: list[Term]):
        rank = (-func.bm25(literal_column("fts_article"), *_BM25_WEIGHTS)).label("rank")
        expr = bindparam("positive", " OR ".join(_fts5_string(t) for t in terms))
        return select(self.fts.c.rowid.label("pmid"), rank).where(literal_column("fts_article").op("MATCH")(expr)).subquery()

    def decorate(self, conn: Connection, terms: list[Term], pmids: list[int]) -> dict[int, tuple[str, str]]:
        fts = literal_column("fts_article")
        stmt = select(
            self.fts.c.rowid,
            func.highlight(fts, 0, MARK_START, MARK_END),
            func.snippet(fts, 1, MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS),
        ).where(fts.op("MATCH")(bindparam("positive", " OR ".join(_fts5_string(t) for t in terms))),
                self.fts.c.rowid.in_(pmids))
        return {pmid: (title, snippet) for pmid, title, snippet in conn.execute(stmt)}

    def mesh_matches(self, conn: Connection, terms: list[Term], pmids: list[int]) -> dict[int, list[str]]:
        expr = bindparam("positive", " OR ".join(_fts5_string(t, columns=False) for t in terms))
        return _mesh_rows(conn, self._descriptors(expr), pmids)

    def stop_words(self, conn: Connection, terms: list[Term]) -> set[Term]:
        return set()  # FTS5 indexes every word


def _regconfig():
    return literal_column(f"'{PG_CONFIG}'::regconfig")


class _Postgres:
    fts = table("fts_article", column("pmid"), column("document"))
    mesh_term = table("fts_mesh_term", column("descriptor"), column("document"))

    def __init__(self) -> None:
        self.n = 0

    def tsquery(self, term: Term) -> ColumnElement:
        self.n += 1
        if term.kind == "prefix":  # the stem is letters and digits only (checked by the parser)
            return func.to_tsquery(_regconfig(), bindparam(f"t{self.n}", term.text + ":*", unique=True))
        return func.phraseto_tsquery(_regconfig(), bindparam(f"t{self.n}", term.text, unique=True))

    def leaf(self, term: Term) -> ColumnElement:
        q = self.tsquery(term)
        parts = []
        if term.field != "mesh":
            in_text = Article.pmid.in_(select(self.fts.c.pmid).where(self.fts.c.document.op("@@")(q)))
            if term.field in ("title", "abstract"):  # the index narrows, the one column decides
                column_ = Article.title if term.field == "title" else Article.abstract
                in_text = and_(in_text, func.to_tsvector(_regconfig(), column_).op("@@")(q))
            parts.append(in_text)
        if term.field in ("all", "mesh"):
            in_mesh = (select(ArticleMesh.pmid)
                       .join(self.mesh_term, self.mesh_term.c.descriptor == ArticleMesh.descriptor)
                       .where(self.mesh_term.c.document.op("@@")(q)))
            parts.append(Article.pmid.in_(in_mesh))
        return or_(*parts) if len(parts) > 1 else parts[0]

    def positive_query(self, terms: list[Term]) -> ColumnElement:
        q = self.tsquery(terms[0])
        for term in terms[1:]:
            q = q.op("||")(self.tsquery(term))
        return q

    def ranked(self, terms: list[Term]):
        q = self.positive_query(terms)
        rank = func.ts_rank(self.fts.c.document, q).label("rank")
        return select(self.fts.c.pmid.label("pmid"), rank).where(self.fts.c.document.op("@@")(q)).subquery()

    def decorate(self, conn: Connection, terms: list[Term], pmids: list[int]) -> dict[int, tuple[str, str]]:
        q = self.positive_query(terms)
        stmt = select(
            Article.pmid,
            func.ts_headline(_regconfig(), Article.title, q, bindparam("title_opts", _PG_TITLE_HEADLINE)),
            func.ts_headline(_regconfig(), Article.abstract, q, bindparam("opts", _PG_HEADLINE)),
        ).where(Article.pmid.in_(pmids))
        return {pmid: (title, snippet) for pmid, title, snippet in conn.execute(stmt)}

    def mesh_matches(self, conn: Connection, terms: list[Term], pmids: list[int]) -> dict[int, list[str]]:
        descriptors = select(self.mesh_term.c.descriptor).where(
            self.mesh_term.c.document.op("@@")(self.positive_query(terms)))
        return _mesh_rows(conn, descriptors, pmids)

    def stop_words(self, conn: Connection, terms: list[Term]) -> set[Term]:
        """The terms that are only stop words (an empty tsquery), which PostgreSQL drops."""
        if not terms:
            return set()
        counts = conn.execute(select(*(func.numnode(self.tsquery(t)) for t in terms))).one()
        return {t for t, n in zip(terms, counts) if n == 0}


def _mesh_rows(conn: Connection, descriptors: Select, pmids: list[int]) -> dict[int, list[str]]:
    """The descriptors among ``descriptors`` of each of ``pmids``, marked whole, in name order."""
    stmt = (select(ArticleMesh.pmid, ArticleMesh.descriptor)
            .where(ArticleMesh.pmid.in_(pmids), ArticleMesh.descriptor.in_(descriptors))
            .order_by(ArticleMesh.pmid, ArticleMesh.descriptor))
    out: dict[int, list[str]] = {}
    for pmid, descriptor in conn.execute(stmt):
        out.setdefault(pmid, []).append(MARK_START + descriptor + MARK_END)
    return out


def _lead(text: str) -> str:
    """The first :data:`SNIPPET_WORDS` words of ``text`` (the snippet of an article matched through MeSH only)."""
    words = (text or "").split()
    return " ".join(words[:SNIPPET_WORDS]) + (f" {ELLIPSIS}" if len(words) > SNIPPET_WORDS else "")


def _predicate(node: Node, backend) -> ColumnElement:
    if isinstance(node, Term):
        return backend.leaf(node)
    left, right = _predicate(node.left, backend), _predicate(node.right, backend)
    if node.op == "AND":
        return and_(left, right)
    if node.op == "OR":
        return or_(left, right)
    return and_(left, not_(right))


def _connection(session_or_engine: Session | Engine | Connection):
    if isinstance(session_or_engine, Session):
        return session_or_engine.connection()
    return session_or_engine


def search(session_or_engine: Session | Engine | Connection, query: str, *, limit: int = 20,
           offset: int = 0) -> SearchPage:
    """Search the articles that are not deleted; best matches first.

    Parameters
    ----------
    session_or_engine : Session, Engine or Connection
        Where to read (the dashboard's read-only engine is fine).
    query : str
        PubMed-style query (see the module docstring).
    limit : int
        Hits per page (1 to :data:`MAX_LIMIT`).
    offset : int
        Hits to skip (0 or more).

    Returns
    -------
    SearchPage
        The number of matching articles and the requested page of hits.

    Raises
    ------
    SearchSyntaxError
        If ``query`` is not a valid query (see :func:`parse`).
    SearchIndexMissingError
        If the database's schema predates the search index (migration 0005).
    ValueError
        If ``limit`` or ``offset`` is out of range.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more, not {offset}")
    tree: Node | None = parse(query)
    target = _connection(session_or_engine)
    if isinstance(target, Engine):
        with target.connect() as conn:
            return _run(conn, tree, query, limit, offset)
    return _run(target, tree, query, limit, offset)


def _compile(conn: Connection, tree: Node, query: str):
    """The backend of ``conn`` and the query tree without the terms it cannot look for.

    Raises :class:`SearchIndexMissingError` without the index and
    :class:`SearchSyntaxError` when no term is left (punctuation or stop words only).
    """
    if not inspect(conn).has_table("fts_article"):
        raise SearchIndexMissingError("the database has no search index yet: upgrade its schema (migration 0005)")
    backend = _Postgres() if conn.dialect.name == "postgresql" else _Sqlite()
    terms = leaves(tree, positive=False)
    blank = {t for t in terms if not has_word(t)}  # punctuation only: no word to look for
    empty = blank | backend.stop_words(conn, [t for t in terms if t not in blank])
    pruned = _prune(tree, empty) if empty else tree
    if pruned is None and empty == blank:
        raise SearchSyntaxError("no word to search for, only punctuation: type a word, a \"phrase\" or a prefix*", 0, query)
    if pruned is None:
        raise SearchSyntaxError("only very common words (such as 'the', 'of'): add a more specific word", 0, query)
    return backend, pruned


def _compiled(session_or_engine: Session | Engine | Connection, query: str):
    """:func:`parse` ``query`` and :func:`_compile` it on the database of ``session_or_engine``."""
    tree: Node | None = parse(query)
    target = _connection(session_or_engine)
    if isinstance(target, Engine):
        with target.connect() as conn:
            return _compile(conn, tree, query)
    return _compile(target, tree, query)


def matching(session_or_engine: Session | Engine | Connection, query: str) -> ColumnElement:
    """A condition on :class:`~db.models.Article` true for the articles ``query`` finds, to combine with other filters.

    The same query language and the same matching as :func:`search` (phrases,
    AND/OR/NOT, prefixes, field tags, MeSH); deleted citations are not excluded
    here (the caller's filter does that). The database is read once, to check
    the index and, on PostgreSQL, which terms are stop words; the condition
    itself is plain SQL with every piece of user text as a bound parameter.

    Parameters
    ----------
    session_or_engine : Session, Engine or Connection
        The database the condition will run against (its dialect decides the SQL).
    query : str
        PubMed-style query (see the module docstring).

    Returns
    -------
    ColumnElement
        A boolean SQL expression over ``Article.pmid``, for ``select(...).where(...)``.

    Raises
    ------
    SearchSyntaxError
        If ``query`` is not a valid query, or has no word to look for.
    SearchIndexMissingError
        If the database's schema predates the search index (migration 0005).
    """
    backend, pruned = _compiled(session_or_engine, query)
    return _predicate(pruned, backend)


def ranking(session_or_engine: Session | Engine | Connection, query: str):
    """The relevance :func:`search` ranks by, as a subquery to join on ``Article.pmid`` (PubMed's "Best match").

    Parameters
    ----------
    session_or_engine : Session, Engine or Connection
        The database the statement will run against.
    query : str
        PubMed-style query (see the module docstring).

    Returns
    -------
    Subquery or None
        Columns ``pmid`` and ``rank`` (higher is better) of the articles whose text matches
        the query's positive terms; an article found only through MeSH has no row (rank it 0).
        None when no term searches the text (a MeSH-only query): nothing scores.

    Raises
    ------
    SearchSyntaxError
        If ``query`` is not a valid query, or has no word to look for.
    SearchIndexMissingError
        If the database's schema predates the search index (migration 0005).
    """
    backend, pruned = _compiled(session_or_engine, query)
    in_text = [t for t in leaves(pruned) if t.field != "mesh"]
    return backend.ranked(in_text) if in_text else None


def _run(conn: Connection, tree: Node, query: str, limit: int, offset: int) -> SearchPage:
    backend, pruned = _compile(conn, tree, query)
    where = and_(Article.is_deleted.is_(False), _predicate(pruned, backend))
    positive = leaves(pruned)
    in_text = [t for t in positive if t.field != "mesh"]  # what scores, and is marked in title and abstract
    in_mesh = [t for t in positive if t.field in ("all", "mesh")]  # what is marked among the MeSH
    source, rank, order = Article.__table__, literal_column("0.0"), [Article.pmid.desc()]
    if in_text:  # else nothing scores: newest PMIDs first
        ranked = backend.ranked(in_text)
        source = source.outerjoin(ranked, ranked.c.pmid == Article.pmid)
        rank = func.coalesce(ranked.c.rank, 0.0)
        order.insert(0, rank.desc())
    # pmid and score only (the is_deleted index covers them): title and abstract are read for the page
    page: Select = (select(Article.pmid, rank.label("rank"), func.count().over().label("total"))
                    .select_from(source).where(where).order_by(*order).limit(limit).offset(offset))
    rows = conn.execute(page).all()
    if not rows:
        total = conn.execute(select(func.count()).select_from(Article).where(where)).scalar_one() if offset else 0
        return SearchPage(total=total)
    pmids = [r.pmid for r in rows]
    details = select(Article.pmid, Article.title, Article.abstract, func.coalesce(Article.journal_iso, Article.journal),
                     Article.pub_year, Article.is_retracted).where(Article.pmid.in_(pmids))
    texts = {row[0]: row[1:] for row in conn.execute(details)}
    shown = backend.decorate(conn, in_text, pmids) if in_text else {}
    mesh = backend.mesh_matches(conn, in_mesh, pmids) if in_mesh else {}
    hits = []
    for pmid, score, _ in rows:
        title, abstract, journal, year, retracted = texts[pmid]
        marked_title, snippet = shown.get(pmid, (title, ""))
        hits.append(SearchHit(pmid=pmid, rank=float(score), title=marked_title or "",
                              snippet=snippet if snippet and MARK_START in snippet else _lead(abstract),
                              mesh=mesh.get(pmid, []), journal=journal, year=year, retracted=bool(retracted)))
    return SearchPage(total=rows[0].total, hits=hits)
