# Word copy of 16 KiB, REPS times (unrolled by four). Result (a checksum word) in a0.
    .ifndef REPS
    .set REPS, 2000
    .endif
    .globl _start
    .text
_start:
    la   s1, src
    li   t0, 4096
    li   t1, 0x9e3779b9
fill:
    sw   t1, 0(s1)
    add  t1, t1, t0
    addi s1, s1, 4
    addi t0, t0, -1
    bnez t0, fill
    li   s0, REPS
rep:
    la   a1, src
    la   a2, dst
    li   t0, 1024
copy:
    lw   t1, 0(a1)
    lw   t2, 4(a1)
    lw   t3, 8(a1)
    lw   t4, 12(a1)
    sw   t1, 0(a2)
    sw   t2, 4(a2)
    sw   t3, 8(a2)
    sw   t4, 12(a2)
    addi a1, a1, 16
    addi a2, a2, 16
    addi t0, t0, -1
    bnez t0, copy
    addi s0, s0, -1
    bnez s0, rep
    la   a2, dst
    li   t0, 4092
    add  a2, a2, t0
    lw   a0, 0(a2)
    li   a7, 93
    ecall
    .bss
    .align 4
src: .space 16384
dst: .space 16384
