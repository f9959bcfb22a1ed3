"""What storing an upload costs (media.stored.process_image): time and peak memory for a
12-megapixel phone photo and a 4096 x 4096 PNG, on this machine.

Each case runs in a fresh Python process that reads the file, notes its resident memory, resets
the kernel's peak (Linux's /proc/self/clear_refs), processes the image once, and reports the
time and how far the peak rose above where it started: Pillow's pixel buffers are allocated
outside Python's allocator, so only the process's own peak sees them.
bench/run.py prints the table after the endpoints' (make bench and make bench-smoke).

    python bench/images.py            # the table, as JSON
    python bench/images.py CASE FILE  # one case (what the table runs in a child process)
"""
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# name: (source, longest side it is stored at)
CASES = {
    "12 MP phone photo (JPEG) as a post": ("photo.jpg", 2048),
    "12 MP phone photo (JPEG) as a profile image": ("photo.jpg", 512),
    "4096 x 4096 PNG as a post": ("square.png", 2048),
}


def phone_photo():
    """A 4032 x 3024 JPEG as a phone writes it (quality 92, EXIF with a GPS position and an
    orientation): a scene of gradients, shapes and sensor-like noise, so that it compresses as a
    photo does, not as a flat test card."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(12)
    size = (4032, 3024)
    sky = Image.linear_gradient("L").resize(size).convert("RGB")
    scene = Image.merge("RGB", [channel.point(lambda v, k=k: int(v * k)) for channel, k in
                                zip(sky.split(), (0.55, 0.75, 1.0), strict=True)])
    draw = ImageDraw.Draw(scene)
    for _ in range(400):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1] // 3, size[1]), rng.randrange(20, 300)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(40, 220) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise(size, 24).convert("RGB")
    photo = Image.blend(scene, noise, 0.12)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def square_png():
    from PIL import Image

    image = Image.radial_gradient("L").resize((4096, 4096)).convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def memory_kib(field):
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_case(case, path):
    """In this (fresh) process: process the file once; time and the rise of peak memory."""
    from media.stored import process_image

    content = Path(path).read_bytes()
    before = memory_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    started = time.perf_counter()
    processed = process_image(io.BytesIO(content), max_side=CASES[case][1])
    seconds = time.perf_counter() - started
    peak = memory_kib("VmHWM") - before
    print(json.dumps({  # noqa: T201
        "case": case, "seconds": round(seconds, 3), "peak_mb": round(peak / 1024, 1),
        "bytes_in": len(content), "bytes_out": processed.size, "size_out": [processed.width, processed.height],
    }))


def measure():
    """Every case, each in its own process; a list of their figures."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sources = {"photo.jpg": phone_photo(), "square.png": square_png()}
        for name, content in sources.items():
            (Path(folder) / name).write_bytes(content)
        for case, (source, _) in CASES.items():
            output = subprocess.run(
                [sys.executable, __file__, case, str(Path(folder) / source)], capture_output=True, text=True,
                check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "drf_api.settings"},
            ).stdout
            rows.append(json.loads(output))
    return rows


def print_table(rows):
    print(f"{'image processing (media/stored.py)':<46} {'ms':>6} {'peak MB':>8} {'bytes in':>10} "  # noqa: T201
          f"{'bytes out':>10}  stored as")
    for row in rows:
        print(f"{row['case']:<46} {row['seconds'] * 1000:>6.0f} {row['peak_mb']:>8.1f} {row['bytes_in']:>10} "  # noqa: T201
              f"{row['bytes_out']:>10}  {row['size_out'][0]} x {row['size_out'][1]}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        import django

        django.setup()
        run_case(sys.argv[1], sys.argv[2])
    else:
        print_table(measure())
