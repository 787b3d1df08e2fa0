@ ALU loop: 8 register operations per iteration, REPS x 100000 iterations. Result in r0.
    .ifndef REPS
    .set REPS, 200
    .endif
    .globl _start
    .text
_start:
    ldr  r4, =REPS*100000
    mov  r0, #1
    ldr  r1, =0x12345
    mov  r2, #7
1:  add  r0, r0, r1
    eor  r1, r1, r0
    sub  r2, r2, r0
    orr  r3, r2, r1
    and  r5, r3, r0
    lsl  r6, r5, #3
    lsr  r6, r6, #2
    add  r0, r0, r6
    subs r4, r4, #1
    bne  1b
    mov  r7, #1
    svc  #0
    .ltorg
