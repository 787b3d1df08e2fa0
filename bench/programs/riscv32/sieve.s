# Sieve of Eratosthenes over 16384 word flags, REPS times. Result (primes below 16384) in a0.
    .ifndef REPS
    .set REPS, 60
    .endif
    .globl _start
    .text
_start:
    li   s0, REPS             # repetitions
    la   s1, flags
    li   s2, 16384            # N
rep:
    mv   t0, s1               # clear the flags
    slli t1, s2, 2
    add  t1, t1, s1
clr:
    sw   zero, 0(t0)
    addi t0, t0, 4
    bltu t0, t1, clr
    li   a0, 0                # count
    li   t2, 2                # i
outer:
    slli t3, t2, 2
    add  t3, t3, s1
    lw   t4, 0(t3)
    bnez t4, next
    addi a0, a0, 1
    add  t5, t2, t2           # j = 2i
    slli t6, t2, 2            # step in bytes
inner:
    bgeu t5, s2, next
    slli a1, t5, 2
    add  a1, a1, s1
    li   a2, 1
    sw   a2, 0(a1)
    add  t5, t5, t2
    j    inner
next:
    addi t2, t2, 1
    bltu t2, s2, outer
    addi s0, s0, -1
    bnez s0, rep
    li   a7, 93
    ecall
    .bss
    .align 4
flags: .space 65536
