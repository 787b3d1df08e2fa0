@ Word copy of 16 KiB, REPS times (unrolled by four). Result (a checksum word) in r0.
    .ifndef REPS
    .set REPS, 2000
    .endif
    .globl _start
    .text
_start:
    ldr  r1, =src
    mov  r2, #4096
    ldr  r3, =0x9e3779b9
fill:
    str  r3, [r1], #4
    add  r3, r3, r2
    subs r2, r2, #1
    bne  fill
    ldr  r8, =REPS
rep:
    ldr  r1, =src
    ldr  r2, =dst
    mov  r9, #1024
copy:
    ldr  r3, [r1]
    ldr  r4, [r1, #4]
    ldr  r5, [r1, #8]
    ldr  r6, [r1, #12]
    str  r3, [r2]
    str  r4, [r2, #4]
    str  r5, [r2, #8]
    str  r6, [r2, #12]
    add  r1, r1, #16
    add  r2, r2, #16
    subs r9, r9, #1
    bne  copy
    subs r8, r8, #1
    bne  rep
    ldr  r2, =dst
    ldr  r0, [r2, #4092]
    mov  r7, #1
    svc  #0
    .ltorg
    .bss
    .align 4
src: .space 16384
dst: .space 16384
