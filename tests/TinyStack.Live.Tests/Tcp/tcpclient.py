#!/usr/bin/python3
"""Kernel-side TCP clients for TinyStack's live tests (run inside the lab namespace).

  tcpclient.py chargen HOST BYTES        read BYTES from chargen (port 19), check the RFC 864 pattern
  tcpclient.py discard HOST BYTES        write BYTES to discard (port 9), close, wait for the server's close
  tcpclient.py cycles HOST COUNT LIMIT   COUNT sequential connections, alternating echo (7: send 64
                                         bytes, read them back, close) and daytime (13: read to EOF, close),
                                         giving up after LIMIT seconds
Each prints one line of key=value pairs and exits 0 when everything checked out.
"""
import socket
import sys
import time

LINE = 72
RING = 95


def chargen_pattern(length):
    out = bytearray(length)
    for i in range(length):
        line, col = divmod(i, LINE + 2)
        if col == LINE:
            out[i] = 13
        elif col == LINE + 1:
            out[i] = 10
        else:
            out[i] = 32 + (line + col) % RING
    return bytes(out)


def chargen(host, total):
    period = RING * (LINE + 2)
    chunk = 1 << 20
    expected = chargen_pattern(period + chunk)
    buf = bytearray(chunk)
    view = memoryview(buf)
    s = socket.create_connection((host, 19))
    start = time.monotonic()
    n = 0
    bad = 0
    while n < total:
        k = s.recv_into(view, min(chunk, total - n))
        if k == 0:
            break
        offset = n % period
        if view[:k] != expected[offset:offset + k]:
            bad += 1
        n += k
    elapsed = time.monotonic() - start
    s.close()
    print(f"bytes={n} seconds={elapsed:.3f} gbps={n * 8 / elapsed / 1e9:.3f} bad_chunks={bad}")
    return n == total and bad == 0


def discard(host, total):
    chunk = bytes(range(256)) * 4096
    s = socket.create_connection((host, 9))
    start = time.monotonic()
    n = 0
    while n < total:
        part = chunk[:min(len(chunk), total - n)]
        s.sendall(part)
        n += len(part)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    elapsed = time.monotonic() - start
    s.close()
    print(f"bytes={n} seconds={elapsed:.3f} gbps={n * 8 / elapsed / 1e9:.3f}")
    return True


def cycles(host, count, limit):
    message = b"0123456789abcdef" * 4
    start = time.monotonic()
    done = 0
    failures = 0
    for i in range(count):
        if time.monotonic() - start > limit:
            break
        try:
            with socket.create_connection((host, 7 if i % 2 == 0 else 13), timeout=5) as s:
                if i % 2 == 0:
                    s.sendall(message)
                    got = b""
                    while len(got) < len(message):
                        part = s.recv(len(message) - len(got))
                        if not part:
                            break
                        got += part
                    ok = got == message
                else:
                    got = b""
                    while True:
                        part = s.recv(4096)
                        if not part:
                            break
                        got += part
                    ok = got.endswith(b"-UTC\r\n")
            if not ok:
                failures += 1
        except OSError as e:
            failures += 1
            print(f"cycle {i}: {e}", file=sys.stderr)
        done += 1
    elapsed = time.monotonic() - start
    print(f"cycles={done} failures={failures} seconds={elapsed:.3f} per_second={done / elapsed:.0f}")
    return done == count and failures == 0


def main():
    mode, host = sys.argv[1], sys.argv[2]
    if mode == "chargen":
        ok = chargen(host, int(sys.argv[3]))
    elif mode == "discard":
        ok = discard(host, int(sys.argv[3]))
    elif mode == "cycles":
        ok = cycles(host, int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(f"unknown mode {mode}")
    sys.exit(0 if ok else 1)


main()
