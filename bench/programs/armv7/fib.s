@ Call-heavy recursion: fib(24), REPS times, with a stack frame per call. Result (the sum) in r0.
    .ifndef REPS
    .set REPS, 180
    .endif
    .globl _start
    .text
_start:
    ldr  r8, =REPS
    mov  r9, #0
1:  mov  r0, #24
    bl   fib
    add  r9, r9, r0
    subs r8, r8, #1
    bne  1b
    mov  r0, r9
    mov  r7, #1
    svc  #0
fib:
    cmp  r0, #2
    bxlo lr
    push {r4, r5, lr}
    mov  r4, r0
    sub  r0, r0, #1
    bl   fib
    mov  r5, r0
    sub  r0, r4, #2
    bl   fib
    add  r0, r0, r5
    pop  {r4, r5, pc}
    .ltorg
