#!/usr/bin/env bash
# One-file (or one-folder) benchmark per claim kind: generates ~1 GiB of claims, then on the same warm file times
# (a) wc -l, (b) recelint check --format json > /dev/null with 1 and 2 threads, and reports
# MB/s, the ratio to wc -l, the 2-vs-1-thread speed-up and peak RSS (/usr/bin/time -v).
# Usage: bash benches/kind.sh [RECEIPTS] [RUNS]   (defaults: 500000 receipts, 3 runs; medians)
# KIND=dental times a 歯科 month (one RECEIPTS.UKE), KIND=pharmacy a 調剤 month (one
# RECEIPTY.CYO), KIND=dpc a DPC month (one RECEIPTD.UKE); KIND=mixed a month of all four
# kinds, checked as a folder (FILES files, default 5: gen_month --kind mixed needs three at
# least, and writes a DPC file from four on). FILES=N spreads the month over N
# files (of which the first is timed, unless KIND=mixed). Without KIND and FILES the run is
# the 医科 one it always was. MONTH_DIR overrides the month's folder.
set -euo pipefail
cd "$(dirname "$0")/.."
receipts=${1:-500000}
runs=${2:-3}
kind=${KIND:-medical}
files=${FILES:-}
gen_args=()
case "$kind" in
  medical) name=RECEIPTC.UKE ;;
  dental) name=RECEIPTS.UKE; gen_args+=(--kind dental) ;;
  pharmacy) name=RECEIPTY.CYO; gen_args+=(--kind pharmacy) ;;
  dpc) name=RECEIPTD.UKE; gen_args+=(--kind dpc) ;;
  mixed) name=; files=${files:-5}; gen_args+=(--kind mixed) ;;
  *) echo "KIND must be medical, dental, pharmacy, dpc or mixed, not '$kind'" >&2; exit 2 ;;
esac
if [ -n "$files" ]; then
  gen_args+=(--files "$files")
fi
suffix=
if [ "$kind" != medical ]; then suffix+="-$kind"; fi
if [ -n "$files" ]; then suffix+="-$files-files"; fi
dir=${MONTH_DIR:-target/month-$receipts$suffix}
cargo build --release --quiet --example gen_month
cargo build --release --quiet
if [ ! -f "$dir/.done" ]; then
  rm -rf "$dir"
  target/release/examples/gen_month --receipts "$receipts" --seed 7 --out "$dir" ${gen_args[@]+"${gen_args[@]}"}
  touch "$dir/.done"
fi
# What is timed: one file, or (KIND=mixed) the whole folder; `all` is every file in it.
if [ -n "$name" ]; then
  file=$(find "$dir" -name "$name" | head -n 1)
  all=("$file")
else
  file=$dir
  mapfile -t all < <(find "$dir" \( -name '*.UKE' -o -name '*.CYO' \) | sort)
fi
bytes=$(stat -c %s "${all[@]}" | awk '{s += $1} END {print s}')
cat "${all[@]}" > /dev/null   # warm the page cache

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Wall seconds and peak RSS (KiB) of one run of a command, from GNU time.
measure() {
  /usr/bin/time -f '%e %M' -o /tmp/recelint-bench.$$ "$@" > /dev/null 2>/dev/null || true
  cat /tmp/recelint-bench.$$
}
rss_of() { measure "$@" | cut -d' ' -f2; }

# The runs alternate (wc -l, 1 thread, 2 threads, wc -l, ...) so that the three medians
# and the speed-up sample the same moments: on a shared virtual machine the speed drifts
# by tens of percent from minute to minute.
check=(target/release/recelint check --no-progress --format json "$file" --threads)
ws=(); as=(); cs=()
# This VM's kernel reclaims cold page-cache pages between runs (kdamond; vmstat showed the
# file partly read from disk again), so the file is read into the cache before every run.
warm() { cat "${all[@]}" > /dev/null; }
# CPU time the hypervisor gave to other guests while the runs went (the 8th field of the
# cpu line of /proc/stat, in clock ticks): when it is large, the 2-thread figures suffer most.
steal() { awk '/^cpu /{print $9}' /proc/stat 2>/dev/null || echo 0; }
steal0=$(steal)
for _ in $(seq "$runs"); do
  warm; ws+=("$(measure wc -l "${all[@]}" | cut -d' ' -f1)")
  warm; as+=("$(measure "${check[@]}" 1 | cut -d' ' -f1)")
  warm; cs+=("$(measure "${check[@]}" 2 | cut -d' ' -f1)")
done
range() { printf '%s\n' "$@" | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {printf "%s-%s", lo, hi}'; }
wc_s=$(printf '%s\n' "${ws[@]}" | median)
t1=$(printf '%s\n' "${as[@]}" | median)
t2=$(printf '%s\n' "${cs[@]}" | median)
rss1=$(rss_of "${check[@]}" 1)
rss2=$(rss_of "${check[@]}" 2)
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
if [ "$kind" = medical ] && [ -z "$files" ]; then
  echo "file: $file ($mb MB, $receipts receipts); $(nproc) cores; medians of $runs runs"
else
  echo "file: $file ($mb MB, $kind month of $receipts receipts in ${files:-1} file(s)); $(nproc) cores; medians of $runs runs"
fi
awk -v b="$bytes" -v w="$wc_s" -v a="$t1" -v c="$t2" -v r1="$rss1" -v r2="$rss2" 'BEGIN{
  printf "wc -l:                %6.2f s  %8.0f MB/s\n", w, b/1e6/(w>0?w:0.001);
  printf "recelint, 1 thread:   %6.2f s  %8.0f MB/s  %5.1fx wc -l  peak RSS %d MiB\n", a, b/1e6/a, a/(w>0?w:0.001), r1/1024;
  printf "recelint, 2 threads:  %6.2f s  %8.0f MB/s  %5.1fx wc -l  peak RSS %d MiB\n", c, b/1e6/c, c/(w>0?w:0.001), r2/1024;
  printf "2 vs 1 thread speed-up: %.2fx\n", a/c;
}'
echo "ranges (s): wc -l $(range "${ws[@]}"), 1 thread $(range "${as[@]}"), 2 threads $(range "${cs[@]}")"
echo "CPU stolen by the hypervisor during the runs: $(( $(steal) - steal0 )) ticks of $(getconf CLK_TCK) a second"
rm -f /tmp/recelint-bench.$$
