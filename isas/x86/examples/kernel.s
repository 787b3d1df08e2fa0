; A small IA-32 protected-mode kernel for isas/x86.isa, with its user program in the same file.
;
;   1. At reset the processor runs at ring 0 at address 0 with the flat segments a boot loader
;      leaves (x86/machine.isa); there is no GDT or IDT yet. The kernel loads its own GDT (flat
;      ring-0 segments, and ring-3 segments based at the user's memory: segmentation is this
;      machine's address translation, there is no paging), an IDT with two gates, and a TSS that
;      holds the ring-0 stack the processor switches to when an interrupt comes from ring 3.
;   2. It drops to the user program at ring 3 with IRET.
;   3. The user program writes the running sums of 1..10 into a table that runs past the end of
;      its data segment: the first store beyond the limit is a general-protection fault (#GP).
;      The kernel grows the segment by 4 KiB (it rewrites the descriptor's limit), prints the new
;      size, and returns to the faulting store, which now succeeds. The user program then prints
;      the sum with a system call (INT 0x80) and exits (INT 0x80).
;   4. On exit the kernel prints how many interrupts and exceptions came from ring 3, and halts.
;   This model has no external interrupts (x86/machine.isa): there is no timer to take.
;
; Output: 8192 (the user's data segment, grown from 4 KiB to 8 KiB), 55 (the user's sum), 3 (the
; ring-3 events: one #GP and two system calls).
;
; Physical memory: kernel code at 0, GDT at 0x800, IDT at 0x1000, TSS at 0x1800, kernel data at
; 0x1900, the ring-0 stack below 0x3000; the user program at 0x00100000, the base of its segments.
;
; References: Intel 64 and IA-32 Architectures Software Developer's Manual: Vol 3 = System
; Programming Guide (3.4.5 segment descriptors, 6.11 IDT descriptors, 6.12 exception and interrupt
; handling, 7.2.1 the TSS), Vol 2 = instruction set reference. The console is port 0xE9.

        .equ SYS_EXIT, 0               ; system calls: INT 0x80, number in EAX, argument in EBX
        .equ SYS_PRINT, 1

        .equ KCODE_SEL, 0x08           ; selectors: index * 8 | table indicator | RPL (Vol 3 3.4.2)
        .equ KDATA_SEL, 0x10
        .equ UCODE_SEL, 0x18 | 3       ; ring-3 selectors carry RPL 3
        .equ UDATA_SEL, 0x20 | 3
        .equ TSS_SEL, 0x28

        .equ GDT, 0x800
        .equ UDATA_DESC, GDT + 0x20    ; the user data segment's descriptor
        .equ IDT, 0x1000
        .equ TSS, 0x1800
        .equ KSTACK_TOP, 0x3000
        .equ USER_BASE, 0x00100000     ; where the user's segments start (physical)
        .equ USER_LIMIT, 0x0fff        ; their initial limit: 4 KiB
        .equ USER_MAX_LIMIT, 0x3fff    ; the data segment may grow to 16 KiB
        .equ CONSOLE, 0xe9

; ================================================================ the kernel

        .org 0
_start:                                ; reset: CPL 0, EIP = 0, flat segments (no tables loaded)
        mov esp, KSTACK_TOP
        lgdtd ds:gdt_ptr               ; the GDT register: limit and base (Vol 2A LGDT)
        lidtd ds:idt_ptr               ; the IDT register
        ; The segment registers still hold descriptors the boot loader loaded: reload each from our
        ; GDT (a far jump for CS, MOV for the others, Vol 3 3.4.3).
        jmp 0x8:reload
reload: mov eax, KDATA_SEL
        mov ss, eax
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax

        ; The TSS: the stack for ring 0 (SS0:ESP0, Vol 3 7.2.1), which an interrupt from ring 3
        ; switches to (Vol 3 6.12.1). LTR loads the task register and marks the TSS busy.
        mov DWORD PTR ds:TSS + 4, KSTACK_TOP
        mov DWORD PTR ds:TSS + 8, KDATA_SEL
        mov eax, TSS_SEL
        ltr ax

        ; Drop to ring 3: IRET to an outer level pops EIP, CS, EFLAGS, ESP and SS (Vol 2A IRET),
        ; so push a frame that looks as if the user program had been interrupted at its first
        ; instruction. The user program uses DS and SS only: DS is loaded here, and IRET nulls the
        ; others, whose ring-0 segments ring 3 may not use (Vol 2A IRET, "for each of ES, FS, GS").
        mov eax, UDATA_SEL
        mov ds, eax
        push eax                       ; SS
        mov eax, USER_LIMIT + 1
        push eax                       ; ESP: the top of the user's data segment
        mov eax, 0x202
        push eax                       ; EFLAGS: IF = 1, IOPL = 0 (no I/O for ring 3)
        mov eax, UCODE_SEL
        push eax                       ; CS
        mov eax, user
        push eax                       ; EIP
        iret

; INT 0x80 from ring 3 (a trap gate of DPL 3): the processor switched to SS0:ESP0 and pushed the
; user's SS, ESP, EFLAGS, CS and EIP (the instruction after the INT). EAX = call number, EBX =
; argument; EAX returns 0. DS still holds the user's segment: keep it, use the kernel's own.
syscall_entry:
        push ecx
        mov ecx, ds
        push ecx                       ; the user's DS
        mov ecx, KDATA_SEL
        mov ds, ecx                    ; the kernel's flat data segment
        inc DWORD PTR ds:events
        cmp eax, SYS_PRINT
        je sys_print
        cmp eax, SYS_EXIT
        je sys_exit
        jmp sys_return                 ; unknown calls do nothing
sys_print:
        mov eax, ebx
        out CONSOLE, eax               ; print EBX
sys_return:
        mov eax, 0
        pop ecx
        mov ds, ecx
        pop ecx
        iret                           ; back to ring 3: EIP, CS, EFLAGS, ESP, SS
sys_exit:                              ; print the number of ring-3 events and halt
        mov eax, DWORD PTR ds:events
        out CONSOLE, eax
        hlt

; #GP (vector 13, an interrupt gate of DPL 0): the same frame plus an error code, 0 for a segment
; limit violation (Vol 3 6.15, interrupt 13). EIP is the faulting instruction: a fault is retried.
; The kernel takes it for a reference past the end of the user's data segment (it knows its one
; program; a general kernel would look at the faulting instruction) and grows the segment by
; 4 KiB, up to USER_MAX_LIMIT; beyond that it prints -1 and halts.
gp_entry:
        push eax
        push ecx
        mov ecx, ds
        push ecx                       ; the user's DS
        mov ecx, KDATA_SEL
        mov ds, ecx
        inc DWORD PTR ds:events
        ; The descriptor's first doubleword is base 15..0 : limit 15..0, and base 15..0 is 0 here,
        ; so adding 4 KiB to it adds 4 KiB to the limit.
        mov eax, DWORD PTR ds:UDATA_DESC
        add eax, 0x1000
        cmp eax, USER_MAX_LIMIT
        ja gp_fatal
        mov DWORD PTR ds:UDATA_DESC, eax
        add eax, 1
        out CONSOLE, eax               ; print the new size of the segment
        ; Loading a segment register reads its descriptor from the GDT again (Vol 3 3.4.3): the
        ; user's DS gets the new limit here, and its SS when IRET loads it.
        pop ecx
        mov ds, ecx
        pop ecx
        pop eax
        add esp, 4                     ; discard the error code
        iret                           ; retry the faulting instruction
gp_fatal:
        mov eax, -1
        out CONSOLE, eax
        hlt

; ---------------------------------------------------------------- descriptor tables
; A segment descriptor as two little-endian words (Vol 3 3.4.5):
;   low:  base 15..0 << 16 | limit 15..0
;   high: base 31..24 << 24 | G D/B 0 AVL << 20 | limit 19..16 << 16 | P DPL S type << 8 | base 23..16
; Access bytes: 0x9a ring-0 code, 0x92 ring-0 data, 0xfa ring-3 code, 0xf2 ring-3 data, 0x89 an
; available 32-bit TSS. Flags 0xc = 4 KiB granularity and 32-bit; 0x4 = byte granularity, 32-bit.
        .org GDT
gdt:    .word 0, 0                                      ; 0x00 the null descriptor
        .word 0x0000ffff, 0x00cf9a00                    ; 0x08 kernel code: base 0, 4 GiB
        .word 0x0000ffff, 0x00cf9200                    ; 0x10 kernel data: base 0, 4 GiB
        .word USER_LIMIT, 0x0040fa00 | (USER_BASE >> 16) ; 0x18 user code: base 0x00100000, 4 KiB
        .word USER_LIMIT, 0x0040f200 | (USER_BASE >> 16) ; 0x20 user data: the same, growable
        .word (TSS << 16) | 103, 0x00008900             ; 0x28 the TSS: 104 bytes at TSS
gdt_end:

; The pseudo-descriptors LGDT and LIDT read: a 16-bit limit (size - 1), then the 32-bit base.
gdt_ptr: .half gdt_end - gdt - 1
        .word gdt
idt_ptr: .half 0x80 * 8 + 7
        .word IDT

; Interrupt and trap gates (Vol 3 6.11): low: selector << 16 | offset 15..0; high: offset 31..16
; << 16 | P DPL 0 type << 8. Type 0xe: interrupt gate (clears IF), 0xf: trap gate. Vectors with no
; gate (P = 0) are not expected; delivering one would shut the machine down (a triple fault).
        .org IDT + 13 * 8
        .word (KCODE_SEL << 16) | gp_entry, 0x8e00      ; #GP: interrupt gate, DPL 0
        .org IDT + 0x80 * 8
        .word (KCODE_SEL << 16) | syscall_entry, 0xef00 ; INT 0x80: trap gate, DPL 3 (ring 3 may INT)

        .org TSS                       ; the TSS (104 bytes); the kernel fills in SS0 and ESP0
        .space 104

        .org 0x1900
events: .word 0                        ; interrupts and exceptions taken from ring 3

; ================================================================ the user program (ring 3)
; Linked at offset 0 of its segments, loaded at their base.

        .equ TABLE, 0x0fe8             ; 10 words from here: the first 6 fit in the first 4 KiB

        .org 0, USER_BASE
user:   mov edi, TABLE
        mov eax, 0                     ; sum = 0
        mov ecx, 1                     ; n = 1
u_loop: add eax, ecx                   ; sum += n
        mov DWORD PTR [edi], eax       ; table[n - 1] = sum: at 0x1000 this is past the limit (#GP)
        add edi, 4
        inc ecx
        cmp ecx, 11
        jne u_loop
        mov ebx, eax
        mov eax, SYS_PRINT
        int 0x80                       ; print(sum): 55
        mov eax, SYS_EXIT
        int 0x80                       ; exit: the kernel does not come back
