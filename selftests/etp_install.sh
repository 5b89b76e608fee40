#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installing etp as a user would on a VM of their own (README.md): make
# install puts etp.ko in /lib/modules/$(uname -r)/extra (depmod'ed: modprobe
# etp proto=254 works), etpctl, etpctl(8) and the bash completion; make
# uninstall takes them away; DESTDIR and KDIR are honoured; and the DKMS
# package built on the host by `make dkms-check` installs with dkms. The
# VM's root is a throwaway overlay, so installing here is harmless. Nothing
# is compiled here: make finds everything up to date. Slow under TCG: each
# depmod reads every module of the kernel (about a minute).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd make modprobe depmod jq

krel=$(uname -r)
ko=/lib/modules/$krel/extra/etp.ko
files=(/usr/local/sbin/etpctl /usr/local/share/man/man8/etpctl.8
       /usr/local/share/bash-completion/completions/etpctl)
version=$(sed -n 's/^#define ETP_VERSION_STR "\(.*\)"/\1/p' "$ETP_TOP/module/main.h")

if ! [[ -f $ETP_TOP/build/kmod/$krel/etp.ko && -f $ETP_TOP/build/man/etpctl.8 ]]; then
	echo "SKIP: etp.ko or etpctl(8) not built for $krel (make)"
	exit $ksft_skip
fi
etp_unload

# modprobe_proto: load etp with proto=254 through modprobe, as installed.
modprobe_proto() {
	modprobe etp proto=254 &&
		[[ $(cat /sys/module/etp/parameters/proto) == 254 ]] &&
		[[ $(/usr/local/sbin/etpctl -j info | jq .protocol) == 254 ]]
}

# --- make install ------------------------------------------------------------------
log "[${SECONDS}s] make install"
built_ko=$ETP_TOP/build/kmod/$krel/etp.ko
mtimes() { stat -c %Y "$built_ko" "$ETP_TOP/build/bin/etpctl"; }
before=$(mtimes)
out=$(make -C "$ETP_TOP" -s install 2>&1)
check "make install succeeds" [ $? -eq 0 ]
log "$out" | sed 's/^/  install: /'
check_eq "make install rebuilt nothing" "$(mtimes | paste -sd' ')" \
	"$(paste -sd' ' <<<"$before")"
check "etp.ko in /lib/modules/$krel/extra" [ -f "$ko" ]
for f in "${files[@]}"; do
	check "$f installed" [ -f "$f" ]
done
check "modinfo finds the installed etp.ko (depmod ran)" \
	[ "$(modinfo -F filename etp)" = "$ko" ]
check "modprobe etp proto=254 works" modprobe_proto
check "the installed etpctl -V names both versions" \
	bash -c "/usr/local/sbin/etpctl -V | grep -qx 'etp.ko $version, IP protocol 254'"
rmmod etp

log "[${SECONDS}s] man page, completion"
# The man page: found by man, rendered without troff warnings, carrying
# the docs (synopsis, exit status, CAP_NET_ADMIN).
check "man -w etpctl finds it" \
	[ "$(readlink -f "$(man -w etpctl 2>/dev/null)")" = /usr/local/share/man/man8/etpctl.8 ]
page=$(MANWIDTH=100 man -P cat etpctl 2>&1)
for want in "etpctl - drive and watch etp connections" \
	"etpctl connect ADDR PORT \[sport P\] \[wait\]" "EXIT STATUS" \
	"CAP_NET_ADMIN" "stats delta"; do
	check "etpctl(8) has '$want'" grep -q "$want" <<<"$page"
done
warn=$(groff -man -t -ww -z /usr/local/share/man/man8/etpctl.8 2>&1)
check_eq "etpctl(8) renders without troff warnings" "$warn" ""

# The completion, as bash-completion loads it on demand.
# complete WORDS...: what <TAB> after WORDS offers (the last word is the
# one being completed; give "" for a new word).
complete_words() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		_completion_loader etpctl
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		_etpctl etpctl "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "
	' _ "$@"
}
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	check_eq "complete: commands" "$(complete_words etpctl "")" \
		"abort cat close connect fault help info listen monitor param recv send show stats trace unlisten"
	check_eq "complete: sh" "$(complete_words etpctl sh)" "show"
	check_eq "complete: fault add's actions" \
		"$(complete_words etpctl fault add "")" "delay drop dup hold"
	check_eq "complete: trace's keywords not yet given" \
		"$(complete_words etpctl trace count 3 "")" \
		"--pcap --svg addr duration id peer port"
	check_eq "complete: options" "$(complete_words etpctl --j)" "--json"
	check_eq "complete: -batch -" "$(complete_words etpctl -batch -)" "-"
	check_eq "complete: after -batch FILE, options" \
		"$(complete_words etpctl -batch x.batch -fo)" "-force"
	check_eq "complete: after -batch FILE, options and no command" \
		"$(complete_words etpctl -n x -batch x.batch "" | tr ' ' '\n' |
		   grep -cx -e -force -e connect)" 1
	check_eq "complete: keywords not yet given" \
		"$(complete_words etpctl connect 198.18.0.2 7000 sport 5 "")" "wait"
	check_eq "complete: states" "$(complete_words etpctl show state TIME)" \
		"TIME_WAIT"
	modprobe etp
	check_eq "complete: parameter names, from the kernel" \
		"$(complete_words etpctl param set ms)" "msl_ms mss"
	etpctl listen 7123
	id=$(etpctl -j show port 7123 | jq '.[0].id')
	check_eq "complete: live connection ids" \
		"$(complete_words etpctl close "")" "$id"
	check_eq "complete: ports listened on" \
		"$(complete_words etpctl unlisten "")" "7123"
	ns_create N
	check_eq "complete: -n NS asks that namespace" \
		"$(complete_words etpctl -n "$N" close "")" ""
	rmmod etp
else
	log "note: bash-completion not installed: completion not tried"
fi

# --- make uninstall ------------------------------------------------------------------
log "[${SECONDS}s] make uninstall"
check "make uninstall succeeds" make -C "$ETP_TOP" -s uninstall
check "etp.ko removed" [ ! -e "$ko" ]
for f in "${files[@]}"; do
	check "$f removed" [ ! -e "$f" ]
done
check "modprobe etp no longer finds it" bash -c "! modprobe -n etp 2>/dev/null"

# --- DESTDIR, KDIR ----------------------------------------------------------------------
log "[${SECONDS}s] DESTDIR, KDIR"
dest=$ETP_TMP/dest
make -C "$ETP_TOP" -s install DESTDIR="$dest" PREFIX=/usr >/dev/null
check "DESTDIR: etp.ko staged" [ -f "$dest/lib/modules/$krel/extra/etp.ko" ]
check "DESTDIR: etpctl staged under PREFIX" [ -x "$dest/usr/sbin/etpctl" ]
check "DESTDIR: etpctl(8) staged" [ -f "$dest/usr/share/man/man8/etpctl.8" ]
check "DESTDIR: nothing installed outside it" [ ! -e "$ko" ]
dest=$ETP_TMP/dest-kdir
make -C "$ETP_TOP" -s install-module KDIR="/lib/modules/$krel/build" \
	DESTDIR="$dest" >/dev/null
check "KDIR: the release comes from the tree" \
	[ -f "$dest/lib/modules/$krel/extra/etp.ko" ]
out=$(make -C "$ETP_TOP" -s install-module KDIR=/nonexistent DESTDIR="$dest" 2>&1)
check "KDIR without headers: a clear refusal ($out)" \
	grep -q "no kernel headers" <<<"$out"

# --- DKMS ------------------------------------------------------------------------------------
log "[${SECONDS}s] DKMS"
dkms_conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ETP_TOP/dkms.conf")
check_eq "dkms.conf PACKAGE_VERSION is the module's" "$dkms_conf_version" "$version"
trees=(--dkmstree "$ETP_TOP/build/dkms/tree" --sourcetree "$ETP_TOP/build/dkms/src")
built=$ETP_TOP/build/dkms/tree/etp/$version/$krel
if ! command -v dkms >/dev/null; then
	log "note: dkms not installed: DKMS not tried"
elif ! [[ -d $built ]]; then
	log "note: no DKMS build for $krel (make dkms-check on the host): DKMS not tried"
else
	out=$(dkms install -m etp -v "$version" -k "$krel" "${trees[@]}" 2>&1)
	check "dkms install (of the host's dkms build)" [ $? -eq 0 ]
	log "$out" | sed 's/^/  dkms: /'
	check "dkms status: installed" bash -c \
		"dkms status -m etp -v $version ${trees[*]} | grep -q 'installed'"
	check "modinfo finds the DKMS etp.ko" \
		bash -c "modinfo -F filename etp | grep -q '/updates/dkms/etp.ko'"
	check "modprobe etp proto=254 works (DKMS)" \
		bash -c "modprobe etp proto=254 && grep -qx 254 /sys/module/etp/parameters/proto"
	rmmod etp
	# No dkms remove: another depmod of every module over 9p costs
	# minutes under TCG, and the VM is thrown away. But the file goes,
	# so that nothing after this test autoloads it (a netlink request
	# for the family runs modprobe etp).
	rm -f /lib/modules/"$krel"/updates/dkms/etp.ko*
	check "modprobe no longer loads the DKMS etp.ko" \
		bash -c "! modprobe etp 2>/dev/null"
fi

log "[${SECONDS}s] done"
exit $ret
