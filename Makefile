# SPDX-License-Identifier: GPL-2.0
# etp: the whole set-up is `make demo` and `make check` (see README.md).
#
# The module is built out of tree against the Debian kernel image the test
# VM boots (never the host's running kernel, which cannot load modules), in
# a per-release copy so stock and debug builds never share object files:
# build/kmod/<release>/etp.ko is the shipping module, and
# build/kmod-test/<release>/etp.ko the test build (ETP_SELFTEST=y: the
# "etp_test" netlink family of module/test/) that the selftests load.
# Kernels (tools/vm/kernel): stock is Debian's linux-image-amd64, rt its
# PREEMPT_RT build (linux-image-rt-amd64), debug the tree tools/vm/debug-kernel
# builds; build/kmod-test/<release>/ tells them apart.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
KREL	?= $(shell $(TOP)/tools/vm/kernel stock --release 2>/dev/null)
KDIR	?= /lib/modules/$(KREL)/build
BIN	:= $(BUILD)/bin
VMRUN	:= $(TOP)/tools/vm/run
DEBUG_KERNEL := $(TOP)/tools/vm/debug-kernel
# The rt release is looked up when the recipe runs, after deps installed it.
RT_KREL	:= $(TOP)/tools/vm/kernel rt --release
CHECKPATCH := $(BUILD)/linux-src/scripts/checkpatch.pl

MODULE_SRCS := Kbuild $(shell find module include -name '*.[ch]')

all: deps module module-test tools

deps:
	@$(TOP)/tools/deps

# $(call kmod,KDIR,DIR,FLAGS): build etp.ko for one kernel tree in DIR.
define kmod
	@mkdir -p $(2)
	@rsync -a --delete --exclude='*.o' --exclude='.*.cmd' \
		--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude=Module.symvers --exclude=modules.order \
		Kbuild module include $(2)/
	$(MAKE) -C $(1) M=$(2) $(3) $(KBUILD_EXTRA) modules
endef

module: deps
	$(call kmod,$(KDIR),$(BUILD)/kmod/$(KREL))

module-test: deps
	$(call kmod,$(KDIR),$(BUILD)/kmod-test/$(KREL),ETP_SELFTEST=y)

# Both flavours for the debug kernel: the selftests load the test build and
# check the shipping one.
module-debug: deps
	$(call kmod,$$($(DEBUG_KERNEL)),$(BUILD)/kmod/$$($(DEBUG_KERNEL) --release))
	$(call kmod,$$($(DEBUG_KERNEL)),$(BUILD)/kmod-test/$$($(DEBUG_KERNEL) --release),ETP_SELFTEST=y)

# etp.ko for the PREEMPT_RT kernel, against linux-headers-rt-amd64: the test
# build the selftests load, and the shipping build etp_load.sh also loads.
module-rt: deps
	@$(RT_KREL) >/dev/null
	$(call kmod,/lib/modules/$$($(RT_KREL))/build,$(BUILD)/kmod-test/$$($(RT_KREL)),ETP_SELFTEST=y)
	$(call kmod,/lib/modules/$$($(RT_KREL))/build,$(BUILD)/kmod/$$($(RT_KREL)))

tools: deps
	$(MAKE) -C tools/etpctl OUT=$(BIN)
	$(MAKE) -C selftests OUT=$(BIN)
	$(MAKE) -C tools/bench BIN=$(BIN)

unit: deps
	$(MAKE) -C selftests/core run_tests

# Selftests run in the VM as root against the module built for its kernel.
check: all
	$(TOP)/tools/check

check-debug: all module-debug
	$(TOP)/tools/check --debug-kernel

check-rt: all module-rt
	$(TOP)/tools/check --kernel rt

demo: all
	$(VMRUN) --timeout 300 -- tools/demo.sh

vm: all
	$(VMRUN)

# Benchmarks print figures and ratios against baselines measured in the
# same run (docs/timer-wheel.md, docs/etpctl.md). The VM's TSC is stable
# under TCG but the guest distrusts it; real machines time with the TSC.
bench: all
	tools/bench/run-userspace
	ETP_VM_APPEND="tsc=reliable" $(VMRUN) --timeout 1500 -- tools/bench/run-kernel
	$(VMRUN) --timeout 900 -- tools/bench/run-connrate

# Style gates for module code: checkpatch --strict and sparse (on the test
# build, which compiles every file).
lint: deps
	$(CHECKPATCH) --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(shell find module include -name '*.[ch]')
	@$(MAKE) -s module-test KBUILD_EXTRA="C=2 CF=-D__CHECK_ENDIAN__" 2>&1 | \
		grep -v 'Skipping BTF' | tee $(BUILD)/sparse.log
	@! grep -qE '(warning|error):' $(BUILD)/sparse.log

clean:
	rm -rf $(BUILD)/kmod $(BUILD)/kmod-test $(BUILD)/bin $(BUILD)/core \
		$(BUILD)/bench

.PHONY: all deps module module-test module-debug module-rt tools unit check \
	check-debug check-rt demo vm bench lint clean
