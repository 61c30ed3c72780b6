#!/usr/bin/env bash
# Runs the same benchmark set on the library as it is and as it was at an earlier commit, side by
# side, so that "no worse than before" is a measurement and not a recollection:
#
#   samples/AzFuse.Benchmarks/compare-builds.sh OLD_REV [ROUNDS] [benchmark arguments...]
#   e.g. samples/AzFuse.Benchmarks/compare-builds.sh 990c197 3 wire --repeat 5
#
# The earlier commit's library is built with this tree's benchmark program and test support (which
# use only the public API), in a detached worktree under /tmp; the two programs then run in turns,
# ROUNDS times each (default 3), new first in odd rounds and old first in even ones. Every output is
# kept under /tmp/azfuse-compare/ and the ratio lines are printed together at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
old_rev=${1:?usage: compare-builds.sh OLD_REV [ROUNDS] [benchmark arguments...]}
rounds=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
args=("$@")
out=/tmp/azfuse-compare
old_tree=$out/old-tree
mkdir -p "$out"

./build.sh >/dev/null   # Azurite and azcopy

if [ ! -d "$old_tree" ]; then git worktree add --detach "$old_tree" "$old_rev" >/dev/null; fi
# The copies an earlier comparison put in the old tree go first, or the checkout refuses to run.
git -C "$old_tree" checkout --detach -q -f "$old_rev"
git -C "$old_tree" clean -fdq -e node_modules
rm -rf "$old_tree/samples/AzFuse.Benchmarks" "$old_tree/tests/AzFuse.Testing"
cp -r samples/AzFuse.Benchmarks "$old_tree/samples/"
cp -r tests/AzFuse.Testing "$old_tree/tests/"
cp Directory.Packages.props "$old_tree/"
rm -rf "$old_tree"/samples/AzFuse.Benchmarks/{bin,obj} "$old_tree"/tests/AzFuse.Testing/{bin,obj}
ln -sfn "$repo/node_modules" "$old_tree/node_modules"

build() { dotnet build "$@" -c Release -v quiet -nologo >"$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | sort -u >&2; exit 1; }; }
build samples/AzFuse.Benchmarks
build "$old_tree/samples/AzFuse.Benchmarks" -p:AzFuseOldApi=true
new_dll=$repo/samples/AzFuse.Benchmarks/bin/Release/net10.0/AzFuse.Benchmarks.dll
old_dll=$old_tree/samples/AzFuse.Benchmarks/bin/Release/net10.0/AzFuse.Benchmarks.dll

run() { # name dll round
  echo "== round $3: $1 ($(git -C "$( [ "$1" = new ] && echo "$repo" || echo "$old_tree")" rev-parse --short HEAD))"
  dotnet "$2" "${args[@]}" >"$out/$1-$3.txt" 2>&1 || { cat "$out/$1-$3.txt"; exit 1; }
}
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then run new "$new_dll" "$round"; run old "$old_dll" "$round"; else run old "$old_dll" "$round"; run new "$new_dll" "$round"; fi
done

echo
echo "Ratio and memory lines of every run (new = working tree, old = $old_rev):"
for f in "$out"/new-*.txt "$out"/old-*.txt; do
  echo "-- $(basename "$f" .txt)"
  grep -E " / |^[0-9]+ +[0-9.]+ +[0-9.]+$|^(Open \+ read, auto|Prepare [0-9]+, auto|bare HttpClient)" "$f" || true
done
