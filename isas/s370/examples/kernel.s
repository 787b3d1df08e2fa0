; A small System/370 supervisor for isas/s370.isa, with its problem program in the same file.
;
;   1. At reset the CPU is in the supervisor state with PSW key 0, every interruption disabled, at
;      instruction address 0 (s370/machine.isa; on a real 370 an IPL would load this PSW). The
;      supervisor protects its storage with storage keys, sets up the console's channel program,
;      arms the CPU timer and loads the problem program's PSW (EC mode, problem state, key 8,
;      external interruptions enabled).
;   2. The problem program adds 1..10 and asks the supervisor to print the sum (SVC 1), tries to
;      store into the supervisor's storage (a protection exception: the supervisor prints the
;      address of the offending instruction and resumes after it), then loops while the CPU timer
;      interrupts it, and exits (SVC 0).
;   3. On exit the supervisor prints how many CPU-timer interruptions the program took and stops
;      in a disabled wait (the model halts there).
;
; Address translation: the model does not translate the CPU's own references (s370.isa, deviation
; 2), so there is no relocation here; the supervisor separates itself from the problem program
; with key-controlled protection (GA22-7000 Ch. 3 "Key-Controlled Protection"). Its 2K block has
; storage key 0 with the fetch-protection bit on: a program running with PSW key 8 can neither
; store into it nor fetch from it. The problem program's block has key 8.
;
; The console (device 009) prints bytes; the supervisor prints a number as the four bytes of a
; fullword, most significant first. Output: 0 0 0 55 (the sum), 0 0 8 20 (0x814, the address of the
; program's store into supervisor storage), 0 0 0 4 (CPU-timer interruptions).
;
; Every address here is below 4096, so operands are written as plain displacements (base register
; 0); a real program would establish a base register (BALR/USING). Storage (real = absolute):
;   0-511     assigned locations: PSWs, interruption codes, CSW, CAW, interval timer (Ch. 3)
;   0x200     supervisor code; 0x600 its data          (block 0: key 0, fetch-protected)
;   0x800     the problem program and its data         (block 1: key 8)

        .equ CONSOLE, 0x009            ; device address: channel 0, device 09
        .equ QUANTUM, 100              ; CPU-timer interval, in steps (one step is a microsecond)
        .equ TIMER_CODE, 0x1005        ; external interruption code of the CPU timer (Ch. 6)
        .equ PROTECTION, 0x0004        ; program interruption code of a protection exception

; ---------------------------------------------------------------- assigned storage locations
; On a real 370, locations 0-7 hold the IPL PSW; this model starts executing at address 0.
        .org 0
_start: b boot

; New PSWs (Ch. 3 "Assigned Storage Locations"): an interruption stores the current PSW as the old
; PSW of its class and loads the new one. All are EC mode (PSW bit 12), supervisor state, key 0,
; every interruption disabled, so an interruption handler is never interrupted.
        .org 88
        .word 0x00080000, ext_handler  ; 88: external new PSW
        .word 0x00080000, svc_handler  ; 96: supervisor-call new PSW
        .word 0x00080000, pgm_handler  ; 104: program new PSW

; ---------------------------------------------------------------- the supervisor
        .org 0x200
boot:
        ; Storage keys (SET STORAGE KEY, Ch. 10): bits 24-27 of R1 are the access-control bits, bit
        ; 28 the fetch-protection bit; R2 names the 2K block.
        la 1,0x08                      ; key 0, fetch protection on
        la 2,0x000
        ssk 1,2                        ; block 0 (0-0x7ff): the supervisor
        la 1,0x80                      ; key 8, no fetch protection
        la 2,0x800
        ssk 1,2                        ; block 1 (0x800-0xfff): the problem program

        ; The console's channel program is one CCW; the channel address word at location 72 points
        ; at it ("Input/Output Operations"). START I/O will run it.
        l 1,caw
        st 1,72

        ; The CPU timer (Ch. 4 "CPU Timer"): an external interruption is requested while its value
        ; is negative, if the CPU-timer subclass mask (CR0 bit 21) and the external mask are on.
        lctl 0,0,cr0
        spt quantum

        lpsw user_psw                  ; to the problem program

; SVC (Ch. 6 "Supervisor-Call Interruption"): the old PSW at 32 points after the SVC; in EC mode
; the interruption code (the SVC's operand) is at 138-139. SVC 1: print R1; SVC 0: exit.
svc_handler:
        stm 0,15,svc_save
        lh 2,138
        ltr 2,2
        bc 8,svc_exit                  ; code 0 (condition code 0: zero)
        bct 2,svc_return               ; code - 1 != 0: not 1, ignore it
        bal 14,print                   ; code 1: print R1
svc_return:
        lm 0,15,svc_save
        lpsw 32                        ; resume the program after its SVC
svc_exit:
        l 1,ticks
        bal 14,print                   ; print the number of timer interruptions
        lpsw stop_psw                  ; a disabled wait: the machine stops

; External interruption (Ch. 6): the old PSW is at 24, the interruption code at 134-135.
ext_handler:
        stm 0,15,ext_save
        lh 2,134
        ch 2,timer_code
        bc 7,ext_return                ; not the CPU timer (condition code not 0): ignore it
        l 2,ticks
        la 2,1(2)                      ; ticks + 1
        st 2,ticks
        spt quantum                    ; set the timer again: it is no longer negative
ext_return:
        lm 0,15,ext_save
        lpsw 24                        ; resume the program where it was interrupted

; Program interruption (Ch. 6): the old PSW is at 40 and points after the instruction; the
; instruction-length code (in bytes, in 141) and the interruption code (142-143) are stored too.
; A protection exception is reported and the program resumes after the instruction; anything else
; stops the machine.
pgm_handler:
        stm 0,15,pgm_save
        lh 2,142
        ch 2,protection_code
        bc 7,pgm_fatal
        l 1,44                         ; the old PSW's instruction address (EC: bits 40-63)
        sr 2,2
        ic 2,141                       ; the instruction length: ILC (bits 13-14) times 2
        sr 1,2                         ; the address of the offending instruction
        bal 14,print
        lm 0,15,pgm_save
        lpsw 40                        ; resume after it: the store did not happen
pgm_fatal:
        lr 1,2
        bal 14,print                   ; print the interruption code
        lpsw stop_psw

; print: writes the fullword in R1 to the console; returns to R14. START I/O starts the channel
; program at the CAW; this model's channel runs it at once and leaves channel end and device end
; pending, which TEST I/O collects (condition code 1, CSW at 64) so the console is free again.
print:
        st 1,out_buffer
        sio CONSOLE
        tio CONSOLE
        br 14

; ---------------------------------------------------------------- supervisor data
        .org 0x600
ticks:  .word 0                        ; CPU-timer interruptions taken
svc_save:  .space 64                   ; registers 0-15 of the interrupted program, per class
ext_save:  .space 64
pgm_save:  .space 64
out_buffer: .word 0                    ; what the console prints
timer_code: .half TIMER_CODE
protection_code: .half PROTECTION
        .align 8
quantum: .word 0, QUANTUM * 0x1000     ; CPU timer value: bit 51 is one microsecond (one step)
ccw:    .word 0x01000000 | out_buffer  ; write (command 0x01) from out_buffer ...
        .word 0x00000004               ; ... no flags, 4 bytes
caw:    .word ccw                      ; key 0, the CCW's address
cr0:    .word 0x00000400               ; CR0 bit 21: CPU-timer subclass mask
        .align 8
; EC-mode PSWs: byte 0 = masks (bit 7: external), byte 1 = key, EC (bit 12), M, W (wait), P
; (problem state); then condition code, program mask, and the instruction address in 40-63.
user_psw: .word 0x01890000, user       ; external mask on, key 8, EC, problem state
stop_psw: .word 0x000a0000, 0          ; EC, wait, everything disabled: a disabled wait

; ================================================================ the problem program (block 1)
        .org 0x800
user:   sr 2,2                         ; sum = 0
        la 3,10                        ; n = 10
loop:   ar 2,3                         ; sum += n
        bct 3,loop                     ; n -= 1, again while n != 0
        st 2,result
        lr 1,2
        svc 1                          ; print(sum): 55

        st 2,ticks                     ; store into the supervisor's block: protection exception

        la 4,400                       ; spin: the CPU timer interrupts a few times
spin:   bct 4,spin
        svc 0                          ; exit: the supervisor does not come back

        .align 4
result: .word 0                        ; the sum
