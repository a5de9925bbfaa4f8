#!/usr/bin/env bash
# Renders a synthetic claim month as an HTML report and takes a screenshot of it with
# headless Chromium, to look at the page without a desktop browser.
#
#   scripts/html-screenshot.sh            # → target/html-demo/report.html, report.png
#   LANG_OPT=en scripts/html-screenshot.sh  # English page
#
# Installs Debian's chromium (and a Japanese font) with apt-get if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/html-demo
lang="${LANG_OPT:-ja}"

sudo_cmd=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
fi
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Without a CJK font the Japanese text shows as boxes.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    need+=(fonts-noto-cjk)
fi
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi

cargo build --release --quiet
rm -rf "$out"
cargo run --release --quiet --example gen_month -- \
    --receipts 2000 --seed 7 --defect-rate 0.05 --out "$out"

# Exit code 1 only means the month has errors, which is the point of the demo.
status=0
target/release/recelint check --format html --lang "$lang" "$out" >"$out/report.html" || status=$?
if [ "$status" -gt 1 ]; then
    echo "recelint failed with exit code $status" >&2
    exit "$status"
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1400,2000 \
    --screenshot="$out/report.png" "file://$PWD/$out/report.html" 2>/dev/null

echo "report:     $PWD/$out/report.html"
echo "screenshot: $PWD/$out/report.png"
