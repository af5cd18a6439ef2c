#!/usr/bin/env bash
# Whole-process comparison of the `bundle` example with `qpdf --empty --pages`, in one run,
# on the same inputs: wall time (hyperfine) and peak memory (/usr/bin/time -v).
#
#   OUTBOX_PDF_CORPUS=../shared/pdf-corpus crates/outbox-pdf/benches/bundle-vs-qpdf.sh [DIR]
#
# DIR (default target/pdf-bench) receives the generated inputs (a 300-page mixed file, a
# 40-page scan-like file, a small rotated file) and the outputs. Needs hyperfine and qpdf.
# Prints pages per second of both tools, their ratio, and peak RSS against the input size.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
dir=${1:-$root/target/pdf-bench}
mkdir -p "$dir"
for tool in hyperfine qpdf /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

cd "$root"
# `--test` runs every benchmark once: enough to write the generated inputs to $dir.
OUTBOX_PDF_BENCH_DIR=$dir cargo bench -q -p outbox --bench pdf -- --test bundle >/dev/null
cargo build -q --release -p outbox-pdf --example bundle
bundle=$root/target/release/examples/bundle

sets=("mixed-300.pdf small-3.pdf" "scan-40.pdf small-3.pdf")
if [[ -n "${OUTBOX_PDF_CORPUS:-}" && -f "$OUTBOX_PDF_CORPUS/pypdf-GeoTopo-komprimiert.pdf" ]]; then
  cp -f "$OUTBOX_PDF_CORPUS/pypdf-GeoTopo-komprimiert.pdf" "$dir/geotopo-117.pdf"
  sets=("geotopo-117.pdf" "geotopo-117.pdf small-3.pdf geotopo-117.pdf" "${sets[@]}")
else
  echo "OUTBOX_PDF_CORPUS not set: generated inputs only" >&2
fi

cd "$dir"
# What any run of the example costs before it reads a byte (libc, code): tiny inputs are
# dominated by it.
floor=$(/usr/bin/time -v "$bundle" --help 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}') || true
echo "process floor (bundle --help): $floor KiB peak RSS"
for set in "${sets[@]}"; do
  read -r -a files <<<"$set"
  pages=0
  size=0
  for f in "${files[@]}"; do
    pages=$((pages + $(qpdf --show-npages "$f")))
    size=$((size + $(stat -c %s "$f")))
  done
  echo "== ${files[*]}: $pages pages, $size bytes"
  hyperfine -N -w 3 -m 20 --export-json hf.json \
    "$bundle -o outbox-out.pdf ${files[*]}" \
    "qpdf --empty --pages ${files[*]} -- qpdf-out.pdf" >/dev/null 2>&1 || true
  python3 - "$pages" <<'EOF'
import json, sys
pages = int(sys.argv[1])
r = json.load(open("hf.json"))["results"]
ours, qpdf = r[0]["mean"], r[1]["mean"]
print(f"  outbox bundle: {ours*1000:7.1f} ms  {pages/ours:9.0f} pages/s")
print(f"  qpdf:          {qpdf*1000:7.1f} ms  {pages/qpdf:9.0f} pages/s")
print(f"  ratio (pages/s outbox / qpdf): {qpdf/ours:.2f}x")
EOF
  for cmd in "$bundle -o outbox-out.pdf" "qpdf --empty --pages"; do
    if [[ $cmd == qpdf* ]]; then args=("${files[@]}" -- qpdf-out.pdf); else args=("${files[@]}"); fi
    # shellcheck disable=SC2086
    rss=$(/usr/bin/time -v $cmd "${args[@]}" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
    name=$(basename "${cmd%% *}")
    awk -v rss="$rss" -v size="$size" -v name="$name" \
      'BEGIN { printf "  peak RSS %-40s %8d KiB = %.2fx input\n", name, rss, rss * 1024 / size }'
  done
done
