#!/usr/bin/env bats
# keel-vm and hostile boot files (security review): what --bios and
# --kernel files may claim. The files are made here with python3: a stub
# Linux Image (the header alone) and tiny RISC-V ELF firmwares.
#
# Needs: KEEL_BUILD (build dir holding keel-vm), python3.

load lib/vm

setup_file() {
	export VM="$KEEL_BUILD/keel-vm"
	[ -x "$VM" ] || {
		echo "keel-vm not built in $KEEL_BUILD" >&2
		return 1
	}
}

# make_image FILE: a 4 KiB "Linux Image" (RSC\x05 magic, image_size 0).
make_image() {
	python3 - "$1" <<'EOF'
import struct, sys
hdr = struct.pack('<IIQQQIIQQII', 0, 0, 0x200000, 0, 0, 2, 0, 0, 0, 0x05435352, 0)
open(sys.argv[1], 'wb').write(hdr + bytes(4096 - len(hdr)))
EOF
}

# make_elf FILE PADDR MEMSZ: an M-mode ELF whose one PT_LOAD segment at
# PADDR (memsz MEMSZ) holds code that powers off through the test device.
make_elf() {
	python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
paddr, memsz = int(sys.argv[2], 0), int(sys.argv[3], 0)
# lui t0,0x100; lui t1,0x5; addi t1,t1,0x555; sw t1,0(t0); j .
code = struct.pack('<5I', 0x001002b7, 0x00005337, 0x55530313, 0x0062a023, 0x0000006f)
ehdr = struct.pack('<16sHHIQQQIHHHHHH', b'\x7fELF\x02\x01\x01' + bytes(9), 2, 243, 1,
                   paddr, 64, 0, 0, 64, 56, 1, 64, 0, 0)
phdr = struct.pack('<IIQQQQQQ', 1, 7, 120, paddr, paddr, len(code), max(memsz, len(code)), 4)
open(sys.argv[1], 'wb').write(ehdr + phdr + code)
EOF
}

@test "an ELF --bios below the kernel runs (it powers off)" {
	make_image "$BATS_TEST_TMPDIR/Image"
	make_elf "$BATS_TEST_TMPDIR/fw.elf" 0x80000000 0x1000
	run timeout 60 "$VM" --bios "$BATS_TEST_TMPDIR/fw.elf" --kernel "$BATS_TEST_TMPDIR/Image" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
}

# Its segments were copied over the kernel (and could reach the initrd and
# the DTB) without a word; the firmware then ran whatever it liked there.
@test "an ELF --bios whose segments reach the kernel is refused" {
	make_image "$BATS_TEST_TMPDIR/Image"
	make_elf "$BATS_TEST_TMPDIR/fw.elf" 0x80100000 0x200000
	run timeout 60 "$VM" --bios "$BATS_TEST_TMPDIR/fw.elf" --kernel "$BATS_TEST_TMPDIR/Image" </dev/null
	assert_one_error_line "over the kernel at 0x80200000"
	# and one segment high in RAM, over the DTB
	make_elf "$BATS_TEST_TMPDIR/fw2.elf" 0x8fff0000 0x1000
	run timeout 60 "$VM" --bios "$BATS_TEST_TMPDIR/fw2.elf" --kernel "$BATS_TEST_TMPDIR/Image" </dev/null
	assert_one_error_line "over the kernel"
}
