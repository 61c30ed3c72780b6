#!/usr/bin/env bash
# The one entry point for a new machine that has only the .NET SDK, node/npm and apt.
#
#   ./build.sh          install the tools the tests and the sample use (idempotent)
#   ./build.sh test     install, then build and run the whole test suite
#   ./build.sh sample   install, then run samples/AzFuse.Samples against a local Azurite
#   ./build.sh bench    install, then run samples/AzFuse.Benchmarks (arguments are passed on)
#   ./build.sh cli-demo install, then run every azfuse command against a local Azurite (samples/cli)
#
# What it installs, and nothing else: the real Azurite emulator and the real azcopy binary,
# from the committed npm lock file into ./node_modules, and libsecret-1-0 (azcopy links it).
set -euo pipefail
cd "$(dirname "$0")"

azcopy=node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64

install_tools() {
  if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libsecret-1\.so\.0'; then
    echo "build.sh: installing libsecret-1-0 (azcopy needs it)"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsecret-1-0 >/dev/null
    elif command -v sudo >/dev/null; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsecret-1-0 >/dev/null
    else
      echo "build.sh: azcopy needs libsecret-1-0; install it with your package manager and run again" >&2
      exit 1
    fi
  fi

  # npm ci only when node_modules is missing or older than the lock file.
  if [ ! -f "$azcopy" ] || [ ! -f node_modules/.bin/azurite-blob ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "build.sh: installing Azurite and azcopy from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # npm does not keep the binary's execute bit.
  chmod +x "$azcopy"
  "$azcopy" --version >/dev/null
}

run_tests() {
  local log
  log=$(mktemp)
  set +e
  # The hang timeout bounds a stuck test: it dumps and kills the run instead of eating CI's time.
  dotnet test AzFuse.sln --blame-hang-timeout 10m 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  # One closing line in the plain "N passed, N failed" form, summed over test assemblies.
  awk '/(Passed|Failed)! +- +Failed: /{
         for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       } END { printf "Tests: %d passed, %d failed%s\n", p, f, (s > 0 ? ", " s " skipped" : "") }' "$log"
  rm -f "$log"
  return "$status"
}

case "${1:-}" in
  "") install_tools ;;
  test) install_tools; run_tests ;;
  sample) install_tools; dotnet run --project samples/AzFuse.Samples -c Release ;;
  bench) shift; install_tools; dotnet run --project samples/AzFuse.Benchmarks -c Release -- "$@" ;;
  cli-demo) install_tools; samples/cli/cli-demo.sh ;;
  *) echo "usage: ./build.sh [test|sample|bench [args]|cli-demo]" >&2; exit 2 ;;
esac
