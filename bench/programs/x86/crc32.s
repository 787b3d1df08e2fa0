# CRC-32 (MSB first, polynomial 0x04C11DB7) over 2048 words, REPS times. Result in ebx.
    .ifndef REPS
    .set REPS, 80
    .endif
    .globl _start
    .text
_start:
    mov  $buf, %edi
    mov  $2048, %ecx
    mov  $1, %eax
    mov  $0x3039, %ebx
fill:
    mov  %eax, %edx
    add  %edx, %edx
    add  %edx, %edx
    add  %edx, %eax
    add  %ebx, %eax
    mov  %eax, (%edi)
    add  $4, %edi
    dec  %ecx
    jnz  fill
    mov  $REPS, %ebp
    mov  $-1, %eax
    mov  $0x04C11DB7, %ebx
rep:
    mov  $buf, %esi
    mov  $2048, %ecx
word:
    xor  (%esi), %eax
    mov  $32, %edx
bit:
    add  %eax, %eax
    jnc  2f
    xor  %ebx, %eax
2:  dec  %edx
    jnz  bit
    add  $4, %esi
    dec  %ecx
    jnz  word
    dec  %ebp
    jnz  rep
    mov  %eax, %ebx
    mov  $1, %eax
    int  $0x80
    .bss
    .align 4
buf: .space 8192
