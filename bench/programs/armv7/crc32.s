@ CRC-32 (MSB first, polynomial 0x04C11DB7) over 2048 words, REPS times. Result in r0.
    .ifndef REPS
    .set REPS, 80
    .endif
    .globl _start
    .text
_start:
    ldr  r1, =buf
    mov  r2, #2048
    mov  r3, #1
    ldr  r4, =0x3039
fill:
    add  r3, r3, r3, lsl #2
    add  r3, r3, r4
    str  r3, [r1], #4
    subs r2, r2, #1
    bne  fill
    ldr  r8, =REPS
    mvn  r0, #0
    ldr  r5, =0x04C11DB7
rep:
    ldr  r1, =buf
    mov  r2, #2048
word:
    ldr  r3, [r1], #4
    eor  r0, r0, r3
    mov  r4, #32
bit:
    adds r0, r0, r0
    eorcs r0, r0, r5
    subs r4, r4, #1
    bne  bit
    subs r2, r2, #1
    bne  word
    subs r8, r8, #1
    bne  rep
    mov  r7, #1
    svc  #0
    .ltorg
    .bss
    .align 4
buf: .space 8192
