/* Types shared by harness.c and the generated cases.c (tests/exec_harness.rs). */
#ifndef LJ_HARNESS_H
#define LJ_HARNESS_H
#include <stddef.h>
#include <stdint.h>

/* A TValue: value word, then the tag byte (offsets checked against lj_abi.h). */
typedef struct TV {
    uint64_t val;
    uint8_t tt;
} TV;

enum SpecKind { S_NIL, S_FALSE, S_TRUE, S_INT, S_FLOAT, S_STR, S_TABLE };

/* A value to build: scalars, a string, or an array table of scalars. */
typedef struct Spec {
    enum SpecKind kind;
    int64_t i;
    uint64_t bits;
    const char *s;
    int n;
    const struct Spec *items;
} Spec;

typedef uint64_t (*JitFn)(void *vm, TV *base, uint32_t entry);

typedef struct Case {
    const char *name;
    JitFn fn;
    uint32_t entry;
    int nslots;
    int nargs;
    const Spec *args;
    int nk;
    const Spec *k;
    int nup;
    const Spec *up;
} Case;

extern const Case CASES[];
extern const int NCASES;
#endif
