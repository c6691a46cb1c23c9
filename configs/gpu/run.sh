#!/usr/bin/env bash
# Train several configs side by side on one GPU, each for its time budget (their `minutes`,
# or $MINUTES), and copy each run's best model and log to $OUT as <name>.tgz every 30 s,
# so a run cut off by its host still returns what it reached. Usage, from the repo root:
#   OUT=out/gpu configs/gpu/run.sh configs/gpu/*.yaml
# Needs python3 with torch, numpy, pyyaml, safetensors and mido (a .whl/ folder of wheels,
# if present, is installed to /tmp/site first: the lent GPU machines have no network).
set -u
OUT=${OUT:-out/gpu}
mkdir -p "$OUT" runs
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 3
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=.:${PYTHONPATH:-} PYTHONUNBUFFERED=1
jsb=../shared/data/jsb/jsb16th_train_valid.json
if [ ! -f $jsb ] && [ -f .gpu/jsb16th_train_valid.json ]; then
  mkdir -p "$(dirname $jsb)" && cp .gpu/jsb16th_train_valid.json $jsb
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null

# Fail in seconds, not minutes: a few steps of every config first.
python3 - "$@" <<'PY' || exit 3
import dataclasses, os, sys, tempfile, torch
from engine.models.train import TrainConfig, train
if not torch.cuda.is_available() and not os.environ.get("ALLOW_CPU"):
    sys.exit("no GPU")
print("torch", torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu")
for path in sys.argv[1:]:
    cfg = dataclasses.replace(TrainConfig.load(path), minutes=0, steps=3, val_every=3, warmup=2)
    print(path, train(cfg, tempfile.mkdtemp())["last_loss"], flush=True)
PY

pids=()
for cfg in "$@"; do
  name=$(basename "$cfg" .yaml)
  python3 - "$cfg" > "runs/$name.out" 2>&1 <<'PY' &
import dataclasses, os, sys
from engine.models.train import TrainConfig, train
cfg = TrainConfig.load(sys.argv[1])
cfg = dataclasses.replace(cfg, name=os.path.basename(sys.argv[1])[:-5])
if os.environ.get("MINUTES"):
    cfg = dataclasses.replace(cfg, minutes=float(os.environ["MINUTES"]))
print(train(cfg, "runs"))
PY
  pids+=($!)
done

collect() {
  for cfg in "$@"; do
    name=$(basename "$cfg" .yaml)
    [ -f "runs/$name/best/manifest.json" ] || continue
    tar czf "$OUT/.$name.tgz" -C runs "$name/best" "$name/train.log" "$name.out" 2>/dev/null \
      && mv "$OUT/.$name.tgz" "$OUT/$name.tgz"
  done
}
while kill -0 "${pids[@]}" 2>/dev/null; do
  sleep 30
  collect "$@"
  tail -qn1 runs/*/train.log 2>/dev/null
done
wait
collect "$@"
grep -h "finished\|Error\|error" runs/*.out runs/*/train.log | tail -20
