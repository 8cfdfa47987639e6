#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image, when it builds the autograder's image.
# It installs Node (the version the bundle was made with), the course's npm packages, and through the
# course's own setup Jupyter, bubblewrap and the rest of what the grader needs (Debian/Ubuntu packages).
set -euo pipefail
NODE_VERSION=set-by-the-bundle
course=/autograder/source/course

apt-get update
apt-get install -y --no-install-recommends ca-certificates curl xz-utils python3
curl -fsSL "https://nodejs.org/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-x64.tar.xz" | tar -xJ -C /usr/local --strip-components=1
cd "$course"
ln -sfn ../src lessons/src
npm ci
node tools/setup.mjs
