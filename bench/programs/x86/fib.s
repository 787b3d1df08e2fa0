# Call-heavy recursion: fib(24), REPS times, through the stack. Result (the sum) in ebx.
    .ifndef REPS
    .set REPS, 180
    .endif
    .globl _start
    .text
_start:
    mov  $REPS, %edi
    xor  %esi, %esi
1:  mov  $24, %eax
    call fib
    add  %eax, %esi
    dec  %edi
    jnz  1b
    mov  %esi, %ebx
    mov  $1, %eax
    int  $0x80
fib:
    cmp  $2, %eax
    jb   1f
    push %ebx
    push %eax
    dec  %eax
    call fib
    pop  %ebx
    push %eax
    mov  %ebx, %eax
    sub  $2, %eax
    call fib
    pop  %ebx
    add  %ebx, %eax
    pop  %ebx
1:  ret
