; A problem program for isas/s370.isa, run on its own: `popek run` starts it at reset, in the
; supervisor state with PSW key 0 and every interruption disabled, at instruction address 0. It
; computes the greatest common divisor of 1071 and 462 with Euclid's remainder method (DIVIDE
; leaves the remainder in the even register of the pair), stores it at `gcd` and prints it on the
; console, which prints bytes: the fullword's four bytes, most significant first. Output: 0 0 0 21.
;
; Everything up to the store is ordinary problem-state code. The rest stands for what a
; supervisor would do for it: START I/O, TEST I/O and LOAD PSW are privileged instructions (in the
; problem state, a privileged-operation exception), and the program stops by loading a
; disabled-wait PSW.

        .org 0
_start: b start

        .org 0x200
start:  la 4,1071                      ; a = 1071
        la 5,462                       ; b = 462
loop:   sr 2,2                         ; the dividend a, in the even-odd pair 2-3
        lr 3,4
        dr 2,5                         ; R2 = a mod b, R3 = a / b
        lr 4,5                         ; a = b
        ltr 5,2                        ; b = a mod b; condition code 0 when it is zero
        bc 7,loop                      ; again while b != 0 (condition codes 1, 2, 3)
        st 4,gcd                       ; gcd(1071, 462) = 21

        ; The supervisor's part: print the word with a one-CCW channel program, then stop.
        l 1,caw
        st 1,72                        ; channel address word (location 72): the CCW below
        sio 9                          ; START I/O on the console, device 009
        tio 9                          ; collect its ending status
        lpsw stop_psw                  ; a disabled wait: the machine stops

        .align 8
ccw:    .word 0x01000000 | gcd         ; write (command 0x01) from gcd ...
        .word 0x00000004               ; ... 4 bytes
caw:    .word ccw
        .align 8                       ; LOAD PSW needs a doubleword operand
stop_psw: .word 0x000a0000, 0          ; EC mode, wait state, everything disabled
gcd:    .word 0
