; A small ARMv7-A kernel for isas/armv7.isa, with its user program in the same file.
;
;   1. At reset the processor is in Supervisor mode at address 0 (the reset vector) with the MMU
;      off. The kernel sets up the stacks of the modes it uses, a translation table of 1 MiB
;      sections, turns the MMU on and drops to the user program in User mode.
;   2. The user program adds 1..10 and asks the kernel to print the sum (SVC), then tries to read
;      the kernel's memory: a permission fault (Data Abort), which the kernel reports by printing
;      the faulting address and skips. Then it exits (SVC).
;   3. On exit the kernel prints how many exceptions the user program caused and powers off.
;   This model has no interrupts (armv7/machine.isa): there is no timer to take.
;
; Output: 55 (the user's sum), 4096 (0x1000, the kernel address the user tried to read), 3 (the
; exceptions taken from User mode: two SVCs and one Data Abort).
;
; Memory: physical 0x00000000..0x000fffff holds the kernel (vectors and code at 0, data at 0x1000,
; stacks below 0x2000, translation table at 0x4000); the user program sits at physical 0x00800000
; and runs at virtual 0x00100000. The kernel's megabyte is mapped at the same virtual address.
;
; References: ARM Architecture Reference Manual ARMv7-A/R, ARM DDI 0406C ("ARM ARM"). The console
; and the power switch are two IMPLEMENTATION DEFINED CP15 registers of this model (armv7/system.isa):
;   mcr 15, 0, Rt, cr15, cr0, {0}   prints Rt        mcr 15, 0, Rt, cr15, cr0, {1}   halts

        .equ SYS_EXIT, 0               ; system calls: the number in r7, the argument in r0
        .equ SYS_PRINT, 1

        .equ MODE_USR, 0x10            ; CPSR.M values (B1.3.1, Table B1-1)
        .equ MODE_SVC, 0x13
        .equ MODE_ABT, 0x17
        .equ MODE_SYS, 0x1f

        .equ KDATA, 0x1000             ; kernel data
        .equ ABT_STACK, 0x1800         ; stack tops (full descending stacks)
        .equ SVC_STACK, 0x2000
        .equ TABLE, 0x4000             ; the translation table: 16 KiB aligned (TTBR0, B4.1.154)
        .equ USER_VA, 0x00100000       ; the user's section: virtual ...
        .equ USER_PA, 0x00800000       ; ... and physical
        .equ USER_STACK, 0x00200000    ; top of the user's section

; ================================================================ the kernel

; The exception vectors (B1.8.1): SCTLR.V = 0 puts them at 0. Each is one instruction.
        .org 0
_start: b reset                        ; 0x00 reset
        b undef_entry                  ; 0x04 Undefined Instruction
        b svc_entry                    ; 0x08 Supervisor Call
        b pabt_entry                   ; 0x0c Prefetch Abort
        b dabt_entry                   ; 0x10 Data Abort
        b unused_entry                 ; 0x14 (not used)
        b unused_entry                 ; 0x18 IRQ: this model has no interrupts
        b unused_entry                 ; 0x1c FIQ

reset:                                 ; Supervisor mode, A = I = F = 1, MMU off (B1.9.10)
        ; Each exception mode has its own SP (banked, B1.3.2): give the two we use a stack.
        movw sp, #SVC_STACK
        cps #MODE_ABT                  ; CPS changes the mode at PL1 (B9.3.2)
        movw sp, #ABT_STACK
        cps #MODE_SYS                  ; System mode shares the User registers: set the user's SP
        movw sp, #USER_STACK & 0xffff
        movt sp, #USER_STACK >> 16
        cps #MODE_SVC

        ; Translation (B3.5): one level of 1 MiB sections, table at TTBR0 (assembled below).
        movw r0, #TABLE
        mcr 15, 0, r0, cr2, cr0, {0}   ; TTBR0 = the table (B4.1.154)
        mov r0, #1
        mcr 15, 0, r0, cr3, cr0, {0}   ; DACR: domain 0 is a client: check AP bits (B4.1.43)
        mrc 15, 0, r0, cr1, cr0, {0}
        orr r0, r0, #1
        mcr 15, 0, r0, cr1, cr0, {0}   ; SCTLR.M = 1: MMU on (B4.1.130). The kernel's section maps
                                       ; to itself, so the next fetch finds the next instruction.

        ; Drop to User mode: an exception return (B1.8.10) copies SPSR to CPSR and branches.
        mov r0, #MODE_USR              ; User mode, A = I = F = 0, flags clear
        msr SPSR_fsxc, r0
        movw lr, #USER_VA & 0xffff
        movt lr, #USER_VA >> 16
        movs pc, lr                    ; "MOVS PC, LR" (B9.3.20): CPSR = SPSR_svc, PC = LR

; Supervisor Call (B1.9.4): LR_svc = the address after the SVC, SPSR_svc = the user's CPSR.
; r7 = call number, r0 = argument. r0 and r7 are the user's own registers; r1, r2 are saved.
svc_entry:
        stmdb sp!, {r1, r2, lr}        ; push on the Supervisor stack
        bl count_exception
        cmp r7, #SYS_PRINT
        beq sys_print
        cmp r7, #SYS_EXIT
        beq sys_exit
        b svc_return                   ; unknown calls do nothing
sys_print:
        mcr 15, 0, r0, cr15, cr0, {0}  ; print r0 on the console
svc_return:
        ldm sp!, {r1, r2, lr}
        movs pc, lr                    ; back to User mode, after the SVC
sys_exit:                              ; print the number of exceptions and power off
        movw r1, #KDATA
        ldr r0, [r1]
        mcr 15, 0, r0, cr15, cr0, {0}
        mcr 15, 0, r0, cr15, cr0, {1}

; Data Abort (B1.9.8): LR_abt = the faulting instruction's address + 8; DFAR holds the address
; that faulted and DFSR the kind of fault (B4.1.52, B3.13.3).
dabt_entry:
        stmdb sp!, {r0, r1, r2, lr}    ; push on the Abort stack
        bl count_exception
        mrc 15, 0, r0, cr5, cr0, {0}   ; DFSR
        cmp r0, #0x0d                  ; FS = 0b01101: permission fault, section
        bne fatal
        mrc 15, 0, r0, cr6, cr0, {0}   ; DFAR: the address the user tried to read
        mcr 15, 0, r0, cr15, cr0, {0}  ; print it
        ldm sp!, {r0, r1, r2, lr}
        subs pc, lr, #4                ; return to the instruction after the faulting one (LR - 8
                                       ; would retry it); CPSR = SPSR_abt: back to User mode

; The exceptions this kernel does not expect: print the vector's offset and power off.
undef_entry:
        mov r0, #0x04
        b fatal
pabt_entry:
        mov r0, #0x0c
        b fatal
unused_entry:
        mvn r0, #0                     ; -1: a vector that cannot be taken was
fatal:  mcr 15, 0, r0, cr15, cr0, {0}
        mcr 15, 0, r0, cr15, cr0, {1}

; count_exception: adds one to the kernel's exception counter. Uses r1, r2; returns with BX LR.
count_exception:
        movw r1, #KDATA
        ldr r2, [r1]
        add r2, r2, #1
        str r2, [r1]
        bx lr

; ---------------------------------------------------------------- kernel data
        .org KDATA
exceptions: .word 0                    ; exceptions taken from User mode

; ---------------------------------------------------------------- the translation table
; One word per 1 MiB of virtual space (B3.5.1, Figure B3-4). A section descriptor: bits[1:0] = 10,
; domain in [8:5], AP[1:0] in [11:10], AP[2] in [15], the section's physical base in [31:20].
; AP[2:0] = 001: PL1 read/write, User no access; 011: full access (B3.7.1, Table B3-8).
; Every other entry is 0: a translation fault.
        .equ SECTION, 0x2
        .equ AP_KERNEL, 0x1 << 10
        .equ AP_FULL, 0x3 << 10

        .org TABLE
        .word 0x00000000 | AP_KERNEL | SECTION          ; virtual 0x000xxxxx -> physical 0x000xxxxx
        .word USER_PA | AP_FULL | SECTION               ; virtual 0x001xxxxx -> physical 0x008xxxxx
        .space 4096 * 4 - 8                             ; the other 4094 entries: faults

; ================================================================ the user program (User mode)
; Linked at its virtual address, loaded at the physical section the table gives it.

        .org USER_VA, USER_PA
user:   mov r0, #0                     ; sum = 0
        mov r1, #10                    ; n = 10
u_loop: add r0, r0, r1                 ; sum += n
        subs r1, r1, #1                ; n -= 1, setting the flags
        bne u_loop
        movw r4, #result & 0xffff
        movt r4, #result >> 16
        str r0, [r4]                   ; result = 55
        mov r7, #SYS_PRINT
        svc 0                          ; print(sum): 55

        ; Read the kernel's exception counter at 0x1000: mapped, but not for User mode. The
        ; kernel reports the fault and skips the load, so r3 keeps its -1.
        mvn r3, #0                     ; r3 = -1
        movw r2, #KDATA
        ldr r3, [r2]                   ; Data Abort (permission fault)
        str r3, [r4, #4]               ; refused = -1

        mov r0, #0
        mov r7, #SYS_EXIT
        svc 0                          ; exit: the kernel does not come back

result:  .word 0                       ; the sum
refused: .word 0                       ; what the refused load left in its register
