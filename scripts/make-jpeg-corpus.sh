#!/usr/bin/env bash
# Regenerates the JPEG test corpus in test/fixtures/jpeg-corpus/ from the shared fixture photos.
# CI does not have these encoders, so the output is committed; run this only to change the corpus.
# Needs Debian's libjpeg-turbo-progs (cjpeg, jpegtran, wrjpgcom), imagemagick and libimage-exiftool-perl.
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/fixtures
out=test/fixtures/jpeg-corpus
im=/usr/bin/convert # the real ImageMagick, not a stand-in earlier on PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/unsupported"
rm -f "$out"/*.jpg "$out"/unsupported/*.jpg

# Sources, with sizes that are not multiples of the MCU.
"$im" "$src/chelsea.png" "$tmp/chelsea.ppm"                                  # 451x300
"$im" "$src/coffee.png" -resize 70% "$tmp/coffee.ppm"                        # 420x280
"$im" "$src/astronaut.png" -resize 297x297 "$tmp/astronaut.ppm"              # 297x297
"$im" "$src/camera.png" -resize 77% "$tmp/camera.pgm"                        # 394x394
"$im" "$src/coffee.png" -crop 203x117+150+100 +repage "$tmp/coffee-odd.ppm"  # 203x117
"$im" "$src/rocket.jpg" "$tmp/rocket.icc"                                    # its 560-byte ICC profile

# libjpeg-turbo's cjpeg: subsampling, qualities, restart intervals, optimised tables, RGB.
cjpeg -quality 95 -sample 1x1 -outfile "$out/cjpeg-444-q95.jpg" "$tmp/chelsea.ppm"
cjpeg -quality 75 -sample 2x1 -outfile "$out/cjpeg-422-q75.jpg" "$tmp/coffee.ppm"
cjpeg -quality 50 -sample 2x2 -outfile "$out/cjpeg-420-q50.jpg" "$tmp/astronaut.ppm"
cjpeg -quality 80 -sample 4x1 -outfile "$out/cjpeg-411-q80.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 85 -sample 1x2 -outfile "$out/cjpeg-440-q85.jpg" "$tmp/chelsea.ppm"
cjpeg -quality 90 -sample 2x2,1x2,2x1 -outfile "$out/cjpeg-mixed-sampling-q90.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 70 -sample 3x1 -outfile "$out/cjpeg-311-q70.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 85 -grayscale -outfile "$out/cjpeg-gray-q85.jpg" "$tmp/camera.pgm"
cjpeg -quality 90 -sample 2x2 -restart 5B -outfile "$out/cjpeg-420-restart5-q90.jpg" "$tmp/coffee.ppm"
cjpeg -quality 60 -sample 1x1 -restart 1 -outfile "$out/cjpeg-444-restart-row-q60.jpg" "$tmp/chelsea.ppm"
cjpeg -quality 95 -grayscale -restart 7B -outfile "$out/cjpeg-gray-restart7-q95.jpg" "$tmp/camera.pgm"
cjpeg -quality 88 -sample 2x2 -optimize -outfile "$out/cjpeg-420-optimize-q88.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 90 -rgb -outfile "$out/cjpeg-rgb-q90.jpg" "$tmp/coffee-odd.ppm"
# A comment segment, and bytes after EOI.
cjpeg -quality 65 -sample 2x2 "$tmp/coffee-odd.ppm" | wrjpgcom -comment "DISP test corpus" >"$out/cjpeg-420-comment-q65.jpg"
cp "$out/cjpeg-420-q50.jpg" "$out/cjpeg-420-trailing-bytes.jpg"
printf 'trailing bytes after EOI\n' >>"$out/cjpeg-420-trailing-bytes.jpg"

# ImageMagick's writer: an ICC profile, EXIF (added by exiftool), 4:4:4, CMYK with an Adobe segment.
"$im" "$tmp/coffee.ppm" -profile "$tmp/rocket.icc" -sampling-factor 2x2 -quality 92 "$out/magick-420-icc-exif-q92.jpg"
exiftool -q -overwrite_original -Make=DISP -Model="corpus camera" -Artist="DISP" \
  -DateTimeOriginal="2024:01:02 03:04:05" "$out/magick-420-icc-exif-q92.jpg"
"$im" "$tmp/chelsea.ppm" -sampling-factor 1x1 -quality 60 "$out/magick-444-q60.jpg"
"$im" "$tmp/coffee-odd.ppm" -colorspace CMYK -quality 85 "$out/magick-cmyk-q85.jpg"
# EXIF orientation 6 (rotate 90 degrees clockwise to view), which jimp applies when decoding.
cp "$out/cjpeg-422-q75.jpg" "$out/exiftool-orientation6-422.jpg"
exiftool -q -overwrite_original -Orientation#=6 "$out/exiftool-orientation6-422.jpg"
# jpegtran: the same coefficients re-encoded with restart markers, metadata kept.
jpegtran -copy all -restart 2 -outfile "$out/jpegtran-restart2-icc-exif.jpg" "$out/magick-420-icc-exif-q92.jpg"

# Progressive (SOF2): libjpeg's default scripts, custom scripts, restart intervals, 4:2:0, 4:4:4,
# grayscale, CMYK, metadata kept. cjpeg -progressive always optimises its tables; -optimize too.
cjpeg -quality 80 -progressive -outfile "$out/cjpeg-progressive-420-q80.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 85 -sample 1x1 -progressive -optimize -outfile "$out/cjpeg-progressive-optimize-444-q85.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 90 -sample 2x2 -progressive -restart 3B -outfile "$out/cjpeg-progressive-restart3-420-q90.jpg" "$tmp/coffee-odd.ppm"
cjpeg -quality 90 -grayscale -progressive -outfile "$out/cjpeg-progressive-gray-q90.jpg" "$tmp/camera.pgm"
cjpeg -quality 75 -grayscale -progressive -restart 1 -outfile "$out/cjpeg-progressive-gray-restart-row-q75.jpg" "$tmp/camera.pgm"
jpegtran -progressive -outfile "$out/jpegtran-progressive-420.jpg" "$out/cjpeg-420-q50.jpg"
jpegtran -progressive -copy all -outfile "$out/jpegtran-progressive-icc-exif.jpg" "$out/magick-420-icc-exif-q92.jpg"
jpegtran -progressive -restart 2 -outfile "$out/jpegtran-progressive-restart2-444.jpg" "$out/cjpeg-444-restart-row-q60.jpg"
jpegtran -progressive -outfile "$out/jpegtran-progressive-cmyk.jpg" "$out/magick-cmyk-q85.jpg"
# Quality 3 without -baseline: 16-bit quantization tables (its fragments are SOF1).
cjpeg -quality 3 -progressive -outfile "$out/cjpeg-progressive-16bit-dqt-q3.jpg" "$tmp/coffee-odd.ppm"
"$im" "$tmp/coffee-odd.ppm" -sampling-factor 2x1 -quality 70 -interlace JPEG "$out/magick-progressive-422-q70.jpg"
# A custom script: DC by component then refined, AC bands per component, two refinements of luma.
cat >"$tmp/custom.txt" <<'SCANS'
0: 0-0, 0, 2; 1: 0-0, 0, 1; 2: 0-0, 0, 1;
0: 1-5, 0, 2; 2: 1-63, 0, 0; 1: 1-63, 0, 0;
0: 6-63, 0, 2;
0: 1-63, 2, 1;
0: 0-0, 2, 1; 1 2: 0-0, 1, 0;
0: 1-63, 1, 0;
0: 0-0, 1, 0;
SCANS
jpegtran -scans "$tmp/custom.txt" -outfile "$out/jpegtran-scans-custom-444.jpg" "$out/cjpeg-444-q95.jpg"
# The same script with a restart every 4 MCUs (blocks, in the one-component scans).
jpegtran -scans "$tmp/custom.txt" -restart 4B -outfile "$out/jpegtran-scans-custom-restart4-420.jpg" "$out/cjpeg-420-q50.jpg"

# Files the coefficient codec must refuse, with a reason.
cjpeg -quality 80 -arithmetic -outfile "$out/unsupported/cjpeg-arithmetic.jpg" "$tmp/coffee-odd.ppm"
printf '0;\n1;\n2;\n' >"$tmp/scans.txt"
cjpeg -quality 80 -scans "$tmp/scans.txt" -outfile "$out/unsupported/cjpeg-non-interleaved.jpg" "$tmp/coffee-odd.ppm"

du -ch "$out"/*.jpg "$out"/unsupported/*.jpg | tail -1
