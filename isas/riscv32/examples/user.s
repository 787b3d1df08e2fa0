; A user-level program for isas/riscv32.isa, run on its own: `popek run` starts it at reset, in
; M-mode at pc = 0 with translation off. It computes the greatest common divisor of 1071 and 462
; by Euclid's subtraction method (RV32I has no divide instruction), stores it at `gcd` and prints
; it. Output: 21.
;
; Everything but the last two instructions is ordinary U-mode code. Those two stand for what an
; operating system would do for it: the console and the power switch are M-mode only (riscv32.isa),
; which is what reset gives us; in U-mode they would be illegal instructions.

        .org 0
_start: addi a0, zero, 1071            ; a = 1071 (an addi immediate is 12 bits, signed)
        addi a1, zero, 462             ; b = 462
loop:   beq a0, a1, done               ; while a != b:
        bltu a0, a1, smaller
        sub a0, a0, a1                 ;   a > b: a = a - b
        jal zero, loop
smaller:
        sub a1, a1, a0                 ;   a < b: b = b - a
        jal zero, loop
done:   lui t0, gcd >> 12
        sw a0, gcd & 0xfff(t0)         ; store the result: gcd(1071, 462) = 21
        console.out a0                 ; print it (M-mode only)
        halt                           ; power off (M-mode only)

        .org 0x100
gcd:    .word 0
