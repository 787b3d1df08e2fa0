; A supervisor for pg-flawed.isa that enters its user program with RETU, the flawed machine's
; return-to-user instruction, instead of LPSW. On pg-flawed, RETU does not trap in user mode (it is
; a no-op there), so a trap-and-emulate VMM, which runs this supervisor in real user mode, never
; sees it: the guest's virtual mode stays supervisor and the user program's SVC is no longer a
; trap from user mode. `popek vmm run isas/pg-flawed.isa isas/pg/examples/retu.s` shows the
; difference; --mode patch (RETU replaced by a trapping form) and --mode hvm (the supervisor
; interpreted) run it as the bare machine does. Output: 7 (the SVC number the supervisor saw),
; then 1 (the user mode M at the time of the SVC, read from the saved PSW).
        .equ SVC_CAUSE, 3

        .org 0
old_psw:  .word 0                    ; E[0]: the old PSW of the last trap
new_psw:  .word (1023 << 10) | handler  ; E[1]: supervisor, l = 0, b = 1023
cause:    .word 0
info:     .word 0

_start: retu user                    ; to user mode, at user (no relocation: l = 0)

handler:
        ld r0, info
        out r0                       ; the SVC's number
        ld r1, old_psw               ; M is bit 31 of the PSW: the sign bit
        jneg r1, user_was_1
        ldi r0, 0
        out r0
        hlt
user_was_1:
        ldi r0, 1
        out r0
        hlt

user:   ldi r3, 42                   ; the user program: some work, then a supervisor call
        addi r3, 1
        svc 7
        hlt                          ; never reached: the supervisor halts the machine
