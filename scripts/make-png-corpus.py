#!/usr/bin/python3
"""Regenerates the PNG test corpus in test/fixtures/png-corpus/ from the shared fixture photos.

CI does not need these encoders: the output is committed; run this only to change the corpus.
Needs Debian's python3-pil (its Pillow uses the system zlib, as libpng does; a Pillow wheel
bundles zlib-ng, whose output no zlib reproduces), imagemagick and optipng; run it with /usr/bin/python3.

Encoders: libpng through Pillow (zlib level 6 and 9, palette, grey, 1-bit) and through ImageMagick
(16-bit RGB/RGBA/grey, Adam7), optipng's re-compression, and a GIMP-style file with an ICC profile,
text, resolution, time and an unknown ancillary chunk.
"""
import io
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from PIL import Image, ImageCms, PngImagePlugin

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared" / "fixtures"
if not SRC.exists():
    SRC = ROOT / "test" / "fixtures"
OUT = ROOT / "test" / "fixtures" / "png-corpus"
MAGICK = "/usr/bin/convert"  # the real ImageMagick, not a stand-in earlier on PATH


def crop(name: str, box: tuple[int, int, int, int]) -> Image.Image:
    return Image.open(SRC / name).crop(box)


def with_alpha(image: Image.Image) -> Image.Image:
    """RGBA with a soft diagonal alpha ramp, so every alpha level occurs."""
    rgba = image.convert("RGBA")
    w, h = rgba.size
    alpha = Image.linear_gradient("L").resize((w, h))
    rgba.putalpha(alpha)
    return rgba


def gimp_style_info() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "DISP test corpus")
    info.add_text("Copyright", "CC0, photographer Rachel Michetti", zip=True)  # zTXt
    info.add_itxt("Description", "Café au lait, iTXt", lang="fr", tkey="Beschreibung", zip=False)
    info.add(b"tIME", struct.pack(">HBBBBB", 2024, 5, 17, 12, 30, 5))
    info.add(b"bKGD", struct.pack(">HHH", 0, 0, 0))
    info.add(b"prVt", b"an unknown ancillary chunk, safe to copy")
    return info


def save_pillow(image: Image.Image, name: str, **options) -> None:
    image.save(OUT / name, format="PNG", **options)


def magick(args: list[str], name: str) -> None:
    subprocess.run([MAGICK, *args, str(OUT / name)], check=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    coffee = crop("coffee.png", (150, 100, 353, 217))  # 203 x 117, odd sizes
    chelsea = crop("chelsea.png", (100, 40, 356, 232))  # 256 x 192
    camera = crop("camera.png", (120, 80, 320, 230))  # 200 x 150 grey

    # libpng via Pillow.
    save_pillow(coffee, "pillow-rgb.png")
    save_pillow(chelsea, "pillow-rgb-optimize.png", optimize=True)
    save_pillow(with_alpha(coffee), "pillow-rgba-level1.png", compress_level=1)
    save_pillow(camera, "pillow-gray.png")
    save_pillow(camera.convert("1"), "pillow-gray-1bit.png")
    palette = coffee.quantize(colors=64)
    transparency = bytes([255 if i % 5 else 96 for i in range(64)])
    save_pillow(palette, "pillow-palette-trns.png", transparency=transparency)
    save_pillow(coffee.quantize(colors=16), "pillow-palette-4bit.png", bits=4)

    # GIMP-style: sRGB ICC profile, text (tEXt, zTXt, iTXt), pHYs, tIME, bKGD, an unknown chunk.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    save_pillow(coffee, "gimp-style-icc-text.png", icc_profile=profile, dpi=(300, 300), pnginfo=gimp_style_info())

    # libpng via ImageMagick: 16-bit RGB, RGBA, grey, and an Adam7-interlaced file.
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "coffee.png"
        coffee.save(source)
        magick([str(source), "-blur", "0x0.6", "-depth", "16", "-define", "png:bit-depth=16", "-define", "png:color-type=2"], "magick-rgb16.png")
        magick([str(source), "-blur", "0x0.6", "-depth", "16", "-alpha", "set", "-channel", "A", "-fx", "0.3+0.7*i/w",
                "+channel", "-define", "png:bit-depth=16", "-define", "png:color-type=6"], "magick-rgba16.png")
        gray = Path(tmp) / "camera.png"
        camera.save(gray)
        magick([str(gray), "-blur", "0x0.6", "-depth", "16", "-define", "png:bit-depth=16", "-define", "png:color-type=0"], "magick-gray16.png")
        magick([str(source), "-interlace", "PNG"], "magick-adam7.png")
        magick([str(source), "-quality", "95"], "magick-rgb-q95.png")

    # optipng's search over filters and zlib settings, on a copy of a Pillow file.
    optimized = OUT / "optipng-rgb.png"
    optimized.write_bytes((OUT / "pillow-rgb.png").read_bytes())
    subprocess.run(["optipng", "-quiet", "-o2", str(optimized)], check=True)

    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    print(f"{len(list(OUT.glob('*.png')))} files, {total} bytes")


if __name__ == "__main__":
    main()
