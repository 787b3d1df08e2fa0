; Self-modifying code for pg-flawed.isa: the supervisor reads the word of a RETU instruction (a
; problem instruction the patcher replaces before it runs), runs it once, then overwrites it with
; an ADDI and runs that. Under a patching VMM the load must see the original RETU, not the patch,
; and the store must drop the patched block so the ADDI runs. Output: the RETU word (0x74000000 +
; its address field), then 1 (r3 after the ADDI).
        .org 0
old_psw:  .word 0
new_psw:  .word (1023 << 10) | handler
cause:    .word 0
info:     .word 0

_start: ld r0, code                  ; read the code word: the original RETU
        out r0
        jal r2, code                 ; run it: to user mode at `back`
handler:
        ld r1, addi_word
        st r1, code                  ; overwrite the RETU with `addi r3, 1`
        ldi r3, 0
        jal r2, code                 ; run the new instruction
        out r3
        hlt
code:   retu back                    ; replaced at run time
        jr r2                        ; after the ADDI: back to the caller
back:   svc 0                        ; user mode: trap to the handler
addi_word: addi r3, 1
