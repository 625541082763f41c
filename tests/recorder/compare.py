"""Compares a reply with the recorded one (the real server's).

AS_MSG replies message by message: info1-4, result code, generation, the
batch index, every field and every op (op type, particle type, bin name,
value bytes: so bin order and types count), and the frame count of
single-record replies. Void times are compared relative to each run's
clock, within ``Compare.ttl_slack`` seconds; 0 (never expires) exactly.
Streams (scans) may be compared as a multiset of records; batch rows are
matched by their index. Info replies
name by name, values exactly unless the step says which vary.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re

from .catalogue import Compare, request_kind
from . import wire

MAX_REPORTED = 3


def _describe(m: wire.Msg) -> str:
    ops = ", ".join(f"{o[0]}/{o[1]}/{o[2].decode(errors='replace')}={o[3][:24].hex()}"
                    for o in m.ops[:6])
    more = "..." if len(m.ops) > 6 else ""
    return (f"[i{m.info1:#x}/{m.info2:#x}/{m.info3:#x}/{m.info4:#x} rc={m.result} "
            f"gen={m.generation} vt={m.void_time} idx={m.index} "
            f"fields={[t for t, _ in m.fields]} ops({len(m.ops)})={ops}{more}]")


# An aggregation's FAILURE value starts with "UDF: Execution Error <rc> : ".
_LUA_PATH = re.compile(rb"^((?:UDF: Execution Error \d+ : )?)(?:\.\.\.)?[^:]*/([^/:]+\.lua:\d+: )")


def _lua_paths_masked(m: wire.Msg) -> wire.Msg:
    """A Lua error's chunk name is the module's path on the server (cut to
    its last 60 characters with a leading "..."): only the file name counts."""
    ops = [(o[0], o[1], o[2], _LUA_PATH.sub(rb"\1\2", o[3]) if o[2] == b"FAILURE" else o[3])
           for o in m.ops]
    return dataclasses.replace(m, ops=ops)


def _msg_diff(exp: wire.Msg, got: wire.Msg, exp_at: float, got_at: float,
              cmp: Compare) -> str | None:
    if cmp.lua_paths:
        exp, got = _lua_paths_masked(exp), _lua_paths_masked(got)
    what = []
    for attr in ("info1", "info2", "info3", "info4", "result", "generation", "index"):
        if getattr(exp, attr) != getattr(got, attr):
            what.append(f"{attr} {getattr(exp, attr)} != {getattr(got, attr)}")
    if (exp.void_time == 0) != (got.void_time == 0):
        what.append(f"void_time {exp.void_time} != {got.void_time}")
    elif exp.void_time and abs((exp.void_time - exp_at) - (got.void_time - got_at)) > \
            cmp.ttl_slack:
        what.append(f"ttl {exp.void_time - exp_at:.0f}s != {got.void_time - got_at:.0f}s")
    if exp.fields != got.fields:
        what.append(f"fields {exp.fields!r:.200} != {got.fields!r:.200}")
    if exp.ops != got.ops:
        if [o[2] for o in exp.ops] != [o[2] for o in got.ops]:
            what.append(f"bins {[o[2] for o in exp.ops]!r:.200} != "
                        f"{[o[2] for o in got.ops]!r:.200}")
        else:
            for e, g in zip(exp.ops, got.ops):
                if e != g:
                    what.append(f"op {e[2]!r}: (op {e[0]}, type {e[1]}, {e[3][:40].hex()}) != "
                                f"(op {g[0]}, type {g[1]}, {g[3][:40].hex()})")
                    break
    if not what:
        return None
    return "; ".join(what) + f"\n      expected {_describe(exp)}\n      got      {_describe(got)}"


def _parse(reply: bytes) -> tuple[list[bytes], list[wire.Msg]]:
    frames = wire.split_frames(reply)
    msgs: list[wire.Msg] = []
    for f in frames:
        msgs.extend(wire.parse_messages(f))
    return frames, msgs


def _stream_key(m: wire.Msg) -> tuple[object, ...]:
    return (m.field(wire.F_DIGEST) or b"", m.info3, m.generation, m.result, m.fields, m.ops)


def compare_msg_reply(kind: str, exp_reply: bytes, got_reply: bytes, exp_at: float,
                      got_at: float, cmp: Compare) -> list[str]:
    try:
        exp_frames, exp = _parse(exp_reply)
    except wire.ParseError as e:
        return [f"recorded reply does not parse: {e}"]
    try:
        got_frames, got = _parse(got_reply)
    except wire.ParseError as e:
        return [f"reply does not parse: {e}"]
    problems: list[str] = []
    if kind == "record" and len(exp_frames) != len(got_frames):
        problems.append(f"{len(got_frames)} frames where the server sent {len(exp_frames)}")
    if cmp.unordered and kind == "stream":
        exp_last = [m for m in exp if m.info3 & wire.LAST]
        got_last = [m for m in got if m.info3 & wire.LAST]
        if got and not got[-1].info3 & wire.LAST and exp and exp[-1].info3 & wire.LAST:
            problems.append("the stream does not end with its LAST message")
        exp = sorted((m for m in exp if not m.info3 & wire.LAST), key=_stream_key)
        got = sorted((m for m in got if not m.info3 & wire.LAST), key=_stream_key)
        exp += exp_last
        got += got_last
    if kind == "batch":
        # A batch the client sends without the inline flag is spread over the
        # server's transaction threads: rows come back in any order. Rows are
        # matched by their index (a stable sort keeps repeated indexes in
        # order); the LAST message stays last.
        exp = sorted((m for m in exp if not m.info3 & wire.LAST), key=lambda m: m.index) + \
            [m for m in exp if m.info3 & wire.LAST]
        got = sorted((m for m in got if not m.info3 & wire.LAST), key=lambda m: m.index) + \
            [m for m in got if m.info3 & wire.LAST]
    if len(exp) != len(got):
        problems.append(f"{len(got)} messages where the server sent {len(exp)}")
        exp_d = {m.field(wire.F_DIGEST) for m in exp}
        got_d = {m.field(wire.F_DIGEST) for m in got}
        if exp_d != got_d:
            problems.append(f"  missing digests {len(exp_d - got_d)}, extra {len(got_d - exp_d)}")
    for i, (e, g) in enumerate(zip(exp, got)):
        d = _msg_diff(e, g, exp_at, got_at, cmp)
        if d is not None:
            problems.append(f"message {i}: {d}")
            if len(problems) > MAX_REPORTED:
                break
    return problems


def _kv(value: str) -> list[tuple[str, str]] | None:
    if "=" not in value:
        return None
    parts = [p for p in value.rstrip(";").split(";")]
    if len(parts) == 1 and ":" in value and value.count("=") > 1:
        parts = value.split(":")
    out = []
    for p in parts:
        k, eq, v = p.partition("=")
        if not eq:
            return None
        out.append((k, v))
    return out


def compare_info_reply(exp_reply: bytes, got_reply: bytes, cmp: Compare) -> list[str]:
    exp_frames, got_frames = wire.split_frames(exp_reply), wire.split_frames(got_reply)
    if not got_frames or got_frames[0][1] != wire.INFO:
        return [f"expected an info frame, got {got_reply[:16].hex()}"]
    exp, got = wire.parse_info(exp_frames[0]), wire.parse_info(got_frames[0])
    if [n for n, _ in exp] != [n for n, _ in got]:
        return [f"names {[n for n, _ in exp]!r:.300} != {[n for n, _ in got]!r:.300}"]
    problems = []
    for (name, ev), (_, gv) in zip(exp, got):
        if ev == gv or name in cmp.info_mask:
            continue
        if name in cmp.info_keys:
            ekv, gkv = _kv(ev), _kv(gv)
            if ekv is None or gkv is None:
                problems.append(f"{name}: {ev[:120]!r} != {gv[:120]!r}")
                continue
            if [k for k, _ in ekv] != [k for k, _ in gkv]:
                ek, gk = [k for k, _ in ekv], [k for k, _ in gkv]
                problems.append(f"{name}: keys missing {[k for k in ek if k not in gk]}, "
                                f"extra {[k for k in gk if k not in ek]} (or order)")
                continue
            diffs = [f"{k}={a!r}/{b!r}" for (k, a), (_, b) in zip(ekv, gkv)
                     if a != b and not any(fnmatch.fnmatchcase(k, pat) for pat in cmp.info_vary)]
            if diffs:
                problems.append(f"{name}: values differ: {', '.join(diffs)[:400]}")
            continue
        problems.append(f"{name}: {ev[:200]!r} != {gv[:200]!r}")
    return problems


def compare(request: bytes, exp_reply: bytes, exp_closed: bool, got_reply: bytes,
            got_closed: bool, exp_at: float, got_at: float, cmp: Compare) -> list[str]:
    """The differences between the recorded and the replayed answer."""
    if exp_closed != got_closed:
        return [f"server {'closed' if exp_closed else 'kept'} the connection, "
                f"we {'closed' if got_closed else 'kept'} it "
                f"(reply {got_reply[:40].hex()})"]
    if not exp_reply and not got_reply:
        return []
    if not exp_reply or not got_reply:
        return [f"reply {exp_reply[:40].hex()} != {got_reply[:40].hex()}"]
    if exp_reply[1] != got_reply[1]:
        return [f"reply type {exp_reply[1]} != {got_reply[1]}"]
    kind = request_kind(request)
    if exp_reply[1] == wire.INFO:
        return compare_info_reply(exp_reply, got_reply, cmp)
    if exp_reply[1] == wire.MESSAGE:
        return compare_msg_reply(kind, exp_reply, got_reply, exp_at, got_at, cmp)
    return [] if exp_reply == got_reply else [f"reply {exp_reply.hex()} != {got_reply.hex()}"]
