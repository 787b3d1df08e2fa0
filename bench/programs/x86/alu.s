# ALU loop: 9 register operations per iteration, REPS x 100000 iterations. Result in ebx.
    .ifndef REPS
    .set REPS, 200
    .endif
    .globl _start
    .text
_start:
    mov  $REPS*100000, %ecx
    mov  $1, %eax
    mov  $0x12345, %ebx
    mov  $7, %edx
1:  add  %ebx, %eax
    xor  %eax, %ebx
    sub  %eax, %edx
    mov  %edx, %esi
    or   %ebx, %esi
    mov  %esi, %edi
    and  %eax, %edi
    add  %edi, %edi
    add  %edi, %eax
    dec  %ecx
    jnz  1b
    mov  %eax, %ebx
    mov  $1, %eax
    int  $0x80
