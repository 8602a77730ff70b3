#!/usr/bin/env python3
"""CPython oracle for the pyre differential test.

stdin:  {"patterns": [str, ...], "names": [str, ...]}
stdout: {"python": "3.11.7", "results": [...]} with, per pattern, either
        {"ok": true, "matches": "0110..."}   (re.match(p, name) is not None, per name), or
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
    return len(pattern[:pos].encode("utf-16-le")) // 2


def main():
    request = json.load(sys.stdin)
    names = request["names"]
    results = []
    warnings.simplefilter("ignore")
    for pattern in request["patterns"]:
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
        bits = "".join("1" if compiled.match(name) else "0" for name in names)
        results.append({"ok": True, "matches": bits})
    json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
