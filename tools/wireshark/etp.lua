-- SPDX-License-Identifier: GPL-2.0
--
-- etp dissector for Wireshark and tshark (Lua, Wireshark 4.0 API).
--
--   tshark -X lua_script:tools/wireshark/etp.lua -r capture.pcap
--   wireshark -X lua_script:tools/wireshark/etp.lua capture.pcap
--
-- or copy this file into ~/.local/lib/wireshark/plugins/ to have it always.
--
-- The wire format is docs/protocol.md section 2: a 20-octet header (ports,
-- seq, ack, version/data offset, flags, window, checksum, reserved), TCP-style
-- options (EOL 0, NOP 1, MSS 2/4, Window Scale 3/3, others skipped by their
-- length), then payload. Carried directly in IPv4 as protocol 253, or 254
-- (`insmod etp.ko proto=254`); the preference "IP protocol numbers" says
-- which (default both).
--
-- Besides every header field this shows, like Wireshark's TCP dissector:
-- the checksum verified over the IPv4 pseudo-header (docs/protocol.md 2.5);
-- sequence and acknowledgement numbers relative to each side's ISN, learnt
-- from its SYN; the window scaled by the shift its sender announced when
-- both SYNs carried Window Scale (RFC 7323 2); and an Info column that the
-- Flow Graph (Statistics > Flow Graph, `tshark -z flow,any,network`) draws
-- as the ladder of the exchange:
--
--   40000 → 7000 [SYN] Seq=0 Win=65535 Len=0 MSS=1460
--   7000 → 40000 [SYN, ACK] Seq=0 Ack=1 Win=65535 Len=0 MSS=1460
--
-- Display filters: etp, etp.srcport, etp.dstport, etp.port, etp.stream,
-- etp.seq, etp.seq_raw, etp.ack, etp.ack_raw, etp.nxtseq, etp.len,
-- etp.seglen, etp.version, etp.hdr_len, etp.flags, etp.flags.fin,
-- etp.flags.syn, etp.flags.rst, etp.flags.psh, etp.flags.ack,
-- etp.flags.res, etp.flags.str, etp.window, etp.window_size,
-- etp.window_size_scalefactor, etp.checksum, etp.checksum.status,
-- etp.checksum.calculated, etp.reserved, etp.options, etp.option_kind,
-- etp.option_len, etp.options.mss_val, etp.options.wscale.shift,
-- etp.options.wscale.multiplier, etp.payload, etp.analysis.acks_frame,
-- etp.analysis.retransmission, etp.analysis.new_isn,
-- etp.analysis.unexpected_syn, etp.analysis.flags (set when any of the
-- three before it is).

local etp = Proto("etp", "etp (TCP-style transport over IP protocol 253)")

-- Numbers from docs/protocol.md section 2 (module/core/wire.h).
local HDR_LEN = 20
local VERSION = 1
local FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
local FLAGS_KNOWN = 0x1f
local OPT_EOL, OPT_NOP, OPT_MSS, OPT_WSCALE = 0, 1, 2, 3
local WSCALE_MAX = 14		-- RFC 7323 2.3
local TWO32 = 4294967296

local flag_names = { [FIN] = "FIN", [SYN] = "SYN", [RST] = "RST",
		     [PSH] = "PSH", [ACK] = "ACK" }
local flag_order = { FIN, SYN, RST, PSH, ACK }

local option_names = {
	[OPT_EOL] = "End of Option List (EOL)",
	[OPT_NOP] = "No-Operation (NOP)",
	[OPT_MSS] = "Maximum segment size",
	[OPT_WSCALE] = "Window scale",
}

local csum_status_vals = {
	[0] = "Bad", [1] = "Good", [2] = "Unverified",
}

local scalefactor_vals = {
	[-1] = "window size scaling factor not known (no SYN seen)",
	[-2] = "no window scaling used",
}

local pf = {
	srcport = ProtoField.uint16("etp.srcport", "Source Port", base.DEC),
	dstport = ProtoField.uint16("etp.dstport", "Destination Port", base.DEC),
	port = ProtoField.uint16("etp.port", "Source or Destination Port", base.DEC),
	stream = ProtoField.uint32("etp.stream", "Stream index", base.DEC),
	seq = ProtoField.uint32("etp.seq", "Sequence Number", base.DEC),
	seq_raw = ProtoField.uint32("etp.seq_raw", "Sequence Number (raw)", base.DEC),
	nxtseq = ProtoField.uint32("etp.nxtseq", "Next Sequence Number", base.DEC),
	ack = ProtoField.uint32("etp.ack", "Acknowledgment Number", base.DEC),
	ack_raw = ProtoField.uint32("etp.ack_raw", "Acknowledgment number (raw)", base.DEC),
	version = ProtoField.uint8("etp.version", "Version", base.DEC, nil, 0xf0),
	hdr_len = ProtoField.uint8("etp.hdr_len", "Header Length", base.DEC, nil, nil,
		"Data offset: header length in 32-bit words, shown in octets"),
	flags = ProtoField.uint8("etp.flags", "Flags", base.HEX),
	flags_res = ProtoField.uint8("etp.flags.res", "Reserved", base.HEX, nil, 0xe0),
	flags_ack = ProtoField.bool("etp.flags.ack", "Acknowledgment", 8, nil, ACK),
	flags_psh = ProtoField.bool("etp.flags.psh", "Push", 8, nil, PSH),
	flags_rst = ProtoField.bool("etp.flags.rst", "Reset", 8, nil, RST),
	flags_syn = ProtoField.bool("etp.flags.syn", "Syn", 8, nil, SYN),
	flags_fin = ProtoField.bool("etp.flags.fin", "Fin", 8, nil, FIN),
	flags_str = ProtoField.string("etp.flags.str", "ETP Flags"),
	window = ProtoField.uint16("etp.window", "Window", base.DEC, nil, nil,
		"SEG.WND as sent, before scaling"),
	window_size = ProtoField.uint32("etp.window_size", "Calculated window size", base.DEC),
	window_scale = ProtoField.int32("etp.window_size_scalefactor",
		"Window size scaling factor", base.DEC, scalefactor_vals),
	checksum = ProtoField.uint16("etp.checksum", "Checksum", base.HEX),
	checksum_status = ProtoField.uint8("etp.checksum.status", "Checksum Status",
		base.DEC, csum_status_vals),
	checksum_calc = ProtoField.uint16("etp.checksum.calculated",
		"Calculated Checksum", base.HEX),
	reserved = ProtoField.uint16("etp.reserved", "Reserved", base.HEX),
	options = ProtoField.bytes("etp.options", "Options"),
	option_kind = ProtoField.uint8("etp.option_kind", "Kind", base.DEC, option_names),
	option_len = ProtoField.uint8("etp.option_len", "Length", base.DEC),
	opt_eol = ProtoField.none("etp.options.eol", "End of Option List (EOL)"),
	opt_nop = ProtoField.none("etp.options.nop", "No-Operation (NOP)"),
	opt_mss = ProtoField.none("etp.options.mss", "Maximum segment size"),
	opt_mss_val = ProtoField.uint16("etp.options.mss_val", "MSS Value", base.DEC),
	opt_wscale = ProtoField.none("etp.options.wscale", "Window scale"),
	opt_wscale_shift = ProtoField.uint8("etp.options.wscale.shift", "Shift count", base.DEC),
	opt_wscale_mult = ProtoField.uint16("etp.options.wscale.multiplier", "Multiplier", base.DEC),
	opt_unknown = ProtoField.bytes("etp.options.unknown", "Unknown option"),
	len = ProtoField.uint32("etp.len", "ETP Segment Len", base.DEC,
		nil, nil, "Payload octets"),
	seglen = ProtoField.uint32("etp.seglen", "SEG.LEN", base.DEC, nil, nil,
		"Sequence space the segment occupies: payload + 1 for SYN + 1 for FIN"),
	payload = ProtoField.bytes("etp.payload", "ETP payload"),
	analysis = ProtoField.none("etp.analysis", "SEQ/ACK analysis"),
	analysis_flags = ProtoField.none("etp.analysis.flags", "ETP Analysis Flags"),
	acks_frame = ProtoField.framenum("etp.analysis.acks_frame",
		"This is an ACK to the segment in frame", base.NONE, frametype.ACK),
	retransmission = ProtoField.none("etp.analysis.retransmission",
		"This frame is a (suspected) retransmission"),
	new_isn = ProtoField.none("etp.analysis.new_isn",
		"SYN with a new initial sequence number for this port pair"),
	unexpected_syn = ProtoField.none("etp.analysis.unexpected_syn",
		"SYN with another ISN in a synchronized connection"),
}
etp.fields = pf

local ef = {
	checksum_bad = ProtoExpert.new("etp.checksum_bad.expert", "Bad checksum",
		expert.group.CHECKSUM, expert.severity.ERROR),
	bad_hdr_len = ProtoExpert.new("etp.bad_header_length",
		"Bogus data offset: header length must be 20..60 and within the segment",
		expert.group.MALFORMED, expert.severity.ERROR),
	bad_version = ProtoExpert.new("etp.bad_version",
		"Unknown version (etp speaks version 1 and drops others)",
		expert.group.PROTOCOL, expert.severity.WARN),
	bad_flags = ProtoExpert.new("etp.bad_flags",
		"Invalid flags (reserved bit, or SYN/FIN/RST combined): etp drops the segment",
		expert.group.PROTOCOL, expert.severity.WARN),
	ack_nonzero = ProtoExpert.new("etp.ack.nonzero",
		"Acknowledgment number is nonzero but the ACK flag is not set",
		expert.group.PROTOCOL, expert.severity.NOTE),
	reserved_nonzero = ProtoExpert.new("etp.reserved.nonzero",
		"Reserved field is not zero", expert.group.PROTOCOL, expert.severity.NOTE),
	option_malformed = ProtoExpert.new("etp.option.malformed",
		"Malformed option list: etp drops the segment",
		expert.group.MALFORMED, expert.severity.ERROR),
	option_unknown = ProtoExpert.new("etp.option.unknown",
		"Unknown option, skipped by its length",
		expert.group.PROTOCOL, expert.severity.NOTE),
	option_not_syn = ProtoExpert.new("etp.option.not_syn",
		"Option only meaningful on SYN and SYN|ACK: ignored here",
		expert.group.PROTOCOL, expert.severity.NOTE),
	wscale_shift = ProtoExpert.new("etp.option.wscale.shift.invalid",
		"Window scale shift count above 14: taken as 14 (RFC 7323 2.3)",
		expert.group.PROTOCOL, expert.severity.WARN),
	retransmission = ProtoExpert.new("etp.analysis.retransmission.expert",
		"This frame is a (suspected) retransmission",
		expert.group.SEQUENCE, expert.severity.NOTE),
	new_isn = ProtoExpert.new("etp.analysis.new_isn.expert",
		"SYN with a new initial sequence number: an old duplicate or a new connection",
		expert.group.SEQUENCE, expert.severity.NOTE),
	unexpected_syn = ProtoExpert.new("etp.analysis.unexpected_syn.expert",
		"SYN with another ISN while the connection is synchronized: an old duplicate? (etp answers with a challenge ACK)",
		expert.group.SEQUENCE, expert.severity.WARN),
	truncated = ProtoExpert.new("etp.truncated",
		"Segment not captured whole: checksum and options not checked",
		expert.group.MALFORMED, expert.severity.NOTE),
}
etp.experts = ef

etp.prefs.protos = Pref.range("IP protocol numbers", "253,254",
	"IPv4 protocol numbers to decode as etp (253 and 254 are RFC 3692's experimental numbers)",
	255)
etp.prefs.relative_seq = Pref.bool("Relative sequence numbers", true,
	"Show sequence and acknowledgement numbers relative to each side's ISN")
etp.prefs.check_checksum = Pref.bool("Validate the checksum", true,
	"Verify the Internet checksum over the IPv4 pseudo-header")
etp.prefs.analyze = Pref.bool("Analyze sequence numbers", true,
	"Mark retransmissions, new ISNs and the segment an ACK acknowledges")

local ip_src_f = Field.new("ip.src")
local ip_dst_f = Field.new("ip.dst")
local ip_proto_f = Field.new("ip.proto")
local icmp_type_f = Field.new("icmp.type")

-- Are we dissecting the copy of a segment quoted in an ICMP error? Then it
-- tells nothing about the conversation. pinfo.in_error_pkt where the Lua
-- API has it (the icmp.type field is absent in tshark -2's first pass).
local function in_error_pkt(pinfo)
	local ok, v = pcall(function() return pinfo.in_error_pkt end)
	if ok and v ~= nil then
		return v
	end
	return icmp_type_f() ~= nil
end
local data_dissector = Dissector.get("data")

-- Conversation state, rebuilt on each (re)load of a capture: convs by
-- port pair, and what the first, in-order pass worked out for each frame,
-- so that later passes (the GUI re-dissects at random) show the same.
local convs, nconvs, frames

local function reset()
	convs = {}
	nconvs = 0
	frames = {}
end
etp.init = reset
reset()

-- Last instance of an IPv4 field: the header etp is carried in (the inner
-- one when IP is tunnelled).
local function last(f)
	local all = { f() }
	return all[#all]
end

-- Internet checksum (RFC 1071) of the pseudo-header and the segment with its
-- checksum field taken as zero.
local function checksum(src, dst, proto, seg)
	local sum = 0
	for i = 0, 2, 2 do
		sum = sum + src:get_index(i) * 256 + src:get_index(i + 1)
		sum = sum + dst:get_index(i) * 256 + dst:get_index(i + 1)
	end
	sum = sum + proto + seg:len()
	local n = seg:len()
	for i = 0, n - 2, 2 do
		if i ~= 16 then
			sum = sum + seg:get_index(i) * 256 + seg:get_index(i + 1)
		end
	end
	if n % 2 == 1 then
		sum = sum + seg:get_index(n - 1) * 256
	end
	while sum > 0xffff do
		sum = (sum % 65536) + math.floor(sum / 65536)
	end
	return 0xffff - sum
end

local function flags_str(flags, sep)
	local names = {}
	for _, bit in ipairs(flag_order) do
		if bit32.band(flags, bit) ~= 0 then
			names[#names + 1] = flag_names[bit]
		end
	end
	if bit32.band(flags, 0xe0) ~= 0 then
		names[#names + 1] = string.format("0x%02x", bit32.band(flags, 0xe0))
	end
	if #names == 0 then
		return "none"
	end
	return table.concat(names, sep)
end

local function flags_valid(flags)
	if bit32.band(flags, bit32.bnot(FLAGS_KNOWN)) ~= 0 then return false end
	local syn = bit32.band(flags, SYN) ~= 0
	local fin = bit32.band(flags, FIN) ~= 0
	local rst = bit32.band(flags, RST) ~= 0
	return not ((syn and (fin or rst)) or (rst and fin))
end

local function sub32(a, b)
	return (a - b) % TWO32
end

-- (s32)(a - b) < 0
local function before(a, b)
	local d = sub32(a, b)
	return d ~= 0 and d >= 2147483648
end

-- The options of header bytes [20, hdr_len). Adds them to tree when given;
-- returns { mss = n|nil, wscale = shift|nil, malformed = bool, text = "" }.
local function parse_options(tvb, hdr_len, tree, is_syn)
	local o = { malformed = false }
	local i = HDR_LEN
	local otree
	if tree then
		otree = tree:add(pf.options, tvb(HDR_LEN, hdr_len - HDR_LEN))
		otree:set_text(string.format("Options: (%d bytes)", hdr_len - HDR_LEN))
	end
	local function bad(range, why)
		o.malformed = true
		if otree then
			otree:add_tvb_expert_info(ef.option_malformed, range,
				"Malformed option list: " .. why)
		end
	end
	while i < hdr_len do
		local kind = tvb(i, 1):uint()
		if kind == OPT_EOL then
			if otree then
				local t = otree:add(pf.opt_eol, tvb(i, 1))
				t:add(pf.option_kind, tvb(i, 1))
			end
			break
		elseif kind == OPT_NOP then
			if otree then
				local t = otree:add(pf.opt_nop, tvb(i, 1))
				t:add(pf.option_kind, tvb(i, 1))
			end
			i = i + 1
		else
			if hdr_len - i < 2 then
				bad(tvb(i, hdr_len - i),
				    string.format("kind %d has no room for its length", kind))
				break
			end
			local olen = tvb(i + 1, 1):uint()
			if olen < 2 or olen > hdr_len - i then
				bad(tvb(i, hdr_len - i),
				    string.format("kind %d length %d (left: %d)", kind,
						  olen, hdr_len - i))
				break
			end
			local r = tvb(i, olen)
			local t
			if kind == OPT_MSS then
				if otree then
					t = otree:add(pf.opt_mss, r)
					t:add(pf.option_kind, tvb(i, 1))
					t:add(pf.option_len, tvb(i + 1, 1))
				end
				if olen ~= 4 then
					bad(r, string.format("MSS length %d, not 4", olen))
					break
				end
				local mss = tvb(i + 2, 2):uint()
				if t then
					t:add(pf.opt_mss_val, tvb(i + 2, 2))
					t:append_text(string.format(": %d bytes", mss))
				end
				if mss == 0 then
					bad(r, "MSS 0")
					break
				end
				o.mss = mss
			elseif kind == OPT_WSCALE then
				if otree then
					t = otree:add(pf.opt_wscale, r)
					t:add(pf.option_kind, tvb(i, 1))
					t:add(pf.option_len, tvb(i + 1, 1))
				end
				if olen ~= 3 then
					bad(r, string.format("Window scale length %d, not 3", olen))
					break
				end
				local shift = tvb(i + 2, 1):uint()
				local eff = shift
				if t then
					local st = t:add(pf.opt_wscale_shift, tvb(i + 2, 1))
					if shift > WSCALE_MAX then
						st:add_proto_expert_info(ef.wscale_shift)
						eff = WSCALE_MAX
					end
					local mt = t:add(pf.opt_wscale_mult, tvb(i + 2, 1),
							 2 ^ eff)
					mt:set_generated()
					t:append_text(string.format(": %d (multiply by %d)",
								    shift, 2 ^ eff))
				elseif shift > WSCALE_MAX then
					eff = WSCALE_MAX
				end
				o.wscale = eff
			else
				if otree then
					t = otree:add(pf.opt_unknown, r)
					t:set_text(string.format("Unknown option: kind %d, length %d",
								 kind, olen))
					t:add(pf.option_kind, tvb(i, 1))
					t:add(pf.option_len, tvb(i + 1, 1))
					t:add_proto_expert_info(ef.option_unknown)
				end
			end
			if t and not is_syn and (kind == OPT_MSS or kind == OPT_WSCALE) then
				t:add_proto_expert_info(ef.option_not_syn)
			end
			i = i + olen
		end
	end
	return o
end

-- The conversation of a segment from (src, sport) to (dst, dport) over IP
-- protocol proto, and the
-- sending side's index in it (1 or 2).
local function conversation(proto, src, sport, dst, dport)
	local a = src .. ":" .. sport
	local b = dst .. ":" .. dport
	local key = tostring(proto) .. " " ..
		(a < b and (a .. " " .. b) or (b .. " " .. a))
	local c = convs[key]
	if not c then
		c = { stream = nconvs, ep = { a, b }, side = { {}, {} } }
		nconvs = nconvs + 1
		convs[key] = c
	end
	return c, (c.ep[1] == a) and 1 or 2
end

-- The multiplier of a segment's window (-1: not known yet, -2: no scaling).
-- Never scaled on SYNs; scaled by the sender's shift once both SYNs were
-- seen and both carried Window Scale (RFC 7323 2.2).
local function window_scale(h, o, me, peer)
	if bit32.band(h.flags, SYN) ~= 0 then
		return o.wscale ~= nil and 1 or -2
	elseif me.syn_seen and peer.syn_seen then
		if me.wscale and peer.wscale then
			return 2 ^ me.wscale
		end
		return -2
	end
	return -1
end

-- First pass: what this segment tells about its conversation, and what the
-- conversation so far tells about the segment. Fields of the result: stream,
-- base_seq, base_ack (nil: unknown), scale (multiplier, or -1 unknown, -2
-- none), acks_frame, retransmission, new_isn.
local function analyze(h, o)
	local c, s = conversation(h.proto, h.src, h.sport, h.dst, h.dport)
	local me, peer = c.side[s], c.side[3 - s]
	local r = { stream = c.stream }
	local syn = bit32.band(h.flags, SYN) ~= 0
	local ack = bit32.band(h.flags, ACK) ~= 0

	if syn and me.isn and me.isn ~= h.seq and c.established and not c.over then
		-- Another ISN while both sides are synchronized: not this
		-- connection's SYN (an old duplicate?). etp answers it with a
		-- challenge ACK (docs/protocol.md 4.5); numbering goes on.
		r.unexpected_syn = true
		r.base_seq = me.base
		if ack then r.base_ack = peer.base end
		r.scale = window_scale(h, o, me, peer)
		return r
	end
	if syn then
		if me.isn and me.isn ~= h.seq then
			-- A SYN this side sent before with another ISN, before
			-- the handshake completed or after the connection ended:
			-- an old duplicate, or a new connection on the same
			-- ports. From here on number by the new one; the peer's
			-- base is learnt again from its next SYN.
			r.new_isn = true
			me.max_nxt = nil
			me.nxt_frames = {}
			me.acked_syn, me.fin = nil, nil
			c.established, c.over = nil, nil
			if not ack then
				peer.isn, peer.base, peer.wscale, peer.syn_seen =
					nil, nil, nil, nil
				peer.max_nxt, peer.nxt_frames = nil, {}
				peer.acked_syn, peer.fin = nil, nil
			end
		end
		me.isn = h.seq
		me.base = h.seq
		me.syn_seen = true
		me.wscale = o.wscale or false
	elseif not me.base then
		-- Joined mid-connection: number as if the SYN were just before.
		me.base = sub32(h.seq, 1)
	end

	-- Synchronized once each side acknowledged the other's SYN; over
	-- after a RST or both FINs.
	if bit32.band(h.flags, RST) ~= 0 then
		c.over = true
	elseif ack and peer.isn and not before(h.ack, (peer.isn + 1) % TWO32) then
		me.acked_syn = true
	end
	if bit32.band(h.flags, FIN) ~= 0 then
		me.fin = true
	end
	c.established = c.established or (me.acked_syn and peer.acked_syn)
	if me.fin and peer.fin then
		c.over = true
	end

	r.base_seq = me.base
	if ack and peer.base then
		r.base_ack = peer.base
	end

	r.scale = window_scale(h, o, me, peer)

	-- Retransmission: the segment occupies sequence space this side had
	-- already covered.
	local nxt = (h.seq + h.seglen) % TWO32
	me.nxt_frames = me.nxt_frames or {}
	if h.seglen > 0 then
		if me.max_nxt and not before(me.max_nxt, nxt) and not r.new_isn then
			r.retransmission = true
		end
		if not me.max_nxt or before(me.max_nxt, nxt) then
			me.max_nxt = nxt
		end
		if not me.nxt_frames[nxt] then
			me.nxt_frames[nxt] = h.frame
		end
	end
	-- The first ACK of a segment's end names that segment's frame.
	if ack and peer.nxt_frames and peer.nxt_frames[h.ack] then
		r.acks_frame = peer.nxt_frames[h.ack]
		peer.nxt_frames[h.ack] = nil
	end
	return r
end

-- A segment etp drops (bad checksum, version, flags, header length or
-- options) changes nothing: numbered by the conversation as it stands.
local function peek(h, o)
	local c, s = conversation(h.proto, h.src, h.sport, h.dst, h.dport)
	local me, peer = c.side[s], c.side[3 - s]
	local r = { stream = c.stream, scale = window_scale(h, o, me, peer) }
	r.base_seq = me.base or sub32(h.seq, 1)
	if bit32.band(h.flags, ACK) ~= 0 then
		r.base_ack = peer.base
	end
	return r
end

function etp.dissector(tvb, pinfo, tree)
	local cap = tvb:len()
	local seg_len = tvb:reported_len()

	pinfo.cols.protocol = "ETP"
	local t = tree:add(etp, tvb(0, math.min(cap, math.max(seg_len, 0))))

	if cap < 4 then
		pinfo.cols.info = "[too short]"
		return
	end
	local h = { frame = pinfo.number }
	h.sport = tvb(0, 2):uint()
	h.dport = tvb(2, 2):uint()
	t:add(pf.srcport, tvb(0, 2))
	t:add(pf.dstport, tvb(2, 2))
	t:add(pf.port, tvb(0, 2)):set_hidden()
	t:add(pf.port, tvb(2, 2)):set_hidden()
	pinfo.src_port = h.sport
	pinfo.dst_port = h.dport
	local info = string.format("%d \xe2\x86\x92 %d", h.sport, h.dport)
	t:append_text(string.format(", Src Port: %d, Dst Port: %d", h.sport, h.dport))

	if cap < HDR_LEN or seg_len < HDR_LEN then
		-- A quoted header (ICMP error) or a runt: show what is there.
		if cap >= 8 then
			t:add(pf.seq_raw, tvb(4, 4))
		end
		if seg_len < HDR_LEN and not in_error_pkt(pinfo) then
			t:add_proto_expert_info(ef.bad_hdr_len,
				string.format("Segment of %d octets, shorter than the 20-octet header",
					      seg_len))
		end
		pinfo.cols.info = info
		return
	end

	h.seq = tvb(4, 4):uint()
	h.ack = tvb(8, 4):uint()
	h.version = bit32.rshift(tvb(12, 1):uint(), 4)
	h.hdr_len = bit32.band(tvb(12, 1):uint(), 0x0f) * 4
	h.flags = tvb(13, 1):uint()
	h.window = tvb(14, 2):uint()
	h.csum = tvb(16, 2):uint()
	h.reserved = tvb(18, 2):uint()
	local syn = bit32.band(h.flags, SYN) ~= 0
	local fin = bit32.band(h.flags, FIN) ~= 0
	local ack = bit32.band(h.flags, ACK) ~= 0

	local hdr_ok = h.hdr_len >= HDR_LEN and h.hdr_len <= seg_len
	local payload_len = hdr_ok and (seg_len - h.hdr_len) or 0
	h.seglen = payload_len + (syn and 1 or 0) + (fin and 1 or 0)
	h.src = tostring(pinfo.net_src)
	h.dst = tostring(pinfo.net_dst)
	local proto_fi = last(ip_proto_f)
	h.proto = proto_fi and proto_fi.value or pinfo.match_uint

	-- Options first (they decide the window scale), without a tree yet.
	local o = { malformed = false }
	local opts_whole = hdr_ok and h.hdr_len <= cap
	if hdr_ok and h.hdr_len > HDR_LEN and opts_whole then
		o = parse_options(tvb, h.hdr_len, nil, syn)
	end

	-- Inside an ICMP error the segment is a quote: it teaches nothing
	-- about the conversation, and its checksum cannot be checked.
	local in_icmp = in_error_pkt(pinfo)

	-- Checksum status: 0 bad, 1 good, 2 unverified.
	local csum_status, csum_calc = 2, nil
	if etp.prefs.check_checksum and cap >= seg_len and not in_icmp then
		local src_fi, dst_fi = last(ip_src_f), last(ip_dst_f)
		if src_fi and dst_fi and h.proto then
			csum_calc = checksum(src_fi.range:bytes(), dst_fi.range:bytes(),
					     h.proto, tvb:bytes())
			csum_status = (csum_calc == h.csum) and 1 or 0
		end
	end

	local r = frames[pinfo.number]
	if not r then
		if in_icmp then
			r = { scale = -1 }
		elseif csum_status == 0 or not hdr_ok or o.malformed or
		       h.version ~= VERSION or not flags_valid(h.flags) then
			r = peek(h, o)
		else
			r = analyze(h, o)
		end
		frames[pinfo.number] = r
	end
	local rel = etp.prefs.relative_seq

	if r.stream then
		t:add(pf.stream, r.stream):set_generated()
	end

	-- Sequence and acknowledgement numbers.
	local seq_shown = h.seq
	if rel and r.base_seq then
		seq_shown = sub32(h.seq, r.base_seq)
	end
	local si = t:add(pf.seq, tvb(4, 4), seq_shown)
	if rel and r.base_seq then
		si:append_text("    (relative sequence number)")
	end
	t:add(pf.seq_raw, tvb(4, 4))
	if h.seglen > 0 and hdr_ok then
		local nx = (seq_shown + h.seglen) % TWO32
		local ni = t:add(pf.nxtseq, tvb(4, 4), nx)
		ni:set_generated()
		if rel and r.base_seq then
			ni:append_text("    (relative sequence number)")
		end
	end
	local ack_shown = h.ack
	if ack and rel and r.base_ack then
		ack_shown = sub32(h.ack, r.base_ack)
	end
	local ai = t:add(pf.ack, tvb(8, 4), ack_shown)
	if ack and rel and r.base_ack then
		ai:append_text("    (relative ack number)")
	elseif not ack and h.ack ~= 0 then
		ai:add_proto_expert_info(ef.ack_nonzero)
	end
	t:add(pf.ack_raw, tvb(8, 4))

	-- Version and data offset.
	local vi = t:add(pf.version, tvb(12, 1))
	if h.version ~= VERSION then
		vi:add_proto_expert_info(ef.bad_version)
	end
	local hi = t:add(pf.hdr_len, tvb(12, 1), h.hdr_len)
	hi:append_text(string.format(" bytes (%d)", h.hdr_len / 4))
	if not hdr_ok then
		hi:add_proto_expert_info(ef.bad_hdr_len,
			string.format("Bogus header length %d (segment %d octets)",
				      h.hdr_len, seg_len))
	end

	-- Flags.
	local fstr = flags_str(h.flags, ", ")
	local ft = t:add(pf.flags, tvb(13, 1))
	ft:append_text(" (" .. fstr .. ")")
	ft:add(pf.flags_res, tvb(13, 1))
	ft:add(pf.flags_ack, tvb(13, 1))
	ft:add(pf.flags_psh, tvb(13, 1))
	ft:add(pf.flags_rst, tvb(13, 1))
	ft:add(pf.flags_syn, tvb(13, 1))
	ft:add(pf.flags_fin, tvb(13, 1))
	ft:add(pf.flags_str, tvb(13, 1), flags_str(h.flags, "|")):set_generated()
	if not flags_valid(h.flags) then
		ft:add_proto_expert_info(ef.bad_flags)
	end

	-- Window.
	t:add(pf.window, tvb(14, 2))
	local win = h.window
	if r.scale and r.scale > 0 then
		win = h.window * r.scale
	end
	t:add(pf.window_size, tvb(14, 2), win):set_generated()
	t:add(pf.window_scale, tvb(14, 2), r.scale or -1):set_generated()

	-- Checksum.
	local ci = t:add(pf.checksum, tvb(16, 2))
	if csum_status == 1 then
		ci:append_text(" [correct]")
	elseif csum_status == 0 then
		ci:append_text(string.format(" [incorrect, should be 0x%04x]", csum_calc))
		ci:add_proto_expert_info(ef.checksum_bad)
	else
		ci:append_text(" [unverified]")
		if cap < seg_len then
			t:add_proto_expert_info(ef.truncated)
		end
	end
	if csum_calc then
		t:add(pf.checksum_calc, tvb(16, 2), csum_calc):set_generated()
	end
	t:add(pf.checksum_status, tvb(16, 2), csum_status):set_generated()

	local ri = t:add(pf.reserved, tvb(18, 2))
	if h.reserved ~= 0 then
		ri:add_proto_expert_info(ef.reserved_nonzero)
	end

	-- Options, now into the tree.
	if hdr_ok and h.hdr_len > HDR_LEN and opts_whole then
		parse_options(tvb, h.hdr_len, t, syn)
	end

	-- Lengths and payload.
	t:add(pf.len, payload_len):set_generated()
	t:add(pf.seglen, h.seglen):set_generated()

	-- Analysis.
	if etp.prefs.analyze and (r.acks_frame or r.retransmission or r.new_isn or
				  r.unexpected_syn) then
		local at = t:add(pf.analysis)
		at:set_generated()
		if r.acks_frame then
			at:add(pf.acks_frame, r.acks_frame):set_generated()
		end
		if r.retransmission or r.new_isn or r.unexpected_syn then
			local fl = at:add(pf.analysis_flags)
			fl:set_generated()
			if r.retransmission then
				local x = fl:add(pf.retransmission)
				x:set_generated()
				x:add_proto_expert_info(ef.retransmission)
			end
			if r.new_isn then
				local x = fl:add(pf.new_isn)
				x:set_generated()
				x:add_proto_expert_info(ef.new_isn)
			end
			if r.unexpected_syn then
				local x = fl:add(pf.unexpected_syn)
				x:set_generated()
				x:add_proto_expert_info(ef.unexpected_syn)
			end
		end
	end

	-- Info: "40000 → 7000 [SYN, ACK] Seq=0 Ack=1 Win=65535 Len=0 MSS=1460".
	local pre = ""
	if etp.prefs.analyze and r.retransmission then
		pre = pre .. "[ETP Retransmission] "
	end
	if etp.prefs.analyze and r.new_isn then
		pre = pre .. "[ETP New ISN] "
	end
	if etp.prefs.analyze and r.unexpected_syn then
		pre = pre .. "[ETP Unexpected SYN] "
	end
	if csum_status == 0 then
		pre = pre .. "[ETP Bad Checksum] "
	end
	info = pre .. info .. " [" .. fstr .. "]"
	info = info .. " Seq=" .. seq_shown
	if ack then
		info = info .. " Ack=" .. ack_shown
	end
	info = info .. " Win=" .. win .. " Len=" .. payload_len
	if o.mss then
		info = info .. " MSS=" .. o.mss
	end
	if o.wscale then
		info = info .. " WS=" .. (2 ^ o.wscale)
	end
	if o.malformed then
		info = info .. " [Malformed options]"
	end
	if not hdr_ok then
		info = info .. " [Bogus header length]"
	end
	if h.version ~= VERSION then
		info = info .. " [Version " .. h.version .. "]"
	end
	pinfo.cols.info = info
	t:append_text(string.format(", Seq: %d", seq_shown))
	if ack then
		t:append_text(string.format(", Ack: %d", ack_shown))
	end
	t:append_text(string.format(", Len: %d", payload_len))

	if hdr_ok and payload_len > 0 and cap > h.hdr_len then
		local ptvb = tvb(h.hdr_len):tvb()
		t:add(pf.payload, tvb(h.hdr_len))
		data_dissector:call(ptvb, pinfo, tree)
	end
	return seg_len
end

-- Registration on the IP protocol numbers of the preference.
local ip_proto_table = DissectorTable.get("ip.proto")
local registered = nil

local function register()
	if registered then
		ip_proto_table:remove(registered, etp)
	end
	registered = tostring(etp.prefs.protos)
	if registered ~= "" then
		ip_proto_table:add(registered, etp)
	end
end

function etp.prefs_changed()
	register()
end
register()
