#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""etp for scapy: build, send, sniff and print etp segments.

etp is the TCP-shaped protocol of etp.ko, carried directly in IPv4 as
protocol 253 (or 254). The wire format is docs/protocol.md section 2; this
layer follows it field for field:

    sport dport seq ack | version(4) dataofs(4) | flags | window | chksum | reserved
    options (EOL 0, NOP 1, MSS 2/4, Window Scale 3/3, others by length)

Three lines, as root, in a namespace that can reach an etp listener
(docs/capture.md):

    >>> from etp import *
    >>> r = sr1(IP(dst="198.18.0.2")/ETP(dport=7000, flags="SYN", seq=1000,
    ...                                  options=[("MSS", 1460)]))
    >>> r.show()

Importing this module binds ETP to IP proto 253 (built and decoded) and 254
(decoded). chksum left None is computed over the IPv4 pseudo-header when
the segment is built under an IP layer; dataofs left None is computed from
the options, which are padded to a multiple of 4 octets with EOL.

Flags are a FlagsField named FIN SYN RST PSH ACK (bits 0x01..0x10): give
them as "SYN+ACK", "SYN|ACK", "SA" or 0x12; read them as p.flags.SYN.

As a command, for labs and the selftests:

    etp.py syn DST DPORT [FIELD=VALUE ...] [iface=IF] [wait=S]
        send one segment (by default a SYN with MSS 1460 from port 40000:
        an "old duplicate" when seq=N is an old number) and print it
        ("sent"), then every etp segment to or from DST seen in the next
        S seconds (default 2): "recv" from DST, with answers=1 if sr1()
        would take it as the answer, "out" from this host (its own etp
        answering). One line each, fields as key=value. Exit 1 if DST
        sent nothing.
    etp.py hex [FIELD=VALUE ...]      (or "hex -": one segment per stdin line)
        the etp segment (no IP header) in hex, checksum 0 unless given
    FIELD=VALUE: ETP's fields (sport dport seq ack version dataofs flags
        window chksum reserved), and nop=N (N NOPs first), mss=N, wscale=N,
        opt=KIND:HEX (any option), rawopt=HEX (option bytes as given, e.g.
        malformed), payload=N (N octets "x").
    etp.py read PCAP
        one line per etp segment of a capture, its fields as key=value.
"""

import struct
import sys

from scapy.all import (IP, Packet, Raw, StrField, BitField, FlagsField,
                       IntField, ShortField, XShortField, bind_layers,
                       bind_bottom_up, conf, in4_chksum, send, rdpcap)
from scapy.all import *  # noqa: F401,F403 (re-exported for "from etp import *")

ETP_PROTO = 253
ETP_PROTO_ALT = 254

FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "RES5", "RES6", "RES7"]
_FLAG_CHARS = {"F": "FIN", "S": "SYN", "R": "RST", "P": "PSH", "A": "ACK"}

OPT_EOL, OPT_NOP, OPT_MSS, OPT_WSCALE = 0, 1, 2, 3
_OPT_BY_NAME = {"MSS": (OPT_MSS, "!H"), "WScale": (OPT_WSCALE, "!B")}
_OPT_BY_KIND = {k: (n, f) for n, (k, f) in _OPT_BY_NAME.items()}


class ETPFlagsField(FlagsField):
    """FlagsField over FIN SYN RST PSH ACK that also reads "SYN|ACK" and
    TCP-style letters ("SA")."""

    def any2i(self, pkt, x):
        if isinstance(x, str):
            x = x.replace("|", "+").replace(",", "+").replace(" ", "")
            parts = [p for p in x.split("+") if p]
            if len(parts) == 1 and parts[0] not in FLAG_NAMES and \
               all(c in _FLAG_CHARS for c in parts[0]):
                parts = [_FLAG_CHARS[c] for c in parts[0]]
            x = "+".join(p.upper() for p in parts)
        return super().any2i(pkt, x)


class ETPOptionsField(StrField):
    """TCP-style TLV options. A list of (name, value):

        ("EOL", None) ("NOP", None) ("MSS", 1460) ("WScale", 7)
        (KIND, b"value")     any other kind, length = 2 + len(value)

    or raw bytes, written as given (for malformed option lists). Built
    lists are padded with EOL (zeros) to a multiple of 4 octets. A list
    that does not parse decodes with a last ("malformed", b"rest")."""

    islist = 1

    def getfield(self, pkt, s):
        size = max((pkt.dataofs or 5) - 5, 0) * 4
        return s[size:], self.m2i(pkt, s[:size])

    def m2i(self, pkt, x):
        opts = []
        i = 0
        while i < len(x):
            kind = x[i]
            if kind == OPT_EOL:
                opts.append(("EOL", None))
                break
            if kind == OPT_NOP:
                opts.append(("NOP", None))
                i += 1
                continue
            if len(x) - i < 2 or x[i + 1] < 2 or x[i + 1] > len(x) - i:
                opts.append(("malformed", bytes(x[i:])))
                break
            olen = x[i + 1]
            val = bytes(x[i + 2:i + olen])
            if kind in _OPT_BY_KIND and \
               struct.calcsize(_OPT_BY_KIND[kind][1]) == len(val):
                name, fmt = _OPT_BY_KIND[kind]
                opts.append((name, struct.unpack(fmt, val)[0]))
            else:
                opts.append((kind, val))
            i += olen
        return opts

    def i2m(self, pkt, x):
        if x is None:
            return b""
        if isinstance(x, (bytes, bytearray)):
            raw = bytes(x)
        else:
            raw = b""
            for name, val in x:
                if name in ("EOL", OPT_EOL):
                    raw += b"\x00"
                elif name in ("NOP", OPT_NOP):
                    raw += b"\x01"
                elif name in _OPT_BY_NAME:
                    kind, fmt = _OPT_BY_NAME[name]
                    v = struct.pack(fmt, val)
                    raw += bytes([kind, 2 + len(v)]) + v
                elif name == "malformed":
                    raw += bytes(val)
                elif isinstance(name, int):
                    v = bytes(val or b"")
                    raw += bytes([name, 2 + len(v)]) + v
                else:
                    raise ValueError("unknown etp option %r" % (name,))
        return raw + b"\x00" * (-len(raw) % 4)

    def i2h(self, pkt, x):
        return x or []

    def i2len(self, pkt, x):
        return len(self.i2m(pkt, x))


def seg_len(p):
    """SEG.LEN: payload octets + 1 for SYN + 1 for FIN."""
    e = p[ETP] if ETP in p else p
    return len(e.payload) + bool(e.flags.SYN) + bool(e.flags.FIN)


class ETP(Packet):
    name = "ETP"
    fields_desc = [
        ShortField("sport", 40000),
        ShortField("dport", 7000),
        IntField("seq", 0),
        IntField("ack", 0),
        BitField("version", 1, 4),
        BitField("dataofs", None, 4),
        ETPFlagsField("flags", "SYN", 8, FLAG_NAMES),
        ShortField("window", 65535),
        XShortField("chksum", None),
        ShortField("reserved", 0),
        ETPOptionsField("options", []),
    ]

    def post_build(self, p, pay):
        p += pay
        if self.dataofs is None:
            olen = len(self.get_field("options").i2m(self, self.options))
            p = p[:12] + bytes([(p[12] & 0xf0) | ((5 + olen // 4) & 0x0f)]) + p[13:]
        if self.chksum is None and isinstance(self.underlayer, IP):
            ck = in4_chksum(self.underlayer.proto, self.underlayer, p)
            p = p[:16] + struct.pack("!H", ck) + p[18:]
        return p

    def extract_padding(self, s):
        return s, b""

    def hashret(self):
        if conf.checkIPsrc:
            return struct.pack("H", self.sport ^ self.dport) + \
                self.payload.hashret()
        return self.payload.hashret()

    def answers(self, other):
        """A reply from etp: ports swapped, and what it acknowledges (or,
        for a bare RST, its seq) fits what other sent."""
        if not isinstance(other, ETP):
            return 0
        if other.flags.RST:
            return 0		# nobody answers a RST
        if conf.checkIPsrc and not (self.sport == other.dport and
                                    self.dport == other.sport):
            return 0
        if self.flags.SYN and not self.flags.ACK:
            return 0		# a SYN answers nothing (except a simultaneous open)
        if self.flags.ACK:
            # other.seq <= self.ack <= other.seq + SEG.LEN, mod 2^32
            return (self.ack - other.seq) % 2**32 <= seg_len(other)
        if self.flags.RST:
            return other.flags.ACK and self.seq == other.ack
        return 0

    def mysummary(self):
        if isinstance(self.underlayer, IP):
            return self.underlayer.sprintf(
                "ETP %IP.src%:%ETP.sport% > %IP.dst%:%ETP.dport% %ETP.flags%"
                " seq=%ETP.seq% ack=%ETP.ack%")
        return self.sprintf("ETP %ETP.sport% > %ETP.dport% %ETP.flags%"
                            " seq=%ETP.seq% ack=%ETP.ack%")


# Decoded on both numbers, built on 253 (the last binding sets IP.proto).
bind_bottom_up(IP, ETP, proto=ETP_PROTO_ALT)
bind_layers(IP, ETP, proto=ETP_PROTO)


def checksum_ok(p):
    """The segment's checksum is right for its IP header."""
    ip = p[IP]
    raw = bytes(ip[ETP])
    raw = raw[:16] + b"\x00\x00" + raw[18:]
    return in4_chksum(ip.proto, ip, raw) == ip[ETP].chksum


def option(p, name):
    """Value of option NAME ("MSS", "WScale", or a kind) or None."""
    for n, v in p[ETP].options:
        if n == name:
            return v
    return None


def old_syn(dst, dport, seq, sport=40000, mss=1460, src=None, **kw):
    """An old duplicate SYN: a SYN with a sequence number of your choice."""
    ip = IP(dst=dst) if src is None else IP(src=src, dst=dst)
    return ip / ETP(sport=sport, dport=dport, flags="SYN", seq=seq,
                    options=[("MSS", mss)] if mss else [], **kw)


def describe(p):
    """A segment as one line of key=value pairs, for scripts and tests."""
    e = p[ETP]
    lines = [
        "src=%s" % p[IP].src, "dst=%s" % p[IP].dst,
        "sport=%d" % e.sport, "dport=%d" % e.dport,
        "flags=%s" % str(e.flags).replace("+", "|"),
        "seq=%d" % e.seq, "ack=%d" % e.ack,
        "version=%d" % e.version, "dataofs=%d" % e.dataofs,
        "window=%d" % e.window, "chksum=0x%04x" % e.chksum,
        "chksum_ok=%d" % checksum_ok(p),
        "mss=%s" % (option(p, "MSS") if option(p, "MSS") is not None else "-"),
        "wscale=%s" % (option(p, "WScale") if option(p, "WScale") is not None else "-"),
        "len=%d" % len(e.payload),
    ]
    return " ".join(lines)


def _kv(args):
    out = {}
    for a in args:
        k, sep, v = a.partition("=")
        if not sep:
            raise SystemExit("etp.py: expected FIELD=VALUE, got %r" % a)
        out[k] = v
    return out


def _num(v):
    return int(v, 0)


_EXTRA = ("mss", "wscale", "payload", "nop", "opt", "rawopt", "iface",
          "wait")


def _segment(kv, defaults):
    """An ETP() from FIELD=VALUE pairs: ETP's fields, plus nop=N, mss=N,
    wscale=N, opt=KIND:HEX (an option of any kind), rawopt=HEX (option
    bytes as given) and payload=N."""
    fields = {k: v for k, v in defaults.items() if not k.startswith("_")}
    for k, v in kv.items():
        if k not in _EXTRA:
            fields[k] = v if k == "flags" and not v[:1].isdigit() else _num(v)
    if "rawopt" in kv:
        opts = bytes.fromhex(kv["rawopt"])
    else:
        opts = [("NOP", None)] * _num(kv.get("nop", "0"))
        mss = _num(str(kv.get("mss", defaults.get("_mss", 0))))
        if mss:
            opts.append(("MSS", mss))
        if "wscale" in kv:
            opts.append(("WScale", _num(kv["wscale"])))
        if "opt" in kv:
            kind, _, val = kv["opt"].partition(":")
            opts.append((_num(kind), bytes.fromhex(val)))
    seg = ETP(options=opts, **fields)
    n = _num(kv.get("payload", "0"))
    return seg / Raw(b"x" * n) if n else seg


def _hex(args):
    kv = _kv(args)
    seg = _segment(kv, {})
    if "chksum" not in kv:
        seg.chksum = 0
    return bytes(seg).hex()


def _probe(dst, dport, kv):
    """Send one segment to dst and report every etp segment seen on the
    way out and back within wait seconds, on the route's interface."""
    import threading
    import time
    from scapy.all import AsyncSniffer

    seg = _segment(kv, {"flags": "SYN", "dport": dport, "_mss": 1460})
    pkt = IP(bytes(IP(dst=dst) / seg))	# source address and checksum filled
    iface = kv.get("iface") or conf.route.route(dst)[0]
    ready = threading.Event()
    sn = AsyncSniffer(iface=iface, store=True, started_callback=ready.set,
                      lfilter=lambda p: ETP in p and dst in (p[IP].src, p[IP].dst))
    sn.start()
    ready.wait(10)
    send(pkt, iface=iface, verbose=0)
    time.sleep(float(kv.get("wait", "2")))
    sn.stop()
    print("sent " + describe(pkt))
    heard = 0
    mine = bytes(pkt)
    for p in sn.results:
        ip = p[IP]
        if bytes(ip) == mine:
            continue
        if ip.src == dst:
            heard += 1
            print("recv %s answers=%d" % (describe(p), int(
                ip.hashret() == pkt.hashret() and bool(ip.answers(pkt)))))
        else:
            print("out  " + describe(p))
    return 0 if heard else 1


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(__doc__.split("As a command, for labs and the selftests:")[1]
              .strip("\n"))
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1]
    if cmd == "hex":
        if argv[2:] == ["-"]:
            for line in sys.stdin:
                if line.strip():
                    print(_hex(line.split()))
        else:
            print(_hex(argv[2:]))
        return 0
    if cmd == "syn":
        if len(argv) < 4:
            raise SystemExit("usage: etp.py syn DST DPORT [FIELD=VALUE ...]")
        conf.verb = 0
        return _probe(argv[2], _num(argv[3]), _kv(argv[4:]))
    if cmd == "read":
        for p in rdpcap(argv[2]):
            if ETP in p:
                print(describe(p))
        return 0
    raise SystemExit("etp.py: unknown command %r (try --help)" % cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
