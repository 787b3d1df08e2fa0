; A user program for the P&G machine run on its own (popek run starts in supervisor mode at _start):
; it adds the first 10 numbers, stores the sum and halts.
        .org 8
_start: ldi r0, 0
        ldi r1, 10
loop:   add r0, r1
        addi r1, -1
        jz r1, done
        jmp loop
done:   st r0, sum
        out r0
        hlt
sum:    .word 0
