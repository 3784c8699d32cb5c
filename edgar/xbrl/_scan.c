/*
 * edgar.xbrl._scan: a one-pass C scanner for XBRL instance documents (the optional accelerator of
 * edgar/xbrl/instance.py).
 *
 * scan(body, xbrli_ns, xbrldi_ns, link_ns, xsi_ns) reads a UTF-8 (or US-ASCII) XBRL instance and returns
 *
 *   (root_nsmap, n_children, contexts, units, facts, tags, pending, footnote_links)
 *
 *   root_nsmap      [(prefix or None, uri)] declared on the root element
 *   n_children      number of element children of the root
 *   contexts        [(id, identifier text or None, [(code, text)], [(dimension, member text, typed)])]
 *                   period codes: 0 forever, 1 instant, 2 startDate, 3 endDate (document order)
 *   units           [(id, has_divide, [(where, measure text)])]  where: 0 plain, 1 numerator, 2 denominator
 *   facts           [(Clark tag, contextRef, unitRef, value, numeric, decimals, precision, nil, id, None)]
 *                   in the shape of edgar.xbrl.factset.RawFact (tag instead of concept): value is None for nil
 *                   facts, the canonical text of an integer, or the final text of a text fact (markup of
 *                   escaped XHTML removed, references resolved, whitespace collapsed); decimals and precision
 *                   are int or None
 *   tags            {Clark tag: prefix written with its first fact}
 *   pending         indices of the facts Python must finish: their value is the element text as decoded
 *                   (numbers other than integers, text that needs html.unescape...) and decimals/precision
 *                   may be the attribute text
 *   footnote_links  [(start, end, [(prefix or None, uri)])]: byte span of each link:footnoteLink and the
 *                   namespaces in scope there, for lxml to read
 *
 * or None whenever the document is anything it does not handle exactly as lxml would: another encoding, a
 * DOCTYPE, tuples, child elements or comments inside facts, undeclared prefixes, and every well-formedness
 * error. The caller then parses the document with lxml, which gives the same facts or the precise error.
 * Nothing here decides what a fact means; edgar/xbrl/instance.py does, for both paths.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define BAIL (-1)   /* not handled here: the caller falls back to lxml */
#define PYERR (-2)  /* a Python exception is set */

#define C_NAME_START 1
#define C_NAME 2
#define C_SPACE 4
#define C_TEXT_SPECIAL 8 /* '<' '&' '\r' ']' and control characters */
#define C_CONTROL 16     /* not allowed anywhere in XML 1.0 */

static unsigned char CLS[256];

static void init_classes(void) {
    for (int c = 0; c < 256; c++) {
        unsigned char k = 0;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':') k |= C_NAME_START | C_NAME;
        if ((c >= '0' && c <= '9') || c == '-' || c == '.') k |= C_NAME;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') k |= C_SPACE;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') k |= C_CONTROL | C_TEXT_SPECIAL;
        if (c == '<' || c == '&' || c == '\r' || c == ']') k |= C_TEXT_SPECIAL;
        CLS[c] = k;
    }
}

/* ---------------------------------------------------------------- finding the next special byte */

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first byte at or after p that is '<', '&', ']', stop (0 for none) or below 0x20 (e when none). */
static inline const char *next_special(const char *p, const char *e, char stop) {
#ifdef __SSE2__
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), br = _mm_set1_epi8(']'),
                  st = _mm_set1_epi8(stop ? stop : '<'), low = _mm_set1_epi8(0x1F);
    while (e - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, lt), _mm_cmpeq_epi8(x, amp)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, br), _mm_cmpeq_epi8(x, st)));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(x, low), low)); /* bytes <= 0x1F */
        int bits = _mm_movemask_epi8(m);
        if (bits) return p + __builtin_ctz((unsigned)bits);
        p += 16;
    }
#endif
    while (p < e) {
        unsigned char c = (unsigned char)*p;
        if (c == '<' || c == '&' || c == ']' || c < 0x20 || (stop && c == (unsigned char)stop)) return p;
        p++;
    }
    return e;
}

/* ---------------------------------------------------------------- growable byte buffer */

typedef struct {
    char *p;
    Py_ssize_t n, cap;
} Buf;

static int buf_grow(Buf *b, Py_ssize_t extra) {
    if (b->n + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return PYERR;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline int buf_put(Buf *b, const char *s, Py_ssize_t n) {
    if (n <= 0) return 0;
    if (buf_grow(b, n)) return PYERR;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

static inline int buf_putc(Buf *b, char c) {
    if (b->n >= b->cap && buf_grow(b, 1)) return PYERR;
    b->p[b->n++] = c;
    return 0;
}

static int put_utf8(Buf *b, uint32_t cp) {
    char t[4];
    int n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_put(b, t, n);
}

/* ---------------------------------------------------------------- UTF-8 validation (XML characters only) */

/* 0: not UTF-8 (or a character XML forbids); 1: UTF-8, ASCII only; 2: UTF-8 with other characters. */
static int valid_utf8(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    int high = 0;
    while (i < n) {
        /* ASCII runs, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        high = 1;
        uint32_t cp;
        int len;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n) return 0;
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
        i += len;
    }
    return 1 + high;
}

/* ---------------------------------------------------------------- interned strings (one object per value) */

typedef struct {
    const char *s;
    Py_ssize_t n;
    uint64_t h;
    PyObject *obj;
} Slot;

typedef struct {
    Slot *slots;
    Py_ssize_t cap, used;
} Interner;

static uint64_t hash_bytes(const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)n;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= h >> 32;
    return h;
}

static void interner_free(Interner *t) {
    for (Py_ssize_t i = 0; i < t->cap; i++) Py_XDECREF(t->slots[i].obj);
    PyMem_Free(t->slots);
    t->slots = NULL;
    t->cap = t->used = 0;
}

/* The slot of s[0:n]: its object, or an empty slot to fill (NULL on memory error). */
static Slot *slot_of(Interner *t, const char *s, Py_ssize_t n, uint64_t h) {
    if (t->used * 2 >= t->cap) {
        Py_ssize_t cap = t->cap ? t->cap * 2 : 1024;
        Slot *slots = PyMem_Calloc(cap, sizeof(Slot));
        if (!slots) {
            PyErr_NoMemory();
            return NULL;
        }
        for (Py_ssize_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].obj) continue;
            Py_ssize_t j = t->slots[i].h & (cap - 1);
            while (slots[j].obj) j = (j + 1) & (cap - 1);
            slots[j] = t->slots[i];
        }
        PyMem_Free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    Py_ssize_t j = h & (t->cap - 1);
    while (t->slots[j].obj) {
        Slot *sl = &t->slots[j];
        if (sl->h == h && sl->n == n && memcmp(sl->s, s, n) == 0) return sl;
        j = (j + 1) & (t->cap - 1);
    }
    return &t->slots[j];
}

/* Fill an empty slot (steals obj). */
static void slot_fill(Interner *t, Slot *sl, const char *s, Py_ssize_t n, uint64_t h, PyObject *obj) {
    sl->s = s;
    sl->n = n;
    sl->h = h;
    sl->obj = obj;
    t->used++;
}

/* A borrowed reference to the str of s[0:n] (which must point into the document, or stay alive). */
static PyObject *intern(Interner *t, const char *s, Py_ssize_t n) {
    uint64_t h = hash_bytes(s, n);
    Slot *sl = slot_of(t, s, n, h);
    if (!sl) return NULL;
    if (sl->obj) return sl->obj;
    PyObject *obj = PyUnicode_DecodeUTF8(s, n, "strict");
    if (!obj) return NULL;
    slot_fill(t, sl, s, n, h, obj);
    return obj;
}

/* ---------------------------------------------------------------- scanner state */

typedef struct {
    const char *s; /* prefix (n == 0: default namespace) */
    Py_ssize_t n;
    const char *uri;
    Py_ssize_t urin;
    int depth;
} Binding;

#define MAX_ATTRS 64
#define MAX_DEPTH 256
#define MAX_BINDINGS 1024

typedef struct {
    const char *qs; /* qualified name as written */
    Py_ssize_t qn;
    const char *ls; /* local name */
    Py_ssize_t ln;
    const char *ps; /* prefix */
    Py_ssize_t pn;
} Name;

typedef struct {
    Name name;
    const char *v; /* raw value (between the quotes) */
    Py_ssize_t vn;
    int plain; /* no '&', no whitespace to normalize */
} Attr;

typedef struct {
    Name name;
    Attr attrs[MAX_ATTRS];
    int nattrs;
    int empty; /* <x/> */
    const char *uri; /* the element's namespace (set by enter_element) */
    Py_ssize_t urin;
    int ns_depth; /* depth of the binding that gave it (0: the root's) */
} Tag;

enum {
    K_OTHER,
    K_CONTEXT,
    K_UNIT,
    K_ENTITY,
    K_IDENTIFIER,
    K_SEGMENT,
    K_SCENARIO,
    K_PERIOD,
    K_INSTANT,
    K_START,
    K_END,
    K_FOREVER,
    K_MEASURE,
    K_DIVIDE,
    K_NUMERATOR,
    K_DENOMINATOR,
    K_EXPLICIT,
    K_TYPED,
    K_FOOTNOTE_LINK,
    K_LINK_OTHER,
};

typedef struct {
    const char *p, *e, *base;
    int ascii_only;
    Binding bind[MAX_BINDINGS];
    int nbind;
    Name stack[MAX_DEPTH];
    int depth;
    const char *ns_xbrli, *ns_xbrldi, *ns_link, *ns_xsi;
    Py_ssize_t n_xbrli, n_xbrldi, n_link, n_xsi;
    Interner strings;
    Interner clarks; /* element names as written (bound at the root) -> Clark tag */
    Buf text;  /* decoded text being gathered */
    Buf work;  /* scratch for the final text of a fact */
    Buf work2;
} Scanner;

/* ---------------------------------------------------------------- lexical pieces */

static inline void skip_space(Scanner *sc) {
    while (sc->p < sc->e && (CLS[(unsigned char)*sc->p] & C_SPACE)) sc->p++;
}

static int read_name(Scanner *sc, Name *name) {
    const char *s = sc->p;
    if (s >= sc->e || !(CLS[(unsigned char)*s] & C_NAME_START)) return BAIL;
    const char *colon = NULL;
    while (sc->p < sc->e && (CLS[(unsigned char)*sc->p] & C_NAME)) {
        if (*sc->p == ':') {
            if (colon) return BAIL;
            colon = sc->p;
        }
        sc->p++;
    }
    if (sc->p >= sc->e) return BAIL;
    if ((unsigned char)*sc->p >= 0x80) return BAIL; /* non-ASCII names: left to lxml */
    name->qs = s;
    name->qn = sc->p - s;
    if (colon) {
        if (colon == s || colon == sc->p - 1 || !(CLS[(unsigned char)colon[1]] & C_NAME_START)) return BAIL;
        name->ps = s;
        name->pn = colon - s;
        name->ls = colon + 1;
        name->ln = sc->p - colon - 1;
    } else {
        name->ps = NULL;
        name->pn = 0;
        name->ls = s;
        name->ln = name->qn;
    }
    return 0;
}

static int parse_char_ref(const char *s, const char *e, uint32_t *cp, const char **after) {
    /* s points after "&#" */
    uint32_t v = 0;
    const char *q = s;
    if (q < e && *q == 'x') {
        q++;
        const char *d = q;
        while (q < e && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))) {
            v = v * 16 + (uint32_t)(*q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10);
            if (v > 0x10FFFF) return BAIL;
            q++;
        }
        if (q == d) return BAIL;
    } else {
        const char *d = q;
        while (q < e && *q >= '0' && *q <= '9') {
            v = v * 10 + (uint32_t)(*q - '0');
            if (v > 0x10FFFF) return BAIL;
            q++;
        }
        if (q == d) return BAIL;
    }
    if (q >= e || *q != ';') return BAIL;
    *cp = v;
    *after = q + 1;
    return 0;
}

/* An XML reference at s ('&'): its decoded character into out; BAIL on anything lxml might read differently. */
static int xml_reference(Scanner *sc, const char *s, const char **after, Buf *out) {
    const char *e = sc->e;
    if (s + 1 < e && s[1] == '#') {
        uint32_t cp;
        if (parse_char_ref(s + 2, e, &cp, after)) return BAIL;
        if (!(cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF)))
            return BAIL;
        return out ? put_utf8(out, cp) : 0;
    }
    const char *r = s + 1;
    Py_ssize_t left = e - r;
    char c = 0;
    int n = 0;
    if (left >= 3 && r[1] == 't' && r[2] == ';' && (r[0] == 'l' || r[0] == 'g')) {
        c = r[0] == 'l' ? '<' : '>';
        n = 3;
    } else if (left >= 4 && r[0] == 'a' && r[1] == 'm' && r[2] == 'p' && r[3] == ';') {
        c = '&';
        n = 4;
    } else if (left >= 5 && r[0] == 'q' && memcmp(r, "quot;", 5) == 0) {
        c = '"';
        n = 5;
    } else if (left >= 5 && r[0] == 'a' && memcmp(r, "apos;", 5) == 0) {
        c = '\'';
        n = 5;
    }
    if (n) {
        *after = r + n;
        return out ? buf_putc(out, c) : 0;
    }
    return BAIL; /* an entity of a DTD, or a bare '&' */
}

/* Character data up to the next '<'; decoded into out when out is not NULL. */
static int text_run(Scanner *sc, Buf *out) {
    const char *p = sc->p, *e = sc->e;
    while (p < e) {
        const char *q = next_special(p, e, 0);
        while (q < e && (*q == '\t' || *q == '\n')) { /* allowed: go on */
            q++;
            if (q < e && !(CLS[(unsigned char)*q] & C_TEXT_SPECIAL)) q = next_special(q, e, 0);
        }
        if (out && q > p && buf_put(out, p, q - p)) return PYERR;
        if (q >= e) {
            p = q;
            break;
        }
        unsigned char c = (unsigned char)*q;
        if (c == '<') {
            p = q;
            break;
        }
        if (c == '&') {
            int r = xml_reference(sc, q, &p, out);
            if (r) return r;
            continue;
        }
        if (c == '\r') { /* line ends are normalized to \n */
            if (out && buf_putc(out, '\n')) return PYERR;
            p = q + 1;
            if (p < e && *p == '\n') p++;
            continue;
        }
        if (c == ']') {
            if (e - q >= 3 && q[1] == ']' && q[2] == '>') return BAIL; /* "]]>" is not allowed in text */
            if (out && buf_putc(out, ']')) return PYERR;
            p = q + 1;
            continue;
        }
        return BAIL; /* a control character */
    }
    sc->p = p;
    return 0;
}

/* After "<!--": skip to "-->" ("--" inside a comment is an error). */
static int skip_comment(Scanner *sc) {
    const char *p = sc->p;
    while (1) {
        const char *q = memchr(p, '-', sc->e - p);
        if (!q || q + 1 >= sc->e) return BAIL;
        if (q[1] == '-') {
            if (q + 2 < sc->e && q[2] == '>') {
                for (const char *r = sc->p; r < q; r++)
                    if (CLS[(unsigned char)*r] & C_CONTROL) return BAIL;
                sc->p = q + 3;
                return 0;
            }
            return BAIL;
        }
        p = q + 1;
    }
}

/* After "<?": skip a processing instruction (the XML declaration is handled apart). */
static int skip_pi(Scanner *sc) {
    Name target;
    if (read_name(sc, &target)) return BAIL;
    if (target.qn >= 3 && (target.qs[0] | 0x20) == 'x' && (target.qs[1] | 0x20) == 'm' && (target.qs[2] | 0x20) == 'l')
        return BAIL; /* a misplaced XML declaration, or a reserved target */
    if (target.pn) return BAIL; /* a colon in a PI target is a namespace error */
    if (!(CLS[(unsigned char)*sc->p] & C_SPACE) && !(sc->e - sc->p >= 2 && sc->p[0] == '?' && sc->p[1] == '>'))
        return BAIL; /* the target must be followed by a space */
    const char *p = sc->p;
    while (1) {
        const char *q = memchr(p, '?', sc->e - p);
        if (!q || q + 1 >= sc->e) return BAIL;
        if (q[1] == '>') {
            for (const char *r = sc->p; r < q; r++)
                if (CLS[(unsigned char)*r] & C_CONTROL) return BAIL;
            sc->p = q + 2;
            return 0;
        }
        p = q + 1;
    }
}

/* Comments, processing instructions and whitespace (before and after the root element). */
static int misc(Scanner *sc) {
    while (1) {
        skip_space(sc);
        if (sc->e - sc->p >= 4 && memcmp(sc->p, "<!--", 4) == 0) {
            sc->p += 4;
            if (skip_comment(sc)) return BAIL;
        } else if (sc->e - sc->p >= 2 && sc->p[0] == '<' && sc->p[1] == '?') {
            sc->p += 2;
            if (skip_pi(sc)) return BAIL;
        } else {
            return 0;
        }
    }
}

/* The XML declaration: version 1.0, encoding UTF-8 or US-ASCII (or none). */
static int xml_declaration(Scanner *sc) {
    if (!(sc->e - sc->p >= 6 && memcmp(sc->p, "<?xml", 5) == 0 && (CLS[(unsigned char)sc->p[5]] & C_SPACE)))
        return 0;
    const char *end = NULL;
    for (const char *q = sc->p + 5; q + 1 < sc->e && q < sc->p + 512; q++)
        if (q[0] == '?' && q[1] == '>') {
            end = q;
            break;
        }
    if (!end) return BAIL;
    const char *s = sc->p + 5;
    /* attributes: name = "value" */
    int seen_version = 0;
    sc->p = s;
    while (1) {
        skip_space(sc);
        if (sc->p >= end) break;
        Name n;
        if (read_name(sc, &n)) return BAIL;
        skip_space(sc);
        if (sc->p >= end || *sc->p != '=') return BAIL;
        sc->p++;
        skip_space(sc);
        if (sc->p >= end || (*sc->p != '"' && *sc->p != '\'')) return BAIL;
        char quote = *sc->p++;
        const char *v = sc->p;
        while (sc->p < end && *sc->p != quote) sc->p++;
        if (sc->p >= end) return BAIL;
        Py_ssize_t vn = sc->p - v;
        sc->p++;
        if (n.qn == 7 && memcmp(n.qs, "version", 7) == 0) {
            if (!(vn == 3 && memcmp(v, "1.0", 3) == 0)) return BAIL;
            seen_version = 1;
        } else if (n.qn == 8 && memcmp(n.qs, "encoding", 8) == 0) {
            char enc[16];
            if (vn >= (Py_ssize_t)sizeof(enc)) return BAIL;
            for (Py_ssize_t i = 0; i < vn; i++) enc[i] = (char)(v[i] | 0x20);
            enc[vn] = 0;
            if (strcmp(enc, "us-ascii") == 0 || strcmp(enc, "ascii") == 0)
                sc->ascii_only = 1;
            else if (strcmp(enc, "utf-8") != 0 && strcmp(enc, "utf8") != 0)
                return BAIL;
        } else if (n.qn == 10 && memcmp(n.qs, "standalone", 10) == 0) {
            if (!((vn == 3 && memcmp(v, "yes", 3) == 0) || (vn == 2 && memcmp(v, "no", 2) == 0))) return BAIL;
        } else {
            return BAIL;
        }
        if (sc->p < end && !(CLS[(unsigned char)*sc->p] & C_SPACE)) break;
    }
    if (sc->p != end || !seen_version) return BAIL;
    sc->p = end + 2;
    return 0;
}

/* A start tag from '<' (sc->p on the name). */
static int start_tag(Scanner *sc, Tag *tag) {
    if (read_name(sc, &tag->name)) return BAIL;
    tag->nattrs = 0;
    tag->empty = 0;
    while (1) {
        const char *before = sc->p;
        skip_space(sc);
        if (sc->p >= sc->e) return BAIL;
        char c = *sc->p;
        if (c == '>') {
            sc->p++;
            break;
        }
        if (c == '/') {
            if (sc->p + 1 >= sc->e || sc->p[1] != '>') return BAIL;
            sc->p += 2;
            tag->empty = 1;
            break;
        }
        if (sc->p == before) return BAIL; /* attributes must be separated by whitespace */
        if (tag->nattrs >= MAX_ATTRS) return BAIL;
        Attr *a = &tag->attrs[tag->nattrs];
        if (read_name(sc, &a->name)) return BAIL;
        skip_space(sc);
        if (sc->p >= sc->e || *sc->p != '=') return BAIL;
        sc->p++;
        skip_space(sc);
        if (sc->p >= sc->e || (*sc->p != '"' && *sc->p != '\'')) return BAIL;
        char quote = *sc->p++;
        const char *v = sc->p;
        int plain = 1;
        while (1) {
            sc->p = next_special(sc->p, sc->e, quote);
            if (sc->p >= sc->e || *sc->p == quote) break;
            unsigned char k = (unsigned char)*sc->p;
            if (k == '<' || (CLS[k] & C_CONTROL)) return BAIL;
            if (k == '&' || k == '\t' || k == '\n' || k == '\r') plain = 0;
            sc->p++;
        }
        if (sc->p >= sc->e) return BAIL;
        if (!plain) { /* every reference must be well-formed, whether or not the value is used */
            for (const char *r = memchr(v, '&', sc->p - v); r; r = memchr(r + 1, '&', sc->p - (r + 1))) {
                const char *after;
                if (xml_reference(sc, r, &after, NULL) || after > sc->p) return BAIL;
            }
        }
        a->v = v;
        a->vn = sc->p - v;
        a->plain = plain;
        sc->p++;
        for (int k = 0; k < tag->nattrs; k++) /* duplicate attributes are an error */
            if (tag->attrs[k].name.qn == a->name.qn && memcmp(tag->attrs[k].name.qs, a->name.qs, a->name.qn) == 0)
                return BAIL;
        tag->nattrs++;
    }
    return 0;
}

/* An end tag from "</" (sc->p on the name) that must close the element on top of the stack. */
static int end_tag(Scanner *sc) {
    Name n;
    if (read_name(sc, &n)) return BAIL;
    skip_space(sc);
    if (sc->p >= sc->e || *sc->p != '>') return BAIL;
    sc->p++;
    if (sc->depth <= 0) return BAIL;
    Name *open = &sc->stack[sc->depth - 1];
    if (open->qn != n.qn || memcmp(open->qs, n.qs, n.qn) != 0) return BAIL;
    return 0;
}

/* ---------------------------------------------------------------- namespaces */

static inline int eq(const char *s, Py_ssize_t n, const char *lit) {
    size_t m = strlen(lit);
    return (size_t)n == m && memcmp(s, lit, m) == 0;
}

static inline int uri_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~!$'()*+,;=:@/", c);
}

static inline int hex_digit(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* A namespace name of the plain forms "scheme://host[:port]/path[#fragment]" or "scheme:path" (libxml2 rejects
 * namespace names that are not URIs; anything less plain is left to it). */
static int plain_uri(const char *s, Py_ssize_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    if (p >= e || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) return 0;
    while (p < e && ((((*p | 0x20) >= 'a') && ((*p | 0x20) <= 'z')) || (*p >= '0' && *p <= '9') || *p == '+' ||
                     *p == '-' || *p == '.'))
        p++;
    if (p >= e || *p != ':') return 0;
    p++;
    if (e - p >= 2 && p[0] == '/' && p[1] == '/') {
        p += 2;
        const unsigned char *h = p;
        while (p < e && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                         *p == '.'))
            p++;
        if (p == h) return 0;
        if (p < e && *p == ':') {
            const unsigned char *d = ++p;
            while (p < e && *p >= '0' && *p <= '9') p++;
            if (p == d) return 0;
        }
        if (p < e && *p != '/') return 0;
    }
    int fragment = 0;
    for (; p < e; p++) {
        if (*p == '%') {
            if (e - p < 3 || !hex_digit(p[1]) || !hex_digit(p[2])) return 0;
            p += 2;
        } else if (*p == '#' && !fragment) {
            fragment = 1;
        } else if (!uri_char(*p) || *p == 0) {
            return 0;
        }
    }
    return 1;
}

static int push_bindings(Scanner *sc, Tag *tag, int depth) {
    for (int k = 0; k < tag->nattrs; k++) {
        Attr *a = &tag->attrs[k];
        const char *s = NULL;
        Py_ssize_t n = 0;
        if (a->name.pn == 5 && memcmp(a->name.ps, "xmlns", 5) == 0) {
            s = a->name.ls;
            n = a->name.ln;
            if (a->vn == 0) return BAIL; /* undeclaring a prefix (XML 1.1 only) */
        } else if (a->name.pn == 0 && a->name.qn == 5 && memcmp(a->name.qs, "xmlns", 5) == 0) {
            s = a->name.qs;
            n = 0;
        } else {
            continue;
        }
        if (!a->plain || (a->vn && !plain_uri(a->v, a->vn))) return BAIL;
        if (n == 3 && memcmp(s, "xml", 3) == 0) { /* allowed when it names the XML namespace itself */
            if (eq(a->v, a->vn, "http://www.w3.org/XML/1998/namespace")) continue;
            return BAIL;
        }
        if (n == 5 && memcmp(s, "xmlns", 5) == 0) return BAIL;
        if (sc->nbind >= MAX_BINDINGS) return BAIL;
        Binding *b = &sc->bind[sc->nbind++];
        b->s = s;
        b->n = n;
        b->uri = a->v;
        b->urin = a->vn;
        b->depth = depth;
    }
    return 0;
}

static void pop_bindings(Scanner *sc, int depth) {
    while (sc->nbind > 0 && sc->bind[sc->nbind - 1].depth >= depth) sc->nbind--;
}

/* The namespace of a prefix (n == 0: the default namespace); BAIL when undeclared. */
static int resolve_at(Scanner *sc, const char *s, Py_ssize_t n, const char **uri, Py_ssize_t *urin, int *depth) {
    for (int k = sc->nbind - 1; k >= 0; k--) {
        Binding *b = &sc->bind[k];
        if (b->n == n && (n == 0 || memcmp(b->s, s, n) == 0)) {
            *uri = b->uri;
            *urin = b->urin;
            *depth = b->depth;
            return 0;
        }
    }
    *depth = 0;
    if (n == 0) { /* no default namespace */
        *uri = "";
        *urin = 0;
        return 0;
    }
    return BAIL;
}

static int resolve(Scanner *sc, const char *s, Py_ssize_t n, const char **uri, Py_ssize_t *urin) {
    int depth;
    return resolve_at(sc, s, n, uri, urin, &depth);
}

static void element_kind(Scanner *sc, Tag *tag, int *kind) {
    const char *uri = tag->uri, *l = tag->name.ls;
    Py_ssize_t urin = tag->urin, n = tag->name.ln;
    *kind = K_OTHER;
    if (urin == sc->n_xbrli && memcmp(uri, sc->ns_xbrli, urin) == 0) {
        if (eq(l, n, "context")) *kind = K_CONTEXT;
        else if (eq(l, n, "unit")) *kind = K_UNIT;
        else if (eq(l, n, "entity")) *kind = K_ENTITY;
        else if (eq(l, n, "identifier")) *kind = K_IDENTIFIER;
        else if (eq(l, n, "segment")) *kind = K_SEGMENT;
        else if (eq(l, n, "scenario")) *kind = K_SCENARIO;
        else if (eq(l, n, "period")) *kind = K_PERIOD;
        else if (eq(l, n, "instant")) *kind = K_INSTANT;
        else if (eq(l, n, "startDate")) *kind = K_START;
        else if (eq(l, n, "endDate")) *kind = K_END;
        else if (eq(l, n, "forever")) *kind = K_FOREVER;
        else if (eq(l, n, "measure")) *kind = K_MEASURE;
        else if (eq(l, n, "divide")) *kind = K_DIVIDE;
        else if (eq(l, n, "unitNumerator")) *kind = K_NUMERATOR;
        else if (eq(l, n, "unitDenominator")) *kind = K_DENOMINATOR;
    } else if (urin == sc->n_xbrldi && memcmp(uri, sc->ns_xbrldi, urin) == 0) {
        if (eq(l, n, "explicitMember")) *kind = K_EXPLICIT;
        else if (eq(l, n, "typedMember")) *kind = K_TYPED;
    } else if (urin == sc->n_link && memcmp(uri, sc->ns_link, urin) == 0) {
        *kind = eq(l, n, "footnoteLink") ? K_FOOTNOTE_LINK : K_LINK_OTHER;
    }
}

static Attr *find_attr(Tag *tag, const char *name) {
    for (int k = 0; k < tag->nattrs; k++)
        if (tag->attrs[k].name.pn == 0 && eq(tag->attrs[k].name.qs, tag->attrs[k].name.qn, name))
            return &tag->attrs[k];
    return NULL;
}

/* The normalized value of an attribute as an interned str (None when absent). New reference. */
static PyObject *attr_value(Scanner *sc, Attr *a) {
    if (!a) Py_RETURN_NONE;
    if (a->plain) {
        PyObject *o = intern(&sc->strings, a->v, a->vn);
        Py_XINCREF(o);
        return o;
    }
    Buf *b = &sc->work2;
    b->n = 0;
    const char *p = a->v, *e = a->v + a->vn;
    while (p < e) {
        char c = *p;
        if (c == '&') {
            const char *after;
            int r = xml_reference(sc, p, &after, b);
            if (r == BAIL) {
                PyErr_SetString(PyExc_ValueError, "bail");
                return NULL;
            }
            if (r) return NULL;
            p = after;
            continue;
        }
        if (c == '\r' && p + 1 < e && p[1] == '\n') p++;
        if (buf_putc(b, (c == '\t' || c == '\n' || c == '\r') ? ' ' : c)) return NULL;
        p++;
    }
    return PyUnicode_DecodeUTF8(b->p, b->n, "strict");
}

/* ---------------------------------------------------------------- the text of a non-numeric fact */

/* Python's str.isspace() for the UTF-8 character at s (length in *len), 0 if not whitespace. */
static inline int uspace(const unsigned char *s, const unsigned char *e, int *len) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *len = 1;
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }
    if (c == 0xC2 && s + 1 < e) {
        *len = 2;
        return s[1] == 0x85 || s[1] == 0xA0;
    }
    if (c == 0xE1 && s + 2 < e && s[1] == 0x9A && s[2] == 0x80) {
        *len = 3;
        return 1;
    }
    if (c == 0xE2 && s + 2 < e) {
        *len = 3;
        if (s[1] == 0x80) return (s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF;
        if (s[1] == 0x81) return s[2] == 0x9F;
        return 0;
    }
    if (c == 0xE3 && s + 2 < e && s[1] == 0x80 && s[2] == 0x80) {
        *len = 3;
        return 1;
    }
    *len = 1;
    return 0;
}

/* instance.markup_text's test: the text (right-stripped) ends with '>' and has a tag, an end tag or a comment.
 * Returns 1/0, or BAIL when a non-ASCII character makes Python's \w or \s decide. */
static int looks_like_markup(const char *s, Py_ssize_t n) {
    const unsigned char *u = (const unsigned char *)s, *e = u + n;
    /* right strip (Unicode whitespace), then the last character must be '>' */
    const unsigned char *last = NULL, *q = e;
    while (q > u) {
        const unsigned char *c = q - 1;
        if (*c < 0x80) {
            if (*c == ' ' || (*c >= 0x09 && *c <= 0x0D) || (*c >= 0x1C && *c <= 0x1F)) {
                q = c;
                continue;
            }
            last = c;
            break;
        }
        while (c > u && (*c & 0xC0) == 0x80) c--; /* the start of the character */
        int len;
        if (uspace(c, e, &len)) {
            q = c;
            continue;
        }
        last = c;
        break;
    }
    if (!last || *last != '>') return 0;
    for (const unsigned char *q = u; q < e; q++) {
        if (*q != '<') continue;
        const unsigned char *r = q + 1;
        if (r >= e) break;
        if (((*r | 0x20) >= 'a' && (*r | 0x20) <= 'z')) {
            r++;
            while (r < e && ((*r >= '0' && *r <= '9') || ((*r | 0x20) >= 'a' && (*r | 0x20) <= 'z') || *r == '_' ||
                             *r == ':' || *r == '.' || *r == '-'))
                r++;
            if (r >= e) continue;
            if (*r >= 0x80) return BAIL;
            if (*r == '/' || *r == '>' || *r == ' ' || (*r >= 0x09 && *r <= 0x0D) || (*r >= 0x1C && *r <= 0x1F)) return 1;
        } else if (*r == '/') {
            if (r + 1 < e && ((r[1] | 0x20) >= 'a' && (r[1] | 0x20) <= 'z')) return 1;
        } else if (*r == '!') {
            if (e - r >= 3 && r[1] == '-' && r[2] == '-') return 1;
        } else if (*r >= 0x80) {
            return BAIL; /* a non-ASCII letter after '<' */
        }
    }
    return 0;
}

/* html.unescape for the references it is certain of (numeric references to ordinary characters; amp, lt, gt,
 * quot, apos, nbsp); BAIL for anything else so that Python decides. */
static int html_unescape(const char *s, Py_ssize_t n, Buf *out) {
    const char *p = s, *e = s + n;
    while (p < e) {
        const char *q = memchr(p, '&', e - p);
        if (!q) q = e;
        if (buf_put(out, p, q - p)) return PYERR;
        if (q >= e) break;
        const char *r = q + 1;
        if (r >= e) { /* a final '&' stays */
            if (buf_putc(out, '&')) return PYERR;
            p = r;
            continue;
        }
        char c = *r;
        if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == ';') {
            if (buf_putc(out, '&')) return PYERR;
            p = r;
            continue;
        }
        if (c == '#') {
            uint32_t cp;
            const char *after;
            if (r + 1 < e && (r[1] == 'x' || r[1] == 'X')) {
                if (!(r + 2 < e && ((r[2] >= '0' && r[2] <= '9') || ((r[2] | 0x20) >= 'a' && (r[2] | 0x20) <= 'f')))) {
                    if (buf_putc(out, '&')) return PYERR; /* "&#x" without digits stays */
                    p = r;
                    continue;
                }
                if (r[1] == 'X') return BAIL;
            } else if (!(r + 1 < e && r[1] >= '0' && r[1] <= '9')) {
                if (buf_putc(out, '&')) return PYERR; /* "&#" without digits stays */
                p = r;
                continue;
            }
            if (parse_char_ref(r + 1, e, &cp, &after)) return BAIL; /* no ';', or out of range */
            int ok = cp == 0x9 || cp == 0xA || (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
                     (cp >= 0xE000 && cp <= 0xFFFD && !(cp >= 0xFDD0 && cp <= 0xFDEF)) ||
                     (cp >= 0x10000 && cp <= 0x10FFFF && (cp & 0xFFFE) != 0xFFFE);
            if (!ok) return BAIL;
            if (put_utf8(out, cp)) return PYERR;
            p = after;
            continue;
        }
        static const struct {
            const char *name;
            int n;
            const char *text;
        } named[] = {{"amp;", 4, "&"}, {"lt;", 3, "<"}, {"gt;", 3, ">"}, {"quot;", 5, "\""}, {"apos;", 5, "'"},
                     {"nbsp;", 5, "\xC2\xA0"}};
        int found = 0;
        for (int k = 0; k < 6; k++) {
            if (e - r >= named[k].n && memcmp(r, named[k].name, named[k].n) == 0) {
                if (buf_put(out, named[k].text, (Py_ssize_t)strlen(named[k].text))) return PYERR;
                p = r + named[k].n;
                found = 1;
                break;
            }
        }
        if (!found) return BAIL;
    }
    return 0;
}

/* " ".join(text.split()) into out. */
static int collapse(const char *s, Py_ssize_t n, Buf *out) {
    const unsigned char *u = (const unsigned char *)s, *e = u + n;
    int pending = 0;
    if (buf_grow(out, n)) return PYERR;
    while (u < e) {
        int len;
        if (*u < 0x80) {
            unsigned char c = *u;
            if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) {
                pending = out->n > 0;
                u++;
                continue;
            }
            if (pending) {
                out->p[out->n++] = ' ';
                pending = 0;
            }
            out->p[out->n++] = (char)c;
            u++;
            continue;
        }
        if (uspace(u, e, &len)) {
            pending = out->n > 0;
            u += len;
            continue;
        }
        if (*u >= 0xF0) len = 4;
        else if (*u >= 0xE0) len = 3;
        else len = 2;
        if (pending) {
            if (buf_grow(out, 1)) return PYERR;
            out->p[out->n++] = ' ';
            pending = 0;
        }
        if (buf_grow(out, len)) return PYERR;
        memcpy(out->p + out->n, u, len);
        out->n += len;
        u += len;
    }
    return 0;
}

/* The final text of a non-numeric fact from its decoded text (instance.markup_text + whitespace collapse).
 * Sets *done = 0 (and returns the decoded text) when Python must finish it. New reference. */
static PyObject *fact_text(Scanner *sc, const char *s, Py_ssize_t n, int *done) {
    int markup = looks_like_markup(s, n);
    *done = 0;
    if (markup == BAIL) return PyUnicode_DecodeUTF8(s, n, "strict");
    const char *t = s;
    Py_ssize_t tn = n;
    if (markup) {
        Buf *w = &sc->work;
        w->n = 0;
        /* re.sub("<[^>]*>", "", text): each '<' with a later '>' removes through that '>' */
        const char *p = s, *e = s + n;
        int amp = 0;
        while (p < e) {
            const char *lt = memchr(p, '<', e - p);
            const char *stop = lt ? lt : e;
            if (memchr(p, '&', stop - p)) amp = 1;
            if (buf_put(w, p, stop - p)) return NULL;
            if (!lt) break;
            const char *gt = memchr(lt, '>', e - lt);
            if (!gt) {
                if (memchr(lt, '&', e - lt)) amp = 1;
                if (buf_put(w, lt, e - lt)) return NULL;
                break;
            }
            p = gt + 1;
        }
        t = w->p;
        tn = w->n;
        if (amp) {
            Buf *w2 = &sc->work2;
            w2->n = 0;
            int r = html_unescape(t, tn, w2);
            if (r == BAIL) return PyUnicode_DecodeUTF8(s, n, "strict");
            if (r) return NULL;
            t = w2->p;
            tn = w2->n;
        }
    }
    Buf out = {0};
    if (collapse(t, tn, &out)) {
        PyMem_Free(out.p);
        return NULL;
    }
    PyObject *o = PyUnicode_DecodeUTF8(out.p ? out.p : "", out.n, "strict");
    PyMem_Free(out.p);
    *done = 1;
    return o;
}

/* ---------------------------------------------------------------- the document */

typedef struct {
    PyObject *nsmap, *contexts, *units, *facts, *footnotes, *tags, *pending;
    Py_ssize_t children;
} Result;

static PyObject *bindings_list(Scanner *sc) {
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (int k = 0; k < sc->nbind; k++) {
        Binding *b = &sc->bind[k];
        PyObject *item = b->n ? Py_BuildValue("(s#s#)", b->s, b->n, b->uri, b->urin)
                              : Py_BuildValue("(Os#)", Py_None, b->uri, b->urin);
        if (!item || PyList_Append(list, item)) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static int append_steal(PyObject *list, PyObject *item) {
    if (!item) return PYERR;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r ? PYERR : 0;
}

/* Enter an element: push its name and bindings. */
static int enter(Scanner *sc, Tag *tag) {
    if (sc->depth >= MAX_DEPTH) return BAIL;
    if (push_bindings(sc, tag, sc->depth)) return BAIL;
    sc->stack[sc->depth++] = tag->name;
    return 0;
}

static void leave(Scanner *sc) {
    sc->depth--;
    pop_bindings(sc, sc->depth);
}

/* Inside an element: is the next piece a child start tag (1), the end tag (0)? Comments and PIs are BAIL
 * (lxml drops them, which changes how text around them is read). */
static int child_or_end(Scanner *sc, Buf *text) {
    int r = text_run(sc, text);
    if (r) return r;
    if (sc->p + 1 >= sc->e) return BAIL;
    if (sc->p[1] == '/') {
        sc->p += 2;
        return end_tag(sc) ? BAIL : 0;
    }
    if (sc->p[1] == '!' || sc->p[1] == '?') return BAIL;
    sc->p++;
    return 1;
}

#define STEP_END 0     /* an end tag, checked against the open element, which is left */
#define STEP_START 1   /* a start tag: sc->p is on its name */
#define STEP_SKIPPED 2 /* a comment or processing instruction (lxml drops them) */

/* The next piece of an element's content after its text (which is validated, not kept). */
static int content_step(Scanner *sc) {
    int r = text_run(sc, NULL);
    if (r) return r;
    if (sc->p + 1 >= sc->e) return BAIL;
    if (sc->p[1] == '/') {
        sc->p += 2;
        if (end_tag(sc)) return BAIL;
        leave(sc);
        return STEP_END;
    }
    if (sc->p[1] == '!') {
        if (sc->e - sc->p >= 4 && memcmp(sc->p, "<!--", 4) == 0) {
            sc->p += 4;
            return skip_comment(sc) ? BAIL : STEP_SKIPPED;
        }
        return BAIL; /* CDATA or declarations: left to lxml */
    }
    if (sc->p[1] == '?') {
        sc->p += 2;
        return skip_pi(sc) ? BAIL : STEP_SKIPPED;
    }
    sc->p++;
    return STEP_START;
}

/* Attribute prefixes must be declared (xmlns and xml excepted). */
static int check_attr_prefixes(Scanner *sc, Tag *tag) {
    for (int k = 0; k < tag->nattrs; k++) {
        Name *n = &tag->attrs[k].name;
        if (!n->pn || (n->pn == 5 && memcmp(n->ps, "xmlns", 5) == 0) || (n->pn == 3 && memcmp(n->ps, "xml", 3) == 0))
            continue;
        const char *u;
        Py_ssize_t un;
        if (resolve(sc, n->ps, n->pn, &u, &un)) return BAIL;
    }
    return 0;
}

/* A start tag (sc->p on its name), entered: its namespace resolved, every prefix it uses declared. */
static int enter_element(Scanner *sc, Tag *tag) {
    if (start_tag(sc, tag) || enter(sc, tag) || check_attr_prefixes(sc, tag)) return BAIL;
    return resolve_at(sc, tag->name.ps, tag->name.pn, &tag->uri, &tag->urin, &tag->ns_depth);
}

/* The rest of an element that is not read (its start tag entered): checked for well-formedness, skipped. */
static int skip_content(Scanner *sc) {
    int base = sc->depth;
    while (sc->depth >= base) {
        int r = content_step(sc);
        if (r < 0) return r;
        if (r != STEP_START) continue;
        Tag tag;
        if (enter_element(sc, &tag)) return BAIL;
        if (tag.empty) leave(sc);
    }
    return 0;
}

/* Text-only element (no children), its start tag entered: its decoded text gathered into sc->text, the element
 * left. BAIL for a child element or a comment. */
static int leaf_gather(Scanner *sc, Tag *tag) {
    sc->text.n = 0;
    if (!tag->empty) {
        int r = child_or_end(sc, &sc->text);
        if (r) return r < 0 ? r : BAIL; /* a child element: not a leaf */
    }
    leave(sc);
    return 0;
}

/* Text-only element: its decoded text as a new str (see leaf_gather). */
static PyObject *leaf_text(Scanner *sc, Tag *tag, int *rc) {
    int r = leaf_gather(sc, tag);
    if (r) {
        *rc = r;
        return NULL;
    }
    PyObject *o = PyUnicode_DecodeUTF8(sc->text.p ? sc->text.p : "", sc->text.n, "strict");
    if (!o) *rc = PYERR;
    return o;
}

/* Append (code, text) of a text-only element (see leaf_gather) to list. */
static int append_leaf(Scanner *sc, Tag *tag, int code, PyObject *list) {
    int rc = 0;
    PyObject *text = leaf_text(sc, tag, &rc);
    if (!text) return rc;
    return append_steal(list, Py_BuildValue("(iN)", code, text));
}

/* An element inside a context or unit: read a start tag and enter it. */
static int open_child(Scanner *sc, Tag *tag, int *kind) {
    if (enter_element(sc, tag)) return BAIL;
    element_kind(sc, tag, kind);
    return 0;
}

/* An element not read, its start tag entered: skipped through its end. */
static int skip_element(Scanner *sc, Tag *tag) {
    if (tag->empty) {
        leave(sc);
        return 0;
    }
    return skip_content(sc);
}

/* The next child of the open element, entered (1, its tag and kind filled in), or its end tag, left (0). */
static int next_child(Scanner *sc, Tag *tag, int *kind) {
    int r = child_or_end(sc, NULL);
    if (r <= 0) {
        if (r == 0) leave(sc);
        return r;
    }
    return open_child(sc, tag, kind) ? BAIL : 1;
}

static PyObject *attr_or_bail(Scanner *sc, Attr *a, int *rc) {
    PyObject *o = attr_value(sc, a);
    if (!o) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            *rc = BAIL;
        } else {
            *rc = PYERR;
        }
    }
    return o;
}

/* The descendants of an entity or scenario: identifier, explicitMember, typedMember (anywhere below). */
static int context_part(Scanner *sc, PyObject *dims, PyObject **identifier) {
    int base = sc->depth;
    while (1) {
        Tag tag;
        int kind;
        int r = next_child(sc, &tag, &kind);
        if (r < 0) return r;
        if (r == 0) {
            if (sc->depth < base) return 0;
            continue;
        }
        if (kind == K_IDENTIFIER || kind == K_EXPLICIT) {
            int rc = 0;
            PyObject *dim = NULL;
            if (kind == K_EXPLICIT) {
                dim = attr_or_bail(sc, find_attr(&tag, "dimension"), &rc);
                if (!dim) return rc;
            }
            PyObject *text = leaf_text(sc, &tag, &rc);
            if (!text) {
                Py_XDECREF(dim);
                return rc;
            }
            if (kind == K_IDENTIFIER) {
                Py_XSETREF(*identifier, text);
            } else {
                PyObject *item = Py_BuildValue("(NNO)", dim, text, Py_False);
                if (append_steal(dims, item)) return PYERR;
            }
        } else if (kind == K_TYPED) {
            int rc = 0;
            PyObject *dim = attr_or_bail(sc, find_attr(&tag, "dimension"), &rc);
            if (!dim) return rc;
            /* at most one child element, text only */
            sc->text.n = 0;
            if (!tag.empty) {
                int children = 0;
                while (1) {
                    r = child_or_end(sc, &sc->text);
                    if (r < 0) {
                        Py_DECREF(dim);
                        return r;
                    }
                    if (r == 0) break;
                    Tag inner;
                    if (children++ || start_tag(sc, &inner) || enter(sc, &inner) || check_attr_prefixes(sc, &inner)) {
                        Py_DECREF(dim);
                        return BAIL;
                    }
                    if (!inner.empty) {
                        r = child_or_end(sc, &sc->text);
                        if (r != 0) {
                            Py_DECREF(dim);
                            return r < 0 ? r : BAIL;
                        }
                    }
                    leave(sc);
                }
            }
            leave(sc);
            PyObject *text = PyUnicode_DecodeUTF8(sc->text.p ? sc->text.p : "", sc->text.n, "strict");
            PyObject *item = text ? Py_BuildValue("(NNO)", dim, text, Py_True) : NULL;
            if (!text) Py_DECREF(dim);
            if (append_steal(dims, item)) return PYERR;
        } else {
            if (tag.empty) leave(sc);
            /* other elements: their descendants are searched too (lxml's iter) */
        }
    }
}

static int read_context(Scanner *sc, Tag *ctx, Result *res) {
    int rc = 0;
    PyObject *id = attr_or_bail(sc, find_attr(ctx, "id"), &rc);
    if (!id) return rc;
    PyObject *dims = PyList_New(0), *periods = PyList_New(0), *identifier = Py_None;
    Py_INCREF(Py_None);
    int r = 0;
    if (!dims || !periods) {
        r = PYERR;
        goto done;
    }
    if (!ctx->empty) {
        while (1) {
            Tag part;
            int kind;
            if ((r = next_child(sc, &part, &kind)) < 0) goto done;
            if (r == 0) break;
            if (kind == K_ENTITY || kind == K_SCENARIO) {
                if (part.empty)
                    leave(sc);
                else if ((r = context_part(sc, dims, &identifier)))
                    goto done;
            } else if (kind == K_PERIOD) {
                if (part.empty) {
                    leave(sc);
                    continue;
                }
                while (1) {
                    Tag point;
                    int pk;
                    if ((r = next_child(sc, &point, &pk)) < 0) goto done;
                    if (r == 0) break;
                    int code = pk == K_FOREVER ? 0 : pk == K_INSTANT ? 1 : pk == K_START ? 2 : pk == K_END ? 3 : -1;
                    if (code < 0) {
                        if ((r = skip_element(sc, &point))) goto done;
                        continue;
                    }
                    if ((r = append_leaf(sc, &point, code, periods))) goto done;
                }
            } else if ((r = skip_element(sc, &part))) {
                goto done;
            }
        }
    } else {
        leave(sc);
    }
    r = append_steal(res->contexts, Py_BuildValue("(OOOO)", id, identifier, periods, dims));
done:
    Py_DECREF(id);
    Py_XDECREF(dims);
    Py_XDECREF(periods);
    Py_XDECREF(identifier);
    return r;
}

static int read_unit(Scanner *sc, Tag *unit, Result *res) {
    int rc = 0;
    PyObject *id = attr_or_bail(sc, find_attr(unit, "id"), &rc);
    if (!id) return rc;
    PyObject *measures = PyList_New(0);
    int has_divide = 0, divides = 0, nums = 0, dens = 0, r = 0;
    /* where (0 plain, 1 numerator, 2 denominator) and kind of each open element, by stack index */
    int where_of[MAX_DEPTH], kind_of[MAX_DEPTH];
    int base = sc->depth; /* the unit is at index base - 1 */
    if (!measures) {
        Py_DECREF(id);
        return PYERR;
    }
    if (unit->empty) {
        leave(sc);
    } else {
        where_of[base - 1] = 0;
        kind_of[base - 1] = K_UNIT;
        while (sc->depth >= base) {
            Tag tag;
            int kind;
            if ((r = next_child(sc, &tag, &kind)) < 0) goto done;
            if (r == 0) continue;
            int index = sc->depth - 1, parent_kind = kind_of[index - 1];
            int where = where_of[index - 1];
            if (kind == K_DIVIDE) {
                if (parent_kind != K_UNIT || divides++) {
                    r = BAIL;
                    goto done;
                }
                has_divide = 1;
            } else if (kind == K_NUMERATOR || kind == K_DENOMINATOR) {
                if (parent_kind != K_DIVIDE || (kind == K_NUMERATOR ? nums++ : dens++)) {
                    r = BAIL;
                    goto done;
                }
                where = kind == K_NUMERATOR ? 1 : 2;
            } else if (kind == K_MEASURE) {
                if ((r = append_leaf(sc, &tag, where, measures))) goto done;
                continue;
            }
            if (tag.empty) {
                leave(sc);
            } else {
                where_of[index] = where;
                kind_of[index] = kind;
            }
        }
    }
    r = append_steal(res->units, Py_BuildValue("(OOO)", id, has_divide ? Py_True : Py_False, measures));
done:
    Py_DECREF(id);
    Py_DECREF(measures);
    return r;
}

/* decimals / precision: an int for an integer, None for INF or absent, else the str for Python. */
static PyObject *decimals_value(Scanner *sc, Attr *a, int *rc) {
    if (!a) Py_RETURN_NONE;
    if (a->plain) {
        const char *s = a->v, *e = a->v + a->vn;
        while (s < e && *s == ' ') s++;
        while (e > s && e[-1] == ' ') e--;
        if (e - s == 3 && memcmp(s, "INF", 3) == 0) Py_RETURN_NONE;
        const char *d = s;
        int neg = 0;
        if (d < e && (*d == '-' || *d == '+')) neg = *d++ == '-';
        if (d < e && e - d <= 9) {
            long v = 0;
            const char *q = d;
            while (q < e && *q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
            if (q == e) return PyLong_FromLong(neg ? -v : v);
        }
    }
    return attr_or_bail(sc, a, rc);
}

/* The canonical text of an integer as instance.number_text gives it ("-0" -> "0"), or NULL for anything else
 * (decimals, exponents, other whitespace...), which Python reads. New reference. */
static PyObject *simple_integer(const char *s, Py_ssize_t n) {
    const char *e = s + n;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n')) e--;
    const char *d = s;
    if (d < e && *d == '-') d++;
    if (d >= e || e - d > 30) return NULL;
    if (*d == '0') {
        if (e - d != 1) return NULL;
        return PyUnicode_FromStringAndSize("0", 1);
    }
    for (const char *q = d; q < e; q++)
        if (*q < '0' || *q > '9') return NULL;
    return PyUnicode_DecodeUTF8(s, e - s, "strict");
}

/* The Clark tag {uri}local of an element as a new reference: one object per name when the prefix is bound at
 * the root (the usual case), so the dictionary of tags and the facts share it. */
static PyObject *clark_tag(Scanner *sc, Tag *tag, int *rc) {
    Name *name = &tag->name;
    const char *uri = tag->uri;
    Py_ssize_t urin = tag->urin;
    uint64_t h = 0;
    Slot *sl = NULL;
    if (tag->ns_depth == 0) {
        h = hash_bytes(name->qs, name->qn);
        sl = slot_of(&sc->clarks, name->qs, name->qn, h);
        if (!sl) {
            *rc = PYERR;
            return NULL;
        }
        if (sl->obj) {
            Py_INCREF(sl->obj);
            return sl->obj;
        }
    }
    Buf *w = &sc->work2;
    w->n = 0;
    PyObject *key = NULL;
    if (!((urin && (buf_putc(w, '{') || buf_put(w, uri, urin) || buf_putc(w, '}'))) ||
          buf_put(w, name->ls, name->ln)))
        key = PyUnicode_DecodeUTF8(w->p, w->n, "strict");
    if (!key) {
        *rc = PYERR;
        return NULL;
    }
    if (sl) {
        Py_INCREF(key);
        slot_fill(&sc->clarks, sl, name->qs, name->qn, h, key);
    }
    return key;
}

static int read_fact(Scanner *sc, Tag *tag, Attr *context_ref, Result *res) {
    int rc = 0, r = 0, pending = 0;
    PyObject *clark = NULL, *cref = NULL, *uref = NULL, *value = NULL, *dec = NULL, *prec = NULL, *id = NULL;
    if (!(clark = clark_tag(sc, tag, &rc))) return rc;
    {   /* the prefix written with the first fact of each tag */
        PyObject *prefix = tag->name.pn ? intern(&sc->strings, tag->name.ps, tag->name.pn) : Py_None;
        if (!prefix || !PyDict_SetDefault(res->tags, clark, prefix)) {
            r = PYERR;
            goto done;
        }
    }
    Attr *unit = find_attr(tag, "unitRef");
    if (!(cref = attr_or_bail(sc, context_ref, &rc)) || !(uref = attr_or_bail(sc, unit, &rc)) ||
        !(dec = decimals_value(sc, find_attr(tag, "decimals"), &rc)) ||
        !(prec = decimals_value(sc, find_attr(tag, "precision"), &rc)) ||
        !(id = attr_or_bail(sc, find_attr(tag, "id"), &rc))) {
        r = rc;
        goto done;
    }
    if (PyUnicode_Check(dec) || PyUnicode_Check(prec)) pending = 1;
    int nil = 0;
    for (int k = 0; k < tag->nattrs; k++) {
        Attr *a = &tag->attrs[k];
        if (!(a->name.pn && eq(a->name.ls, a->name.ln, "nil"))) continue;
        const char *u;
        Py_ssize_t un;
        if (resolve(sc, a->name.ps, a->name.pn, &u, &un)) {
            r = BAIL;
            goto done;
        }
        if (un == sc->n_xsi && memcmp(u, sc->ns_xsi, un) == 0)
            nil = (a->plain && (eq(a->v, a->vn, "true") || eq(a->v, a->vn, "1")));
    }
    sc->text.n = 0;
    if (!tag->empty) {
        r = child_or_end(sc, &sc->text);
        if (r != 0) {
            r = r < 0 ? r : BAIL; /* child elements in a fact: lxml's reading of blank text decides */
            goto done;
        }
    }
    leave(sc);
    const char *text = sc->text.p ? sc->text.p : "";
    if (nil) {
        value = Py_None;
        Py_INCREF(value);
    } else if (unit) {
        value = simple_integer(text, sc->text.n);
        if (!value) {
            if (PyErr_Occurred()) {
                r = PYERR;
                goto done;
            }
            value = PyUnicode_DecodeUTF8(text, sc->text.n, "strict");
            pending = 1;
        }
    } else {
        int done_text = 0;
        value = fact_text(sc, text, sc->text.n, &done_text);
        if (!done_text) pending = 1;
    }
    if (!value) {
        r = PYERR;
        goto done;
    }
    if (pending) {
        PyObject *index = PyLong_FromSsize_t(PyList_GET_SIZE(res->facts));
        if (append_steal(res->pending, index)) {
            r = PYERR;
            goto done;
        }
    }
    PyObject *row = PyTuple_New(10);
    if (!row) {
        r = PYERR;
        goto done;
    }
    /* RawFact: (tag, context id, unit id, value, numeric, decimals, precision, is_nil, element id, line) */
    PyTuple_SET_ITEM(row, 0, clark);
    PyTuple_SET_ITEM(row, 1, cref);
    PyTuple_SET_ITEM(row, 2, uref);
    PyTuple_SET_ITEM(row, 3, value);
    PyObject *numeric = unit ? Py_True : Py_False, *isnil = nil ? Py_True : Py_False;
    Py_INCREF(numeric);
    Py_INCREF(isnil);
    Py_INCREF(Py_None);
    PyTuple_SET_ITEM(row, 4, numeric);
    PyTuple_SET_ITEM(row, 5, dec);
    PyTuple_SET_ITEM(row, 6, prec);
    PyTuple_SET_ITEM(row, 7, isnil);
    PyTuple_SET_ITEM(row, 8, id);
    PyTuple_SET_ITEM(row, 9, Py_None);
    return append_steal(res->facts, row);
done:
    Py_XDECREF(clark);
    Py_XDECREF(cref);
    Py_XDECREF(uref);
    Py_XDECREF(value);
    Py_XDECREF(dec);
    Py_XDECREF(prec);
    Py_XDECREF(id);
    return r;
}

/* Up to the root's start tag, entered: encoding, XML declaration, comments and PIs. */
static int open_document(Scanner *sc, Tag *root) {
    int utf8 = valid_utf8((const unsigned char *)sc->p, sc->e - sc->p);
    if (!utf8) return BAIL;
    if (xml_declaration(sc)) return BAIL;
    if (sc->ascii_only && utf8 == 2) return BAIL; /* declared US-ASCII, holds other bytes */
    if (misc(sc)) return BAIL;
    if (sc->e - sc->p < 2 || sc->p[0] != '<' || !(CLS[(unsigned char)sc->p[1]] & C_NAME_START)) return BAIL;
    sc->p++;
    if (enter_element(sc, root)) return BAIL;
    if (root->empty) leave(sc);
    return 0;
}

/* After the root element: only comments, PIs and whitespace. */
static int close_document(Scanner *sc) {
    if (misc(sc)) return BAIL;
    return sc->p == sc->e ? 0 : BAIL;
}

static int document(Scanner *sc, Result *res) {
    Tag root;
    if (open_document(sc, &root)) return BAIL;
    res->nsmap = bindings_list(sc);
    if (!res->nsmap) return PYERR;
    if (!root.empty) {
        while (1) {
            /* between the root's children: text is ignored, comments and PIs are dropped */
            int r = content_step(sc);
            if (r < 0) return r;
            if (r == STEP_END) break;
            if (r == STEP_SKIPPED) continue;
            r = 0;
            const char *start = sc->p - 1;
            Tag tag;
            int kind;
            if (open_child(sc, &tag, &kind)) return BAIL;
            res->children++;
            Attr *cref = find_attr(&tag, "contextRef");
            if (cref) {
                r = read_fact(sc, &tag, cref, res);
            } else if (kind == K_CONTEXT) {
                r = read_context(sc, &tag, res);
            } else if (kind == K_UNIT) {
                r = read_unit(sc, &tag, res);
            } else if (kind == K_FOOTNOTE_LINK) {
                PyObject *scope = bindings_list(sc);
                if (!scope) return PYERR;
                if ((r = skip_element(sc, &tag))) {
                    Py_DECREF(scope);
                    return r;
                }
                r = append_steal(res->footnotes, Py_BuildValue("(nnN)", (Py_ssize_t)(start - sc->base),
                                                               (Py_ssize_t)(sc->p - sc->base), scope));
            } else if (kind == K_LINK_OTHER) {
                r = skip_element(sc, &tag);
            } else {
                return BAIL; /* a tuple (or an unknown element): lxml reads it */
            }
            if (r) return r;
        }
    }
    return close_document(sc);
}

static Scanner *new_scanner(Py_buffer *body) {
    Scanner *sc = PyMem_Calloc(1, sizeof(Scanner));
    if (!sc) {
        PyErr_NoMemory();
        return NULL;
    }
    sc->base = sc->p = body->buf;
    sc->e = sc->p + body->len;
    return sc;
}

static void free_scanner(Scanner *sc) {
    interner_free(&sc->strings);
    interner_free(&sc->clarks);
    PyMem_Free(sc->text.p);
    PyMem_Free(sc->work.p);
    PyMem_Free(sc->work2.p);
    PyMem_Free(sc);
}

/* The result of a scan: out on success, None when declined, NULL with an exception. */
static PyObject *outcome(int r, PyObject *out) {
    if (r == 0) return out;
    Py_XDECREF(out);
    if (r == BAIL) {
        if (PyErr_Occurred()) PyErr_Clear(); /* e.g. an undecodable byte: lxml reports it */
        Py_RETURN_NONE;
    }
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "edgar.xbrl._scan: internal error");
    return NULL;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    Py_buffer body;
    const char *xbrli, *xbrldi, *link, *xsi;
    Py_ssize_t n_xbrli, n_xbrldi, n_link, n_xsi;
    if (!PyArg_ParseTuple(args, "y*s#s#s#s#", &body, &xbrli, &n_xbrli, &xbrldi, &n_xbrldi, &link, &n_link, &xsi,
                          &n_xsi))
        return NULL;
    Scanner *sc = new_scanner(&body);
    if (!sc) {
        PyBuffer_Release(&body);
        return NULL;
    }
    sc->ns_xbrli = xbrli;
    sc->n_xbrli = n_xbrli;
    sc->ns_xbrldi = xbrldi;
    sc->n_xbrldi = n_xbrldi;
    sc->ns_link = link;
    sc->n_link = n_link;
    sc->ns_xsi = xsi;
    sc->n_xsi = n_xsi;
    Result res = {0};
    res.contexts = PyList_New(0);
    res.units = PyList_New(0);
    res.facts = PyList_New(0);
    res.footnotes = PyList_New(0);
    res.tags = PyDict_New();
    res.pending = PyList_New(0);
    PyObject *out = NULL;
    int r = PYERR;
    if (res.contexts && res.units && res.facts && res.footnotes && res.tags && res.pending) r = document(sc, &res);
    if (r == 0) {
        out = Py_BuildValue("(OnOOOOOO)", res.nsmap, res.children, res.contexts, res.units, res.facts, res.tags,
                            res.pending, res.footnotes);
        if (!out) r = PYERR;
    }
    Py_XDECREF(res.nsmap);
    Py_XDECREF(res.contexts);
    Py_XDECREF(res.units);
    Py_XDECREF(res.facts);
    Py_XDECREF(res.footnotes);
    Py_XDECREF(res.tags);
    Py_XDECREF(res.pending);
    free_scanner(sc);
    PyBuffer_Release(&body);
    return outcome(r, out);
}

/* ---------------------------------------------------------------- linkbases */

/* The value of the attribute {uri}local (an unprefixed attribute when urin is 0) as a new reference; None when
 * absent. */
static PyObject *attr_ns(Scanner *sc, Tag *tag, const char *uri, Py_ssize_t urin, const char *local, int *rc) {
    for (int k = 0; k < tag->nattrs; k++) {
        Attr *a = &tag->attrs[k];
        if (!eq(a->name.ls, a->name.ln, local)) continue;
        if (!urin) {
            if (a->name.pn) continue;
        } else {
            const char *u;
            Py_ssize_t un;
            if (!a->name.pn || resolve(sc, a->name.ps, a->name.pn, &u, &un)) continue;
            if (un != urin || memcmp(u, uri, un) != 0) continue;
        }
        return attr_or_bail(sc, a, rc);
    }
    Py_RETURN_NONE;
}

typedef struct {
    const char *link_ns, *xlink_ns, *link_local, *arc_local;
    Py_ssize_t n_link, n_xlink;
    int labels;
} LinkSpec;

enum { L_OTHER, L_LINK, L_ARC, L_LOC, L_LABEL };

static int link_kind(LinkSpec *spec, Tag *tag) {
    Name *name = &tag->name;
    if (tag->urin != spec->n_link || memcmp(tag->uri, spec->link_ns, tag->urin) != 0) return L_OTHER;
    if (eq(name->ls, name->ln, spec->link_local)) return L_LINK;
    if (eq(name->ls, name->ln, spec->arc_local)) return L_ARC;
    if (eq(name->ls, name->ln, "loc")) return L_LOC;
    if (spec->labels && eq(name->ls, name->ln, "label")) return L_LABEL;
    return L_OTHER;
}

/* One item of a link: a tuple of the named attributes of tag (None for absent ones; "@name" for xlink:name)
 * and `spare` empty slots at the end for the caller to fill. New reference, NULL with *rc set. */
static PyObject *link_item(Scanner *sc, LinkSpec *spec, Tag *tag, const char *const *names, int n, int spare,
                           int *rc) {
    PyObject *item = PyTuple_New(n + spare);
    if (!item) {
        *rc = PYERR;
        return NULL;
    }
    for (int k = 0; k < n; k++) {
        const char *name = names[k];
        int xlink = name[0] == '@';
        PyObject *v = attr_ns(sc, tag, xlink ? spec->xlink_ns : NULL, xlink ? spec->n_xlink : 0, name + xlink, rc);
        if (!v) {
            Py_DECREF(item);
            return NULL;
        }
        PyTuple_SET_ITEM(item, k, v);
    }
    return item;
}

static const char *const LOC_ATTRS[] = {"@label", "@href"};
static const char *const LABEL_ATTRS[] = {"@label", "@role"};
static const char *const ARC_ATTRS[] = {"@from", "@to", "order", "weight", "preferredLabel"};

/* Every extended link of the document: [(role, locs, labels, arcs)] (see scan_links). */
static int links_document(Scanner *sc, LinkSpec *spec, PyObject *out) {
    Tag root;
    if (open_document(sc, &root) || link_kind(spec, &root) == L_LINK) return BAIL;
    int link_depth = -1; /* the depth inside the open link, -1 outside */
    PyObject *link = NULL, *locs = NULL, *labels = NULL, *arcs = NULL;
    int r = 0;
    while (sc->depth > 0) {
        r = content_step(sc);
        if (r < 0) goto fail;
        if (r == STEP_SKIPPED) continue;
        if (r == STEP_END) {
            if (link && sc->depth == link_depth) {
                r = append_steal(out, link);
                link = NULL;
                if (r) goto fail;
                link_depth = -1;
            }
            continue;
        }
        Tag tag;
        if (enter_element(sc, &tag)) {
            r = BAIL;
            goto fail;
        }
        int kind = link_kind(spec, &tag);
        if (kind == L_LINK) {
            if (link) { /* a link inside a link: left to lxml */
                r = BAIL;
                goto fail;
            }
            int rc = 0;
            PyObject *role = attr_ns(sc, &tag, spec->xlink_ns, spec->n_xlink, "role", &rc);
            if (!role) {
                r = rc;
                goto fail;
            }
            locs = PyList_New(0);
            labels = PyList_New(0);
            arcs = PyList_New(0);
            link = (locs && labels && arcs) ? PyTuple_Pack(4, role, locs, labels, arcs) : NULL;
            Py_DECREF(role);
            Py_XDECREF(locs);
            Py_XDECREF(labels);
            Py_XDECREF(arcs);
            if (!link) {
                r = PYERR;
                goto fail;
            }
            link_depth = sc->depth - 1;
            if (tag.empty) {
                leave(sc);
                r = append_steal(out, link);
                link = NULL;
                if (r) goto fail;
                link_depth = -1;
            }
            continue;
        }
        if (link && kind == L_LABEL) {
            int rc = 0;
            PyObject *item = link_item(sc, spec, &tag, LABEL_ATTRS, 2, 1, &rc);
            if (!item) {
                r = rc;
                goto fail;
            }
            Buf text = {0};
            PyObject *value = NULL;
            if ((r = leaf_gather(sc, &tag)) == 0) { /* declines labels with child elements */
                if (collapse(sc->text.p ? sc->text.p : "", sc->text.n, &text) == 0)
                    value = PyUnicode_DecodeUTF8(text.p ? text.p : "", text.n, "strict");
                PyMem_Free(text.p);
                if (!value) r = PYERR;
            }
            if (r) {
                Py_DECREF(item);
                goto fail;
            }
            PyTuple_SET_ITEM(item, 2, value);
            if ((r = append_steal(PyTuple_GET_ITEM(link, 2), item))) goto fail;
            continue;
        }
        if (link && (kind == L_LOC || kind == L_ARC)) {
            int rc = 0;
            PyObject *item = kind == L_LOC ? link_item(sc, spec, &tag, LOC_ATTRS, 2, 0, &rc)
                                           : link_item(sc, spec, &tag, ARC_ATTRS, 5, 0, &rc);
            if (!item || append_steal(PyTuple_GET_ITEM(link, kind == L_LOC ? 1 : 3), item)) {
                r = item ? PYERR : rc;
                goto fail;
            }
        }
        if (tag.empty) leave(sc); /* other elements: their descendants are walked (lxml's iter) */
    }
    return close_document(sc);
fail:
    Py_XDECREF(link);
    return r ? r : BAIL;
}

static PyObject *scan_links(PyObject *self, PyObject *args) {
    Py_buffer body;
    LinkSpec spec = {0};
    if (!PyArg_ParseTuple(args, "y*s#s#ssp", &body, &spec.link_ns, &spec.n_link, &spec.xlink_ns, &spec.n_xlink,
                          &spec.link_local, &spec.arc_local, &spec.labels))
        return NULL;
    Scanner *sc = new_scanner(&body);
    PyObject *out = sc ? PyList_New(0) : NULL;
    int r = PYERR;
    if (out) r = links_document(sc, &spec, out);
    if (sc) free_scanner(sc);
    PyBuffer_Release(&body);
    return outcome(r, out);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(body, xbrli_ns, xbrldi_ns, link_ns, xsi_ns) -> tuple or None: the contexts, units, facts and "
     "footnote links of an XBRL instance document (see the module source), None when lxml must read it."},
    {"scan_links", scan_links, METH_VARARGS,
     "scan_links(body, link_ns, xlink_ns, link_local, arc_local, labels) -> list or None: every extended link "
     "of a linkbase as (role, [(label, href)], [(label, role, text)], [(from, to, order, weight, "
     "preferredLabel)]), None when lxml must read it."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan",
                                    "One-pass C scanner for XBRL instance documents (optional accelerator).", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__scan(void) {
    init_classes();
    return PyModule_Create(&module);
}
