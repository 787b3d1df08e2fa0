# CRC-32 (MSB first, polynomial 0x04C11DB7) over 2048 words, REPS times. Result in a0.
    .ifndef REPS
    .set REPS, 80
    .endif
    .globl _start
    .text
_start:
    la   s1, buf              # fill the buffer: x = x * 5 + 0x3039 (shift-add)
    li   t0, 2048
    li   t1, 1
fill:
    slli t2, t1, 2
    add  t1, t1, t2
    li   t2, 0x3039
    add  t1, t1, t2
    sw   t1, 0(s1)
    addi s1, s1, 4
    addi t0, t0, -1
    bnez t0, fill
    li   s0, REPS             # repetitions
    li   a0, -1               # crc
    li   s3, 0x04C11DB7
rep:
    la   s1, buf
    li   t0, 2048
word:
    lw   t1, 0(s1)
    xor  a0, a0, t1
    li   t2, 32
bit:
    slli t3, a0, 1
    bgez a0, 2f
    xor  t3, t3, s3
2:  mv   a0, t3
    addi t2, t2, -1
    bnez t2, bit
    addi s1, s1, 4
    addi t0, t0, -1
    bnez t0, word
    addi s0, s0, -1
    bnez s0, rep
    li   a7, 93
    ecall
    .bss
    .align 4
buf: .space 8192
