#!/bin/sh
# Grades one notebook, read from stdin, as <student>'s <file name>, into $OUT (default /out).
# The container's entry point; grade-class.sh also runs it without a container for a trial run.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: grade-one.sh <student> <file name> [grader options...] < notebook.ipynb" >&2
  exit 2
fi
student=$1
name=$(basename "$2")
shift 2
course=${COURSE:-/course}
class=$(mktemp -d)
trap 'rm -rf "$class"' EXIT
cat > "$class/$name"
cd "$course"
node --import tsx tools/homework/cli.ts grade "$class/$name" --student "$student" --out "${OUT:-/out}" --jobs 1 "$@"
