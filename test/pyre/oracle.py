#!/usr/bin/env python3
"""CPython oracle for the pyre differential test.

stdin:  {"batches": [{"patterns": [str, ...], "names": [str, ...]}, ...]}
stdout: {"python": "3.11.7", "batches": [{"results": [...]}, ...]} with, per pattern, either
        {"ok": true, "matches": "01E0..."}   (re.match(p, name) is not None, per name;
                                              E = CPython raised while matching), or
        {"ok": false, "type": "error"|"ValueError"|..., "message": str, "pos": int|null}
pos is CPython's error.pos converted to UTF-16 code units (what JavaScript strings index).
Patterns are compiled exactly as the issue specifies: re.compile(pattern, re.ASCII).
"""
import json
import re
import sys
import warnings


def utf16_pos(pattern, pos):
    if pos is None:
        return None
    return len(pattern[:pos].encode("utf-16-le", "surrogatepass")) // 2


def match_bit(compiled, name):
    """"1"/"0" for re.match; "E" when CPython itself fails while matching (a known sre
    bug raises SystemError "The span of capturing group is wrong" for a few patterns)."""
    try:
        return "1" if compiled.match(name) else "0"
    except Exception:  # noqa: BLE001 - any failure is reported, never hidden
        return "E"


def main():
    request = json.load(sys.stdin)
    warnings.simplefilter("ignore")
    batches = [{"results": run_batch(b["patterns"], b["names"])} for b in request["batches"]]
    json.dump({"python": sys.version.split()[0], "batches": batches}, sys.stdout)


def run_batch(patterns, names):
    results = []
    for pattern in patterns:
        try:
            compiled = re.compile(pattern, re.ASCII)
        except Exception as exc:  # re.error, ValueError, OverflowError, RecursionError
            results.append({
                "ok": False,
                "type": type(exc).__name__,
                "message": getattr(exc, "msg", None) or str(exc),
                "pos": utf16_pos(pattern, getattr(exc, "pos", None)),
            })
            continue
        results.append({"ok": True, "matches": "".join(match_bit(compiled, name) for name in names)})
    return results


if __name__ == "__main__":
    main()
