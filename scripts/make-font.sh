#!/usr/bin/env bash
# Cuts the font that PDFs embed: Noto Sans CJK SC (face 2 of Debian's
# fonts-noto-cjk collection), reduced to ASCII, CJK punctuation, full-width
# forms and the GBK character set (GB2312 alone lacks name characters such
# as 堃 喆 珺 玥 镕 赟). Subroutines are kept and the OpenType layout tables
# dropped (the PDFs are laid out from advance widths alone): about 5 MB.
# Run by hand when the set must change; the output is committed so that
# printing never depends on the machine's fonts. Needs fonts-noto-cjk and
# Python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
out="$root/assets/fonts/NotoSansCJKsc-Regular-GBK.otf"
venv="$root/target/font-venv"
[ -x "$venv/bin/pyftsubset" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q fonttools; }
chars="$(mktemp)"
python3 - "$chars" <<'PY'
import sys
out = []
for cp in range(0x20, 0x7F):
    out.append(chr(cp))
for cp in list(range(0x3000, 0x3040)) + list(range(0xFF00, 0xFFF0)) + list(range(0x2010, 0x2070)):
    out.append(chr(cp))
for b1 in range(0x81, 0xFF):
    for b2 in range(0x40, 0xFF):
        try:
            out.append(bytes([b1, b2]).decode("gbk"))
        except UnicodeDecodeError:
            pass
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(set(out))))
PY
"$venv/bin/pyftsubset" "$src" --font-number=2 --text-file="$chars" --output-file="$out" \
  --layout-features='' --no-hinting --name-IDs='*' --name-languages='*'
rm -f "$chars"
ls -l "$out"
