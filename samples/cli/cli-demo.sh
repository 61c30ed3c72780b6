#!/usr/bin/env bash
# Runs every azfuse command once against a local Azurite and prints what it printed: the source of
# the README's "Command line" examples. Run it through ./build.sh cli-demo (which installs Azurite
# and azcopy first). Everything lives under /tmp/azfuse-demo; Azurite is stopped by its process id.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
demo=/tmp/azfuse-demo
rm -rf "$demo" && mkdir -p "$demo/storage_account" "$demo/photos/2024" "$demo/photos/scratch"

dotnet build src/AzFuse.Cli -c Release -v quiet -nologo >/dev/null
dll=$repo/src/AzFuse.Cli/bin/Release/net10.0/AzFuse.Cli.dll
azfuse() { dotnet "$dll" "$@"; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$port" --location "$demo/azurite" --skipApiVersionCheck --loose >"$demo/azurite.log" 2>&1 &
azurite=$!
trap 'kill "$azurite"' EXIT
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.1; done
dotnet run samples/cli/make-container.cs "http://127.0.0.1:$port/devstoreaccount1" demo

# Azurite's published development key, not a secret.
cat >"$demo/storage_account/dev.yaml" <<YAML
account_name: devstoreaccount1
account_key: Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
sas_token: null
container_name: demo
endpoint: http://127.0.0.1:$port/devstoreaccount1
YAML
cat >"$demo/azfuse.yaml" <<YAML
- cache: $demo/cache/data
  local: data
  remote: azfuse_data
  storage_account: dev
YAML
export AZFUSE_USE_FUSE=1 AZFUSE_CLOUD_FUSE_CONFIG_FILE=$demo/azfuse.yaml AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER=$demo/storage_account
export AZFUSE_AZCOPY_PATH=$repo/node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64
export XDG_STATE_HOME=$demo/state   # azfuse upload's state folder, kept with the rest of the demo

# Some local data to upload: 200 small "photos" and a text file.
for i in $(seq -w 1 200); do head -c $((1000 + 10#$i * 37)) /dev/urandom >"$demo/photos/2024/img$i.jpg"; done
for i in 1 2 3; do echo "draft $i" >"$demo/photos/scratch/note$i.txt"; done
printf 'id\tlabel\n' >"$demo/photos/labels.tsv"; for i in $(seq 1 25); do printf '%d\tcat%d\n' "$i" "$((i % 3))" >>"$demo/photos/labels.tsv"; done

cd "$demo"
run() { printf '$ %s\n' "$*"; "$@" 2>&1 || printf '(exit code %d)\n' "$?"; echo; }
show() { printf '$ %s\n' "$1"; bash -c "$1" 2>&1 || printf '(exit code %d)\n' "$?"; echo; }
export -f azfuse; export dll

run azfuse doctor
run azfuse upload photos data/photos
run azfuse upload photos data/photos
run azfuse ls data/photos
run azfuse ls -l data/photos
show "azfuse ls -r data/photos | tail -n 3"
run azfuse head -n 3 data/photos/labels.tsv
run azfuse tail -n 2 data/photos/labels.tsv
show "azfuse cat data/photos/labels.tsv | wc -l"
run azfuse url data/photos/labels.tsv --expiry 7d
run azfuse cache clear data/photos
show "printf 'data/photos/2024/img001.jpg\ndata/photos/2024/img002.jpg\n' | azfuse prepare --from-file -"
run azfuse prepare data/photos
run azfuse cache stats
show "EDITOR='sed -i s/cat0/dog0/' azfuse update data/photos/labels.tsv"
show "EDITOR=true azfuse edit data/photos/labels.tsv"
show "echo n | azfuse rm data/photos/scratch/note1.txt"
show "echo y | azfuse rm data/photos/scratch/note1.txt"
run azfuse rm data/photos/scratch
run azfuse rm -r --yes data/photos/scratch
run azfuse resume
run azfuse path data/photos/labels.tsv
show "AZFUSE_VIEWER=ls azfuse display data/photos/2024/img001.jpg"
run azfuse tier cool data/photos/2024/img001.jpg
run azfuse cold data/photos/2024/img002.jpg
run azfuse meta data/photos/labels.tsv --set owner=team-a --set reviewed=yes
run azfuse clear_meta data/photos/labels.tsv
run azfuse cp data/photos/labels.tsv data/backup/labels.tsv
show "azfuse cp -r data/photos/2024 data/backup/2024 | tail -n 2"
show "azfuse ls -l data/backup/2024 | tail -n 2"
run azfuse lease break data/photos/labels.tsv
run azfuse u data/photos/labels.tsv
run azfuse rm -rf data/backup   # the Python habit: -f is no option here, a usage error, nothing deleted
show "azfuse rm -r --yes data/backup | tail -n 2"
run azfuse cat data/photos/nothing.txt
run azfuse head -n lots data/photos/labels.tsv
show "AZFUSE_USE_FUSE= azfuse ls photos"

# The same prepare with stdout on a terminal (a pseudo-terminal from util-linux script): the live
# bar redraws in place; its last frame, without the colour codes, is shown.
azfuse cache clear data/photos >/dev/null
printf '$ azfuse prepare data/photos        # on a terminal: the last frame of the live bar\n'
TERM=xterm-256color script -qefc "dotnet '$dll' prepare data/photos" /dev/null | tr '\r' '\n' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -v '^\s*$' | tail -n 2
