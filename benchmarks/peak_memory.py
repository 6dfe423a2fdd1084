"""Peak memory of the command line on hostile inputs under 10 MB, against tiny valid ones.

The bar: no input file under 10 MB makes any command use more than 1 GB above its baseline, and
each is refused with exit status 1 or 2 and one line on stderr, never a traceback.

Every input is crafted on the fly in its real on-disk format: an ``.npz`` whose ``.npy`` header
declares a huge shape, an ``.npz`` zip bomb, labels of 2**62, a folder holding a PNG that
declares 100000 × 100000 pixels, a 10 MB deeply nested ``run.json`` in a run folder, a run
archive whose weights inflate to 2 GB and one whose zip directory declares a 4 GB entry.

Each command runs in its own process, started by a small launcher process that reports
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak of that one command (a process
started from a big one, such as pytest, would inherit the big one's peak). The launcher kills a
command that passes :data:`SAFETY_CAP_BYTES`, so that a failure cannot take the machine down.

Run ``python benchmarks/peak_memory.py [--json FILE]``; ``tests/test_peak_memory.py`` asserts
the bar for each case.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

#: The bar: at most this much above the baseline of the same command.
BAR_BYTES = 1 << 30
#: Hostile files are at most this big.
MAX_INPUT_BYTES = 10 * 1000 * 1000
#: A command is killed past this resident size (its peak is then reported as at least this).
SAFETY_CAP_BYTES = 4 << 30
#: Seconds a command may take; past it, it counts as a hang.
TIMEOUT_S = 300
#: Size of a nested run.json below the run store's own size limit, so that its parser is tried.
NESTED_BYTES = 3 * 1000 * 1000
#: Bytes a bomb inflates to.
BOMB_BYTES = 2 << 30
#: Training settings small enough for a baseline of a few seconds.
TINY_TRAIN = ["--latent", "2", "--hidden", "8", "--epochs", "1", "--batch-size", "16"]


@dataclass
class Case:
    """One command on one input; ``baseline`` names the case of the same command on tiny data."""

    name: str
    args: list[str]
    baseline: str
    statuses: tuple[int, ...] = (1, 2)


@dataclass
class Measure:
    """What one command did."""

    status: int
    peak_bytes: int
    stderr: str
    seconds: float
    killed: str = ""


@dataclass
class Outcome:
    """A hostile case measured against its baseline, and whether it meets the bar."""

    name: str
    command: str
    status: int
    peak_bytes: int
    baseline_bytes: int
    stderr: str
    seconds: float
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the case meets every part of the bar."""
        return not self.failures


# --- the launcher: one command, its peak ------------------------------------------------------


def launch(command: list[str], cwd: Path) -> Measure:
    """Run ``command`` from a fresh launcher process; its exit status, peak and stderr."""
    done = subprocess.run(
        [sys.executable, __file__, "--launch", "--", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S + 60,
    )
    return Measure(**json.loads(done.stdout.splitlines()[-1]))


def _launched(command: list[str]) -> dict:
    """In the launcher: run ``command``, watch its size, report the peak as JSON."""
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed = ""
    stderr = b""
    status_file = Path(f"/proc/{child.pid}/status")
    while True:
        try:
            stderr += child.communicate(timeout=0.05)[1]
            break
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() - start > TIMEOUT_S:
            killed = f"hung for {TIMEOUT_S} s"
        elif _resident_bytes(status_file) > SAFETY_CAP_BYTES:
            killed = f"passed {SAFETY_CAP_BYTES >> 30} GB"
        if killed:
            child.kill()
            stderr += child.communicate()[1]
            break
    # ru_maxrss is in kilobytes on Linux.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "status": child.returncode,
        "peak_bytes": peak,
        "stderr": stderr.decode(errors="replace"),
        "seconds": round(time.monotonic() - start, 2),
        "killed": killed,
    }


def _resident_bytes(status_file: Path) -> int:
    try:
        for line in status_file.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:  # the process has just ended
        pass
    return 0


# --- the inputs, in their real formats --------------------------------------------------------


def _npy_header(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return out.getvalue()


def _tiny_images(n: int = 80, side: int = 12) -> np.ndarray:
    return np.random.RandomState(0).randint(0, 256, size=(n, side, side)).astype(np.uint8)


def _zip_bomb_entry(archive: zipfile.ZipFile, name: str, header: bytes = b"") -> None:
    """An entry of ``header`` then zeros up to :data:`BOMB_BYTES`, deflated (about 2 MB)."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(16 << 20)
    with archive.open(info, "w", force_zip64=True) as entry:
        entry.write(header)
        for _ in range((BOMB_BYTES - len(header)) // len(chunk)):
            entry.write(chunk)


def _png(width: int, height: int, pixels: bytes) -> bytes:
    """A greyscale 8-bit PNG whose IHDR declares ``width`` × ``height``, with ``pixels`` as IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def _png_folder(folder: Path, forged: bool) -> Path:
    for label in ("a", "b"):
        (folder / label).mkdir(parents=True)
        for i in range(12):
            row = bytes([0]) + bytes((i * 20 + j) % 256 for j in range(12))
            (folder / label / f"{i}.png").write_bytes(_png(12, 12, row * 12))
    if forged:
        # 100000 rows of one filter byte and 100000 pixels would be 10 GB decoded.
        (folder / "a" / "huge.png").write_bytes(_png(100_000, 100_000, bytes(100_001)))
    return folder


def _declared_huge(archive: Path, hostile: Path) -> None:
    """Copy the archive with each entry's declared uncompressed size raised to ~4 GB."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            data[start + offset : start + offset + 4] = struct.pack("<I", 0xFFFF_FFF0)
            start = data.find(signature, start + 4)
    hostile.write_bytes(bytes(data))


def _bomb_archive(archive: Path, hostile: Path) -> None:
    """The archive with its weights replaced by 2 GB of zeros, deflated."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            if info.filename.endswith(".safetensors") and "model" in info.filename:
                header = json.dumps(
                    {"w": {"dtype": "U8", "shape": [BOMB_BYTES], "data_offsets": [0, BOMB_BYTES]}}
                ).encode()
                _zip_bomb_entry(target, info.filename, struct.pack("<Q", len(header)) + header)
            else:
                target.writestr(info, source.read(info))


def _nested_run(runs: Path, run_id: str, size: int) -> None:
    folder = runs / run_id
    folder.mkdir(parents=True)
    (folder / "run.json").write_text("[" * (size // 2) + "]" * (size // 2))


def prepare(root: Path) -> tuple[str, Path]:
    """Write the tiny and hostile inputs under ``root``; the real run's id and the folder."""
    work = root / "work"
    work.mkdir(parents=True)
    np.savez(work / "tiny.npz", x=_tiny_images(), y=np.arange(80) % 4)

    # A real run and its archive, made by the command line itself.
    cli = [sys.executable, "-m", "vaelab"]
    made = subprocess.run(
        [*cli, "train", "--dataset", "tiny.npz", "--runs-dir", "runs", *TINY_TRAIN],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    run_id = next(line.split()[1] for line in made.stdout.splitlines() if line.startswith("run "))
    subprocess.run(
        [*cli, "runs", "--runs-dir", "runs", "export", run_id, "run.zip"], cwd=work, check=True
    )

    with zipfile.ZipFile(work / "forged-shape.npz", "w") as npz:
        npz.writestr("x.npy", _npy_header((10**6, 256, 256, 3)) + bytes(1024))
    with zipfile.ZipFile(work / "bomb.npz", "w", compresslevel=9) as npz:
        _zip_bomb_entry(npz, "x.npy", _npy_header((BOMB_BYTES // 784, 28, 28)))
    np.savez(work / "labels.npz", x=_tiny_images(), y=np.full(80, 2**62, dtype=np.int64))
    _png_folder(work / "pngs", forged=False)
    _png_folder(work / "huge-png", forged=True)
    _nested_run(work / "hostile-runs", run_id, MAX_INPUT_BYTES - 2)
    _nested_run(work / "nested-runs", run_id, NESTED_BYTES)
    _bomb_archive(work / "run.zip", work / "bomb-run.zip")
    _declared_huge(work / "run.zip", work / "declared-huge.zip")
    for path in work.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < MAX_INPUT_BYTES, path

    return run_id, work


_TRAIN = ["train", "--no-download", *TINY_TRAIN, "--runs-dir", "trained", "--dataset"]
#: The cases; ``{run}`` is the id of the real run. The cases without a baseline are baselines.
CASES = (
    Case("train on a tiny .npz", [*_TRAIN, "tiny.npz"], "", (0,)),
    Case("train on a tiny PNG folder", [*_TRAIN, "pngs"], "", (0,)),
    Case("sample a run", ["sample", "{run}", "--runs-dir", "runs", "-n", "4"], "", (0,)),
    Case("show a run", ["runs", "--runs-dir", "runs", "show", "{run}"], "", (0,)),
    Case("import a run", ["runs", "--runs-dir", "imported", "import", "run.zip"], "", (0,)),
    Case(
        ".npz header of 10^6 × 256 × 256 × 3", [*_TRAIN, "forged-shape.npz"], "train on a tiny .npz"
    ),
    Case(".npz zip bomb (2 GB)", [*_TRAIN, "bomb.npz"], "train on a tiny .npz"),
    Case("labels of 2**62", [*_TRAIN, "labels.npz"], "train on a tiny .npz"),
    Case("PNG of 100000 × 100000", [*_TRAIN, "huge-png"], "train on a tiny PNG folder"),
    Case(
        "10 MB nested run.json: sample",
        ["sample", "{run}", "--runs-dir", "hostile-runs"],
        "sample a run",
    ),
    Case(
        "10 MB nested run.json: show",
        ["runs", "--runs-dir", "hostile-runs", "show", "{run}"],
        "show a run",
    ),
    Case(
        "10 MB nested run.json: list",
        ["runs", "--runs-dir", "hostile-runs", "list"],
        "show a run",
        (0,),
    ),
    Case(
        "3 MB nested run.json: sample",
        ["sample", "{run}", "--runs-dir", "nested-runs"],
        "sample a run",
    ),
    Case(
        "import zip bomb (2 GB)",
        ["runs", "--runs-dir", "imported-bomb", "import", "bomb-run.zip"],
        "import a run",
    ),
    Case(
        "import zip declaring 4 GB",
        ["runs", "--runs-dir", "imported-huge", "import", "declared-huge.zip"],
        "import a run",
    ),
)


# --- the measurement --------------------------------------------------------------------------


def measure_all(root: Path) -> list[Outcome]:
    """Prepare the inputs under ``root``, run every case, judge each against the bar."""
    run_id, work = prepare(root)
    measured = {
        case.name: launch(
            [sys.executable, "-m", "vaelab", *(arg.format(run=run_id) for arg in case.args)], work
        )
        for case in CASES
    }
    outcomes = []
    for case in CASES:
        got = measured[case.name]
        baseline = measured[case.baseline].peak_bytes if case.baseline else got.peak_bytes
        failures = []
        if got.killed:
            failures.append(f"killed: {got.killed}")
        if got.status not in case.statuses:
            failures.append(f"exit status {got.status}, expected {case.statuses}")
        if "Traceback" in got.stderr:
            failures.append("traceback")
        lines = got.stderr.strip().splitlines()
        if case.statuses != (0,) and (len(lines) != 1 or not lines[0].startswith("error: ")):
            failures.append(f"{len(lines)} lines on stderr")
        if got.peak_bytes > baseline + BAR_BYTES:
            failures.append(f"peak {got.peak_bytes >> 20} MB > baseline + 1 GB")
        outcomes.append(
            Outcome(
                case.name,
                " ".join(case.args),
                got.status,
                got.peak_bytes,
                baseline,
                got.stderr.strip()[-300:],
                got.seconds,
                failures,
            )
        )
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    """A table of the cases: status, peak, baseline, verdict, and the last line of stderr."""
    rows = [f"{'case':40} {'exit':>4} {'peak MB':>8} {'base MB':>8} {'s':>6}  verdict"]
    for o in outcomes:
        verdict = "pass" if o.passed else "FAIL: " + "; ".join(o.failures)
        rows.append(
            f"{o.name:40} {o.status:>4} {o.peak_bytes >> 20:>8} {o.baseline_bytes >> 20:>8} "
            f"{o.seconds:>6.1f}  {verdict}"
        )
        last = o.stderr.splitlines()[-1] if o.stderr else ""
        rows.append(f"{'':40} {last[:160]}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Measure every case and print the table (and write JSON); 1 if a case fails the bar."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the outcomes as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vaelab-peak-") as root:
        outcomes = measure_all(Path(root))
    print(report(outcomes))
    if args.json:
        payload = [{**asdict(o), "passed": o.passed} for o in outcomes]
        args.json.write_text(json.dumps(payload, indent=2))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--launch"]:
        print(json.dumps(_launched(sys.argv[3:])))
    else:
        raise SystemExit(main())
