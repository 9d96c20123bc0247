"""Benchmark: a cold and a repeated ``--lab-images=local`` ensure.

    python bench/images.py [--isolated] [--dry-run]     (or: python -m bench.images ...)

1. removes every image labelled ``mobygrade.image`` (only those, never forced:
   an image a container still uses is kept and reported, and the cold figure
   is then only partly cold). With ``--isolated`` it builds under its own
   namespace (``mobygrade-bench/...``) instead and removes only those images,
   before and after: the same cold work, without touching the images that
   suites running on this engine use;
2. times ``ensure_images(client, "local")`` from nothing (target: < 90 s on a
   2-core machine): debootstrap, import, three small builds;
3. times it again at once (target: < 2 s: content-hash lookups, no build).

Without ``--isolated`` it holds the host's image lock throughout, so suites on
this host wait instead of finding half-built images. Prints both figures; exits 1 when a target is
missed, 3 when the engine cannot be reached.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

# Run as a script, bench/ would come first on sys.path and its modules (bench/inspect.py)
# would shadow the standard library's: put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import docker
import docker.errors

from fixtures.images import lab as images_lab
from fixtures.engine import EngineUnavailable, connect
from fixtures.images.baseimage import NAMESPACE
from fixtures.images.build import ImageError
from fixtures.labels import IMAGE_LABEL

COLD_TARGET_S = 90.0
WARM_TARGET_S = 2.0
REMOVE_ORDER = {"probe": 0, "redis": 0, "moby-counter": 0, "base": 1}
BENCH_NAMESPACE = "mobygrade-bench"


def remove_our_images(
    client: docker.DockerClient, dry_run: bool, namespace: str | None = None
) -> tuple[list[str], list[str]]:
    """Remove images labelled mobygrade.image (of ``namespace`` only, when given),
    children first; returns (removed, kept with why)."""
    removed: list[str] = []
    kept: dict[str, str] = {}
    for _ in range(3):  # a parent can go once its children are gone
        images = client.images.list(filters={"label": IMAGE_LABEL})
        images.sort(key=lambda im: REMOVE_ORDER.get((im.labels or {}).get(IMAGE_LABEL, ""), 0))
        progress = False
        for image in images:
            refs = image.tags or [image.short_id]
            if namespace is not None:
                refs = [ref for ref in image.tags if ref.startswith(f"{namespace}/")]
            for ref in refs:
                if dry_run:
                    removed.append(ref)
                    continue
                try:
                    client.images.remove(ref, noprune=False)
                    removed.append(ref)
                    kept.pop(ref, None)
                    progress = True
                except docker.errors.NotFound:
                    pass
                except docker.errors.APIError as exc:
                    kept[ref] = " ".join(str(exc.explanation or exc).split())[:160]
        if dry_run or not progress:
            break
    return removed, [f"{ref}: {why}" for ref, why in kept.items()]


def timed_progress(start: float) -> images_lab.Progress:
    def say(line: str) -> None:
        print(f"  [{time.monotonic() - start:6.1f} s] {line}", flush=True)

    return say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/images.py", description=__doc__)
    parser.add_argument("--dry-run", action="store_true",
                        help="list the images that would be removed; build nothing")
    parser.add_argument("--isolated", action="store_true",
                        help=f"build under {BENCH_NAMESPACE}/ and remove only those images")
    args = parser.parse_args(argv)
    namespace = BENCH_NAMESPACE if args.isolated else None
    try:
        client, info = connect()
    except EngineUnavailable as exc:
        print(f"mobygrade bench: {exc}", file=sys.stderr)
        return 3
    print(f"engine {info.version} (API {info.api_version})")
    with contextlib.nullcontext() if args.isolated else images_lab.host_lock():
        removed, kept = remove_our_images(client, args.dry_run, namespace)
        print(f"{'would remove' if args.dry_run else 'removed'} {len(removed)} image "
              f"reference(s): {', '.join(removed) or 'none'}")
        for line in kept:
            print(f"kept (in use): {line}")
        if args.dry_run:
            return 0
        try:
            start = time.monotonic()
            cold = images_lab.ensure_images(client, "local", timed_progress(start),
                                            lock=False, namespace=namespace or NAMESPACE)
            cold_s = time.monotonic() - start
            start = time.monotonic()
            warm = images_lab.ensure_images(client, "local", timed_progress(start),
                                            lock=False, namespace=namespace or NAMESPACE)
            warm_s = time.monotonic() - start
        except ImageError as exc:
            print(f"mobygrade bench: {exc}", file=sys.stderr)
            return 1
        finally:
            if args.isolated:
                remove_our_images(client, False, namespace)
    print(f"cold ensure (--lab-images=local): {cold_s:.1f} s, built {', '.join(cold.built)} "
          f"(target < {COLD_TARGET_S:.0f} s{'; partly warm: images in use were kept' if kept else ''})")
    print(f"repeated ensure: {warm_s:.2f} s, built {', '.join(warm.built) or 'nothing'} "
          f"(target < {WARM_TARGET_S:.0f} s)")
    ok = cold_s < COLD_TARGET_S and warm_s < WARM_TARGET_S and not warm.built
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
