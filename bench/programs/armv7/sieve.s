@ Sieve of Eratosthenes over 16384 word flags, REPS times. Result (primes below 16384) in r0.
    .ifndef REPS
    .set REPS, 60
    .endif
    .globl _start
    .text
_start:
    ldr  r8, =REPS
    ldr  r9, =flags
    mov  r10, #16384
rep:
    mov  r1, r9
    add  r2, r9, r10, lsl #2
    mov  r3, #0
clr:
    str  r3, [r1], #4
    cmp  r1, r2
    blo  clr
    mov  r0, #0
    mov  r2, #2
outer:
    add  r4, r9, r2, lsl #2     @ the spec has LDR/STR (immediate) only, not (register)
    ldr  r3, [r4]
    cmp  r3, #0
    bne  next
    add  r0, r0, #1
    add  r5, r2, r2
    mov  r6, #1
inner:
    cmp  r5, r10
    bhs  next
    add  r4, r9, r5, lsl #2
    str  r6, [r4]
    add  r5, r5, r2
    b    inner
next:
    add  r2, r2, #1
    cmp  r2, r10
    blo  outer
    subs r8, r8, #1
    bne  rep
    mov  r7, #1
    svc  #0
    .ltorg
    .bss
    .align 4
flags: .space 65536
