/*
 * _pubmed_fast: PubMed XML straight to prepared rows, in C, with its own XML
 * scanner (see "the scanner" below; no XML library needed).
 *
 * It computes, for every <PubmedArticle> of a <PubmedArticleSet> and every
 * PMID of a <DeleteCitation>, exactly what
 *     harvester.pubmed_xml.iter_records  ->  db.rows._prepare
 * computes (content hash, article values, MeSH rows, publication-type rows),
 * without building a tree and without a Python-level call per field. The
 * Python module harvester/fast_xml.py drives it and is the contract's
 * guardian: anything this parser does not handle exactly (another record type,
 * a parse error, an undefined entity, a PMID that is not digits, a limit of
 * libxml2's) raises Fallback, and the caller parses
 * the input again with the lxml parser, skipping the records already given.
 *
 * Semantics are those of harvester/pubmed_xml.py, which documents them; where
 * a Python string method decides (strip, isdigit, int, split), it is called
 * through the C API so the result is the same for any Unicode text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* libxml2 limits that lxml keeps (huge_tree=False): past them lxml refuses the
 * document, so this parser hands it over. */
#define MAX_DEPTH 200               /* libxml2: 256 */
#define MAX_TEXT_RUN 10000000       /* libxml2: XML_MAX_TEXT_LENGTH */
/* The scanner's own bounds; past them it hands the document over. */
#define MAX_ATTS 64                 /* attributes of one element; more go to lxml */
#define MAX_MARKUP (1 << 20)        /* a tag, comment, PI, CDATA section or DOCTYPE longer than this goes to lxml */
#define MAX_NS 32                   /* namespace declarations in scope */

/* ------------------------------------------------------------------ configuration
 * Set once by configure() from harvester/fast_xml.py, from the same rules the
 * lxml parser uses (harvester/resources/pubmed_rules.json). */
static PyObject *cfg_entrez_statuses;   /* tuple of str */
static PyObject *cfg_retracted_refs;    /* frozenset */
static PyObject *cfg_retracted_pubtypes;/* frozenset */
static PyObject *cfg_ignored_refs;      /* frozenset */
static PyObject *cfg_nct_findall;       /* NCT_RE.findall */
static PyObject *cfg_months;            /* {"jan": 1, ...} */
static PyObject *cfg_month_abbr;        /* {1: "Jan", ...} */
static PyObject *cfg_year_search;       /* re.compile(r"\b(1[89]\d\d|2\d\d\d)\b").search */
static PyObject *cfg_sha256;            /* hashlib.sha256 */
static PyObject *Fallback;              /* exception class */
static PyObject *s_empty, *s_space, *s_newline, *s_colon_space, *s_semi_space;
static PyObject *s_strip, *s_isdigit, *s_lower, *s_upper, *s_hexdigest;

/* ------------------------------------------------------------------ byte buffers */
typedef struct {
    char *p;
    Py_ssize_t n, cap;
} Buf;

static int buf_grow(Buf *b, Py_ssize_t need) {
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + need) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}
static inline int buf_add(Buf *b, const char *s, Py_ssize_t n) {
    if (b->n + n > b->cap && buf_grow(b, n) < 0) return -1;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}
static inline int buf_lit(Buf *b, const char *s) { return buf_add(b, s, (Py_ssize_t)strlen(s)); }
static inline int buf_ch(Buf *b, char c) { return buf_add(b, &c, 1); }
static void buf_free(Buf *b) { PyMem_Free(b->p); b->p = NULL; b->n = b->cap = 0; }

/* ------------------------------------------------------------------ roles
 * What an open element is for the extraction; the role of a child follows from
 * its parent's role, its tag and what was already seen ("first wins"). */
enum {
    R_SKIP = 0, R_ROOT, R_PA, R_DEL, R_DEL_PMID, R_MC, R_PD,
    R_PMID, R_ART, R_MESHLIST, R_KWLIST, R_CCLIST, R_DATEREV,
    R_PTLIST, R_PT, R_ELOC, R_DBL, R_DB, R_ANL, R_ACC,
    R_TITLE, R_VTITLE, R_ABS, R_ABSTEXT, R_JOURNAL, R_JI, R_PUBDATE, R_JTITLE, R_JISO,
    R_ADATE, R_LANG, R_AUTHORLIST, R_AUTHOR, R_A_LAST, R_A_FORE, R_A_INIT, R_A_COLL, R_AFFINFO, R_AFF,
    R_MH, R_QUAL, R_DESC, R_KW, R_CC, R_CC_REF, R_CC_PMID,
    R_AIDL, R_AID, R_HIST, R_PPD, R_YMD_PART,
};

/* A <Year><Month><Day> container: the first child of each tag, its .text. */
enum { Y_YEAR, Y_MONTH, Y_DAY, Y_SEASON, Y_MEDLINE, Y_N };
typedef struct {
    PyObject *part[Y_N];  /* str, or NULL when no such child */
} Ymd;

typedef struct {
    int role;
    Py_ssize_t name_at;     /* the element's name in ParserObject.names */
} Frame;

typedef struct {
    /* PubmedArticle */
    int seen_mc, seen_pd;
    /* MedlineCitation */
    int seen_pmid, seen_art, seen_meshlist, seen_daterev;
    PyObject *pmid_text, *version_attr;
    /* Article */
    int seen_title, seen_vtitle, seen_abs, seen_journal, seen_adate, seen_lang, seen_authorlist;
    PyObject *title, *vtitle, *lang_text;
    int has_databanks;
    PyObject *sections;      /* [(label, category, text)] */
    PyObject *authors;       /* [(last, fore, initials, collective, affiliation)] */
    PyObject *pubtypes;      /* [(name, ui)] */
    PyObject *acc_texts;     /* [str] AccessionNumber .text */
    PyObject *mesh;          /* [(descriptor, ui, major, [(name, ui, major)])] */
    PyObject *keywords;      /* [str] */
    PyObject *comments;      /* [(type, ref, pmid)] */
    int eloc_done;
    PyObject *eloc_doi;
    int seen_jtitle, seen_jiso, pubdate_chosen;
    PyObject *jtitle, *jiso;
    Ymd pubdate, adate, daterev, ppd;
    /* author in progress */
    PyObject *a_last, *a_fore, *a_init, *a_coll, *a_affs;
    /* MeSH heading in progress */
    PyObject *q_list, *d_text, *d_ui;
    int d_seen, d_major, q_any_major;
    /* CommentsCorrections in progress */
    PyObject *cc_type, *cc_ref, *cc_pmid;
    int cc_seen_ref, cc_seen_pmid;
    /* PubmedData */
    int seen_aidl, seen_hist;
    PyObject *doi, *pmc;
    int hist_seen[4];
    PyObject *hist_date[4];
    int ppd_index;           /* which entrez status the open PubMedPubDate has */
    int aid_is_pmc;          /* the open ArticleId is a PMCID (else a DOI) */
    /* pending attributes of the element being captured */
    PyObject *attr1, *attr2;
} Art;

typedef struct {
    PyObject_HEAD
    /* the scanner's input: in.p[pos..in.n) not scanned yet, in.p[..valid) checked as characters */
    Buf in;
    Py_ssize_t pos, valid;
    Py_ssize_t consumed;    /* bytes dropped from the front of `in` so far */
    Py_ssize_t doc_start;   /* offset of the document after a byte order mark */
    int started;            /* the byte order mark was looked for */
    int root_state;         /* 0 before the root element, 1 inside it, 2 after it */
    int seen_doctype;
    Buf names;              /* names of the open elements, NUL-terminated (Frame.name_at) */
    Buf attbuf;             /* attribute names and values of the tag being read */
    const char *atts[2 * MAX_ATTS + 1];
    Buf nsbuf;              /* namespace prefixes in scope, NUL-terminated */
    Py_ssize_t ns_at[MAX_NS];
    int ns_depth[MAX_NS];
    int ns_n;
    int failed;             /* Fallback or a Python error was recorded */
    const char *why;        /* reason for Fallback */
    PyObject *out;          /* items completed since the last feed */
    int depth;
    Frame stack[MAX_DEPTH + 2];
    /* text capture */
    Buf cap;
    int capturing;          /* 1 while inside the captured element */
    int cap_depth;
    int cap_head;           /* only the text before the first child (.text) */
    int cap_closed;
    Py_ssize_t text_run;
    int ymd_part;           /* which part the open R_YMD_PART element fills */
    Art a;
} ParserObject;

/* ------------------------------------------------------------------ failure */
static void fail(ParserObject *self, const char *why) {
    if (!self->failed) {
        self->failed = 1;
        self->why = why;
    }
}
/* A Python error inside a callback (a ValueError from int() on odd digits,
 * MemoryError): cleared, and the input goes to the lxml parser, which raises
 * or handles it the documented way. */
static void fail_py(ParserObject *self) {
    PyErr_Clear();
    fail(self, "an exception while extracting fields");
}

/* ------------------------------------------------------------------ text helpers */
static inline int is_ascii(const char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if ((unsigned char)p[i] & 0x80) return 0;
    return 1;
}
static inline int is_ascii_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c' ||
           (c >= '\x1c' && c <= '\x1f');
}

/* The whitespace test of pubmed_xml._text/_squash, on UTF-8 bytes. */
static int needs_squash(const char *p, Py_ssize_t n) {
    if (n == 0) return 0;
    if (p[0] == ' ' || p[n - 1] == ' ') return 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n' || c == '\t' || c == '\r') return 1;
        if (c == ' ' && i + 1 < n && p[i + 1] == ' ') return 1;
        if ((unsigned char)c == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] == 0xa0) return 1;
    }
    return 0;
}

/* str of the UTF-8 bytes, as-is (".text"). */
static PyObject *raw_str(const char *p, Py_ssize_t n) {
    if (n == 0) {
        Py_INCREF(s_empty);
        return s_empty;
    }
    return PyUnicode_DecodeUTF8(p, n, NULL);
}

/* pubmed_xml._text: all text, whitespace runs collapsed when the test says so. */
static PyObject *squashed_str(const char *p, Py_ssize_t n) {
    if (!needs_squash(p, n)) return raw_str(p, n);
    if (is_ascii(p, n)) {
        /* " ".join(t.split()) for ASCII text */
        char *tmp = PyMem_Malloc(n);
        if (!tmp) return PyErr_NoMemory();
        Py_ssize_t o = 0, i = 0;
        while (i < n) {
            while (i < n && is_ascii_ws(p[i])) i++;
            if (i >= n) break;
            if (o) tmp[o++] = ' ';
            while (i < n && !is_ascii_ws(p[i])) tmp[o++] = p[i++];
        }
        PyObject *r = raw_str(tmp, o);
        PyMem_Free(tmp);
        return r;
    }
    PyObject *u = PyUnicode_DecodeUTF8(p, n, NULL);
    if (!u) return NULL;
    PyObject *parts = PyUnicode_Split(u, NULL, -1);
    Py_DECREF(u);
    if (!parts) return NULL;
    PyObject *r = PyUnicode_Join(s_space, parts);
    Py_DECREF(parts);
    return r;
}

static PyObject *call0(PyObject *obj, PyObject *name) { return PyObject_CallMethodNoArgs(obj, name); }

/* s.strip() */
static PyObject *py_strip(PyObject *s) { return call0(s, s_strip); }

/* s.isdigit() -> 1/0, -1 on error */
static int py_isdigit(PyObject *s) {
    PyObject *r = call0(s, s_isdigit);
    if (!r) return -1;
    int v = PyObject_IsTrue(r);
    Py_DECREF(r);
    return v;
}

/* (s or "").strip() or None, with s possibly NULL */
static PyObject *strip_or_none(PyObject *s) {
    if (!s || PyUnicode_GET_LENGTH(s) == 0) Py_RETURN_NONE;
    PyObject *r = py_strip(s);
    if (!r) return NULL;
    if (PyUnicode_GET_LENGTH(r) == 0) {
        Py_DECREF(r);
        Py_RETURN_NONE;
    }
    return r;
}

/* ------------------------------------------------------------------ attributes */
static const char *attr(const char **atts, const char *name) {
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0) return atts[i + 1];
    return NULL;
}
/* attribute as str or None */
static PyObject *attr_obj(const char **atts, const char *name) {
    const char *v = attr(atts, name);
    if (!v) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), NULL);
}

/* ------------------------------------------------------------------ article state */
#define CLEAR(x) Py_CLEAR(x)

static void ymd_clear(Ymd *y) {
    for (int i = 0; i < Y_N; i++) CLEAR(y->part[i]);
}

static void art_clear(Art *a) {
    CLEAR(a->pmid_text); CLEAR(a->version_attr); CLEAR(a->title); CLEAR(a->vtitle); CLEAR(a->lang_text);
    CLEAR(a->sections); CLEAR(a->authors); CLEAR(a->pubtypes); CLEAR(a->acc_texts); CLEAR(a->mesh);
    CLEAR(a->keywords); CLEAR(a->comments); CLEAR(a->eloc_doi); CLEAR(a->jtitle); CLEAR(a->jiso);
    ymd_clear(&a->pubdate); ymd_clear(&a->adate); ymd_clear(&a->daterev); ymd_clear(&a->ppd);
    CLEAR(a->a_last); CLEAR(a->a_fore); CLEAR(a->a_init); CLEAR(a->a_coll); CLEAR(a->a_affs);
    CLEAR(a->q_list); CLEAR(a->d_text); CLEAR(a->d_ui);
    CLEAR(a->cc_type); CLEAR(a->cc_ref); CLEAR(a->cc_pmid);
    CLEAR(a->doi); CLEAR(a->pmc);
    for (int i = 0; i < 4; i++) CLEAR(a->hist_date[i]);
    CLEAR(a->attr1); CLEAR(a->attr2);
    memset(a, 0, sizeof(*a));
}

static int art_init(Art *a) {
    art_clear(a);
    a->sections = PyList_New(0);
    a->authors = PyList_New(0);
    a->pubtypes = PyList_New(0);
    a->acc_texts = PyList_New(0);
    a->mesh = PyList_New(0);
    a->keywords = PyList_New(0);
    a->comments = PyList_New(0);
    if (!a->sections || !a->authors || !a->pubtypes || !a->acc_texts || !a->mesh || !a->keywords || !a->comments)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ tags */
#define TAGIS(name, lit) (strcmp((name), (lit)) == 0)

static int is_target(const char *name) {
    if (name[0] != 'P' && name[0] != 'D' && name[0] != 'M') return 0;
    return TAGIS(name, "PubmedArticle") || TAGIS(name, "PubmedBookArticle") || TAGIS(name, "DeleteCitation") ||
           TAGIS(name, "MedlineCitation");
}

static void start_capture(ParserObject *self, int head) {
    self->capturing = 1;
    self->cap_depth = self->depth;
    self->cap_head = head;
    self->cap_closed = 0;
    self->cap.n = 0;
}

static int ymd_part(const char *name) {
    if (TAGIS(name, "Year")) return Y_YEAR;
    if (TAGIS(name, "Month")) return Y_MONTH;
    if (TAGIS(name, "Day")) return Y_DAY;
    if (TAGIS(name, "Season")) return Y_SEASON;
    if (TAGIS(name, "MedlineDate")) return Y_MEDLINE;
    return -1;
}

/* Which Ymd a container role fills. */
static Ymd *ymd_of(ParserObject *self, int role) {
    switch (role) {
    case R_PUBDATE: return &self->a.pubdate;
    case R_ADATE: return &self->a.adate;
    case R_DATEREV: return &self->a.daterev;
    case R_PPD: return &self->a.ppd;
    default: return NULL;
    }
}

/* The role of a new element; may set state (first-wins flags, attributes) and start a capture. */
static int child_role(ParserObject *self, int parent, const char *name, const char **atts) {
    Art *a = &self->a;
    switch (parent) {
    case R_ROOT:
        if (TAGIS(name, "PubmedArticle")) return R_PA;
        if (TAGIS(name, "DeleteCitation")) return R_DEL;
        if (is_target(name)) fail(self, "a record type other than PubmedArticle or DeleteCitation");
        return R_SKIP;
    case R_DEL:
        if (TAGIS(name, "PMID")) { start_capture(self, 1); return R_DEL_PMID; }
        return R_SKIP;
    case R_PA:
        if (TAGIS(name, "MedlineCitation")) {
            if (a->seen_mc) return R_SKIP;
            a->seen_mc = 1;
            return R_MC;
        }
        if (TAGIS(name, "PubmedData")) {
            if (a->seen_pd) return R_SKIP;
            a->seen_pd = 1;
            return R_PD;
        }
        if (is_target(name)) fail(self, "a record element inside a PubmedArticle");
        return R_SKIP;
    case R_MC:
        if (TAGIS(name, "Article")) { if (a->seen_art) return R_SKIP; a->seen_art = 1; return R_ART; }
        if (TAGIS(name, "MeshHeadingList")) { if (a->seen_meshlist) return R_SKIP; a->seen_meshlist = 1; return R_MESHLIST; }
        if (TAGIS(name, "KeywordList")) return R_KWLIST;
        if (TAGIS(name, "CommentsCorrectionsList")) return R_CCLIST;
        if (TAGIS(name, "PMID")) {
            if (a->seen_pmid) return R_SKIP;
            a->seen_pmid = 1;
            const char *v = attr(atts, "Version");
            if (v) {
                a->version_attr = PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), NULL);
                if (!a->version_attr) { fail_py(self); return R_SKIP; }
            }
            start_capture(self, 1);
            return R_PMID;
        }
        if (TAGIS(name, "DateRevised")) {
            if (a->seen_daterev) return R_SKIP;
            a->seen_daterev = 1;
            return R_DATEREV;
        }
        return R_SKIP;
    case R_ART:
        if (TAGIS(name, "PublicationTypeList")) return R_PTLIST;
        if (TAGIS(name, "ELocationID")) {
            if (a->eloc_done) return R_SKIP;
            const char *t = attr(atts, "EIdType"), *valid = attr(atts, "ValidYN");
            if (!t || strcmp(t, "doi") != 0 || (valid && strcmp(valid, "N") == 0)) return R_SKIP;
            a->eloc_done = 1;
            start_capture(self, 1);
            return R_ELOC;
        }
        if (TAGIS(name, "DataBankList")) { a->has_databanks = 1; return R_DBL; }
#define FIRST(flag, role, head) do { if (a->flag) return R_SKIP; a->flag = 1; if ((head) >= 0) start_capture(self, head); return role; } while (0)
        if (TAGIS(name, "ArticleTitle")) FIRST(seen_title, R_TITLE, 0);
        if (TAGIS(name, "VernacularTitle")) FIRST(seen_vtitle, R_VTITLE, 0);
        if (TAGIS(name, "Abstract")) FIRST(seen_abs, R_ABS, -1);
        if (TAGIS(name, "Journal")) FIRST(seen_journal, R_JOURNAL, -1);
        if (TAGIS(name, "ArticleDate")) { if (a->seen_adate) return R_SKIP; a->seen_adate = 1; return R_ADATE; }
        if (TAGIS(name, "Language")) { if (a->seen_lang) return R_SKIP; a->seen_lang = 1; start_capture(self, 1); return R_LANG; }
        if (TAGIS(name, "AuthorList")) FIRST(seen_authorlist, R_AUTHORLIST, -1);
        return R_SKIP;
    case R_PTLIST:
        if (TAGIS(name, "PublicationType")) {
            CLEAR(a->attr1);
            a->attr1 = attr_obj(atts, "UI");
            if (!a->attr1) { fail_py(self); return R_SKIP; }
            start_capture(self, 0);
            return R_PT;
        }
        return R_SKIP;
    case R_DBL:
        return TAGIS(name, "DataBank") ? R_DB : R_SKIP;
    case R_DB:
        return TAGIS(name, "AccessionNumberList") ? R_ANL : R_SKIP;
    case R_ANL:
        if (TAGIS(name, "AccessionNumber")) { start_capture(self, 1); return R_ACC; }
        return R_SKIP;
    case R_ABS:
        if (TAGIS(name, "AbstractText")) {
            CLEAR(a->attr1); CLEAR(a->attr2);
            a->attr1 = attr_obj(atts, "Label");
            a->attr2 = attr_obj(atts, "NlmCategory");
            if (!a->attr1 || !a->attr2) { fail_py(self); return R_SKIP; }
            start_capture(self, 0);
            return R_ABSTEXT;
        }
        return R_SKIP;
    case R_JOURNAL:
        if (TAGIS(name, "JournalIssue")) return a->pubdate_chosen ? R_SKIP : R_JI;
        if (TAGIS(name, "Title")) FIRST(seen_jtitle, R_JTITLE, 0);
        if (TAGIS(name, "ISOAbbreviation")) FIRST(seen_jiso, R_JISO, 0);
        return R_SKIP;
    case R_JI:
        if (TAGIS(name, "PubDate") && !a->pubdate_chosen) {
            a->pubdate_chosen = 1;
            return R_PUBDATE;
        }
        return R_SKIP;
    case R_PUBDATE:
    case R_ADATE:
    case R_DATEREV:
    case R_PPD: {
        int part = ymd_part(name);
        if (part < 0) return R_SKIP;
        Ymd *y = ymd_of(self, parent);
        if (y->part[part]) return R_SKIP;  /* the first child of each tag */
        self->ymd_part = part;
        start_capture(self, 1);
        return R_YMD_PART;
    }
    case R_AUTHORLIST:
        if (TAGIS(name, "Author")) {
            const char *valid = attr(atts, "ValidYN");
            if (valid && strcmp(valid, "N") == 0) return R_SKIP;
            CLEAR(a->a_last); CLEAR(a->a_fore); CLEAR(a->a_init); CLEAR(a->a_coll); CLEAR(a->a_affs);
            a->a_affs = PyList_New(0);
            if (!a->a_affs) { fail_py(self); return R_SKIP; }
            return R_AUTHOR;
        }
        return R_SKIP;
    case R_AUTHOR:
        if (TAGIS(name, "LastName")) { if (a->a_last) return R_SKIP; start_capture(self, 0); return R_A_LAST; }
        if (TAGIS(name, "ForeName")) { if (a->a_fore) return R_SKIP; start_capture(self, 0); return R_A_FORE; }
        if (TAGIS(name, "Initials")) { if (a->a_init) return R_SKIP; start_capture(self, 0); return R_A_INIT; }
        if (TAGIS(name, "CollectiveName")) { if (a->a_coll) return R_SKIP; start_capture(self, 0); return R_A_COLL; }
        if (TAGIS(name, "AffiliationInfo")) return R_AFFINFO;
        return R_SKIP;
    case R_AFFINFO:
        if (TAGIS(name, "Affiliation")) { start_capture(self, 0); return R_AFF; }
        return R_SKIP;
    case R_MESHLIST:
        if (TAGIS(name, "MeshHeading")) {
            CLEAR(a->q_list); CLEAR(a->d_text); CLEAR(a->d_ui);
            a->d_seen = a->d_major = a->q_any_major = 0;
            a->q_list = PyList_New(0);
            if (!a->q_list) { fail_py(self); return R_SKIP; }
            return R_MH;
        }
        return R_SKIP;
    case R_MH:
        if (TAGIS(name, "QualifierName")) {
            const char *mj = attr(atts, "MajorTopicYN");
            CLEAR(a->attr1); CLEAR(a->attr2);
            a->attr1 = attr_obj(atts, "UI");
            a->attr2 = (mj && strcmp(mj, "Y") == 0) ? Py_True : Py_False;
            Py_INCREF(a->attr2);
            if (!a->attr1) { fail_py(self); return R_SKIP; }
            start_capture(self, 0);
            return R_QUAL;
        }
        if (TAGIS(name, "DescriptorName")) {
            if (a->d_seen) return R_SKIP;
            a->d_seen = 1;
            const char *mj = attr(atts, "MajorTopicYN");
            a->d_major = mj && strcmp(mj, "Y") == 0;
            a->d_ui = attr_obj(atts, "UI");
            if (!a->d_ui) { fail_py(self); return R_SKIP; }
            start_capture(self, 0);
            return R_DESC;
        }
        return R_SKIP;
    case R_KWLIST:
        if (TAGIS(name, "Keyword")) { start_capture(self, 0); return R_KW; }
        return R_SKIP;
    case R_CCLIST:
        if (TAGIS(name, "CommentsCorrections")) {
            CLEAR(a->cc_type); CLEAR(a->cc_ref); CLEAR(a->cc_pmid);
            a->cc_seen_ref = a->cc_seen_pmid = 0;
            a->cc_type = attr_obj(atts, "RefType");
            if (!a->cc_type) { fail_py(self); return R_SKIP; }
            int ignored = PySet_Contains(cfg_ignored_refs, a->cc_type);
            if (ignored < 0) { fail_py(self); return R_SKIP; }
            return ignored ? R_SKIP : R_CC;
        }
        return R_SKIP;
    case R_CC:
        if (TAGIS(name, "RefSource")) { if (a->cc_seen_ref) return R_SKIP; a->cc_seen_ref = 1; start_capture(self, 0); return R_CC_REF; }
        if (TAGIS(name, "PMID")) { if (a->cc_seen_pmid) return R_SKIP; a->cc_seen_pmid = 1; start_capture(self, 1); return R_CC_PMID; }
        return R_SKIP;
    case R_PD:
        if (TAGIS(name, "ArticleIdList")) FIRST(seen_aidl, R_AIDL, -1);
        if (TAGIS(name, "History")) FIRST(seen_hist, R_HIST, -1);
        return R_SKIP;
    case R_AIDL:
        if (TAGIS(name, "ArticleId")) {
            const char *t = attr(atts, "IdType");
            if (!t) return R_SKIP;
            if (strcmp(t, "doi") == 0) { if (a->doi) return R_SKIP; a->aid_is_pmc = 0; }
            else if (strcmp(t, "pmc") == 0) { if (a->pmc) return R_SKIP; a->aid_is_pmc = 1; }
            else return R_SKIP;
            start_capture(self, 1);
            return R_AID;
        }
        return R_SKIP;
    case R_HIST:
        if (TAGIS(name, "PubMedPubDate")) {
            PyObject *status = attr_obj(atts, "PubStatus");
            if (!status) { fail_py(self); return R_SKIP; }
            Py_ssize_t n = PyTuple_GET_SIZE(cfg_entrez_statuses);
            for (Py_ssize_t i = 0; i < n && i < 4; i++) {
                int eq = PyObject_RichCompareBool(status, PyTuple_GET_ITEM(cfg_entrez_statuses, i), Py_EQ);
                if (eq < 0) { Py_DECREF(status); fail_py(self); return R_SKIP; }
                if (eq) {
                    Py_DECREF(status);
                    if (a->hist_seen[i]) return R_SKIP;
                    a->hist_seen[i] = 1;
                    a->ppd_index = (int)i;
                    ymd_clear(&a->ppd);
                    return R_PPD;
                }
            }
            Py_DECREF(status);
        }
        return R_SKIP;
    default:
        return R_SKIP;
    }
#undef FIRST
}

/* ------------------------------------------------------------------ dates */
/* pubmed_xml._month */
static PyObject *month_of(PyObject *value) {
    if (!value || PyUnicode_GET_LENGTH(value) == 0) Py_RETURN_NONE;
    PyObject *v = py_strip(value);
    if (!v) return NULL;
    int dig = py_isdigit(v);
    if (dig < 0) { Py_DECREF(v); return NULL; }
    if (dig) {
        PyObject *m = PyLong_FromUnicodeObject(v, 10);
        Py_DECREF(v);
        if (!m) return NULL;
        long mv = PyLong_AsLong(m);
        if (mv == -1 && PyErr_Occurred()) { PyErr_Clear(); mv = 0; }
        if (mv >= 1 && mv <= 12) return m;
        Py_DECREF(m);
        Py_RETURN_NONE;
    }
    PyObject *head = PyUnicode_Substring(v, 0, 3);
    Py_DECREF(v);
    if (!head) return NULL;
    PyObject *low = call0(head, s_lower);
    Py_DECREF(head);
    if (!low) return NULL;
    PyObject *m = PyDict_GetItemWithError(cfg_months, low);
    Py_DECREF(low);
    if (!m) {
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    Py_INCREF(m);
    return m;
}

/* date(...) or None on ValueError/TypeError (as pubmed_xml._ymd). NULL on other errors. */
static PyObject *date_or_none(PyObject *y, PyObject *m, PyObject *d) {
    PyObject *r = PyObject_CallFunctionObjArgs((PyObject *)PyDateTimeAPI->DateType, y, m, d, NULL);
    if (!r && (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError))) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return r;
}

/* pubmed_xml._ymd over the parts of a container */
static PyObject *ymd_date(Ymd *p) {
    PyObject *y = p->part[Y_YEAR];
    PyObject *m = month_of(p->part[Y_MONTH]);
    if (!m) return NULL;
    if (!y || PyUnicode_GET_LENGTH(y) == 0 || m == Py_None) {
        Py_DECREF(m);
        Py_RETURN_NONE;
    }
    PyObject *yi = PyLong_FromUnicodeObject(y, 10);
    if (!yi) {
        Py_DECREF(m);
        if (PyErr_ExceptionMatches(PyExc_ValueError)) { PyErr_Clear(); Py_RETURN_NONE; }
        return NULL;
    }
    PyObject *di = NULL;
    PyObject *d = p->part[Y_DAY];
    if (d && PyUnicode_GET_LENGTH(d) > 0) {
        PyObject *ds = py_strip(d);
        if (!ds) goto error;
        int dig = py_isdigit(ds);
        Py_DECREF(ds);
        if (dig < 0) goto error;
        if (dig) {
            di = PyLong_FromUnicodeObject(d, 10);
            if (!di) {
                if (PyErr_ExceptionMatches(PyExc_ValueError)) { PyErr_Clear(); Py_DECREF(yi); Py_DECREF(m); Py_RETURN_NONE; }
                goto error;
            }
        }
    }
    if (!di) di = PyLong_FromLong(1);
    PyObject *r = date_or_none(yi, m, di);
    Py_DECREF(yi); Py_DECREF(m); Py_DECREF(di);
    return r;
error:
    Py_DECREF(yi); Py_DECREF(m);
    return NULL;
}

/* pubmed_xml._pub_date -> sets *year (int or None) and *printed (str or None) */
static int pub_date(Ymd *p, PyObject **year, PyObject **printed) {
    *year = NULL; *printed = NULL;
    PyObject *medline = p->part[Y_MEDLINE];
    if (medline && PyUnicode_GET_LENGTH(medline) > 0) {
        PyObject *parts = PyUnicode_Split(medline, NULL, -1);  /* _WS.sub(" ", s).strip() */
        if (!parts) return -1;
        PyObject *md = PyUnicode_Join(s_space, parts);
        Py_DECREF(parts);
        if (!md) return -1;
        PyObject *match = PyObject_CallOneArg(cfg_year_search, md);
        if (!match) { Py_DECREF(md); return -1; }
        if (match == Py_None) {
            Py_DECREF(match);
            Py_INCREF(Py_None);
            *year = Py_None;
        } else {
            PyObject *g = PyObject_CallMethod(match, "group", "i", 1);
            Py_DECREF(match);
            if (!g) { Py_DECREF(md); return -1; }
            *year = PyLong_FromUnicodeObject(g, 10);
            Py_DECREF(g);
            if (!*year) { Py_DECREF(md); return -1; }
        }
        *printed = md;
        return 0;
    }
    PyObject *year_raw = p->part[Y_YEAR];
    PyObject *ys = year_raw ? py_strip(year_raw) : (Py_INCREF(s_empty), s_empty);
    if (!ys) return -1;
    if (PyUnicode_GET_LENGTH(ys) == 0) {
        Py_DECREF(ys);
        Py_INCREF(Py_None); Py_INCREF(Py_None);
        *year = Py_None; *printed = Py_None;
        return 0;
    }
    PyObject *parts = PyList_New(0);
    if (!parts || PyList_Append(parts, ys) < 0) goto error;
    PyObject *month = p->part[Y_MONTH];
    PyObject *mnum = month_of(month);
    if (!mnum) goto error;
    if (mnum != Py_None) {
        PyObject *abbr = PyDict_GetItemWithError(cfg_month_abbr, mnum);
        Py_DECREF(mnum);
        if (!abbr || PyList_Append(parts, abbr) < 0) goto error;
        PyObject *day = p->part[Y_DAY];
        PyObject *ds = day ? py_strip(day) : (Py_INCREF(s_empty), s_empty);
        if (!ds) goto error;
        if (PyUnicode_GET_LENGTH(ds) > 0) {
            int dig = py_isdigit(ds);
            if (dig < 0) { Py_DECREF(ds); goto error; }
            if (dig) {
                PyObject *di = PyLong_FromUnicodeObject(ds, 10);
                if (!di) { Py_DECREF(ds); goto error; }
                PyObject *dstr = PyObject_Str(di);
                Py_DECREF(di);
                if (!dstr || PyList_Append(parts, dstr) < 0) { Py_XDECREF(dstr); Py_DECREF(ds); goto error; }
                Py_DECREF(dstr);
            } else if (PyList_Append(parts, ds) < 0) { Py_DECREF(ds); goto error; }
        }
        Py_DECREF(ds);
    } else {
        Py_DECREF(mnum);
        if (month && PyUnicode_GET_LENGTH(month) > 0) {
            PyObject *ms = py_strip(month);
            if (!ms || PyList_Append(parts, ms) < 0) { Py_XDECREF(ms); goto error; }
            Py_DECREF(ms);
        }
    }
    PyObject *season = p->part[Y_SEASON];
    if (season && PyUnicode_GET_LENGTH(season) > 0 && !(month && PyUnicode_GET_LENGTH(month) > 0)) {
        PyObject *ss = py_strip(season);
        if (!ss || PyList_Append(parts, ss) < 0) { Py_XDECREF(ss); goto error; }
        Py_DECREF(ss);
    }
    int dig = py_isdigit(ys);
    if (dig < 0) goto error;
    if (dig) {
        *year = PyLong_FromUnicodeObject(ys, 10);
        if (!*year) goto error;
    } else {
        Py_INCREF(Py_None);
        *year = Py_None;
    }
    *printed = PyUnicode_Join(s_space, parts);
    if (!*printed) goto error;
    Py_DECREF(parts);
    Py_DECREF(ys);
    return 0;
error:
    Py_XDECREF(parts);
    Py_DECREF(ys);
    Py_CLEAR(*year);
    return -1;
}

/* ------------------------------------------------------------------ JSON
 * json.dumps text, byte for byte: separators ", " and ": "; strings escaped
 * as json.encoder.encode_basestring (ascii=0, for the content hash, which uses
 * ensure_ascii=False) or encode_basestring_ascii (ascii=1, the JSON columns). */
static const char HEX[] = "0123456789abcdef";

/* Index of the first byte of p[i..n) that a JSON string must escape: '"',
 * '\\', a control character, and with ascii also 0x7f and above. SSE2 (part of
 * every x86-64) looks at 16 bytes at a time; other machines take the loop. */
static Py_ssize_t json_scan(const unsigned char *p, Py_ssize_t i, Py_ssize_t n, int ascii) {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl_max = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v),  /* v <= 0x1f */
                                 _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (ascii) m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, del), v));  /* v >= 0x7f */
        int mask = _mm_movemask_epi8(m);
        if (mask) return i + __builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x20 || c == '"' || c == '\\' || (ascii && c >= 0x7f)) return i;
    }
    return n;
}

/* Bytes (ASCII, or UTF-8 without ascii) with the escapes json.dumps writes. */
static int json_bytes(Buf *b, const unsigned char *p, Py_ssize_t n, int ascii) {
    Py_ssize_t i = 0;
    while (1) {
        Py_ssize_t j = json_scan(p, i, n, ascii);
        if (j > i && buf_add(b, (const char *)p + i, j - i) < 0) return -1;
        if (j >= n) return 0;
        unsigned char c = p[j];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        }
        if (esc) {
            if (buf_add(b, esc, 2) < 0) return -1;
        } else {
            char u[6] = {'\\', 'u', '0', '0', HEX[(c >> 4) & 0xf], HEX[c & 0xf]};
            if (buf_add(b, u, 6) < 0) return -1;
        }
        i = j + 1;
    }
}

static int json_str(Buf *b, PyObject *s, int ascii) {
    if (s == Py_None) return buf_lit(b, "null");
    if (buf_ch(b, '"') < 0) return -1;
    if (PyUnicode_IS_ASCII(s) || !ascii) {
        /* ASCII text, or any text where non-ASCII characters are written as they are (UTF-8) */
        Py_ssize_t n;
        const char *p = PyUnicode_IS_ASCII(s) ? (n = PyUnicode_GET_LENGTH(s), (const char *)PyUnicode_DATA(s))
                                              : PyUnicode_AsUTF8AndSize(s, &n);
        if (!p || json_bytes(b, (const unsigned char *)p, n, ascii) < 0) return -1;
        return buf_ch(b, '"');
    }
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        char tmp[12];
        int k = 0;
        if (c == '"') { tmp[k++] = '\\'; tmp[k++] = '"'; }
        else if (c == '\\') { tmp[k++] = '\\'; tmp[k++] = '\\'; }
        else if (c == '\n') { tmp[k++] = '\\'; tmp[k++] = 'n'; }
        else if (c == '\r') { tmp[k++] = '\\'; tmp[k++] = 'r'; }
        else if (c == '\t') { tmp[k++] = '\\'; tmp[k++] = 't'; }
        else if (c == '\b') { tmp[k++] = '\\'; tmp[k++] = 'b'; }
        else if (c == '\f') { tmp[k++] = '\\'; tmp[k++] = 'f'; }
        else if (c < 0x20 || (ascii && c >= 0x7f)) {
            if (c >= 0x10000) {  /* surrogate pair */
                Py_UCS4 v = c - 0x10000;
                Py_UCS4 hi = 0xd800 | ((v >> 10) & 0x3ff), lo = 0xdc00 | (v & 0x3ff);
                if (buf_add(b, (char[]){'\\', 'u', HEX[(hi >> 12) & 0xf], HEX[(hi >> 8) & 0xf], HEX[(hi >> 4) & 0xf], HEX[hi & 0xf]}, 6) < 0) return -1;
                c = lo;
            }
            tmp[k++] = '\\'; tmp[k++] = 'u';
            tmp[k++] = HEX[(c >> 12) & 0xf]; tmp[k++] = HEX[(c >> 8) & 0xf];
            tmp[k++] = HEX[(c >> 4) & 0xf]; tmp[k++] = HEX[c & 0xf];
        } else if (c < 0x80) {
            tmp[k++] = (char)c;
        } else if (c < 0x800) {
            tmp[k++] = (char)(0xc0 | (c >> 6)); tmp[k++] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            tmp[k++] = (char)(0xe0 | (c >> 12)); tmp[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
            tmp[k++] = (char)(0x80 | (c & 0x3f));
        } else {
            tmp[k++] = (char)(0xf0 | (c >> 18)); tmp[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
            tmp[k++] = (char)(0x80 | ((c >> 6) & 0x3f)); tmp[k++] = (char)(0x80 | (c & 0x3f));
        }
        if (buf_add(b, tmp, k) < 0) return -1;
    }
    return buf_ch(b, '"');
}

static int json_obj(Buf *b, PyObject *v, int ascii) {  /* str, int, bool, None, date */
    if (v == Py_None) return buf_lit(b, "null");
    if (v == Py_True) return buf_lit(b, "true");
    if (v == Py_False) return buf_lit(b, "false");
    if (PyUnicode_Check(v)) return json_str(b, v, ascii);
    if (PyLong_Check(v)) {
        PyObject *s = PyObject_Str(v);
        if (!s) return -1;
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(s, &n);
        int r = p ? buf_add(b, p, n) : -1;
        Py_DECREF(s);
        return r;
    }
    /* default=str (dates in the hash payload) */
    PyObject *s = PyObject_Str(v);
    if (!s) return -1;
    int r = json_str(b, s, ascii);
    Py_DECREF(s);
    return r;
}

/* A list of tuples as a list of objects with the given keys in the given
 * order; idx maps each key to its tuple index (-1 ends). */
static int json_tuples(Buf *b, PyObject *list, const char *const *keys, const int *idx, int ascii) {
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (buf_ch(b, '[') < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(list, i);
        if (i && buf_lit(b, ", ") < 0) return -1;
        if (buf_ch(b, '{') < 0) return -1;
        for (int k = 0; keys[k]; k++) {
            if (k && buf_lit(b, ", ") < 0) return -1;
            if (buf_ch(b, '"') < 0 || buf_lit(b, keys[k]) < 0 || buf_lit(b, "\": ") < 0) return -1;
            if (json_obj(b, PyTuple_GET_ITEM(t, idx[k]), ascii) < 0) return -1;
        }
        if (buf_ch(b, '}') < 0) return -1;
    }
    return buf_ch(b, ']');
}

static int json_strs(Buf *b, PyObject *list, int ascii) {
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (buf_ch(b, '[') < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && buf_lit(b, ", ") < 0) return -1;
        if (json_str(b, PyList_GET_ITEM(list, i), ascii) < 0) return -1;
    }
    return buf_ch(b, ']');
}

/* The JSON column text (rows._json): "[]" for an empty list. */
static PyObject *column(Buf *b, PyObject *list, const char *const *keys, const int *idx) {
    if (PyList_GET_SIZE(list) == 0) return PyUnicode_FromStringAndSize("[]", 2);
    b->n = 0;
    int r = keys ? json_tuples(b, list, keys, idx, 1) : json_strs(b, list, 1);
    if (r < 0) return NULL;
    return PyUnicode_DecodeASCII(b->p, b->n, NULL);
}

/* Key orders: insertion order for the columns, sorted for the hash payload. */
static const char *const SEC_KEYS[] = {"label", "category", "text", NULL};
static const int SEC_IDX[] = {0, 1, 2};
static const char *const SEC_KEYS_S[] = {"category", "label", "text", NULL};
static const int SEC_IDX_S[] = {1, 0, 2};
static const char *const AU_KEYS[] = {"last", "fore", "initials", "collective", "affiliation", NULL};
static const int AU_IDX[] = {0, 1, 2, 3, 4};
static const char *const AU_KEYS_S[] = {"affiliation", "collective", "fore", "initials", "last", NULL};
static const int AU_IDX_S[] = {4, 3, 1, 2, 0};
static const char *const CC_KEYS[] = {"type", "ref", "pmid", NULL};
static const int CC_IDX[] = {0, 1, 2};
static const char *const CC_KEYS_S[] = {"pmid", "ref", "type", NULL};
static const int CC_IDX_S[] = {2, 1, 0};
static const char *const Q_KEYS[] = {"name", "ui", "major", NULL};
static const int Q_IDX[] = {0, 1, 2};
static const char *const Q_KEYS_S[] = {"major", "name", "ui", NULL};
static const int Q_IDX_S[] = {2, 0, 1};
static const char *const PT_KEYS_S[] = {"name", "ui", NULL};
static const int PT_IDX_S[] = {0, 1};

#define KEY(b, k) buf_lit((b), (k))

/* literal text (a key), then a value */
static int kv(Buf *b, const char *key, PyObject *v) {
    if (buf_lit(b, key) < 0) return -1;
    return json_obj(b, v, 0);
}

/* The content hash payload (records.ArticleRecord._hash_payload, sort_keys=True). */
static int hash_payload(Buf *b, PyObject **f) {
    /* f: pmid, version, title, abstract, sections, journal, journal_iso, pub_year, pub_date,
          entrez, revised, language, doi, pmcid, authors, keywords, nct, comments, mesh, pubtypes, retracted */
    enum { PMID, VERSION, TITLE, ABSTRACT, SECTIONS, JOURNAL, JISO, PYEAR, PDATE, ENTREZ, REVISED, LANG,
           DOI, PMCID, AUTHORS, KEYWORDS, NCT, COMMENTS, MESH, PUBTYPES, RETRACTED };
    b->n = 0;
    if (kv(b, "{\"abstract\": ", f[ABSTRACT]) < 0) return -1;
    if (KEY(b, ", \"abstract_sections\": ") < 0 || json_tuples(b, f[SECTIONS], SEC_KEYS_S, SEC_IDX_S, 0) < 0) return -1;
    if (KEY(b, ", \"authors\": ") < 0 || json_tuples(b, f[AUTHORS], AU_KEYS_S, AU_IDX_S, 0) < 0) return -1;
    if (KEY(b, ", \"comments_corrections\": ") < 0 || json_tuples(b, f[COMMENTS], CC_KEYS_S, CC_IDX_S, 0) < 0) return -1;
    if (kv(b, ", \"doi\": ", f[DOI]) < 0) return -1;
    if (kv(b, ", \"entrez_date\": ", f[ENTREZ]) < 0) return -1;
    if (kv(b, ", \"is_book\": false, \"is_retracted\": ", f[RETRACTED]) < 0) return -1;
    if (kv(b, ", \"journal\": ", f[JOURNAL]) < 0) return -1;
    if (kv(b, ", \"journal_iso\": ", f[JISO]) < 0) return -1;
    if (KEY(b, ", \"keywords\": ") < 0 || json_strs(b, f[KEYWORDS], 0) < 0) return -1;
    if (kv(b, ", \"language\": ", f[LANG]) < 0) return -1;
    if (KEY(b, ", \"mesh\": [") < 0) return -1;
    PyObject *mesh = f[MESH];
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(mesh); i++) {
        PyObject *m = PyList_GET_ITEM(mesh, i);
        if (i && KEY(b, ", ") < 0) return -1;
        if (kv(b, "{\"descriptor\": ", PyTuple_GET_ITEM(m, 0)) < 0) return -1;
        if (kv(b, ", \"descriptor_ui\": ", PyTuple_GET_ITEM(m, 1)) < 0) return -1;
        if (kv(b, ", \"major_topic\": ", PyTuple_GET_ITEM(m, 2)) < 0) return -1;
        if (KEY(b, ", \"qualifiers\": ") < 0 || json_tuples(b, PyTuple_GET_ITEM(m, 3), Q_KEYS_S, Q_IDX_S, 0) < 0) return -1;
        if (buf_ch(b, '}') < 0) return -1;
    }
    if (KEY(b, "], \"nct_ids\": ") < 0 || json_strs(b, f[NCT], 0) < 0) return -1;
    if (kv(b, ", \"pmcid\": ", f[PMCID]) < 0) return -1;
    if (kv(b, ", \"pmid\": ", f[PMID]) < 0) return -1;
    if (kv(b, ", \"pub_date\": ", f[PDATE]) < 0) return -1;
    if (kv(b, ", \"pub_year\": ", f[PYEAR]) < 0) return -1;
    if (KEY(b, ", \"publication_types\": ") < 0 || json_tuples(b, f[PUBTYPES], PT_KEYS_S, PT_IDX_S, 0) < 0) return -1;
    if (kv(b, ", \"revised_date\": ", f[REVISED]) < 0) return -1;
    if (kv(b, ", \"title\": ", f[TITLE]) < 0) return -1;
    if (kv(b, ", \"version\": ", f[VERSION]) < 0) return -1;
    return buf_ch(b, '}');
}

static PyObject *sha256_hex(Buf *b) {
    PyObject *data = PyBytes_FromStringAndSize(b->p, b->n);
    if (!data) return NULL;
    PyObject *h = PyObject_CallOneArg(cfg_sha256, data);
    Py_DECREF(data);
    if (!h) return NULL;
    PyObject *hex = call0(h, s_hexdigest);
    Py_DECREF(h);
    return hex;
}

/* ------------------------------------------------------------------ finishing an article */
static int list_add_unique(PyObject *list, PyObject *item) {
    int has = PySequence_Contains(list, item);
    if (has < 0) return -1;
    return has ? 0 : PyList_Append(list, item);
}

/* NCT_RE.findall(text) appended to out, without repeats */
static int add_ncts(PyObject *out, PyObject *text) {
    PyObject *found = PyObject_CallOneArg(cfg_nct_findall, text);
    if (!found) return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++)
        if (list_add_unique(out, PyList_GET_ITEM(found, i)) < 0) { Py_DECREF(found); return -1; }
    Py_DECREF(found);
    return 0;
}

static PyObject *s_NCT;

static PyObject *finish_article(ParserObject *self, Buf *jb) {
    Art *a = &self->a;
    PyObject *f[21] = {0};
    PyObject *result = NULL, *values = NULL, *mesh_rows = NULL, *pt_rows = NULL, *hash = NULL;
    PyObject *sections_json = NULL, *authors_json = NULL, *kw_json = NULL, *nct_json = NULL, *cc_json = NULL;
    PyObject *abstract = NULL, *nct = NULL, *pyear = NULL, *pdate = NULL, *entrez = NULL, *revised = NULL;
    PyObject *lang = NULL, *doi = NULL, *title = NULL, *version = NULL, *pmid = NULL, *journal = NULL, *jiso = NULL;
    PyObject *retracted = NULL;

    if (!a->seen_mc) { fail(self, "a PubmedArticle without MedlineCitation"); return NULL; }
    if (!a->seen_art) { fail(self, "a MedlineCitation without Article"); return NULL; }
    /* PMID and version (pubmed_xml._pmid) */
    if (!a->pmid_text) { fail(self, "a record without PMID"); return NULL; }
    {
        PyObject *raw = py_strip(a->pmid_text);
        if (!raw) goto error;
        int dig = py_isdigit(raw);
        if (dig <= 0) { Py_DECREF(raw); if (dig < 0) goto error; fail(self, "a PMID that is not a positive integer"); return NULL; }
        pmid = PyLong_FromUnicodeObject(raw, 10);
        Py_DECREF(raw);
        if (!pmid) goto error;
    }
    if (a->version_attr && PyUnicode_GET_LENGTH(a->version_attr) > 0) {
        int dig = py_isdigit(a->version_attr);
        if (dig < 0) goto error;
        version = dig ? PyLong_FromUnicodeObject(a->version_attr, 10) : PyLong_FromLong(1);
    } else {
        version = PyLong_FromLong(1);
    }
    if (!version) goto error;
    /* title */
    if (a->title && PyUnicode_GET_LENGTH(a->title) > 0) { title = a->title; Py_INCREF(title); }
    else if (a->vtitle) { title = a->vtitle; Py_INCREF(title); }
    else { title = s_empty; Py_INCREF(title); }
    /* abstract */
    {
        Py_ssize_t n = PyList_GET_SIZE(a->sections);
        PyObject *paras = PyList_New(n);
        if (!paras) goto error;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *s = PyList_GET_ITEM(a->sections, i);
            PyObject *label = PyTuple_GET_ITEM(s, 0), *text = PyTuple_GET_ITEM(s, 2), *p;
            if (label != Py_None && PyUnicode_GET_LENGTH(label) > 0) {
                PyObject *head = PyUnicode_Concat(label, s_colon_space);
                p = head ? PyUnicode_Concat(head, text) : NULL;
                Py_XDECREF(head);
                if (!p) { Py_DECREF(paras); goto error; }
            } else {
                p = text;
                Py_INCREF(p);
            }
            PyList_SET_ITEM(paras, i, p);
        }
        abstract = PyUnicode_Join(s_newline, paras);
        Py_DECREF(paras);
        if (!abstract) goto error;
    }
    /* journal and publication date */
    if (a->jtitle && PyUnicode_GET_LENGTH(a->jtitle) > 0) { journal = a->jtitle; Py_INCREF(journal); }
    else { journal = Py_None; Py_INCREF(journal); }
    if (a->jiso && PyUnicode_GET_LENGTH(a->jiso) > 0) { jiso = a->jiso; Py_INCREF(jiso); }
    else { jiso = Py_None; Py_INCREF(jiso); }
    if (a->pubdate_chosen) {
        if (pub_date(&a->pubdate, &pyear, &pdate) < 0) goto error;
    } else {
        pyear = Py_None; pdate = Py_None; Py_INCREF(pyear); Py_INCREF(pdate);
    }
    if (pyear == Py_None && a->seen_adate) {
        PyObject *e = ymd_date(&a->adate);
        if (!e) goto error;
        if (e != Py_None) {
            int y = PyDateTime_GET_YEAR(e), m = PyDateTime_GET_MONTH(e), d = PyDateTime_GET_DAY(e);
            PyObject *mo = PyLong_FromLong(m);
            PyObject *abbr = mo ? PyDict_GetItemWithError(cfg_month_abbr, mo) : NULL;
            Py_XDECREF(mo);
            if (!abbr) { Py_DECREF(e); if (!PyErr_Occurred()) fail(self, "month"); goto error; }
            Py_DECREF(pyear); Py_DECREF(pdate);
            pyear = PyLong_FromLong(y);
            pdate = PyUnicode_FromFormat("%d %U %d", y, abbr, d);
            if (!pyear || !pdate) { Py_DECREF(e); goto error; }
        }
        Py_DECREF(e);
    }
    /* identifiers */
    if (a->doi) { doi = a->doi; Py_INCREF(doi); }
    else if (a->eloc_done && a->eloc_doi) { doi = a->eloc_doi; Py_INCREF(doi); }
    else { doi = Py_None; Py_INCREF(doi); }
    /* entrez date: the first status (in rule order) with a date */
    entrez = Py_None; Py_INCREF(entrez);
    for (int i = 0; i < 4; i++) {
        if (a->hist_date[i] && a->hist_date[i] != Py_None) {
            Py_DECREF(entrez);
            entrez = a->hist_date[i];
            Py_INCREF(entrez);
            break;
        }
    }
    if (a->seen_daterev) { revised = ymd_date(&a->daterev); if (!revised) goto error; }
    else { revised = Py_None; Py_INCREF(revised); }
    if (a->lang_text && PyUnicode_GET_LENGTH(a->lang_text) > 0) {
        lang = py_strip(a->lang_text);
        if (!lang) goto error;
    } else { lang = Py_None; Py_INCREF(lang); }
    /* NCT ids: the data bank accessions, then the title and abstract */
    nct = PyList_New(0);
    if (!nct) goto error;
    if (a->has_databanks) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a->acc_texts); i++) {
            PyObject *up = call0(PyList_GET_ITEM(a->acc_texts, i), s_upper);
            if (!up) goto error;
            int r = add_ncts(nct, up);
            Py_DECREF(up);
            if (r < 0) goto error;
        }
    }
    {
        Py_ssize_t t1 = PyUnicode_Find(title, s_NCT, 0, PY_SSIZE_T_MAX, 1);
        if (t1 == -2) goto error;
        Py_ssize_t t2 = t1 >= 0 ? 0 : PyUnicode_Find(abstract, s_NCT, 0, PY_SSIZE_T_MAX, 1);
        if (t2 == -2) goto error;
        if (t1 >= 0 || t2 >= 0) {
            PyObject *both = PyUnicode_FromFormat("%U\n%U", title, abstract);
            if (!both) goto error;
            int r = add_ncts(nct, both);
            Py_DECREF(both);
            if (r < 0) goto error;
        }
    }
    /* retraction */
    {
        int r = 0;
        for (Py_ssize_t i = 0; !r && i < PyList_GET_SIZE(a->comments); i++) {
            r = PySet_Contains(cfg_retracted_refs, PyTuple_GET_ITEM(PyList_GET_ITEM(a->comments, i), 0));
            if (r < 0) goto error;
        }
        for (Py_ssize_t i = 0; !r && i < PyList_GET_SIZE(a->pubtypes); i++) {
            r = PySet_Contains(cfg_retracted_pubtypes, PyTuple_GET_ITEM(PyList_GET_ITEM(a->pubtypes, i), 0));
            if (r < 0) goto error;
        }
        retracted = r ? Py_True : Py_False;
        Py_INCREF(retracted);
    }
    PyObject *pmcid = a->pmc ? a->pmc : Py_None;
    /* content hash */
    f[0] = pmid; f[1] = version; f[2] = title; f[3] = abstract; f[4] = a->sections; f[5] = journal;
    f[6] = jiso; f[7] = pyear; f[8] = pdate; f[9] = entrez; f[10] = revised; f[11] = lang; f[12] = doi;
    f[13] = pmcid; f[14] = a->authors; f[15] = a->keywords; f[16] = nct; f[17] = a->comments; f[18] = a->mesh;
    f[19] = a->pubtypes; f[20] = retracted;
    if (hash_payload(jb, f) < 0) goto error;
    hash = sha256_hex(jb);
    if (!hash) goto error;
    /* JSON columns and rows (rows._prepare) */
    if (!(sections_json = column(jb, a->sections, SEC_KEYS, SEC_IDX))) goto error;
    if (!(authors_json = column(jb, a->authors, AU_KEYS, AU_IDX))) goto error;
    if (!(kw_json = column(jb, a->keywords, NULL, NULL))) goto error;
    if (!(nct_json = column(jb, nct, NULL, NULL))) goto error;
    if (!(cc_json = column(jb, a->comments, CC_KEYS, CC_IDX))) goto error;
    values = PyTuple_Pack(20, pmid, version, title, abstract, sections_json, journal, jiso, pyear, pdate, entrez,
                          revised, lang, doi, pmcid, authors_json, kw_json, nct_json, cc_json, Py_False, retracted);
    if (!values) goto error;
    mesh_rows = PyList_New(0);
    pt_rows = PyList_New(0);
    if (!mesh_rows || !pt_rows) goto error;
    {
        PyObject *seen = PySet_New(NULL);
        if (!seen) goto error;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a->mesh); i++) {
            PyObject *m = PyList_GET_ITEM(a->mesh, i);
            PyObject *d = PyTuple_GET_ITEM(m, 0);
            int has = PySet_Contains(seen, d);
            if (has < 0 || (!has && PySet_Add(seen, d) < 0)) { Py_DECREF(seen); goto error; }
            if (has) continue;
            PyObject *q = column(jb, PyTuple_GET_ITEM(m, 3), Q_KEYS, Q_IDX);
            PyObject *row = q ? PyTuple_Pack(5, pmid, d, PyTuple_GET_ITEM(m, 1), PyTuple_GET_ITEM(m, 2), q) : NULL;
            Py_XDECREF(q);
            if (!row || PyList_Append(mesh_rows, row) < 0) { Py_XDECREF(row); Py_DECREF(seen); goto error; }
            Py_DECREF(row);
        }
        PySet_Clear(seen);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a->pubtypes); i++) {
            PyObject *p = PyList_GET_ITEM(a->pubtypes, i);
            PyObject *name = PyTuple_GET_ITEM(p, 0);
            int has = PySet_Contains(seen, name);
            if (has < 0 || (!has && PySet_Add(seen, name) < 0)) { Py_DECREF(seen); goto error; }
            if (has) continue;
            PyObject *row = PyTuple_Pack(3, pmid, name, PyTuple_GET_ITEM(p, 1));
            if (!row || PyList_Append(pt_rows, row) < 0) { Py_XDECREF(row); Py_DECREF(seen); goto error; }
            Py_DECREF(row);
        }
        Py_DECREF(seen);
    }
    {
        PyObject *prepared = PyTuple_Pack(4, hash, values, mesh_rows, pt_rows);
        if (prepared) {
            result = PyTuple_Pack(2, pmid, prepared);
            Py_DECREF(prepared);
        }
    }
    goto done;
error:
    if (PyErr_Occurred()) fail_py(self);
done:
    Py_XDECREF(values); Py_XDECREF(mesh_rows); Py_XDECREF(pt_rows); Py_XDECREF(hash);
    Py_XDECREF(sections_json); Py_XDECREF(authors_json); Py_XDECREF(kw_json); Py_XDECREF(nct_json); Py_XDECREF(cc_json);
    Py_XDECREF(abstract); Py_XDECREF(nct); Py_XDECREF(pyear); Py_XDECREF(pdate); Py_XDECREF(entrez); Py_XDECREF(revised);
    Py_XDECREF(lang); Py_XDECREF(doi); Py_XDECREF(title); Py_XDECREF(version); Py_XDECREF(pmid); Py_XDECREF(journal);
    Py_XDECREF(jiso); Py_XDECREF(retracted);
    return result;
}

/* ------------------------------------------------------------------ SAX callbacks */
static Buf json_buf;  /* scratch for JSON text; the GIL serialises its users */

static void on_start(void *ud, const char *name, const char **atts) {
    ParserObject *self = (ParserObject *)ud;
    if (self->failed) return;
    self->text_run = 0;
    if (self->capturing && self->cap_head) self->cap_closed = 1;
    int depth = ++self->depth;  /* at most MAX_DEPTH: the scanner checks before it calls */
    int parent = depth > 1 ? self->stack[depth - 1].role : -1;
    int role;
    if (depth == 1) {
        if (is_target(name)) { fail(self, "a single record as the root element"); return; }
        role = R_ROOT;
    } else if (parent == R_SKIP) {
        /* A record element where none is expected: the lxml parser decides. */
        if (is_target(name) && !(depth == 3 && TAGIS(name, "MedlineCitation") && self->stack[2].role == R_PA)) {
            fail(self, "a record element at an unexpected place");
            return;
        }
        role = R_SKIP;
    } else {
        if (parent != R_ROOT && parent != R_PA && is_target(name)) {
            fail(self, "a record element at an unexpected place");
            return;
        }
        role = child_role(self, parent, name, atts);
        if (self->failed) return;
        if (role == R_PA || role == R_DEL) {
            if (art_init(&self->a) < 0) { fail_py(self); return; }
        }
    }
    self->stack[depth].role = role;
}

static void on_chars(void *ud, const char *s, int len) {
    ParserObject *self = (ParserObject *)ud;
    if (self->failed) return;
    self->text_run += len;
    if (self->text_run > MAX_TEXT_RUN) { fail(self, "a text node longer than libxml2 allows"); return; }
    if (self->capturing && !self->cap_closed) {
        if (buf_add(&self->cap, s, len) < 0) { PyErr_Clear(); fail(self, "out of memory"); }
    }
}

/* Append a tuple built from new references (stolen). */
static int append_new(PyObject *list, PyObject *item) {
    if (!item) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

static void on_end(void *ud, const char *name) {
    ParserObject *self = (ParserObject *)ud;
    (void)name;
    if (self->failed) return;
    self->text_run = 0;
    int depth = self->depth--;
    int role = self->stack[depth].role;
    if (role == R_SKIP || role == R_ROOT) return;
    Art *a = &self->a;
    PyObject *text = NULL;
    if (self->capturing && self->cap_depth == depth) {
        self->capturing = 0;
        text = self->cap_head ? raw_str(self->cap.p, self->cap.n) : squashed_str(self->cap.p, self->cap.n);
        if (!text) { fail_py(self); return; }
    }
    switch (role) {
    case R_PA: {
        PyObject *item = finish_article(self, &json_buf);
        art_clear(a);
        if (!item) { if (!self->failed) fail(self, "article"); return; }
        if (PyList_Append(self->out, item) < 0) fail_py(self);
        Py_DECREF(item);
        return;
    }
    case R_DEL:
        art_clear(a);
        return;
    case R_DEL_PMID: {
        PyObject *raw = py_strip(text);
        int dig = raw ? py_isdigit(raw) : -1;
        if (dig <= 0) { Py_XDECREF(raw); Py_DECREF(text); if (dig < 0) fail_py(self); else fail(self, "a PMID that is not a positive integer"); return; }
        PyObject *pmid = PyLong_FromUnicodeObject(raw, 10);
        Py_DECREF(raw);
        if (!pmid || append_new(self->out, PyTuple_Pack(2, pmid, Py_None)) < 0) fail_py(self);
        Py_XDECREF(pmid);
        break;
    }
    case R_PMID: a->pmid_text = text; text = NULL; break;
    case R_TITLE: a->title = text; text = NULL; break;
    case R_VTITLE: a->vtitle = text; text = NULL; break;
    case R_LANG: a->lang_text = text; text = NULL; break;
    case R_JTITLE: a->jtitle = text; text = NULL; break;
    case R_JISO: a->jiso = text; text = NULL; break;
    case R_ELOC: a->eloc_doi = strip_or_none(text); if (!a->eloc_doi) fail_py(self); break;
    case R_ACC: if (PyList_Append(a->acc_texts, text) < 0) fail_py(self); break;
    case R_PT:
        if (PyUnicode_GET_LENGTH(text) > 0 && append_new(a->pubtypes, PyTuple_Pack(2, text, a->attr1)) < 0) fail_py(self);
        CLEAR(a->attr1);
        break;
    case R_ABSTEXT:
        if (PyUnicode_GET_LENGTH(text) > 0 && append_new(a->sections, PyTuple_Pack(3, a->attr1, a->attr2, text)) < 0)
            fail_py(self);
        CLEAR(a->attr1); CLEAR(a->attr2);
        break;
    case R_YMD_PART: {
        Ymd *y = ymd_of(self, self->stack[depth - 1].role);
        if (y && !y->part[self->ymd_part]) { y->part[self->ymd_part] = text; text = NULL; }
        break;
    }
    case R_PPD: {
        PyObject *d = ymd_date(&a->ppd);
        if (!d) { fail_py(self); break; }
        Py_XSETREF(a->hist_date[a->ppd_index], d);
        ymd_clear(&a->ppd);
        break;
    }
    case R_A_LAST: case R_A_FORE: case R_A_INIT: case R_A_COLL: {
        PyObject **slot = role == R_A_LAST ? &a->a_last : role == R_A_FORE ? &a->a_fore : role == R_A_INIT ? &a->a_init : &a->a_coll;
        if (PyUnicode_GET_LENGTH(text) > 0 && !*slot) { *slot = text; text = NULL; }
        break;
    }
    case R_AFF:
        if (PyUnicode_GET_LENGTH(text) > 0 && list_add_unique(a->a_affs, text) < 0) fail_py(self);
        break;
    case R_AUTHOR: {
        PyObject *aff;
        if (PyList_GET_SIZE(a->a_affs) > 0) aff = PyUnicode_Join(s_semi_space, a->a_affs);
        else { aff = Py_None; Py_INCREF(aff); }
        if (!aff) { fail_py(self); break; }
#define OR_NONE(x) ((x) ? (x) : Py_None)
        PyObject *t = PyTuple_Pack(5, OR_NONE(a->a_last), OR_NONE(a->a_fore), OR_NONE(a->a_init), OR_NONE(a->a_coll), aff);
        Py_DECREF(aff);
        if (append_new(a->authors, t) < 0) fail_py(self);
        CLEAR(a->a_last); CLEAR(a->a_fore); CLEAR(a->a_init); CLEAR(a->a_coll); CLEAR(a->a_affs);
        break;
    }
    case R_QUAL:
        if (a->attr2 == Py_True) a->q_any_major = 1;
        if (append_new(a->q_list, PyTuple_Pack(3, text, a->attr1, a->attr2)) < 0) fail_py(self);
        CLEAR(a->attr1); CLEAR(a->attr2);
        break;
    case R_DESC: a->d_text = text; text = NULL; break;
    case R_MH:
        if (a->d_seen && a->d_text) {
            PyObject *major = (a->d_major || a->q_any_major) ? Py_True : Py_False;
            if (append_new(a->mesh, PyTuple_Pack(4, a->d_text, a->d_ui, major, a->q_list)) < 0) fail_py(self);
        }
        CLEAR(a->q_list); CLEAR(a->d_text); CLEAR(a->d_ui);
        break;
    case R_KW:
        if (PyUnicode_GET_LENGTH(text) > 0 && list_add_unique(a->keywords, text) < 0) fail_py(self);
        break;
    case R_CC_REF:
        a->cc_ref = PyUnicode_GET_LENGTH(text) > 0 ? text : (Py_INCREF(Py_None), Py_None);
        if (a->cc_ref == text) text = NULL;
        break;
    case R_CC_PMID: a->cc_pmid = text; text = NULL; break;
    case R_CC: {
        PyObject *pm = Py_None;
        Py_INCREF(pm);
        if (a->cc_pmid && PyUnicode_GET_LENGTH(a->cc_pmid) > 0) {
            PyObject *st = py_strip(a->cc_pmid);
            int dig = st ? py_isdigit(st) : -1;
            Py_XDECREF(st);
            if (dig < 0) { Py_DECREF(pm); fail_py(self); break; }
            if (dig) {
                Py_DECREF(pm);
                pm = PyLong_FromUnicodeObject(a->cc_pmid, 10);
                if (!pm) { fail_py(self); break; }
            }
        }
        PyObject *t = PyTuple_Pack(3, a->cc_type, OR_NONE(a->cc_ref), pm);
        Py_DECREF(pm);
        if (append_new(a->comments, t) < 0) fail_py(self);
        CLEAR(a->cc_type); CLEAR(a->cc_ref); CLEAR(a->cc_pmid);
        break;
    }
    case R_AID: {
        PyObject *v = strip_or_none(text);
        if (!v) { fail_py(self); break; }
        PyObject **slot = a->aid_is_pmc ? &a->pmc : &a->doi;
        if (v != Py_None && !*slot) *slot = v;
        else Py_DECREF(v);
        break;
    }
    default:
        break;
    }
    Py_XDECREF(text);
}

/* ------------------------------------------------------------------ the scanner
 * A non-validating XML 1.0 scanner (W3C XML 1.0, 5th ed.) for what PubMed XML
 * is made of: elements, attributes, text, the five predefined entities,
 * character references, CDATA sections, comments, processing instructions, an
 * XML declaration and a DOCTYPE without an internal subset. It calls on_start,
 * on_chars and on_end as a SAX parser would, and checks what libxml2 checks
 * on such input: well-formed UTF-8 of XML characters only, matching tags, no
 * duplicate attributes, no '<' in attribute values, no "]]>" in text, no "--"
 * in comments, one root element, declared namespace prefixes. What it does
 * not handle exactly (another encoding, a non-ASCII name, an entity that only
 * a DTD could define, a namespace declaration where tags matter, malformed
 * input) it hands over: the lxml parser then decides, and words the error.
 * It does less than expat, which this module used before: no line and column
 * tracking, no hash table of names, no per-name allocation; parse and prepare
 * went from 140 to 66 us per synthetic article (bench/ingest.py's machine). */
#define NEED (-1)                   /* the token continues past the data seen so far */
#define BAD (-2)                    /* handed over (self->failed is set) */

/* ASCII name characters (XML 1.0, productions [4] and [4a]): 1 = NameChar, 3 = NameStartChar too. */
static unsigned char NAME_CH[256];

static void name_table_init(void) {
    for (int c = 0; c < 256; c++) {
        int start = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
        int other = (c >= '0' && c <= '9') || c == '.' || c == '-';
        NAME_CH[c] = start ? 3 : other ? 1 : 0;
    }
}

static inline int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static Py_ssize_t bad(ParserObject *self, const char *why) {
    fail(self, why);
    return BAD;
}

/* Check in[valid..n) as UTF-8 encoding only characters of XML 1.0's Char
 * production [2]; advance `valid` to the end, or to a sequence cut by the end
 * of the data (more may come), or to the first bad byte. Returns -1 at a bad
 * byte, else 0. */
static int check_chars(ParserObject *self, int final) {
    const unsigned char *p = (const unsigned char *)self->in.p;
    Py_ssize_t i = self->valid, n = self->in.n;
    int ret = 0;
#ifdef __SSE2__
    const __m128i c20 = _mm_set1_epi8(0x20), c09 = _mm_set1_epi8(9), c0a = _mm_set1_epi8(10), c0d = _mm_set1_epi8(13);
#endif
    while (i < n) {
#ifdef __SSE2__
        while (i + 16 <= n) {  /* 16 printable ASCII bytes or tab/newline/return at a time */
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i low = _mm_cmplt_epi8(v, c20);  /* signed: controls and every byte >= 0x80 */
            __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, c09), _mm_cmpeq_epi8(v, c0a)),
                                      _mm_cmpeq_epi8(v, c0d));
            if (_mm_movemask_epi8(_mm_andnot_si128(ok, low))) break;
            i += 16;
        }
        if (i >= n) break;
#endif
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 && c != 9 && c != 10 && c != 13) { ret = -1; break; }
            i++;
            continue;
        }
        int len;
        unsigned char lo = 0x80, hi = 0xBF;  /* range of the second byte (RFC 3629, section 4) */
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; if (c == 0xE0) lo = 0xA0; else if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; if (c == 0xF0) lo = 0x90; else if (c == 0xF4) hi = 0x8F; }
        else { ret = -1; break; }
        Py_ssize_t have = n - i < len ? n - i : len;
        int ok = 1;
        for (Py_ssize_t k = 1; k < have; k++) {
            unsigned char d = p[i + k];
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) { ok = 0; break; }
        }
        if (!ok) { ret = -1; break; }
        if (have < len) { if (final) ret = -1; break; }
        if (c == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE) { ret = -1; break; }  /* U+FFFE, U+FFFF */
        i += len;
    }
    self->valid = i;
    return ret;
}

/* First index in b[i..end) of a byte text cannot simply pass on: '<', '&',
 * '\r' (line ends are normalised), ']' (for "]]>"); end if none. */
static inline Py_ssize_t find_special(const char *b, Py_ssize_t i, Py_ssize_t end) {
#ifdef __SSE2__
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), cr = _mm_set1_epi8('\r'), rb = _mm_set1_epi8(']');
    while (i + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                               _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, rb))));
        if (m) return i + __builtin_ctz((unsigned)m);
        i += 16;
    }
#endif
    while (i < end && b[i] != '<' && b[i] != '&' && b[i] != '\r' && b[i] != ']') i++;
    return i;
}

static inline void emit(ParserObject *self, const char *s, Py_ssize_t n) {
    while (n > 0 && !self->failed) {
        int part = n > (1 << 30) ? (1 << 30) : (int)n;
        on_chars(self, s, part);
        s += part;
        n -= part;
    }
}

/* b[i..e) as character data with XML's line-end handling ("\r\n" and "\r"
 * become "\n"; XML 1.0, section 2.11). */
static void emit_lines(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t e) {
    Py_ssize_t start = i;
    for (; i < e; i++) {
        if (b[i] != '\r') continue;
        emit(self, b + start, i - start);
        emit(self, "\n", 1);
        if (i + 1 < e && b[i + 1] == '\n') i++;
        start = i + 1;
    }
    emit(self, b + start, e - start);
}

/* Does b[i..end) start with lit? 1 yes, 0 no, NEED if it could once more data comes. */
static int starts(const char *b, Py_ssize_t i, Py_ssize_t end, const char *lit) {
    for (; *lit; lit++, i++) {
        if (i >= end) return NEED;
        if (b[i] != *lit) return 0;
    }
    return 1;
}

static inline Py_ssize_t skip_ws(const char *b, Py_ssize_t i, Py_ssize_t end) {
    while (i < end && is_ws(b[i])) i++;
    return i;
}

/* Eq and the opening quote of a value (XML 1.0, productions [25] and [10]) at
 * b[k]: the index after the quote, the quote in *q; NEED, or BAD with why. */
static Py_ssize_t scan_eq_quote(ParserObject *self, const char *b, Py_ssize_t k, Py_ssize_t end, char *q,
                                const char *why) {
    k = skip_ws(b, k, end);
    if (k >= end) return NEED;
    if (b[k] != '=') return bad(self, why);
    k = skip_ws(b, k + 1, end);
    if (k >= end) return NEED;
    *q = b[k];
    if (*q != '"' && *q != '\'') return bad(self, why);
    return k + 1;
}

/* An ASCII name at b[i]: its end, or NEED / BAD. */
static Py_ssize_t scan_name(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    if (i >= end) return NEED;
    if (!(NAME_CH[(unsigned char)b[i]] & 2))
        return bad(self, (unsigned char)b[i] >= 0x80 ? "a non-ASCII name" : "a malformed name");
    Py_ssize_t j = i + 1;
    while (j < end && NAME_CH[(unsigned char)b[j]]) j++;
    if (j >= end) return NEED;
    if ((unsigned char)b[j] >= 0x80) return bad(self, "a non-ASCII name");
    return j;
}

/* A reference at b[i] == '&' (XML 1.0, production [67]): the character(s) in
 * out, *len bytes; returns the index after ';', or NEED / BAD. */
static Py_ssize_t scan_ref(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end, char *out, int *len) {
    Py_ssize_t k = i + 1, lim = i + 12;
    while (k < end && k < lim && b[k] != ';') k++;
    if (k >= end && k < lim) return NEED;
    if (k >= lim) return bad(self, "an unterminated or unknown reference");
    const char *s = b + i + 1;
    Py_ssize_t n = k - i - 1;
    unsigned long cp = 0;
    if (n >= 2 && s[0] == '#') {
        int hex = s[1] == 'x';
        Py_ssize_t d = hex ? 2 : 1;
        if (d >= n || n - d > (hex ? 6 : 7)) return bad(self, "a character reference XML 1.0 does not allow");
        for (; d < n; d++) {
            char c = s[d];
            int v = c >= '0' && c <= '9' ? c - '0' : !hex ? -1 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0) return bad(self, "a malformed character reference");
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
        }
        if (!(cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF)))
            return bad(self, "a character reference XML 1.0 does not allow");
    } else if (n == 2 && s[0] == 'l' && s[1] == 't') cp = '<';
    else if (n == 2 && s[0] == 'g' && s[1] == 't') cp = '>';
    else if (n == 3 && memcmp(s, "amp", 3) == 0) cp = '&';
    else if (n == 4 && memcmp(s, "apos", 4) == 0) cp = '\'';
    else if (n == 4 && memcmp(s, "quot", 4) == 0) cp = '"';
    else return bad(self, "an undeclared entity reference");
    if (cp < 0x80) { out[0] = (char)cp; *len = 1; }
    else if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); *len = 2; }
    else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); *len = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); *len = 4;
    }
    return k + 1;
}

/* Character data from b[i] up to the next markup or reference. */
static Py_ssize_t scan_text(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end, int final) {
    if (self->root_state != 1) {  /* outside the root element only whitespace may stand */
        Py_ssize_t j = skip_ws(b, i, end);
        if (j < end && b[j] != '<') return bad(self, "content outside the root element");
        return j;
    }
    Py_ssize_t start = i, j = i;
    for (;;) {
        j = find_special(b, j, end);
        if (j >= end || b[j] == '<' || b[j] == '&') break;
        if (b[j] == ']') {
            if (j + 2 < end) {
                if (b[j + 1] == ']' && b[j + 2] == '>') {
                    emit(self, b + start, j - start);
                    return bad(self, "']]>' in text");
                }
            } else if (!final) break;  /* see what follows first */
            j++;
            continue;
        }
        /* '\r' */
        if (j + 1 >= end && !final) break;
        emit(self, b + start, j - start);
        emit(self, "\n", 1);
        j += (j + 1 < end && b[j + 1] == '\n') ? 2 : 1;
        start = j;
    }
    emit(self, b + start, j - start);
    return j;
}

/* Attribute value normalisation for CDATA attributes (XML 1.0, section 3.3.3):
 * references replaced, each whitespace character (after line-end handling)
 * made a space. Appends the value of b[i..e) and a NUL to self->attbuf. */
static int add_attr_value(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t e) {
    Buf *ab = &self->attbuf;
    Py_ssize_t start = i;
    for (; i < e; i++) {
        char c = b[i];
        if (c != '&' && c != '\t' && c != '\n' && c != '\r') continue;
        if (buf_add(ab, b + start, i - start) < 0) return -1;
        if (c == '&') {
            char out[4];
            int len;
            Py_ssize_t r = scan_ref(self, b, i, e, out, &len);
            if (r < 0) { if (r == NEED) fail(self, "an unterminated reference"); return -1; }
            if (buf_add(ab, out, len) < 0) return -1;
            i = r - 1;
        } else {
            if (buf_ch(ab, ' ') < 0) return -1;
            if (c == '\r' && i + 1 < e && b[i + 1] == '\n') i++;
        }
        start = i + 1;
    }
    if (buf_add(ab, b + start, e - start) < 0 || buf_ch(ab, '\0') < 0) return -1;
    return 0;
}

static int ns_declared(ParserObject *self, const char *prefix, Py_ssize_t plen) {
    for (int k = self->ns_n - 1; k >= 0; k--) {
        const char *p = self->nsbuf.p + self->ns_at[k];
        if ((Py_ssize_t)strlen(p) == plen && memcmp(p, prefix, plen) == 0) return 1;
    }
    return 0;
}

/* A namespace name both parsers take the same way: http(s)://, then only
 * RFC 3986 unreserved characters and '/', and not one of the two reserved
 * names. libxml2 refuses a namespace name it cannot parse as a URI; anything
 * else goes to lxml to decide. */
static int ns_uri_ok(const char *v) {
    if (strcmp(v, "http://www.w3.org/XML/1998/namespace") == 0 || strcmp(v, "http://www.w3.org/2000/xmlns/") == 0)
        return 0;
    if (strncmp(v, "http://", 7) == 0) v += 7;
    else if (strncmp(v, "https://", 8) == 0) v += 8;
    else return 0;
    if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9'))) return 0;
    for (; *v; v++)
        if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || strchr("-._~/", *v)))
            return 0;
    return 1;
}

/* Namespaces (Namespaces in XML 1.0): lxml resolves them and tags then carry a
 * URI, so a declaration is only taken inside captured text, where tags do not
 * matter; a prefix must be declared; names are QNames. The element's name and
 * attributes are in atts form: atts[0] is the element name here. */
static int check_namespaces(ParserObject *self, const char *name, int natts) {
    int decls = 0;
    for (int k = 0; k < natts; k++) {
        const char *an = self->atts[2 * k];
        if (strncmp(an, "xmlns", 5) == 0 && (an[5] == '\0' || an[5] == ':')) {
            if (!self->capturing) { fail(self, "a namespace declaration outside captured text"); return -1; }
            if (!ns_uri_ok(self->atts[2 * k + 1])) { fail(self, "a namespace name this parser does not check"); return -1; }
            if (an[5] == ':') {
                const char *pfx = an + 6;
                if (!*pfx || strchr(pfx, ':') || strcmp(pfx, "xml") == 0 || strcmp(pfx, "xmlns") == 0) {
                    fail(self, "an unusual namespace declaration");
                    return -1;
                }
                decls++;
            }
        }
    }
    if (decls) {
        if (self->ns_n + decls > MAX_NS) { fail(self, "too many namespace declarations"); return -1; }
        for (int k = 0; k < natts; k++) {
            const char *an = self->atts[2 * k];
            if (strncmp(an, "xmlns:", 6) != 0) continue;
            self->ns_at[self->ns_n] = self->nsbuf.n;
            self->ns_depth[self->ns_n++] = self->depth + 1;  /* the element's, before on_start */
            if (buf_add(&self->nsbuf, an + 6, (Py_ssize_t)strlen(an + 6) + 1) < 0) { PyErr_Clear(); fail(self, "out of memory"); return -1; }
        }
    }
    /* the element's name, then each attribute's */
    for (int k = -1; k < natts; k++) {
        const char *qn = k < 0 ? name : self->atts[2 * k];
        const char *colon = strchr(qn, ':');
        if (!colon) continue;
        if (k >= 0 && strncmp(qn, "xmlns:", 6) == 0) continue;
        if (colon == qn || !colon[1] || strchr(colon + 1, ':')) { fail(self, "a name that is not a QName"); return -1; }
        Py_ssize_t plen = colon - qn;
        if (k >= 0 && plen == 3 && memcmp(qn, "xml", 3) == 0) continue;  /* bound by definition */
        if (!ns_declared(self, qn, plen)) { fail(self, "an undeclared namespace prefix"); return -1; }
        if (k >= 0) {  /* two prefixed attributes with one local name may name the same attribute */
            for (int m = k + 1; m < natts; m++) {
                const char *other = strchr(self->atts[2 * m], ':');
                if (other && strcmp(other, colon) == 0 && strncmp(self->atts[2 * m], "xmlns:", 6) != 0) {
                    fail(self, "prefixed attributes with the same local name");
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* After on_end (which closed the element in self->depth): forget its name and
 * the namespace prefixes it declared. */
static void pop_element(ParserObject *self) {
    self->names.n = self->stack[self->depth + 1].name_at;
    while (self->ns_n > 0 && self->ns_depth[self->ns_n - 1] > self->depth) self->nsbuf.n = self->ns_at[--self->ns_n];
    if (self->depth == 0) self->root_state = 2;
}

/* A start tag at b[i] == '<' (XML 1.0, productions [40], [44]). */
static Py_ssize_t scan_start_tag(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t j = scan_name(self, b, i + 1, end);
    if (j < 0) return j;
    Py_ssize_t name_start = i + 1, name_len = j - name_start;
    int ns = memchr(b + name_start, ':', name_len) != NULL;
    Buf *ab = &self->attbuf;
    ab->n = 0;
    Py_ssize_t offs[2 * MAX_ATTS];
    int natts = 0, empty = 0;
    for (;;) {
        Py_ssize_t k = skip_ws(b, j, end);
        if (k >= end) return NEED;
        if (b[k] == '>') { j = k + 1; break; }
        if (b[k] == '/') {
            if (k + 1 >= end) return NEED;
            if (b[k + 1] != '>') return bad(self, "a malformed start tag");
            j = k + 2;
            empty = 1;
            break;
        }
        if (k == j) return bad(self, "attributes without whitespace between them");
        Py_ssize_t an = k;
        k = scan_name(self, b, an, end);
        if (k < 0) return k;
        Py_ssize_t an_len = k - an;
        if (memchr(b + an, ':', an_len) || (an_len >= 5 && memcmp(b + an, "xmlns", 5) == 0)) ns = 1;
        char q;
        Py_ssize_t v = scan_eq_quote(self, b, k, end, &q, "a malformed attribute");
        if (v < 0) return v;
        Py_ssize_t ve = v;
        while (ve < end && b[ve] != q && b[ve] != '<') ve++;
        if (ve >= end) return NEED;
        if (b[ve] == '<') return bad(self, "'<' in an attribute value");
        if (natts == MAX_ATTS) return bad(self, "too many attributes");
        for (int m = 0; m < natts; m++) {
            Py_ssize_t o = offs[2 * m];
            if ((Py_ssize_t)strlen(ab->p + o) == an_len && memcmp(ab->p + o, b + an, an_len) == 0)
                return bad(self, "a repeated attribute");
        }
        offs[2 * natts] = ab->n;
        if (buf_add(ab, b + an, an_len) < 0 || buf_ch(ab, '\0') < 0) { PyErr_Clear(); return bad(self, "out of memory"); }
        offs[2 * natts + 1] = ab->n;
        if (add_attr_value(self, b, v, ve) < 0) {
            if (!self->failed) { PyErr_Clear(); fail(self, "out of memory"); }
            return BAD;
        }
        natts++;
        j = ve + 1;
    }
    /* the whole tag is here: open the element */
    if (self->root_state == 2) return bad(self, "a second root element");
    if (self->depth + 1 > MAX_DEPTH) return bad(self, "nesting deeper than libxml2 allows");
    self->root_state = 1;
    for (int m = 0; m < 2 * natts; m++) self->atts[m] = ab->p + offs[m];
    self->atts[2 * natts] = NULL;
    Py_ssize_t at = self->names.n;
    if (buf_add(&self->names, b + name_start, name_len) < 0 || buf_ch(&self->names, '\0') < 0) {
        PyErr_Clear();
        return bad(self, "out of memory");
    }
    self->stack[self->depth + 1].name_at = at;
    const char *name = self->names.p + at;
    if (ns && check_namespaces(self, name, natts) < 0) return BAD;
    on_start(self, name, self->atts);
    if (empty && !self->failed) {
        on_end(self, name);
        pop_element(self);
    }
    return self->failed ? BAD : j;
}

/* An end tag at b[i] == '<', b[i + 1] == '/' (production [42]). */
static Py_ssize_t scan_end_tag(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t j = scan_name(self, b, i + 2, end);
    if (j < 0) return j;
    Py_ssize_t k = skip_ws(b, j, end);
    if (k >= end) return NEED;
    if (b[k] != '>') return bad(self, "a malformed end tag");
    if (self->depth == 0) return bad(self, "an end tag without a start tag");
    const char *open = self->names.p + self->stack[self->depth].name_at;
    Py_ssize_t len = j - (i + 2);
    if ((Py_ssize_t)strlen(open) != len || memcmp(open, b + i + 2, len) != 0) return bad(self, "mismatched tags");
    on_end(self, open);
    pop_element(self);
    return self->failed ? BAD : k + 1;
}

/* A comment (production [15]): "--" only as part of the closing "-->". */
static Py_ssize_t scan_comment(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t k = i + 4;
    for (;;) {
        const char *d = memchr(b + k, '-', end - k);
        if (!d) return NEED;
        k = d - b;
        if (k + 1 >= end) return NEED;
        if (b[k + 1] != '-') { k++; continue; }
        if (k + 2 >= end) return NEED;
        if (b[k + 2] != '>') return bad(self, "'--' inside a comment");
        return k + 3;
    }
}

/* A CDATA section (production [18]): its content is text, line ends normalised. */
static Py_ssize_t scan_cdata(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    if (self->root_state != 1) return bad(self, "a CDATA section outside the root element");
    Py_ssize_t s = i + 9, k = s;
    for (;;) {
        const char *d = memchr(b + k, ']', end - k);
        if (!d) return NEED;
        k = d - b;
        if (k + 2 >= end) return NEED;
        if (b[k + 1] == ']' && b[k + 2] == '>') break;
        k++;
    }
    emit_lines(self, b, s, k);
    return self->failed ? BAD : k + 3;
}

/* A quoted literal at b[i]: the index after its closing quote, or NEED / BAD.
 * pubid: only PubidChars (production [13]). */
static Py_ssize_t scan_literal(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end, int pubid) {
    if (i >= end) return NEED;
    char q = b[i];
    if (q != '"' && q != '\'') return bad(self, "a malformed DOCTYPE");
    Py_ssize_t k = i + 1;
    for (; k < end && b[k] != q; k++) {
        unsigned char c = (unsigned char)b[k];
        if (pubid && !(c == ' ' || c == '\r' || c == '\n' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       strchr("-'()+,./:=?;!*#@$_%", c)))
            return bad(self, "a malformed DOCTYPE");
    }
    return k >= end ? NEED : k + 1;
}

/* <!DOCTYPE Name (SYSTEM lit | PUBLIC pubid lit)? S? '>' (production [28] without an internal subset). */
static Py_ssize_t scan_doctype(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    if (self->root_state != 0 || self->seen_doctype) return bad(self, "a DOCTYPE where none may stand");
    Py_ssize_t k = i + 9;
    if (k >= end) return NEED;
    if (!is_ws(b[k])) return bad(self, "a malformed DOCTYPE");
    k = scan_name(self, b, skip_ws(b, k, end), end);
    if (k < 0) return k;
    Py_ssize_t j = skip_ws(b, k, end);
    if (j >= end) return NEED;
    if (j > k && b[j] != '>') {
        int sys = starts(b, j, end, "SYSTEM"), pub = starts(b, j, end, "PUBLIC");
        if (sys == NEED || pub == NEED) return NEED;
        if (!sys && !pub) return bad(self, "a malformed DOCTYPE");
        k = j + 6;
        if (k >= end) return NEED;
        if (!is_ws(b[k])) return bad(self, "a malformed DOCTYPE");
        k = scan_literal(self, b, skip_ws(b, k, end), end, pub);
        if (k < 0) return k;
        if (pub) {
            if (k >= end) return NEED;
            if (!is_ws(b[k])) return bad(self, "a malformed DOCTYPE");
            k = scan_literal(self, b, skip_ws(b, k, end), end, 0);
            if (k < 0) return k;
        }
        j = skip_ws(b, k, end);
        if (j >= end) return NEED;
    }
    if (b[j] != '>') return bad(self, "a DOCTYPE with an internal subset or a malformed one");
    self->seen_doctype = 1;
    return j + 1;
}

/* Eq and a quoted value (production [25]); *v, *ve: the value's bounds. */
static Py_ssize_t scan_pseudo_attr(ParserObject *self, const char *b, Py_ssize_t k, Py_ssize_t end,
                                   Py_ssize_t *v, Py_ssize_t *ve) {
    char q;
    *v = scan_eq_quote(self, b, k, end, &q, "a malformed XML declaration");
    if (*v < 0) return *v;
    const char *e = memchr(b + *v, q, end - *v);
    if (!e) return NEED;
    *ve = e - b;
    return *ve + 1;
}

static int value_is(const char *b, Py_ssize_t v, Py_ssize_t ve, const char *lit, int nocase) {
    Py_ssize_t n = (Py_ssize_t)strlen(lit);
    if (ve - v != n) return 0;
    return nocase ? PyOS_strnicmp(b + v, lit, n) == 0 : memcmp(b + v, lit, n) == 0;
}

/* The XML declaration (production [23]): version 1.0, UTF-8 if an encoding is named. */
static Py_ssize_t scan_xml_decl(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    static const char *const names[] = {"version", "encoding", "standalone"};
    Py_ssize_t k = i + 5;
    int next = 0;
    for (;;) {
        Py_ssize_t j = skip_ws(b, k, end);
        if (j + 1 >= end) return NEED;
        if (b[j] == '?' && b[j + 1] == '>') {
            if (next == 0) return bad(self, "an XML declaration without a version");
            return j + 2;
        }
        if (j == k) return bad(self, "a malformed XML declaration");
        int which = -1;
        for (int m = next; m < 3 && which < 0; m++) {
            int s = starts(b, j, end, names[m]);
            if (s == NEED) return NEED;
            if (s) which = m;
        }
        if (which < 0 || (next == 0 && which != 0)) return bad(self, "a malformed XML declaration");
        Py_ssize_t v, ve;
        k = scan_pseudo_attr(self, b, j + strlen(names[which]), end, &v, &ve);
        if (k < 0) return k;
        if (which == 0 && !value_is(b, v, ve, "1.0", 0)) return bad(self, "an XML version other than 1.0");
        if (which == 1 && !value_is(b, v, ve, "UTF-8", 1)) return bad(self, "an encoding other than UTF-8");
        if (which == 2 && !value_is(b, v, ve, "yes", 0) && !value_is(b, v, ve, "no", 0))
            return bad(self, "a malformed XML declaration");
        next = which + 1;
    }
}

/* A processing instruction (production [16]), or the XML declaration. */
static Py_ssize_t scan_pi(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t j = scan_name(self, b, i + 2, end);
    if (j < 0) return j;
    Py_ssize_t n = j - (i + 2);
    const char *t = b + i + 2;
    if (n == 3 && PyOS_strnicmp(t, "xml", 3) == 0) {
        if (memcmp(t, "xml", 3) == 0 && self->consumed + i == self->doc_start) return scan_xml_decl(self, b, i, end);
        return bad(self, "a reserved processing instruction name");
    }
    if (memchr(t, ':', n)) return bad(self, "a colon in a processing instruction name");
    if (j + 1 >= end) return NEED;
    if (b[j] == '?' && b[j + 1] == '>') return j + 2;
    if (!is_ws(b[j])) return bad(self, "a malformed processing instruction");
    for (Py_ssize_t k = j + 1;; k++) {
        const char *q = memchr(b + k, '?', end - k);
        if (!q) return NEED;
        k = q - b;
        if (k + 1 >= end) return NEED;
        if (b[k + 1] == '>') return k + 2;
    }
}

static Py_ssize_t scan_markup(ParserObject *self, const char *b, Py_ssize_t i, Py_ssize_t end) {
    if (i + 1 >= end) return NEED;
    char c = b[i + 1];
    if (c == '/') return scan_end_tag(self, b, i, end);
    if (c == '?') return scan_pi(self, b, i, end);
    if (c != '!') return scan_start_tag(self, b, i, end);
    static const char *const kinds[] = {"<!--", "<![CDATA[", "<!DOCTYPE"};
    for (int m = 0; m < 3; m++) {
        int s = starts(b, i, end, kinds[m]);
        if (s == NEED) return NEED;
        if (s) return m == 0 ? scan_comment(self, b, i, end) : m == 1 ? scan_cdata(self, b, i, end)
                                                                      : scan_doctype(self, b, i, end);
    }
    return bad(self, "a markup declaration outside a DOCTYPE");
}

/* Scan in[pos..valid) as far as whole tokens go; final: no more data will come. */
static void scan(ParserObject *self, int final) {
    const char *b = self->in.p;
    Py_ssize_t i = self->pos, end = self->valid;
    while (i < end && !self->failed) {
        Py_ssize_t r;
        char c = b[i];
        if (c == '<') r = scan_markup(self, b, i, end);
        else if (c == '&') {
            char out[4];
            int len;
            if (self->root_state != 1) { bad(self, "content outside the root element"); break; }
            r = scan_ref(self, b, i, end, out, &len);
            if (r >= 0) emit(self, out, len);
        } else r = scan_text(self, b, i, end, final);
        if (r == BAD) break;
        if (r == NEED || r == i) {
            if (end - i > MAX_MARKUP) fail(self, "markup longer than this parser takes");
            break;
        }
        i = r;
    }
    self->pos = i;
}

/* ------------------------------------------------------------------ Parser type */
static PyObject *Parser_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "", kwlist)) return NULL;
    if (!cfg_sha256) {
        PyErr_SetString(PyExc_RuntimeError, "_pubmed_fast.configure() was not called");
        return NULL;
    }
    ParserObject *self = (ParserObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    self->out = PyList_New(0);
    if (!self->out) { Py_DECREF(self); return NULL; }
    return (PyObject *)self;  /* every other field starts at zero (tp_alloc) */
}

static void Parser_dealloc(ParserObject *self) {
    buf_free(&self->in);
    buf_free(&self->names);
    buf_free(&self->attbuf);
    buf_free(&self->nsbuf);
    art_clear(&self->a);
    buf_free(&self->cap);
    Py_XDECREF(self->out);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *take_out(ParserObject *self) {
    PyObject *out = self->out;
    self->out = PyList_New(0);
    if (!self->out) { self->out = out; return NULL; }
    return out;
}

/* Raise Fallback(reason, items): the items completed before the failure are
 * valid and are handed over with it. */
static PyObject *raise_fallback(ParserObject *self, PyObject *reason) {
    PyObject *items = reason ? take_out(self) : NULL;
    PyObject *args = items ? PyTuple_Pack(2, reason, items) : NULL;
    if (args) PyErr_SetObject(Fallback, args);
    Py_XDECREF(args);
    Py_XDECREF(items);
    Py_XDECREF(reason);
    return NULL;
}

static PyObject *do_parse(ParserObject *self, const char *data, Py_ssize_t n, int final) {
    if (self->failed) return raise_fallback(self, PyUnicode_FromString(self->why ? self->why : "earlier failure"));
    Buf *in = &self->in;
    if (self->pos > 0) {  /* drop what was scanned; keep a token cut by the end of the data */
        memmove(in->p, in->p + self->pos, in->n - self->pos);
        in->n -= self->pos;
        self->valid -= self->pos;
        self->consumed += self->pos;
        self->pos = 0;
    }
    if (n > 0 && buf_add(in, data, n) < 0) return PyErr_NoMemory();
    if (!self->started) {
        if (in->n < 3 && !final) return take_out(self);
        self->started = 1;
        if (in->n >= 3 && memcmp(in->p, "\xEF\xBB\xBF", 3) == 0) self->pos = self->valid = self->doc_start = 3;
    }
    int chars_ok = check_chars(self, final) == 0;
    scan(self, final && chars_ok);
    if (!chars_ok) fail(self, "bytes that are not UTF-8 XML characters");
    else if (final && (self->pos < in->n || self->root_state != 2)) fail(self, "the document ends early");
    if (self->failed) return raise_fallback(self, PyUnicode_FromString(self->why));
    return take_out(self);
}

static PyObject *Parser_feed(ParserObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *r = do_parse(self, view.buf, view.len, 0);
    PyBuffer_Release(&view);
    return r;
}

static PyObject *Parser_close(ParserObject *self, PyObject *Py_UNUSED(ignored)) {
    return do_parse(self, "", 0, 1);
}

static PyMethodDef Parser_methods[] = {
    {"feed", (PyCFunction)Parser_feed, METH_O,
     "feed(data) -> list of (pmid, prepared) for articles and (pmid, None) for deleted PMIDs completed in data"},
    {"close", (PyCFunction)Parser_close, METH_NOARGS, "close() -> the last items; the document must be complete"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ParserType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "harvester._pubmed_fast.Parser",
    .tp_basicsize = sizeof(ParserObject),
    .tp_dealloc = (destructor)Parser_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Incremental PubMed XML to prepared rows (see harvester/fast_xml.py).",
    .tp_methods = Parser_methods,
    .tp_new = Parser_new,
};

/* ------------------------------------------------------------------ module */
static PyObject *configure(PyObject *mod, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"entrez_statuses", "retracted_refs", "retracted_pubtypes", "ignored_refs", "nct_findall",
                             "months", "month_abbr", "year_search", "sha256", NULL};
    PyObject *v[9];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!OO!O!OO", kwlist, &PyTuple_Type, &v[0], &PyFrozenSet_Type,
                                     &v[1], &PyFrozenSet_Type, &v[2], &PyFrozenSet_Type, &v[3], &v[4], &PyDict_Type,
                                     &v[5], &PyDict_Type, &v[6], &v[7], &v[8]))
        return NULL;
    if (PyTuple_GET_SIZE(v[0]) > 4) {
        PyErr_SetString(PyExc_ValueError, "at most 4 entrez date statuses");
        return NULL;
    }
    PyObject **slots[] = {&cfg_entrez_statuses, &cfg_retracted_refs, &cfg_retracted_pubtypes, &cfg_ignored_refs,
                          &cfg_nct_findall, &cfg_months, &cfg_month_abbr, &cfg_year_search, &cfg_sha256};
    for (int i = 0; i < 9; i++) {
        Py_INCREF(v[i]);
        Py_XSETREF(*slots[i], v[i]);
    }
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "configure(**rules): the rules of harvester/resources/pubmed_rules.json and helpers; call once"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_pubmed_fast", "PubMed XML to prepared rows, with its own XML scanner.", -1, module_methods,
};

PyMODINIT_FUNC PyInit__pubmed_fast(void) {
    name_table_init();
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) return NULL;
    if (PyType_Ready(&ParserType) < 0) return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    Fallback = PyErr_NewExceptionWithDoc("harvester._pubmed_fast.Fallback",
                                         "This input needs the lxml parser (the reason is the message).", NULL, NULL);
    s_empty = PyUnicode_FromString("");
    s_space = PyUnicode_FromString(" ");
    s_newline = PyUnicode_FromString("\n");
    s_colon_space = PyUnicode_FromString(": ");
    s_semi_space = PyUnicode_FromString("; ");
    s_NCT = PyUnicode_FromString("NCT");
    s_strip = PyUnicode_InternFromString("strip");
    s_isdigit = PyUnicode_InternFromString("isdigit");
    s_lower = PyUnicode_InternFromString("lower");
    s_upper = PyUnicode_InternFromString("upper");
    s_hexdigest = PyUnicode_InternFromString("hexdigest");
    if (!Fallback || !s_empty || !s_space || !s_newline || !s_colon_space || !s_semi_space || !s_NCT || !s_strip ||
        !s_isdigit || !s_lower || !s_upper || !s_hexdigest) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(Fallback);
    if (PyModule_AddObject(m, "Fallback", Fallback) < 0) { Py_DECREF(m); return NULL; }
    Py_INCREF(&ParserType);
    if (PyModule_AddObject(m, "Parser", (PyObject *)&ParserType) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
