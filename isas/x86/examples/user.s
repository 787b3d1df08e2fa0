; A user-level program for isas/x86.isa, run on its own: `popek run` starts it at reset, at ring 0
; with EIP = 0 and the flat segments a boot loader leaves (x86/machine.isa). It computes the
; greatest common divisor of 1071 and 462 with Euclid's subtraction method (this subset of IA-32
; has no DIV), stores it at `gcd` and prints it. Output: 21.
;
; Everything but the last two instructions is ordinary ring-3 code. Those two stand for what an
; operating system would do for it: OUT needs CPL <= IOPL and HLT needs CPL 0; at ring 3 both would
; raise a general-protection fault.

        .org 0
_start: mov eax, 1071                  ; a = 1071
        mov ebx, 462                   ; b = 462
loop:   cmp eax, ebx                   ; compare a and b
        je done
        jb smaller                     ; unsigned a < b
        sub eax, ebx                   ; a > b: a = a - b
        jmp loop
smaller:
        sub ebx, eax                   ; a < b: b = b - a
        jmp loop
done:   mov DWORD PTR ds:gcd, eax      ; store the result: gcd(1071, 462) = 21
        out 0xe9, eax                  ; print it on the console port (needs CPL <= IOPL)
        hlt                            ; stop (needs CPL 0)

        .org 0x100
gcd:    .word 0
