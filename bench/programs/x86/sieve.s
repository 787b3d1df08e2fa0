# Sieve of Eratosthenes over 16384 word flags, REPS times. Result (primes below 16384) in ebx.
    .ifndef REPS
    .set REPS, 60
    .endif
    .globl _start
    .text
_start:
    movl $REPS, reps
rep:
    mov  $flags, %edi
    mov  $16384, %ecx
clr:
    movl $0, (%edi)
    add  $4, %edi
    dec  %ecx
    jnz  clr
    xor  %eax, %eax
    mov  $2, %ebx
    mov  $flags+8, %esi
outer:
    cmpl $0, (%esi)
    jne  next
    inc  %eax
    mov  %ebx, %edx
    add  %ebx, %edx
    mov  %ebx, %ecx
    add  %ecx, %ecx
    add  %ecx, %ecx
    mov  %esi, %edi
    add  %ecx, %edi
inner:
    cmp  $16384, %edx
    jae  next
    movl $1, (%edi)
    add  %ebx, %edx
    add  %ecx, %edi
    jmp  inner
next:
    inc  %ebx
    add  $4, %esi
    cmp  $16384, %ebx
    jb   outer
    decl reps
    jnz  rep
    mov  %eax, %ebx
    mov  $1, %eax
    int  $0x80
    .bss
    .align 4
reps:  .space 4
flags: .space 65536
