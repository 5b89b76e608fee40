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

#
# `make install` puts etp.ko, etpctl, etpctl(8) and the bash completion on
# the machine it runs on, for the running kernel (or the one KDIR or KREL
# names); `make dkms-install` hands the module's source to DKMS instead.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
# The kernel to build for: KDIR (any kernel's headers or build tree) or
# KREL (a release with /lib/modules/KREL/build); by default the stock
# kernel the test VM boots (tools/vm/kernel: never the PREEMPT_RT one), or
# the running kernel where there is no such image.
KDIR_GIVEN := $(filter command line environment,$(origin KDIR))
KREL_GIVEN := $(filter command line environment,$(origin KREL))
ifneq ($(KDIR_GIVEN),)
# (utsrelease.h: Debian's headers have the upstream version in
# include/config/kernel.release, not the release modules go under)
KREL	?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
VM_KREL	:= $(shell $(TOP)/tools/vm/kernel stock --release 2>/dev/null)
KREL	?= $(or $(VM_KREL),$(shell uname -r))
KDIR	?= /lib/modules/$(KREL)/build
# make install: the running kernel unless KDIR or KREL says otherwise.
IKREL	:= $(if $(KDIR_GIVEN)$(KREL_GIVEN),$(KREL),$(shell uname -r))
IKDIR	:= $(if $(KDIR_GIVEN),$(KDIR),/lib/modules/$(IKREL)/build)
VERSION	:= $(shell sed -n 's/^\#define ETP_VERSION_STR "\(.*\)"/\1/p' module/main.h)
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DKMSDIR	?= /usr/src/etp-$(VERSION)
MAN	:= $(BUILD)/man/etpctl.8
BIN	:= $(BUILD)/bin
VMRUN	:= $(TOP)/tools/vm/run
DEBUG_KERNEL := $(TOP)/tools/vm/debug-kernel
# The rt release is looked up when the recipe runs, after deps installed it.
RT_KREL	:= $(TOP)/tools/vm/kernel rt --release
CHECKPATCH := $(BUILD)/linux-src/scripts/checkpatch.pl

MODULE_SRCS := Kbuild $(shell find module include -name '*.[ch]')

all: deps module module-test tools man

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

# etpctl(8) is docs/etpctl.md from "# NAME" on (what comes before is for
# readers of the repository). lowdown does not announce its tables to man.
$(MAN): docs/etpctl.md module/main.h
	@mkdir -p $(dir $@)
	@command -v lowdown >/dev/null || { echo "man: lowdown not found (Debian: apt-get install lowdown)" >&2; exit 1; }
	{ echo "'\\\" t"; sed -n '/^# NAME/,$$p' docs/etpctl.md | \
		lowdown --parse-no-intraemph -s -Tman -M title=etpctl -M section=8 \
		-M source="etp $(VERSION)" -M volume="System Manager's Manual" \
		-M date="$$(date -u -r docs/etpctl.md +%Y-%m-%d)"; } >$@.tmp
	mv $@.tmp $@

man: $(MAN)

# --- installing on the machine make runs on ------------------------------------
# No `deps` here: a user's VM needs only make, a compiler, the kernel's
# headers, libmnl, pkg-config, rsync and lowdown. Nothing is rebuilt that is
# up to date, so installing in the test VM compiles nothing.
install: install-module install-tools

# Rebuilt only when a source is newer: even a kbuild run that compiles
# nothing takes minutes in the test VM.
IKO	:= $(BUILD)/kmod/$(IKREL)/etp.ko
$(IKO): $(MODULE_SRCS)
	@test -d $(IKDIR) || { echo "install: no kernel headers in $(IKDIR): install them (Debian: linux-headers-$(IKREL)) or give KDIR=DIR" >&2; exit 1; }
	$(call kmod,$(IKDIR),$(BUILD)/kmod/$(IKREL))

install-module: $(IKO)
	install -D -m 0644 $(IKO) $(DESTDIR)/lib/modules/$(IKREL)/extra/etp.ko
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(IKREL)"; depmod -a $(IKREL); \
	else echo "install: DESTDIR set: run depmod -a $(IKREL) where it is unpacked"; fi

install-tools: $(MAN)
	$(MAKE) -C tools/etpctl OUT=$(BIN)
	install -D -m 0755 $(BIN)/etpctl $(DESTDIR)$(SBINDIR)/etpctl
	install -D -m 0644 $(MAN) $(DESTDIR)$(MANDIR)/man8/etpctl.8
	install -D -m 0644 tools/etpctl/etpctl.bash $(DESTDIR)$(COMPLETIONDIR)/etpctl

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(IKREL)/extra/etp.ko
	-rmdir $(DESTDIR)/lib/modules/$(IKREL)/extra 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(IKREL)"; depmod -a $(IKREL); fi
	rm -f $(DESTDIR)$(SBINDIR)/etpctl $(DESTDIR)$(MANDIR)/man8/etpctl.8 \
		$(DESTDIR)$(COMPLETIONDIR)/etpctl

# DKMS (dkms.conf) rebuilds etp.ko for every kernel installed later:
#   make dkms-install && dkms install etp/$(VERSION)
DKMS_FILES := Kbuild dkms.conf $(shell find module include -name '*.[ch]')

dkms-install:
	@for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; done
	@echo "dkms-install: sources in $(DESTDIR)$(DKMSDIR); now: dkms install etp/$(VERSION)"

dkms-uninstall:
	rm -rf $(DESTDIR)$(DKMSDIR)

# `dkms build` on this host against the VM kernel's headers, in trees of
# its own under build/dkms (nothing outside it is touched; the module is
# signed with a key made there). The selftest etp_install.sh installs the
# result with `dkms install` inside the VM.
DKMS_TREES = --dkmstree $(BUILD)/dkms/tree --sourcetree $(BUILD)/dkms/src \
	     --installtree $(BUILD)/dkms/install
dkms-check: deps
	rm -rf $(BUILD)/dkms
	mkdir -p $(BUILD)/dkms/tree $(BUILD)/dkms/install
	$(MAKE) -s dkms-install DESTDIR= DKMSDIR=$(BUILD)/dkms/src/etp-$(VERSION)
	dkms add -m etp -v $(VERSION) $(DKMS_TREES)
	mok_signing_key=$(BUILD)/dkms/mok.key mok_certificate=$(BUILD)/dkms/mok.pub \
		dkms build -m etp -v $(VERSION) -k $(KREL) $(DKMS_TREES)
	test -f $(BUILD)/dkms/tree/etp/$(VERSION)/$(KREL)/$$(uname -m)/module/etp.ko
	modinfo -F vermagic $(BUILD)/dkms/tree/etp/$(VERSION)/$(KREL)/$$(uname -m)/module/etp.ko | grep -q '^$(KREL) '

# Selftests run in the VM as root against the module built for its kernel.
check: all
	$(TOP)/tools/check

check-debug: all module-debug
	$(TOP)/tools/check --debug-kernel

check-rt: all module-rt
	$(TOP)/tools/check --kernel rt

# The state space explorer of module/core (docs/verification.md): check runs
# explore-quick, the deep run is its own target.
EXPLORE := $(BUILD)/explore/etp_explore
explore-build: deps
	$(MAKE) -s -C tools/explore

explore-quick: explore-build
	$(EXPLORE) --depth 10
	tools/explore/selftest

explore: explore-build
	$(EXPLORE) --depth 11
	$(EXPLORE) --depth 10 --forge 1 --conns 1

# Coverage-guided fuzzing of module/core (libFuzzer, ASan, UBSan:
# docs/verification.md): check runs fuzz-quick, each target for
# FUZZ_SECONDS; fuzz runs each for FUZZ_RUNS executions, then reports
# module/core's line coverage by the corpus it grew (build/fuzz/).
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 10000000
fuzz-quick: deps
	$(MAKE) -s -C tools/fuzz fuzz-quick FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz: deps
	$(MAKE) -s -C tools/fuzz fuzz FUZZ_RUNS=$(FUZZ_RUNS)
	$(MAKE) -s -C tools/fuzz cov

# The stream selftest at 64 MiB a transfer (24 lossy ones among them):
# about an hour on the stock kernel under TCG; not part of CI.
check-long: all
	ETP_VM_MEM=2048 $(VMRUN) --timeout 10800 -- env ETP_STREAM_KIB=65536 ETP_TEST_TIMEOUT=10000 \
		selftests/run_tests.sh etp_stream.sh

# The concurrency torture and the netlink fuzzer for minutes on the debug
# kernel (KASAN, lockdep, kmemleak), not seconds as in CI (docs/torture.md).
TORTURE_SECS ?= 300
torture: all module-debug
	$(VMRUN) --kernel debug --timeout $$(($(TORTURE_SECS) * 4 + 1800)) -- \
		env ETP_TORTURE_SECS=$(TORTURE_SECS) \
		ETP_NLFUZZ_SECS=$$(($(TORTURE_SECS) / 2)) \
		ETP_TEST_TIMEOUT=$$(($(TORTURE_SECS) * 4 + 1500)) \
		selftests/run_tests.sh etp_nlfuzz.sh etp_torture.sh

demo: all
	$(VMRUN) --timeout 300 -- tools/demo.sh

vm: all
	$(VMRUN)

# Benchmarks print figures and ratios against baselines measured in the
# same run (docs/timer-wheel.md, docs/test-tools.md). The VM's TSC is stable
# under TCG but the guest distrusts it; real machines time with the TSC.
# Each part's output is kept in build/bench/run/; tools/bench/table ends the
# run with one table of every figure beside its baseline, also kept as
# build/bench/table.md.
BENCH_RUN := $(BUILD)/bench/run
bench: SHELL := /bin/bash
bench: all
	@rm -rf $(BENCH_RUN) && mkdir -p $(BENCH_RUN)
	tools/bench/run-userspace | tee $(BENCH_RUN)/userspace.md; \
		test $${PIPESTATUS[0]} -eq 0
	ETP_VM_APPEND="tsc=reliable" $(VMRUN) --timeout 1500 -- \
		tools/bench/run-kernel 2>&1 | tee $(BENCH_RUN)/kernel.md; \
		test $${PIPESTATUS[0]} -eq 0
	$(VMRUN) --timeout 900 -- tools/bench/run-connrate --steps --kernel 2>&1 | \
		tee $(BENCH_RUN)/connrate.md; test $${PIPESTATUS[0]} -eq 0
	$(VMRUN) --timeout 1800 -- tools/bench/run-stream 2>&1 | \
		tee $(BENCH_RUN)/stream.md; test $${PIPESTATUS[0]} -eq 0
	$(VMRUN) --timeout 900 -- tools/bench/run-batch 2>&1 | \
		tee $(BENCH_RUN)/batch.md; test $${PIPESTATUS[0]} -eq 0
	@tools/bench/table $(BENCH_RUN) | tee $(BUILD)/bench/table.md

# 100,000 connections in one pair of namespaces: memory, dump, receive
# cost, close, netns deletion, rmmod (docs/test-tools.md). Not in bench:
# about 20 minutes under TCG. N=... for another count.
bench-scale: all
	ETP_VM_MEM=3072 $(VMRUN) --timeout 5400 -- tools/bench/run-scale $(N)

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
		$(BUILD)/bench $(BUILD)/man $(BUILD)/dkms $(BUILD)/explore \
		$(BUILD)/fuzz

.PHONY: all deps module module-test module-debug module-rt tools man unit \
	check check-debug check-rt check-long torture explore explore-quick \
	explore-build fuzz fuzz-quick demo vm bench bench-scale lint clean install \
	install-module install-tools uninstall dkms-install dkms-uninstall \
	dkms-check
