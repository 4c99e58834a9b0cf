# Sourced by the bench/run-*.sh scripts whose peer is PyTorch, right after they set `python`: stops the script with
# one line, before anything is measured, when that Python cannot import torch (a fresh machine has none; without
# this check a step script ran vrfm4j's side for minutes and then failed on a traceback).
"$python" -c 'import torch' 2>/dev/null || {
  echo "no PyTorch for the peer in $python: install it (Debian: apt-get install python3-torch libopenblas0-pthread)" \
    "or name a Python that has it (the script's header says which variable)" >&2
  exit 2
}
