#!/usr/bin/env bash
# Grades a class folder (submissions/<student>/<lesson>.ipynb) one notebook per container, with GNU
# parallel running them JOBS at a time here, or on SSH hosts (HOSTS, parallel's --sshlogin list, e.g.
# "4/teacher@lab1,4/teacher@lab2", each with docker and the course-grader image), then puts the grades
# together with `npm run homework -- report`:
#   tools/homework/container/grade-class.sh <submissions> <out folder> [-- report options, e.g. --roster students.csv]
# GRADER=local grades with this checkout instead of docker (a trial run, or a machine without docker).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
submissions=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "$here/../../.." && pwd)
command -v parallel >/dev/null || { echo "grade-class.sh needs GNU parallel: sudo apt-get install parallel" >&2; exit 1; }

image=${IMAGE:-course-grader}
limits=${LIMITS:---memory 2g --memory-swap 2g --cpus 1 --pids-limit 256}
if [ "${GRADER:-docker}" = local ]; then
  # shellcheck disable=SC2016 # expanded by the job's shell
  grade="COURSE='$course' OUT=\"\$PWD/parts/{#}\" '$here/grade-one.sh'"
  extra=--no-sandbox
else
  grade="docker run -i --rm --network none $limits -v \"\$PWD/parts/{#}:/out\" $image"
  extra=--no-sandbox
fi
# A path with /./ is taken relative to the job's folder on an SSH host (parallel's --transferfile, --return).
remote=()
[ -n "${HOSTS:-}" ] && remote=(--sshlogin "$HOSTS" --transferfile {} --return "$out/./parts/{#}" --cleanup)

mkdir -p "$out/parts"
cd "$submissions"
# Regular files only (find -type f): a link is not followed, as the grader does not follow one. The
# student is the first folder of the path (in a flat folder, the file name), as the grader has it.
find . -mindepth 1 -name '*.ipynb' -type f -not -path '*/.ipynb_checkpoints/*' -printf "$submissions/./%P\\0" | sort -z |
  # A notebook whose job fails still has its log; the others go on (parallel exits with the count of failures).
  (cd "$out" && { parallel -0 --jobs "${JOBS:-$(nproc)}" --joblog "$out/jobs.log" "${remote[@]}" \
    "mkdir -p parts/{#} && $grade {=s:.*/\\./::; s:/.*:: || s:\\.ipynb\$::=} {/} $extra < {} > parts/{#}/log.txt 2>&1" || true; })
cd "$course"
node --import tsx tools/homework/cli.ts report "$out/parts" --out "$out" "$@"
echo "Each notebook's own log is in $out/parts/<job>/log.txt; parallel's log of the jobs is $out/jobs.log."
