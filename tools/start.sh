#!/usr/bin/env bash
# The main job: install what is missing, build, create ./data with the demo data set (reused when it
# exists), and show the contract register loaded into it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${CONTRACK_DATA:-data}

tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target contrack

./build/contrack --data "$DATA" demo
./build/contrack --data "$DATA" list
echo
echo "Try: ./build/contrack --data $DATA show LCC-DIP-CRI-2015"
echo "     ./build/contrack --data $DATA history LCC-DIP-CRI-2015"
echo "     ./build/contrack --data $DATA verify"
