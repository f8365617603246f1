#!/usr/bin/env bash
# Make sure Fashion-MNIST is on this machine, the cheapest way first:
#   1. already readable by lamina (a directory, $LAMINA_DATA, the cache, Debian's package);
#   2. as root on Debian/Ubuntu: apt-get install dataset-fashion-mnist;
#   3. otherwise: download it (lamina checks the published MD5s).
# Exits 0 when the data is there, 1 otherwise (the demo then falls back to digits).
set -u
PY=${PY:-.venv/bin/python}
have() { "$PY" -c "from lamina.datasets import fashion_mnist; fashion_mnist.load_data()" >/dev/null 2>&1; }
have && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's dataset-fashion-mnist package..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1; }
  have && exit 0
fi
echo "Downloading Fashion-MNIST..."
"$PY" -c "from lamina.datasets import fashion_mnist; fashion_mnist.load_data(download=True)" \
  >/dev/null 2>&1 && exit 0
echo "Fashion-MNIST is not available (no apt as root, no download)."
exit 1
