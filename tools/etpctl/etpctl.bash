# SPDX-License-Identifier: GPL-2.0
# bash completion for etpctl(8): options, commands, keywords, parameter
# names, states, and live connection ids and ports (asked from etpctl
# itself, in the namespace -n names). Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/etpctl.
# shellcheck disable=SC2207  # COMPREPLY=($(compgen ...)): the idiom

_etpctl_states="CLOSED LISTEN SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT"

# _etpctl_run ARG...: etpctl in the namespace of the command line, quietly.
_etpctl_run()
{
	etpctl ${_etpctl_ns:+-n "$_etpctl_ns"} "$@" 2>/dev/null
}

# Connection ids, and the ports listened on: from `etpctl show`.
_etpctl_ids()
{
	_etpctl_run show | awk 'NR > 1 { print $1 }'
}

_etpctl_listen_ports()
{
	_etpctl_run show state listen | awk 'NR > 1 { sub(/.*:/, "", $3); print $3 }'
}

_etpctl_params()
{
	_etpctl_run param show | awk '{ print $1 }'
}

_etpctl()
{
	local cur prev words cword
	local cmds="info stats param listen unlisten connect close abort show monitor send recv cat trace fault help"
	local opts="-j --json -p --pretty -n --netns -b -batch -f -force -V --version -h --help"
	local i cmd='' cmdi=0 w used batch=''

	_init_completion || return
	_etpctl_ns=

	# Options come before the command; -n takes a namespace, -batch a
	# file (whose lines are the commands: none follows it).
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-n | -netns | --netns)
			_etpctl_ns=${words[i + 1]}
			((i++))
			;;
		--netns=*) _etpctl_ns=${w#--netns=} ;;
		-b | -batch | --batch)
			batch=1
			((i++))
			;;
		--batch=*) batch=1 ;;
		-*) ;;
		*)
			cmd=$w
			cmdi=$i
			break
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-n | -netns | --netns)
			COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
			return
			;;
		-b | -batch | --batch)
			_filedir
			[[ - == "$cur"* ]] && COMPREPLY+=(-)
			return
			;;
		esac
		if [[ $cur == -* || -n $batch ]]; then
			COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		fi
		return
	fi

	# An abbreviated command completes like the command ("sh" is show).
	for w in $cmds; do
		if [[ $w == "$cmd"* ]]; then
			cmd=$w
			break
		fi
	done
	# Keywords already given are not offered again (etpctl refuses repeats).
	used=" ${words[*]:cmdi+1:cword-cmdi-1} "
	_etpctl_kw()
	{
		local k out=

		for k in "$@"; do
			[[ $used == *" $k "* ]] || out+=" $k"
		done
		COMPREPLY=($(compgen -W "$out" -- "$cur"))
	}

	case $prev in
	state)
		COMPREPLY=($(compgen -W "$_etpctl_states ${_etpctl_states,,}" -- "$cur"))
		return
		;;
	port)
		COMPREPLY=($(compgen -W "$(_etpctl_listen_ports)" -- "$cur"))
		return
		;;
	backlog | sport | interval | count | duration | delay)
		return
		;;
	peer)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
		return
		;;
	--svg | --pcap)
		_filedir
		return
		;;
	esac

	local nargs=$((cword - cmdi - 1))
	case $cmd in
	help)
		((nargs == 0)) && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		;;
	info | monitor)
		((nargs == 0)) && COMPREPLY=($(compgen -W "help" -- "$cur"))
		;;
	stats)
		_etpctl_kw delta interval all help
		;;
	param)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "show set help" -- "$cur"))
		elif [[ ${words[cmdi + 1]} == se* ]] && ((nargs % 2 == 1)); then
			COMPREPLY=($(compgen -W "$(_etpctl_params)" -- "$cur"))
		fi
		;;
	listen)
		((nargs >= 1)) && _etpctl_kw backlog
		;;
	unlisten)
		((nargs == 0)) &&
			COMPREPLY=($(compgen -W "$(_etpctl_listen_ports)" -- "$cur"))
		;;
	connect)
		((nargs >= 2)) && _etpctl_kw sport wait
		;;
	close | abort)
		((nargs == 0)) && COMPREPLY=($(compgen -W "$(_etpctl_ids)" -- "$cur"))
		;;
	send | recv)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_etpctl_ids)" -- "$cur"))
		elif [[ $cur == -* ]]; then
			[[ $cmd == send ]] && _etpctl_kw --close -v || _etpctl_kw -v
		else
			_filedir
		fi
		;;
	trace)
		_etpctl_kw id port addr peer count duration --svg --pcap
		;;
	fault)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "add list del flush release help" -- "$cur"))
		elif [[ ${words[cmdi + 1]} == add ]]; then
			if ((nargs == 1)); then
				COMPREPLY=($(compgen -W "drop delay dup hold" -- "$cur"))
			elif [[ $prev == @(drop|dup|hold) || ${words[cword - 2]} == delay ]]; then
				COMPREPLY=($(compgen -W "in out" -- "$cur"))
			elif [[ $prev == flags ]]; then
				COMPREPLY=($(compgen -W "SYN SYN\|ACK ACK FIN\|ACK PSH\|ACK RST RST\|ACK none" -- "$cur"))
			elif [[ $prev == id ]]; then
				COMPREPLY=($(compgen -W "$(_etpctl_ids)" -- "$cur"))
			else
				_etpctl_kw flags state id count
			fi
		fi
		;;
	show)
		local ids=()
		((nargs == 0)) &&
			ids=($(compgen -W "$(_etpctl_ids)" -- "$cur"))
		_etpctl_kw state port
		COMPREPLY+=("${ids[@]}")
		;;
	esac
}
complete -F _etpctl etpctl
