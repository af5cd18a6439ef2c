#!/usr/bin/env bash
# Rebuilds the two cover-sheet fonts from Debian's fonts-croscore (Arimo 1.33, SIL OFL 1.1):
# the WinAnsi characters only (the cover sheet cannot print others), no hinting (print needs none),
# no layout tables, names and licence kept. Needs apt-get and pip; writes into this folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download fonts-croscore >/dev/null
dpkg-deb -x fonts-croscore_*.deb deb
pip install -q --target py 'fonttools==4.55.0'
# WinAnsiEncoding: ASCII, Latin-1 and the 27 cp1252 extras (€, „, “, –, …).
unicodes=$(python3 -c '
cps = set(range(0x20, 0x7f)) | set(range(0xa0, 0x100))
cps |= {ord(c) for c in bytes(range(0x80, 0xa0)).decode("cp1252", errors="ignore")}
print(",".join("U+%04X" % c for c in sorted(cps)))')
for face in Regular Bold; do
  PYTHONPATH=py python3 -m fontTools.subset "deb/usr/share/fonts/truetype/croscore/Arimo-$face.ttf" \
    --unicodes="$unicodes" --no-hinting --layout-features='' --name-IDs='*' --name-languages='*' \
    --glyph-names --notdef-outline --drop-tables+=DSIG,GDEF,GPOS,GSUB \
    --output-file="$here/Arimo-$face-WinAnsi.ttf"
done
