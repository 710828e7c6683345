#!/usr/bin/env bash
# Regenerates test/fixtures/any-file/: files DISP does not decode, which the file codec keeps byte for
# byte (WebP, AVIF, PDF, SVG), each written by its format's own encoder from the shared photos.
# CI does not have these encoders, so the output is committed; run this only to change the files.
# Needs Debian's imagemagick, webp (cwebp), libavif-bin (avifenc), img2pdf and potrace.
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/fixtures
out=test/fixtures/any-file
im=/usr/bin/convert # the real ImageMagick, not a stand-in earlier on PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

"$im" "$src/chelsea.png" -resize 151x100 "$tmp/chelsea.png"                       # 150x100
"$im" "$tmp/chelsea.png" -quality 80 "$tmp/chelsea.jpg"
"$im" "$src/camera.png" -resize 64x64 -threshold 50% "$tmp/camera.pbm"           # 64x64, 1 bit

cwebp -quiet -q 80 "$tmp/chelsea.png" -o "$out/chelsea.webp"                      # libwebp, lossy
avifenc --speed 8 "$tmp/chelsea.png" "$out/chelsea.avif" >/dev/null              # libavif (aom)
img2pdf --nodate "$tmp/chelsea.jpg" -o "$out/chelsea.pdf"                         # the JPEG, embedded
potrace --svg "$tmp/camera.pbm" -o "$out/camera.svg"                              # traced outlines
ls -l "$out"
