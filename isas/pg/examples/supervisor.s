; A small supervisor for the Popek & Goldberg machine (isas/pg.isa).
; It arms the interval timer, drops to a user program that runs relocated at physical 512 with
; LPSW, services supervisor calls (svc 1: print the user's r0; svc 0: exit) and counts timer
; interrupts. Output: the user's result (55), then the number of timer interrupts it took.

        .equ USER_BASE, 512
        .equ USER_SIZE, 64           ; words the user program may address
        .equ SVC_CAUSE, 3
        .equ TIMER_CAUSE, 4
        .equ QUANTUM, 40             ; instructions between timer interrupts

        .org 0
old_psw:  .word 0                    ; E[0]: a trap stores the old PSW here
new_psw:  .word (1023 << 10) | handler  ; E[1]: supervisor mode, l = 0, b = 1023, P = handler
cause:    .word 0                    ; E[2]: why we trapped
info:     .word 0                    ; E[3]: the supervisor call's number
save0:    .word 0
save1:    .word 0
save2:    .word 0
save3:    .word 0

_start: ldi r0, QUANTUM
        stt r0                       ; start the interval timer
        lpsw user_psw                ; user mode, relocated to USER_BASE

handler:
        st r0, save0                 ; the trap left the user's registers: keep them
        st r1, save1
        st r2, save2
        st r3, save3
        ld r1, cause
        addi r1, -SVC_CAUSE
        jz r1, on_svc
        ld r1, cause
        addi r1, -TIMER_CAUSE
        jz r1, on_timer
        hlt                          ; any other trap stops the machine

on_svc: ld r1, info
        jz r1, on_exit
        ld r0, save0
        out r0                       ; svc 1: print the user's r0
        jmp resume

on_timer:
        ld r1, ticks
        addi r1, 1
        st r1, ticks
        ldi r0, QUANTUM
        stt r0                       ; re-arm the timer
        jmp resume

on_exit:
        ld r0, ticks
        out r0                       ; svc 0: report the timer interrupts, then stop
        hlt

resume: ld r0, save0
        ld r1, save1
        ld r2, save2
        ld r3, save3
        lpsw old_psw                 ; back to the user where it left off

ticks:    .word 0
user_psw: .word (1 << 31) | (USER_BASE << 20) | ((USER_SIZE - 1) << 10)

; The user program: linked at virtual 0, loaded at physical USER_BASE.
        .org 0, USER_BASE
        ldi r0, 0                    ; sum = 0
        ldi r1, 10                   ; n = 10
loop:   add r0, r1                   ; sum += n
        addi r1, -1
        jz r1, done
        jmp loop
done:   svc 1                        ; print the sum: 55
        st r0, result                ; a store through relocation
        ldi r2, 100                  ; spin a while, so the timer interrupts us
spin:   addi r2, -1
        jz r2, finish
        jmp spin
finish: svc 0                        ; exit
result: .word 0
