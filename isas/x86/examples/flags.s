; Why x86 needs more than trap-and-emulate (Robin and Irvine, 2000): a ring-0 routine that saves the
; flags, disables interrupts for a critical section, and restores the flags with POPF - the usual
; idiom. At ring 0 POPF restores IF. A VMM runs this code at ring 3, where POPF does not trap and
; silently leaves IF alone (Vol 2B POPF, Table 4-15: at CPL > IOPL, IF is not changed), and PUSHF
; pushes the real flags, not the guest's. So under plain trap-and-emulate the guest ends with
; interrupts disabled and a wrong flags image on its stack; patching POPF and PUSHF fixes both.
;
; Output: the EFLAGS image PUSHF saw inside the critical section (IF clear: 0x2), then the one after
; POPF (IF set again: 0x202). `popek vmm run isas/x86.isa isas/x86/examples/flags.s` (trap mode)
; prints other values; --mode patch prints these.
        .equ CONSOLE, 0xE9
        .org 0
_start: mov esp, 0x2000
        sti                            ; interrupts on (privileged: the VMM emulates it)
        pushf                          ; save the flags (IF = 1)
        cli                            ; critical section: interrupts off
        pushf
        pop eax
        out CONSOLE, eax               ; flags inside: IF clear
        popf                           ; restore: IF = 1 again
        pushf
        pop eax
        out CONSOLE, eax               ; flags after: IF set
        hlt
