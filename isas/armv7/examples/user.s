; A user-level program for isas/armv7.isa, run on its own: `popek run` starts it at reset, in
; Supervisor mode at address 0 (the reset vector) with the MMU off. It computes the greatest common
; divisor of 1071 and 462 with Euclid's subtraction method, in the classic ARM form that uses
; conditional execution instead of branches (A8.3), stores it at `gcd` and prints it. Output: 21.
;
; Everything but the last two instructions is ordinary User-mode code. Those two stand for what an
; operating system would do for it: the console and the power switch are CP15 registers
; (armv7/system.isa), which only PL1 may write; in User mode they would be Undefined Instructions.

        .org 0
_start: movw r0, #1071                 ; a = 1071
        movw r1, #462                  ; b = 462
loop:   cmp r0, r1                     ; compare a and b
        subgt r0, r0, r1               ; a > b: a = a - b
        sublt r1, r1, r0               ; a < b: b = b - a
        bne loop                       ; until a = b
        movw r2, #gcd
        str r0, [r2]                   ; store the result: gcd(1071, 462) = 21
        mcr 15, 0, r0, cr15, cr0, {0}  ; print it (PL1 only)
        mcr 15, 0, r0, cr15, cr0, {1}  ; power off (PL1 only)

        .org 0x100
gcd:    .word 0
