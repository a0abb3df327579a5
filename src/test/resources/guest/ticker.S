# The boot sector of LiveMigrationIT's guest (ticker.bin, built with
#   as --32 -o ticker.o ticker.S && ld -m elf_i386 -Ttext 0 --oformat binary -o ticker.bin ticker.o).
# It proves a guest has not rebooted: from power-on it counts, and about every 10 ms writes
# "acp-tick XXXXXXXX\r\n" (the count in hex) to COM1. A reboot starts the count at 0 again.
        .code16
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %ss
        movw $0x7c00, %sp
        sti
        xorl %ebx, %ebx              # the count
tick:
        incl %ebx
        movw $0x7c00 + msg - _start, %si
str:
        lodsb
        testb %al, %al
        jz hex
        call putc
        jmp str
hex:
        movw $8, %cx
        movl %ebx, %ebp
digit:
        roll $4, %ebp
        movw %bp, %ax
        andb $0x0f, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 1f
        addb $7, %al
1:      call putc
        loop digit
        movb $'\r', %al
        call putc
        movb $'\n', %al
        call putc
        movb $0x86, %ah              # BIOS wait: CX:DX microseconds
        xorw %cx, %cx
        movw $10000, %dx
        int $0x15
        jmp tick
putc:
        movw $0x3fd, %dx             # line status: wait until the transmitter is empty
        movb %al, %ah
2:      inb %dx, %al
        testb $0x20, %al
        jz 2b
        movb %ah, %al
        movw $0x3f8, %dx
        outb %al, %dx
        ret
msg:    .asciz "acp-tick "
        .org 510
        .byte 0x55, 0xaa
