; An RV32 guest that rewrites live Sv32 page-table entries (isas/riscv32.isa), for the VMM's
; translation tests: each loop reads (or runs) a virtual page over and over, so the translation is
; in use - remembered, compiled into hot blocks - when the loop rewrites the entry that maps it.
;
;   1. A data page remapped mid-loop with a plain store, no fence: this machine models no translation
;      cache (riscv32.isa), so the next load already goes to the new page.
;   2. The same, back again, followed by SFENCE.VMA as the ISA requires (P 4.2.1).
;   3. A code page remapped mid-loop, no fence: the next call runs the new page's code.
;
; Output: 2020 (20 loads of 1, then 20 of 100), 2020 (20 of 100, then 20 of 1), 20020 (20 calls
; adding 1, then 20 adding 1000).
;
; Physical memory: 0x0000 M-mode monitor, 0x1000 S-mode code, 0x2000 PTE values, 0x3000 root table,
; 0x4000 level-0 table for virtual 0x00400000.., 0x5000 data page A, 0x6000 data page B,
; 0x7000 code page C, 0x8000 code page D. References: P = RISC-V Privileged Architecture, 20211203.

        .equ DATA_VA, 0x00400000       ; entry 0 of the level-0 table: page A, then B
        .equ CODE_VA, 0x00402000       ; entry 2: page C, then D

; ================================================================ M-mode monitor (physical 0x0000)
        .org 0
_start: addi t0, zero, m_trap
        csrrw zero, mtvec, t0
        addi t0, zero, 1
        slli t0, t0, 11
        csrrs zero, mstatus, t0        ; MPP = S (P 3.1.6.1)
        lui t0, 1
        csrrw zero, mepc, t0           ; MRET enters the S-mode code at 0x1000
        mret

; The S-mode code's calls (ECALL from S): a7 = 1 prints a0, a7 = 3 powers off. Uses t1.
m_trap: addi t1, zero, 3
        beq a7, t1, m_halt
        console.out a0
        csrrs t1, mepc, zero
        addi t1, t1, 4
        csrrw zero, mepc, t1
        mret
m_halt: halt

; ================================================================ S-mode (physical 0x1000)
        .org 0x1000
s_entry:
        lui t0, 0x80000
        addi t0, t0, 3
        csrrw zero, satp, t0           ; Sv32, root table at 0x3000 (P 4.1.11)
        sfence.vma zero, zero
        lui s1, DATA_VA >> 12
        lui s2, 4                      ; the level-0 table (identity-mapped, like all of 0..4 MiB)
        lui s7, 2                      ; the PTE values
        addi s5, zero, 20              ; each loop remaps when 20 rounds are left

        ; 1. DATA_VA -> page B while the loop reads it, by a store alone
        addi s3, zero, 0
        addi s4, zero, 40
        lw t1, 4(s7)                   ; the PTE for page B
p1:     lw t0, 0(s1)
        add s3, s3, t0
        addi s4, s4, -1
        bne s4, s5, p1_next
        sw t1, 0(s2)
p1_next:
        bne s4, zero, p1
        addi a0, s3, 0
        addi a7, zero, 1
        ecall                          ; 2020

        ; 2. DATA_VA -> page A again, then SFENCE.VMA
        addi s3, zero, 0
        addi s4, zero, 40
        lw t1, 0(s7)                   ; the PTE for page A
p2:     lw t0, 0(s1)
        add s3, s3, t0
        addi s4, s4, -1
        bne s4, s5, p2_next
        sw t1, 0(s2)
        sfence.vma zero, zero
p2_next:
        bne s4, zero, p2
        addi a0, s3, 0
        addi a7, zero, 1
        ecall                          ; 2020

        ; 3. CODE_VA -> page D while the loop calls it, by a store alone
        lui s6, CODE_VA >> 12
        addi a0, zero, 0
        addi s4, zero, 40
        lw t1, 12(s7)                  ; the PTE for page D
p3:     jalr ra, 0(s6)
        addi s4, s4, -1
        bne s4, s5, p3_next
        sw t1, 8(s2)
p3_next:
        bne s4, zero, p3
        addi a7, zero, 1
        ecall                          ; 20020
        addi a7, zero, 3
        ecall

; ================================================================ data and tables
; A PTE: PPN in bits 31:10, then D A G U X W R V in bits 7:0 (P 4.3.1); A and D preset.
        .org 0x2000
        .word 0x14c7                   ; page A (0x5000): V R W A D
        .word 0x18c7                   ; page B (0x6000): V R W A D
        .word 0x1c4b                   ; page C (0x7000): V R X A
        .word 0x204b                   ; page D (0x8000): V R X A

        .org 0x3000                    ; root table
        .word 0xcf                     ; entry 0: 4 MiB megapage at 0, V R W X A D (S-mode only)
        .word 0x1001                   ; entry 1: the level-0 table at 0x4000

        .org 0x4000                    ; level-0 table
        .word 0x14c7                   ; entry 0: DATA_VA -> page A
        .word 0
        .word 0x1c4b                   ; entry 2: CODE_VA -> page C

        .org 0x5000
        .word 1                        ; page A
        .org 0x6000
        .word 100                      ; page B
        .org 0x7000
        addi a0, a0, 1                 ; page C
        jalr zero, 0(ra)
        .org 0x8000
        addi a0, a0, 1000              ; page D
        jalr zero, 0(ra)
