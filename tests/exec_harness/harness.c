/* Execution harness for lunajit's generated code (tests/exec_harness.rs).
 *
 * Runs functions that `lunajit asm --target T` emitted against a minimal VM
 * state: a JitVm block, a frame of TValues, a constants array, upvalue cells
 * and a helper table with C versions of the table helpers (over a
 * harness-side array "table") and pow. Every offset, tag and helper index
 * comes from lj_abi.h, which the Rust test writes from the crate itself; the
 * cases (cases.c) are generated too. The output is one line per fact, which
 * the test compares with what lunajit's interpreter computes on the host.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lj_abi.h"
#include "harness.h"

_Static_assert(sizeof(TV) == LJ_TV_SIZE, "TValue size");
_Static_assert(offsetof(TV, val) == LJ_TV_VAL, "TValue value offset");
_Static_assert(offsetof(TV, tt) == LJ_TV_TT, "TValue tag offset");

/* Slots per frame: the function's own (max stack size) are nil on entry;
 * the rest hold a canary that native code must never overwrite. */
#define FRAME_SLOTS 256
#define CANARY_TAG 0xee
#define CANARY_VAL UINT64_C(0x5a5a5a5a5a5a5a5a)
#define TABLE_CAP 64
#define MAX_ARGS 16

/* The harness's table: an array part only, without a metatable. Generated
 * code reads the array part's data pointer and length where the runtime's
 * Table keeps them (LJ_T_ARR_PTR, LJ_T_ARR_LEN), so the object starts with
 * a block that has those two words at those offsets (kept by sync_array). */
#define HDR_BYTES 256
_Static_assert(LJ_T_ARR_PTR + 8 <= HDR_BYTES && LJ_T_ARR_LEN + 8 <= HDR_BYTES,
               "the runtime's Table offsets fit the harness's header block");
typedef struct HTable {
    unsigned char hdr[HDR_BYTES];
    int64_t n;
    TV arr[TABLE_CAP];
} HTable;

static void sync_array(HTable *h) {
    TV *p = h->arr;
    uint64_t n = (uint64_t)h->n;
    memcpy(h->hdr + LJ_T_ARR_PTR, &p, sizeof p);
    memcpy(h->hdr + LJ_T_ARR_LEN, &n, sizeof n);
}

/* The harness's string: never read by generated code (only by helpers). */
typedef struct HStr {
    const char *s;
} HStr;

static HTable *tables[MAX_ARGS];
#define MAX_STRS 64
static HStr strs[MAX_STRS];
static int nstrs;

static HTable *as_table(const TV *t) {
    return t->tt == LJ_TAG_TABLE ? (HTable *)(uintptr_t)t->val : NULL;
}

static TV nil_value(void) {
    TV v;
    memset(&v, 0, sizeof v);
    v.tt = LJ_TAG_NIL;
    return v;
}

/* An integer key for a number with an exact integer value (as Lua
 * normalises float keys), else 0. */
static int int_key(const TV *k, int64_t *out) {
    if (k->tt == LJ_TAG_INT) {
        *out = (int64_t)k->val;
        return 1;
    }
    if (k->tt == LJ_TAG_FLOAT) {
        double d;
        memcpy(&d, &k->val, sizeof d);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == floor(d)) {
            *out = (int64_t)d;
            return 1;
        }
    }
    return 0;
}

static uint32_t h_get_int(const TV *t, int64_t key, TV *out) {
    HTable *h = as_table(t);
    if (!h)
        return 0;
    *out = (key >= 1 && key <= h->n) ? h->arr[key - 1] : nil_value();
    return 1;
}

static uint32_t h_get(const TV *t, const TV *key, TV *out) {
    int64_t k;
    if (!as_table(t) || !int_key(key, &k))
        return 0; /* no hash part here: the interpreter's job */
    return h_get_int(t, k, out);
}

static uint32_t h_set_int(const TV *t, int64_t key, const TV *v) {
    HTable *h = as_table(t);
    if (!h || v->tt == LJ_TAG_NIL)
        return 0; /* holes and shrinking: not modelled, the interpreter's job */
    if (key >= 1 && key <= h->n) {
        h->arr[key - 1] = *v;
        return 1;
    }
    if (key == h->n + 1 && h->n < TABLE_CAP) {
        h->arr[h->n++] = *v;
        sync_array(h);
        return 1;
    }
    return 0;
}

static uint32_t h_set(const TV *t, const TV *key, const TV *v) {
    int64_t k;
    if (!as_table(t) || !int_key(key, &k))
        return 0;
    return h_set_int(t, k, v);
}

static uint32_t h_len(const TV *v, TV *out) {
    HTable *h = as_table(v);
    if (!h)
        return 0;
    out->val = (uint64_t)h->n;
    out->tt = LJ_TAG_INT;
    return 1;
}

static double h_pow(double x, double y) { return pow(x, y); }

#define UNUSED_HELPER(i)                                                        \
    static void unused_##i(void) {                                              \
        printf("error: helper %d called, which the harness does not provide\n", i); \
        fflush(stdout);                                                         \
        abort();                                                                \
    }
UNUSED_HELPER(0) UNUSED_HELPER(1) UNUSED_HELPER(2) UNUSED_HELPER(3) UNUSED_HELPER(4)
UNUSED_HELPER(5) UNUSED_HELPER(6) UNUSED_HELPER(7) UNUSED_HELPER(8) UNUSED_HELPER(9)
UNUSED_HELPER(10) UNUSED_HELPER(11) UNUSED_HELPER(12) UNUSED_HELPER(13) UNUSED_HELPER(14)
UNUSED_HELPER(15)

static void (*const unused[16])(void) = {
    unused_0,  unused_1,  unused_2,  unused_3,  unused_4,  unused_5,  unused_6,  unused_7,
    unused_8,  unused_9,  unused_10, unused_11, unused_12, unused_13, unused_14, unused_15,
};

_Static_assert(LJ_HELPER_COUNT <= 16, "helper table size");
static const void *helper_table[LJ_HELPER_COUNT];

static void init_helpers(void) {
    for (int i = 0; i < LJ_HELPER_COUNT; i++)
        helper_table[i] = (const void *)unused[i];
    helper_table[LJ_H_GET_INT] = (const void *)h_get_int;
    helper_table[LJ_H_GET] = (const void *)h_get;
    helper_table[LJ_H_SET_INT] = (const void *)h_set_int;
    helper_table[LJ_H_SET] = (const void *)h_set;
    helper_table[LJ_H_LEN] = (const void *)h_len;
    helper_table[LJ_H_POW] = (const void *)h_pow;
}

static TV make_value(const Spec *s, int argi) {
    TV v = nil_value();
    switch (s->kind) {
    case S_NIL:
        break;
    case S_FALSE:
        v.tt = LJ_TAG_FALSE;
        break;
    case S_TRUE:
        v.tt = LJ_TAG_TRUE;
        v.val = 1;
        break;
    case S_INT:
        v.tt = LJ_TAG_INT;
        v.val = (uint64_t)s->i;
        break;
    case S_FLOAT:
        v.tt = LJ_TAG_FLOAT;
        v.val = s->bits;
        break;
    case S_STR:
        if (nstrs == MAX_STRS) {
            fprintf(stderr, "too many strings\n");
            exit(2);
        }
        strs[nstrs].s = s->s;
        v.tt = LJ_TAG_STR;
        v.val = (uint64_t)(uintptr_t)&strs[nstrs++];
        break;
    case S_TABLE: {
        if (argi < 0) {
            fprintf(stderr, "tables only as arguments\n");
            exit(2);
        }
        HTable *h = calloc(1, sizeof *h);
        for (int j = 0; j < s->n; j++)
            h->arr[j] = make_value(&s->items[j], -1);
        h->n = s->n;
        sync_array(h);
        tables[argi] = h;
        v.tt = LJ_TAG_TABLE;
        v.val = (uint64_t)(uintptr_t)h;
        break;
    }
    }
    return v;
}

/* One value as the test's interpreter script prints it. */
static void print_value(const TV *v) {
    switch (v->tt) {
    case LJ_TAG_NIL:
        printf("nil");
        return;
    case LJ_TAG_FALSE:
        printf("false");
        return;
    case LJ_TAG_TRUE:
        printf("true");
        return;
    case LJ_TAG_INT:
        printf("int %" PRId64, (int64_t)v->val);
        return;
    case LJ_TAG_FLOAT: {
        double d;
        memcpy(&d, &v->val, sizeof d);
        if (d != d)
            printf("float nan");
        else
            printf("float %" PRId64, (int64_t)v->val);
        return;
    }
    case LJ_TAG_STR:
        for (int i = 0; i < nstrs; i++)
            if ((uint64_t)(uintptr_t)&strs[i] == v->val) {
                printf("str:%s", strs[i].s);
                return;
            }
        break;
    case LJ_TAG_TABLE:
        for (int i = 0; i < MAX_ARGS; i++)
            if (tables[i] && (uint64_t)(uintptr_t)tables[i] == v->val) {
                printf("table#%d", i + 1);
                return;
            }
        break;
    }
    printf("bad tag=%u val=0x%" PRIx64, (unsigned)v->tt, v->val);
}

static void run_case(const Case *c) {
    static TV frame[FRAME_SLOTS];
    static unsigned char vm[256];
    TV k[64], cells[16];
    unsigned char upvals[16][LJ_UV_V + 8];
    void *uvptrs[16];

    if (c->nargs > MAX_ARGS || c->nk > 64 || c->nup > 16 || c->nslots + c->nargs > FRAME_SLOTS) {
        fprintf(stderr, "case %s too large for the harness\n", c->name);
        exit(2);
    }
    memset(tables, 0, sizeof tables);
    memset(strs, 0, sizeof strs);
    nstrs = 0;
    for (int i = 0; i < FRAME_SLOTS; i++) {
        frame[i].val = CANARY_VAL;
        frame[i].tt = CANARY_TAG;
    }
    for (int i = 0; i < c->nslots; i++)
        frame[i] = nil_value();
    for (int i = 0; i < c->nargs; i++)
        frame[i] = make_value(&c->args[i], i);
    for (int i = 0; i < c->nk; i++)
        k[i] = make_value(&c->k[i], -1);
    for (int i = 0; i < c->nup; i++) {
        cells[i] = make_value(&c->up[i], -1);
        void *cell = &cells[i];
        memset(upvals[i], 0, sizeof upvals[i]);
        memcpy(upvals[i] + LJ_UV_V, &cell, sizeof cell);
        uvptrs[i] = upvals[i];
    }

    memset(vm, 0, sizeof vm);
    void *p;
    p = NULL; /* no State: the cases call no helper that needs one */
    memcpy(vm + LJ_VM_STATE, &p, sizeof p);
    p = k;
    memcpy(vm + LJ_VM_K, &p, sizeof p);
    p = uvptrs;
    memcpy(vm + LJ_VM_UPVALS, &p, sizeof p);
    p = (void *)helper_table;
    memcpy(vm + LJ_VM_HELPERS, &p, sizeof p);

    uint64_t st = c->fn(vm, frame, c->entry);

    /* the test decodes the status word with abi::decode */
    printf("case %s\n", c->name);
    printf("status 0x%" PRIx64 "\n", st);
    uint64_t entries;
    memcpy(&entries, vm + LJ_VM_ENTRIES, sizeof entries);
    printf("entries %" PRIu64 "\n", entries);
    for (int i = 0; i < c->nslots; i++) {
        printf("slot %d ", i);
        print_value(&frame[i]);
        printf("\n");
    }
    for (int i = c->nslots; i < FRAME_SLOTS; i++)
        if (frame[i].tt != CANARY_TAG || frame[i].val != CANARY_VAL)
            printf("clobber %d\n", i);
    for (int i = 0; i < c->nup; i++) {
        printf("up %d ", i + 1);
        print_value(&cells[i]);
        printf("\n");
    }
    for (int i = 0; i < c->nk; i++) {
        TV want = make_value(&c->k[i], -1);
        if (want.val != k[i].val || want.tt != k[i].tt)
            printf("kclobber %d\n", i);
    }
    for (int i = 0; i < MAX_ARGS; i++) {
        if (!tables[i])
            continue;
        printf("tab %d %" PRId64 "\n", i + 1, tables[i]->n);
        for (int j = 0; j < tables[i]->n; j++) {
            printf("tabv %d %d ", i + 1, j + 1);
            print_value(&tables[i]->arr[j]);
            printf("\n");
        }
        free(tables[i]);
    }
    fflush(stdout);
}

int main(void) {
    init_helpers();
    for (int i = 0; i < NCASES; i++)
        run_case(&CASES[i]);
    printf("done\n");
    return 0;
}
