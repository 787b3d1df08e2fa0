# Call-heavy recursion: fib(24), REPS times, with a stack frame per call. Result (the sum) in a0.
    .ifndef REPS
    .set REPS, 180
    .endif
    .globl _start
    .text
_start:
    li   s2, REPS
    li   s3, 0
1:  li   a0, 24
    call fib
    add  s3, s3, a0
    addi s2, s2, -1
    bnez s2, 1b
    mv   a0, s3
    li   a7, 93
    ecall
fib:
    li   t0, 2
    bltu a0, t0, 1f
    addi sp, sp, -12
    sw   ra, 0(sp)
    sw   s0, 4(sp)
    sw   s1, 8(sp)
    mv   s0, a0
    addi a0, a0, -1
    call fib
    mv   s1, a0
    addi a0, s0, -2
    call fib
    add  a0, a0, s1
    lw   ra, 0(sp)
    lw   s0, 4(sp)
    lw   s1, 8(sp)
    addi sp, sp, 12
1:  ret
