"""Renditions of a 24-megapixel photo: time, peak memory, and the bytes a reader downloads.

Load on a shared machine shows in the wall time; the CPU time is printed beside it.
The photo is made from a real one: ../shared/corpus/photos/rocket.jpg resized to 6000 x 4000
and saved as JPEG quality 90. Each measurement runs in a child process, so its peak resident
memory (getrusage maxrss) counts Pillow's C buffers, which tracemalloc does not see.

Run with `make bench-pictures`.
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "corpus" / "photos" / "rocket.jpg"
WORK = ROOT / "var" / "bench" / "pictures"
PHOTO = WORK / "rocket-24mp.jpg"
# The <img sizes> of an article's lead photo, and the screens we weigh it on (CSS px, density).
SIZES_VW = 1.0
SCREENS = {"phone": (390, 3), "desktop": (1280, 1)}


def make_photo() -> bytes:
    if not PHOTO.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        with Image.open(SOURCE) as small:
            small.convert("RGB").resize((6000, 4000), Image.Resampling.LANCZOS).save(
                PHOTO, "JPEG", quality=90)
    return PHOTO.read_bytes()


def child(mode: str) -> None:
    """Make every rendition of the photo (mode: all, or draft off) and print what it cost."""
    from dateline.pictures import renditions

    data = PHOTO.read_bytes()
    formats = ("webp", "jpeg") if mode == "noavif" else ("avif", "webp", "jpeg")
    start, cpu = time.perf_counter(), time.process_time()
    made = [(cut.shape, cut.width, fmt, len(b)) for cut, fmt, b in
            renditions.render(data, 0.5, 0.5, formats=formats)]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "made": made}))


def measure(mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def pick(made: list, shape: str, fmt: str, css_px: int, density: int) -> tuple[int, int]:
    """The rendition a browser takes from srcset: the narrowest at least the slot's device px."""
    want = css_px * SIZES_VW * density
    widths = sorted((w, size) for s, w, f, size in made if s == shape and f == fmt)
    return next(((w, size) for w, size in widths if w >= want), widths[-1])


def main() -> None:
    original = make_photo()
    baseline = measure("python")
    print(f"photo: {PHOTO.name} 6000x4000 JPEG q90 from {SOURCE.name}, {len(original):,} bytes")
    print(f"python + Pillow imported, no work: peak {baseline['peak_mb']:.0f} MB")
    results = {mode: measure(mode) for mode in ("all", "noavif")}
    for mode, label in (("all", "Pillow, AVIF + WebP + JPEG"), ("noavif", "Pillow, WebP + JPEG")):
        r = results[mode]
        print(f"{label}: {len(r['made'])} renditions in {r['seconds']:.2f} s "
              f"({r['cpu']:.2f} s CPU; encoders use several threads), peak {r['peak_mb']:.0f} MB")
    made = results["all"]["made"]
    for fmt in ("avif", "webp", "jpeg"):
        total = sum(size for _, _, f, size in made if f == fmt)
        print(f"  {fmt}: {total:,} bytes over all sizes and shapes")
    weights = {}
    for screen, (css_px, density) in SCREENS.items():
        for fmt in ("avif", "webp", "jpeg"):
            width, size = pick(made, "16x9", fmt, css_px, density)
            weights[screen, fmt] = size
            print(f"{screen} ({css_px} px x{density}) lead photo 16x9 {fmt}: {width}w, "
                  f"{size:,} bytes = {size / len(original):.1%} of the original")
    r = results["all"]
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    # CPU time, not wall time: what the worker costs, whatever else the machine is doing.
    print(f"target all renditions of 24 MP: {r['cpu']:.2f} s CPU, {r['seconds']:.2f} s wall "
          f"(target < 10 s CPU): {verdict(r['cpu'] < 10)}")
    print(f"target peak memory: {r['peak_mb']:.0f} MB (target < 500 MB): "
          f"{verdict(r['peak_mb'] < 500)}")
    phone = weights["phone", "avif"] / len(original)
    print(f"target phone page image (avif): {phone:.1%} of original (target < 10%): "
          f"{verdict(phone < 0.10)}")
    desk = weights["desktop", "jpeg"] / len(original)
    print(f"target desktop page image (jpeg fallback): {desk:.1%} of original "
          f"(target < 25%): {verdict(desk < 0.25)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        if sys.argv[2] == "python":
            print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                              / 1024}))
        else:
            child(sys.argv[2])
    else:
        main()
