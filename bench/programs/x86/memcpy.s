# Word copy of 16 KiB, REPS times (unrolled by four). Result (a checksum word) in ebx.
    .ifndef REPS
    .set REPS, 2000
    .endif
    .globl _start
    .text
_start:
    mov  $src, %edi
    mov  $4096, %ecx
    mov  $0x9e3779b9, %eax
fill:
    mov  %eax, (%edi)
    add  %ecx, %eax
    add  $4, %edi
    dec  %ecx
    jnz  fill
    movl $REPS, reps
rep:
    mov  $src, %esi
    mov  $dst, %edi
    mov  $1024, %ecx
copy:
    mov  (%esi), %eax
    mov  4(%esi), %ebx
    mov  8(%esi), %edx
    mov  12(%esi), %ebp
    mov  %eax, (%edi)
    mov  %ebx, 4(%edi)
    mov  %edx, 8(%edi)
    mov  %ebp, 12(%edi)
    add  $16, %esi
    add  $16, %edi
    dec  %ecx
    jnz  copy
    decl reps
    jnz  rep
    mov  dst+4092, %ebx
    mov  $1, %eax
    int  $0x80
    .bss
    .align 4
reps: .space 4
src:  .space 16384
dst:  .space 16384
