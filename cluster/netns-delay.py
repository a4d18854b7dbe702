#!/usr/bin/env python3
"""A delay line for kernels without tc netem: every packet of one NFQUEUE queue is accepted DELAY_MS
after it arrived, in arrival order. Started by cluster/netns-functions.sh inside a node's network
namespace (NFQUEUE is per namespace), behind an iptables rule with --queue-bypass: when this process
is gone, packets flow again undelayed.

    netns-delay.py QUEUE DELAY_MS

Python's standard library only (netlink through socket.AF_NETLINK; no libnetfilter_queue binding).
The kernel holds the packets (only their ids come up: copy mode META); a queue holds up to 1024, a
fuller one drops, as a congested link would.
"""
import collections
import errno
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NLM_F_REQUEST = 1
NF_ACCEPT = 1


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(queue, kind, payload):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + payload
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, NLM_F_REQUEST, 0, 0) + body


def packet_ids(data):
    """The ids of the queued packets announced in one netlink datagram."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            return
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            at = offset + 20  # netlink header (16) + nfgenmsg (4)
            while at + 4 <= offset + length:
                attr_length, attr_kind = struct.unpack_from("=HH", data, at)
                if attr_length < 4:
                    break
                if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from(">I", data, at + 4)[0]
                at += (attr_length + 3) & ~3
        offset += (length + 3) & ~3


def main():
    queue, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000.0
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, 0))
    sock.send(message(queue, NFQNL_MSG_CONFIG, attribute(NFQA_CFG_CMD, struct.pack("=BxH", NFQNL_CFG_CMD_BIND, 0))))
    sock.send(message(queue, NFQNL_MSG_CONFIG, attribute(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META))))
    print(f"bound queue {queue}, delay {delay * 1000:.0f} ms", flush=True)
    due = collections.deque()
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            arrived = time.monotonic()
            try:
                data = sock.recv(65536)
            except OSError as e:  # ENOBUFS: the kernel could not hand us some packets; they are lost
                if e.errno != errno.ENOBUFS:
                    raise
                data = b""
            for packet_id in packet_ids(data):
                due.append((arrived + delay, packet_id))
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, packet_id = due.popleft()
            verdict = struct.pack(">II", NF_ACCEPT, packet_id)
            sock.send(message(queue, NFQNL_MSG_VERDICT, attribute(NFQA_VERDICT_HDR, verdict)))


if __name__ == "__main__":
    main()
