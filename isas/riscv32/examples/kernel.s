; A small RV32 system for isas/riscv32.isa: an M-mode monitor (the "firmware"), an S-mode kernel
; with Sv32 paging, and a U-mode user program, all in this one file.
;
;   1. The monitor starts at reset (M-mode, pc = 0), delegates the user's traps and the supervisor
;      timer interrupt to S-mode, and enters the kernel with MRET. Afterwards it serves the
;      kernel's calls (ECALL from S-mode, like the SBI of real RISC-V firmware): print a number on
;      the console, arm the timer, power off. Only M-mode has the console and the power switch.
;   2. The kernel turns on Sv32 translation (page tables assembled below), arms the timer and drops
;      to the user program with SRET.
;   3. The user program adds 1..10 and asks the kernel to print the sum (ECALL), tries to read a
;      kernel page (a load page fault: the kernel prints the faulting address and skips the load),
;      spins while timer interrupts arrive, and exits with ECALL.
;   4. On exit the kernel prints how many timer interrupts the user program took and powers off.
;
; Output: 55 (the user's sum), 8192 (0x2000, the kernel address the user tried to read), 8 (the
; timer interrupts).
;
; Physical memory (the kernel sees it identity-mapped; the user sees only its two pages):
;   0x0000  monitor code and its save area       0x3000  root page table (level 1)
;   0x1000  kernel code                          0x4000  level-0 table for 0x00400000..0x007fffff
;   0x2000  kernel data and its save area        0x5000  user code  (virtual 0x00400000)
;                                                0x6000  user data  (virtual 0x00401000)
;
; References: P = The RISC-V Instruction Set Manual, Volume II: Privileged Architecture, 20211203.
; Without pseudo-instructions: "csrrw zero, CSR, rs" is csrw, "csrrs rd, CSR, zero" is csrr,
; "jal zero, L" is j, "addi rd, zero, N" is li.

        .equ PRV_S_MPP, 0x800          ; mstatus.MPP = 01 (S-mode), bits 12:11 (P 3.1.6.1)
        .equ SSIP_STIP, 0x20           ; mip/mie bit 5: supervisor timer interrupt (P 3.1.9)
        .equ MTIE, 0x80                ; mie bit 7: machine timer interrupt enable
        .equ QUANTUM, 100              ; timer period, in steps of the machine (mtime counts steps)

        ; the kernel's calls to the monitor (in a7), and the user's calls to the kernel (in a7)
        .equ SBI_PUTINT, 1
        .equ SBI_SET_TIMER, 2
        .equ SBI_SHUTDOWN, 3
        .equ SYS_EXIT, 0
        .equ SYS_PRINT, 1

        .equ KERNEL_ENTRY, 0x1000
        .equ USER_CODE, 0x00400000     ; virtual addresses of the user's pages
        .equ USER_DATA, 0x00401000
        .equ USER_STACK_TOP, 0x00402000

; ================================================================ M-mode monitor (physical 0x0000)

        .org 0
_start:                                ; reset: M-mode with mstatus.MIE = 0 (P 3.4); pc = 0 here
        addi t0, zero, m_trap          ; (the monitor lies below 2 KiB: one addi reaches it)
        csrrw zero, mtvec, t0          ; every trap taken to M-mode goes to m_trap (Direct mode)
        addi t0, zero, m_frame
        csrrw zero, mscratch, t0       ; m_trap finds its save area through mscratch
        ; Delegate to S-mode (P 3.1.8): ECALL from U (cause 8) and the page faults (12, 13, 15) in
        ; medeleg, the supervisor timer interrupt (5) in mideleg. ECALL from S (9) stays here.
        lui t0, 0xb
        addi t0, t0, 0x100
        csrrw zero, medeleg, t0        ; 0xb100 = bits 8, 12, 13, 15
        addi t0, zero, SSIP_STIP
        csrrw zero, mideleg, t0
        addi t0, zero, 2
        csrrw zero, mcounteren, t0     ; let S-mode read the time CSR (TM, P 3.1.11)
        ; Enter the kernel: MRET goes to mepc at privilege MPP (P 3.3.2).
        addi t0, zero, PRV_S_MPP >> 11
        slli t0, t0, 11                ; t0 = PRV_S_MPP (0x800 does not fit an addi's signed 12 bits)
        csrrs zero, mstatus, t0        ; MPP = S (it was 0)
        lui t0, KERNEL_ENTRY >> 12
        csrrw zero, mepc, t0
        mret

; The monitor's trap handler. It is entered from S-mode (the kernel's ECALLs) and from S- or U-mode
; (the machine timer interrupt; M-mode itself runs with mstatus.MIE = 0, so it is never interrupted).
; It uses t0 and t1 only: the interrupted t0 waits in mscratch, t1 in m_frame.
m_trap:
        csrrw t0, mscratch, t0         ; t0 = m_frame, mscratch = the interrupted t0
        sw t1, 0(t0)
        csrrs t1, mcause, zero
        blt t1, zero, m_interrupt      ; mcause bit 31 = 1: an interrupt (P 3.1.15)
        addi t1, t1, -9
        bne t1, zero, m_unexpected     ; the only exception expected here: ECALL from S-mode

        ; An SBI call: a7 = function, a0 = argument.
        addi t1, zero, SBI_PUTINT
        beq a7, t1, m_putint
        addi t1, zero, SBI_SET_TIMER
        beq a7, t1, m_set_timer
        addi t1, zero, SBI_SHUTDOWN
        beq a7, t1, m_shutdown
        jal zero, m_unexpected

m_putint:
        console.out a0                 ; the console (a custom M-mode instruction: riscv32.isa)
        jal zero, m_ecall_done

m_set_timer:                           ; mtimecmp = a0; the pending supervisor timer is cleared
        csrrw zero, 0x7c1, zero        ; mtimecmp's high word: 0 (time stays below 2^32 in a short
                                       ; run); custom CSRs 0x7c0/0x7c1 stand for the CLINT's mtimecmp
        csrrw zero, 0x7c0, a0
        addi t1, zero, SSIP_STIP
        csrrc zero, mip, t1            ; clear STIP: the kernel has seen this tick
        addi t1, zero, MTIE
        csrrs zero, mie, t1            ; and wait for mtime >= mtimecmp (P 3.2.1)
        jal zero, m_ecall_done

m_shutdown:
        halt                           ; power off (a custom M-mode instruction: riscv32.isa)

m_ecall_done:                          ; return after the ECALL: mepc holds its address (P 3.3.1)
        csrrs t1, mepc, zero
        addi t1, t1, 4
        csrrw zero, mepc, t1
        jal zero, m_return

m_interrupt:                           ; the machine timer (the only M-level interrupt source here):
        addi t1, zero, SSIP_STIP       ; pass it on to the kernel as a supervisor timer interrupt,
        csrrs zero, mip, t1            ; which M-mode software raises by setting mip.STIP (P 3.1.9),
        addi t1, zero, MTIE
        csrrc zero, mie, t1            ; and mask it until the kernel arms the timer again

m_return:
        lw t1, 0(t0)
        csrrw t0, mscratch, t0         ; t0 = the interrupted t0, mscratch = m_frame again
        mret                           ; back to the interrupted mode (MPP) at mepc

m_unexpected:                          ; print mcause and stop
        csrrs t1, mcause, zero
        console.out t1
        halt

        .align 16
m_frame: .word 0                       ; the monitor's save area (t1)

; ================================================================ S-mode kernel (physical 0x1000)

        .org KERNEL_ENTRY
s_entry:                               ; from the monitor's MRET: S-mode, translation off
        lui t0, s_trap >> 12
        addi t0, t0, s_trap & 0xfff
        csrrw zero, stvec, t0          ; traps delegated to S-mode go to s_trap
        lui t0, 2
        addi t0, t0, s_frame & 0xfff
        csrrw zero, sscratch, t0       ; s_trap finds its save area through sscratch
        ; Sv32 on (P 4.1.11): satp = MODE 1 | ASID 0 | PPN of the root table (0x3000 >> 12).
        ; The kernel keeps running: its own pages are mapped at the same addresses (identity).
        lui t0, 0x80000
        addi t0, t0, 3
        csrrw zero, satp, t0
        sfence.vma zero, zero          ; order the table writes before translation uses them (P 4.2.1)
        ; Enable the supervisor timer interrupt and arm the timer.
        addi t0, zero, SSIP_STIP
        csrrs zero, sie, t0            ; sie.STIE (in U-mode S-level interrupts are always enabled)
        jal ra, arm_timer
        ; Drop to the user program: SRET goes to sepc at privilege SPP (P 3.3.2).
        addi t0, zero, 0x100
        csrrc zero, sstatus, t0        ; sstatus.SPP = 0: U-mode
        lui t0, USER_CODE >> 12
        csrrw zero, sepc, t0
        lui sp, USER_STACK_TOP >> 12   ; the user's stack pointer (the kernel needs no stack)
        sret

; The kernel's trap handler: every trap it receives comes from U-mode (the kernel runs with
; sstatus.SIE = 0 and takes no faults itself). It uses ra, t0, t1, a0 and a7, and saves them.
s_trap:
        csrrw sp, sscratch, sp         ; sp = s_frame, sscratch = the user's sp
        sw ra, 0(sp)
        sw t0, 4(sp)
        sw t1, 8(sp)
        sw a0, 12(sp)
        sw a7, 16(sp)
        csrrs t0, scause, zero
        blt t0, zero, s_timer          ; scause bit 31: an interrupt (the timer, cause 5)
        addi t1, zero, 8
        beq t0, t1, s_syscall          ; 8: ECALL from U-mode
        addi t1, zero, 13
        beq t0, t1, s_page_fault       ; 13: load page fault
        addi t1, zero, 15
        beq t0, t1, s_page_fault       ; 15: store/AMO page fault
        addi a7, zero, SBI_PUTINT      ; anything else: print scause and power off
        addi a0, t0, 0
        ecall
        addi a7, zero, SBI_SHUTDOWN
        ecall

s_timer:                               ; count the tick and arm the timer again
        lui t0, 2
        lw t1, ticks & 0xfff(t0)
        addi t1, t1, 1
        sw t1, ticks & 0xfff(t0)
        jal ra, arm_timer
        jal zero, s_return             ; an interrupt: resume at sepc, the interrupted instruction

s_syscall:                             ; a7 = call number, a0 = argument (the user's registers)
        addi t1, zero, SYS_PRINT
        beq a7, t1, s_print
        beq a7, zero, s_exit
        jal zero, s_skip               ; unknown calls do nothing

s_print:
        addi a7, zero, SBI_PUTINT      ; a0 is still the user's argument
        ecall
        jal zero, s_skip

s_exit:                                ; print the number of timer interrupts and power off
        lui t0, 2
        lw a0, ticks & 0xfff(t0)
        addi a7, zero, SBI_PUTINT
        ecall
        addi a7, zero, SBI_SHUTDOWN
        ecall

s_page_fault:                          ; report stval, the faulting address (P 4.1.9), count it
        csrrs a0, stval, zero
        addi a7, zero, SBI_PUTINT
        ecall
        lui t0, 2
        lw t1, faults & 0xfff(t0)
        addi t1, t1, 1
        sw t1, faults & 0xfff(t0)
                                       ; and skip the access: the load leaves its register as it was
s_skip:                                ; resume after the trapping instruction: sepc += 4
        csrrs t0, sepc, zero
        addi t0, t0, 4
        csrrw zero, sepc, t0

s_return:
        lw ra, 0(sp)
        lw t0, 4(sp)
        lw t1, 8(sp)
        lw a0, 12(sp)
        lw a7, 16(sp)
        csrrw sp, sscratch, sp         ; sp = the user's sp, sscratch = s_frame again
        sret

; arm_timer: asks the monitor for a timer interrupt QUANTUM steps from now. Uses a0, a7.
arm_timer:
        csrrs a0, time, zero           ; the time CSR shadows mtime (mcounteren.TM = 1)
        addi a0, a0, QUANTUM
        addi a7, zero, SBI_SET_TIMER
        ecall
        jalr zero, 0(ra)

; ---------------------------------------------------------------- kernel data (physical 0x2000)
        .org 0x2000
ticks:  .word 0                        ; timer interrupts taken
faults: .word 0                        ; page faults taken
        .align 16
s_frame: .space 20                     ; the kernel's save area: ra, t0, t1, a0, a7

; ---------------------------------------------------------------- Sv32 page tables (P 4.3)
; A PTE: PPN in bits 31:10, then D A G U X W R V in bits 7:0. This machine does not set A and D
; itself (riscv32.isa), so every page that is used has them set already.
        .equ PTE_V, 0x01
        .equ PTE_R, 0x02
        .equ PTE_W, 0x04
        .equ PTE_X, 0x08
        .equ PTE_U, 0x10
        .equ PTE_A, 0x40
        .equ PTE_D, 0x80

        .org 0x3000                    ; root table: entry i maps virtual 4 MiB region i
        ; entry 0: a 4 MiB megapage, virtual 0 -> physical 0, kernel only (U = 0): R W X
        .word (0 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        ; entry 1: virtual 0x00400000.. goes through the level-0 table at 0x4000 (R = W = X = 0)
        .word ((0x4000 >> 12) << 10) | PTE_V
        .space 4096 - 8                ; the other 1022 entries: invalid (V = 0)

        .org 0x4000                    ; level-0 table: entry i maps the 4 KiB page 0x00400000 + i * 4096
        .word ((0x5000 >> 12) << 10) | PTE_V | PTE_R | PTE_X | PTE_U | PTE_A            ; user code
        .word ((0x6000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D    ; user data
        .space 4096 - 8                ; the other 1022 entries: invalid

; ================================================================ the user program (U-mode)
; Linked at its virtual addresses, loaded at the physical pages the tables give them.

        .org USER_CODE, 0x5000
user:   addi a0, zero, 0               ; sum = 0
        addi t0, zero, 10              ; n = 10
u_loop: add a0, a0, t0                 ; sum += n
        addi t0, t0, -1
        bne t0, zero, u_loop
        lui t1, USER_DATA >> 12
        sw a0, 0(t1)                   ; result = 55, in the user's data page
        addi a7, zero, SYS_PRINT
        ecall                          ; print(sum): 55

        ; Try to read the kernel's tick counter at 0x2000. The page is mapped, but without U, so
        ; U-mode may not touch it: load page fault, which the kernel reports and skips.
        addi t2, zero, -1
        lui t1, 2
        lw t2, 0(t1)                   ; faults; t2 stays -1
        lui t1, USER_DATA >> 12
        sw t2, 4(t1)                   ; refused = -1, in the user's data page

        ; Spin for a while; the timer interrupts us a few times and we never notice.
        addi t0, zero, 200
u_spin: addi t0, t0, -1
        bne t0, zero, u_spin

        addi a0, zero, 0
        addi a7, zero, SYS_EXIT
        ecall                          ; exit: the kernel does not come back

        .org USER_DATA, 0x6000
result: .word 0                        ; the sum
refused: .word 0                       ; what the refused load left in its register
