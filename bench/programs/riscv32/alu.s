# ALU loop: 8 register operations per iteration, REPS x 100000 iterations. Result in a0.
    .ifndef REPS
    .set REPS, 200
    .endif
    .globl _start
    .text
_start:
    li   t0, REPS*100000      # iterations
    li   a0, 1
    li   a1, 0x12345
    li   a2, 7
1:  add  a0, a0, a1
    xor  a1, a1, a0
    sub  a2, a2, a0
    or   a3, a2, a1
    and  a4, a3, a0
    slli a5, a4, 3
    srli a6, a5, 2
    add  a0, a0, a6
    addi t0, t0, -1
    bnez t0, 1b
    li   a7, 93               # exit(a0)
    ecall
