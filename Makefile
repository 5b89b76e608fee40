# SPDX-License-Identifier: GPL-2.0
# etp: the whole set-up is `make demo` and `make check` (see README.md).
#
# The module is built out of tree against the Debian kernel image the test
# VM boots (never the host's running kernel, which cannot load modules), in
# a per-release copy under build/kmod/<release>/ so stock and debug builds
# never share object files.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
KREL	?= $(shell ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n1)
KDIR	?= /lib/modules/$(KREL)/build
BIN	:= $(BUILD)/bin
VMRUN	:= $(TOP)/tools/vm/run
DEBUG_KERNEL := $(TOP)/tools/vm/debug-kernel
CHECKPATCH := $(BUILD)/linux-src/scripts/checkpatch.pl

MODULE_SRCS := Kbuild $(shell find module include -name '*.[ch]')

all: deps module tools

deps:
	@$(TOP)/tools/deps

# $(call kmod,KDIR,RELEASE): build etp.ko for one kernel tree.
define kmod
	@mkdir -p $(BUILD)/kmod/$(2)
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude=Module.symvers --exclude=modules.order \
		Kbuild module include $(BUILD)/kmod/$(2)/
	$(MAKE) -C $(1) M=$(BUILD)/kmod/$(2) $(KBUILD_EXTRA) modules
endef

module: deps
	$(call kmod,$(KDIR),$(KREL))

module-debug: deps
	$(call kmod,$$($(DEBUG_KERNEL)),$$($(DEBUG_KERNEL) --release))

tools: deps
	$(MAKE) -C tools/etpctl OUT=$(BIN)
	$(MAKE) -C selftests OUT=$(BIN)

unit: deps
	$(MAKE) -C selftests/core run_tests

# Selftests run in the VM as root against the module built for its kernel.
check: all
	$(TOP)/tools/check

check-debug: all module-debug
	$(TOP)/tools/check --debug-kernel

demo: all
	$(VMRUN) --timeout 300 -- tools/demo.sh

vm: all
	$(VMRUN)

# Benchmarks print figures and ratios against baselines measured in the
# same run (docs/timer-wheel.md, docs/etpctl.md). The VM's TSC is stable
# under TCG but the guest distrusts it; real machines time with the TSC.
bench: all
	$(MAKE) -C tools/bench
	tools/bench/run-userspace
	ETP_VM_APPEND="tsc=reliable" $(VMRUN) --timeout 1500 -- tools/bench/run-kernel
	$(VMRUN) --timeout 900 -- tools/bench/run-connrate

# Style gates for module code: checkpatch --strict and sparse.
lint: deps
	$(CHECKPATCH) --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(shell find module include -name '*.[ch]')
	@$(MAKE) -s module KBUILD_EXTRA="C=2 CF=-D__CHECK_ENDIAN__" 2>&1 | \
		grep -v 'Skipping BTF' | tee $(BUILD)/sparse.log
	@! grep -qE '(warning|error):' $(BUILD)/sparse.log

clean:
	rm -rf $(BUILD)/kmod $(BUILD)/bin $(BUILD)/core
	$(MAKE) -C tools/etpctl clean OUT=$(BIN)

.PHONY: all deps module module-debug tools unit check check-debug demo vm \
	bench lint clean
